"""The binomial links of R's ``glm`` other than the logit, as R computes them.

``binomial(link)`` / ``quasibinomial(link)`` (R 4.2.2, ``stats::make.link`` and
``binomial()``): each link's ``linkfun`` (the start), ``linkinv`` and
``mu.eta``, with R's clamps:

* probit: ``linkinv`` clamps eta at ``-qnorm(DBL_EPSILON)`` then ``pnorm``;
  ``mu.eta`` is ``pmax(dnorm(eta), DBL_EPSILON)``.
* cauchit: the same with ``qcauchy``, ``pcauchy``, ``dcauchy``.
* cloglog: ``linkinv`` ``pmax(pmin(-expm1(-exp(eta)), 1 - eps), eps)``;
  ``mu.eta`` ``pmax(exp(eta) * exp(-exp(eta)), eps)`` with eta capped at 700;
  ``linkfun`` ``log(-log(1 - mu))``.
* log: ``linkinv`` and ``mu.eta`` ``pmax(exp(eta), eps)``; ``linkfun`` ``log``.

The distribution functions are R's nmath routines ported operation by
operation (``pnorm.c``: Cody's rational Chebyshev approximation; ``dnorm.c``;
``pcauchy.c``, ``dcauchy.c``, ``qcauchy.c`` with ``tanpi`` from ``cospi.c``);
the elementwise arithmetic is IEEE double as in C, and ``exp``, ``log``,
``atan``, ``tan`` are the C library's (:mod:`pyimpl._libm`), so values are R's
bit for bit (tested against live R).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import _libm
from .._rmath import DBL_EPS, qnorm

__all__ = ["pnorm", "dnorm", "pcauchy", "dcauchy", "qcauchy", "tanpi", "Link", "LINK_FUNCTIONS"]

_M_1_SQRT_2PI = 0.398942280401432677939946059934
_M_SQRT_32 = 5.656854249492380195206754896838
_M_PI = math.pi

# pnorm.c: Cody (1969), coefficients of the three ranges
_A = (2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
      0.065682337918207449113)
_B = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956)
_C = (0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
      2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
      1.0765576773720192317e-8)
_D = (22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
      18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727)
_P = (0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
      2.9112874951168792e-5, 0.02307344176494017303)
_Q = (1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
      7.29751555083966205e-5)


def _pnorm1(x: float) -> float:
    """``pnorm(x)`` (lower tail, not log): ``pnorm_both`` with ``i_tail = 0``."""
    if x != x:
        return x
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    eps = DBL_EPS * 0.5
    y = abs(x)
    if y <= 0.67448975:
        if y > eps:
            xsq = x * x
            xnum = _A[4] * xsq
            xden = xsq
            for i in range(3):
                xnum = (xnum + _A[i]) * xsq
                xden = (xden + _B[i]) * xsq
        else:
            xnum = xden = 0.0
        temp = x * (xnum + _A[3]) / (xden + _B[3])
        return 0.5 + temp
    if y <= _M_SQRT_32:
        xnum = _C[8] * y
        xden = y
        for i in range(7):
            xnum = (xnum + _C[i]) * y
            xden = (xden + _D[i]) * y
        temp = (xnum + _C[7]) / (xden + _D[7])
        cum = _del(y, temp)
    elif -37.5193 < x < 8.2924:
        xsq = 1.0 / (x * x)
        xnum = _P[5] * xsq
        xden = xsq
        for i in range(4):
            xnum = (xnum + _P[i]) * xsq
            xden = (xden + _Q[i]) * xsq
        temp = xsq * (xnum + _P[4]) / (xden + _Q[4])
        temp = (_M_1_SQRT_2PI - temp) / y
        cum = _del(x, temp)
    else:
        return 1.0 if x > 0 else 0.0
    # swap_tail: for x > 0 the lower tail is the complement
    return 1.0 - cum if x > 0 else cum


def _del(x: float, temp: float) -> float:
    # pnorm.c do_del(X), not log: exp(-xsq^2/2) exp(-del/2) temp, xsq = trunc(16 X)/16
    xsq = math.trunc(x * 16.0) / 16.0
    dl = (x - xsq) * (x + xsq)
    return _libm.exp(-xsq * (xsq * 0.5)) * _libm.exp(-(dl * 0.5)) * temp


def _dnorm1(x: float) -> float:
    """``dnorm(x)`` (dnorm.c, R >= 4.0: the two-piece exponent beyond 5)."""
    if x != x:
        return x
    x = abs(x)
    if x >= 2 * math.sqrt(np.finfo(float).max):
        return 0.0
    if x < 5:
        return _M_1_SQRT_2PI * _libm.exp(-0.5 * x * x) / 1.0
    if x > math.sqrt(-2 * math.log(2) * (-1021 + 1 - 53)):
        return 0.0
    x1 = math.ldexp(float(np.rint(math.ldexp(x, 16))), -16)
    x2 = x - x1
    return _M_1_SQRT_2PI / 1.0 * (_libm.exp(-0.5 * x1 * x1) * _libm.exp((-0.5 * x2 - x1) * x2))


def _pcauchy1(x: float) -> float:
    """``pcauchy(x)`` (pcauchy.c: ``atan(1/x)`` beyond |x| > 1)."""
    if x != x:
        return x
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    if abs(x) > 1:
        y = _libm.atan(1 / x) / _M_PI
        return (0.5 - y + 0.5) if x > 0 else -y
    return 0.5 + _libm.atan(x) / _M_PI


def _dcauchy1(x: float) -> float:
    return 1.0 / (_M_PI * 1.0 * (1.0 + x * x))


def tanpi(x: float) -> float:
    """R's ``tanpi`` (cospi.c, R 4.x): exact at multiples of 1/4."""
    if x != x or math.isinf(x):
        return math.nan
    x = math.fmod(x, 1.0)
    if x <= -0.5:
        x += 1
    elif x > 0.5:
        x -= 1
    if x == 0.0:
        return 0.0
    if x == 0.5:
        return math.nan
    if x == 0.25:
        return 1.0
    if x == -0.25:
        return -1.0
    return _libm.tan(_M_PI * x)


