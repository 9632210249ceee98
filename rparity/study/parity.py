"""Every number of two engines' study runs, compared and classified.

Each number is compared with :func:`rparity.compare.compare_values` under the
tolerance of the contract quantity it comes from (its *source*, recorded by
the pipeline): a KM landmark under ``survfit.summary.surv``, a hazard ratio
under ``coxph.coef``, a Table 1 p-value under ``fisher_test.pvalue``. Numbers
the pipeline derives itself (counts, the selected variables) must be identical.

Classification happens in one place, :func:`classify`, which hands each
number to the harness's :func:`rparity.divergences.classify` as the contract
quantity it comes from: "agrees", "known divergence <id>" (a registered,
explained difference: the harness registry, plus :data:`STUDY_DIVERGENCES`),
"not provided" (an engine lacks the function), "engine error" or "new
divergence".
"""
from __future__ import annotations

from dataclasses import replace

from .._json import to_json

import fnmatch
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Mapping


from rparity import divergences as _divergences
from rparity import tolerance as _tol
from rparity.check import FAILING
from rparity.compare import QuantityDiff, compare_values
from rparity.divergences import KnownDivergence

from .result import Source, StudyResult

__all__ = ["NumberDiff", "StudyParity", "ClassifyContext", "STUDY_DIVERGENCES", "AFTER_MATCHING_KEYS",
           "compare_results", "classify", "tolerance_for", "STUDY_TOLERANCES", "CONTRACT_DEFAULTS", "not_run"]

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
class NumberDiff:
    """One number of the study in two engines."""

    key: str
    source: str
    tolerance: str
    tolerance_from: str
    verdict: str  # agree | differ | missing | error (rparity.compare's verdicts)
    classification: str  # agrees | known divergence <id> | not provided | engine error | new divergence
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
    return to_json(v)


@dataclass(frozen=True)
class ClassifyContext:
    """What the harness's divergence predicates see about a study comparison:
    the engines and their versions, the study settings (``params``: the spec's
    ``conf_type``, ``ties``, ``matching_compat``...) and the cohort's times
    (``data``, columns ``time_<endpoint>``)."""

    engines: tuple[str, str]
    engine_version: str = ""
    reference_versions: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    data: Any = None


def classify(diff: NumberDiff, ctx: ClassifyContext, *, registry: Iterable[KnownDivergence] | None = None) -> str:
    """THE classification of one compared study number: the harness's
    :func:`rparity.divergences.classify` on the contract quantity the number
    comes from, with the study key and settings in ``params``. ``registry``
    defaults to the harness registry plus :data:`STUDY_DIVERGENCES`."""
    reg = list(_divergences.REGISTRY) + STUDY_DIVERGENCES if registry is None else list(registry)
    function, _, quantity = diff.source.partition(".")
    if diff.verdict == "missing":
        # no value at all in one engine: the registry explains differing values, not absent ones
        if diff.detail.startswith("not provided"):
            return "not provided"
        return "engine error" if diff.detail.startswith(f"{ctx.engines[0]} ") else "new divergence"
    verdict = diff.verdict
    params = dict(ctx.params)
    params["study_key"] = diff.key
    ep = _endpoint_of(diff.key)
    if ep is not None:
        params["time"] = f"time_{ep}"
    row = QuantityDiff(function=function, case=diff.key, dataset=None, quantity=quantity, verdict=verdict,
                       tolerance=diff.tolerance, max_abs=diff.max_abs, max_rel=diff.max_rel, detail=diff.detail,
                       a=diff.a, b=diff.b)
    (out,) = _divergences.classify([row], engine=ctx.engines[0], engine_version=ctx.engine_version,
                                   reference=ctx.engines[1], reference_versions=ctx.reference_versions,
                                   params=params, data=ctx.data, registry=reg)
    return out.classification


def _endpoint_of(key: str) -> str | None:
    parts = key.split(".")
    if parts[0] in ("km", "logrank") and len(parts) > 2:
        return parts[2]
    return None


#: Keys that follow from the matched sample.
AFTER_MATCHING_KEYS = ("matching.pairs", "matching.n.*", "balance.after.*", "table1.after.*", "km.after.*",
                       "logrank.after.*", "cox.after.*", "subgroup.after.*")


def _documented_vs_451(ctx: _divergences.DivergenceContext) -> bool:
    return (ctx.params.get("matching_compat", "4.5.1") is None
            and any(fnmatch.fnmatchcase(str(ctx.params.get("study_key", "")), p) for p in AFTER_MATCHING_KEYS))


