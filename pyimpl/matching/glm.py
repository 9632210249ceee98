"""Logistic regression by R's own iterations (``stats::glm.fit``, binomial).

R 4.2.2 ``glm.fit`` with ``family = binomial()`` (logit link, C code in
``src/library/stats/src/family.c``):

* start: ``mustart = (w y + 0.5)/(w + 1)``, ``eta = log(mu/(1 - mu))``;
* each iteration: working response ``z = eta + (y - mu)/mu.eta(eta)`` and
  weights ``sqrt(w mu.eta^2 / (mu (1 - mu)))`` on the units with ``w > 0``,
  then a least-squares step by LINPACK QR (``_linpack.dqrls``, tolerance
  ``min(1e-7, epsilon/1000)``);
* ``linkinv`` clamps ``eta`` at +-30 (``DBL_EPSILON`` and ``1/DBL_EPSILON``),
  ``mu.eta`` is ``DBL_EPSILON`` beyond +-30;
* stop when ``|dev - devold|/(|dev| + 0.1) < epsilon`` (1e-8), at most 25
  iterations; the deviance is R's ``sum`` (long double).

The same steps give coefficients and fitted values that agree with R to
about 1e-13 (the QR is replayed in the reference BLAS's summation order).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from rparity_contract.errors import InvalidArgument, RParityError, RParityWarning
from rparity_contract.results.matching import GlmLogit

from .._rmath import DBL_EPS, r_sum
from .._validate import as_1d, check_lengths, show
from ..design import as_frame, complete_rows, model_matrix, read_terms
from ._linpack import dqrls, seq_matvec

__all__ = ["glm_logit", "GlmControl", "fit_logit", "fit_glm", "wls_step", "glm_finish", "binomial_initialize",
           "as_response"]

_THRESH = 30.0
_INVEPS = 1.0 / DBL_EPS


@dataclass(frozen=True)
class GlmControl:
    """``glm.control()``: convergence tolerance and iteration limit."""

    epsilon: float = 1e-8
    maxit: int = 25


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply the C library's ``exp``/``log`` (what R calls) elementwise.

    numpy's vectorised exp/log differ from glibc's in the last bit for some
    arguments; with glibc's the IRLS iterates are bit-identical to R's."""
    x = np.asarray(x, dtype=float)
    return np.fromiter(map(fn, x.ravel().tolist()), dtype=float, count=x.size).reshape(x.shape)


def _exp(eta: np.ndarray) -> np.ndarray:
    # only |eta| <= 30 is used (linkinv and mu.eta use constants beyond), so
    # clipping first cannot change a used value and avoids overflow
    return _libm(math.exp, np.clip(eta, -31.0, 31.0))


def _log(x: np.ndarray) -> np.ndarray:
    """glibc ``log`` of positive values."""
    return _libm(math.log, x)


def _linkinv(eta: np.ndarray, e: np.ndarray) -> np.ndarray:
    # family.c logit_linkinv: x/(1 + x) with x = exp(eta) clamped
    tmp = np.where(eta < -_THRESH, DBL_EPS, np.where(eta > _THRESH, _INVEPS, e))
    return tmp / (1.0 + tmp)


def _mu_eta(eta: np.ndarray, e: np.ndarray) -> np.ndarray:
    # family.c logit_mu_eta: exp(eta)/(1 + exp(eta))^2, DBL_EPSILON beyond +-30
    with np.errstate(over="ignore", invalid="ignore"):
        opexp = 1.0 + e
        val = e / (opexp * opexp)
    return np.where((eta > _THRESH) | (eta < -_THRESH), DBL_EPS, val)


