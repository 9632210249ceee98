"""Parity cases of ``matching_match`` (Matching 4.10-8 ``Match``) on MatchIt's
``lalonde`` (614 rows, 185 treated): the propensity score of
``treat ~ age + educ + black + married + nodegree + re74 + re75`` fitted by the
engine's own ``glm_logit`` (identical to R's glm on these data), or its linear
predictor, as X; ATT, ATE and ATC; M = 1, 2, 3; with and without replacement;
ties broken at random with a seed; calipers; the Mahalanobis metric on two
columns; exact matching on one column; the within-group variance (Var.calc);
Y = NULL; a caliper nothing passes (R's NA); and R's refusals of a treatment
that is not 0/1 and of a missing value in X."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_matching_match", "lalonde_covariates"]

_COVS = ("age", "educ", "black", "married", "nodegree", "re74", "re75")


def lalonde_covariates(d: pd.DataFrame) -> pd.DataFrame:
    """The propensity model's covariates (``black`` from ``race``)."""
    out = pd.DataFrame({c: d[c] for c in _COVS if c != "black"})
    out.insert(2, "black", (d["race"] == "black").astype(int))
    return out[list(_COVS)]


def run_matching_match(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    fit = engine.glm_logit(lalonde_covariates(data), data["treat"])
    score = np.asarray(fit.fitted if p.get("score", "ps") == "ps" else fit.linear_predictor, dtype=float)
    cols = [score] + [data[c].to_numpy(dtype=float) for c in p.get("with", ())]
    X = np.column_stack(cols) if len(cols) > 1 else score
    if p.get("na_x"):
        X = X.copy()
        X[3] = np.nan
    tr = data["treat"].to_numpy()
    if p.get("tr_times_two"):
        tr = tr * 2
    Y = data["re78"].to_numpy(dtype=float) if p.get("y", True) else None
    res = engine.matching_match(Y, tr, X, **dict(p.get("kw", {})))
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def _case(id_: str, **params: Any) -> Case:
    return Case(f"matching_match/{id_}", "matching_match", "lalonde", params, run_matching_match)


CASES = [
    _case("att"),
    _case("ate", kw={"estimand": "ATE"}),
    _case("atc", kw={"estimand": "ATC"}),
    _case("att-m2", kw={"M": 2}),
    _case("ate-m2-lp", score="lp", kw={"estimand": "ATE", "M": 2}),
    _case("att-no-replace", kw={"replace": False, "seed": 42}),
    _case("atc-no-replace-m2", kw={"estimand": "ATC", "replace": False, "M": 2, "seed": 7}),
    _case("att-ties-false", kw={"ties": False, "seed": 3}),
    _case("att-caliper", kw={"caliper": 0.1}),
    _case("ate-caliper", kw={"estimand": "ATE", "caliper": 0.05}),
    _case("att-lp-caliper-m3", score="lp", kw={"caliper": 0.01, "M": 3}),
    _case("att-mahalanobis-age", score="lp", **{"with": ["age"]}, kw={"weight": 2}),
    _case("ate-mahalanobis-age-varcalc", score="lp", **{"with": ["age"]}, kw={"weight": 2, "estimand": "ATE",
                                                                              "var_calc": 2}),
    _case("att-exact-married", **{"with": ["married"]}, kw={"exact": [False, True]}),
    _case("atc-exact-married-caliper", **{"with": ["married"]}, kw={"exact": [False, True], "caliper": 0.2,
                                                                    "estimand": "ATC"}),
    _case("att-varcalc", kw={"var_calc": 2}),
    _case("att-sample", kw={"sample": True}),
    _case("att-y-null", y=False),
    _case("att-y-null-m2-caliper", y=False, kw={"M": 2, "caliper": 0.1}),
    _case("att-m-not-whole", kw={"M": 1.5}),
    _case("att-caliper-nothing-matches", kw={"caliper": 0.0}),
    _case("tr-not-binary-refused", tr_times_two=True),
    _case("na-in-x-refused", na_x=True),
]
