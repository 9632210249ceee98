"""Field-by-field comparison of two engines' outcomes against the tolerance table.

Running a case in an engine gives an :class:`Outcome`: the flat
``{quantity: value}`` dict of the case's runner, or what the engine raised,
with the refusal kind when it was a refusal (:mod:`rparity.refusals`).
:func:`compare_outcomes` returns one :class:`QuantityDiff` per quantity with
the worst absolute and relative difference, the tolerance applied and a
:class:`~rparity_contract.verdicts.Verdict`. When either engine raised, one row
with quantity ``(outcome)`` says how the two outcomes compare:

* both refused with the same kind: they agree (on refusing);
* both refused, different kinds: they differ;
* one refused and the other answered: they differ ("refuses what R accepts",
  "accepts what R refuses");
* the engine under test failed otherwise (a bug: not a refusal): engine error;
* the engine does not provide the function: not provided.

Relative difference: ``|a - b| / max(|a|, |b|)``; where both values are within
1e-300 of zero the absolute difference is used. For a ``scaled`` tolerance the
denominator is the largest magnitude of the whole vector (of the column, for a
matrix): quantities that are differences of nearby numbers (residuals) are
compared on their own scale.
"""
from __future__ import annotations

import math
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from rparity_contract.errors import RParityWarning
from rparity_contract.verdicts import ERROR_QUANTITY, Classification, Verdict

from ._json import to_json
from .refusals import refusal_kind
from .tolerance import Tolerance, lookup

__all__ = ["Outcome", "QuantityDiff", "ValueComparison", "compare_outcomes", "compare_values", "TINY",
           "run_outcome", "outcome_of", "summarize", "NotProvided"]

TINY = 1e-300


@dataclass(frozen=True)
class NotProvided:
    """The value of a quantity whose function the engine does not provide (it
    raised ``NotImplementedError``): "not provided", whatever the engine.

    A quantity that is merely ``None`` in a function the engine does provide is
    a *gap*: acceptable only where the engine declares it does not compute that
    quantity (its ``NOT_COMPUTED``), a divergence otherwise."""

    reason: str = ""


@dataclass
class Outcome:
    """What one engine gave for one case.

    ``kind`` is the refusal kind when the engine refused the input (an
    :class:`~rparity_contract.errors.RParityError` with a kind, or an R error
    whose message the refusal table maps); ``None`` when it answered or failed
    for another reason. ``r_message`` keeps R's own message for R errors.
    """

    engine: str
    values: dict[str, Any] | None = None
    error: str | None = None
    error_type: str | None = None
    kind: str | None = None
    r_message: str | None = None
    traceback: str | None = None
    provenance: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_provided(self) -> bool:
        return self.error_type == "NotImplementedError"

    @property
    def refused(self) -> bool:
        return not self.ok and self.kind is not None

    @property
    def failed(self) -> bool:
        """Raised something that is neither a refusal nor "not provided"."""
        return not self.ok and not self.refused and not self.not_provided


def outcome_of(engine: str, function: str | None, thunk: Callable[[], Mapping[str, Any]],
               provenance: list | None = None) -> Outcome:
    """Run ``thunk`` (a case's runner on one engine) and capture its outcome:
    values, or the exception with its refusal kind. A plugin that raises is
    reported, never crashes the run; KeyboardInterrupt propagates."""
    prov = [] if provenance is None else provenance
    try:
        with warnings.catch_warnings():
            # an engine's warnings are part of its result (``warnings``), compared
            # as a quantity; they are not printed again here
            warnings.simplefilter("ignore", RParityWarning)
            values = dict(thunk())
    except NotImplementedError as exc:
        return Outcome(engine, error=str(exc), error_type="NotImplementedError", provenance=prov)
    except Exception as exc:  # noqa: BLE001 - engines are third-party code
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
        return Outcome(engine, error=str(exc), error_type=type(exc).__name__, kind=refusal_kind(exc, function),
                       r_message=getattr(exc, "r_message", None), traceback=tb, provenance=prov)
    return Outcome(engine, values=values, provenance=prov)


def run_outcome(case, eng) -> Outcome:
    """Run ``case`` in engine ``eng`` (recording the provenance of its results)."""
    prov: list = []
    with eng.recording(prov):
        return outcome_of(eng.name, case.function, lambda: case.run(eng), prov)


