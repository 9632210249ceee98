"""Every number of two engines' study runs, compared and classified.

Numbers are matched by their typed key (:class:`~rparity.study.keys.StudyKey`)
and compared with :func:`rparity.compare.compare_values` under the tolerance
of the contract quantity they come from (their
:class:`~rparity.study.result.Source`, looked up in ``rparity/tolerance.py``):
a KM landmark under ``survfit.summary.surv``, a hazard ratio under
``coxph.summary.exp_coef``, a Table 1 p-value under ``fisher_test.pvalue``,
the pipeline's own counts under ``study.count`` (identical).

Classification (:class:`~rparity_contract.verdicts.Classification`) happens
in :func:`classify`, which hands each number to the harness's
:func:`rparity.divergences.classify` as the contract quantity it comes from:
agrees, known divergence (the harness registry plus
:data:`STUDY_DIVERGENCES`), not provided, engine error or new divergence. A
number one engine lacks is classified by the status of the step that records
it (not provided, engine error). Two rules then follow a difference to its
consequences, as the pipeline computes them:

* the multivariable model reads Table 1's p-values (its selection rule); when
  an engine does not provide them, its model is "not provided", not new;
* every number computed from the matched sample follows from the matched
  pairs: when the pairs are a known divergence, so is a number that differs
  after matching.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from rparity import divergences as _divergences
from rparity import tolerance as _tol
from rparity.compare import QuantityDiff, compare_values
from rparity.divergences import DivergenceContext, KnownDivergence, validate_entry
from rparity_contract.verdicts import Classification, Verdict

from . import keys as K
from .keys import Model, Quantity, Step, StudyKey
from .result import Source, StepState, StudyResult, StudyValue, same_value

__all__ = ["NumberDiff", "StudyParity", "SourceSummary", "KnownRecord", "ClassifyContext", "STUDY_DIVERGENCES",
           "compare_results", "classify", "default_registry", "tolerance_for", "not_run"]


def tolerance_for(source: Source) -> _tol.Tolerance:
    """The tolerance-table entry of ``source`` (``KeyError`` naming the missing key)."""
    return source.tolerance


@dataclass(frozen=True, eq=False)
class NumberDiff:
    """One number of the study in two engines: ``a`` (the engine under test)
    against ``b`` (the reference), with the verdict of the comparison and its
    classification (``known``: the known divergence's id; ``evidence``: what
    its predicate recomputed, or why a consequence rule applied)."""

    key: StudyKey
    source: Source
    verdict: Verdict
    tolerance: str
    classification: Classification | None = None
    known: str | None = None
    evidence: str = ""
    max_abs: float = 0.0
    max_rel: float = 0.0
    a: Any = None
    b: Any = None
    detail: str = ""

    @property
    def label(self) -> str:
        """The classification as tables show it (``known divergence <id>``)."""
        return self.classification.label(self.known) if self.classification is not None else str(self.verdict)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NumberDiff):
            return NotImplemented
        return all(same_value(getattr(self, f.name), getattr(other, f.name)) if f.name in _LOOSE
                   else getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(self))

    __hash__ = None  # type: ignore[assignment]


_LOOSE = ("a", "b", "max_abs", "max_rel")  # arrays and NaN: compared by same_value


@dataclass(frozen=True)
class KnownRecord:
    """What a report says about a known divergence that classified some number
    (the entry's data, without its predicate)."""

    id: str
    engines: Mapping[str, str]
    reference: Mapping[str, str]
    explanation: str
    source: str
    departure: str | None = None

    @classmethod
    def of(cls, entry: KnownDivergence) -> "KnownRecord":
        return cls(id=entry.id, engines=dict(entry.engines), reference=dict(entry.reference),
                   explanation=entry.explanation, source=entry.source, departure=entry.departure)


@dataclass(frozen=True)
class SourceSummary:
    """The numbers of one source quantity: how many, the worst differences, the
    tolerance and the worst classification."""

    source: Source
    n: int
    max_rel: float
    max_abs: float
    tolerance: str
    classification: Classification
    known: str | None = None

    @property
    def label(self) -> str:
        return self.classification.label(self.known)


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


# -------------------------------------------------------------- registry ---

def _documented_vs_451(ctx: DivergenceContext) -> bool:
    key = ctx.params.get("study_key")
    return ctx.params.get("matching_compat", "4.5.1") is None and isinstance(key, StudyKey) and key.follows_matching


#: Divergences only a study run shows (checked by the harness's rules when this module loads).
STUDY_DIVERGENCES: list[KnownDivergence] = [
    KnownDivergence(
        id="study-matchit-documented-vs-4.5.1",
        engines={"pyimpl": "*"},
        reference={"r": "MatchIt<4.5.4"},
        departure="the documented nearest-neighbour algorithm (spec matching.compat = \"none\": pyimpl's "
                  "compat=None, MatchIt >= 4.5.4) against the installed MatchIt 4.5.1 build",
        functions=("matchit",),
        quantities=("match_matrix", "summary.matched.*"),
        explanation=("The spec asked for the documented matching algorithm (matching.compat = \"none\"), "
                     "which pyimpl runs; R's MatchIt before 4.5.4 truncates distance differences to integers "
                     "(so a caliper acts only on whole units of the distance) and, in rounds after the first, "
                     "mis-checks the controls already used, so it can pick other pairs. Every number computed on "
                     "the matched sample follows from the pairs (and is classified with them)."),
        source="kosukeimai/MatchIt#163 (abs on int), #159 (check_in); MatchIt 4.5.1 src/nn_matchC.cpp",
        recognise=_documented_vs_451,
    ),
]


def _validate_study_divergences() -> None:
    seen = [k.id for k in _divergences.REGISTRY]
    for k in STUDY_DIVERGENCES:
        validate_entry(k, known_ids=seen)
        seen.append(k.id)


_validate_study_divergences()


def default_registry() -> list[KnownDivergence]:
    """The harness's registry (as it is now, plugins included) and :data:`STUDY_DIVERGENCES`."""
    return [*_divergences.REGISTRY, *STUDY_DIVERGENCES]


# -------------------------------------------------------- classification ---

def classify(diff: NumberDiff, ctx: ClassifyContext, *, registry: Iterable[KnownDivergence] | None = None
             ) -> NumberDiff:
    """THE classification of one compared study number: the harness's
    :func:`rparity.divergences.classify` on the contract quantity the number
    comes from, with the study key (``params["study_key"]``, a
    :class:`StudyKey`) and the settings in ``params``. ``registry`` defaults to
    :func:`default_registry`. A row already classified (a number one engine
    lacks, classified by its step's status) is returned as it is."""
    if diff.classification is not None:
        return diff
    reg = default_registry() if registry is None else list(registry)
    params = dict(ctx.params)
    params["study_key"] = diff.key
    if diff.key.endpoint is not None:
        params["time"] = f"time_{diff.key.endpoint}"
    row = QuantityDiff(function=diff.source.function, case=str(diff.key), dataset=None,
                       quantity=diff.source.quantity, verdict=diff.verdict, tolerance=diff.tolerance,
                       max_abs=diff.max_abs, max_rel=diff.max_rel, detail=diff.detail, a=diff.a, b=diff.b)
    (out,) = _divergences.classify([row], engine=ctx.engines[0], engine_version=ctx.engine_version,
                                   reference=ctx.engines[1], reference_versions=ctx.reference_versions,
                                   params=params, data=ctx.data, registry=reg)
    return dataclasses.replace(diff, classification=out.classification, known=out.known, evidence=out.evidence)


@dataclass(frozen=True)
class StudyParity:
    """The comparison of two engines' :class:`StudyResult`."""

    engines: tuple[str, str]
    rows: tuple[NumberDiff, ...] = ()
    ran: bool = True
    reason: str = ""
    known: tuple[KnownRecord, ...] = ()  # the known divergences that classified some number

    @property
    def ok(self) -> bool:
        """No new divergence and no engine error (agreements, known divergences
        and functions not provided are accounted for), as ``rparity check``."""
        return self.ran and not any(r.classification is None or r.classification.failing for r in self.rows)

    def counts(self) -> dict[str, int]:
        """Numbers per classification label (``known divergence <id>`` per id)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.label] = out.get(r.label, 0) + 1
        return out

    def by_source(self) -> list[SourceSummary]:
        """Per source quantity: numbers compared, worst relative and absolute
        difference, tolerance, and the worst classification."""
        groups: dict[Source, list[NumberDiff]] = {}
        for r in self.rows:
            groups.setdefault(r.source, []).append(r)
        out = []
        for src, rows in groups.items():
            worst = max(rows, key=lambda r: -1 if r.classification is None else r.classification.rank)
            out.append(SourceSummary(source=src, n=len(rows), max_rel=_worst(r.max_rel for r in rows),
                                     max_abs=_worst(r.max_abs for r in rows), tolerance=rows[0].tolerance,
                                     classification=worst.classification or Classification.ENGINE_ERROR,
                                     known=worst.known))
        return sorted(out, key=lambda g: str(g.source))

    def problems(self) -> list[NumberDiff]:
        return [r for r in self.rows if r.classification is not Classification.AGREES]

    def failing(self) -> list[NumberDiff]:
        """The new divergences and engine errors."""
        return [r for r in self.rows if r.classification is None or r.classification.failing]


def _worst(values: Iterable[float]) -> float:
    finite = [v for v in values if isinstance(v, float) and math.isfinite(v)]
    return max(finite, default=0.0)


def not_run(engines: tuple[str, str], reason: str) -> StudyParity:
    return StudyParity(engines=engines, ran=False, reason=reason)


# ------------------------------------------------------------ comparison ---

def _present(key: StudyKey, va: StudyValue, vb: StudyValue) -> NumberDiff:
    src = vb.source
    if va.source != src:
        return NumberDiff(key=key, source=src, verdict=Verdict.ERROR, tolerance="-", a=va.value, b=vb.value,
                          detail=f"recorded from different sources: {va.source} vs {src}")
    try:
        tol = src.tolerance
    except KeyError as exc:
        return NumberDiff(key=key, source=src, verdict=Verdict.ERROR, tolerance="-", a=va.value, b=vb.value,
                          detail=str(exc.args[0]))
    c = compare_values(va.value, vb.value, tol)
    return NumberDiff(key=key, source=src, verdict=c.verdict, tolerance=tol.describe(), max_abs=c.max_abs,
                      max_rel=c.max_rel, a=va.value, b=vb.value, detail=c.detail)


def _absent(key: StudyKey, source: Source, a: StudyResult, b: StudyResult) -> NumberDiff:
    """A number only one engine has, by the status of the step that records it
    in the engine that lacks it: not provided; an error (of the engine under
    test: engine error; of the reference: new divergence); or the step ran and
    computed other numbers (a difference, classified like any other)."""
    lacks_a = key not in a.values
    who, other = (a, b) if lacks_a else (b, a)
    st = who.status(key.stage)
    base = dict(key=key, source=source, tolerance=_describe(source), a=a.get(key), b=b.get(key))
    if st.state is StepState.NOT_PROVIDED:
        return NumberDiff(**base, verdict=Verdict.NOT_PROVIDED if lacks_a else Verdict.MISSING,
                          classification=Classification.NOT_PROVIDED,
                          detail=f"not provided by {who.engine}: {st.detail}")
    if st.state is StepState.ERROR:
        return NumberDiff(**base, verdict=Verdict.ENGINE_ERROR if lacks_a else Verdict.MISSING,
                          classification=Classification.ENGINE_ERROR if lacks_a else Classification.NEW,
                          detail=f"{who.engine} has no value ({st})")
    return NumberDiff(**base, verdict=Verdict.DIFFER if lacks_a else Verdict.MISSING,
                      detail=f"{who.engine} has no value ({st}); {other.engine} has one")


def _describe(source: Source) -> str:
    try:
        return source.tolerance.describe()
    except KeyError:
        return "-"


def compare_results(a: StudyResult, b: StudyResult, *, context: ClassifyContext | None = None,
                    registry: Iterable[KnownDivergence] | None = None,
                    classifier: Callable[[NumberDiff, ClassifyContext], NumberDiff] | None = None) -> StudyParity:
    """Compare every number of ``a`` with ``b`` (``b`` is the reference, usually R),
    key by key.

    ``context`` carries versions and settings for the divergence predicates;
    ``registry`` replaces the known divergences (default:
    :func:`default_registry`); ``classifier`` replaces :func:`classify` (it
    receives every row and returns it classified).
    """
    engines = (a.engine, b.engine)
    ctx = context or ClassifyContext(engines=engines)
    known = default_registry() if registry is None else list(registry)
    if classifier is None:
        def classifier(d: NumberDiff, c: ClassifyContext) -> NumberDiff:
            return classify(d, c, registry=known)
    rows: list[NumberDiff] = []
    for key in dict.fromkeys([*b.values, *a.values]):
        va, vb = a.values.get(key), b.values.get(key)
        if va is not None and vb is not None:
            d = _present(key, va, vb)
        else:
            d = _absent(key, (vb or va).source, a, b)
        rows.append(classifier(d, ctx))
    rows = _consequences_of_matching(_consequences_of_selection(rows))
    used = {r.known for r in rows if r.classification is Classification.KNOWN}
    return StudyParity(engines=engines, rows=tuple(rows),
                       known=tuple(KnownRecord.of(k) for k in known if k.id in used))


def _consequences_of_selection(rows: list[NumberDiff]) -> list[NumberDiff]:
    """The multivariable model uses the variables each engine selected; its
    selection rule reads Table 1's p-values ("imbalanced variables"). When an
    engine does not provide those p-values its selection, and so every number
    of its multivariable model, differs as a consequence: classify them as not
    provided, naming the cause, rather than as new divergences."""
    by_key = {r.key: r for r in rows}
    out = []
    for r in rows:
        k = r.key
        if k.step is Step.COX and k.model is Model.MULTIVARIABLE and r.classification in (
                Classification.NEW, Classification.ENGINE_ERROR):
            sel = by_key.get(K.cox(k.sample, Model.MULTIVARIABLE, Quantity.SELECTED))
            missing_t1 = [x for x, v in by_key.items() if x.step is Step.TABLE1 and x.sample is k.sample
                          and x.quantity is Quantity.P and v.classification is Classification.NOT_PROVIDED]
            if sel is not None and sel.classification is not Classification.AGREES and missing_t1:
                r = dataclasses.replace(
                    r, classification=Classification.NOT_PROVIDED, known=None,
                    detail=(f"the engine does not provide the Table 1 p-values the selection rule reads "
                            f"({missing_t1[0]}...), so it selected other variables"))
        out.append(r)
    return out


def _consequences_of_matching(rows: list[NumberDiff]) -> list[NumberDiff]:
    """Numbers computed from the matched sample follow from the matched pairs:
    when the pairs are a known divergence, a new divergence after matching
    (a count, a curve, a model, a number only one engine has) is that known
    divergence. An engine error never is."""
    pairs = next((r for r in rows if r.key == K.matching(Quantity.PAIRS)), None)
    if pairs is None or pairs.classification is not Classification.KNOWN:
        return rows
    why = f"computed from the matched sample; its pairs ({pairs.key}) are known divergence {pairs.known}"
    return [dataclasses.replace(r, classification=Classification.KNOWN, known=pairs.known, evidence=why)
            if r.classification is Classification.NEW and r.key.follows_matching else r for r in rows]
