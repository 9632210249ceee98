"""``survfit`` and ``survdiff`` run in R (survival), returning pyimpl's result types.

Inputs are validated with pyimpl's validators before anything reaches R, so bad
input gives the same :class:`~pyimpl.errors.InvalidArgument` in every engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pyimpl.results import SurvDiff, SurvFit
from pyimpl.survival.inputs import km_inputs, logrank_inputs
from pyimpl.survival.km_methods import SUMMARY_COLUMNS, TABLE_INDEX

from ._session import Factor, session

__all__ = ["survfit", "survdiff"]


def _fmt(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else repr(v)


@dataclass(frozen=True)
class _RKM:
    """The inputs of a Kaplan-Meier fit, kept so R can recompute summaries.
    Implements :class:`pyimpl.results.SurvFitMethods` by asking R."""

    time: np.ndarray
    event: np.ndarray
    weights: np.ndarray | None
    conf_type: str
    conf_int: float
    conf_lower: str

    def args(self) -> dict:
        return dict(time=self.time, event=self.event, weights=self.weights, conf_type=self.conf_type,
                    conf_int=self.conf_int, conf_lower=self.conf_lower)

    def summary(self, fit: SurvFit, times: np.ndarray, extend: bool) -> pd.DataFrame:
        v = session().call("rparity_survfit_summary", times=np.asarray(times, float), extend=bool(extend),
                           **self.args()).value
        return pd.DataFrame({k: np.asarray(v[k], dtype=float) for k in SUMMARY_COLUMNS})

    def quantile(self, fit: SurvFit, probs: np.ndarray) -> pd.DataFrame:
        v = session().call("rparity_survfit_quantile", probs=np.asarray(probs, float), **self.args()).value
        return pd.DataFrame({k: np.asarray(v[k], dtype=float) for k in ("quantile", "lower", "upper")},
                            index=pd.Index(np.asarray(probs, float), name="probs"))

    def table(self, fit: SurvFit) -> pd.Series:
        v = session().call("rparity_survfit_table", **self.args()).value
        return pd.Series({k: float(np.asarray(v[k], dtype=float)[0]) for k in TABLE_INDEX},
                         index=TABLE_INDEX, dtype=float)


def survfit(time, event, *, weights=None, conf_type: str = "log", conf_int: float = 0.95,
            conf_lower: str = "usual") -> SurvFit:
    """R's ``survival::survfit(Surv(time, event) ~ 1, ...)``; see :func:`pyimpl.survfit`."""
    k = km_inputs(time, event, weights, conf_type, conf_int, conf_lower)
    conf_type, conf_int, conf_lower, w = k.conf_type, k.conf_int, k.conf_lower, k.weights
    inputs = _RKM(k.time, k.event, w, conf_type, conf_int, conf_lower)
    s = session()
    res = s.call("rparity_survfit", **inputs.args())
    v = res.value
    call = ("survival::survfit(Surv(time, event) ~ 1, data = d"
            + (", weights = w" if w is not None else "")
            + f", conf.type = {_fmt(conf_type)}, conf.int = {conf_int!r}, conf.lower = {_fmt(conf_lower)})")
    f = lambda k: np.asarray(v[k], dtype=float)  # noqa: E731
    return SurvFit(
        time=f("time"), n_risk=f("n_risk"), n_event=f("n_event"), n_censor=f("n_censor"),
        surv=f("surv"), std_err=f("std_err"), lower=f("lower"), upper=f("upper"),
        cumhaz=f("cumhaz"), std_chaz=f("std_chaz"), n=int(np.asarray(v["n"])[0]),
        logse=bool(np.asarray(v["logse"])[0]), conf_type=conf_type, conf_int=conf_int,
        conf_lower=conf_lower, engine="r", provenance=s.provenance(call), warnings=res.warnings,
        _methods=inputs,
    )


def survdiff(time, event, group, *, strata=None, rho: float = 0.0) -> SurvDiff:
    """R's ``survival::survdiff``; see :func:`pyimpl.survdiff`."""
    k = logrank_inputs(time, event, group, strata, rho)
    t, e, g, levels, s_codes, s_levels, rho = k.time, k.event, k.group, k.levels, k.strata, k.strata_levels, k.rho
    sess = session()
    res = sess.call(
        "rparity_survdiff", time=t, event=e, group=Factor(g, [str(x) for x in levels]),
        strata=None if s_codes is None else Factor(s_codes, [str(x) for x in s_levels]), rho=rho,
    )
    v = res.value
    call = ("survival::survdiff(Surv(time, event) ~ group" + (" + strata(stratum)" if s_codes is not None else "")
            + f", data = d, rho = {rho!r})")
    return SurvDiff(
        groups=tuple(levels), n=np.asarray(v["n"], dtype=np.int64), obs=np.asarray(v["obs"], float),
        exp=np.asarray(v["exp"], float), var=np.asarray(v["var"], float).reshape(len(levels), len(levels)),
        chisq=float(np.asarray(v["chisq"])[0]), df=int(np.asarray(v["df"])[0]),
        pvalue=float(np.asarray(v["pvalue"])[0]), rho=rho, engine="r",
        provenance=sess.provenance(call), warnings=res.warnings,
    )
