"""``glm.fit`` (R 4.2.2, ``stats``) for ``binomial()`` / ``quasibinomial()``
with the probit, cauchit, cloglog and log links (:mod:`.links`); the logit has
its own kernel (:func:`.glm.fit_logit`).

The iteration is R's, step for step: ``eta = linkfun(mustart)`` with
``mustart = (w y + 0.5)/(w + 1)``; each iteration the working response
``z = eta + (y - mu)/mu.eta(eta)`` and weights ``sqrt(w mu.eta^2/V(mu))``, a
LINPACK least-squares step (``Cdqrls``); then, as R does, **step halving**:
while the deviance is not finite, ``start <- (start + coefold)/2`` ("step size
truncated due to divergence"); while ``mu`` is outside (0, 1), the same ("step
size truncated: out of bounds"), each at most ``maxit`` times (then R's
"inner loop" errors); both set ``boundary``. Convergence when
``|dev - devold|/(|dev| + 0.1) < epsilon``. The log link is the one whose
``mu`` can leave (0, 1).
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import RParityError

from .. import _libm
from .._rmath import r_sum
from ._linpack import seq_matvec
from .glm import GlmControl, _binomial_aic, binomial_initialize, glm_finish, wls_step
from .links import LINK_FUNCTIONS, Link

__all__ = ["fit_binomial", "GlmFitError"]


class GlmFitError(RParityError):
    """``glm.fit`` itself stops (R's message)."""

    kind = "glm.fit"


def _y_log_y(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # family.c y_log_y: a log(a/b) for a != 0, else 0
    out = np.zeros(a.shape)
    nz = a != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out[nz] = a[nz] * _libm.log(a[nz] / b[nz])
    return out


def _dev(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    """``sum(binomial()$dev.resids(y, mu, w))`` (family.c, R's long double sum)."""
    with np.errstate(invalid="ignore"):
        d = 2.0 * w * (_y_log_y(y, mu) + _y_log_y(1.0 - y, 1.0 - mu))
    return float(r_sum(d))


def _valid_mu(mu: np.ndarray) -> bool:
    # binomial()$validmu: all(is.finite(mu)) && all(mu > 0 & mu < 1)
    return bool(np.all(np.isfinite(mu)) and np.all((mu > 0) & (mu < 1)))


def _halve(x, lk: Link, start, coefold, ok, maxit: int, warning: str, loop: str, warns: list[str]):
    """glm.fit's step halving: ``start <- (start + coefold)/2`` until ``ok(eta,
    mu)``, at most ``maxit`` times (then R's "inner loop" error); R's warning
    once per halving episode. Returns (start, eta, mu)."""
    if coefold is None:
        raise GlmFitError("no valid set of coefficients has been found: please supply starting values")
    warns.append(warning)
    eta = seq_matvec(x, start)
    mu = lk.linkinv(eta)
    ii = 1
    while not ok(eta, mu):
        if ii > maxit:
            raise GlmFitError(f"{loop}; cannot correct step size")
        ii += 1
        start = (start + coefold) / 2
        eta = seq_matvec(x, start)
        mu = lk.linkinv(eta)
    return start, eta, mu


def fit_binomial(x: np.ndarray, y: np.ndarray, w: np.ndarray, link: str, control: GlmControl = GlmControl(),
                 *, family: str = "binomial") -> dict:
    """The IRLS of ``glm.fit`` for ``family(link)``; the same values as
    :func:`.glm.fit_logit` (a dict, warnings in R's wording, in R's order).

    Contract: ``x`` (n, p) with the intercept first; ``y`` in [0, 1]; ``w``
    prior weights >= 0; ``link`` one of :data:`.links.LINK_FUNCTIONS`."""
    lk: Link = LINK_FUNCTIONS[link]
    n, p = x.shape
    y, mustart, warns = binomial_initialize(y, w, family)
    eta = np.asarray(lk.linkfun(mustart), dtype=float)
    mu = lk.linkinv(eta)
    if not _valid_mu(mu):
        raise GlmFitError("cannot find valid starting values: please specify some")
    devold = _dev(y, mu, w)
    dev = devold
    tol = min(1e-7, control.epsilon / 1000.0)
    start = np.zeros(p)
    coef = start.copy()
    coefold = None
    conv = boundary = False
    fit = None
    it = 0
    for it in range(1, control.maxit + 1):
        good = w > 0
        varmu = (mu * (1.0 - mu))[good]
        if np.any(np.isnan(varmu)):
            raise GlmFitError("NAs in V(mu)")
        if np.any(varmu == 0):
            raise GlmFitError("0s in V(mu)")
        mu_eta_val = lk.mu_eta(eta)
        if np.any(np.isnan(mu_eta_val[good])):
            raise GlmFitError("NAs in d(mu)/d(eta)")
        step, stop = wls_step(x, y, w, eta, mu, mu_eta_val, start, tol, it)
        if stop is not None:
            conv = False
            warns.append(stop)
            break
        fit, start = step
        eta = seq_matvec(x, start)
        mu = lk.linkinv(eta)
        dev = _dev(y, mu, w)
        boundary = False
        if not np.isfinite(dev):
            start, eta, mu = _halve(x, lk, start, coefold, lambda e, m: np.isfinite(_dev(y, m, w)),
                                    control.maxit, "step size truncated due to divergence", "inner loop 1", warns)
            dev = _dev(y, mu, w)
            boundary = True
        if not _valid_mu(mu):
            start, eta, mu = _halve(x, lk, start, coefold, lambda e, m: _valid_mu(m), control.maxit,
                                    "step size truncated: out of bounds", "inner loop 2", warns)
            boundary = True
            dev = _dev(y, mu, w)
        if abs(dev - devold) / (abs(dev) + 0.1) < control.epsilon:
            conv = True
            coef = start
            break
        devold = dev
        coef = coefold = start
    coef, rank = glm_finish(warns, conv, boundary, family, mu, fit, coef)
    with np.errstate(invalid="ignore", divide="ignore"):
        wtdmu = np.float64(r_sum(w * y)) / np.float64(r_sum(w))
    nulldev = _dev(y, np.full(n, wtdmu), w)
    aic = _binomial_aic(y, mu, w) + 2 * rank
    return dict(coef=coef, fitted=mu, linear_predictor=eta, deviance=dev, null_deviance=nulldev, aic=aic,
                iterations=it, converged=conv, rank=rank, warnings=warns)
