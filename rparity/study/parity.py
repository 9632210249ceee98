"""Every number of two engines' study runs, compared and classified.

Each number is compared with :func:`rparity.compare.compare_values` under the
tolerance of the contract quantity it comes from (its *source*, recorded by
the pipeline): a KM landmark under ``survfit.summary.surv``, a hazard ratio
under ``coxph.coef``, a Table 1 p-value under ``fisher_test.pvalue``. Numbers
the pipeline derives itself (counts, the selected variables) must be identical.

Classification happens in one place, :func:`classify`: "agrees", "known
divergence <id>" (a registered, explained difference), "not provided" (an
engine lacks the function) or "new divergence". The harness-wide registry of
known divergences plugs in there.
"""
from __future__ import annotations

import fnmatch
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from rparity import tolerance as _tol
from rparity.compare import compare_values

from .result import Source, StudyResult

__all__ = ["NumberDiff", "StudyParity", "KnownDivergence", "KNOWN_DIVERGENCES", "compare_results", "classify",
           "tolerance_for", "STUDY_TOLERANCES", "CONTRACT_DEFAULTS", "not_run"]

#: Quantities the pipeline computes itself (same code in every engine).
STUDY_TOLERANCES: dict[str, _tol.Tolerance] = {
    "count": _tol.EXACT,
    "selection": _tol.EXACT,
}

#: The goals of ``shared/specs/api.md``, used only for a contract quantity the
#: harness table (:mod:`rparity.tolerance`) has no entry for yet; the parity
#: table says when a default was used.
CONTRACT_DEFAULTS: dict[str, _tol.Tolerance] = {
    "coxph.coef": _tol.rel(1e-9, "api.md: Cox coef reproducing R's Newton iterates"),
    "coxph.se": _tol.rel(1e-9, "api.md: Cox se"),
    "coxph.loglik": _tol.rel(1e-9, "api.md: Cox loglik"),
    "coxph.summary.exp_coef": _tol.rel(1e-9, "exp(coef): as coef"),
    "coxph.summary.lower": _tol.rel(1e-9, "exp(coef - z se): as coef and se"),
    "coxph.summary.upper": _tol.rel(1e-9, "exp(coef + z se): as coef and se"),
    "coxph.summary.p": _tol.pvalue(1e-9, "Wald p of coef/se"),
    "matchit.match_matrix": _tol.EXACT,
    "matchit.distance": _tol.rel(1e-10, "api.md: fitted propensity scores"),
    "matchit.caliper": _tol.rel(1e-10, "caliper x sd of the distance"),
    **{f"matchit.summary.{t}.{q}": _tol.rel(1e-10, "api.md: balance table") for t in ("all", "matched")
       for q in ("std_mean_diff", "means_treated", "means_control")},
}


def tolerance_for(source: Source) -> tuple[_tol.Tolerance, str]:
    """(tolerance, where it came from: "table", "study" or "api.md default")."""
    function, quantity = source
    if function == "study":
        return STUDY_TOLERANCES[quantity], "study"
    try:
        return _tol.lookup(function, quantity), "table"
    except KeyError:
        key = f"{function}.{quantity}"
        if key in CONTRACT_DEFAULTS:
            return CONTRACT_DEFAULTS[key], "api.md default"
        raise


@dataclass(frozen=True)
class KnownDivergence:
    """A registered, explained difference between engines.

    ``keys`` are fnmatch patterns on study keys; ``engines`` the pair it
    applies to (any order; empty = any pair).
    """

    id: str
    keys: tuple[str, ...]
    reason: str
    engines: tuple[str, ...] = ()

    def applies(self, key: str, engines: tuple[str, str]) -> bool:
        if self.engines and set(engines) != set(self.engines):
            return False
        return any(fnmatch.fnmatchcase(key, p) for p in self.keys)


#: Divergences known to the study pipeline. Empty: pyimpl reproduces R on every
#: number when ``matching.compat`` names the installed MatchIt.
KNOWN_DIVERGENCES: list[KnownDivergence] = []


@dataclass(frozen=True)
class NumberDiff:
    """One number of the study in two engines."""

    key: str
    source: str
    tolerance: str
    tolerance_from: str
    verdict: str  # agree | differ | missing | error (rparity.compare's verdicts)
    classification: str  # agrees | known divergence <id> | not provided | new divergence
    max_abs: float = 0.0
    max_rel: float = 0.0
    a: Any = None
    b: Any = None
    detail: str = ""

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("max_abs", "max_rel"):
            v = d[k]
            d[k] = None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v
        d["a"], d["b"] = _jsonable(self.a), _jsonable(self.b)
        return d


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, tuple):
        return list(v)
    return v


def classify(diff: NumberDiff, engines: tuple[str, str], *,
             registry: Iterable[KnownDivergence] | None = None) -> str:
    """THE classification of a compared number (the one place to plug in the
    harness's known-divergence registry)."""
    if diff.verdict == "agree":
        return "agrees"
    for kd in (KNOWN_DIVERGENCES if registry is None else registry):
        if kd.applies(diff.key, engines):
            return f"known divergence {kd.id}"
    if diff.verdict == "missing" and diff.detail.startswith("not provided"):
        return "not provided"
    return "new divergence"


