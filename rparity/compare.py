"""Field-by-field comparison of two engines' outputs against the tolerance table.

A case run yields an :class:`Outcome`: the flat ``{quantity: value}`` dict of the
case's runner, or the error the engine raised. :func:`compare_outcomes` returns
one :class:`QuantityDiff` per quantity with the worst absolute and relative
difference, the tolerance applied and a verdict:

``agree``      within tolerance (or both engines raised an error)
``differ``     outside tolerance, shapes or NaN patterns differ, or one engine
               raised and the other did not
``missing``    the quantity exists in one outcome only
``not provided`` the engine does not compute this function or quantity
``engine error`` the engine under test raised, or returned a malformed result
``error``      the comparison itself could not be made (no tolerance entry, an
               engine returned something that is not a number where R has one)

Relative difference: ``|a - b| / max(|a|, |b|)``; where both values are within
1e-300 of zero the absolute difference is used.
"""
from __future__ import annotations

import math
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np

from ._json import to_json
from .tolerance import Tolerance, lookup

__all__ = ["Outcome", "QuantityDiff", "compare_outcomes", "compare_values", "TINY", "run_outcome"]

TINY = 1e-300


@dataclass
class Outcome:
    """What one engine gave for one case."""

    engine: str
    values: dict[str, Any] | None = None
    error: str | None = None
    error_type: str | None = None
    traceback: str | None = None
    provenance: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def run_outcome(case, eng) -> Outcome:
    """Run ``case`` in engine ``eng``, catching any error as part of the outcome
    (a plugin that raises is reported, never crashes the run)."""
    prov: list = []
    try:
        with eng.recording(prov):
            values = case.run(eng)
    except NotImplementedError as exc:
        return Outcome(eng.name, error=str(exc), error_type="NotImplementedError")
    except Exception as exc:  # noqa: BLE001 - engines are third-party code
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
        return Outcome(eng.name, error=str(exc), error_type=type(exc).__name__, traceback=tb,
                       provenance=prov)
    return Outcome(eng.name, values=values, provenance=prov)


@dataclass(frozen=True)
class QuantityDiff:
    function: str
    case: str
    dataset: str | None
    quantity: str
    verdict: str
    tolerance: str
    max_abs: float = 0.0
    max_rel: float = 0.0
    detail: str = ""
    a: Any = None
    b: Any = None
    classification: str = ""
    known: str | None = None

    @property
    def agrees(self) -> bool:
        return self.verdict == "agree"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["a"] = _jsonable(self.a)
        d["b"] = _jsonable(self.b)
        for k in ("max_abs", "max_rel"):
            v = d[k]
            d[k] = None if v is None or (isinstance(v, float) and math.isnan(v)) else v
        return d


def _jsonable(v: Any) -> Any:
    return to_json(v, nonfinite="str")


def _is_textual(v: Any) -> bool:
    if isinstance(v, str):
        return True
    if isinstance(v, (tuple, list)) and all(isinstance(x, str) or x is None for x in v):
        return True
    return False


def _as_float_array(v: Any) -> np.ndarray:
    if isinstance(v, (bool, np.bool_)):
        return np.array(float(v))
    arr = np.asarray(v)
    if arr.dtype == object:
        arr = np.array([np.nan if x is None else x for x in arr.ravel()], dtype=float).reshape(arr.shape)
    return arr.astype(float)


def _not_provided(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, np.ndarray) and v.dtype == object and v.size and all(x is None for x in v.ravel()):
        return True
    return False


