"""Parity cases of ``survreg``: R's lung and ovarian, every distribution,
strata (a scale per stratum), a fixed scale, weights, offsets, subsets, and
R's refusals (an unknown distribution, a zero time under log, a negative
scale, a fixed scale with strata, non-positive weights, a wrong-length init);
interval and left-censored data (lung's times grouped into 100-day intervals:
``Surv(lo, hi, type = "interval2")`` and ``Surv(l1, h1, ev3, type =
"interval")``; ``type = "left"``) for every distribution; and
``residuals(<survreg>)`` of every type."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_survreg", "SURVREG_QUANTITIES", "interval_lung"]

SURVREG_QUANTITIES = ("names", "coef", "scale", "scale_names", "var", "loglik", "icoef", "iterations", "df", "idf",
                      "df_residual", "linear_predictors", "means", "n", "n_dropped", "dist")


def interval_lung(data: pd.DataFrame) -> pd.DataFrame:
    """lung with its times grouped into 100-day intervals: ``lo``/``hi`` for
    ``type = "interval2"`` (NA lower bound below 100 days: left censored; a
    censored row is right censored at its interval's start; every fifth row
    exact), and the same as ``l1``, ``h1``, ``ev3`` (status 0-3) for
    ``type = "interval"``."""
    d = data.copy()
    t = d["time"].to_numpy(float)
    lo = np.floor(t / 100) * 100
    hi = lo + 100
    lo = np.where(lo == 0, np.nan, lo)
    hi = np.where(d["status"].to_numpy(float) == 1, np.nan, hi)
    exact = np.arange(len(d)) % 5 == 0
    lo = np.where(exact, t, lo)
    hi = np.where(exact, t, hi)
    d["lo"], d["hi"] = lo, hi
    d["ev3"] = np.where(np.isnan(hi), 0, np.where(np.isnan(lo), 2, np.where(lo == hi, 1, 3)))
    d["l1"] = np.where(np.isnan(lo), hi, lo)
    d["h1"] = np.where(np.isnan(hi), 1.0, hi)
    return d


def _data(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    d = interval_lung(data) if p.get("intervals") else data
    if p.get("zero_time_row") is not None:  # a time of 0 in one row (log(0): R refuses it for log-time dists)
        d = d.copy()
        d.loc[int(p["zero_time_row"]), "lo" if p.get("intervals") else "time"] = 0
    return d


def run_survreg(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    kw: dict[str, Any] = {"dist": p.get("dist", "weibull")}
    for key in ("weights", "subset", "scale", "robust", "cluster", "parms"):
        if p.get(key) is not None:
            kw[key] = p[key]
    if p.get("init") is not None:
        kw["init"] = np.asarray(p["init"], dtype=float)
    if p.get("control"):
        from rparity_contract.control import SurvregControl

        kw["control"] = SurvregControl(**p["control"])
    fit = engine.survreg(p["formula"], _data(data, p), **kw)
    out = {k: getattr(fit, k) for k in SURVREG_QUANTITIES}
    out["names"] = tuple(out["names"])
    out["scale_names"] = tuple(out["scale_names"])
    if fit.naive_var is not None:
        out["naive_var"] = fit.naive_var
    out["warnings"] = tuple(fit.warnings)
    return out


def _case(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"survreg/{id_}", "survreg", dataset, {"formula": formula, **extra}, run_survreg)


_LUNG = "Surv(time, status) ~ age + sex + ph.ecog"

CASES = [
    *[_case(f"lung-{d}", "lung", _LUNG, dist=d)
      for d in ("weibull", "exponential", "lognormal", "loglogistic", "rayleigh", "gaussian", "logistic", "extreme",
                "t")],
    _case("lung-weibull-factor", "lung", "Surv(time, status) ~ age + factor(ph.ecog) + sex"),
    _case("lung-weibull-strata", "lung", "Surv(time, status) ~ age + ph.ecog + strata(sex)"),
    _case("lung-lognormal-strata-inst", "lung", "Surv(time, status) ~ age + sex + strata(inst)", dist="lognormal"),
    _case("lung-weibull-fixed-scale", "lung", "Surv(time, status) ~ age + sex", scale=1.5),
    _case("lung-weibull-weights", "lung", "Surv(time, status) ~ age + sex", weights="meal.cal"),
    _case("lung-weibull-subset-offset", "lung", "Surv(time, status) ~ sex + offset(age / 100)",
          subset="ph.ecog < 2"),
    _case("lung-weibull-intercept-only", "lung", "Surv(time, status) ~ 1"),
    _case("lung-weibull-prefix", "lung", "Surv(time, status) ~ age", dist="weib"),
    _case("lung-weibull-init", "lung", "Surv(time, status) ~ age + sex", init=[6.0, -0.01, 0.4]),
    _case("lung-weibull-one-iteration", "lung", "Surv(time, status) ~ age + sex", control={"iter_max": 1}),
    _case("lung-exponential-scale-ignored", "lung", "Surv(time, status) ~ age", dist="exponential", scale=2.0),
    _case("lung-status-invalid-na", "lung", "Surv(time, status + (age > 70)) ~ age"),
    _case("lung-weibull-robust", "lung", "Surv(time, status) ~ age + sex", robust=True),
    _case("lung-weibull-cluster-inst", "lung", "Surv(time, status) ~ age + sex", cluster="inst"),
    _case("lung-lognormal-cluster-term-strata", "lung", "Surv(time, status) ~ age + strata(sex) + cluster(inst)",
          dist="lognormal"),
    _case("lung-weibull-cluster-weights-not-robust", "lung", "Surv(time, status) ~ age", cluster="inst",
          weights="meal.cal", robust=False),
    _case("lung-exponential-robust-weights", "lung", "Surv(time, status) ~ age + sex", dist="exponential",
          robust=True, weights="meal.cal"),
    _case("ovarian-exponential", "ovarian", "Surv(futime, fustat) ~ age + ecog.ps", dist="exponential"),
    _case("ovarian-weibull", "ovarian", "Surv(futime, fustat) ~ age + factor(rx)"),
    _case("ovarian-loglogistic-strata", "ovarian", "Surv(futime, fustat) ~ age + strata(rx)", dist="loglogistic"),
    # survival's tests/r_lung.R, r_sas.R, r_tdist.R: strata() in an interaction stays in the model matrix, `- 1`
    # codes the first factor by indicators, an unnamed parms is the t distribution's df
    _case("lung-weibull-strata-interaction", "lung", "Surv(time, status) ~ sex + age * strata(sex)"),
    _case("lung-weibull-no-intercept-factor", "lung", "Surv(time, status) ~ factor(sex) + age - 1"),
    _case("lung-t-parms-unnamed", "lung", "Surv(time, status) ~ age + sex", dist="t", parms=5.0),
    # R's refusals
    _case("lung-dist-unknown-refused", "lung", "Surv(time, status) ~ age", dist="foo"),
    _case("lung-zero-time-refused", "lung", "Surv(time, status) ~ age", zero_time_row=2),
    _case("lung-scale-negative-refused", "lung", "Surv(time, status) ~ age", scale=-1.0),
    _case("lung-scale-strata-refused", "lung", "Surv(time, status) ~ age + strata(sex)", scale=2.0),
    _case("lung-weights-nonpositive-refused", "lung", "Surv(time, status) ~ age", weights="ph.ecog"),
    _case("lung-init-length-refused", "lung", "Surv(time, status) ~ age", init=[1.0, 2.0, 3.0, 4.0]),
    # a robust variance with strata() only inside an interaction: residuals(fit, "dfbeta") models the intercept
    # alone (score %*% vv: non-conformable arguments)
    _case("lung-lognormal-strata-interaction-cluster-refused", "lung",
          "Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", dist="lognormal"),
]

_I2 = "Surv(lo, hi, type = \"interval2\") ~ age + sex"
_I3 = "Surv(l1, h1, ev3, type = \"interval\") ~ age + ph.ecog"
_DISTS = ("weibull", "exponential", "gaussian", "logistic", "lognormal", "loglogistic", "extreme", "rayleigh", "t")
CASES += [
    *[_case(f"lung-interval2-{d}", "lung", _I2, dist=d, intervals=True) for d in _DISTS],
    *[_case(f"lung-interval-{d}", "lung", _I3, dist=d, intervals=True) for d in ("weibull", "gaussian", "t")],
    *[_case(f"lung-left-{d}", "lung", "Surv(time, status, type = \"left\") ~ age + sex", dist=d)
      for d in ("weibull", "gaussian", "loglogistic")],
    _case("ovarian-left-lognormal", "ovarian", "Surv(futime, fustat, type = \"left\") ~ age", dist="lognormal"),
    _case("lung-interval2-strata", "lung", "Surv(lo, hi, type = \"interval2\") ~ age + strata(sex)",
          intervals=True),
    _case("lung-interval-weights-lognormal", "lung", _I3, dist="lognormal", weights="meal.cal", intervals=True),
    _case("lung-interval2-cluster-robust", "lung", _I2, cluster="inst", intervals=True),
    _case("lung-interval2-fixed-scale", "lung", _I2, scale=0.8, intervals=True),
    _case("lung-interval2-intercept-only-loglogistic", "lung", "Surv(lo, hi, type = \"interval2\") ~ 1",
          dist="loglogistic", intervals=True),
    _case("lung-interval2-zero-lower-refused", "lung", _I2, zero_time_row=3, intervals=True),
    _case("lung-interval2-zero-lower-gaussian", "lung", _I2, dist="gaussian", zero_time_row=3, intervals=True),
]


def run_survreg_predict(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """A survreg fit's ``predict``: the fitted values and their standard errors."""
    fit = engine.survreg(p["formula"], data, **{k: p[k] for k in ("dist", "scale", "weights", "subset", "na_action")
                                                 if k in p})
    kw: dict[str, Any] = {"type": p.get("type", "response"), "se_fit": bool(p.get("se_fit", False))}
    if p.get("p") is not None:
        kw["p"] = tuple(p["p"])
    if p.get("newdata_rows"):
        lo, hi = p["newdata_rows"]
        kw["newdata"] = data.iloc[lo:hi].reset_index(drop=True)
    pr = engine.survreg_predict(fit, **kw)
    out: dict[str, Any] = {"fit": np.asarray(pr.fit, dtype=float)}
    if kw["se_fit"]:
        out["se_fit"] = np.asarray(pr.se_fit, dtype=float)
    if kw["type"] == "terms":
        out["columns"] = tuple(pr.columns)
    return out


