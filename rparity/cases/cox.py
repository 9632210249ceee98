"""Parity cases for the Cox model: ``coxph``, ``cox_zph``, ``basehaz`` and
``concordance`` on the bundled datasets.

Rows with missing values are passed to the engines as they are: dropping
them (R's ``na.omit``) is part of what is compared (``n``, ``n_dropped``).

Monotone likelihood (``infinite=True``): R warns "coefficient may be
infinite" and stops where the log-likelihood stops changing; the coefficient
that diverges is then a point on a flat ridge, determined by the iteration
path to ~1e-8 only. Those cases emit the coefficients as ``coef_infinite``
(its own, loose tolerance) and leave out everything computed from the
diverging coefficient's variance (se, var, Wald test, summary); the
log-likelihood, the warning, the score test, iteration count and
concordance are compared as usual.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.control import CoxControl
from rparity_contract.formula import Formula
from rparity_contract.values import COX_SUMMARY_COLUMNS

from .base import Case, derived_quantities

__all__ = ["CASES", "run_clogit", "run_coxph", "run_cox_zph", "run_basehaz", "run_concordance", "run_coxph_residuals",
           "run_coxph_predict", "run_survfit_cox", "run_coxph_anova", "run_coxph_detail",
           "cox_inputs"]


def cox_inputs(data: pd.DataFrame, p: Mapping[str, Any]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None, dict]:
    """(X, time, event, keyword arguments) of a case.

    ``p["covariates"]`` lists columns; ``p["factors"]`` turns numeric columns
    into categoricals with the given levels; ``p["flags"]`` adds bool columns
    ``name: [column, value]`` (column == value); ``p["event_value"]`` is the
    code of an event (lung: 2); ``p["where"]`` keeps rows whose column equals a
    value (before anything else); ``p["weights"]`` a column, optionally divided
    by ``p["weight_divisor"]``; ``p["strata"]``, ``p["cluster"]`` columns.
    """
    d = data.copy()
    for col, val in (p.get("where") or {}).items():
        d = d[d[col] == val].reset_index(drop=True)
    for col, levels in (p.get("factors") or {}).items():
        d[col] = pd.Categorical(d[col], categories=levels)
    for name, (col, val) in (p.get("flags") or {}).items():
        v = d[col] == val
        d[name] = v.astype("boolean").where(d[col].notna(), pd.NA) if d[col].isna().any() else v
    X = d[list(p["covariates"])]
    event = None  # no event column: R's one-argument Surv(time), every row an event
    if p.get("event"):
        ev = d[p["event"]]
        event = np.where(ev.isna(), np.nan, (ev == p.get("event_value", 1)).astype(float))
    kw: dict[str, Any] = {"ties": p.get("ties", "efron")}
    if p.get("weights"):
        kw["weights"] = d[p["weights"]].to_numpy(float) / p.get("weight_divisor", 1)
    if p.get("strata"):
        kw["strata"] = d[p["strata"]]
    if p.get("cluster"):
        kw["cluster"] = d[p["cluster"]]
    if "robust" in p:
        kw["robust"] = p["robust"]
    if "nocenter" in p:
        kw["nocenter"] = tuple(p["nocenter"])
    if p.get("init") is not None:
        kw["init"] = np.asarray(p["init"], dtype=float)
    if p.get("control"):
        kw["control"] = CoxControl(**p["control"])
    return X, d[p["time"]].to_numpy(float), event, kw


def _fit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]):
    if p.get("clogit"):
        return engine.clogit(p["formula"], data, method=p.get("method", "exact"), weights=p.get("weights"),
                             subset=p.get("subset"))
    if p.get("formula"):
        return _fit_formula(engine, data, p)
    X, t, e, kw = cox_inputs(data, p)
    return engine.coxph(X, t, e, **kw)


def _fit_formula(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]):
    """The formula form: ``coxph(formula, data=, subset=, weights=, cluster=, ...)``;
    ``weights``/``cluster`` name columns, ``subset`` is an R expression;
    ``factors`` and ``where`` prepare the data as in :func:`cox_inputs`."""
    d = data.copy()
    for col, val in (p.get("where") or {}).items():
        d = d[d[col] == val].reset_index(drop=True)
    for col, levels in (p.get("factors") or {}).items():
        d[col] = pd.Categorical(d[col], categories=levels)
    kw: dict[str, Any] = {"ties": p.get("ties", "efron")}
    for key in ("weights", "cluster", "subset", "robust"):
        if p.get(key) is not None:
            kw[key] = p[key]
    if p.get("init") is not None:
        kw["init"] = np.asarray(p["init"], dtype=float)
    formula = p["formula"]
    if p.get("functions"):  # the formula's own functions: {name: [parameters, body]}
        formula = Formula(formula, {k: (tuple(v[0]) if isinstance(v[0], list) else v[0], v[1])
                                    for k, v in p["functions"].items()})
    return engine.coxph(formula, data=d, **kw)


def _test(prefix: str, t) -> dict:
    """A test's three numbers; None for each when the engine does not report the test."""
    if t is None:
        return {f"{prefix}.statistic": None, f"{prefix}.df": None, f"{prefix}.pvalue": None}
    return {f"{prefix}.statistic": t.statistic, f"{prefix}.df": t.df, f"{prefix}.pvalue": t.pvalue}


