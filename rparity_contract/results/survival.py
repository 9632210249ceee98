"""Result types of Kaplan-Meier (``survfit``) and the G-rho tests (``survdiff``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ..calls import SurvFitCall
from ..registry import derived
from .base import Result, rfield

__all__ = ["SurvFit", "SurvDiff"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvFit(Result):
    """A Kaplan-Meier fit, as ``survival::survfit(Surv(time, event) ~ 1)`` (or
    ``Surv(start, stop, event)``), or one curve per group (``~ sex``): the
    curves one after another, ``strata`` naming each row's curve as R does
    (``"sex=1"``).

    One row per unique time of a curve (censored times included), after R's
    ``timefix``.

    Notes
    -----
    ``std_err`` is R's ``fit$std.err``: the standard error of ``-log S``
    (``logse=True``) for Greenwood, or of ``S`` itself (``logse=False``) when R
    switches to the infinitesimal-jackknife variance (non-integer weights).
    ``summary()`` reports the standard error of ``S`` in both cases, as R does.
    """

    time: np.ndarray = rfield("time", doc="unique times")
    n_risk: np.ndarray = rfield("n.risk", doc="(weighted) number at risk")
    n_event: np.ndarray = rfield("n.event", doc="(weighted) number of events")
    n_censor: np.ndarray = rfield("n.censor", doc="(weighted) number censored")
    surv: np.ndarray = rfield("surv", doc="Kaplan-Meier survival")
    std_err: np.ndarray = rfield("std.err", doc="se of -log S (logse) or of S")
    lower: np.ndarray = rfield("lower", doc="lower confidence limit (NaN where R has NA)")
    upper: np.ndarray = rfield("upper", doc="upper confidence limit (NaN where R has NA)")
    cumhaz: np.ndarray = rfield("cumhaz", doc="Nelson-Aalen cumulative hazard")
    std_chaz: np.ndarray = rfield("std.chaz", doc="se of the cumulative hazard")
    n: int = rfield("n", doc="number of observations")
    logse: bool = rfield("logse", doc="TRUE when std_err is the se of -log S")
    conf_type: str = field(default="log")
    conf_int: float = field(default=0.95)
    conf_lower: str = field(default="usual")
    strata: tuple[str, ...] | None = rfield("rep(names(strata), strata)", default=None,
                                            doc="each row's curve when there are groups; None for one curve")
    strata_n: tuple[int, ...] = rfield("n", default=(), doc="observations per curve when there are groups")
    n_enter: np.ndarray | None = rfield("n.enter", default=None,
                                        doc="(weighted) entries, (start, stop] data with a robust variance")
    influence_surv: np.ndarray | None = rfield(
        "influence.surv", default=None,
        doc="each cluster's influence on surv (clusters x rows); with groups R's per-curve matrices, 0 elsewhere")
    influence_chaz: np.ndarray | None = rfield("influence.chaz", default=None,
                                               doc="each cluster's influence on cumhaz (clusters x rows)")
    influence_ids: tuple[str, ...] | None = rfield("rownames(influence)", default=None,
                                                   doc="the clusters of the influence matrices, in R's order")
    start_time: float | None = rfield("start.time", default=None, doc="the start_time given")
    counting: bool = field(default=False, metadata={"doc": "(start, stop] data (R's type 'counting')"})
    call: SurvFitCall | None = field(default=None, repr=False)

    def summary(self, times: Sequence[float], extend: bool = False) -> pd.DataFrame:
        """Values at ``times``, as ``summary(fit, times=, extend=)``.

        Columns ``time, n_risk, n_event, n_censor, surv, std_err, lower, upper,
        cumhaz, std_chaz``; ``std_err`` is the se of S; ``n_event`` and
        ``n_censor`` count over (previous requested time, time]. Times beyond the
        last follow-up are dropped unless ``extend=True``. Several curves: each
        curve's rows in turn, a ``strata`` column naming it. Computed by the
        engine that made the fit (its ``survfit_summary``).
        """
        return derived(self, "survfit_summary")(self, times, extend=extend)

    def quantile(self, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Quantiles and their confidence limits, as ``quantile(fit, probs)``
        (R's midpoint rule on flat stretches). Index: ``probs`` (several curves:
        ``(strata, probs)``); columns ``quantile, lower, upper``; NaN where R
        gives NA. Computed by the engine that made the fit (its
        ``survfit_quantile``)."""
        return derived(self, "survfit_quantile")(self, probs)

    def table(self) -> pd.Series | pd.DataFrame:
        """``summary(fit)$table``: records, n_max, n_start, events, rmean,
        se_rmean, median, lcl, ucl (the median R *prints*); several curves: a
        DataFrame, a row per curve. Computed by the engine that made the fit
        (its ``survfit_table``)."""
        return derived(self, "survfit_table")(self)

    @property
    def median(self) -> float | pd.Series:
        """The median survival R prints (``summary(fit)$table["median"]``; a
        Series by curve for several).

        This differs from ``quantile(0.5)`` when the curve ends exactly at 0.5:
        R's print rule (``survmean``) then takes the first time the curve reaches
        0.5, while ``quantile`` takes a midpoint.
        """
        m = self.table()["median"]
        return m.astype(float) if isinstance(m, pd.Series) else float(m)


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvDiff(Result):
    """A G-rho test of ``survival::survdiff`` (rho = 0: log-rank).

    ``obs`` and ``exp`` are per group (a groups x strata matrix when there are
    strata, as in R); ``var`` is the groups x groups covariance of O - E.
    """

    groups: tuple[str, ...] = field(default=(), metadata={"doc": "group labels as R prints them"})
    n: np.ndarray = rfield("n", doc="subjects per group")
    obs: np.ndarray = rfield("obs", doc="(weighted) observed events")
    exp: np.ndarray = rfield("exp", doc="expected events")
    var: np.ndarray = rfield("var", doc="variance matrix of O - E")
    chisq: float = rfield("chisq", doc="test statistic")
    df: int = rfield("df", doc="degrees of freedom: groups with E > 0, minus 1")
    pvalue: float = rfield("pvalue", doc="pchisq(chisq, df, lower.tail=FALSE)")
    rho: float = field(default=0.0)
