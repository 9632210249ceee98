"""The study pipeline (README, "The study pipeline on your data"), run in one engine.

:func:`run_study` checks the inputs that would make the analysis meaningless
(landmarks beyond follow-up) before anything runs, then runs the steps in
order, each through the engine's contract functions only:

1. Table 1 before matching (counts, the spec's test)
2. Propensity-score matching and balance (before and after)
3. Kaplan-Meier landmarks, medians, log-rank, for every endpoint, before matching
4. Cox models before matching (univariate, then the multivariable selection rule,
   whose imbalance criterion may use step 1's p-values or step 2's SMDs)
5. Subgroup hazard ratios (before and/or after matching)
6. Steps 1, 3-5 again on the matched sample
6b. With a ``[weighting]`` table: inverse-probability weights from the same
   propensity model, the weighted balance, weighted Kaplan-Meier and a weighted
   Cox model of treatment with a robust variance (:mod:`.steps_weighting`)
7. When the spec carries the paper's Table 1 counts and p-values: every Table 1
   test recomputed on the published counts (which test did the paper use?)

A step the engine does not provide (``NotImplementedError``) is recorded as
"not provided" and the run carries on; any other engine error is recorded as
"error" with its message, so the comparison shows it. Bad input
(:class:`~rparity.study.errors.StudyInputError`) stops the run.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from rparity._interrupt import checkpoint

from . import keys as K
from .cohort import Cohort
from .errors import StudyInputError
from .keys import Quantity, Sample, Step, StepId
from .published import audit_table1_tests, published_table1
from .result import COUNT, Recorder, StepState, StepStatus, StudyResult
from .spec import StudySpec
from .steps_basic import kaplan_meier, landmark_defined, logrank, table1
from .steps_cox import cox_models, subgroups
from .steps_matching import match

__all__ = ["run_study", "run_after_matching", "check_landmarks", "STEP_ORDER"]

B, A = Sample.BEFORE, Sample.AFTER
#: The steps in the order they run.
STEP_ORDER: tuple[StepId, ...] = (
    StepId(Step.TABLE1, B), StepId(Step.MATCHING), StepId(Step.KM, B), StepId(Step.COX, B),
    StepId(Step.SUBGROUP, B), StepId(Step.TABLE1, A), StepId(Step.KM, A), StepId(Step.COX, A),
    StepId(Step.SUBGROUP, A), StepId(Step.WEIGHTING), StepId(Step.WEIGHTED_KM), StepId(Step.WEIGHTED_COX),
    StepId(Step.PUBLISHED_AUDIT))


def check_landmarks(cohort: Cohort, spec: StudySpec) -> None:
    """Every landmark must be within each arm's follow-up in the full cohort
    (or after the arm's curve reached 0); otherwise the landmark is a setting
    the data cannot answer."""
    checks = [(spec.primary, spec.km.landmarks, "km.landmarks")]
    checks += [(ep, spec.secondary.landmarks, "secondary.landmarks") for ep in spec.secondary.endpoints]
    for ep, landmarks, setting in checks:
        for arm in spec.arms.order:
            m = cohort.arm_mask(arm)
            t, e = cohort.time[ep][m], cohort.event[ep][m]
            for lm in landmarks:
                if not landmark_defined(t, e, lm):
                    raise StudyInputError(
                        f"spec `{setting}` asks for {lm:g} {spec.time_unit}, beyond the follow-up of arm {arm!r} "
                        f"for endpoint {ep!r}: its last time is {t.max():g} {spec.time_unit} and is censored, so "
                        f"survival at {lm:g} is not estimable; use landmarks up to {t.max():g}")


@contextmanager
def _step(rec: Recorder, step: StepId) -> Iterator[None]:
    """Run one step atomically: if the engine fails, the step's partial numbers
    are dropped and the failure is recorded. Ctrl-C stops the run, even when an
    engine turned it into an error of its own (:mod:`rparity._interrupt`)."""
    checkpoint()
    before = set(rec.values)
    try:
        yield
    except StudyInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - an engine's failure is a result, reported
        checkpoint()
        rec.discard(set(rec.values) - before)
        if isinstance(exc, NotImplementedError):
            rec.steps[step] = StepStatus(StepState.NOT_PROVIDED, str(exc))
        else:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            rec.steps[step] = StepStatus(StepState.ERROR, f"{type(exc).__name__}: {msg}")
    else:
        rec.steps[step] = StepStatus(StepState.OK)


def _imbalance(rec: Recorder, spec: StudySpec, sample: Sample) -> dict[str, float]:
    out = {}
    for c in spec.covariate_names:
        key = (K.table1(sample, Quantity.P, variable=c) if spec.cox.imbalance == "table1_p"
               else K.balance(sample, c, Quantity.SMD))
        out[c] = float(rec.value(key, float("nan")))
    return out


def _analyse(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, cluster=None) -> None:
    """Survival analyses of one sample (Table 1 is done by the caller)."""
    with _step(rec, StepId(Step.KM, sample)):
        kaplan_meier(eng, rec, cohort, spec, sample, spec.primary, spec.km.landmarks)
        logrank(eng, rec, cohort, spec, sample, spec.primary)
        for ep in spec.secondary.endpoints:
            if ep != spec.primary:
                kaplan_meier(eng, rec, cohort, spec, sample, ep, spec.secondary.landmarks)
                logrank(eng, rec, cohort, spec, sample, ep)
    with _step(rec, StepId(Step.COX, sample)):
        cox_models(eng, rec, cohort, spec, sample, cluster=cluster, imbalance=_imbalance(rec, spec, sample))
    if sample in spec.subgroups.samples:
        with _step(rec, StepId(Step.SUBGROUP, sample)):
            subgroups(eng, rec, cohort, spec, sample)


def _match(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, match_kwargs: dict | None):
    """The matching step: (mask of matched rows, pair label per row), or (None, None)."""
    matched, pair = None, None
    with _step(rec, StepId(Step.MATCHING)):
        matched, pair = match(eng, rec, cohort, spec, kwargs=match_kwargs)
    return matched, pair


def _after(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, matched, pair) -> None:
    """Table 1 and the survival analyses of the matched sample."""
    sub = cohort.subset(matched)
    with _step(rec, StepId(Step.TABLE1, A)):
        table1(eng, rec, sub, spec, A)
    cluster = pair[np.asarray(matched)] if spec.cox.after_matching == "robust_pairs" else None
    _analyse(eng, rec, sub, spec, A, cluster=cluster)


def run_study(eng, cohort: Cohort, spec: StudySpec, *, match_kwargs: dict | None = None) -> StudyResult:
    """Run the whole pipeline in engine ``eng`` (an :class:`rparity.Engine`)."""
    check_landmarks(cohort, spec)
    rec = Recorder(eng.name, str(getattr(eng, "version", "") or ""))
    prov: list = []
    with eng.recording(prov), warnings.catch_warnings():
        # engines' warnings are recorded in the results (``warnings`` quantities), not printed
        warnings.simplefilter("ignore")
        rec.put(K.cohort(), len(cohort), COUNT)
        for arm in spec.arms.order:
            rec.put(K.cohort(arm=arm), int(cohort.arm_mask(arm).sum()), COUNT)
        with _step(rec, StepId(Step.TABLE1, B)):
            table1(eng, rec, cohort, spec, B)
        matched, pair = _match(eng, rec, cohort, spec, match_kwargs)
        _analyse(eng, rec, cohort, spec, B)
        if matched is not None and rec.steps[StepId(Step.MATCHING)].ok:
            _after(eng, rec, cohort, spec, matched, pair)
        else:
            for s in (StepId(Step.TABLE1, A), StepId(Step.KM, A), StepId(Step.COX, A), StepId(Step.SUBGROUP, A)):
                if s.step is not Step.SUBGROUP or A in spec.subgroups.samples:
                    rec.steps[s] = StepStatus(StepState.SKIPPED, "matching did not run")
        if spec.weighting is not None:
            _weighting(eng, rec, cohort, spec)
        if published_table1(spec):
            with _step(rec, StepId(Step.PUBLISHED_AUDIT)):
                audit_table1_tests(eng, rec, spec)
        if spec.profile is not None:
            _profile(eng, rec, cohort, spec, matched if rec.steps[StepId(Step.MATCHING)].ok else None, pair)
    return rec.freeze(prov)


def _weighting(eng, rec: Recorder, cohort: Cohort, spec: StudySpec) -> None:
    """The weighted analysis ([weighting]): weights and balance, then weighted
    Kaplan-Meier and Cox on the whole cohort (:mod:`.steps_weighting`)."""
    from . import steps_weighting as W

    w = None
    with _step(rec, StepId(Step.WEIGHTING)):
        w = W.ps_weights(eng, rec, cohort, spec)
    if w is None or not rec.steps[StepId(Step.WEIGHTING)].ok:
        for s in (Step.WEIGHTED_KM, Step.WEIGHTED_COX):
            rec.steps[StepId(s)] = StepStatus(StepState.SKIPPED, "weighting did not run")
        return
    with _step(rec, StepId(Step.WEIGHTED_KM)):
        W.weighted_km(eng, rec, cohort, spec, w)
    with _step(rec, StepId(Step.WEIGHTED_COX)):
        W.weighted_cox(eng, rec, cohort, spec, w)


def _profile(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, matched, pair) -> None:
    """The spec's profile (another package's conventions beside R's: :mod:`.profile_spss`), per sample."""
    from .profile_spss import spss21_step

    samples = [(B, cohort, None)]
    if matched is not None:
        cluster = pair[np.asarray(matched)] if spec.cox.after_matching == "robust_pairs" else None
        samples.append((A, cohort.subset(matched), cluster))
    for sample, sub, cluster in samples:
        with _step(rec, StepId(Step.SPSS21, sample)):
            spss21_step(eng, rec, sub, spec, sample, cluster=cluster)


def run_after_matching(eng, cohort: Cohort, spec: StudySpec, *, match_kwargs: dict) -> StudyResult:
    """Matching with ``match_kwargs`` and every step downstream of it (Table 1,
    Kaplan-Meier, log-rank, Cox and subgroups on the matched sample): what
    changes when only the matching changes (another MatchIt version, another
    seed). The before-matching steps are not run."""
    rec = Recorder(eng.name, str(getattr(eng, "version", "") or ""))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matched, pair = _match(eng, rec, cohort, spec, match_kwargs)
        if matched is not None and rec.steps[StepId(Step.MATCHING)].ok:
            _after(eng, rec, cohort, spec, matched, pair)
    return rec.freeze([])