def run_coxph(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    fit = _fit(engine, data, p)
    infinite = bool(p.get("infinite"))
    out: dict[str, Any] = {
        "names": tuple(fit.names), "loglik": fit.loglik, "means": fit.means, "iterations": fit.iterations,
        "n": fit.n, "nevent": fit.nevent, "n_dropped": fit.n_dropped,
    }
    out.update(_test("score_test", fit.score_test))
    out.update(_test("lr_test", fit.lr_test))
    if infinite:
        out["coef_infinite"] = fit.coef
    else:
        out.update({"coef": fit.coef, "se": fit.se, "var": fit.var})
        out.update(_test("wald_test", fit.wald_test))
        if fit.naive_var is not None:
            out["naive_var"] = fit.naive_var
        if fit.robust_score_test is not None:
            out.update(_test("robust_score_test", fit.robust_score_test))
        out.update(derived_quantities("summary.", lambda: engine.coxph_summary(fit), COX_SUMMARY_COLUMNS,
                                      "coxph_summary"))
    if fit.concordance is not None:
        c = fit.concordance
        out.update({"concordance.c": c.c, "concordance.std": c.std, "concordance.concordant": c.concordant,
                    "concordance.discordant": c.discordant, "concordance.tied_x": c.tied_x,
                    "concordance.tied_y": c.tied_y, "concordance.tied_xy": c.tied_xy})
    out["warnings"] = tuple(fit.warnings)
    return out


def run_cox_zph(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    fit = _fit(engine, data, p)
    z = engine.cox_zph(fit, transform=p.get("transform", "km"), **({"global_": p["global_"]} if "global_" in p else {}))
    return {"terms": tuple(z.terms), "chisq": z.chisq, "df": z.df, "p": z.p, "warnings": tuple(z.warnings)}


def run_basehaz(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    fit = _fit(engine, data, p)
    b = engine.basehaz(fit, centered=p.get("centered", True))
    out = {"time": b["time"].to_numpy(), "hazard": b["hazard"].to_numpy()}
    if "strata" in b.columns:
        out["strata"] = tuple(str(s) for s in b["strata"])
    return out


_CONCORDANCE_FORMULA_OPTIONS = ("weights", "subset", "cluster", "timewt", "reverse", "influence", "keepstrata",
                                "ranks", "ymin", "ymax")


def run_concordance(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    opts = {k: p[k] for k in ("influence", "keepstrata", "timewt", "ranks") if k in p}
    if p.get("newdata_rows"):  # concordance(fit, newdata=): the fit on some rows, C on the others
        lo, hi = p["newdata_rows"]
        fit = _fit(engine, data.iloc[:lo].reset_index(drop=True), p)
        c = engine.concordance(fit, newdata=data.iloc[lo:hi].reset_index(drop=True), **opts)
        return {"c": c.c, "std": c.std, "concordant": c.concordant, "discordant": c.discordant,
                "tied_x": c.tied_x, "tied_y": c.tied_y, "tied_xy": c.tied_xy, "n": c.n,
                "influence": c.influence, "warnings": tuple(c.warnings)}
    if p.get("standalone"):  # concordance(y ~ x, data, ...): R's concordance.formula
        kw = {k: p[k] for k in _CONCORDANCE_FORMULA_OPTIONS if k in p}
        c = engine.concordance(p["formula"], data, **kw)
        opts = kw
    elif p.get("others"):  # concordance(fit1, fit2, ...): the same options, each further model's formula
        fits = [_fit(engine, data, p)] + [_fit(engine, data, {**p, "formula": f}) for f in p["others"]]
        cs = engine.concordance(*fits, **opts)
        return {"c": cs.c, "var": cs.var, "counts": cs.counts, "n": cs.n, "dfbeta": cs.dfbeta,
                "influence": cs.influence, "warnings": tuple(cs.warnings)}
    else:
        c = engine.concordance(_fit(engine, data, p), **opts)
    out = {"c": c.c, "std": c.std, "concordant": c.concordant, "discordant": c.discordant,
           "tied_x": c.tied_x, "tied_y": c.tied_y, "tied_xy": c.tied_xy, "n": c.n,
           "warnings": tuple(c.warnings)}
    if opts:  # concordance(fit, influence=, keepstrata=): what they add
        out.update({"count_strata": c.count_strata, "dfbeta": c.dfbeta, "influence": c.influence})
        if opts.get("ranks"):
            out.update({"ranks": c.ranks, "ranks_strata": c.ranks_strata})
    return out


def _collapse(fit: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> np.ndarray | None:
    """``p["collapse"]`` names a column: its values on the rows the fit used
    (the rows of ``fit.na_action``, 0-based, left out)."""
    col = p.get("collapse")
    if not col:
        return None
    v = data[col].to_numpy()
    return np.delete(v, list(fit.na_action)) if fit.na_action else v


def run_coxph_residuals(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    fit = _fit(engine, data, p)
    kw: dict[str, Any] = {}
    if p.get("weighted") is not None:
        kw["weighted"] = p["weighted"]
    if p.get("compat") is not None:  # pyimpl only: reproduce an R version's behaviour (divergence predicates)
        kw["compat"] = p["compat"]
    r = engine.coxph_residuals(fit, type=p["type"], collapse=_collapse(fit, data, p), **kw)
    return {"values": r.values, "columns": tuple(r.columns), "time": r.time,
            "strata": None if r.strata is None else tuple(r.strata),
            "groups": None if r.groups is None else tuple(r.groups), "warnings": tuple(r.warnings)}


def run_coxph_predict(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    fit = _fit(engine, data, p)
    kw = {k: p[k] for k in ("reference", "terms") if p.get(k) is not None}
    if p.get("newdata") is not None:
        kw["newdata"] = pd.DataFrame(p["newdata"])
    r = engine.coxph_predict(fit, type=p["type"], se_fit=bool(p.get("se_fit", False)),
                             collapse=_collapse(fit, data, p), **kw)
    return {"values": r.values, "se": r.se, "columns": tuple(r.columns), "constant": r.constant,
            "groups": None if r.groups is None else tuple(r.groups), "warnings": tuple(r.warnings)}


def run_survfit_cox(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """``p["newdata"]``: columns of new rows (a dict of lists); the options as named."""
    fit = _fit(engine, data, p)
    nd = None if p.get("newdata") is None else pd.DataFrame(p["newdata"])
    kw = {k: p[k] for k in ("se_fit", "conf_int", "stype", "ctype", "conf_type", "censor", "id")
          if p.get(k) is not None}
    r = engine.survfit_cox(fit, nd, **kw)
    return {"time": r.time, "n_risk": r.n_risk, "n_event": r.n_event, "n_censor": r.n_censor, "surv": r.surv,
            "cumhaz": r.cumhaz, "std_err": r.std_err, "lower": r.lower, "upper": r.upper,
            "strata": None if r.strata is None else tuple(r.strata), "n": tuple(r.n), "curves": tuple(r.curves),
            "conf_type": r.conf_type, "warnings": tuple(r.warnings)}


def run_coxph_anova(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """``anova(fit)``, or ``anova(fit, ...)`` with ``p["others"]``: more formulas fitted with the same options."""
    fit = _fit(engine, data, p)
    others = [_fit(engine, data, {**p, "formula": f}) for f in p.get("others") or ()]
    a = engine.coxph_anova(fit, *others)
    return {"rows": tuple(a.rows), "loglik": a.loglik, "chisq": a.chisq, "df": a.df, "pvalue": a.pvalue,
            "warnings": tuple(a.warnings)}


def run_coxph_detail(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    d = engine.coxph_detail(_fit(engine, data, p))
    return {"time": d.time, "nevent": d.nevent, "nrisk": d.nrisk, "hazard": d.hazard, "varhaz": d.varhaz,
            "means": d.means, "score": d.score, "imat": d.imat.reshape(d.imat.shape[0], -1),
            "strata": None if d.strata is None else tuple(d.strata), "warnings": tuple(d.warnings)}


_LUNG = {"time": "time", "event": "status", "event_value": 2}
_VET = {"time": "time", "event": "status"}
_OVA = {"time": "futime", "event": "fustat"}
_T1 = {"time": "time", "event": "status"}
_RUN = {"coxph": run_coxph, "cox_zph": run_cox_zph, "basehaz": run_basehaz, "concordance": run_concordance,
        "coxph_residuals": run_coxph_residuals, "coxph_predict": run_coxph_predict, "survfit_cox": run_survfit_cox,
        "coxph_anova": run_coxph_anova, "coxph_detail": run_coxph_detail}


def _case(function: str, id_: str, dataset: str, base: Mapping[str, Any], covariates, **extra: Any) -> Case:
    params = {**base, "covariates": list(covariates), **extra}
    return Case(f"{function}/{id_}", function, dataset, params, _RUN[function])


def _cox(id_, dataset, base, covariates, **extra):
    return _case("coxph", id_, dataset, base, covariates, **extra)


_EDGE = {"time": "time", "event": "status"}


def _formula(function: str, id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    """A formula-form case (survival's own tests write every model so)."""
    return Case(f"{function}/formula-{id_}", function, dataset, {"formula": formula, **extra}, _RUN[function])


#: the formula form: R's model.frame / model.matrix rules on each engine's side
FORMULA_CASES: list[Case] = [
    _formula("coxph", "lung-factor", "lung", "Surv(time, status) ~ age + sex + factor(ph.ecog)"),
    _formula("coxph", "lung-status-expr-interaction-strata", "lung",
             "Surv(time, status == 2) ~ age * sex + strata(inst)"),
    _formula("coxph", "lung-transforms", "lung",
             "Surv(time, status) ~ log(age) + I(age^2) + I(wt.loss > 0) + pmin(ph.karno, 90)"),
    _formula("coxph", "lung-cluster-term-breslow", "lung", "Surv(time, status) ~ age + sex + cluster(inst)",
             ties="breslow"),
    _formula("coxph", "lung-dot-minus", "lung", "Surv(time, status) ~ . - inst - meal.cal"),
    _formula("coxph", "lung-subset-expr", "lung", "Surv(time, status) ~ age + sex",
             subset="ph.ecog < 2 & age > 50"),
    _formula("coxph", "lung-weights-column", "lung", "Surv(time, status) ~ age + ph.ecog", weights="ph.karno"),
    _formula("coxph", "lung-strata-interaction", "lung", "Surv(time, status) ~ age + strata(sex):ph.ecog"),
    _formula("coxph", "lung-factor-by-numeric", "lung", "Surv(time, status) ~ factor(sex):age + ph.ecog:age"),
    _formula("coxph", "lung-relevel-two-strata", "lung",
             "Surv(time, status) ~ relevel(factor(ph.ecog), ref = '1') + age + strata(sex, I(age > 65))"),
    _formula("coxph", "veteran-strings-strata", "veteran",
             "Surv(time, status) ~ trt + celltype + karno + strata(prior)"),
    _formula("coxph", "veteran-interaction-power", "veteran",
             "Surv(time, status) ~ (trt + karno + celltype)^2 - trt:celltype"),
    _formula("coxph", "aml-surv-time", "aml", "Surv(time) ~ x"),
    _formula("coxph", "ovarian-as-numeric", "ovarian", "Surv(futime, fustat) ~ age + as.numeric(factor(rx))"),
    # offset(): R centres it (offset - mean(offset)); survfit.coxph uses it raw
    _formula("coxph", "lung-offset", "lung", "Surv(time, status) ~ age + sex + offset(log(ph.karno)/3)"),
    _formula("coxph", "lung-two-offsets-breslow-weights", "lung",
             "Surv(time, status) ~ age + offset(log(ph.karno)/3) + offset(age/100) + strata(sex)",
             ties="breslow", weights="ph.karno"),
    _formula("coxph", "lung-offset-exact", "lung", "Surv(time, status) ~ age + offset(log(ph.karno)/3)",
             ties="exact"),
    _formula("coxph", "lung-offset-only", "lung", "Surv(time, status) ~ offset(log(ph.karno)/3)"),
    _formula("coxph", "lung-offset-cluster", "lung", "Surv(time, status) ~ age + sex + offset(wt.loss/50)",
             cluster="inst"),
    _formula("coxph", "lung-offset-overflow", "lung", "Surv(time, status) ~ sex + offset(age * 20)"),
    _formula("basehaz", "lung-offset-weights", "lung",
             "Surv(time, status) ~ age + sex + offset(log(ph.karno)/3) + strata(inst)", weights="ph.karno"),
    _formula("basehaz", "lung-offset-only", "lung", "Surv(time, status) ~ offset(log(ph.karno)/3)"),
    _formula("cox_zph", "lung-offset", "lung", "Surv(time, status) ~ age + sex + offset(log(ph.karno)/3)"),
    _formula("concordance", "lung-offset", "lung", "Surv(time, status) ~ age + offset(log(ph.karno)/3)"),
    # counting-process data Surv(start, stop, event): agreg.fit (book3.R's test2; lung split by survSplit)
    _formula("coxph", "test2-efron", "test2", "Surv(start, stop, event) ~ x"),
    _formula("coxph", "test2-breslow", "test2", "Surv(start, stop, event) ~ x", ties="breslow"),
    _formula("coxph", "lung-split", "lung_split", "Surv(tstart, time, status) ~ age + sex + ph.ecog"),
    _formula("coxph", "lung-split-time-varying-breslow", "lung_split",
             "Surv(tstart, time, status) ~ age + sex + sex:factor(period) + strata(inst)", ties="breslow"),
    _formula("coxph", "lung-split-weights-offset", "lung_split",
             "Surv(tstart, time, status) ~ age + sex + offset(ph.karno/100)", weights="sex"),
    _formula("coxph", "lung-split-null", "lung_split", "Surv(tstart, time, status) ~ 1"),
    _formula("coxph", "lung-split-subset-init", "lung_split", "Surv(tstart, time, status) ~ age + ph.ecog",
             subset="period < 3", init=[0.01, 0.3]),
    _formula("concordance", "lung-split", "lung_split", "Surv(tstart, time, status) ~ age + sex"),
    # ties = "exact" on them: agexact.fit (every subset of the tied deaths), its robust variance Breslow's
    _formula("coxph", "test2-exact", "test2", "Surv(start, stop, event) ~ x", ties="exact"),
    _formula("coxph", "lung-split-exact-strata", "lung_split",
             "Surv(tstart, time, status) ~ age + ph.ecog + strata(sex)", ties="exact", subset="inst <= 5"),
    _formula("coxph", "lung-split-exact-cluster", "lung_split", "Surv(tstart, time, status) ~ age + sex",
             ties="exact", cluster="inst", subset="inst <= 5"),
    _formula("coxph", "lung-split-exact-null", "lung_split", "Surv(tstart, time, status) ~ 1", ties="exact",
             subset="inst <= 5"),
    _formula("coxph", "lung-split-exact-weights", "lung_split", "Surv(tstart, time, status) ~ age",
             ties="exact", weights="sex"),
    # their robust variance (agscore2's score residuals by subject), and R's refusal without a cluster
    _formula("coxph", "lung-split-cluster-id", "lung_split", "Surv(tstart, time, status) ~ age + ph.ecog",
             cluster="id"),
    _formula("coxph", "lung-split-cluster-term-breslow-strata", "lung_split",
             "Surv(tstart, time, status) ~ age + sex + strata(period) + cluster(inst)", ties="breslow"),
    _formula("coxph", "lung-split-robust-init", "lung_split", "Surv(tstart, time, status) ~ age + sex",
             cluster="id", init=[0.01, -0.2]),
    _formula("coxph", "lung-split-robust-without-cluster", "lung_split", "Surv(tstart, time, status) ~ age",
             robust=True),
    _formula("basehaz", "test2-efron", "test2", "Surv(start, stop, event) ~ x"),
    _formula("basehaz", "lung-split-strata-breslow", "lung_split",
             "Surv(tstart, time, status) ~ age + sex + strata(period)", ties="breslow"),
    _formula("basehaz", "lung-split-offset-weights-uncentered", "lung_split",
             "Surv(tstart, time, status) ~ age + offset(ph.karno/100)", weights="sex", centered=False),
    _formula("cox_zph", "test2-km", "test2", "Surv(start, stop, event) ~ x"),
    _formula("cox_zph", "lung-split-factor-strata-breslow-rank", "lung_split",
             "Surv(tstart, time, status) ~ age + factor(ph.ecog) + strata(sex)", ties="breslow", transform="rank"),
    _formula("cox_zph", "lung-split-cluster-identity", "lung_split",
             "Surv(tstart, time, status) ~ age + sex", cluster="id", transform="identity"),
    _formula("concordance", "lung-split-cluster", "lung_split", "Surv(tstart, time, status) ~ age + sex",
             cluster="id"),
    _formula("cox_zph", "lung-factor", "lung", "Surv(time, status) ~ age + sex + factor(ph.ecog)"),
    _formula("cox_zph", "lung-no-global", "lung", "Surv(time, status) ~ age + sex + factor(ph.ecog)",
             transform="log", global_=False),
    _formula("basehaz", "lung-strata", "lung", "Surv(time, status) ~ age + strata(sex)"),
    _formula("concordance", "lung-interaction", "lung", "Surv(time, status) ~ age * sex"),
    # concordance(fit, influence=, keepstrata=): each stratum's counts, the dfbeta (by cluster), each row's counts
    _formula("concordance", "lung-strata-influence3-keepstrata", "lung",
             "Surv(time, status) ~ age + sex + strata(ph.ecog)", influence=3, keepstrata=True),
    _formula("concordance", "lung-weights-cluster-influence1", "lung", "Surv(time, status) ~ age + sex",
             weights="ph.karno", cluster="inst", influence=1),
    _formula("concordance", "lung-strata-influence2-keepstrata2", "lung",
             "Surv(time, status) ~ ph.ecog + strata(sex, inst)", influence=2, keepstrata=2),
    _formula("concordance", "lung-split-strata-influence3", "lung_split",
             "Surv(tstart, time, status) ~ age + sex + strata(ph.ecog)", influence=3, keepstrata=True),
    _formula("concordance", "lung-influence-5-is-2", "lung", "Surv(time, status) ~ age", influence=5),
    _formula("concordance", "lung-timewt-sg-influence", "lung", "Surv(time, status) ~ age + sex", timewt="S/G",
             influence=3),
    _formula("concordance", "lung-strata-ranks", "lung", "Surv(time, status) ~ age + sex + strata(ph.ecog)",
             ranks=True),
    # concordance(fit, newdata=): fitted on the first 150 rows, C on the rest (cord.getdata)
    _formula("concordance", "lung-newdata", "lung", "Surv(time, status) ~ age + ph.ecog", newdata_rows=[150, 228]),
    _formula("concordance", "lung-newdata-strata-timewt-influence", "lung",
             "Surv(time, status) ~ age + sex + strata(ph.ecog)", newdata_rows=[150, 228], timewt="S", influence=3),
    # concordance(fit1, fit2, ...): their covariance (cord.work), the dfbeta or rows' counts of each
    _formula("concordance", "lung-three-fits", "lung", "Surv(time, status) ~ age",
             others=["Surv(time, status) ~ age + sex", "Surv(time, status) ~ sex"]),
    _formula("concordance", "lung-two-fits-strata-weights-influence1", "lung",
             "Surv(time, status) ~ age + strata(sex)", weights="ph.karno",
             others=["Surv(time, status) ~ age + I(age^2) + strata(sex)"], influence=1),
    _formula("concordance", "lung-two-fits-timewt-influence2", "lung", "Surv(time, status) ~ age",
             others=["Surv(time, status) ~ sex"], influence=2, timewt="S"),
    _formula("concordance", "lung-two-fits-other-rows", "lung", "Surv(time, status) ~ age",
             others=["Surv(time, status) ~ ph.ecog"]),
    _formula("concordance", "lung-strata-weights-timewt-i", "lung", "Surv(time, status) ~ age + strata(sex)",
             weights="ph.karno", timewt="I", influence=1),
    _formula("concordance", "lung-split-timewt-ng2-refused", "lung_split", "Surv(tstart, time, status) ~ age",
             timewt="n/G2"),
    # concordance(y ~ x, data) on its own (concordance.formula): any numeric response, strata, weights, a
    # cluster, subset, reverse, the influence and per-stratum counts; R's refusals
    *[_formula("concordance", f"standalone-{k}", d, f, standalone=True, **kw) for k, d, f, kw in [
        ("lung-age", "lung", "Surv(time, status) ~ age", {}),
        ("lung-numeric-response", "lung", "time ~ ph.karno", {}),
        ("lung-ymax-strata-influence", "lung", "Surv(time, status) ~ age + strata(sex)",
         {"ymax": 365.0, "influence": 3}),
        ("lung-ymin-ymax-timewt-s-ranks", "lung", "Surv(time, status) ~ ph.karno",
         {"ymin": 10.0, "ymax": 700.0, "timewt": "S", "ranks": True}),
        ("lung-ymin-above-censored-refused", "lung", "Surv(time, status) ~ age", {"ymin": 1000.0}),
        ("lung-split-ymax-strata-influence", "lung_split", "Surv(tstart, time, status) ~ age + strata(sex)",
         {"ymax": 400.0, "influence": 3}),
        ("lung-split-ranks-strata-weights", "lung_split", "Surv(tstart, time, status) ~ ph.karno + strata(sex)",
         {"ranks": True, "weights": "ph.ecog", "influence": 1}),
        # survival 3.5-3 aborts R here: the R engine's guard and pyimpl refuse alike
        ("lung-split-timewt-s-refused", "lung_split", "Surv(tstart, time, status) ~ age", {"timewt": "S"}),
        ("lung-strata-weights-cluster-reverse", "lung", "Surv(time, status) ~ age + strata(sex)",
         {"weights": "ph.karno", "cluster": "inst", "reverse": True, "influence": 3}),
        ("lung-cluster-term-subset", "lung", "Surv(time, status) ~ ph.ecog + cluster(inst)",
         {"subset": "age > 50", "influence": 1}),
        ("lung-split-counting-strata", "lung_split", "Surv(tstart, time, status) ~ age + strata(ph.ecog)",
         {"influence": 2, "keepstrata": True}),
        ("lung-two-predictors", "lung", "Surv(time, status) ~ age + sex", {}),
        ("lung-offset", "lung", "Surv(time, status) ~ age + offset(sex)", {}),
        ("lung-factor-response", "lung", "factor(ph.ecog) ~ age", {}),
        ("lung-logical-response", "lung", "I(sex == 2) ~ age", {}),
        *[(f"lung-timewt-{tw.replace('/', '-')}", "lung", "Surv(time, status) ~ age + strata(sex)",
           {"timewt": tw, "weights": "ph.karno", "influence": 3}) for tw in ("S", "S/G", "n/G2", "I")],
        ("lung-split-timewt-sg-refused", "lung_split", "Surv(tstart, time, status) ~ age", {"timewt": "S/G"}),
        ("lung-ranks-strata-timewt-s", "lung", "Surv(time, status) ~ age + strata(sex)",
         {"ranks": True, "timewt": "S", "weights": "ph.karno"}),
        ("lung-ranks-reverse", "lung", "Surv(time, status) ~ ph.karno", {"ranks": True, "reverse": True}),
    ]],
]


def _edge(function: str, id_: str, subset: str, covariates=("x",), **extra: Any) -> Case:
    return _case(function, f"edge-{id_}", "edge", {**_EDGE, "where": {"set": subset}}, covariates, **extra)


#: degenerate inputs R handles (or refuses): each is compared like any case
EDGE_CASES: list[Case] = [
    _edge("coxph", "no-events", "no_events"),
    _edge("coxph", "one-subject", "one_subject"),
    _edge("coxph", "one-time", "one_time"),
    _edge("coxph", "one-stratum", "basic", strata="s"),
    _edge("coxph", "single-cluster", "basic", cluster="cl"),
    _edge("coxph", "single-cluster-two-covariates", "basic", ("x", "z"), cluster="cl"),
    _edge("cox_zph", "no-events", "no_events"),
    _edge("basehaz", "no-events", "no_events"),
    _edge("concordance", "no-events", "no_events"),
    _edge("basehaz", "one-stratum", "basic", strata="s"),
    # the null model Surv(time, event) ~ 1 (coxph.null): one log-likelihood, no test
    _edge("coxph", "null-model", "basic", ()),
    _edge("coxph", "null-model-breslow-strata", "basic", (), ties="breslow", strata="s"),
    _edge("coxph", "null-model-exact", "basic", (), ties="exact"),
    _edge("cox_zph", "null-model", "basic", ()),
    _edge("basehaz", "null-model", "basic", ()),
    _edge("concordance", "null-model", "basic", ()),
    # residuals and predictions: one stratum (R still reports it), no events, the null model
    _edge("coxph_residuals", "one-stratum-schoenfeld", "basic", strata="s", type="schoenfeld"),
    _edge("coxph_residuals", "one-stratum-scaledsch", "basic", strata="s", type="scaledsch"),
    _edge("coxph_residuals", "no-events-schoenfeld", "no_events", ("x", "z"), type="schoenfeld"),
    _edge("coxph_residuals", "no-events-martingale", "no_events", type="martingale"),
    _edge("coxph_residuals", "one-time-score", "one_time", ("x", "z"), type="score"),
    _edge("coxph_predict", "one-stratum-lp", "basic", ("x", "z"), strata="s", type="lp"),
    _edge("coxph_predict", "null-model-expected-se", "basic", (), type="expected", se_fit=True),
    _edge("coxph_detail", "one-time-two-covariates", "one_time", ("x", "z")),
    _edge("coxph_detail", "basic", "basic", ("x", "z"), strata="s"),
]

CASES: list[Case] = [
    # Therneau & Grambsch's test1 (book1.R): closed forms for Breslow and Efron
    _cox("test1-efron", "test1", _T1, ["x"]),
    _cox("test1-breslow", "test1", _T1, ["x"], ties="breslow"),
    _cox("test1-exact", "test1", _T1, ["x"], ties="exact", infinite=True),
    # start values (R's init=, as survival's test2 checks): tests are against init
    _cox("test1-efron-init", "test1", _T1, ["x"], init=[0.5]),
    _cox("test1-breslow-init", "test1", _T1, ["x"], ties="breslow", init=[2.0]),
    _cox("lung-init", "lung", _LUNG, ["age", "sex"], init=[0.01, -0.3]),
    # case weights (book5.R / book6.R)
    _cox("testw1-breslow", "testw1", _T1, ["x"], ties="breslow", weights="wt"),
    _cox("testw1-efron", "testw1", _T1, ["x"], weights="wt"),
    _cox("testw1-efron-robust", "testw1", _T1, ["x"], weights="wt", robust=True),
    # lung: the spec's golden values, then every option
    _cox("lung", "lung", _LUNG, ["age", "sex"]),
    _cox("lung-breslow", "lung", _LUNG, ["age", "sex"], ties="breslow"),
    _cox("lung-surv-time", "lung", {**_LUNG, "event": None}, ["age", "sex"]),
    _cox("lung-exact", "lung", _LUNG, ["age", "sex"], ties="exact"),
    _cox("lung-strata-inst", "lung", _LUNG, ["age", "sex"], strata="inst"),
    _cox("lung-weights-karno", "lung", _LUNG, ["age", "sex"], weights="ph.karno", weight_divisor=10),
    _cox("lung-cluster-inst", "lung", _LUNG, ["age", "sex"], cluster="inst"),
    _cox("lung-robust", "lung", _LUNG, ["age", "sex"], robust=True),
    _cox("lung-cluster-not-robust", "lung", _LUNG, ["age", "sex"], cluster="inst", robust=False),
    _cox("lung-strata-weights-cluster", "lung", _LUNG, ["age", "sex", "ph.ecog"], strata="sex",
         weights="ph.karno", weight_divisor=10, cluster="inst", ties="breslow"),
    _cox("lung-ecog-na", "lung", _LUNG, ["age", "sex", "ph.ecog", "wt.loss"]),
    _cox("lung-ecog-factor", "lung", _LUNG, ["age", "ph.ecog"], factors={"ph.ecog": [0, 1, 2, 3]}),
    _cox("lung-female-bool", "lung", _LUNG, ["age", "female"], flags={"female": ["sex", 2]}),
    _cox("lung-eps-iter", "lung", _LUNG, ["age", "sex", "ph.karno"], control={"eps": 1e-4, "iter_max": 2}),
    _cox("lung-nocenter-none", "lung", _LUNG, ["age", "sex"], nocenter=[]),
    # veteran: a categorical covariate (celltype, R's level order)
    _cox("veteran-celltype", "veteran", _VET, ["trt", "celltype", "karno"]),
    _cox("veteran-celltype-breslow", "veteran", _VET, ["trt", "celltype", "karno", "age"], ties="breslow"),
    _cox("veteran-strata-prior-exact", "veteran", _VET, ["trt", "celltype"], strata="prior", ties="exact"),
    # ovarian: small, with strata
    _cox("ovarian", "ovarian", _OVA, ["age", "rx", "ecog.ps"]),
    _cox("ovarian-strata-resid", "ovarian", _OVA, ["age", "rx"], strata="resid.ds"),
    # monotone likelihood: R's warning, log-likelihood and iterations compared
    _cox("infcoef-x-z", "infcoef", _T1, ["x", "z"], infinite=True),
    _cox("infcoef-x", "infcoef", _T1, ["x"], infinite=True),
    _cox("infcoef-x-z-breslow", "infcoef", _T1, ["x", "z"], ties="breslow", infinite=True),
    # cox.zph
    *[_case("cox_zph", f"lung-{tr}", "lung", _LUNG, ["age", "sex"], transform=tr)
      for tr in ("km", "rank", "identity", "log")],
    _case("cox_zph", "lung-breslow-strata", "lung", _LUNG, ["age", "ph.ecog"], ties="breslow", strata="sex"),
    _case("cox_zph", "lung-weights", "lung", _LUNG, ["age", "sex"], weights="ph.karno", weight_divisor=10),
    _case("cox_zph", "veteran-celltype", "veteran", _VET, ["trt", "celltype", "karno"]),
    _case("cox_zph", "veteran-exact-rank", "veteran", _VET, ["trt", "karno"], ties="exact", transform="rank"),
    _case("cox_zph", "ovarian", "ovarian", _OVA, ["age", "rx"], transform="identity"),
    # basehaz
    _case("basehaz", "lung", "lung", _LUNG, ["age", "sex"]),
    _case("basehaz", "lung-uncentered", "lung", _LUNG, ["age", "sex"], centered=False),
    _case("basehaz", "lung-breslow", "lung", _LUNG, ["age", "sex"], ties="breslow"),
    _case("basehaz", "test1-efron", "test1", _T1, ["x"]),
    _case("basehaz", "testw1-weights", "testw1", _T1, ["x"], weights="wt", centered=False),
    _case("basehaz", "veteran-strata", "veteran", _VET, ["karno", "celltype"], strata="trt"),
    _case("basehaz", "ovarian-exact", "ovarian", _OVA, ["age"], ties="exact"),
    # concordance(fit)
    _case("concordance", "lung", "lung", _LUNG, ["age", "sex"]),
    _case("concordance", "lung-strata", "lung", _LUNG, ["age", "sex"], strata="inst"),
    _case("concordance", "lung-weights-cluster", "lung", _LUNG, ["age", "sex"], weights="ph.karno",
          weight_divisor=10, cluster="inst"),
    _case("concordance", "veteran", "veteran", _VET, ["trt", "celltype", "karno"]),
    _case("concordance", "test1", "test1", _T1, ["x"]),
]

#: fits whose residuals and predictions are compared: (id, dataset, formula, options)
_DERIVED_FITS: list[tuple[str, str, str, dict]] = [
    ("lung-efron", "lung", "Surv(time, status) ~ age + sex + ph.ecog", {}),
    ("lung-breslow-factor-strata", "lung", "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)",
     {"ties": "breslow"}),
    ("lung-weights-offset", "lung", "Surv(time, status) ~ age + sex + offset(log(ph.karno)/3)",
     {"weights": "ph.karno"}),
    ("lung-exact", "lung", "Surv(time, status) ~ age + sex", {"ties": "exact"}),
    ("lung-robust-cluster", "lung", "Surv(time, status) ~ age + sex", {"cluster": "inst"}),
    ("lung-interaction", "lung", "Surv(time, status) ~ age * sex + I(wt.loss > 0)", {}),
    ("lung-null-strata", "lung", "Surv(time, status) ~ strata(sex)", {}),
    ("lung-split-counting", "lung_split", "Surv(tstart, time, status) ~ age + sex + ph.ecog", {}),
    ("lung-split-counting-breslow-strata-weights", "lung_split",
     "Surv(tstart, time, status) ~ age + ph.ecog + strata(sex)", {"ties": "breslow", "weights": "ph.karno"}),
    ("test2-counting", "test2", "Surv(start, stop, event) ~ x", {}),
    ("veteran-celltype", "veteran", "Surv(time, status) ~ trt + celltype + karno", {}),
    ("ovarian-strata-exact", "ovarian", "Surv(futime, fustat) ~ age + strata(rx)", {"ties": "exact"}),
    # agexact.fit's fit is a bare list in R: residuals() is its martingale residuals, the rest fail
    # (institutions 1-5: agexact enumerates every subset of tied deaths, as R does; the whole data take seconds)
    ("lung-split-exact", "lung_split", "Surv(tstart, time, status) ~ age + sex",
     {"ties": "exact", "subset": "inst <= 5"}),
]

_RESIDUAL_TYPES = ("martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas", "scaledsch", "partial")


def _derived(function: str, id_: str, fit: tuple[str, str, str, dict], **extra: Any) -> Case:
    fid, dataset, formula, opts = fit
    return Case(f"{function}/{fid}-{id_}", function, dataset, {"formula": formula, **opts, **extra},
                _RUN[function])


#: residuals(fit, type=): every type on every fit (R's refusals included: exact, the null model)
RESIDUAL_CASES: list[Case] = [
    *[_derived("coxph_residuals", t, f, type=t) for f in _DERIVED_FITS for t in _RESIDUAL_TYPES],
    _derived("coxph_residuals", "martingale-weighted", _DERIVED_FITS[2], type="martingale", weighted=True),
    _derived("coxph_residuals", "dfbeta-unweighted", _DERIVED_FITS[2], type="dfbeta", weighted=False),
    _derived("coxph_residuals", "score-weighted", _DERIVED_FITS[8], type="score", weighted=True),
    # weighted Schoenfeld residuals: R 3.5-3 picks the weights in the wrong order (survival#339)
    _derived("coxph_residuals", "schoenfeld-weighted", _DERIVED_FITS[2], type="schoenfeld", weighted=True),
    _derived("coxph_residuals", "scaledsch-weighted", _DERIVED_FITS[8], type="scaledsch", weighted=True),
    *[_derived("coxph_residuals", f"{t}-collapse-id", _DERIVED_FITS[7], type=t, collapse="id")
      for t in ("martingale", "deviance", "score", "dfbeta", "dfbetas", "partial", "schoenfeld")],
    _derived("coxph_residuals", "dfbeta-collapse-inst", _DERIVED_FITS[4], type="dfbeta", collapse="inst"),
    # one event and two coefficients: R's scaledsch fails (drop() of the one-row matrix)
    Case("coxph_residuals/lung-one-event-scaledsch", "coxph_residuals", "lung",
         {"formula": "Surv(time, status) ~ age + sex", "subset": "time > 850", "type": "scaledsch"},
         run_coxph_residuals),
    Case("coxph_residuals/lung-one-event-schoenfeld", "coxph_residuals", "lung",
         {"formula": "Surv(time, status) ~ age + sex", "subset": "time > 850", "type": "schoenfeld"},
         run_coxph_residuals),
    # a missing value in collapse is a group of its own (rowsum's NA row, last)
    _derived("coxph_residuals", "martingale-collapse-inst-na", _DERIVED_FITS[0], type="martingale",
             collapse="inst"),
]

#: predict(fit, type=, se.fit=, reference=): the types, with and without se, each reference
PREDICT_CASES: list[Case] = [
    *[_derived("coxph_predict", f"{t}{'-se' if se else ''}", f, type=t, se_fit=se)
      for f in _DERIVED_FITS for t in ("lp", "risk", "expected", "terms", "survival") for se in (False, True)],
    *[_derived("coxph_predict", f"{t}-se-{ref}", f, type=t, se_fit=True, reference=ref)
      for f in (_DERIVED_FITS[1], _DERIVED_FITS[8]) for t in ("lp", "risk", "terms")
      for ref in ("strata", "sample", "zero")],
    _derived("coxph_predict", "terms-pick", _DERIVED_FITS[1], type="terms", terms=["factor(ph.ecog)"]),
    _derived("coxph_predict", "lp-se-collapse-id", _DERIVED_FITS[7], type="lp", se_fit=True, collapse="id"),
    _derived("coxph_predict", "expected-collapse-id", _DERIVED_FITS[7], type="expected", collapse="id"),
]

_NEW = {"age": [45, 60, 75], "sex": [1, 2, 1]}
_NEW_ECOG = {**_NEW, "ph.ecog": [0, 1, 2], "wt.loss": [0, 5, -2]}
# two subjects' covariate paths, (start, stop] as the fit's response; "b" has a gap (200, 250] and changes sex
_PATHS = {"tstart": [0, 100, 300, 0, 250], "time": [100, 300, 700, 200, 600], "status": [0, 0, 0, 0, 0],
          "age": [60, 61, 62, 50, 52], "sex": [1, 1, 1, 1, 2], "ph.ecog": [0, 1, 1, 2, 2], "who": ["a", "a", "a",
                                                                                                     "b", "b"]}

#: survfit(fit, newdata=): curves at the means and for new rows, every option
SURVFIT_COX_CASES: list[Case] = [
    *[_derived("survfit_cox", "means", f) for f in _DERIVED_FITS],
    *[_derived("survfit_cox", "newdata", f, newdata=_NEW_ECOG)
      for f in _DERIVED_FITS if f[1] in ("lung", "lung_split") and "strata(sex)" not in f[2]],
    _derived("survfit_cox", "kalbfleisch-prentice", _DERIVED_FITS[0], stype=1),
    _derived("survfit_cox", "kalbfleisch-prentice-breslow", _DERIVED_FITS[1], stype=1, newdata=_NEW_ECOG),
    _derived("survfit_cox", "ctype1", _DERIVED_FITS[0], ctype=1),
    _derived("survfit_cox", "ctype2-breslow-fit", _DERIVED_FITS[1], ctype=2),
    _derived("survfit_cox", "log-log-90", _DERIVED_FITS[0], conf_type="log-log", conf_int=0.9),
    *[_derived("survfit_cox", f"conf-{ct}", _DERIVED_FITS[0], conf_type=ct, newdata=_NEW_ECOG)
      for ct in ("plain", "logit", "arcsin", "none")],
    # the offset's variable is missing from newdata: R's "object not found"
    _derived("survfit_cox", "newdata-without-offset", _DERIVED_FITS[2], newdata=_NEW),
    _derived("survfit_cox", "no-se", _DERIVED_FITS[0], se_fit=False),
    _derived("survfit_cox", "censor-false", _DERIVED_FITS[1], censor=False),
    _derived("survfit_cox", "one-row", _DERIVED_FITS[0], newdata={"age": [60], "sex": [2], "ph.ecog": [1]}),
    # newdata naming the strata: each row's curve in its own stratum
    Case("survfit_cox/lung-strata-in-newdata", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + sex + strata(ph.ecog)", "newdata": _NEW_ECOG}, run_survfit_cox),
    Case("survfit_cox/lung-strata-not-in-newdata", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + sex + strata(ph.ecog)", "newdata": _NEW}, run_survfit_cox),
    Case("survfit_cox/lung-factor-newdata", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + factor(ph.ecog)", "newdata": _NEW_ECOG}, run_survfit_cox),
    # newdata without the first level: its factor must be read with the fit's levels, not its own
    Case("survfit_cox/lung-factor-newdata-later-levels", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + factor(ph.ecog)", "newdata": {"age": [50, 60], "ph.ecog": [2, 1]}},
         run_survfit_cox),
    Case("survfit_cox/lung-age-by-sex-newdata", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age * sex", "newdata": _NEW}, run_survfit_cox),
    Case("survfit_cox/lung-offset-newdata", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + offset(log(ph.karno))",
          "newdata": {"age": [50, 70], "ph.karno": [80, 100]}}, run_survfit_cox),
    # R refuses: a factor level the fit never saw, a stratum it does not have, a missing column
    Case("survfit_cox/lung-newdata-new-level", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + factor(ph.ecog)", "newdata": {"age": [50], "ph.ecog": [7]}},
         run_survfit_cox),
    Case("survfit_cox/lung-newdata-new-stratum", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + strata(ph.ecog)", "newdata": {"age": [50], "ph.ecog": [7]}},
         run_survfit_cox),
    Case("survfit_cox/lung-newdata-missing-column", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + sex", "newdata": {"age": [50]}}, run_survfit_cox),
    # id: one subject's covariate path over (start, stop] rows of newdata, a curve per id
    Case("survfit_cox/lung-split-id-paths", "survfit_cox", "lung_split",
         {"formula": "Surv(tstart, time, status) ~ age + sex", "newdata": _PATHS, "id": "who"}, run_survfit_cox),
    Case("survfit_cox/lung-split-id-strata-kp-events", "survfit_cox", "lung_split",
         {"formula": "Surv(tstart, time, status) ~ age + strata(sex)", "newdata": _PATHS, "id": "who",
          "stype": 1, "censor": False}, run_survfit_cox),
    Case("survfit_cox/lung-split-id-one-subject-breslow", "survfit_cox", "lung_split",
         {"formula": "Surv(tstart, time, status) ~ age + ph.ecog", "ties": "breslow", "conf_type": "log-log",
          "newdata": {k: v[:3] for k, v in _PATHS.items()}, "id": "who"}, run_survfit_cox),
    # R refuses: id for right-censored data, id without covariates
    Case("survfit_cox/lung-id-right-censored", "survfit_cox", "lung",
         {"formula": "Surv(time, status) ~ age + sex",
          "newdata": _NEW_ECOG | {"time": [100, 200, 300], "status": [1, 1, 2], "who": [1, 1, 2]}, "id": "who"},
         run_survfit_cox),
    Case("survfit_cox/lung-split-id-null-model", "survfit_cox", "lung_split",
         {"formula": "Surv(tstart, time, status) ~ 1", "newdata": _PATHS, "id": "who"}, run_survfit_cox),
    _derived("survfit_cox", "stype-3", _DERIVED_FITS[0], stype=3),
    # the array form: newdata by the columns of X
    _case("survfit_cox", "lung-array", "lung", _LUNG, ["age", "sex"]),
    _case("survfit_cox", "lung-array-strata-newdata", "lung", _LUNG, ["age", "sex"], strata="ph.ecog",
          newdata=_NEW),
    _case("survfit_cox", "veteran-array-factor-newdata", "veteran", _VET, ["trt", "celltype", "karno"],
          newdata={"trt": [1, 2], "celltype": ["squamous", "large"], "karno": [60, 80]}),
]

#: predict(fit, newdata=): new rows, every type R predicts for them, each reference
PREDICT_NEWDATA_CASES: list[Case] = [
    *[_derived("coxph_predict", f"newdata-{t}{'-se' if se else ''}{'-' + ref if ref else ''}", f, type=t,
               se_fit=se, reference=ref, newdata=_NEW_ECOG)
      for f in (_DERIVED_FITS[0], _DERIVED_FITS[1], _DERIVED_FITS[5], _DERIVED_FITS[7])
      for t in ("lp", "risk", "terms") for se in (False, True) for ref in (None, "sample", "zero")],
    Case("coxph_predict/lung-offset-factor-newdata-lp-se", "coxph_predict", "lung",
         {"formula": "Surv(time, status) ~ age + factor(ph.ecog) + offset(log(ph.karno))", "type": "lp",
          "se_fit": True, "newdata": {**_NEW_ECOG, "ph.karno": [70, 80, 90]}}, run_coxph_predict),
    Case("coxph_predict/veteran-celltype-newdata-terms-se", "coxph_predict", "veteran",
         {"formula": "Surv(time, status) ~ trt + celltype + karno", "type": "terms", "se_fit": True,
          "newdata": {"trt": [1, 2], "celltype": ["large", "adeno"], "karno": [60, 90]}}, run_coxph_predict),
    # expected events and survival over each new row's own follow-up (its response read in newdata)
    *[_derived("coxph_predict", f"newdata-{t}{'-se' if se else ''}", f, type=t, se_fit=se,
               newdata={**_NEW_ECOG, "time": [100, 400, 800], "status": [2, 1, 2], "ph.karno": [70, 80, 90],
                        "tstart": [0, 50, 300]})
      for f in (_DERIVED_FITS[0], _DERIVED_FITS[1], _DERIVED_FITS[2], _DERIVED_FITS[7], _DERIVED_FITS[8])
      for t in ("expected", "survival") for se in (False, True)],
    # R refuses: strata R needs but newdata lacks; a response it lacks for expected events
    _derived("coxph_predict", "newdata-without-strata", _DERIVED_FITS[1], type="lp", newdata=_NEW),
    _derived("coxph_predict", "newdata-expected-without-response", _DERIVED_FITS[0], type="expected",
             newdata=_NEW_ECOG),
    _case("coxph_predict", "lung-array-newdata-risk-se", "lung", _LUNG, ["age", "sex"], type="risk", se_fit=True,
          newdata=_NEW),
    _case("coxph_predict", "lung-array-strata-newdata", "lung", _LUNG, ["age", "sex"], strata="ph.ecog",
          type="lp", newdata=_NEW),
]

_NESTED = ["Surv(time, status) ~ age", "Surv(time, status) ~ age + sex", "Surv(time, status) ~ age * sex"]

#: anova(fit): terms added sequentially; anova(fit1, fit2, ...): nested fits; R's refusals
ANOVA_CASES: list[Case] = [
    *[_derived("coxph_anova", "terms", f) for f in _DERIVED_FITS],
    Case("coxph_anova/lung-nested-three", "coxph_anova", "lung", {"formula": _NESTED[0], "others": _NESTED[1:]},
         run_coxph_anova),
    Case("coxph_anova/lung-nested-breslow-reversed", "coxph_anova", "lung",
         {"formula": _NESTED[2], "others": _NESTED[:1], "ties": "breslow"}, run_coxph_anova),
    Case("coxph_anova/lung-nested-other-response", "coxph_anova", "lung",
         {"formula": _NESTED[0], "others": ["Surv(time, status == 2) ~ age + sex"]}, run_coxph_anova),
    Case("coxph_anova/lung-nested-different-rows", "coxph_anova", "lung",
         {"formula": _NESTED[0], "others": ["Surv(time, status) ~ age + ph.ecog"]}, run_coxph_anova),
    Case("coxph_anova/lung-offset-without-strata", "coxph_anova", "lung",
         {"formula": "Surv(time, status) ~ age + sex + offset(log(ph.karno))"}, run_coxph_anova),
    Case("coxph_anova/lung-offset-strata", "coxph_anova", "lung",
         {"formula": "Surv(time, status) ~ age + sex + strata(ph.ecog) + offset(log(ph.karno))"}, run_coxph_anova),
    Case("coxph_anova/lung-factor-interaction-weights", "coxph_anova", "lung",
         {"formula": "Surv(time, status) ~ age * factor(ph.ecog) + sex", "weights": "ph.karno"}, run_coxph_anova),
    _case("coxph_anova", "lung-array-strata", "lung", _LUNG, ["age", "sex", "ph.karno"], strata="inst"),
    # survival's tests/anova.R: a poly() term of 3 columns is one row of 3 df
    Case("coxph_anova/lung-poly-strata", "coxph_anova", "lung",
         {"formula": "Surv(time, status) ~ ph.ecog + wt.loss + strata(sex) + poly(age, 3)"}, run_coxph_anova),
]

_POLY = "Surv(time, status) ~ poly(age, 3) + sex"
#: poly(): orthogonal and raw polynomials (stats' poly, model.matrix's <label><k> columns), their
#: interactions, new rows through the fit's coefficients (makepredictcall), R's refusals
POLY_CASES: list[Case] = [
    _formula("coxph", "lung-poly", "lung", _POLY),
    _formula("coxph", "lung-poly-degree-raw-interaction", "lung",
             "Surv(time, status) ~ poly(age, degree = 2, raw = TRUE) + poly(age, 2):sex"),
    _formula("coxph", "lung-split-poly-counting", "lung_split", "Surv(tstart, time, status) ~ poly(age, 2) + sex"),
    _formula("coxph", "lung-poly-na", "lung", "Surv(time, status) ~ poly(wt.loss, 2)"),
    _formula("coxph", "lung-poly-degree-too-high", "lung", "Surv(time, status) ~ poly(sex, 2)"),
    Case("coxph_predict/lung-poly-newdata-lp-se", "coxph_predict", "lung",
         {"formula": _POLY, "type": "lp", "se_fit": True, "newdata": _NEW}, run_coxph_predict),
    Case("coxph_predict/lung-poly-terms-se", "coxph_predict", "lung",
         {"formula": _POLY, "type": "terms", "se_fit": True}, run_coxph_predict),
    Case("survfit_cox/lung-poly-newdata", "survfit_cox", "lung", {"formula": _POLY, "newdata": _NEW},
         run_survfit_cox),
    Case("coxph_residuals/lung-poly-partial", "coxph_residuals", "lung", {"formula": _POLY, "type": "partial"},
         run_coxph_residuals),
    Case("cox_zph/lung-poly", "cox_zph", "lung", {"formula": _POLY}, run_cox_zph),
]

_NS = "Surv(time, status) ~ ns(age, df = 3) + sex"
_BS = "Surv(time, status) ~ bs(age, knots = c(55, 65), degree = 2, Boundary.knots = c(45, 75))"
#: splines' ns() and bs(): knots from df (R's quantiles), given knots and boundary knots, x beyond them
#: (ns linear, bs's Taylor expansion with R's warning), new rows through the fit's knots
SPLINE_CASES: list[Case] = [
    _formula("coxph", "lung-ns-df", "lung", _NS),
    _formula("coxph", "lung-ns-knots-boundary", "lung",
             "Surv(time, status) ~ ns(age, knots = c(50, 60, 70), Boundary.knots = c(45, 75)) + strata(sex)"),
    _formula("coxph", "lung-ns-missing-values", "lung", "Surv(time, status) ~ ns(wt.loss, 3) + age"),
    _formula("coxph", "lung-bs-df", "lung", "Surv(time, status) ~ bs(age, df = 5) + sex"),
    _formula("coxph", "lung-bs-beyond-boundary", "lung", _BS),
    _formula("coxph", "lung-split-ns-counting", "lung_split", "Surv(tstart, time, status) ~ ns(age, 2) + sex"),
    Case("coxph_predict/lung-ns-newdata-risk-se", "coxph_predict", "lung",
         {"formula": _NS, "type": "risk", "se_fit": True,
          "newdata": {"age": [35, 60, 85], "sex": [1, 2, 1]}}, run_coxph_predict),
    Case("coxph_predict/lung-bs-newdata-lp", "coxph_predict", "lung",
         {"formula": _BS, "type": "lp", "newdata": {"age": [40, 60, 80]}}, run_coxph_predict),
    Case("survfit_cox/lung-ns-newdata", "survfit_cox", "lung", {"formula": _NS, "newdata": _NEW}, run_survfit_cox),
    Case("coxph_anova/lung-ns", "coxph_anova", "lung", {"formula": _NS}, run_coxph_anova),
]

_OWN = {"ns2": ["x", "ns(x, Boundary.knots = c(35, 85), knots = c(55, 65))"], "lg": [["v", "b"], "log(v + b)"]}
#: the formula's own functions (rparity_contract.formula.Formula), as a script's helpers: the same fit
#: and labels as R's, new rows through the inner ns()'s knots
CASES_OWN_FUNCTIONS: list[Case] = [
    _formula("coxph", "lung-own-functions", "lung", "Surv(time, status) ~ ns2(age) + lg(ph.karno, b = 10) + sex",
             functions=_OWN),
    Case("coxph_predict/lung-own-function-newdata", "coxph_predict", "lung",
         {"formula": "Surv(time, status) ~ ns2(age) + sex", "functions": _OWN, "type": "lp", "se_fit": True,
          "newdata": {"age": [30, 60, 90], "sex": [1, 2, 1]}}, run_coxph_predict),
    _formula("coxph", "lung-own-function-missing-argument", "lung", "Surv(time, status) ~ lg(age) + sex",
             functions=_OWN),
]
SPLINE_CASES += CASES_OWN_FUNCTIONS

CASES += EDGE_CASES
CASES += FORMULA_CASES
CASES += ANOVA_CASES
CASES += POLY_CASES
CASES += SPLINE_CASES
#: coxph.detail(fit) on every fit (R refuses the exact method and the null model)
CASES += [_derived("coxph_detail", "detail", f) for f in _DERIVED_FITS]
CASES += PREDICT_NEWDATA_CASES
CASES += SURVFIT_COX_CASES
CASES += RESIDUAL_CASES
CASES += PREDICT_CASES


def run_clogit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """A clogit fit's quantities: those of the coxph fit it is."""
    return run_coxph(engine, data, {**p, "clogit": True})


def _clogit(id_: str, formula: str, **extra: Any) -> Case:
    return Case(f"clogit/{id_}", "clogit", "infert", {"formula": formula, **extra}, run_clogit)


#: clogit on R's infert: one case per matched set, and (pooled.stratum) several, where the methods differ
CLOGIT_CASES: list[Case] = [
    _clogit("infert-exact", "case ~ spontaneous + induced + strata(stratum)"),
    *[_clogit(f"infert-pooled-{m}", "case ~ spontaneous + induced + education + strata(pooled.stratum)", method=m)
      for m in ("exact", "approximate", "efron")],
    _clogit("infert-weights-exact-ignored", "case ~ spontaneous + strata(pooled.stratum)", weights="age"),
    _clogit("infert-weights-breslow-subset", "case ~ spontaneous + induced + strata(pooled.stratum)",
            weights="age", method="breslow", subset="age < 40"),
    # R refuses a robust variance with the exact method
    _clogit("infert-cluster-exact", "case ~ spontaneous + strata(stratum) + cluster(pooled.stratum)"),
]
CASES += CLOGIT_CASES
