"""lifelines as an rparity engine: survfit, survdiff (Kaplan-Meier and log-rank).

Cox-related functions are added where lifelines has them (coxph, concordance,
cox_zph via ``proportional_hazard_test``).
"""
from __future__ import annotations

import warnings

import numpy as np

from pyimpl.results import SurvDiff, SurvFit

from ._common import CurveMethods, validated_groups, validated_km_inputs

try:  # the adapter is importable only where lifelines is installed
    import lifelines
    from lifelines import KaplanMeierFitter, NelsonAalenFitter
    from lifelines.statistics import multivariate_logrank_test
    from lifelines.utils import qth_survival_times
except ImportError as exc:  # pragma: no cover - exercised when lifelines is missing
    raise ImportError(f"the lifelines engine needs lifelines: pip install lifelines ({exc})") from exc

ENGINE_NAME = "lifelines"
VERSION = lifelines.__version__

UNSUPPORTED = {
    "survfit": ["conf_type other than 'log-log' (lifelines' interval is the exponential Greenwood one)",
                "conf_lower 'peto' or 'modified'"],
    "survdiff": ["strata", "rho other than 0 is run as Fleming-Harrington(p=rho, q=0)"],
}


def _not_honoured(what: str):
    raise NotImplementedError(f"engine 'lifelines' cannot honour {what}")


def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual") -> SurvFit:
    """lifelines' ``KaplanMeierFitter`` (and ``NelsonAalenFitter`` for the
    cumulative hazard). The confidence interval is whatever lifelines computes
    (log-log): a different ``conf_type`` is recorded, not emulated."""
    t, e, w = validated_km_inputs(time, event, weights)
    if conf_lower != "usual":
        _not_honoured(f"conf_lower={conf_lower!r}")
    alpha = 1 - conf_int
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter(alpha=alpha).fit(t, e, weights=w)
        try:
            naf = NelsonAalenFitter(alpha=alpha).fit(t, e, weights=w)
        except Exception as exc:  # noqa: BLE001 - lifelines' own failure, reported below
            # lifelines 0.30 NelsonAalenFitter fails on fractional weights (its tie
            # smoothing indexes with the weighted death count)
            naf = None
            notes.append(f"lifelines NelsonAalenFitter failed: {type(exc).__name__}: {exc}")
    et = kmf.event_table
    # lifelines adds a row at time 0 whether or not anyone has that time
    et = et[et.index.isin(np.unique(t))]
    times = et.index.to_numpy(float)
    sf = kmf.survival_function_.iloc[:, 0].reindex(times).to_numpy(float)
    ci = kmf.confidence_interval_survival_function_.reindex(times)
    cum_sq = getattr(kmf, "_cumulative_sq_", None)
    std_err = (np.sqrt(cum_sq.reindex(times).to_numpy(float)) if cum_sq is not None else None)
    ch = std_chaz = None
    if naf is not None:
        ch = naf.cumulative_hazard_.iloc[:, 0].reindex(times).to_numpy(float)
        naf_sq = getattr(naf, "_cumulative_sq", None)
        std_chaz = np.sqrt(naf_sq.reindex(times).to_numpy(float)) if naf_sq is not None else None

    full_ci = kmf.confidence_interval_survival_function_

    def _q(p, frame):
        v = qth_survival_times(1 - p, frame)
        return float(np.asarray(v).ravel()[0])

    def quantile(probs):
        q = np.array([_q(p, kmf.survival_function_) for p in probs])
        # the lower survival curve reaches 1 - p first: it gives the lower limit
        lo = np.array([_q(p, full_ci.iloc[:, [0]]) for p in probs])
        hi = np.array([_q(p, full_ci.iloc[:, [1]]) for p in probs])
        return [np.where(np.isinf(x), np.nan, x) for x in (q, lo, hi)]

    def median():
        q, lo, hi = quantile(np.array([0.5]))
        m = float(kmf.median_survival_time_)
        return (np.nan if np.isinf(m) else m), lo[0], hi[0]

    return SurvFit(
        time=times, n_risk=et["at_risk"].to_numpy(float), n_event=et["observed"].to_numpy(float),
        n_censor=et["censored"].to_numpy(float), surv=sf, std_err=std_err,
        lower=ci.iloc[:, 0].to_numpy(float), upper=ci.iloc[:, 1].to_numpy(float), cumhaz=ch,
        std_chaz=std_chaz, n=int(t.size), logse=True, conf_type=conf_type, conf_int=conf_int,
        conf_lower=conf_lower, engine=ENGINE_NAME, warnings=tuple(notes),
        _methods=CurveMethods(quantile, median),
    )


def survdiff(time, event, group, *, strata=None, rho=0.0) -> SurvDiff:
    """lifelines' ``multivariate_logrank_test``; rho != 0 runs its
    Fleming-Harrington weights with p = rho, q = 0."""
    t, e, g, levels, s = validated_groups(time, event, group, strata)
    if s is not None:
        _not_honoured("strata")
    kw = {} if rho == 0 else {"weightings": "fleming-harrington", "p": float(rho), "q": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = multivariate_logrank_test(t, np.asarray(levels, dtype=object)[g], e, **kw)
    return SurvDiff(groups=tuple(levels), n=np.bincount(g, minlength=len(levels)), obs=None, exp=None,
                    var=None, chisq=float(res.test_statistic), df=int(res.degrees_of_freedom),
                    pvalue=float(res.p_value), rho=float(rho), engine=ENGINE_NAME)