def _pcase(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"survreg_predict/{id_}", "survreg_predict", dataset, {"formula": formula, **extra},
                run_survreg_predict)


CASES += [
    _pcase("lung-weibull-lp-se", "lung", _LUNG, type="lp", se_fit=True),
    _pcase("lung-weibull-response-se", "lung", _LUNG, type="response", se_fit=True),
    _pcase("lung-weibull-quantile-median-se", "lung", _LUNG, type="quantile", p=[0.5], se_fit=True),
    _pcase("lung-weibull-uquantile-se", "lung", _LUNG, type="uquantile", p=[0.1, 0.5, 0.9], se_fit=True),
    _pcase("lung-weibull-quantile-default-p", "lung", _LUNG, type="quantile"),
    _pcase("lung-lognormal-quantile-se", "lung", _LUNG, dist="lognormal", type="quantile", p=[0.25, 0.75],
           se_fit=True),
    _pcase("lung-weibull-strata-quantile-se", "lung", "Surv(time, status) ~ age + ph.ecog + strata(sex)",
           type="quantile", p=[0.5, 0.9], se_fit=True),
    _pcase("lung-exponential-quantile-se", "lung", "Surv(time, status) ~ age + sex", dist="exponential",
           type="quantile", p=[0.5, 0.9], se_fit=True),
    _pcase("lung-weibull-factor-newdata-response-se", "lung", "Surv(time, status) ~ age + factor(ph.ecog)",
           type="response", se_fit=True, newdata_rows=[0, 8]),
    _pcase("lung-weibull-newdata-quantile-se", "lung", "Surv(time, status) ~ age + sex", type="quantile",
           p=[0.5], se_fit=True, newdata_rows=[10, 15]),
    _pcase("lung-gaussian-lp-offset", "lung", "Surv(time, status) ~ sex + offset(age)", dist="gaussian",
           type="lp", se_fit=True),
    _pcase("ovarian-t-uquantile-se", "ovarian", "Surv(futime, fustat) ~ age", dist="t", type="uquantile",
           p=[0.1, 0.9], se_fit=True),
    _pcase("lung-weibull-strata-newdata-quantile-se", "lung", "Surv(time, status) ~ age + strata(sex)",
           type="quantile", p=[0.5, 0.9], se_fit=True, newdata_rows=[0, 8]),
    _pcase("lung-weibull-na-exclude-lp-se", "lung", "Surv(time, status) ~ age + ph.ecog", type="lp", se_fit=True,
           na_action="na.exclude"),
    # type = "terms": centred by the fit's means (with an intercept), a column per term; R names the columns by
    # the full terms at the model matrix's reduced term index (strata(sex) first: age's column is "strata(sex)")
    _pcase("lung-weibull-factor-terms-se", "lung", "Surv(time, status) ~ age + sex + factor(ph.ecog)", type="terms",
           se_fit=True),
    _pcase("lung-lognormal-terms", "lung", _LUNG, dist="lognormal", type="terms"),
    _pcase("lung-weibull-strata-first-terms-se", "lung", "Surv(time, status) ~ strata(sex) + age + ph.ecog",
           type="terms", se_fit=True),
    _pcase("lung-weibull-no-intercept-terms-se", "lung", "Surv(time, status) ~ age + sex - 1", type="terms",
           se_fit=True),
    _pcase("lung-weibull-na-exclude-terms-se", "lung", "Surv(time, status) ~ age + ph.ecog", type="terms",
           se_fit=True, na_action="na.exclude"),
    _pcase("lung-weibull-factor-newdata-terms-se", "lung", "Surv(time, status) ~ age + factor(ph.ecog)",
           type="terms", se_fit=True, newdata_rows=[0, 8]),
    _pcase("lung-weibull-intercept-only-terms-refused", "lung", "Surv(time, status) ~ 1", type="terms"),
]


