"""Every key the pipeline can record for a spec.

A spec names published numbers by the printed form of their keys
(``"km.before.os.surgery.landmark.12.surv"``). :func:`catalogue` lists the
keys the pipeline can record for the spec, so those names are resolved by
looking them up among the formatted keys (never by splitting the text), and a
name that is not one of them is refused with the closest one. The
multivariable Cox model is listed with every variable it could select; the
balance rows are ``distance`` and the matching covariates (0/1 columns, named
as in the spec).

A test checks that every key a run records is listed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

from . import keys as K
from .keys import (
    BALANCE_QUANTITIES,
    COX_QUANTITIES,
    CURVE_QUANTITIES,
    SUMMARY_QUANTITIES,
    Level,
    Model,
    Quantity,
    Sample,
    StudyKey,
    Table1Test,
)
from .spec import TREATMENT, StudySpec

__all__ = ["catalogue", "study_keys", "Ambiguous", "PublishedValue", "resolve_published"]

Q = Quantity


class Ambiguous:
    """A name that two keys print as (labels in the spec that collide)."""

    def __init__(self, *keys: StudyKey):
        self.keys = keys


def _table1(spec: StudySpec, s: Sample) -> Iterator[StudyKey]:
    for arm in spec.arms.order:
        yield K.table1(s, Q.TOTAL, arm=arm)
    for c in spec.covariate_names:
        for arm in spec.arms.order:
            yield K.table1(s, Q.N, variable=c, arm=arm)
        for q in (Q.P, Q.STATISTIC, Q.WARNINGS):
            yield K.table1(s, q, variable=c)


def _km(spec: StudySpec, s: Sample) -> Iterator[StudyKey]:
    for ep in spec.all_endpoints():
        landmarks = spec.km.landmarks if ep == spec.primary else spec.secondary.landmarks
        for arm in spec.arms.order:
            for q in (Q.N, Q.EVENTS, Q.MEDIAN, Q.MEDIAN_LOWER, Q.MEDIAN_UPPER, Q.WARNINGS):
                yield K.km(s, ep, arm, q)
            for lm in landmarks:
                for q in SUMMARY_QUANTITIES:
                    yield K.km(s, ep, arm, q, landmark=lm)
            for q in CURVE_QUANTITIES:
                yield K.km(s, ep, arm, q, curve=True)
        for q in (Q.CHISQ, Q.DF, Q.PVALUE, Q.WARNINGS):
            yield K.logrank(s, ep, q)
        for arm in spec.arms.order:
            for q in (Q.OBS, Q.EXP):
                yield K.logrank(s, ep, q, arm=arm)


def _cox(spec: StudySpec, s: Sample) -> Iterator[StudyKey]:
    names = (TREATMENT, *spec.covariate_names)
    for v in names:
        for q in (*COX_QUANTITIES, Q.WARNINGS):
            yield K.cox(s, Model.UNIVARIATE, q, variable=v)
    for q in (Q.SELECTED, Q.LOGLIK, Q.WARNINGS):
        yield K.cox(s, Model.MULTIVARIABLE, q)
    for v in names:
        for q in (*COX_QUANTITIES, Q.REASON):
            yield K.cox(s, Model.MULTIVARIABLE, q, variable=v)


def _subgroups(spec: StudySpec, s: Sample) -> Iterator[StudyKey]:
    for c in spec.subgroups.covariates:
        for level in Level:
            for q in (Q.N, Q.EVENTS, *COX_QUANTITIES, Q.WARNINGS):
                yield K.subgroup(s, c, level, q)
            for arm in spec.arms.order:
                yield K.subgroup(s, c, level, Q.N, arm=arm)


def _weighting(spec: StudySpec) -> Iterator[StudyKey]:
    """The weighted analysis ([weighting]): weights, ESS, balance rows (the
    matching covariates, 0/1 columns), weighted Kaplan-Meier and Cox."""
    for q in (Q.WEIGHTS, Q.PS, Q.WARNINGS):
        yield K.weighting(q)
    for arm in spec.arms.order:
        for q in (Q.N, Q.ESS):
            yield K.weighting(q, arm=arm)
    for row in spec.matching.covariates:
        for q in (Q.SMD, Q.SMD_UNWEIGHTED, Q.VAR_RATIO, Q.MEANS_TREATED, Q.MEANS_CONTROL):
            yield K.weighting(q, variable=row)
    for ep in spec.all_endpoints():
        landmarks = spec.km.landmarks if ep == spec.primary else spec.secondary.landmarks
        for arm in spec.arms.order:
            for q in CURVE_QUANTITIES:
                yield K.weighted_km(ep, arm, q, curve=True)
            for lm in landmarks:
                for q in SUMMARY_QUANTITIES:
                    yield K.weighted_km(ep, arm, q, landmark=lm)
            for q in (Q.MEDIAN, Q.WARNINGS):
                yield K.weighted_km(ep, arm, q)
    for q in (Q.COEF, Q.HR, Q.SE, Q.ROBUST_SE, Q.LOWER, Q.UPPER, Q.P, Q.WARNINGS):
        yield K.weighted_cox(q)


def study_keys(spec: StudySpec) -> Iterator[StudyKey]:
    """Every key the pipeline can record for ``spec``, in pipeline order."""
    yield K.cohort()
    for arm in spec.arms.order:
        yield K.cohort(arm=arm)
    for arm in spec.arms.order:
        yield K.matching(Q.N, arm=arm)
    for q in (Q.PAIRS, Q.DISTANCE, Q.CALIPER, Q.WARNINGS):
        yield K.matching(q)
    for s in Sample:
        for row in ("distance", *spec.matching.covariates):
            for q in BALANCE_QUANTITIES:
                yield K.balance(s, row, q)
    for s in Sample:
        yield from _table1(spec, s)
        yield from _km(spec, s)
        yield from _cox(spec, s)
        if s in spec.subgroups.samples:
            yield from _subgroups(spec, s)
    for s in Sample:
        for c in spec.covariate_names:
            for test in Table1Test:
                yield K.published_audit(s, c, test)
    if spec.weighting is not None:
        yield from _weighting(spec)
    from .profile_spss import profile_keys  # (it imports the pipeline's steps)

    yield from profile_keys(spec)


def catalogue(spec: StudySpec) -> dict[str, StudyKey | Ambiguous]:
    """The printed name of every key the pipeline can record -> the key (or
    :class:`Ambiguous` where two keys print alike)."""
    out: dict[str, StudyKey | Ambiguous] = {}
    for k in study_keys(spec):
        name = str(k)
        have = out.get(name)
        if have is None or have == k:
            out[name] = k
        else:
            prev = have.keys if isinstance(have, Ambiguous) else (have,)
            out[name] = Ambiguous(*prev, k)
    return out


@dataclass(frozen=True)
class PublishedValue:
    """``[published.values]``: a number as printed in the paper, under the
    printed form of the key it names (``"km.before.os.surgery.landmark.12.surv"``).
    ``key`` is that key, found among the keys the pipeline records for the
    spec by their printed form (never by splitting ``name``); None when the
    pipeline records no such number for this spec (another landmark, say): the
    report then says "not computed"."""

    name: str
    printed: str
    key: StudyKey | None = None


def resolve_published(spec: StudySpec, printed: Mapping[str, str]) -> tuple[PublishedValue, ...]:
    """The spec's ``{name: number as printed}`` with the key each name resolves to."""
    if not printed:
        return ()
    names = catalogue(spec)
    out = []
    for name, text in printed.items():
        k = names.get(name)  # None, or Ambiguous where two keys print alike: not resolved either way
        out.append(PublishedValue(name, text, k if isinstance(k, StudyKey) else None))
    return tuple(out)
