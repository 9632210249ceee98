"""``survival::survreg.distributions`` (survival 3.5-3): each distribution's
base (extreme value, logistic, Gaussian, Student's t), the transformation of
the times, a fixed scale, and the pieces of R code ``survreg.fit`` evaluates
(``init``, ``density``, ``quantile``), written anew from R's definitions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .. import _libm
from .._rmath import r_sum
from ..matching.links import dnorm, pnorm
from ._cmath import cexp

__all__ = ["Distribution", "DISTRIBUTIONS", "BASES", "Base", "M_1_SQRT_2PI"]

#: R's Rmath constant 1/sqrt(2 pi), dnorm(0)
M_1_SQRT_2PI = 0.398942280401432677939946059934
#: R's ``sqrt(2 * pi)``: the C library's sqrt of the double 2 pi
_SQRT_2PI_R = math.sqrt(2 * math.pi)


@dataclass(frozen=True)
class Base:
    """A base distribution of the location-scale model (``survreg.distributions$extreme``...).

    ``dnum``: survreg.fit's ``match(sd$name, c("Extreme value", "Logistic",
    "Gaussian"))``, 4 for a distribution evaluated through its R density
    function (Student's t)."""

    name: str
    dnum: int
    parms: tuple[tuple[str, float], ...] = ()

    def init(self, x: np.ndarray, weights: np.ndarray, parms: dict) -> tuple[float, float]:
        """``sd$init(x, weights, parms)``: the weighted mean and a variance-based
        guess of the scale (R's sums accumulate in long double)."""
        sw = r_sum(weights)
        mean = r_sum(x * weights) / sw
        d = x - mean
        var = r_sum(weights * (d * d)) / sw
        if self.name == "Extreme value":
            return float(mean + 0.572), float(var / 1.64)
        if self.name == "Logistic":
            return float(mean), float(var / 3.2)
        if self.name == "Gaussian":
            return float(mean), float(var)
        df = parms["df"]
        return float(mean), float(var * (df - 2) / df)

    def density(self, x: np.ndarray, parms: dict) -> tuple[np.ndarray, ...]:
        """``sd$density(x, parms)``: the columns F, 1 - F, f, f'/f, f''/f."""
        x = np.asarray(x, dtype=float)
        if self.name == "Extreme value":
            w = cexp(x)
            ww = cexp(-w)
            return (1 - ww, ww, w * ww, 1 - w, w * (w - 3) + 1)
        if self.name == "Logistic":
            w = cexp(x)
            return (w / (1 + w), 1 / (1 + w), w / ((1 + w) * (1 + w)), (1 - w) / (1 + w),
                    (w * (w - 4) + 1) / ((1 + w) * (1 + w)))
        if self.name == "Gaussian":  # R's pnorm and dnorm (nmath, ported: bit for bit)
            return (pnorm(x), pnorm(-x), dnorm(x), -x, x * x - 1)
        df = parms["df"]
        x2 = x * x
        return (special.stdtr(df, x), special.stdtr(df, -x), stats.t.pdf(x, df), -(df + 1) * x / (df + x2),
                (df + 1) * (x2 * (df + 3) / (df + x2) - 1) / (df + x2))

    def deviance(self, y1: np.ndarray, y2: np.ndarray | None, status: np.ndarray, scale: np.ndarray,
                 parms: dict) -> tuple[np.ndarray, np.ndarray]:
        """``sd$deviance(y, scale, parms)``: each row's ``center`` and the
        saturated model's ``loglik`` (0 for censored rows), R's expressions
        as written (``ifelse`` evaluates both branches). ``y2`` is y's second
        column when y has three (else None: ``rowMeans`` then averages time
        and status, as the Student-t's does)."""
        st3 = status == 3
        y2v = np.zeros_like(y1) if y2 is None else y2
        with np.errstate(all="ignore"):
            if self.name == "Extreme value":
                width = np.where(st3, (y2v - y1) / scale, 1.0)
                temp = width / (_libm.exp(width) - 1)
                center = np.where(st3, y1 - _libm.log(temp), y1)
                temp3 = (-temp) + _libm.log(1 - _libm.exp(-_libm.exp(width)))
                lsc = _libm.log(np.broadcast_to(scale, y1.shape))
                ll = np.where(status == 1, -(1 + lsc), np.where(st3, temp3, 0.0))
                return center, ll
            width = np.where(st3, (y2v - y1) / scale, 0.0)
            if self.name == "Student-t":  # rowMeans(y): the status column too (long-double sum / ncol)
                cols = [y1, y2v, status] if y2 is not None else [y1, status]
                acc = np.zeros(y1.shape, dtype=np.longdouble)
                for c in cols:
                    acc = acc + c.astype(np.longdouble)
                center = np.where(st3, (acc / len(cols)).astype(float), y1)
            else:
                center = np.where(st3, (y1 + y2v) / 2, y1)
            sc = np.broadcast_to(scale, y1.shape)
            if self.name == "Logistic":
                temp2 = np.where(st3, _libm.exp(width / 2), 2.0)
                temp3 = _libm.log((temp2 - 1) / (temp2 + 1))
                ll = np.where(status == 1, -_libm.log(4 * sc), np.where(st3, temp3, 0.0))
            elif self.name == "Gaussian":
                temp2 = _libm.log(2 * pnorm(width / 2) - 1)
                ll = np.where(status == 1, -_libm.log(_SQRT_2PI_R * sc), np.where(st3, temp2, 0.0))
            else:
                df = parms["df"]
                temp2 = _libm.log(1 - 2 * special.stdtr(df, width / 2))
                ll = np.where(status == 1, -_libm.log(stats.t.pdf(0.0, df) * sc), np.where(st3, temp2, 0.0))
        return center, ll

    def quantile(self, p: np.ndarray, parms: dict) -> np.ndarray:
        """``sd$quantile(p, parms)``."""
        p = np.asarray(p, dtype=float)
        if self.name == "Extreme value":
            return _libm.log(-_libm.log(1 - p))
        if self.name == "Logistic":
            return _libm.log(p / (1 - p))
        if self.name == "Gaussian":
            from .._rmath import qnorm

            return np.asarray(qnorm(p), dtype=float)
        return np.asarray(stats.t.ppf(p, parms["df"]), dtype=float)


BASES: dict[str, Base] = {
    "extreme": Base("Extreme value", 1),
    "logistic": Base("Logistic", 2),
    "gaussian": Base("Gaussian", 3),
    "t": Base("Student-t", 4, (("df", 4.0),)),
}


@dataclass(frozen=True)
class Distribution:
    """One entry of ``survreg.distributions``: its R name (``dlist$name``), its
    base, whether the times are log-transformed (``trans = log``, ``dtrans =
    1/y``, ``itrans = exp``) and a fixed scale."""

    key: str
    name: str
    base: str
    log_time: bool = False
    fixed_scale: float | None = None

    @property
    def base_dist(self) -> Base:
        return BASES[self.base]


DISTRIBUTIONS: dict[str, Distribution] = {d.key: d for d in [
    Distribution("extreme", "Extreme value", "extreme"),
    Distribution("logistic", "Logistic", "logistic"),
    Distribution("gaussian", "Gaussian", "gaussian"),
    Distribution("weibull", "Weibull", "extreme", log_time=True),
    Distribution("exponential", "Exponential", "extreme", log_time=True, fixed_scale=1.0),
    Distribution("rayleigh", "Rayleigh", "extreme", log_time=True, fixed_scale=0.5),
    Distribution("loggaussian", "Log Normal", "gaussian", log_time=True),
    Distribution("lognormal", "Log Normal", "gaussian", log_time=True),
    Distribution("loglogistic", "Log logistic", "logistic", log_time=True),
    Distribution("t", "Student-t", "t"),
]}
