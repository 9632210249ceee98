"""Design-based generalised linear models: survey 4.1-1's ``svyglm(formula,
design, family)`` on a one-stage design.

As ``svyglm.survey.design``, ``svy.varcoef`` and ``summary.svyglm``:

* ``glm(formula, data, family, weights = (1/prob)/mean(1/prob))``: the
  sampling weights rescaled to mean 1 over the whole design, rows with a
  missing value dropped (``na.omit``; the design loses them too);
* ``Ainv = summary(glm)$cov.unscaled = chol2inv(R)`` (the last QR's R,
  :func:`pyimpl._lapack.chol2inv`); the estimating functions ``estfun =
  (X * working residuals) * working weights``; the design-based variance
  ``svyrecvar(estfun %*% Ainv)`` (reference ``dgemm``: sums over the inner
  index in order);
* ``df.residual = degf(design) + 1 - p``, ``degf`` the clusters minus the
  strata among the rows with a nonzero weight;
* ``summary()``: ``se = sqrt(diag(vcov))``, ``t = coef/se``, ``p = 2 pt(-|t|,
  df.residual)`` (NaN when ``df.residual <= 0``), and the dispersion
  ``svyvar(pearson residuals, design)`` (``residuals.svyglm``: ``(y - mu)
  sqrt(prior/pw)/sqrt(V(mu))``, ``pw`` the kept design's weights rescaled to mean 1): ``x - svymean(x)``, then
  ``svymean(x^2 n/(n - 1))`` with ``n`` the rows of nonzero weight (its
  design variance beside it).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.survey import SvyGLM

from .._lapack import chol2inv
from .._rmath import r_mean, r_sum
from ..formula import complete_frame, model_frame, terms_matrix
from ._design import Design, read_design, svyrecvar
from ._glm import FAMILIES, glm_fit

__all__ = ["svyglm"]


def svyglm(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
           family: str = "gaussian") -> SvyGLM:
    """``svyglm(formula, design = svydesign(ids = ~ids (or ~1), strata =
    ~strata, weights = ~weights, data = data), family = family())``.

    ``family``: ``"gaussian"``, ``"binomial"``, ``"quasibinomial"``,
    ``"poisson"`` or ``"quasipoisson"`` with its canonical link.

    Notes
    -----
    Other links, and a model matrix of less than full rank (R gives NA
    coefficients and a variance of the others), are refused: outside what
    this port reproduces.
    """
    if family not in FAMILIES:
        raise InvalidArgument(f"`family` must be one of {sorted(FAMILIES)} (canonical links); got "
                              f"family={family!r}", kind="argument.value")
    design = read_design(data, weights, ids, strata)
    frame = model_frame(formula, data)
    mf = frame.formula
    if mf.response is None or mf.response.surv:
        raise InvalidArgument(f"`formula` needs a response (not Surv()) for svyglm; got {mf.text!r}",
                              kind="formula.response")
    frame = complete_frame(frame, [])
    keep = np.ones(len(frame.data), dtype=bool)
    for t in frame.variables + frame.response + frame.offsets + frame.unused:
        keep &= ~t.missing
    if frame.offsets or mf.strata or mf.cluster is not None:
        raise InvalidArgument(f"`formula` {mf.text!r}: offset(), strata() and cluster() terms are not in "
                              "pyimpl's svyglm", kind="formula.special")
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InvalidArgument("no row of `data` is complete in the formula's variables", kind="data.empty")
    variables = [v.take(rows) for v in frame.variables]
    dm = terms_matrix(variables, list(mf.terms), list(mf.codes), [mf.label(k) for k in range(len(mf.terms))],
                      rows.size)
    names = list(dm.names)
    x = dm.x
    if mf.intercept:
        x = np.column_stack([np.ones(rows.size), x])
        names = ["(Intercept)", *names]
    x = np.asfortranarray(x, dtype=float)
    y_term = frame.response[0]
    if y_term.kind == "numeric":
        y = np.asarray(y_term.values, dtype=float)[rows]
    elif y_term.kind == "logical":
        y = (np.asarray(y_term.codes) == 1).astype(float)[rows]
    else:
        raise InvalidArgument(f"the response {y_term.name!r} must be numeric or logical for pyimpl's svyglm",
                              kind="y.type")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise InvalidArgument("the model frame has an infinite value (R: 'NA/NaN/Inf in 'x'')",
                              kind="X.nonfinite")
    pw = design.weights
    if (pw < 0).any():
        i = int(np.flatnonzero(pw < 0)[0])
        raise InvalidArgument(f"`weights` must be non-negative (R's glm.fit: 'negative weights not allowed'); got "
                              f"weights[{i}]={pw[i]!r}", kind="weights.negative")
    prior = (pw / r_mean(pw))[rows]  # (1/prob)/mean(1/prob) over the whole design
    fit = glm_fit(x, y, prior, family, intercept=mf.intercept)
    for msg in fit.warnings:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    p = x.shape[1]
    if fit.rank < p:
        raise InvalidArgument(f"the model matrix has rank {fit.rank} < {p} columns (aliased coefficients: not in "
                              "pyimpl's svyglm)", kind="X.singular")
    kept = design.rows(rows)
    naive = chol2inv(fit.rmat)
    estfun = (x * fit.working_resid[:, None]) * fit.working_weights[:, None]
    var = svyrecvar(_dgemm(estfun, naive), kept)
    df_residual = float(_degf(kept) + 1 - p)
    se = np.sqrt(np.diag(var))
    tval = fit.coef / se
    pv = 2.0 * stats.t.cdf(-np.abs(tval), df_residual) if df_residual > 0 else np.full(p, np.nan)
    fam = FAMILIES[family]
    # residuals.svyglm(type = "pearson"): the prior weights over the kept design's rescaled weights
    pwts = kept.weights
    pwts = pwts / r_mean(pwts)
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = (fit.y - fit.fitted) * np.sqrt(prior / pwts) / np.sqrt(fam.variance(fit.fitted))
    disp, disp_var = _svyvar(pearson, kept)
    return SvyGLM(names=tuple(names), coef=fit.coef, var=var, naive_cov=naive, se=se, t=tval, p=pv, dispersion=disp,
                  dispersion_var=disp_var, df_residual=df_residual, deviance=fit.deviance,
                  null_deviance=fit.null_deviance, iter=fit.iterations, n=int(rows.size), fitted=fit.fitted,
                  family=family, warnings=design.notes + fit.warnings)


def _dgemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a %*% b`` as reference dgemm ("N", "N"): ``C[:, j] += b[l, j] a[:, l]``, l in order."""
    c = np.zeros((a.shape[0], b.shape[1]))
    for j in range(b.shape[1]):
        for k in range(a.shape[1]):
            c[:, j] += b[k, j] * a[:, k]
    return c


def _degf(design: Design) -> int:
    """``degf(design)``: clusters minus strata among the rows of nonzero weight."""
    inset = design.weights != 0
    return int(np.unique(design.cluster[inset]).size - np.unique(design.stratum[inset]).size)


def _svymean(x: np.ndarray, design: Design) -> tuple[float, float]:
    """``svymean(x, design)`` of one column: ``colSums(x * pw/psum)`` and
    ``svyrecvar((x - mean) * pw/psum)``."""
    pw = 1.0 / design.prob
    psum = r_sum(pw)
    average = float(r_sum(x * pw / psum))
    centred = x - average
    v = svyrecvar((centred * pw / psum)[:, None], design)
    return average, float(v[0, 0])


def _svyvar(x: np.ndarray, design: Design) -> tuple[float, float]:
    """``svyvar(x, design)`` of one column (``svyvar.survey.design``)."""
    n = int(np.sum(design.weights != 0))
    xbar, _ = _svymean(x, design)
    xc = x - xbar
    return _svymean(xc * xc * n / (n - 1), design)
