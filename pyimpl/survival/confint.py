"""Confidence limits of a survival curve: ``survival:::survfit_confint``
(survfit.R, survival 3.5-3), expression for expression so the last bits agree
(exp, log and asin from the C library, as R: see :mod:`pyimpl._libm`)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from .. import _libm as C
from .._rmath import NANS_PRODUCED, qnorm

__all__ = ["survfit_confint", "std_low"]


def std_low(conf_lower: str, std_err, surv, n_risk, n_event) -> np.ndarray:
    """The standard error used for the lower limit (``survfitKM.R``):
    usual -> std.err; peto -> sqrt((1 - S)/n.risk); modified -> std.err *
    sqrt(n.lag/n.risk), n.lag being n.risk at the latest row with an event
    (the first row counts as one)."""
    if conf_lower == "usual":
        return std_err
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_lower == "peto":
            return np.sqrt((1 - surv) / n_risk)
        events = n_event > 0
        events[0] = True
        pos = np.maximum.accumulate(np.where(events, np.arange(events.size), 0))
        n_lag = n_risk[pos]
        return std_err * np.sqrt(n_lag / n_risk)


#: numpy's own exp, log, sin and arcsin: fast, and off the C library's by the last bit for a few percent
#: of arguments (see :mod:`pyimpl._libm`); for callers whose quantities are not bit-for-bit anyway
NUMPY_MATH = SimpleNamespace(exp=np.exp, log=np.log, sin=np.sin, asin=np.arcsin)


def survfit_confint(p, se, logse: bool, conf_type: str, conf_int: float, selow,
                    math: Any = C, warns: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) as R's ``survfit_confint(p, se, logse, conf.type, conf.int,
    selow, ulimit=TRUE)``; NaN where R gives NA. ``math``: the elementary
    functions (the C library's by default, as R; :data:`NUMPY_MATH` for speed).
    ``warns``: gets R's "NaNs produced" once for each call of log, sqrt, asin
    or sin that makes a NaN (a curve a rounding below 0, or above 1)."""
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    selow = np.asarray(selow, dtype=float)
    zval = qnorm(1 - (1 - conf_int) / 2)
    nan = np.nan

    def r(fn, x):  # R's math functions warn when they make a NaN
        y = fn(x)
        if warns is not None and np.any(np.isnan(y) & ~np.isnan(x)):
            warns.append(NANS_PRODUCED)
        return y

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(selow == 0, 1.0, selow / se)
        if not logse:
            se = np.where(se == 0, 0.0, se / p)
        if conf_type == "plain":
            se2 = se * p * zval
            return _pmax(p - se2 * scale, 0.0), _pmin(p + se2, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, nan, p)
            se2 = zval * se
            temp1 = math.exp(r(math.log, xx) - se2 * scale)
            temp2 = math.exp(r(math.log, xx) + se2)
            return temp1, _pmin(temp2, 1.0)
        if conf_type == "log-log":
            xx = np.where((p == 0) | (p == 1), nan, p)
            se2 = zval * se / r(math.log, xx)
            temp1 = math.exp(-math.exp(r(math.log, -r(math.log, xx)) - se2 * scale))
            temp2 = math.exp(-math.exp(r(math.log, -r(math.log, xx)) + se2))
            return temp1, temp2
        if conf_type == "logit":
            xx = np.where(p == 0, nan, p)
            se2 = zval * se * (1 + xx / (1 - xx))
            temp1 = 1 - 1 / (1 + math.exp(r(math.log, p / (1 - p)) - se2 * scale))
            temp2 = 1 - 1 / (1 + math.exp(r(math.log, p / (1 - p)) + se2))
            return temp1, temp2
        if conf_type == "arcsin":
            xx = np.where(p == 0, nan, p)
            se2 = 0.5 * zval * se * r(np.sqrt, xx / (1 - xx))
            lower = r(math.sin, _pmax(r(math.asin, r(np.sqrt, xx)) - se2 * scale, 0.0)) ** 2
            upper = r(math.sin, _pmin(r(math.asin, r(np.sqrt, xx)) + se2, np.pi / 2)) ** 2
            return lower, upper
    raise ValueError(f"invalid conf_type {conf_type!r}")


def _pmax(x, bound: float) -> np.ndarray:
    # R's pmax(x, bound): NA stays NA
    return np.where(np.isnan(x), np.nan, np.maximum(x, bound))


def _pmin(x, bound: float) -> np.ndarray:
    return np.where(np.isnan(x), np.nan, np.minimum(x, bound))
