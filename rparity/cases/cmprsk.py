"""Parity cases of ``cuminc`` (cmprsk 2.2-11): cumulative incidence curves and
Gray's test on survival's competing-risks data (``mgus2``: malignancy or
death; ``pbc``: transplant or death, with missing treatment arms), with groups,
strata, rho, a factor status, another censoring code, and R's refusal of data
without a failure."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_cuminc"]


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
