"""Pipeline steps that need no model: Table 1, Kaplan-Meier landmarks and the
log-rank test (study.md steps 3, 5, 6 and 9).

Each step takes an engine, a :class:`~rparity.study.result.Recorder`, the
sample's :class:`~rparity.study.cohort.Cohort` and the spec, calls only the
engine's contract functions, and records every number with its source.
"""
from __future__ import annotations

import numpy as np

from .cohort import Cohort
from .result import Recorder, landmark_key
from .spec import StudySpec

__all__ = ["table1", "kaplan_meier", "logrank", "landmark_defined", "table1_counts"]

SUMMARY_QUANTITIES = ("surv", "lower", "upper", "std_err", "n_risk")
CURVE_QUANTITIES = ("time", "surv", "lower", "upper", "n_risk", "n_event")


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


def table1(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: str) -> None:
    """Counts per arm and the spec's test for every covariate."""
    for arm in spec.arms.order:
        rec.put(f"table1.{sample}.{arm}.total", int(cohort.arm_mask(arm).sum()), ("study", "count"))
    test = spec.table1.test
    for cov in spec.covariates:
        tab = table1_counts(cohort, spec, cov.name)
        for arm, row in zip(spec.arms.order, tab):
            rec.put(f"table1.{sample}.{cov.name}.{arm}.n", int(row[0]), ("study", "count"))
    for cov in spec.covariates:
        tab = table1_counts(cohort, spec, cov.name)
        key = f"table1.{sample}.{cov.name}"
        if test == "fisher":
            res = eng.fisher_test(tab)
            rec.put(f"{key}.p", float(res.pvalue), ("fisher_test", "pvalue"))
            rec.put(f"{key}.warnings", tuple(res.warnings), ("fisher_test", "warnings"))
        else:
            res = eng.chisq_test(tab, correct=(test == "chisq"))
            rec.put(f"{key}.p", float(res.pvalue), ("chisq_test", "pvalue"))
            rec.put(f"{key}.statistic", float(res.statistic), ("chisq_test", "statistic"))
            rec.put(f"{key}.warnings", tuple(res.warnings), ("chisq_test", "warnings"))


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


def kaplan_meier(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: str, endpoint: str,
                 landmarks: tuple[float, ...]) -> None:
    """Per arm: the curve, survival at the landmarks with CIs, the median with its CI."""
    for arm in spec.arms.order:
        m = cohort.arm_mask(arm)
        t, e = cohort.time[endpoint][m], cohort.event[endpoint][m]
        base = f"km.{sample}.{endpoint}.{arm}"
        rec.put(f"{base}.n", int(m.sum()), ("study", "count"))
        rec.put(f"{base}.events", int(e.sum()), ("study", "count"))
        fit = eng.survfit(t, e, conf_type=spec.km.conf_type, conf_int=spec.km.conf_int)
        for q in CURVE_QUANTITIES:
            rec.put(f"{base}.curve.{q}", _array(getattr(fit, q)), ("survfit", q))
        summ = fit.summary(list(landmarks), extend=True)
        for i, lm in enumerate(landmarks):
            lk = f"{base}.landmark.{landmark_key(lm)}"
            ok = landmark_defined(t, e, lm)
            for q in SUMMARY_QUANTITIES:
                v = float(summ[q].to_numpy()[i]) if ok else float("nan")
                rec.put(f"{lk}.{q}", v, ("survfit", f"summary.{q}"))
            if not ok:
                rec.note(f"{lk}.surv", f"not estimable: {lm:g} {spec.time_unit} is beyond this arm's last "
                                       f"follow-up ({t.max():g} {spec.time_unit}, censored)")
        rec.put(f"{base}.median", float(fit.median), ("survfit", "table.median"))
        qt = fit.quantile([0.5])
        rec.put(f"{base}.median_lower", float(qt["lower"].to_numpy()[0]), ("survfit", "quantile.lower"))
        rec.put(f"{base}.median_upper", float(qt["upper"].to_numpy()[0]), ("survfit", "quantile.upper"))
        if np.isnan(rec.values[f"{base}.median"]):
            rec.note(f"{base}.median", "not reached")
        rec.put(f"{base}.warnings", tuple(fit.warnings), ("survfit", "warnings"))


def logrank(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: str, endpoint: str) -> None:
    """The log-rank test between the arms (``survdiff``, rho = 0)."""
    res = eng.survdiff(cohort.time[endpoint], cohort.event[endpoint], cohort.arm.astype(str), rho=0.0)
    base = f"logrank.{sample}.{endpoint}"
    rec.put(f"{base}.chisq", float(res.chisq), ("survdiff", "chisq"))
    rec.put(f"{base}.df", int(res.df), ("survdiff", "df"))
    rec.put(f"{base}.pvalue", float(res.pvalue), ("survdiff", "pvalue"))
    groups = [str(g) for g in res.groups]
    for q in ("obs", "exp"):
        v = getattr(res, q)  # None: the engine does not compute it (a peer's log-rank, say)
        arr = None if v is None else np.asarray(v, dtype=float).ravel()
        for arm in spec.arms.order:
            rec.put(f"{base}.{arm}.{q}", None if arr is None else float(arr[groups.index(arm)]), ("survdiff", q))
    rec.put(f"{base}.warnings", tuple(res.warnings), ("survdiff", "warnings"))
