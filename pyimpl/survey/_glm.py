"""``glm.fit`` (R 4.2.2, ``stats``) for the families ``svyglm`` is used with
here, with their canonical links: ``gaussian`` (identity), ``binomial`` and
``quasibinomial`` (logit, ``family.c``'s C functions), ``poisson`` and
``quasipoisson`` (log: ``pmax(exp(eta), DBL_EPSILON)``).

The iteration is glm.fit's step for step (as :mod:`pyimpl.matching.glm_fit`
does it for the binomial links, whose kernel returns neither the working
weights nor the QR factor a sandwich needs): the start from
``family$initialize``, each iteration the working response and weights on
the informative rows, a LINPACK least-squares step (``Cdqrls``), R's two
step-halving loops, convergence on the relative deviance change. Returned
beside the coefficients: the working weights ``w^2`` of the last iteration
(``glm$weights``), the working residuals ``(y - mu)/mu.eta(eta)`` of the
final fit and the R factor of the last QR (``glm$qr``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rparity_contract.errors import InvalidArgument, RParityError

from .. import _libm
from .._rmath import DBL_EPS, r_sum
from ..matching._linpack import _dqrdc2, dqrls, seq_matvec

__all__ = ["FAMILIES", "Family", "glm_fit", "GlmFit"]

_THRESH = 30.0
_INVEPS = 1.0 / DBL_EPS


@dataclass(frozen=True)
class Family:
    name: str
    linkfun: Callable[[np.ndarray], np.ndarray]
    linkinv: Callable[[np.ndarray], np.ndarray]
    mu_eta: Callable[[np.ndarray], np.ndarray]
    variance: Callable[[np.ndarray], np.ndarray]
    dev_resids: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    validmu: Callable[[np.ndarray], bool]


def _identity(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _logit_linkinv(eta: np.ndarray) -> np.ndarray:
    # family.c logit_linkinv: tmp = eps / 1/eps / exp(eta) beyond -+30, then tmp/(1 + tmp)
    tmp = np.where(eta < -_THRESH, DBL_EPS, np.where(eta > _THRESH, _INVEPS, _libm.exp(eta)))
    return np.asarray(tmp / (1.0 + tmp), dtype=float)


def _logit_mu_eta(eta: np.ndarray) -> np.ndarray:
    # family.c logit_mu_eta: exp(eta)/(1 + exp(eta))^2, DBL_EPSILON beyond -+30
    e = _libm.exp(eta)
    opexp = 1.0 + e
    return np.asarray(np.where((eta > _THRESH) | (eta < -_THRESH), DBL_EPS, e / (opexp * opexp)), dtype=float)


def _y_log_y(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    out = np.zeros(y.shape)
    nz = y != 0.0
    out[nz] = y[nz] * _libm.log(y[nz] / mu[nz])
    return out


def _binomial_dev(y: np.ndarray, mu: np.ndarray, wt: np.ndarray) -> np.ndarray:
    # family.c binomial_dev_resids: 2 wt (y log(y/mu) + (1 - y) log((1 - y)/(1 - mu)))
    mu = np.broadcast_to(mu, y.shape)
    return np.asarray(2.0 * wt * (_y_log_y(y, mu) + _y_log_y(1.0 - y, 1.0 - mu)), dtype=float)


def _poisson_dev(y: np.ndarray, mu: np.ndarray, wt: np.ndarray) -> np.ndarray:
    # poisson()$dev.resids: r <- mu * wt; r[y > 0] <- wt (y log(y/mu) - (y - mu)); 2 r
    mu = np.broadcast_to(mu, y.shape)
    r = mu * wt
    p = y > 0
    r[p] = (wt[p] * (y[p] * _libm.log(y[p] / mu[p]) - (y[p] - mu[p])))
    return np.asarray(2.0 * r, dtype=float)


def _exp_floor(eta: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(_libm.exp(eta), DBL_EPS), dtype=float)  # pmax(exp(eta), .Machine$double.eps)


def _finite_mu(mu: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(mu)))


_GAUSSIAN = Family("gaussian", _identity, _identity, lambda eta: np.ones(np.shape(eta)),
                   lambda mu: np.ones(np.shape(mu)), lambda y, mu, wt: wt * ((y - mu) * (y - mu)), lambda mu: True)
_BINOMIAL = Family("binomial", lambda mu: _libm.log(mu / (1.0 - mu)), _logit_linkinv, _logit_mu_eta,
                   lambda mu: mu * (1.0 - mu), _binomial_dev,
                   lambda mu: _finite_mu(mu) and bool(np.all((mu > 0) & (mu < 1))))
_POISSON = Family("poisson", lambda mu: _libm.log(mu), _exp_floor, _exp_floor, _identity, _poisson_dev,
                  lambda mu: _finite_mu(mu) and bool(np.all(mu > 0)))
FAMILIES: dict[str, Family] = {
    "gaussian": _GAUSSIAN,
    "binomial": _BINOMIAL,
    "quasibinomial": _BINOMIAL,
    "poisson": _POISSON,
    "quasipoisson": _POISSON,
}


@dataclass(frozen=True)
class GlmFit:
    coef: np.ndarray
    fitted: np.ndarray  # mu
    eta: np.ndarray
    working_weights: np.ndarray  # glm$weights: w^2 of the last iteration, 0 off its informative rows
    working_resid: np.ndarray  # glm$residuals: (y - mu)/mu.eta(eta)
    rmat: np.ndarray  # the R factor of the last QR (rank x rank, pivoted order)
    rank: int
    pivot: np.ndarray
    deviance: float
    null_deviance: float
    iterations: int
    converged: bool
    y: np.ndarray  # the response as glm.fit has it after initialize
    warnings: tuple[str, ...]


def _initialize(family: str, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``family$initialize`` (run in glm.fit's frame: it may change y)."""
    warns: list[str] = []
    if family == "gaussian":
        return y, y.copy(), warns
    if family in ("poisson", "quasipoisson"):
        if np.any(y < 0):
            label = "Poisson" if family == "poisson" else "quasiPoisson"
            raise InvalidArgument(f"the response has a negative value (R: \"negative values not allowed for the "
                                  f"'{label}' family\")", kind="y.values")
        return y, y + 0.1, warns
    y = y.copy()
    y[w == 0] = 0.0
    if np.any((y < 0) | (y > 1)):
        raise InvalidArgument("the response must be in [0, 1] (R: 'y values must be 0 <= y <= 1')", kind="y.values")
    msucc = w * y
    if family == "binomial" and np.any(np.abs(msucc - np.round(msucc)) > 0.001):
        warns.append("non-integer #successes in a binomial glm!")
    return y, (w * y + 0.5) / (w + 1.0), warns


