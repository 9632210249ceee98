"""statsmodels as an rparity engine: survfit (``SurvfuncRight``), survdiff
(``survdiff``); coxph (``PHReg``) where the result types exist.

statsmodels reports the curve at event times only; the adapter puts it on R's
grid (every distinct time, censored ones included) by carrying the curve
forward -- exact for a step function -- and counts subjects at risk and censored
from the data at the added rows.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, CoxCall, SurvFitCall
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvDiff, SurvFit

from ._common import CurveFunctions, Curves, curve_summary, group_arrays, km_arrays, step_lookup
from ._cox_common import PeerFit, PeerFits, cox_arrays, cox_frame, cox_result, test_or_none

try:
    import statsmodels
    from statsmodels.duration.survfunc import SurvfuncRight
    from statsmodels.duration.survfunc import survdiff as sm_survdiff
except ImportError as exc:  # pragma: no cover
    raise ImportError(f"the statsmodels engine needs statsmodels: pip install statsmodels ({exc})") from exc

ENGINE_NAME = "statsmodels"
VERSION = statsmodels.__version__

UNSUPPORTED = {
    "survfit": ["pointwise confidence limits (statsmodels has simultaneous bands only): lower/upper not provided",
                "conf_lower 'peto' or 'modified'"],
    "survdiff": ["observed/expected/variance are not reported (chisq and p only)"],
}


_FITS = PeerFits(ENGINE_NAME)


#: quantities statsmodels does not compute (``None`` in its results), by function
NOT_COMPUTED = {
    "survfit": ("lower", "upper", "cumhaz", "std_chaz", "summary.lower", "summary.upper", "summary.cumhaz",
                "summary.std_chaz", "table.rmean", "table.se_rmean"),
    "survdiff": ("obs", "exp", "var"),
    "coxph": ("iterations", "means", "naive_var", "score_test.*", "wald_test.*", "robust_score_test.*",
              "summary.robust_se", "concordance.*"),
}


def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual") -> SurvFit:
    t, e, w = km_arrays(time, event, weights)
    if conf_type not in ("log", "log-log", "plain", "logit", "arcsin", "none"):
        raise InvalidArgument(f"`conf_type` must be one of R's conf.type values; got {conf_type!r}",
                              kind="conf_type.value")
    if conf_lower != "usual":
        raise NotImplementedError(f"engine 'statsmodels' cannot honour conf_lower={conf_lower!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = SurvfuncRight(t, e, freq_weights=w)
    grid = np.unique(t)
    ev_t = np.asarray(sf.surv_times, dtype=float)
    surv = step_lookup(ev_t, np.asarray(sf.surv_prob, float), grid, 1.0)
    se = step_lookup(ev_t, np.asarray(sf.surv_prob_se, float), grid, 0.0)
    ww = np.ones(t.size) if w is None else w
    n_risk = np.array([ww[t >= x].sum() for x in grid]) if grid.size < 5000 else \
        np.cumsum(np.bincount(np.searchsorted(grid, t), weights=ww, minlength=grid.size)[::-1])[::-1]
    idx = np.searchsorted(grid, t)
    n_event = np.bincount(idx, weights=ww * e, minlength=grid.size)
    n_censor = np.bincount(idx, weights=ww * (1 - e), minlength=grid.size)

    def quantile(probs):
        q = np.array([_nan(sf.quantile(p)) for p in probs])
        ci = [sf.quantile_ci(p, alpha=1 - conf_int) for p in probs]
        lo = np.array([_nan(c[0]) for c in ci])
        hi = np.array([_nan(c[1]) for c in ci])
        return q, lo, hi

    def median():
        q, lo, hi = quantile(np.array([0.5]))
        return q[0], lo[0], hi[0]

    fit = SurvFit(
        time=grid, n_risk=n_risk.astype(float), n_event=n_event, n_censor=n_censor, surv=surv,
        std_err=se, lower=None, upper=None, cumhaz=None, std_chaz=None, n=int(t.size), logse=False,
        conf_type=conf_type, conf_int=conf_int, conf_lower=conf_lower, engine=ENGINE_NAME,
        call=SurvFitCall(time=time, event=event, weights=weights, conf_type=conf_type, conf_int=conf_int,
                         conf_lower=conf_lower),
    )
    _CURVES.keep(fit, CurveFunctions(quantile, median, lambda: None))
    return fit


#: the curve functions of each fit this adapter made (no private state on the result)
_CURVES = Curves(ENGINE_NAME, survfit)


def survfit_summary(fit: SurvFit, times, *, extend: bool = False) -> pd.DataFrame:
    """The curve carried to ``times``."""
    _CURVES.of(fit)
    return curve_summary(fit, times, extend)


def survfit_quantile(fit: SurvFit, probs=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    """``SurvfuncRight.quantile`` and ``quantile_ci``."""
    return _CURVES.of(fit).quantile_frame(probs)


def survfit_table(fit: SurvFit) -> pd.Series:
    """Counts of the curve; statsmodels' median and its interval; no restricted mean."""
    return _CURVES.of(fit).table(fit)