#: Divergences only a study run shows (in the harness's format).
STUDY_DIVERGENCES: list[KnownDivergence] = [
    KnownDivergence(
        id="study-matchit-documented-vs-4.5.1",
        engines={"pyimpl": "*", "r": "MatchIt<4.5.4"},
        functions=("study", "matchit", "survfit", "survdiff", "coxph", "fisher_test", "chisq_test"),
        quantities=("*",),
        explanation=("The spec asked for the documented matching algorithm (matching.compat = \"none\"), "
                     "which pyimpl runs; R's MatchIt before 4.5.4 truncates distance differences to integers "
                     "(so a caliper acts only on whole units of the distance) and, in rounds after the first, "
                     "mis-checks the controls already used, so it can pick other pairs. Every number computed on "
                     "the matched sample follows from the pairs."),
        reference="kosukeimai/MatchIt#163 (abs on int), #159 (check_in); shared/specs/matchit-4.5.1.md",
        recognise=_documented_vs_451,
    ),
]


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
        """No new divergence and no engine error (agreements, known divergences
        and functions not provided are accounted for), as ``rparity check``."""
        return self.ran and not any(r.classification.startswith(FAILING) for r in self.rows)

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
                "known_divergences": [{"id": k.id, "engines": dict(k.engines), "explanation": k.explanation,
                                       "reference": k.reference} for k in self.known],
                "rows": [r.to_dict() for r in self.rows]}


def _rank(classification: str) -> int:
    if classification == "agrees":
        return 0
    if classification == "not provided":
        return 1
    if classification.startswith("known divergence"):
        return 2
    if classification == "new divergence":
        return 3
    return 4


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


def _status(res: StudyResult, step: str) -> str:
    """A step's status; a step skipped because matching did not run inherits
    matching's status (not provided, or an error)."""
    status = res.steps.get(step, "")
    if status.startswith("skipped") and step != "matching":
        up = res.steps.get("matching", "")
        if up.startswith(("not provided", "error")):
            return up
    return status


def compare_results(a: StudyResult, b: StudyResult, *, context: ClassifyContext | None = None,
                    registry: Iterable[KnownDivergence] | None = None,
                    classifier: Callable[[NumberDiff, ClassifyContext], str] | None = None) -> StudyParity:
    """Compare every number of ``a`` with ``b`` (``b`` is the reference, usually R).

    ``context`` carries versions and settings for the divergence predicates;
    ``registry`` replaces the known divergences (default: the harness's plus
    :data:`STUDY_DIVERGENCES`); ``classifier`` replaces :func:`classify`.
    """
    engines = (a.engine, b.engine)
    ctx = context or ClassifyContext(engines=engines)
    known = list(_divergences.REGISTRY) + STUDY_DIVERGENCES if registry is None else list(registry)
    if classifier is None:
        def classifier(d: NumberDiff, c: ClassifyContext) -> str:
            return classify(d, c, registry=known)
    rows: list[NumberDiff] = []
    keys = list(dict.fromkeys([*b.values.keys(), *a.values.keys()]))
    for key in keys:
        src = b.sources.get(key) or a.sources.get(key)
        src_s = f"{src[0]}.{src[1]}"
        if key not in a.values or key not in b.values:
            who = a if key not in a.values else b
            status = _status(who, _step_of(key, who))
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
        rows.append(_with_class(d, classifier(d, ctx)))
    rows = _consequences_of_selection(rows)
    steps = {s: {a.engine: a.steps.get(s, "-"), b.engine: b.steps.get(s, "-")}
             for s in dict.fromkeys([*a.steps, *b.steps])}
    used = {r.classification.removeprefix("known divergence ") for r in rows}
    return StudyParity(engines=engines, rows=tuple(rows), steps=steps,
                       known=tuple(k for k in known if k.id in used))


def _consequences_of_selection(rows: list[NumberDiff]) -> list[NumberDiff]:
    """The multivariable model uses the variables each engine selected; its
    selection rule reads Table 1's p-values ("imbalanced variables"). When an
    engine does not provide those p-values its selection, and so every number
    of its multivariable model, differs as a consequence: classify them as not
    provided, naming the cause, rather than as new divergences."""
    by_key = {r.key: r for r in rows}
    out = []
    for r in rows:
        parts = r.key.split(".")
        if (len(parts) > 3 and parts[0] == "cox" and parts[2] == "multivariable"
                and r.classification in ("new divergence", "engine error")):
            phase = parts[1]
            sel = by_key.get(f"cox.{phase}.multivariable.selected")
            missing_t1 = [k for k, v in by_key.items()
                          if k.startswith(f"table1.{phase}.") and k.endswith(".p") and v.classification == "not provided"]
            if sel is not None and sel.classification != "agrees" and missing_t1:
                r = _with_class(r, "not provided")
                r = replace(r, detail=(f"the engine does not provide the Table 1 p-values the selection rule reads "
                                       f"({missing_t1[0]}...), so it selected other variables"))
        out.append(r)
    return out


def _with_class(d: NumberDiff, cls: str) -> NumberDiff:
    from dataclasses import replace

    return replace(d, classification=cls)