def _qcauchy1(p: float) -> float:
    """``qcauchy(p)`` (lower tail, not log; qcauchy.c)."""
    if p != p or p < 0 or p > 1:
        return math.nan
    lower = True
    if p > 0.5:
        if p == 1.0:
            return math.inf
        p = 1 - p
        lower = False
    if p == 0.5:
        return 0.0
    if p == 0.0:
        return -math.inf if lower else math.inf
    return (-1.0 if lower else 1.0) / tanpi(p)


def _vec(f1: Callable[[float], float]) -> Callable:
    def f(x):
        if np.ndim(x) == 0:
            return f1(float(x))
        a = np.asarray(x, dtype=float)
        return np.fromiter(map(f1, a.ravel().tolist()), dtype=float, count=a.size).reshape(a.shape)
    f.__name__ = f1.__name__.strip("_").rstrip("1")
    f.__doc__ = f"R's ``{f.__name__}`` (standard distribution), elementwise."
    return f


pnorm = _vec(_pnorm1)
dnorm = _vec(_dnorm1)
pcauchy = _vec(_pcauchy1)
dcauchy = _vec(_dcauchy1)
qcauchy = _vec(_qcauchy1)


@dataclass(frozen=True)
class Link:
    """One link of ``binomial()``: R's three functions, vectorised."""

    name: str
    linkfun: Callable[[np.ndarray], np.ndarray]
    linkinv: Callable[[np.ndarray], np.ndarray]
    mu_eta: Callable[[np.ndarray], np.ndarray]


_EPS = DBL_EPS
_PROBIT_THRESH = -float(qnorm(_EPS))
_CAUCHIT_THRESH = -_qcauchy1(_EPS)


def _probit_inv(eta):
    return pnorm(np.clip(eta, -_PROBIT_THRESH, _PROBIT_THRESH))


def _cauchit_inv(eta):
    return pcauchy(np.clip(eta, -_CAUCHIT_THRESH, _CAUCHIT_THRESH))


def _cloglog_fun(mu):
    return _libm.log(-_libm.log(1.0 - mu))


def _cloglog_inv(eta):
    return np.maximum(np.minimum(-_libm.expm1(-_libm.exp(eta)), 1 - _EPS), _EPS)


def _cloglog_mu_eta(eta):
    eta = np.minimum(eta, 700.0)
    return np.maximum(_libm.exp(eta) * _libm.exp(-_libm.exp(eta)), _EPS)


def _exp_floor(eta):
    return np.maximum(_libm.exp(eta), _EPS)


#: The links other than the logit (whose own kernel is :func:`pyimpl.matching.glm.fit_logit`).
LINK_FUNCTIONS: dict[str, Link] = {
    "probit": Link("probit", qnorm, _probit_inv, lambda eta: np.maximum(dnorm(eta), _EPS)),
    "cauchit": Link("cauchit", qcauchy, _cauchit_inv, lambda eta: np.maximum(dcauchy(eta), _EPS)),
    "cloglog": Link("cloglog", _cloglog_fun, _cloglog_inv, _cloglog_mu_eta),
    "log": Link("log", _libm.log, _exp_floor, _exp_floor),
}
