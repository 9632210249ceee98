"""Pipeline steps that need no model: Table 1, Kaplan-Meier landmarks and the
log-rank test (study.md steps 3, 5, 6 and 9).

Each step takes an engine, a :class:`~rparity.study.result.Recorder`, the
sample's :class:`~rparity.study.cohort.Cohort` and the spec, calls only the
engine's contract functions (the derived ones explicitly:
``eng.survfit_summary(fit, times)``, never a result's method), and records
every number under its typed key with its source.
"""
from __future__ import annotations

import numpy as np

from . import keys as K
from .cohort import Cohort
from .keys import CURVE_QUANTITIES, SUMMARY_QUANTITIES, Quantity, Sample
from .result import COUNT, Recorder, Source
from .spec import StudySpec

__all__ = ["table1", "kaplan_meier", "logrank", "landmark_defined", "table1_counts"]

Q = Quantity


def table1_counts(cohort: Cohort, spec: StudySpec, name: str) -> np.ndarray:
    """The 2 x 2 table of covariate ``name``: rows treated / reference arm,
    columns positive / negative level (the layout of the paper's Table 1)."""
    x = cohort.covariates[name].to_numpy()
    rows = []
    for arm in spec.arms.order:
        m = cohort.arm_mask(arm)
        pos = int(x[m].sum())
        rows.append([pos, int(m.sum()) - pos])
    return np.array(rows, dtype=np.int64)


def table1(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample) -> None:
    """Counts per arm and the spec's test for every covariate."""
    for arm in spec.arms.order:
        rec.put(K.table1(sample, Q.TOTAL, arm=arm), int(cohort.arm_mask(arm).sum()), COUNT)
    test = spec.table1.test
    for cov in spec.covariates:
        tab = table1_counts(cohort, spec, cov.name)
        for arm, row in zip(spec.arms.order, tab):
            rec.put(K.table1(sample, Q.N, variable=cov.name, arm=arm), int(row[0]), COUNT)
    for cov in spec.covariates:
        tab = table1_counts(cohort, spec, cov.name)
        if test == "fisher":
            res = eng.fisher_test(tab)
            rec.put(K.table1(sample, Q.P, variable=cov.name), float(res.pvalue), Source("fisher_test", "pvalue"))
            rec.put(K.table1(sample, Q.WARNINGS, variable=cov.name), tuple(res.warnings),
                    Source("fisher_test", "warnings"))
        else:
            res = eng.chisq_test(tab, correct=(test == "chisq"))
            rec.put(K.table1(sample, Q.P, variable=cov.name), float(res.pvalue), Source("chisq_test", "pvalue"))
            rec.put(K.table1(sample, Q.STATISTIC, variable=cov.name), float(res.statistic),
                    Source("chisq_test", "statistic"))
            rec.put(K.table1(sample, Q.WARNINGS, variable=cov.name), tuple(res.warnings),
                    Source("chisq_test", "warnings"))


def _array(v) -> np.ndarray | None:
    """A float array, or None where the engine does not compute the quantity."""
    return None if v is None else np.asarray(v, dtype=float)


def landmark_defined(time: np.ndarray, event: np.ndarray, t: float) -> bool:
    """Whether the Kaplan-Meier estimate at ``t`` exists: ``t`` is within
    follow-up, or the curve has reached 0 (everyone at risk at the last time
    had the event), after which S(t) = 0."""
    if time.size == 0:
        return False
    last = time.max()
    if t <= last:
        return True
    return bool(event[time == last].all())


def kaplan_meier(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, endpoint: str,
                 landmarks: tuple[float, ...]) -> None:
    """Per arm: the curve, survival at the landmarks with CIs, the median with its CI."""
    for arm in spec.arms.order:
        m = cohort.arm_mask(arm)
        t, e = cohort.time[endpoint][m], cohort.event[endpoint][m]

        def key(q: Quantity, arm: str = arm, **kw) -> K.StudyKey:
            return K.km(sample, endpoint, arm, q, **kw)

        rec.put(key(Q.N), int(m.sum()), COUNT)
        rec.put(key(Q.EVENTS), int(e.sum()), COUNT)
        fit = eng.survfit(t, e, conf_type=spec.km.conf_type, conf_int=spec.km.conf_int)
        for q in CURVE_QUANTITIES:
            rec.put(key(q, curve=True), _array(getattr(fit, q.value)), Source("survfit", q.value))
        summ = eng.survfit_summary(fit, list(landmarks), extend=True)
        for i, lm in enumerate(landmarks):
            ok = landmark_defined(t, e, lm)
            for q in SUMMARY_QUANTITIES:
                v = float(summ[q.value].to_numpy()[i]) if ok else float("nan")
                rec.put(key(q, landmark=lm), v, Source("survfit", f"summary.{q.value}"))
            if not ok:
                rec.note(key(Q.SURV, landmark=lm), f"not estimable: {lm:g} {spec.time_unit} is beyond this arm's "
                                                   f"last follow-up ({t.max():g} {spec.time_unit}, censored)")
        # the median R prints (summary(fit)$table), and the limits of quantile(fit, 0.5)
        median = float(eng.survfit_table(fit)["median"])
        rec.put(key(Q.MEDIAN), median, Source("survfit", "table.median"))
        qt = eng.survfit_quantile(fit, [0.5])
        rec.put(key(Q.MEDIAN_LOWER), float(qt["lower"].to_numpy()[0]), Source("survfit", "quantile.lower"))
        rec.put(key(Q.MEDIAN_UPPER), float(qt["upper"].to_numpy()[0]), Source("survfit", "quantile.upper"))
        if np.isnan(median):
            rec.note(key(Q.MEDIAN), "not reached")
        rec.put(key(Q.WARNINGS), tuple(fit.warnings), Source("survfit", "warnings"))


def logrank(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, endpoint: str) -> None:
    """The log-rank test between the arms (``survdiff``, rho = 0)."""
    res = eng.survdiff(cohort.time[endpoint], cohort.event[endpoint], cohort.arm.astype(str), rho=0.0)
    rec.put(K.logrank(sample, endpoint, Q.CHISQ), float(res.chisq), Source("survdiff", "chisq"))
    rec.put(K.logrank(sample, endpoint, Q.DF), int(res.df), Source("survdiff", "df"))
    rec.put(K.logrank(sample, endpoint, Q.PVALUE), float(res.pvalue), Source("survdiff", "pvalue"))
    groups = [str(g) for g in res.groups]
    for q in (Q.OBS, Q.EXP):
        v = getattr(res, q.value)  # None: the engine does not compute it (a peer's log-rank, say)
        arr = None if v is None else np.asarray(v, dtype=float).ravel()
        for arm in spec.arms.order:
            rec.put(K.logrank(sample, endpoint, q, arm=arm), None if arr is None else float(arr[groups.index(arm)]),
                    Source("survdiff", q.value))
    rec.put(K.logrank(sample, endpoint, Q.WARNINGS), tuple(res.warnings), Source("survdiff", "warnings"))
