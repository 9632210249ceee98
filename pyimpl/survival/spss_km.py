"""The Kaplan-Meier "Means and Medians for Survival Time" table as SPSS's KM
procedure prints it, computed from a Kaplan-Meier fit of any engine.

SPSS (KM procedure, ``/PRINT = MEAN``, the default) prints per curve: the mean
with its standard error and 95% confidence interval, and the median with its
standard error and 95% confidence interval. Each piece and where it comes from:

* **Mean**: the area under the Kaplan-Meier curve from 0 to the largest
  observed time, with SPSS's footnote "Estimation is limited to the largest
  survival time if it is censored". This is R's restricted mean up to each
  curve's last time (``print(survfit, rmean = "individual")``, survival's
  ``survmean``), and so is its standard error (the Kaplan-Meier / Greenwood-type
  variance ``sum_j A_j^2 d_j / (n_j (n_j - d_j))``, ``A_j`` the area after event
  time ``t_j``; Klein & Moeschberger, Survival Analysis, 2nd ed., section 4.5):
  both are taken from :func:`pyimpl.survival.survfit_table` (at parity with R,
  ``survfit.table.rmean`` / ``se_rmean``), not recomputed here.
  Its interval is ``mean +/- z * se``, symmetric (SPSS prints no interval
  for R's restricted mean; R prints none either).
* **Median**: the smallest time at which the curve is at or below 0.5
  (Marques de Sa, Applied Statistics Using SPSS, STATISTICA, MATLAB and R,
  2nd ed. 2007, section 9.2, eq. 9.15: ``min{t_i : S(t_i) <= 0.5}``). R prints
  the midpoint of a stretch where the curve equals 0.5 exactly
  (``survmean``'s ``minmin``); the two differ only there.
* **Standard error of the median**: ``se(S(t_50)) / f(t_50)`` (Collett,
  Modelling Survival Data in Medical Research, 1994, section 2.4; Marques de
  Sa 2007, eq. 9.17), ``se(S)`` Greenwood's, and the density ``f`` by the
  finite difference ``(S(u) - S(l)) / (l - u)`` with ``u`` the largest death
  time at which ``S >= 0.5 + eps`` and ``l`` the smallest death time at which
  ``S <= 0.5 - eps``, ``eps = 0.05`` (Collett's choice).
* **Interval of the median**: ``median +/- z * se``, symmetric; R's interval
  instead inverts the confidence band of S (``quantile(fit, 0.5)``), which is
  not symmetric and is usually wider on the right.

Notes
-----
IBM's "IBM SPSS Statistics 21 Algorithms" (KM algorithms) is the document that
defines these; its text was not available here, and no SPSS was available to
run. The mean and its standard error are checked against R (the same
numbers); the median's standard error and the two symmetric intervals are
checked only against hand-computed closed forms: they follow the published
formulas above and are **not checked against SPSS output**. Choices of this
implementation where the formulas are silent: the curve's origin (time 0,
S = 1) may serve as ``u`` when no death time has ``S >= 0.55``; where no death
time has ``S <= 0.45`` the standard error is NaN; a computed survival within
``sqrt(.Machine$double.eps)`` of 0.5 counts as 0.5 (R's tolerance in
``survmean``); ``z = qnorm(1 - (1 - conf_int) / 2)`` (1.959964 for 95%).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survival import SurvFit

from .._rmath import SQRT_EPS, qnorm
from .km_methods import survfit_table

__all__ = ["SpssKMTable", "spss_km_table", "COLLETT_EPS"]

#: Collett's (1994, section 2.4) half-width of the finite difference for the density at a percentile.
COLLETT_EPS = 0.05


@dataclass(frozen=True)
class SpssKMTable:
    """SPSS's "Means and Medians for Survival Time" row of one curve.

    Attributes
    ----------
    mean, mean_se : the area under the curve to the largest observed time and
        its standard error (R's ``rmean``, ``se(rmean)`` with
        ``rmean = "individual"``)
    mean_lower, mean_upper : ``mean -/+ z * mean_se``
    mean_limited : the largest observed time is censored (SPSS's footnote
        "Estimation is limited to the largest survival time if it is censored")
    end_time : the largest observed time (the mean's upper limit of integration)
    median : ``min{t : S(t) <= 0.5}``; NaN when the curve stays above 0.5
    median_se : ``se(S(median)) / f(median)`` (Collett); NaN when not estimable
    median_lower, median_upper : ``median -/+ z * median_se``
    density : Collett's finite-difference density at the median, ``f``
    u, l : the death times of the finite difference (``u`` may be the origin)
    conf_int : the level of the intervals
    """

    mean: float
    mean_se: float
    mean_lower: float
    mean_upper: float
    mean_limited: bool
    end_time: float
    median: float
    median_se: float
    median_lower: float
    median_upper: float
    density: float
    u: float
    l: float  # noqa: E741 - Collett's name
    conf_int: float = 0.95


def spss_km_table(fit: SurvFit, conf_int: float = 0.95) -> SpssKMTable:
    """SPSS's means-and-medians row of a one-curve Kaplan-Meier ``fit`` (of any engine)."""
    if not isinstance(fit, SurvFit):
        raise InvalidArgument(f"`fit` must be a SurvFit (from survfit() of any engine); got {type(fit).__name__}",
                              kind="fit.type")
    if fit.strata is not None:
        raise InvalidArgument("`fit` must be one curve (SPSS prints one row per curve; pass each curve's fit); "
                              f"got a fit of {len(dict.fromkeys(fit.strata))} curves", kind="argument.value")
    if fit.counting:
        raise InvalidArgument("`fit` must be a fit of right-censored (time, event) data; got (start, stop] data, "
                              "for which SPSS's KM procedure has no counterpart", kind="argument.value")
    if isinstance(conf_int, bool) or not isinstance(conf_int, (int, float)) or not 0 < conf_int < 1:
        raise InvalidArgument(f"`conf_int` must be a level strictly between 0 and 1; got conf_int={conf_int!r}",
                              kind="conf_int.value")
    time = np.asarray(fit.time, dtype=float)
    if time.size == 0:
        raise InvalidArgument("`fit` has no observation", kind="argument.shape")
    surv = np.asarray(fit.surv, dtype=float)
    se_s = np.asarray(fit.std_err, dtype=float)
    if fit.logse:  # fit$std.err is the se of -log S (Greenwood): se(S) = S * std.err
        with np.errstate(invalid="ignore"):
            se_s = se_s * surv
    tab = survfit_table(fit)  # R's survmean: rmean and se(rmean) to the curve's last time
    n_censor = np.asarray(fit.n_censor, dtype=float)
    return _kernel(time, surv, np.asarray(fit.n_event, dtype=float), n_censor, se_s, float(tab["rmean"]),
                   float(tab["se_rmean"]), float(conf_int))


def _kernel(time: np.ndarray, surv: np.ndarray, n_event: np.ndarray, n_censor: np.ndarray, se_s: np.ndarray,
            mean: float, mean_se: float, conf_int: float) -> SpssKMTable:
    # Contract: time (m,) increasing unique times of one curve; surv, n_event, n_censor, se_s (m,) the
    # curve after each time (se_s the Greenwood se of S); mean/mean_se R's rmean/se(rmean) to time[-1].
    z = float(qnorm(1.0 - (1.0 - conf_int) / 2.0))  # type: ignore[no-untyped-call]
    limited = bool(n_censor[-1] > 0)
    death = n_event > 0
    t_d, s_d, se_d = time[death], surv[death], se_s[death]
    # median: min{t_i : S(t_i) <= 0.5} (Marques de Sa 2007, eq. 9.15); S only drops at death times
    below = np.flatnonzero(s_d <= 0.5 + SQRT_EPS)
    median = median_se = density = u = l_ = math.nan
    if below.size:
        i = int(below[0])
        median = float(t_d[i])
        # Collett (1994) section 2.4: f = (S(u) - S(l)) / (l - u), u = max{t_(j) : S >= 0.5 + eps},
        # l = min{t_(j) : S <= 0.5 - eps}; the origin (0, S = 1) is a point of the curve
        up = np.flatnonzero(s_d >= 0.5 + COLLETT_EPS - SQRT_EPS)
        u, s_u = (float(t_d[up[-1]]), float(s_d[up[-1]])) if up.size else (0.0, 1.0)
        lo = np.flatnonzero(s_d <= 0.5 - COLLETT_EPS + SQRT_EPS)
        if lo.size and float(t_d[lo[0]]) > u:
            l_ = float(t_d[lo[0]])
            density = (s_u - float(s_d[lo[0]])) / (l_ - u)
            median_se = float(se_d[i]) / density if density > 0 else math.nan
    return SpssKMTable(mean=mean, mean_se=mean_se, mean_lower=mean - z * mean_se, mean_upper=mean + z * mean_se,
                       mean_limited=limited, end_time=float(time[-1]), median=median, median_se=median_se,
                       median_lower=median - z * median_se, median_upper=median + z * median_se,
                       density=density, u=u, l=l_, conf_int=conf_int)