def _nan(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v if np.isfinite(v) else float("nan")


def survdiff(time, event, group, *, strata=None, rho=0.0) -> SurvDiff:
    """statsmodels' ``survdiff``; rho != 0 uses its Fleming-Harrington weights
    (``weight_type="fh"``, ``fh_p=rho``)."""
    t, e, g, levels, s = group_arrays(time, event, group, strata)
    kw = {} if rho == 0 else {"weight_type": "fh", "fh_p": float(rho)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chisq, p = sm_survdiff(t, e, g, strata=s, **kw)
    used = len(levels)
    return SurvDiff(groups=tuple(levels), n=np.bincount(g, minlength=used), obs=None, exp=None, var=None,
                    chisq=float(chisq), df=used - 1, pvalue=float(p), rho=float(rho), engine=ENGINE_NAME)


# -- Cox model -------------------------------------------------------------------------
UNSUPPORTED.update({
    "coxph": ["weights (PHReg has none)", "init, control (its own Newton: tol 1e-8 on the parameters, "
              "ridge 1e-10, no step-halving)", "score and Wald tests, iteration count, concordance"],
    "basehaz": ["centered=True: PHReg's baseline is at covariates 0 (R's centered=False)"],
})


def coxph(X, time=None, event=MISSING, *, data=None, subset=None, ties="efron", weights=None, strata=None,
          cluster=None, robust=None, init=None, control=None, nocenter=(-1, 0, 1), singular_ok=True):
    """statsmodels' ``PHReg`` on the dummy-coded covariates, with the ties asked
    for (PHReg's own default is Breslow; R's is Efron)."""
    X, time, event, strata, cluster, weights = cox_arrays('statsmodels', X, time, event, data, subset, strata, cluster,
                                                          weights)
    from scipy.stats import chi2, norm
    from statsmodels.duration.hazard_regression import PHReg

    if ties not in ("efron", "breslow"):
        raise NotImplementedError(f"engine 'statsmodels' cannot honour ties={ties!r}")
    if weights is not None:
        raise NotImplementedError("engine 'statsmodels' cannot honour weights (PHReg has none)")
    if init is not None or control is not None:
        raise NotImplementedError("engine 'statsmodels' cannot honour init/control")
    call = CoxCall(X=X, time=time, event=event, ties=ties, weights=weights, strata=strata, cluster=cluster,
                   robust=robust, init=init, control=control, nocenter=nocenter, singular_ok=singular_ok)
    cf = cox_frame(X, time, event, strata=strata, cluster=cluster)
    df = cf.frame
    x = df[cf.covariates].to_numpy(float)
    model = PHReg(df["T"].to_numpy(float), x, status=df["E"].to_numpy(float),
                  strata=df["S"].to_numpy() if "S" in df else None, ties=ties)
    use_robust = bool(robust) if robust is not None else cluster is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(groups=df["C"].to_numpy() if (use_robust and "C" in df) else None)
    coef = np.asarray(res.params, float)
    var = np.asarray(res.cov_params(), float)
    se = np.asarray(res.bse, float)
    ll0 = float(model.loglike(np.zeros(coef.size)))
    ll = float(res.llf)
    z = coef / se
    summary = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef), "se": se, "z": z,
                            "p": 2 * norm.sf(np.abs(z)), "lower": np.exp(coef - 1.959963984540054 * se),
                            "upper": np.exp(coef + 1.959963984540054 * se)}, index=pd.Index(cf.names, name="term"))
    lr = 2 * (ll - ll0)
    fit = cox_result(ENGINE_NAME, cf, call, coef=coef, se=se, var=var, loglik=[ll0, ll],
                     lr=test_or_none(lr, coef.size, chi2.sf(lr, coef.size)), robust=use_robust, method=ties)
    return _FITS.keep(fit, PeerFit(model=res, frame=cf, summary=summary))


def coxph_summary(fit, *, conf_int=0.95) -> pd.DataFrame:
    """The coefficient table from PHReg's estimates (normal limits)."""
    st = _FITS.state(fit)
    if conf_int != 0.95:
        raise NotImplementedError(f"engine 'statsmodels' cannot honour conf_int={conf_int!r}")
    return st.summary.copy()


def basehaz(fit, centered=True):
    """PHReg's ``baseline_cumulative_hazard`` (covariates at 0)."""
    res = _FITS.state(fit).model
    if centered:
        raise NotImplementedError("engine 'statsmodels' cannot honour centered=True")
    bch = res.baseline_cumulative_hazard
    if len(bch) != 1:
        raise NotImplementedError("engine 'statsmodels' cannot honour basehaz of a stratified fit in R's layout")
    t, h, _ = bch[0]
    return pd.DataFrame({"time": np.asarray(t, float), "hazard": np.asarray(h, float)})