@dataclass(frozen=True)
class StudyParity:
    """The comparison of two engines' :class:`StudyResult`."""

    engines: tuple[str, str]
    rows: tuple[NumberDiff, ...] = ()
    ran: bool = True
    reason: str = ""
    steps: dict = field(default_factory=dict)
    known: tuple = ()  # the KnownDivergence entries that classified some number

    @property
    def ok(self) -> bool:
        """No new divergence (agreements, known divergences and functions not
        provided are all accounted for)."""
        return self.ran and all(r.classification != "new divergence" for r in self.rows)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.classification] = out.get(r.classification, 0) + 1
        return out

    def by_source(self) -> list[dict]:
        """Per contract quantity: numbers compared, worst relative and absolute
        difference, tolerance, and the worst classification."""
        groups: dict[str, dict] = {}
        for r in self.rows:
            g = groups.setdefault(r.source, {"source": r.source, "n": 0, "max_rel": 0.0, "max_abs": 0.0,
                                             "tolerance": r.tolerance, "tolerance_from": r.tolerance_from,
                                             "classification": "agrees"})
            g["n"] += 1
            for k in ("max_rel", "max_abs"):
                v = getattr(r, k)
                if isinstance(v, float) and math.isfinite(v) and v > g[k]:
                    g[k] = v
            if _rank(r.classification) > _rank(g["classification"]):
                g["classification"] = r.classification
        return sorted(groups.values(), key=lambda g: g["source"])

    def problems(self) -> list[NumberDiff]:
        return [r for r in self.rows if r.classification != "agrees"]

    def to_dict(self) -> dict:
        return {"engines": list(self.engines), "ran": self.ran, "reason": self.reason, "ok": self.ok,
                "counts": self.counts(), "steps": self.steps, "by_source": self.by_source(),
                "known_divergences": [asdict(k) for k in self.known],
                "rows": [r.to_dict() for r in self.rows]}


def _rank(classification: str) -> int:
    if classification == "agrees":
        return 0
    if classification == "not provided":
        return 1
    if classification.startswith("known divergence"):
        return 2
    return 3


def not_run(engines: tuple[str, str], reason: str) -> StudyParity:
    return StudyParity(engines=engines, ran=False, reason=reason)


def _step_of(key: str, res: StudyResult) -> str:
    """The step that produces ``key`` (for 'not provided' details)."""
    head = key.split(".")
    if head[0] in ("table1", "km", "cox") and len(head) > 1:
        return f"{head[0]}.{head[1]}"
    if head[0] == "logrank":
        return f"km.{head[1]}"
    if head[0] == "subgroup":
        return f"subgroups.{head[1]}"
    if head[0] in ("matching", "balance"):
        return "matching"
    if head[0] == "published_audit":
        return "published_audit"
    return ""


def compare_results(a: StudyResult, b: StudyResult, *, registry: Iterable[KnownDivergence] | None = None,
                    classifier: Callable[[NumberDiff, tuple[str, str]], str] | None = None) -> StudyParity:
    """Compare every number of ``a`` with ``b`` (``b`` is the reference, usually R).

    ``registry``: the known divergences (default :data:`KNOWN_DIVERGENCES`);
    ``classifier`` replaces :func:`classify` altogether.
    """
    engines = (a.engine, b.engine)
    known = tuple(KNOWN_DIVERGENCES if registry is None else registry)
    if classifier is None:
        def classifier(d: NumberDiff, e: tuple[str, str]) -> str:
            return classify(d, e, registry=known)
    rows: list[NumberDiff] = []
    keys = list(dict.fromkeys([*b.values.keys(), *a.values.keys()]))
    for key in keys:
        src = b.sources.get(key) or a.sources.get(key)
        src_s = f"{src[0]}.{src[1]}"
        if key not in a.values or key not in b.values:
            who, other = (a, b) if key not in a.values else (b, a)
            status = who.steps.get(_step_of(key, who), "")
            detail = (f"not provided by {who.engine}: {status.split(': ', 1)[-1]}" if status.startswith("not provided")
                      else f"{who.engine} has no value ({status or 'not computed'})")
            d = NumberDiff(key=key, source=src_s, tolerance="-", tolerance_from="-", verdict="missing",
                           classification="", a=a.values.get(key), b=b.values.get(key), detail=detail)
        else:
            try:
                tol, origin = tolerance_for(src)
            except KeyError as exc:
                d = NumberDiff(key=key, source=src_s, tolerance="-", tolerance_from="-", verdict="error",
                               classification="", a=a.values[key], b=b.values[key], detail=str(exc))
            else:
                verdict, mabs, mrel, detail, _, _ = compare_values(a.values[key], b.values[key], tol)
                d = NumberDiff(key=key, source=src_s, tolerance=tol.describe(), tolerance_from=origin,
                               verdict=verdict, classification="", max_abs=mabs, max_rel=mrel,
                               a=a.values[key], b=b.values[key], detail=detail)
        rows.append(_with_class(d, classifier(d, engines)))
    steps = {s: {a.engine: a.steps.get(s, "-"), b.engine: b.steps.get(s, "-")}
             for s in dict.fromkeys([*a.steps, *b.steps])}
    used = {r.classification.removeprefix("known divergence ") for r in rows}
    return StudyParity(engines=engines, rows=tuple(rows), steps=steps, known=tuple(k for k in known if k.id in used))


def _with_class(d: NumberDiff, cls: str) -> NumberDiff:
    from dataclasses import replace

    return replace(d, classification=cls)
