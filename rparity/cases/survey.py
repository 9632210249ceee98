"""Parity cases of ``svycoxph`` (survey 4.1-1): design-based Cox regression on
R's lung data with sampling weights, clusters (institutions), strata (sex),
clusters nested in strata, Breslow ties, rows dropped for missing values, and
R's refusals (clusters not nested in strata, a stratum with one cluster,
negative and missing weights). The same designs for ``svykm``,
``svylogrank`` and ``svyglm`` on lung, pbc and the study cohort (inverse
arm-proportion weights, as an IPW analysis has them)."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_svycoxph", "run_svykm", "run_svylogrank", "run_svyglm"]


def _design_columns(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    d = data.copy()
    d["w"] = 1 + (d["age"] % 4) / 3  # unequal sampling weights, from a column (reproducible)
    d["inst0"] = d["inst"].fillna(0)
    d["inst_sex"] = d["inst0"] * 10 + d["sex"]  # institutions within sex: nested
    if p.get("negative_weight"):
        d.loc[5, "w"] = -1.0
    if p.get("missing_weight"):
        d.loc[5, "w"] = np.nan
    if p.get("lonely_stratum"):
        d["sex"] = np.where(np.arange(len(d)) == 0, 3, d["sex"])
    if p.get("zero_weights"):  # svycoxph's subset = weights > 0 drops them from the fit
        d.loc[[3, 10, 50, 120], "w"] = 0.0
    return d


def run_svycoxph(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _design_columns(data, p)
    kw = {k: p[k] for k in ("ids", "strata", "ties") if p.get(k) is not None}
    fit = engine.svycoxph(p["formula"], d, weights=None if p.get("no_weights") else "w", **kw)
    out = dict(fit.quantities())
    out["names"] = tuple(out["names"])
    out["warnings"] = tuple(fit.warnings)
    return out


def _case(id_: str, formula: str, **extra: Any) -> Case:
    return Case(f"svycoxph/{id_}", "svycoxph", "lung", {"formula": formula, **extra}, run_svycoxph)


_F = "Surv(time, status) ~ age + ph.ecog"
CASES = [
    _case("lung-weights", _F),
    _case("lung-clusters", _F, ids="inst0"),
    _case("lung-strata", _F, strata="sex"),
    _case("lung-nested-clusters-strata", _F, ids="inst_sex", strata="sex"),
    _case("lung-breslow-missing-rows", "Surv(time, status) ~ age + meal.cal + wt.loss", ties="breslow",
          ids="inst0"),
    _case("lung-factor-term", "Surv(time, status) ~ factor(ph.ecog) + sex", strata="sex"),
    _case("lung-no-weights", _F, ids="inst0", no_weights=True),
    _case("lung-zero-weights", _F, zero_weights=True),
    _case("lung-zero-weights-clusters-strata", "Surv(time, status) ~ ph.karno + sex", ids="inst_sex", strata="sex",
          zero_weights=True),
    _case("lung-zero-weights-strata-term-refused", "Surv(time, status) ~ age + strata(sex)", zero_weights=True),
    _case("lung-zero-weights-missing-refused", "Surv(time, status) ~ age + meal.cal", zero_weights=True),
    # R's refusals
    _case("lung-not-nested-refused", _F, ids="inst0", strata="sex"),
    _case("lung-lonely-stratum-refused", _F, strata="sex", lonely_stratum=True),
    _case("lung-negative-weight-refused", _F, negative_weight=True),
    _case("lung-missing-weight-refused", _F, missing_weight=True),
]


def _other_design(dataset: str, data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """The design columns: lung's (above); pbc's weights from age, clusters of 20 ids nested in the
    treatment arms (strata); the study cohort's inverse arm-proportion weights, strata the T stage."""
    if dataset == "lung":
        d = _design_columns(data, p)
        d["dead"] = d["status"] - 1
        d["count"] = d["time"] // 100
        return d
    d = data.copy()
    if dataset == "pbc":
        d["w"] = 1 + (d["age"].round() % 5) / 4
        d["trt0"] = d["trt"].fillna(0)
        d["cl"] = d["trt0"] * 100 + (d["id"] // 20)
        d["dead"] = (d["status"] == 2).astype(float)
    else:  # study_cohort
        share = d["arm"].map(d["arm"].value_counts(normalize=True))
        d["w"] = 1.0 / share
        d["cl"] = np.arange(len(d)) // 6
        d["t_stage"] = d["t_stage"].astype(str)
    if p.get("negative_weight"):
        d.loc[5, "w"] = -1.0
    return d


def run_svykm(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _other_design(p["dataset"], data, p)
    kw = {k: p[k] for k in ("ids", "strata", "se") if p.get(k) is not None}
    fit = engine.svykm(p["formula"], d, weights=None if p.get("no_weights") else "w", **kw)
    out = dict(fit.quantities())
    out["groups"] = tuple(out["groups"])
    out["warnings"] = tuple(fit.warnings)
    return out


def run_svylogrank(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _other_design(p["dataset"], data, p)
    kw = {k: p[k] for k in ("ids", "strata", "rho", "gamma", "method") if p.get(k) is not None}
    if p.get("complete"):
        d = d.dropna(subset=list(p["complete"])).reset_index(drop=True)
    res = engine.svylogrank(p["formula"], d, weights="w", **kw)
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def run_svyglm(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _other_design(p["dataset"], data, p)
    kw = {k: p[k] for k in ("ids", "strata", "family") if p.get(k) is not None}
    fit = engine.svyglm(p["formula"], d, weights="w", **kw)
    out = dict(fit.quantities())
    out["names"] = tuple(out["names"])
    out["warnings"] = tuple(fit.warnings)
    return out


def _km(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"svykm/{id_}", "svykm", dataset, {"formula": formula, "dataset": dataset, **extra}, run_svykm)


def _lr(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"svylogrank/{id_}", "svylogrank", dataset, {"formula": formula, "dataset": dataset, **extra},
                run_svylogrank)


def _glm(id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    return Case(f"svyglm/{id_}", "svyglm", dataset, {"formula": formula, "dataset": dataset, **extra}, run_svyglm)


_S = "Surv(time, status) ~ sex"
_STUDY = "Surv(os_months, os_death) ~ arm"
CASES += [
    _km("lung-weights", "lung", "Surv(time, status) ~ 1"),
    _km("lung-groups-se", "lung", _S, se=True),
    _km("lung-clusters-se", "lung", _S, ids="inst0", se=True),
    _km("lung-strata-missing-group-se", "lung", "Surv(time, status) ~ ph.ecog", strata="sex", se=True),
    _km("lung-nested-se", "lung", "Surv(time, status) ~ 1", ids="inst_sex", strata="sex", se=True),
    _km("lung-no-weights-se", "lung", _S, no_weights=True, se=True),
    _km("pbc-clusters-strata-se", "pbc", "Surv(time, status == 2) ~ trt", ids="cl", strata="trt0", se=True),
    _km("study-ipw-se", "study_cohort", _STUDY, ids="cl", se=True),
    _km("study-ipw-strata", "study_cohort", _STUDY, strata="t_stage"),
    _km("lung-lonely-stratum-no-se", "lung", _S, strata="sex", lonely_stratum=True),
    _km("lung-lonely-stratum-refused", "lung", _S, strata="sex", lonely_stratum=True, se=True),
    _km("lung-negative-weight-accepted", "lung", _S, negative_weight=True, se=True),
    _km("lung-not-nested-refused", "lung", _S, ids="inst0", strata="sex", se=True),
    _lr("lung-small", "lung", _S),
    _lr("lung-large-clusters", "lung", _S, ids="inst0", method="large"),
    _lr("lung-factor-strata-rho1", "lung", "Surv(time, status) ~ factor(ph.ecog)", strata="sex", rho=1,
        complete=["ph.ecog"]),
    _lr("lung-two-covariates-fh", "lung", "Surv(time, status) ~ age + sex", ids="inst_sex", strata="sex",
        rho=0.5, gamma=1.5, method="large"),
    _lr("pbc-clusters-strata", "pbc", "Surv(time, status == 2) ~ factor(trt)", ids="cl", strata="trt0",
        complete=["trt"]),
    _lr("study-ipw", "study_cohort", _STUDY, ids="cl"),
    _lr("study-ipw-large-gamma", "study_cohort", _STUDY, strata="t_stage", gamma=1, method="large"),
    _lr("lung-lonely-stratum-refused", "lung", _S, strata="sex", lonely_stratum=True),
    _lr("lung-negative-weight-refused", "lung", _S, negative_weight=True),
    # method = "score": svycoxph's one-step score test (expandlogrank with rho or gamma)
    _lr("lung-score", "lung", _S, method="score"),
    _lr("pbc-score-factor-clusters-strata", "pbc", "Surv(time, status == 2) ~ factor(stage)", ids="cl",
        strata="trt0", method="score"),
    _lr("lung-score-strata-term-clusters", "lung", "Surv(time, status) ~ sex + strata(ph.ecog)", ids="inst0",
        method="score"),
    _lr("study-score-factor-clusters", "study_cohort", "Surv(os_months, os_death) ~ factor(t_stage)", ids="cl",
        method="score"),
    _lr("lung-score-rho1-clusters", "lung", _S, ids="inst0", rho=1, method="score"),
    _lr("lung-score-gamma1-nested", "lung", _S, ids="inst_sex", strata="sex", gamma=1, method="score"),
    _lr("lung-score-fh-factor", "lung", "Surv(time, status) ~ factor(ph.ecog)", rho=0.5, gamma=0.5,
        complete=["ph.ecog"], ids="inst0", method="score"),
    _lr("lung-score-numeric-group-refused", "lung", "Surv(time, status) ~ ph.ecog", method="score"),
    _lr("lung-score-two-groups-refused", "lung", "Surv(time, status) ~ age + sex", method="score"),
    _lr("lung-score-fh-missing-refused", "lung", "Surv(time, status) ~ factor(ph.ecog)", rho=1, method="score"),
    _lr("lung-score-gamma-strata-term-refused", "lung", "Surv(time, status) ~ sex + strata(ph.ecog)", gamma=1,
        complete=["ph.ecog"], method="score"),
    _lr("lung-score-negative-weight-refused", "lung", _S, negative_weight=True, method="score"),
    _glm("lung-gaussian", "lung", "wt.loss ~ age + sex"),
    _glm("lung-gaussian-clusters", "lung", "wt.loss ~ age + factor(ph.ecog)", ids="inst0"),
    _glm("lung-quasibinomial-strata", "lung", "dead ~ age + ph.ecog", strata="sex"),
    _glm("lung-binomial-nested", "lung", "dead ~ age + sex", ids="inst_sex", strata="sex", family="binomial"),
    _glm("lung-quasipoisson", "lung", "count ~ age + sex + meal.cal", ids="inst0", family="quasipoisson"),
    _glm("lung-poisson", "lung", "count ~ age", family="poisson"),
    _glm("pbc-quasibinomial", "pbc", "dead ~ age + bili + factor(trt)", ids="cl", strata="trt0",
         family="quasibinomial"),
    _glm("study-ipw-gaussian", "study_cohort", "os_months ~ arm + age", ids="cl"),
    _glm("study-ipw-quasibinomial", "study_cohort", "os_death ~ arm + age", strata="t_stage",
         family="quasibinomial"),
    _glm("lung-lonely-stratum-refused", "lung", "wt.loss ~ age", strata="sex", lonely_stratum=True),
    _glm("lung-negative-weight-refused", "lung", "wt.loss ~ age", negative_weight=True),
    _glm("lung-binomial-y-refused", "lung", "status ~ age", family="binomial"),
]