def compare_values(a: Any, b: Any, tol: Tolerance) -> tuple[str, float, float, str, Any, Any]:
    """(verdict, max_abs, max_rel, detail, a_worst, b_worst) for one quantity.

    ``a`` is the engine under test, ``b`` the reference. A value of ``None``
    means the engine does not compute that quantity ("not provided").
    """
    if _not_provided(a) or _not_provided(b):
        if _not_provided(a) and _not_provided(b):
            return "agree", 0.0, 0.0, "", None, None
        return "not provided", math.nan, math.nan, "the engine does not compute it", None, None
    if tol.kind == "warnings" or _is_textual(a) or _is_textual(b):
        na, nb = _norm_text(a), _norm_text(b)
        if tol.kind == "warnings":
            na, nb = tuple(sorted(set(na))), tuple(sorted(set(nb)))
        if na == nb:
            return "agree", 0.0, 0.0, "", None, None
        return "differ", math.nan, math.nan, f"{list(na)!r} vs {list(nb)!r}", list(na), list(nb)
    try:
        x, y = _as_float_array(a), _as_float_array(b)
    except (TypeError, ValueError) as exc:
        return "error", math.nan, math.nan, f"not numeric: {exc}", None, None
    if x.shape != y.shape:
        return "differ", math.nan, math.nan, f"shape {x.shape} vs {y.shape}", None, None
    if x.size == 0:
        return "agree", 0.0, 0.0, "", None, None
    xn, yn = np.isnan(x), np.isnan(y)
    if (xn & ~yn).any():
        # the engine under test gives NaN where the reference has a number
        i = int(np.flatnonzero((xn & ~yn).ravel())[0])
        return ("engine error", math.nan, math.nan,
                f"NaN where the reference has a number, first at flat index {i}", x.ravel()[i], y.ravel()[i])
    if (xn != yn).any():
        i = int(np.flatnonzero((xn != yn).ravel())[0])
        return ("differ", math.nan, math.nan, f"NaN in one engine only, first at flat index {i}",
                x.ravel()[i], y.ravel()[i])
    xi, yi = np.isinf(x), np.isinf(y)
    if ((xi | yi) & ~(x == y)).any():
        i = int(np.flatnonzero(((xi | yi) & ~(x == y)).ravel())[0])
        return "differ", math.inf, math.inf, f"infinite value differs at flat index {i}", x.ravel()[i], y.ravel()[i]
    ok = ~(xn | xi)
    if not ok.any():
        return "agree", 0.0, 0.0, "", None, None
    xv, yv = x[ok], y[ok]
    absd = np.abs(xv - yv)
    scale = np.maximum(np.abs(xv), np.abs(yv))
    with np.errstate(invalid="ignore", divide="ignore"):
        reld = np.where(scale > TINY, absd / scale, absd)
    worst = int(np.argmax(reld))
    max_abs, max_rel = float(absd.max()), float(reld[worst])
    aw, bw = float(xv[worst]), float(yv[worst])
    if tol.kind == "exact":
        verdict = "agree" if max_abs == 0 else "differ"
    else:
        within = reld <= tol.rtol
        if tol.kind == "pvalue":
            within |= (np.abs(xv) < TINY) & (np.abs(yv) < TINY)
        verdict = "agree" if within.all() else "differ"
    return verdict, max_abs, max_rel, "", aw, bw


def _norm_text(v: Any) -> tuple:
    if v is None:
        return ()
    if isinstance(v, str):
        v = (v,)
    return tuple(" ".join(str(s).split()) for s in v)


def compare_outcomes(function: str, case: str, dataset: str | None, a: Outcome, b: Outcome) -> list[QuantityDiff]:
    """Compare engine outcome ``a`` with reference outcome ``b`` quantity by quantity."""
    base = dict(function=function, case=case, dataset=dataset)
    if not a.ok or not b.ok:
        if not a.ok and not b.ok:
            return [QuantityDiff(**base, quantity="(error)", verdict="agree", tolerance="both raise",
                                 detail=f"{a.engine}: {a.error_type}: {_first_line(a.error)} | "
                                        f"{b.engine}: {_first_line(b.error)}")]
        if not a.ok:
            if a.error_type == "NotImplementedError":
                verdict = "not provided"
            else:
                verdict = "engine error"
            where = f" ({_tb_summary(a.traceback)})" if a.traceback and verdict == "engine error" else ""
            return [QuantityDiff(**base, quantity="(error)", verdict=verdict, tolerance="-",
                                 detail=f"{a.engine} raised {a.error_type}: {_first_line(a.error)}{where}; "
                                        f"{b.engine} returned a result")]
        return [QuantityDiff(**base, quantity="(error)", verdict="differ", tolerance="-",
                             detail=f"{b.engine} raised {b.error_type}: {_first_line(b.error)}; "
                                    f"{a.engine} returned a result")]
    rows = []
    keys = list(dict.fromkeys([*b.values.keys(), *a.values.keys()]))
    for q in keys:
        if q not in a.values or q not in b.values:
            # the engine under test lacks it: it does not compute it; the reference
            # lacks it: the engine reports something R does not
            verdict = "not provided" if q not in a.values else "missing"
            who = a.engine if q not in a.values else b.engine
            rows.append(QuantityDiff(**base, quantity=q, verdict=verdict, tolerance="-",
                                     detail=f"{who} has no {q!r}"))
            continue
        try:
            tol = lookup(function, q)
        except KeyError as exc:
            rows.append(QuantityDiff(**base, quantity=q, verdict="error", tolerance="-", detail=str(exc)))
            continue
        verdict, mabs, mrel, detail, aw, bw = compare_values(a.values[q], b.values[q], tol)
        rows.append(QuantityDiff(**base, quantity=q, verdict=verdict, tolerance=tol.describe(),
                                 max_abs=mabs, max_rel=mrel, detail=detail, a=aw, b=bw))
    return rows


def _tb_summary(tb: str | None) -> str:
    """The innermost frame of a traceback, as 'file:line in function'."""
    if not tb:
        return ""
    frames = [ln.strip() for ln in tb.splitlines() if ln.strip().startswith("File ")]
    return frames[-1].replace("File ", "") if frames else ""


def _first_line(msg: str | None) -> str:
    return (msg or "").strip().splitlines()[0] if msg else ""


def summarize(rows: list[QuantityDiff]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.verdict] = out.get(r.verdict, 0) + 1
    return out
