"""Parity cases of ``ps_weights`` and ``weighted_balance``: inverse-probability
weights (ATE, ATT, ATC; every binomial link; stabilised; trimmed at a
quantile or a count, above or on both sides) on ``lalonde`` and the bundled
study cohort, a propensity model that separates the arms (R's glm warning),
the refusals (stabilised ATT, a trimming point out of range, an unknown
estimand, the link scale), and the balance of the weighted samples."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_ps_weights", "run_weighted_balance"]

LALONDE_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
STUDY_COVS = ["age", "sex", "hbsag", "afp", "alt", "tbil", "plt", "wbc", "t_stage", "pm_count"]
_OPTIONS = ("estimand", "link", "stabilize", "trim", "trim_lower")


def _data(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """``treat_from = [column, value]``: a 0/1 column ``p["treat"]`` (1 where
    the column equals the value); ``separator``: a covariate that separates
    the arms (``age`` for the treated, ``-age`` for the controls: R's glm
    stops at 25 iterations with fitted probabilities numerically 0 or 1)."""
    out = data
    if "treat_from" in p:
        col, value = p["treat_from"]
        out = out.copy()
        out[p["treat"]] = (out[col] == value).astype(np.int64)
    if p.get("separator"):
        out = out.copy()
        out["separator"] = np.where(out[p["treat"]] == 1, out["age"], -out["age"]).astype(float)
    return out


def _covariates(p: Mapping[str, Any]) -> list[str]:
    return list(p["covariates"]) + (["separator"] if p.get("separator") else [])


def run_ps_weights(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _data(data, p)
    res = engine.ps_weights(d, p["treat"], _covariates(p), **{k: p[k] for k in _OPTIONS if k in p})
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def run_weighted_balance(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict[str, Any]:
    d = _data(data, p)
    est = p.get("estimand", "ATE")
    if p["weights"] == "ipw":  # the engine's own weights of the same propensity model
        w = engine.ps_weights(d, p["treat"], _covariates(p), estimand=est).weights
    elif p["weights"] == "controls_only":  # every treated weight zero: refused
        w = 1.0 - d[p["treat"]].to_numpy(dtype=float)
    else:
        w = d[p["weights"]].to_numpy(dtype=float)
    res = engine.weighted_balance(d, p["treat"], list(p.get("balance_covariates", p["covariates"])), w,
                                  estimand=est)
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def _ps(id_: str, dataset: str = "lalonde", **extra: Any) -> Case:
    params: dict[str, Any] = {"treat": "treat", "covariates": LALONDE_COVS}
    if dataset == "study_cohort":
        params = {"treat": "immuno", "treat_from": ["arm", "immuno"], "covariates": STUDY_COVS}
    return Case(f"ps_weights/{id_}", "ps_weights", dataset, {**params, **extra}, run_ps_weights)


def _bal(id_: str, dataset: str = "lalonde", **extra: Any) -> Case:
    params: dict[str, Any] = {"treat": "treat", "covariates": LALONDE_COVS, "weights": "ipw"}
    if dataset == "study_cohort":
        params = {"treat": "immuno", "treat_from": ["arm", "immuno"], "covariates": STUDY_COVS, "weights": "ipw"}
    return Case(f"weighted_balance/{id_}", "weighted_balance", dataset, {**params, **extra}, run_weighted_balance)


CASES: list[Case] = [
    _ps("lalonde-ate"),
    _ps("lalonde-att", estimand="ATT"),
    _ps("lalonde-atc", estimand="ATC"),
    _ps("lalonde-ate-stabilized", stabilize=True),
    _ps("lalonde-probit-trim90", link="probit", trim=0.9),
    _ps("lalonde-cloglog-trim95-lower", link="cloglog", trim=0.95, trim_lower=True),
    _ps("lalonde-cauchit-atc", link="cauchit", estimand="ATC"),
    _ps("lalonde-att-trim-top5-lower", estimand="ATT", trim=5, trim_lower=True),
    _ps("lalonde-ate-stabilized-trim99", stabilize=True, trim=0.99),
    _ps("study-att", "study_cohort", estimand="ATT"),
    _ps("study-ate-stabilized", "study_cohort", stabilize=True),
    _ps("lalonde-separated", covariates=["educ"], separator=True),
    _ps("lalonde-separated-att", covariates=["educ"], separator=True, estimand="ATT"),
    # refused by both, for the same reason
    _ps("stabilize-att-refused", estimand="ATT", stabilize=True),
    _ps("trim-below-half-refused", trim=0.3),
    _ps("trim-fractional-count-refused", trim=2.5),
    _ps("estimand-ato-refused", estimand="ATO"),
    _ps("link-scale-refused", link="linear.logit"),
    _ps("treat-not-binary-refused", treat="educ", covariates=["age", "re74"]),
    _bal("lalonde-ate"),
    _bal("lalonde-att", estimand="ATT"),
    _bal("lalonde-atc", estimand="ATC"),
    _bal("lalonde-column-weights", weights="educ", estimand="ATT"),
    _bal("study-att", "study_cohort", estimand="ATT"),
    _bal("zero-arm-refused", weights="controls_only"),
]