def _log_grouped(x: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """glibc ``log`` of ``x``; when ``groups`` (small ints) says x takes one
    value per group, only one log per group is computed."""
    if groups is None:
        return _log(x)
    first = np.zeros(int(groups.max()) + 1, dtype=np.int64) if groups.size else np.zeros(0, dtype=np.int64)
    first[groups[::-1]] = np.arange(groups.size)[::-1]
    return _log(x[first])[groups]


def _y_log_y(y, mu, groups=None):
    # family.c y_log_y: y log(y/mu) for y != 0, else 0
    mu = np.broadcast_to(mu, y.shape)
    out = np.zeros(y.shape)
    nz = y != 0.0
    out[nz] = y[nz] * _log_grouped(y[nz] / mu[nz], None if groups is None else groups[nz])
    return out


def _dev_resids(y, mu, wt, groups=None, binary=False) -> np.ndarray:
    """family.c binomial_dev_resids: 2 wt (y log(y/mu) + (1-y) log((1-y)/(1-mu))).

    ``groups``: units known to share (y, mu) (one log per group). ``binary``:
    y is 0/1, so exactly one term is nonzero and equals log(1/mu) or
    log(1/(1-mu)); adding the other term (0) and multiplying by y = 1 are
    exact, so one log per unit gives R's value."""
    if binary:
        mu = np.broadcast_to(mu, y.shape)
        one = y == 1.0
        with np.errstate(divide="ignore"):  # np.where computes both terms; C computes the one it uses
            arg = np.where(one, 1.0 / mu, 1.0 / (1.0 - mu))
        return 2.0 * wt * _log_grouped(arg, groups)
    return 2.0 * wt * (_y_log_y(y, mu, groups) + _y_log_y(1.0 - y, 1.0 - mu, groups))


def _binomial_aic(y, mu, wt) -> float:
    # binomial()$aic with n = 1: -2 sum(wt/m * dbinom(round(m y), round(m), mu, log=TRUE)), m = wt
    pos = wt > 0
    m = np.round(wt[pos])
    x = np.round(wt[pos] * y[pos])
    ll = stats.binom.logpmf(x, m, mu[pos])
    return float(-2.0 * r_sum(ll))


def wls_step(x, y, w, eta, mu, mu_eta_val, start, tol, it):
    """One iteration's least squares of ``glm.fit``: the working response
    ``z = eta + (y - mu)/mu.eta`` and weights ``sqrt(w mu.eta^2/V(mu))`` on the
    informative units, a LINPACK QR step (``Cdqrls``). Returns ``((fit, new
    coefficients), None)``, or ``(None, message)`` where R breaks out of the loop
    with that warning (no informative unit; non-finite coefficients)."""
    n = x.shape[0]
    good = (w > 0) & (mu_eta_val != 0)
    if not good.any():
        return None, f"no observations informative at iteration {it}"
    z = eta[good] + (y - mu)[good] / mu_eta_val[good]
    ww = np.sqrt((w[good] * mu_eta_val[good] ** 2) / (mu * (1.0 - mu))[good])
    fit = dqrls(x[good] * ww[:, None], z * ww, tol)
    if not np.all(np.isfinite(fit.coefficients)):
        return None, f"non-finite coefficients at iteration {it}"
    if n < fit.rank:
        raise RParityError(f"X matrix has rank {fit.rank}, but only {n} observations")
    new = start.copy()
    new[fit.pivot] = fit.coefficients
    return (fit, new), None


def glm_finish(warns: list[str], conv: bool, boundary: bool, family: str, mu: np.ndarray, fit, coef):
    """glm.fit after the loop: its three warnings (in R's order) appended to
    ``warns``; the coefficients with NA (NaN) for aliased columns, and the rank."""
    if not conv:
        warns.append("glm.fit: algorithm did not converge")
    if boundary:
        warns.append("glm.fit: algorithm stopped at boundary value")
    eps = 10 * DBL_EPS
    if family == "binomial" and (np.any(mu > 1 - eps) or np.any(mu < eps)):
        warns.append("glm.fit: fitted probabilities numerically 0 or 1 occurred")
    rank = fit.rank if fit is not None else 0
    coef = np.array(coef, dtype=float)
    if fit is not None and rank < coef.size:
        coef[fit.pivot[rank:]] = np.nan
    return coef, rank


def binomial_initialize(y: np.ndarray, w: np.ndarray, family: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``binomial()$initialize`` (it runs in glm.fit's frame, so ``y`` is
    changed for the fit): ``y`` 0 where the weight is 0, R's refusal of y
    outside [0, 1], ``mustart = (w y + 0.5)/(w + 1)``, and binomial's
    "non-integer #successes" warning. Returns (y, mustart, warnings)."""
    y = y.copy()
    y[w == 0] = 0.0
    if np.any((y < 0) | (y > 1)):
        raise InvalidArgument("`y` values must be 0 <= y <= 1", kind="y.values")
    mustart = (w * y + 0.5) / (w + 1.0)
    warns: list[str] = []
    msucc = w * y
    if family == "binomial" and np.any(np.abs(msucc - np.round(msucc)) > 0.001):
        warns.append("non-integer #successes in a binomial glm!")
    return y, mustart, warns


def fit_logit(x: np.ndarray, y: np.ndarray, w: np.ndarray, control: GlmControl = GlmControl(),
              *, family: str = "binomial") -> dict:
    """The IRLS kernel of ``glm.fit`` for the logit link.

    Contract
    --------
    x : (n, p) float, finite, first column the intercept.
    y : (n,) in [0, 1]; w : (n,) prior weights >= 0.
    family : ``"binomial"`` (warns like ``binomial()``) or ``"quasibinomial"``
        (MatchIt's ``distance2glm``: the same fit, fewer warnings).
    Returns a dict of ``glm.fit``'s values plus ``warnings`` (R's wording).
    """
    n, p = x.shape
    y, mustart, warns = binomial_initialize(y, w, family)
    # with constant weights and a 0/1 response the start takes two values:
    # compute its logs and exps once per value (same numbers, fewer libm calls)
    binary = bool(np.all((y == 0.0) | (y == 1.0)))
    start_groups = y.astype(np.int64) if binary and w.size and w.min() == w.max() else None
    eta = _log_grouped(mustart / (1.0 - mustart), start_groups)
    if start_groups is None:
        e = _exp(eta)  # exp(eta), shared by linkinv and mu.eta (R computes it in both)
    else:
        e = _exp(eta[np.array([np.argmax(y == 0.0), np.argmax(y == 1.0)])])[start_groups]
    mu = _linkinv(eta, e)
    devold = r_sum(_dev_resids(y, mu, w, start_groups, binary))
    dev = devold
    tol = min(1e-7, control.epsilon / 1000.0)
    start = np.zeros(p)
    coef = start.copy()
    conv = False
    boundary = False
    fit = None
    it = 0
    for it in range(1, control.maxit + 1):
        good = w > 0
        varmu = (mu * (1.0 - mu))[good]
        if np.any(varmu == 0):
            raise RParityError("0s in V(mu)")
        mu_eta_val = _mu_eta(eta, e)
        step, stop = wls_step(x, y, w, eta, mu, mu_eta_val, start, tol, it)
        if stop is not None:
            conv = False
            warns.append(stop)
            break
        fit, start = step
        eta = seq_matvec(x, start)
        e = _exp(eta)
        mu = _linkinv(eta, e)
        dev = r_sum(_dev_resids(y, mu, w, None, binary))
        boundary = False
        # the logit's linkinv keeps mu in (0, 1), so R's step-halving branches
        # (non-finite deviance, invalid mu) cannot trigger here
        if abs(dev - devold) / (0.1 + abs(dev)) < control.epsilon:
            conv = True
            coef = start
            break
        devold = dev
        coef = start
    coef, rank = glm_finish(warns, conv, boundary, family, mu, fit, coef)
    with np.errstate(invalid="ignore", divide="ignore"):
        wtdmu = np.float64(r_sum(w * y)) / np.float64(r_sum(w))
    # the null model's mean is one value: one log per response value
    nulldev = r_sum(_dev_resids(y, np.full(n, wtdmu), w, y.astype(np.int64) if binary else None, binary))
    dev_final = dev  # glm.fit returns the deviance of its last iterate
    aic = _binomial_aic(y, mu, w) + 2 * rank
    return dict(coef=coef, fitted=mu, linear_predictor=eta, deviance=dev_final,
                null_deviance=nulldev, aic=aic, iterations=it, converged=conv, rank=rank,
                warnings=warns)


def fit_glm(x: np.ndarray, y: np.ndarray, w: np.ndarray, link: str, control: GlmControl = GlmControl(),
            *, family: str = "binomial") -> dict:
    """``glm.fit`` with ``family(link)``: the logit's own kernel, or the other
    links' (:func:`pyimpl.matching.glm_fit.fit_binomial`)."""
    if link == "logit":
        return fit_logit(x, y, w, control, family=family)
    from .glm_fit import fit_binomial

    return fit_binomial(x, y, w, link, control, family=family)


def as_response(y) -> np.ndarray:
    """The response as floats, NaN where missing: 0/1 numbers or booleans."""
    arr = as_1d(y, "y")
    if arr.dtype == bool:
        return arr.astype(float)
    if isinstance(y, pd.Series) and pd.api.types.is_bool_dtype(y.dtype):
        return y.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    try:
        v = pd.Series(arr).to_numpy(dtype=float, na_value=np.nan) if arr.dtype == object else arr.astype(float)
    except (TypeError, ValueError):
        raise InvalidArgument("`y` must be numeric 0/1 or boolean", kind="y.type") from None
    bad = np.isinf(v)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`y` must be finite; got y[{i}]={show(v[i])}", kind="y.values")
    bad = (v < 0) | (v > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`y` values must be 0 <= y <= 1; got y[{i}]={show(v[i])}", kind="y.values")
    return v


def _as_prior_weights(weights, n: int) -> np.ndarray | None:
    """Prior weights, NaN where missing (the row is dropped); glm refuses negatives."""
    if weights is None:
        return None
    w = as_1d(weights, "weights")
    try:
        w = pd.Series(w).to_numpy(dtype=float, na_value=np.nan) if w.dtype == object else w.astype(float)
    except (TypeError, ValueError):
        raise InvalidArgument("`weights` must be numeric", kind="weights.type") from None
    check_lengths(weights=w, _n=n)
    bad = np.isinf(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`weights` must be finite; got weights[{i}]={show(w[i])}", kind="weights.nonfinite")
    bad = w < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`weights` must be non-negative (R: 'negative weights not allowed'); "
                              f"got weights[{i}]={show(w[i])}", kind="weights.negative")
    return w


def glm_logit(X, y, *, weights=None, control: GlmControl = GlmControl()) -> GlmLogit:
    """Logistic regression, as ``glm(y ~ ., data = X, family = binomial, weights = weights)``.

    Parameters
    ----------
    X : DataFrame or 2-D array
        Covariates; numeric, boolean (used as 0/1), categorical or string
        columns (treatment contrasts, as ``model.matrix``). An intercept is
        added. A 2-D array's columns are named ``x1..xp``.
    y : array-like
        Response in [0, 1] (0/1 or boolean for individual outcomes).
    weights : array-like, optional
        Prior weights (non-negative).

    Notes
    -----
    Rows with a missing value in ``X``, ``y`` or ``weights`` are dropped, as
    R's ``na.omit``: the fitted values are those of the rows kept. Factor levels
    unused in those rows are dropped (``model.frame(drop.unused.levels = TRUE)``).
    Aliased columns get NaN coefficients, as R reports NA. Warnings use R's
    wording (``"glm.fit: fitted probabilities numerically 0 or 1 occurred"``
    under separation).
    """
    frame = as_frame(X)
    yv = as_response(y)
    check_lengths(X=frame.index, y=yv)
    w = _as_prior_weights(weights, yv.size)
    terms = read_terms(frame)
    keep = complete_rows(terms, yv.size) & ~np.isnan(yv)
    if w is not None:
        keep &= ~np.isnan(w)
    if not keep.any():
        raise InvalidArgument("no (non-missing) observations: every row has a missing value", kind="data.empty")
    if not keep.all():
        rows = np.flatnonzero(keep)
        terms = [t.take(rows) for t in terms]
        yv = yv[rows]
        w = None if w is None else w[rows]
    design = model_matrix(terms, yv.size, intercept=True, drop_unused_levels=True)
    x, names = design.x, design.names
    if np.isinf(x).any():
        r, c = np.argwhere(np.isinf(x))[0]
        raise InvalidArgument(f"`X` must be finite (R: 'NA/NaN/Inf in 'x''); got {names[c]!r}[{r}]={show(x[r, c])}",
                              kind="X.nonfinite")
    out = fit_logit(x, yv, np.ones(yv.size) if w is None else w, control)
    for msg in out["warnings"]:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return GlmLogit(names=tuple(names), coef=out["coef"], fitted=out["fitted"],
                    linear_predictor=out["linear_predictor"], deviance=out["deviance"],
                    null_deviance=out["null_deviance"], aic=out["aic"],
                    iterations=out["iterations"], converged=out["converged"], rank=out["rank"],
                    warnings=tuple(out["warnings"]))
