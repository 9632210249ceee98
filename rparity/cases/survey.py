"""Parity cases of ``svycoxph`` (survey 4.1-1): design-based Cox regression on
R's lung data with sampling weights, clusters (institutions), strata (sex),
clusters nested in strata, Breslow ties, rows dropped for missing values, and
R's refusals (clusters not nested in strata, a stratum with one cluster,
negative and missing weights)."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_svycoxph"]


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
    return d


def run_svycoxph(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
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
    # R's refusals
    _case("lung-not-nested-refused", _F, ids="inst0", strata="sex"),
    _case("lung-lonely-stratum-refused", _F, strata="sex", lonely_stratum=True),
    _case("lung-negative-weight-refused", _F, negative_weight=True),
    _case("lung-missing-weight-refused", _F, missing_weight=True),
]