def glm_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, family: str, *, epsilon: float = 1e-8,
            maxit: int = 25, intercept: bool = True) -> GlmFit:
    """``glm.fit(x, y, weights = w, family = family())``.

    Contract: ``x`` (n, p) finite, ``y`` (n,) finite, ``w`` (n,) prior
    weights >= 0; ``family`` a key of :data:`FAMILIES`."""
    fam = FAMILIES[family]
    n, p = x.shape
    y, mustart, warns = _initialize(family, y, w)
    eta = fam.linkfun(mustart)
    mu = fam.linkinv(eta)
    if not fam.validmu(mu):
        raise RParityError("cannot find valid starting values: please specify some")
    devold = float(r_sum(fam.dev_resids(y, mu, w)))
    dev = devold
    tol = min(1e-7, epsilon / 1000.0)
    start = np.zeros(p)
    coef = start.copy()
    coefold = None
    conv = boundary = False
    fit = None
    good = w > 0
    ww = np.zeros(0)
    it = 0
    for it in range(1, maxit + 1):
        good = w > 0
        varmu = fam.variance(mu)[good]
        if np.any(np.isnan(varmu)):
            raise RParityError("NAs in V(mu)")
        if np.any(varmu == 0):
            raise RParityError("0s in V(mu)")
        mu_eta_val = fam.mu_eta(eta)
        if np.any(np.isnan(mu_eta_val[good])):
            raise RParityError("NAs in d(mu)/d(eta)")
        good = (w > 0) & (mu_eta_val != 0)
        if not good.any():
            warns.append(f"no observations informative at iteration {it}")
            break
        z = eta[good] + (y - mu)[good] / mu_eta_val[good]
        ww = np.sqrt((w[good] * (mu_eta_val[good] * mu_eta_val[good])) / fam.variance(mu)[good])
        fit = dqrls(x[good] * ww[:, None], z * ww, tol)
        if not np.all(np.isfinite(fit.coefficients)):
            warns.append(f"non-finite coefficients at iteration {it}")
            break
        if n < fit.rank:
            raise RParityError(f"X matrix has rank {fit.rank}, but only {n} observations")
        start = start.copy()
        start[fit.pivot] = fit.coefficients
        eta = seq_matvec(x, start)
        mu = fam.linkinv(eta)
        dev = float(r_sum(fam.dev_resids(y, mu, w)))
        boundary = False
        if not np.isfinite(dev):
            start, eta, mu = _halve(x, fam, start, coefold, lambda m: bool(np.isfinite(r_sum(fam.dev_resids(y, m, w)))),
                                    maxit, "step size truncated due to divergence", "inner loop 1", warns)
            dev = float(r_sum(fam.dev_resids(y, mu, w)))
            boundary = True
        if not fam.validmu(mu):
            start, eta, mu = _halve(x, fam, start, coefold, fam.validmu, maxit,
                                    "step size truncated: out of bounds", "inner loop 2", warns)
            dev = float(r_sum(fam.dev_resids(y, mu, w)))
            boundary = True
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            conv = True
            coef = start
            break
        devold = dev
        coef = coefold = start
    if not conv:
        warns.append("glm.fit: algorithm did not converge")
    if boundary:
        warns.append("glm.fit: algorithm stopped at boundary value")
    if family == "binomial" and (np.any(mu > 1 - 10 * DBL_EPS) or np.any(mu < 10 * DBL_EPS)):
        warns.append("glm.fit: fitted probabilities numerically 0 or 1 occurred")
    if fit is None:
        raise RParityError("glm.fit took no step")
    coef = np.array(coef, dtype=float)
    if fit.rank < p:
        coef[fit.pivot[fit.rank:]] = np.nan
    resid = (y - mu) / fam.mu_eta(eta)
    wt = np.zeros(n)
    wt[good] = ww * ww
    # the QR of the last iteration's weighted matrix (Cdqrls's qr): its upper triangle is R
    qr = np.array(x[good] * ww[:, None], dtype=float, order="F")
    _dqrdc2(qr, tol)
    k = fit.rank
    rmat = np.triu(qr[:k, :k])
    wsum = r_sum(w)
    if intercept:
        with np.errstate(invalid="ignore", divide="ignore"):
            wtdmu = np.float64(r_sum(w * y)) / np.float64(wsum)
    else:
        wtdmu = fam.linkinv(np.zeros(1))[0]
    nulldev = float(r_sum(fam.dev_resids(y, np.full(n, wtdmu), w)))
    return GlmFit(coef=coef, fitted=mu, eta=eta, working_weights=wt, working_resid=resid, rmat=rmat, rank=k,
                  pivot=fit.pivot, deviance=dev, null_deviance=nulldev, iterations=it, converged=conv, y=y,
                  warnings=tuple(warns))


def _halve(x: np.ndarray, fam: Family, start: np.ndarray, coefold: np.ndarray | None,
           ok: Callable[[np.ndarray], bool], maxit: int, warning: str, loop: str,
           warns: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """glm.fit's step halving: ``start <- (start + coefold)/2`` until ``ok(mu)``."""
    if coefold is None:
        raise RParityError("no valid set of coefficients has been found: please supply starting values")
    warns.append(warning)
    ii = 1
    while True:
        if ii > maxit:
            raise RParityError(f"{loop}; cannot correct step size")
        ii += 1
        start = (start + coefold) / 2
        eta = seq_matvec(x, start)
        mu = fam.linkinv(eta)
        if ok(mu):
            return start, eta, mu
