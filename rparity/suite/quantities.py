"""R's numbers (as captured) and an engine's result, as ``{quantity: value}``
under the tolerance table's names (``coef``, ``var``, ``surv``...), in R's shapes."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["QUANTITIES"]


def _scalar(v: Any) -> float:
    return float(np.asarray(v, dtype=float).ravel()[0])


def _r_coxph(r: dict) -> dict:
    out: dict[str, Any] = {"loglik": np.atleast_1d(r["loglik"]), "n": r["n"], "nevent": r["nevent"],
                           "n_dropped": r["n_dropped"]}
    if isinstance(r.get("iter"), (int, float)):  # the null model has none
        out["iterations"] = r["iter"]
    if "coef" in r:
        names = r["names"]
        out["names"] = (names,) if isinstance(names, str) else tuple(names)
        out["coef"] = np.atleast_1d(r["coef"])
        p = out["coef"].size
        out["var"] = np.asarray(r["var"], dtype=float).reshape(p, p)
        out["means"] = np.atleast_1d(r["means"])
        if "score" in r:
            out["score_test.statistic"] = _scalar(r["score"])
        if "wald" in r:
            out["wald_test.statistic"] = _scalar(r["wald"])
        if "naive_var" in r:
            out["naive_var"] = np.asarray(r["naive_var"], dtype=float).reshape(p, p)
        if "rscore" in r:
            out["robust_score_test.statistic"] = _scalar(r["rscore"])
    if "concordance" in r:
        v = np.atleast_1d(r["concordance"])
        out.update({"concordance.concordant": v[0], "concordance.discordant": v[1], "concordance.tied_x": v[2],
                    "concordance.tied_y": v[3], "concordance.tied_xy": v[4], "concordance.c": v[5],
                    "concordance.std": v[6]})
    return out


def _engine_coxph(fit, r: dict) -> dict:
    out: dict[str, Any] = {"loglik": np.atleast_1d(fit.loglik), "n": fit.n, "nevent": fit.nevent,
                           "iterations": fit.iterations, "n_dropped": fit.n_dropped}
    if "coef" in r:
        out.update({"names": tuple(fit.names), "coef": fit.coef, "var": fit.var, "means": fit.means})
        if fit.score_test is not None:
            out["score_test.statistic"] = fit.score_test.statistic
        if fit.wald_test is not None:
            out["wald_test.statistic"] = fit.wald_test.statistic
        if fit.naive_var is not None:
            out["naive_var"] = fit.naive_var
        if fit.robust_score_test is not None:
            out["robust_score_test.statistic"] = fit.robust_score_test.statistic
    if fit.concordance is not None:
        k = fit.concordance
        out.update({"concordance.concordant": k.concordant, "concordance.discordant": k.discordant,
                    "concordance.tied_x": k.tied_x, "concordance.tied_y": k.tied_y,
                    "concordance.tied_xy": k.tied_xy, "concordance.c": k.c, "concordance.std": k.std})
    return out


_KM = ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err", "std_chaz", "lower", "upper")


def _r_survfit(r: dict) -> dict:
    out: dict[str, Any] = {k: np.atleast_1d(r[k]) for k in _KM if k in r}
    if "strata" in r:  # names(fit$strata), and each curve's number of rows
        names = (r["strata"],) if isinstance(r["strata"], str) else tuple(r["strata"])
        out["strata"] = tuple(n for n, k in zip(names, np.atleast_1d(r["strata_n"])) for _ in range(int(k)))
    return out


def _engine_survfit(fit, r: dict) -> dict:
    out: dict[str, Any] = {k: np.asarray(getattr(fit, k)) for k in _KM if k in r}
    if "strata" in r:
        out["strata"] = fit.strata
    return out


_MS = ("time", "n_risk", "n_event", "n_censor", "pstate", "cumhaz", "std_err", "lower", "upper")


def _r_survfit_ms(r: dict) -> dict:
    out: dict[str, Any] = {k: np.asarray(r[k], dtype=float) for k in _MS if k in r}
    for k in ("p0", "sp0", "influence_pstate"):  # R's vectors (column-major: a curve's values in turn)
        if k in r:
            out[k] = np.atleast_1d(np.asarray(r[k], dtype=float)).reshape(-1)
    out["states"] = (r["states"],) if isinstance(r["states"], str) else tuple(r["states"])
    if "strata" in r:
        names = (r["strata"],) if isinstance(r["strata"], str) else tuple(r["strata"])
        out["strata"] = tuple(n for n, k in zip(names, np.atleast_1d(r["strata_n"])) for _ in range(int(k)))
    return out


def _engine_survfit_ms(fit, r: dict) -> dict:
    out: dict[str, Any] = {k: _shaped(getattr(fit, k), r[k]) for k in _MS if k in r}
    out["states"] = tuple(fit.states)
    if "strata" in r:
        out["strata"] = fit.strata
    for k in ("p0", "sp0"):
        if k in r and getattr(fit, k) is not None:
            out[k] = np.asarray(getattr(fit, k), dtype=float).reshape(-1, order="F")
    if "influence_pstate" in r and fit.influence_pstate is not None:
        out["influence_pstate"] = np.concatenate([a.reshape(-1, order="F") for a in fit.influence_pstate])
    return out


def _r_survdiff(r: dict) -> dict:
    groups = r["groups"] or ()
    return {"groups": (groups,) if isinstance(groups, str) else tuple(groups), "n": np.atleast_1d(r["n"]),
            "obs": np.atleast_1d(r["obs"]), "exp": np.atleast_1d(r["exp"]),
            "var": np.asarray(r["var"], dtype=float), "chisq": _scalar(r["chisq"]), "pvalue": _scalar(r["pvalue"])}


def _engine_survdiff(fit, r: dict) -> dict:
    return {"groups": tuple(fit.groups), "n": np.asarray(fit.n, dtype=float), "obs": np.asarray(fit.obs),
            "exp": np.asarray(fit.exp), "var": _shaped(fit.var, r["var"]), "chisq": fit.chisq,
            "pvalue": fit.pvalue}


_COXSURV = ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err", "lower", "upper")


def _r_survfit_cox(r: dict) -> dict:
    t = np.atleast_1d(r["time"]).size
    out = {k: np.asarray(r[k], dtype=float) for k in _COXSURV if k in r}
    for k in ("surv", "cumhaz", "std_err", "lower", "upper"):  # one curve: R's vector is a column
        if k in out:
            out[k] = out[k].reshape(t, -1, order="F")
    if "strata" in r:
        out["strata"] = (r["strata"],) if isinstance(r["strata"], str) else tuple(r["strata"])
    return out


def _engine_survfit_cox(fit, r: dict) -> dict:
    out = {k: None if getattr(fit, k) is None else np.asarray(getattr(fit, k), dtype=float)
           for k in _COXSURV if k in r}
    if "strata" in r:
        out["strata"] = None if fit.strata is None else tuple(fit.strata)
    return out


def _shaped(values: Any, like: Any) -> np.ndarray:
    """The engine's array in R's shape (R drops a one-column matrix to a vector)."""
    v = np.asarray(values, dtype=float)
    want = np.shape(like)
    return v.reshape(want) if v.size == int(np.prod(want)) else v


def _r_residuals(r: dict) -> dict:
    return {"values": np.asarray(r["values"], dtype=float)}


def _engine_residuals(res, r: dict) -> dict:
    return {"values": _shaped(res.values, r["values"])}


def _r_predict(r: dict) -> dict:
    out = {"values": np.asarray(r["values"], dtype=float)}
    if "se" in r:
        out["se"] = np.asarray(r["se"], dtype=float)
    return out


def _engine_predict(res, r: dict) -> dict:
    out = {"values": _shaped(res.values, r["values"])}
    if "se" in r:
        out["se"] = None if res.se is None else _shaped(res.se, r["se"])
    return out


def _r_zph(r: dict) -> dict:
    terms = r["terms"]
    return {"terms": (terms,) if isinstance(terms, str) else tuple(terms),
            "chisq": np.atleast_1d(r["chisq"]), "df": np.atleast_1d(r["df"]), "p": np.atleast_1d(r["p"])}


def _engine_zph(z, r: dict) -> dict:
    return {"terms": tuple(z.terms), "chisq": np.atleast_1d(z.chisq), "df": np.atleast_1d(z.df).astype(float),
            "p": np.atleast_1d(z.p)}


def _r_concordance(r: dict) -> dict:
    k = np.asarray(r["count"], dtype=float)
    out: dict = {}
    if k.ndim == 2:  # kept per stratum (keepstrata): the totals are their sums
        out["count_strata"] = k
        k = k.sum(axis=0)
    k = np.atleast_1d(k)
    out.update({"c": _scalar(r["c"]), "std": float(np.sqrt(_scalar(r["var"]))), "concordant": k[0],
                "discordant": k[1], "tied_x": k[2], "tied_y": k[3], "tied_xy": k[4]})
    return out


def _engine_concordance(c, r: dict) -> dict:
    out = {"c": c.c, "std": c.std, "concordant": c.concordant, "discordant": c.discordant, "tied_x": c.tied_x,
           "tied_y": c.tied_y, "tied_xy": c.tied_xy}
    if np.asarray(r["count"]).ndim == 2:
        out["count_strata"] = c.count_strata
    return out


_DETAIL = ("time", "nevent", "nrisk", "hazard", "varhaz", "means", "score", "imat")


def _r_detail(r: dict) -> dict:
    return {k: np.asarray(r[k], dtype=float) for k in _DETAIL}


def _engine_detail(d, r: dict) -> dict:
    out = {k: _shaped(getattr(d, k), r[k]) for k in _DETAIL if k != "imat"}
    # R's imat is (p, p, times); the contract's (times, p, p)
    imat = np.asarray(d.imat, dtype=float)
    out["imat"] = _shaped(np.moveaxis(imat, 0, -1), r["imat"])
    return out



def _r_tmerge(r: dict) -> dict:
    from ..cases.tmerge import tmerge_quantities

    return tmerge_quantities(r["data"], r["tcount"], r["tcount_terms"], (r["idname"], r["tstartname"],
                             r["tstopname"]), r["events"], r["censors"], r["tdcvars"], r["column_classes"])


def _engine_tmerge(t, r: dict) -> dict:
    from ..cases.tmerge import tmerge_quantities

    return tmerge_quantities(t.data, t.tcount, t.tcount_terms, (t.idname, t.tstartname, t.tstopname), t.events,
                             t.censors, t.tdcvars, t.column_classes)


def _names(v: Any) -> tuple:
    return () if v is None or (isinstance(v, list) and not v) else (v,) if isinstance(v, str) else tuple(v)


_SURVREG_NUM = ("loglik", "icoef", "linear_predictors", "means")


def _r_survreg(r: dict) -> dict:
    out: dict[str, Any] = {k: np.atleast_1d(np.asarray(r[k], dtype=float)) for k in _SURVREG_NUM}
    out.update({"names": _names(r["names"]), "scale_names": _names(r.get("scale_names")),
                "coef": np.atleast_1d(np.asarray(r["coef"] if r["coef"] is not None else [], dtype=float)),
                "scale": np.atleast_1d(np.asarray(r["scale"], dtype=float)), "iterations": int(r["iter"]),
                "df": _scalar(r["df"]), "idf": _scalar(r["idf"]), "df_residual": _scalar(r["df_residual"]),
                "n": out["linear_predictors"].size, "n_dropped": r["n_dropped"]})
    k = int(round(np.sqrt(np.size(r["var"]))))
    out["var"] = np.asarray(r["var"], dtype=float).reshape(k, k)
    if "naive_var" in r:
        out["naive_var"] = np.asarray(r["naive_var"], dtype=float).reshape(k, k)
    if "dist" in r:
        out["dist"] = r["dist"]
    return out


def _engine_survreg(fit, r: dict) -> dict:
    out: dict[str, Any] = {k: np.atleast_1d(np.asarray(getattr(fit, k), dtype=float)) for k in _SURVREG_NUM}
    out.update({"names": tuple(fit.names), "scale_names": tuple(fit.scale_names), "coef": np.asarray(fit.coef),
                "scale": np.asarray(fit.scale, dtype=float), "iterations": fit.iterations, "df": float(fit.df),
                "idf": float(fit.idf), "df_residual": fit.df_residual, "n": fit.n, "n_dropped": fit.n_dropped,
                "var": np.asarray(fit.var, dtype=float)})
    if "naive_var" in r:
        out["naive_var"] = fit.naive_var
    if "dist" in r:
        out["dist"] = fit.dist
    return out


def _matrix_columns(r: dict) -> bool:
    """R's colnames are the contract's ``columns`` for type="matrix" (g, dg, ...); a dfbeta matrix's are the
    dimnames its variance happened to carry (R names fit$var only in some fits), not a contract quantity."""
    return _names(r.get("columns"))[:1] == ("g",)


def _r_survreg_residuals(r: dict) -> dict:
    out: dict[str, Any] = {"values": np.asarray(r["values"], dtype=float)}
    if _matrix_columns(r):
        out["columns"] = _names(r["columns"])
    return out


def _engine_survreg_residuals(res, r: dict) -> dict:
    out: dict[str, Any] = {"values": _shaped(res.values, r["values"])}
    if _matrix_columns(r):
        out["columns"] = tuple(res.columns)
    return out


def _engine_survreg_predict(res, r: dict) -> dict:
    out = {"fit": _shaped(res.fit, r["values"])}
    if "se" in r:
        out["se_fit"] = None if res.se_fit is None else _shaped(res.se_fit, r["se"])
    return out


def _r_survreg_predict(r: dict) -> dict:
    out = {"fit": np.asarray(r["values"], dtype=float)}
    if "se" in r:
        out["se_fit"] = np.asarray(r["se"], dtype=float)
    return out


#: function -> (R's quantities from the captured result, the engine's from its result and R's)
QUANTITIES: dict[str, tuple[Callable[[dict], dict], Callable[[Any, dict], dict]]] = {
    "coxph": (_r_coxph, _engine_coxph),
    "survfit": (_r_survfit, _engine_survfit),
    "survfit_ms": (_r_survfit_ms, _engine_survfit_ms),
    "survdiff": (_r_survdiff, _engine_survdiff),
    "survfit_cox": (_r_survfit_cox, _engine_survfit_cox),
    "coxph_residuals": (_r_residuals, _engine_residuals),
    "coxph_predict": (_r_predict, _engine_predict),
    "cox_zph": (_r_zph, _engine_zph),
    "concordance": (_r_concordance, _engine_concordance),
    "coxph_detail": (_r_detail, _engine_detail),
    "tmerge": (_r_tmerge, _engine_tmerge),
    "survreg": (_r_survreg, _engine_survreg),
    "survreg_predict": (_r_survreg_predict, _engine_survreg_predict),
    "survreg_residuals": (_r_survreg_residuals, _engine_survreg_residuals),
}