def run_survreg_residuals(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """``residuals(<survreg>, type=, rsigma=, collapse=, weighted=)``."""
    kw = {k: p[k] for k in ("dist", "weights", "cluster", "scale", "na_action") if k in p}
    d = _data(data, p)
    fit = engine.survreg(p["formula"], d, **kw)
    rk: dict[str, Any] = {"type": p["type"]}
    for k in ("rsigma", "weighted"):
        if k in p:
            rk[k] = bool(p[k])
    if p.get("collapse"):
        rk["collapse"] = d[p["collapse"]].iloc[[i for i in range(len(d)) if i not in fit.na_action]] \
            .reset_index(drop=True)
    r = engine.survreg_residuals(fit, **rk)
    out: dict[str, Any] = {"values": np.asarray(r.values, dtype=float), "columns": tuple(r.columns)}
    if r.groups is not None:
        out["groups"] = tuple(r.groups)
    return out


def _rcase(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"survreg_residuals/{id_}", "survreg_residuals", dataset, {"formula": formula, **extra},
                run_survreg_residuals)


_RTYPES = ("response", "deviance", "dfbeta", "dfbetas", "working", "ldcase", "ldresp", "ldshape", "matrix")
CASES += [
    *[_rcase(f"lung-weibull-{t}", "lung", _LUNG, type=t) for t in _RTYPES],
    *[_rcase(f"lung-interval2-lognormal-{t}", "lung", _I2, dist="lognormal", type=t, intervals=True)
      for t in _RTYPES],
    *[_rcase(f"lung-interval-strata-{t}", "lung", "Surv(l1, h1, ev3, type = \"interval\") ~ age + strata(sex)",
             type=t, intervals=True) for t in ("dfbeta", "ldresp", "ldshape", "matrix", "deviance")],
    *[_rcase(f"lung-interval2-{d}-deviance", "lung", _I2, dist=d, type="deviance", intervals=True)
      for d in ("gaussian", "logistic", "extreme", "loglogistic")],
    _rcase("lung-left-gaussian-working", "lung", "Surv(time, status, type = \"left\") ~ age", dist="gaussian",
           type="working"),
    _rcase("lung-weibull-weighted-dfbeta", "lung", "Surv(time, status) ~ age + sex", weights="meal.cal",
           type="dfbeta", weighted=True),
    _rcase("lung-weibull-collapse-inst-dfbeta", "lung", "Surv(time, status) ~ age + sex", type="dfbeta",
           collapse="inst"),
    _rcase("lung-interval2-collapse-inst-ldcase", "lung", _I2, type="ldcase", collapse="inst", intervals=True),
    _rcase("lung-weibull-no-rsigma-fixed-scale-dfbetas", "lung", "Surv(time, status) ~ age", scale=1.0,
           type="dfbetas", rsigma=False),
    _rcase("lung-exponential-ldresp", "lung", "Surv(time, status) ~ age + sex", dist="exponential", type="ldresp"),
    _rcase("lung-weibull-rsigma-false-refused", "lung", "Surv(time, status) ~ age", type="dfbeta", rsigma=False),
    _rcase("lung-weibull-type-prefix", "lung", "Surv(time, status) ~ age", type="ldc"),
    _rcase("lung-weibull-type-unknown-refused", "lung", "Surv(time, status) ~ age", type="foo"),
    _rcase("lung-weibull-na-exclude-dfbeta", "lung", "Surv(time, status) ~ age + ph.ecog", type="dfbeta",
           na_action="na.exclude"),
    _rcase("lung-lognormal-strata-interaction-dfbeta-refused", "lung", "Surv(time, status) ~ sex + age:strata(sex)",
           dist="lognormal", type="dfbeta"),
]