@dataclass(frozen=True)
class QuantityDiff:
    """One compared quantity of one case.

    ``engine_refused`` is set on an ``(outcome)`` row where the engine under
    test refused the input (such a row is never a known divergence);
    ``evidence`` says what a known divergence's predicate recomputed to decide.
    """

    function: str
    case: str
    dataset: str | None
    quantity: str
    verdict: Verdict
    tolerance: str
    max_abs: float = 0.0
    max_rel: float = 0.0
    detail: str = ""
    a: Any = None
    b: Any = None
    classification: Classification | None = None
    known: str | None = None
    engine_refused: bool = False
    evidence: str = ""
    gap: bool = False

    @property
    def agrees(self) -> bool:
        return self.verdict is Verdict.AGREE

    @property
    def label(self) -> str:
        """The classification as tables show it (``known divergence <id>``)."""
        return self.classification.label(self.known) if self.classification is not None else str(self.verdict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        d["classification"] = None if self.classification is None else self.classification.value
        d["a"] = to_json(self.a, nonfinite="str")
        d["b"] = to_json(self.b, nonfinite="str")
        for k in ("max_abs", "max_rel"):
            v = d[k]
            d[k] = None if v is None or (isinstance(v, float) and math.isnan(v)) else v
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "QuantityDiff":
        kw = dict(d)
        kw["verdict"] = Verdict(kw["verdict"])
        kw["classification"] = None if kw.get("classification") is None else Classification(kw["classification"])
        for k in ("max_abs", "max_rel"):
            if kw.get(k) is None:
                kw[k] = math.nan
        return cls(**kw)


@dataclass(frozen=True)
class ValueComparison:
    """How one quantity of two engines compares."""

    verdict: Verdict
    max_abs: float = 0.0
    max_rel: float = 0.0
    detail: str = ""
    a: Any = None
    b: Any = None
    gap: bool = False


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
    if v is None or isinstance(v, NotProvided):
        return True
    if isinstance(v, np.ndarray) and v.dtype == object and v.size and all(x is None for x in v.ravel()):
        return True
    return False


def compare_values(a: Any, b: Any, tol: Tolerance) -> ValueComparison:
    """How quantity ``a`` of the engine under test compares with ``b`` of the
    reference. ``None`` in the engine means it does not compute the quantity
    ("not provided"); ``None`` in the reference only means R has no such value,
    and then the engine reporting one is a difference (``missing``)."""
    na_, nb_ = _not_provided(a), _not_provided(b)
    if na_ or nb_:
        if na_ and nb_:
            return ValueComparison(Verdict.AGREE)
        if isinstance(a, NotProvided):
            return ValueComparison(Verdict.NOT_PROVIDED, math.nan, math.nan, a.reason or "not provided")
        if na_:
            return ValueComparison(Verdict.NOT_PROVIDED, math.nan, math.nan,
                                   "the engine returns no value where R has one", gap=True)
        return ValueComparison(Verdict.MISSING, math.nan, math.nan, "the engine reports a value where R has none")
    if tol.kind == "warnings" or _is_textual(a) or _is_textual(b):
        ta, tb = _norm_text(a), _norm_text(b)
        if tol.kind == "warnings":
            ta, tb = tuple(sorted(set(ta))), tuple(sorted(set(tb)))
        if ta == tb:
            return ValueComparison(Verdict.AGREE)
        return ValueComparison(Verdict.DIFFER, math.nan, math.nan, f"{list(ta)!r} vs {list(tb)!r}", list(ta),
                               list(tb))
    try:
        x, y = _as_float_array(a), _as_float_array(b)
    except (TypeError, ValueError) as exc:
        return ValueComparison(Verdict.ERROR, math.nan, math.nan, f"not numeric: {exc}")
    if x.shape != y.shape:
        return ValueComparison(Verdict.DIFFER, math.nan, math.nan, f"shape {x.shape} vs {y.shape}")
    if x.size == 0:
        return ValueComparison(Verdict.AGREE)
    xn, yn = np.isnan(x), np.isnan(y)
    if (xn != yn).any():
        i = int(np.flatnonzero((xn != yn).ravel())[0])
        where = "the engine gives NaN where R has a number" if xn.ravel()[i] else "NaN in R only"
        return ValueComparison(Verdict.DIFFER, math.nan, math.nan, f"{where}, first at flat index {i}",
                               x.ravel()[i], y.ravel()[i])
    xi, yi = np.isinf(x), np.isinf(y)
    if ((xi | yi) & ~(x == y)).any():
        i = int(np.flatnonzero(((xi | yi) & ~(x == y)).ravel())[0])
        return ValueComparison(Verdict.DIFFER, math.inf, math.inf, f"infinite value differs at flat index {i}",
                               x.ravel()[i], y.ravel()[i])
    ok = ~(xn | xi)
    if not ok.any():
        return ValueComparison(Verdict.AGREE)
    xv, yv = x[ok], y[ok]
    absd = np.abs(xv - yv)
    scale = np.maximum(np.abs(xv), np.abs(yv))
    if tol.kind == "scaled":  # relative to the largest magnitude of the vector (of each column of a matrix)
        mag = np.where(ok, np.maximum(np.abs(x), np.abs(y)), 0.0)
        col = mag.max(axis=0, keepdims=True) if mag.ndim == 2 else mag.max(keepdims=True)
        scale = np.broadcast_to(col, mag.shape)[ok]
    with np.errstate(invalid="ignore", divide="ignore"):
        reld = np.where(scale > TINY, absd / scale, absd)
    worst = int(np.argmax(reld))
    max_abs, max_rel = float(absd.max()), float(reld[worst])
    if tol.kind == "exact":
        within = bool(max_abs == 0)
    else:
        ok_rel = reld <= tol.rtol
        if tol.kind == "pvalue":
            ok_rel |= (np.abs(xv) < TINY) & (np.abs(yv) < TINY)
        within = bool(ok_rel.all())
    return ValueComparison(Verdict.AGREE if within else Verdict.DIFFER, max_abs, max_rel, "", float(xv[worst]),
                           float(yv[worst]))


def _norm_text(v: Any) -> tuple:
    if v is None:
        return ()
    if isinstance(v, str):
        v = (v,)
    return tuple(" ".join(str(s).split()) for s in v)


def _first_line(msg: str | None) -> str:
    return (msg or "").strip().splitlines()[0] if msg else ""


def _tb_summary(tb: str | None) -> str:
    """The innermost frame of a traceback, as 'file:line in function'."""
    if not tb:
        return ""
    frames = [ln.strip() for ln in tb.splitlines() if ln.strip().startswith("File ")]
    return frames[-1].replace("File ", "") if frames else ""


def _said(o: Outcome) -> str:
    return f"{o.engine} refused ({o.kind}): {_first_line(o.error)}"


def _outcome_row(base: dict, a: Outcome, b: Outcome) -> QuantityDiff:
    """The ``(outcome)`` row of a case where at least one engine raised."""
    q = dict(base, quantity=ERROR_QUANTITY, tolerance="same outcome")
    if a.not_provided:
        return QuantityDiff(**q, verdict=Verdict.NOT_PROVIDED, detail=_first_line(a.error))
    if a.failed:
        where = f" ({_tb_summary(a.traceback)})" if a.traceback else ""
        return QuantityDiff(**q, verdict=Verdict.ENGINE_ERROR,
                            detail=f"{a.engine} raised {a.error_type}: {_first_line(a.error)}{where}")
    if not b.ok and b.error_type == "RUnavailable":
        # the reference cannot run here (an R package version not installed, e.g. MatchIt 3.0.2):
        # nothing was compared, and it is not the engine's fault
        return QuantityDiff(**q, verdict=Verdict.NOT_PROVIDED,
                            detail=f"the reference {b.engine} is not available here: {_first_line(b.error)}")
    if not b.ok and not b.refused:
        return QuantityDiff(**q, verdict=Verdict.ERROR,
                            detail=f"the reference {b.engine} failed: {b.error_type}: {_first_line(b.error)}")
    if a.refused and b.refused:
        if a.kind == b.kind:
            return QuantityDiff(**q, verdict=Verdict.AGREE, engine_refused=True,
                                detail=f"both refuse ({a.kind}) | {_first_line(a.error)} | {_first_line(b.error)}")
        return QuantityDiff(**q, verdict=Verdict.DIFFER, engine_refused=True, a=a.kind, b=b.kind,
                            detail=f"both refuse, for different reasons: {_said(a)} | {_said(b)}")
    if a.refused:
        return QuantityDiff(**q, verdict=Verdict.DIFFER, engine_refused=True, a=a.kind,
                            detail=f"refuses what {b.engine} accepts: {_said(a)}")
    return QuantityDiff(**q, verdict=Verdict.DIFFER, b=b.kind,
                        detail=f"accepts what {b.engine} refuses: {_said(b)}")


def compare_outcomes(function: str, case: str, dataset: str | None, a: Outcome, b: Outcome) -> list[QuantityDiff]:
    """Compare engine outcome ``a`` with reference outcome ``b`` quantity by quantity."""
    base = dict(function=function, case=case, dataset=dataset)
    if not a.ok or not b.ok:
        return [_outcome_row(base, a, b)]
    assert a.values is not None and b.values is not None
    rows = []
    for q in dict.fromkeys([*b.values.keys(), *a.values.keys()]):
        if q not in a.values:
            rows.append(QuantityDiff(**base, quantity=q, verdict=Verdict.NOT_PROVIDED, tolerance="-",
                                     detail=f"{a.engine} has no {q!r}", gap=True))
            continue
        if q not in b.values:
            if _not_provided(a.values[q]):
                continue  # neither engine has it
            rows.append(QuantityDiff(**base, quantity=q, verdict=Verdict.MISSING, tolerance="-",
                                     detail=f"{b.engine} has no {q!r}"))
            continue
        try:
            tol = lookup(function, q)
        except KeyError as exc:
            rows.append(QuantityDiff(**base, quantity=q, verdict=Verdict.ERROR, tolerance="-", detail=str(exc)))
            continue
        c = compare_values(a.values[q], b.values[q], tol)
        rows.append(QuantityDiff(**base, quantity=q, verdict=c.verdict, tolerance=tol.describe(),
                                 max_abs=c.max_abs, max_rel=c.max_rel, detail=c.detail, a=c.a, b=c.b, gap=c.gap))
    return rows


def summarize(rows: list[QuantityDiff]) -> dict[str, int]:
    """Rows per verdict."""
    out: dict[str, int] = {}
    for r in rows:
        out[r.verdict.value] = out.get(r.verdict.value, 0) + 1
    return out
