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

from pyimpl.results import SurvDiff, SurvFit

from ._common import CurveMethods, step_lookup, validated_groups, validated_km_inputs

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


def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual") -> SurvFit:
    t, e, w = validated_km_inputs(time, event, weights)
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

    return SurvFit(
        time=grid, n_risk=n_risk.astype(float), n_event=n_event, n_censor=n_censor, surv=surv,
        std_err=se, lower=None, upper=None, cumhaz=None, std_chaz=None, n=int(t.size), logse=False,
        conf_type=conf_type, conf_int=conf_int, conf_lower=conf_lower, engine=ENGINE_NAME,
        _methods=CurveMethods(quantile, median),
    )


def _nan(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v if np.isfinite(v) else float("nan")


def survdiff(time, event, group, *, strata=None, rho=0.0) -> SurvDiff:
    """statsmodels' ``survdiff``; rho != 0 uses its Fleming-Harrington weights
    (``weight_type="fh"``, ``fh_p=rho``)."""
    t, e, g, levels, s = validated_groups(time, event, group, strata)
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


def coxph(X, time, event, *, ties="efron", weights=None, strata=None, cluster=None, robust=None, **kw):
    """statsmodels' ``PHReg`` on R's design matrix, with the ties asked for
    (PHReg's own default is Breslow; R's is Efron)."""
    import pandas as pd
    from statsmodels.duration.hazard_regression import PHReg

    from ._cox_common import cox_frame, cox_result, test_or_none

    if ties not in ("efron", "breslow"):
        raise NotImplementedError(f"engine 'statsmodels' cannot honour ties={ties!r}")
    if weights is not None:
        raise NotImplementedError("engine 'statsmodels' cannot honour weights (PHReg has none)")
    if kw.get("init") is not None or kw.get("control") is not None:
        raise NotImplementedError("engine 'statsmodels' cannot honour init/control")
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
    from scipy.stats import norm

    z = coef / se
    summary = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef), "se": se, "z": z,
                            "p": 2 * norm.sf(np.abs(z)), "lower": np.exp(coef - 1.959963984540054 * se),
                            "upper": np.exp(coef + 1.959963984540054 * se)}, index=pd.Index(cf.names, name="term"))
    from scipy.stats import chi2

    lr = 2 * (ll - ll0)
    fit = cox_result(ENGINE_NAME, cf, coef=coef, se=se, var=var, loglik=[ll0, ll],
                     lr=test_or_none(lr, coef.size, chi2.sf(lr, coef.size)), summary=summary,
                     robust=use_robust, method=ties)
    object.__setattr__(fit, "_statsmodels", res)
    return fit


def basehaz(fit, centered=True):
    """PHReg's ``baseline_cumulative_hazard`` (covariates at 0)."""
    import pandas as pd

    res = getattr(fit, "_statsmodels", None)
    if res is None:
        raise NotImplementedError("engine 'statsmodels' can only use fits made by statsmodels")
    if centered:
        raise NotImplementedError("engine 'statsmodels' cannot honour centered=True")
    bch = res.baseline_cumulative_hazard
    if len(bch) != 1:
        raise NotImplementedError("engine 'statsmodels' cannot honour basehaz of a stratified fit in R's layout")
    t, h, _ = bch[0]
    return pd.DataFrame({"time": np.asarray(t, float), "hazard": np.asarray(h, float)})
