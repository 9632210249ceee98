"""lifelines as an rparity engine: survfit, survdiff (Kaplan-Meier and log-rank).

Cox-related functions are added where lifelines has them (coxph, concordance,
cox_zph via ``proportional_hazard_test``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, SurvFitCall
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvDiff, SurvFit

from ._common import CurveFunctions, Curves, curve_summary, group_arrays, km_arrays, not_honoured
from ._cox_common import PeerFit, PeerFits, cox_arrays, cox_frame, cox_result, test_or_none

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


#: quantities lifelines does not compute (``None`` in its results), by function: the
#: harness reports them as "not provided"; any other missing value is a divergence
NOT_COMPUTED = {
    "survfit": ("cumhaz", "std_chaz", "summary.cumhaz", "summary.std_chaz",  # NelsonAalenFitter fails on
                "table.se_rmean"),                                          # fractional weights
    "survdiff": ("obs", "exp", "var"),
    "coxph": ("iterations", "means", "naive_var", "score_test.*", "wald_test.*", "robust_score_test.*",
              "summary.robust_se", "concordance.std", "concordance.concordant", "concordance.discordant",
              "concordance.tied_*"),
    "concordance": ("std", "concordant", "discordant", "tied_*"),
}


def _df(res) -> int:
    # lifelines' StatisticalResult calls it degrees_of_freedom or degrees_freedom
    return int(getattr(res, "degrees_of_freedom", getattr(res, "degrees_freedom", 0)))


def _not_honoured(what: str):
    not_honoured(ENGINE_NAME, what)




def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual") -> SurvFit:
    """lifelines' ``KaplanMeierFitter`` (and ``NelsonAalenFitter`` for the
    cumulative hazard). The confidence interval is whatever lifelines computes
    (log-log): a different ``conf_type`` is recorded, not emulated."""
    t, e, w = km_arrays(time, event, weights)
    if conf_type not in ("log", "log-log", "plain", "logit", "arcsin", "none"):
        raise InvalidArgument(f"`conf_type` must be one of R's conf.type values; got {conf_type!r}",
                              kind="conf_type.value")
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

    def rmean():
        from lifelines.utils import restricted_mean_survival_time

        return float(restricted_mean_survival_time(kmf, t=float(times.max()))) if times.size else None

    fit = SurvFit(
        time=times, n_risk=et["at_risk"].to_numpy(float), n_event=et["observed"].to_numpy(float),
        n_censor=et["censored"].to_numpy(float), surv=sf, std_err=std_err,
        lower=ci.iloc[:, 0].to_numpy(float), upper=ci.iloc[:, 1].to_numpy(float), cumhaz=ch,
        std_chaz=std_chaz, n=int(t.size), logse=True, conf_type=conf_type, conf_int=conf_int,
        conf_lower=conf_lower, engine=ENGINE_NAME, warnings=tuple(notes),
        call=SurvFitCall(time=time, event=event, weights=weights, conf_type=conf_type, conf_int=conf_int,
                         conf_lower=conf_lower),
    )
    _CURVES.keep(fit, CurveFunctions(quantile, median, rmean))
    return fit


#: the curve functions of each fit this adapter made (no private state on the result)
_CURVES = Curves(ENGINE_NAME, survfit)


def survfit_summary(fit: SurvFit, times, *, extend: bool = False) -> pd.DataFrame:
    """The curve read at ``times`` (see :func:`rparity_peers._common.curve_summary`)."""
    _CURVES.of(fit)
    return curve_summary(fit, times, extend)


def survfit_quantile(fit: SurvFit, probs=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    """lifelines' ``qth_survival_times`` on the curve and on its confidence limits."""
    return _CURVES.of(fit).quantile_frame(probs)


def survfit_table(fit: SurvFit) -> pd.Series:
    """Counts from the event table; lifelines' median and restricted mean."""
    return _CURVES.of(fit).table(fit)


