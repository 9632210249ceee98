"""Parity cases of ``cuminc`` (cmprsk 2.2-11): cumulative incidence curves and
Gray's test on survival's competing-risks data (``mgus2``: malignancy or
death; ``pbc``: transplant or death, with missing treatment arms), with groups,
strata, rho, a factor status, another censoring code, and R's refusal of data
without a failure; and of ``crr`` (Fine-Gray regression) with its ``summary``
and ``predict``: censoring groups, time functions, another failure code,
missing values, a fit stopped before convergence, and R's refusals."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_cuminc", "run_crr", "CRR_TF"]


def _status(d: pd.DataFrame, p: Mapping[str, Any]) -> tuple[np.ndarray, Any]:
    if p["events"] == "mgus2":  # survival's vignette: the first of malignancy (1) and death (2)
        t = np.where(d["pstat"] == 0, d["futime"], d["ptime"]).astype(float)
        s = np.where(d["pstat"] == 0, 2 * d["death"], 1).astype(float)
    else:  # pbc: 0 censored, 1 transplant, 2 dead
        t, s = d["time"].to_numpy(float), d["status"].to_numpy(float)
    if p.get("factor_status"):
        return t, pd.Categorical.from_codes(s.astype(int), ["censor", "transplant", "death"])
    if p.get("all_censored"):
        s = np.zeros_like(s)
    return t, s


def run_cuminc(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    t, s = _status(data, p)
    kw: dict[str, Any] = {k: p[k] for k in ("rho", "cencode") if k in p}
    for key in ("group", "strata"):
        if p.get(key):
            kw[key] = data[p[key]]
    res = engine.cuminc(t, s, **kw)
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def _case(id_: str, dataset: str, events: str, **extra: Any) -> Case:
    return Case(f"cuminc/{id_}", "cuminc", dataset, {"events": events, **extra}, run_cuminc)


CASES = [
    _case("mgus2", "mgus2", "mgus2"),
    _case("mgus2-sex", "mgus2", "mgus2", group="sex"),
    _case("mgus2-sex-rho1", "mgus2", "mgus2", group="sex", rho=1.0),
    _case("pbc-trt", "pbc", "pbc", group="trt"),
    _case("pbc-trt-strata-sex", "pbc", "pbc", group="trt", strata="sex"),
    _case("pbc-stage-rho-half", "pbc", "pbc", group="stage", rho=0.5),
    _case("pbc-factor-status", "pbc", "pbc", factor_status=True, cencode="censor", group="sex"),
    _case("pbc-death-as-censoring", "pbc", "pbc", cencode=2, group="trt"),
    _case("pbc-no-failure-refused", "pbc", "pbc", all_censored=True),
]


# -- crr --------------------------------------------------------------------------------------

#: the time functions a case may name (crr's tf, evaluated at the distinct failure times)
CRR_TF = {
    "log": lambda u: np.log(u),
    "years": lambda u: u / 365.25,
    "years-and-after-1000": lambda u: np.column_stack([u / 365.25, (u > 1000).astype(float)]),
}

CRR_SUMMARY_COLUMNS = ("coef", "exp(coef)", "se(coef)", "z", "p-value", "exp(-coef)", "2.5%", "97.5%")


def _crr_covariates(d: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = {}
    for c in cols:
        if c == "male":
            out[c] = (d["sex"].astype(str).str.lower().str[0] == "m").astype(float)
        elif c == "sex-text":
            out["sex"] = d["sex"].astype(str).to_numpy(dtype=object)
        else:
            out[c] = d[c].astype(float)
    return pd.DataFrame(out)


def run_crr(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    t, s = _status(data, p)
    kw: dict[str, Any] = {k: p[k] for k in ("failcode", "cencode", "maxiter", "gtol", "variance", "na_action")
                          if k in p}
    if p.get("cov2"):
        kw["cov2"] = _crr_covariates(data, p["cov2"])
        kw["tf"] = CRR_TF[p["tf"]]
    if p.get("cengroup"):
        kw["cengroup"] = data[p["cengroup"]]
    cov1 = _crr_covariates(data, p["cov1"]) if p.get("cov1") else None
    fit = engine.crr(t, s, cov1, **kw)
    out = dict(fit.quantities())
    out["messages"] = tuple(fit.messages)
    if fit.converged and p.get("variance", True):
        from .base import derived_quantities

        out.update(derived_quantities("summary.", lambda: engine.crr_summary(fit), CRR_SUMMARY_COLUMNS,
                                      "crr_summary"))
        # the first three rows with every covariate known
        full = np.hstack([c.to_numpy(float) for c in (cov1, kw.get("cov2")) if c is not None])
        rows = np.flatnonzero(np.isfinite(full).all(axis=1))[:3]
        x1 = None if cov1 is None else cov1.to_numpy(float)[rows]
        x2 = kw["cov2"].to_numpy(float)[rows] if "cov2" in kw else None
        out.update(derived_quantities("predict.", lambda: _predict(engine, fit, x1, x2), ("time", "cif"),
                                      "crr_predict"))
    return out


def _predict(engine: Any, fit: Any, x1: Any, x2: Any) -> dict[str, Any]:
    pr = engine.crr_predict(fit, x1, x2)
    return {"time": pr.time, "cif": pr.cif}


def _crr(id_: str, dataset: str, events: str, cov1: list[str], **extra: Any) -> Case:
    return Case(f"crr/{id_}", "crr", dataset, {"events": events, "cov1": cov1, **extra}, run_crr)


CASES += [
    _crr("mgus2-sex-age", "mgus2", "mgus2", ["male", "age"]),
    _crr("mgus2-death-failcode2", "mgus2", "mgus2", ["male", "age"], failcode=2),
    _crr("mgus2-hgb-missing-dropped", "mgus2", "mgus2", ["male", "age", "hgb"]),
    _crr("mgus2-cengroup-sex", "mgus2", "mgus2", ["age", "mspike"], cengroup="sex"),
    _crr("pbc-transplant", "pbc", "pbc", ["age", "bili"]),
    _crr("pbc-death-failcode2-cengroup-trt", "pbc", "pbc", ["age", "bili", "albumin"], failcode=2, cengroup="trt"),
    _crr("pbc-death-tf-log", "pbc", "pbc", ["age", "bili"], cov2=["bili"], tf="log", failcode=2),
    _crr("pbc-death-tf-step", "pbc", "pbc", ["age", "edema"], cov2=["age", "edema"], tf="years-and-after-1000",
         failcode=2),
    _crr("pbc-death-cencode-transplant", "pbc", "pbc", ["age", "bili"], failcode=2, cencode=1),
    _crr("pbc-maxiter1-not-converged", "pbc", "pbc", ["age", "bili", "albumin"], maxiter=1),
    _crr("pbc-variance-false", "pbc", "pbc", ["age", "bili"], failcode=2, variance=False),
    _crr("pbc-no-failure-refused", "pbc", "pbc", ["age"], failcode=5),
    _crr("pbc-na-fail-refused", "pbc", "pbc", ["age", "chol"], na_action="fail"),
    _crr("pbc-text-covariate-refused", "pbc", "pbc", ["age", "sex-text"]),
]