def survdiff(time, event, group, *, strata=None, rho=0.0) -> SurvDiff:
    """lifelines' ``multivariate_logrank_test``; rho != 0 runs its
    Fleming-Harrington weights with p = rho, q = 0."""
    t, e, g, levels, s = group_arrays(time, event, group, strata)
    if s is not None:
        _not_honoured("strata")
    kw = {} if rho == 0 else {"weightings": "fleming-harrington", "p": float(rho), "q": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = multivariate_logrank_test(t, np.asarray(levels, dtype=object)[g], e, **kw)
    return SurvDiff(groups=tuple(levels), n=np.bincount(g, minlength=len(levels)), obs=None, exp=None,
                    var=None, chisq=float(res.test_statistic), df=int(_df(res)),
                    pvalue=float(res.p_value), rho=float(rho), engine=ENGINE_NAME)


# -- Cox model -------------------------------------------------------------------------
UNSUPPORTED.update({
    "coxph": ["ties other than 'efron' (lifelines implements Efron only, lifelines#580)",
              "init, control (lifelines' own Newton-Raphson: step size 0.95, its own stopping rule)",
              "score test, Wald test, iteration count (not reported)"],
    "cox_zph": ["the survival 3.x score test: lifelines' proportional_hazard_test is the older "
                "scaled-Schoenfeld approximation, with no GLOBAL row"],
    "basehaz": ["centered=False; lifelines' baseline is Breslow's, at the unweighted means of all covariates"],
    "concordance": ["standard error and pair counts (not reported)"],
    "coxph_summary": ["conf_int other than 0.95"],
})


_FITS = PeerFits(ENGINE_NAME)


def coxph(X, time=None, event=MISSING, *, data=None, subset=None, ties="efron", weights=None, strata=None,
          cluster=None, robust=None, init=None, control=None, nocenter=(-1, 0, 1), singular_ok=True):
    """lifelines' ``CoxPHFitter(penalizer=0)`` on the dummy-coded covariates."""
    X, time, event, strata, cluster, weights = cox_arrays('lifelines', X, time, event, data, subset, strata, cluster,
                                                          weights)
    from lifelines import CoxPHFitter

    from rparity_contract.calls import CoxCall
    from rparity_contract.results.cox import Concordance


    if ties != "efron":
        _not_honoured(f"ties={ties!r}")
    if init is not None or control is not None:
        _not_honoured("init/control")
    call = CoxCall(X=X, time=time, event=event, ties=ties, weights=weights, strata=strata, cluster=cluster,
                   robust=robust, init=init, control=control, nocenter=nocenter, singular_ok=singular_ok)
    cf = cox_frame(X, time, event, weights=weights, strata=strata, cluster=cluster)
    df = cf.frame
    use_robust = bool(robust) if robust is not None else (cluster is not None or (
        weights is not None and bool(np.any(np.asarray(df.get("W", 1.0)) % 1 != 0))))
    fit_kw = {"duration_col": "T", "event_col": "E", "robust": use_robust}
    if "W" in df:
        fit_kw["weights_col"] = "W"
    if "S" in df:
        fit_kw["strata"] = ["S"]
    if "C" in df:
        fit_kw["cluster_col"] = "C"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter(penalizer=0.0).fit(df, **fit_kw)
        lrt = cph.log_likelihood_ratio_test()
    order = cf.covariates
    coef = cph.params_.reindex(order).to_numpy(float)
    se = cph.standard_errors_.reindex(order).to_numpy(float)
    var = cph.variance_matrix_.reindex(index=order, columns=order).to_numpy(float)
    ll = float(cph.log_likelihood_)
    s = cph.summary.reindex(order)
    summary = pd.DataFrame({
        "coef": s["coef"].to_numpy(float), "exp_coef": s["exp(coef)"].to_numpy(float),
        "se": s["se(coef)"].to_numpy(float), "z": s["z"].to_numpy(float), "p": s["p"].to_numpy(float),
        "lower": s["exp(coef) lower 95%"].to_numpy(float), "upper": s["exp(coef) upper 95%"].to_numpy(float),
    }, index=pd.Index(cf.names, name="term"))
    conc = Concordance(c=float(cph.concordance_index_), std=None, concordant=None, discordant=None, tied_x=None,
                       tied_y=None, tied_xy=None, n=int(len(df)), engine=ENGINE_NAME)
    fit = cox_result(ENGINE_NAME, cf, call, coef=coef, se=se, var=var,
                     loglik=[ll - float(lrt.test_statistic) / 2, ll],
                     lr=test_or_none(lrt.test_statistic, _df(lrt), lrt.p_value),
                     concordance=conc, robust=use_robust)
    return _FITS.keep(fit, PeerFit(model=cph, frame=cf, summary=summary))


def coxph_summary(fit, *, conf_int=0.95) -> pd.DataFrame:
    """lifelines' own coefficient table (its 95% limits)."""
    st = _FITS.state(fit)
    if conf_int != 0.95:
        _not_honoured(f"conf_int={conf_int!r} (the fitter's alpha is fixed at fit time)")
    return st.summary.copy()


def concordance(fit, *others, **options):
    """lifelines' C index of the fit (``concordance_index_``): no standard
    error, and nothing else of R's ``concordance()``."""
    if isinstance(fit, str):
        _not_honoured("the formula form concordance(y ~ x, data)")
    if others or options:
        _not_honoured("several fits or concordance options (concordance_index_ is one fit's C)")
    _FITS.state(fit)
    return fit.concordance


def cox_zph(fit, transform="km"):
    """lifelines' ``proportional_hazard_test`` (scaled Schoenfeld residuals,
    the approximation survival 2.x used), one row per coefficient, no GLOBAL."""
    from lifelines.statistics import proportional_hazard_test

    from rparity_contract.results.cox import CoxZph

    st = _FITS.state(fit)
    tt = {"km": "km", "rank": "rank", "identity": "identity", "log": "log"}.get(transform)
    if tt is None:
        _not_honoured(f"transform={transform!r}")
    frame = st.frame.frame
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = proportional_hazard_test(st.model, frame, time_transform=tt)
    order = st.frame.covariates
    summ = res.summary.reindex(order)
    return CoxZph(terms=tuple(fit.names), chisq=summ["test_statistic"].to_numpy(float),
                  df=np.ones(len(order)), p=summ["p"].to_numpy(float), transform=transform, engine=ENGINE_NAME)


def basehaz(fit, centered=True):
    """lifelines' ``baseline_cumulative_hazard_`` (Breslow, at its own means)."""
    st = _FITS.state(fit)
    if not centered:
        _not_honoured("centered=False")
    if "S" in st.frame.frame:
        raise NotImplementedError("engine 'lifelines' cannot honour basehaz of a stratified fit in R's layout")
    bh = st.model.baseline_cumulative_hazard_
    return pd.DataFrame({"time": bh.index.to_numpy(float), "hazard": bh.iloc[:, 0].to_numpy(float)})
