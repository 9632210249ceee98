"""``residuals(<survreg>, type=, rsigma=, collapse=, weighted=)``: survival
3.5-3's ``residuals.survreg``, written anew from R's code.

Contract
--------
``deriv`` (:func:`derivatives`) is R's six columns per row, the log-likelihood
``g`` and its derivatives with respect to eta and log(sigma): ``g``, ``dg``,
``ddg``, ``ds``, ``dds``, ``dsg``, R's expressions as written (``ifelse``
evaluates both branches; sums of indicator products in R's order) for the
four statuses (0 right, 1 exact, 2 left, 3 interval censored). The types:

* ``response``: ``itrans(center) - itrans(lp)``, ``center`` from the
  distribution's ``deviance`` (the midpoint of an interval);
* ``deviance``: ``sign(-dg/ddg) * sqrt(2 (loglik_saturated - g))``;
* ``working``: ``-dg/ddg``;
* ``dfbeta``/``dfbetas``/``ldcase``: the score (``dg * x``, and ``ds`` for
  the log scale(s) with ``rsigma``) times the (naive) variance; ``dfbetas``
  divides each column by its standard error, ``ldcase`` is the row sums of
  dfbeta times score;
* ``ldresp``/``ldshape``: the quadratic forms of ``ddg * x * sigma`` (and
  ``dsg * sigma``) or ``dsg * x`` (and ``dds``) in the variance;
* ``matrix``: the six columns.

``weighted`` multiplies by the case weights (when the fit has them);
``collapse`` sums rows by group (``rowsum``: groups sorted, NA last). A
fixed scale sets ``rsigma`` to False; ``rsigma = False`` with an estimated
scale is refused for the score types, as R (``score %*% vv``:
non-conformable arguments). So are the score types of a fit whose
``strata()`` are only inside interactions (``age:strata(sex)``): R's ``x``
is then ``model.matrix(Terms[-integer(0)])``, the intercept alone.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.survreg import SURVREG_RESIDUAL_TYPES, SurvReg, SurvRegResiduals

from .. import _libm
from .._rformat import r_label
from .distributions import Base
from .fit import gemm_blas

__all__ = ["survreg_residuals", "derivatives", "TYPES", "score_matrix"]

TYPES = SURVREG_RESIDUAL_TYPES
MATRIX_COLUMNS = ("g", "dg", "ddg", "ds", "dds", "dsg")


def derivatives(y1: np.ndarray, y2: np.ndarray | None, status: np.ndarray, eta: np.ndarray, sigma: Any,
                base: Base, parms: dict[str, float]) -> np.ndarray:
    """R's ``deriv`` matrix (n, 6) of residuals.survreg (see the module).
    ``y2``: the (transformed) upper bounds when y has a status 3 (else None)."""
    sigma = np.asarray(sigma, dtype=float)
    s0, s1, s2, s3 = ((status == k).astype(float) for k in range(4))
    with np.errstate(all="ignore"):
        z = (y1 - eta) / sigma
        d1, d2, d3, d4, d5 = base.density(z, parms)
        dtemp = d3 * d4
        if np.any(status == 3):
            assert y2 is not None
            z2: Any = (y2 - eta) / sigma
            e1, e2, e3, e4, _ = base.density(z2, parms)
        else:
            z2 = 0.0
            e1, e2, e3, e4 = d1, d2, d3, d4
        tdenom = s0 * d2 + s1 * 1 + s2 * d1 + s3 * np.where(z > 0, d2 - e2, e1 - d1)
        g = _libm.log(np.where(status == 1, d3 / sigma, tdenom))
        tdenom = 1 / tdenom
        dg = -(tdenom / sigma) * (s0 * (0 - d3) + s1 * d4 + s2 * d3 + s3 * (e3 - d3))
        ddg = (tdenom / (sigma * sigma)) * (s0 * (0 - dtemp) + s1 * d5 + s2 * dtemp + s3 * (e3 * e4 - dtemp))
        lt3 = status < 3
        sz = sigma * z
        ds = np.where(lt3, dg * sigma * z, tdenom * (z2 * e3 - z * d3))
        dds = np.where(lt3, ddg * (sz * sz), tdenom * (z2 * z2 * e3 * e4 - z * z * d3 * d4))
        dsg = np.where(lt3, ddg * sigma * z, tdenom * (z2 * e3 * e4 - z * dtemp))
        out = np.column_stack([g, dg, ddg - dg * dg, np.where(status == 1, ds - 1, ds), dds - ds * (1 + ds),
                               dsg - dg * (1 + ds)])
    return out


def score_matrix(col: np.ndarray, x: np.ndarray, extra: np.ndarray | None, strata: np.ndarray | None,
                 nstrata: int) -> np.ndarray:
    """``col * x`` (a vector times a matrix: by rows), then (rsigma) ``extra``
    in its stratum's column (``cbind``)."""
    sc: np.ndarray = col[:, None] * x
    if extra is None:
        return sc
    if nstrata > 1:
        assert strata is not None
        d = np.zeros((x.shape[0], nstrata))
        d[np.arange(x.shape[0]), strata] = extra
        return np.column_stack([sc, d])
    return np.column_stack([sc, extra])


def _row_sums(a: np.ndarray) -> np.ndarray:
    """R's ``rowSums``: a long-double sum across the columns, rounded once."""
    acc = np.zeros(a.shape[0], dtype=np.longdouble)
    for j in range(a.shape[1]):
        acc = acc + a[:, j].astype(np.longdouble)
    out: np.ndarray = acc.astype(float)
    return out


def naresid_exclude(fit: SurvReg, values: np.ndarray) -> np.ndarray:
    """stats' ``naresid.exclude``: with ``na_action="na.exclude"``, ``values`` (one row per kept row) get a NaN
    row at each dropped position of the model frame; otherwise (na.omit) unchanged."""
    if fit.call is None or fit.call.na_action != "na.exclude" or not fit.na_action:
        return values
    dropped = np.asarray(fit.na_action, dtype=np.intp)
    keep = np.ones(values.shape[0] + dropped.size, dtype=bool)
    keep[dropped] = False
    out = np.full((keep.size,) + values.shape[1:], np.nan)
    out[keep] = values
    return out


def _match_type(type: Any) -> str:
    if isinstance(type, str) and type:
        hits = [t for t in TYPES if t == type] or [t for t in TYPES if t.startswith(type)]
        if len(hits) == 1:
            return hits[0]
    raise InvalidArgument(f"`type` must be one of {list(TYPES)}; got type={type!r} (R: \"'arg' should be one of "
                          "...\")", kind="type.value")


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InvalidArgument(f"`{name}` must be True or False; got {name}={value!r}", kind="argument.type")


def _rowsum(rr: np.ndarray, collapse: Any, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """``rowsum(rr, collapse)``: double sums in row order, groups sorted (NA last, with R's warning)."""
    g = pd.Series(collapse.to_numpy() if isinstance(collapse, (pd.Series, pd.Index)) else np.asarray(collapse))
    if g.ndim != 1 or len(g) != n:
        raise InvalidArgument(f"`collapse` must have one value per row of the fit ({n}); got length {len(g)} (R: "
                              "\"Wrong length for 'collapse'\")", kind="lengths")
    na = np.asarray(g.isna())
    if na.any():
        warnings.warn(RParityWarning("missing values for 'group'"), stacklevel=3)
    levels = sorted(set(g[~na].tolist()))
    labels = [r_label(v) for v in levels] + (["NA"] if na.any() else [])
    code = np.full(n, len(levels), dtype=np.intp)
    pos = {v: i for i, v in enumerate(levels)}
    code[~na] = [pos[v] for v in g[~na].tolist()]
    two = rr if rr.ndim == 2 else rr[:, None]
    out = np.zeros((len(labels), two.shape[1]))
    for i in range(n):
        out[code[i]] += two[i]
    return (out if rr.ndim == 2 else out[:, 0]), tuple(labels)


def survreg_residuals(fit: SurvReg, type: str = "response", *, rsigma: bool = True, collapse: Any = None,
                      weighted: bool = False) -> SurvRegResiduals:
    """``residuals(fit, type=, rsigma=, collapse=, weighted=)`` (see the module)."""
    from .survreg import DISTRIBUTIONS, model, resolve_parms, strata_only_in_interactions, transformed_y

    if not isinstance(fit, SurvReg) or fit.call is None:
        raise InvalidArgument(f"`fit` must be a SurvReg result that kept its call (survreg() of any engine); got "
                              f"{fit.__class__.__name__}", kind="fit.type")
    kind = _match_type(type)
    rsigma = _flag(rsigma, "rsigma")
    weighted = _flag(weighted, "weighted")
    c = fit.call
    m = model(c.formula, c.data, c.subset, c.weights, c.cluster)
    need_x = kind not in ("response", "deviance", "working")
    if need_x and c.cluster is not None and model(c.formula, c.data, c.subset, c.weights).x.shape[0] != m.x.shape[0]:
        # R: stats::model.frame(object) rebuilds the frame without cluster=, so its rows no longer match the fit's
        raise InvalidArgument(f"`fit`: residuals(type={kind!r}) of a fit whose `cluster` argument dropped rows (a "
                              "missing cluster): R rebuilds the model frame without it and mixes the rows up (R: "
                              "'longer object length is not a multiple of shorter object length')",
                              kind="residuals.rows")
    d = DISTRIBUTIONS[fit.dist]
    base = d.base_dist
    parms = resolve_parms(d, c.parms)
    coef = np.asarray(fit.coef)
    var = np.asarray(fit.var, dtype=float)
    if var.shape[0] == coef.size:
        rsigma = False
    vv = var if fit.naive_var is None else np.asarray(fit.naive_var, dtype=float)
    if m.weights is None:
        weighted = False
    scale = np.asarray(fit.scale, dtype=float)
    sigma: Any = scale[m.strata] if m.nstrat > 1 else scale[0]
    y1, y2, status = transformed_y(m, d)
    eta = np.asarray(fit.linear_predictors, dtype=float)
    columns: tuple[str, ...] = ()
    if kind == "response":
        center, _ = base.deviance(y1, y2, status, sigma, parms)
        rr = (_libm.exp(center) - _libm.exp(eta)) if d.log_time else center - eta
    else:
        deriv = derivatives(y1, y2, status, eta, sigma, base, parms)
        x = m.x
        strata_x = need_x and strata_only_in_interactions(m.formula)
        if strata_x:
            # R: model.matrix(Terms[-untangle.specials(Terms, "strata", 1)$terms]); with strata() only inside
            # interactions the index is -integer(0), which keeps no term: the intercept alone (none with - 1)
            x = np.ones((x.shape[0], 1)) if m.formula.intercept else np.zeros((x.shape[0], 0))
        with np.errstate(all="ignore"):
            if kind == "deviance":
                _, ll = base.deviance(y1, y2, status, sigma, parms)
                rr = (-1) * deriv[:, 1] / deriv[:, 2]
                rr = np.sign(rr) * np.sqrt(2 * (ll - deriv[:, 0]))
            elif kind == "working":
                rr = (-1) * deriv[:, 1] / deriv[:, 2]
            elif kind == "matrix":
                rr = deriv
                columns = MATRIX_COLUMNS
            else:
                extra = None
                if kind in ("dfbeta", "dfbetas", "ldcase"):
                    if rsigma:
                        extra = deriv[:, 3]
                    score = score_matrix(deriv[:, 1], x, extra, m.strata, m.nstrat)
                elif kind == "ldresp":  # deriv[, 3] * (x * sigma), then deriv[, 6] * sigma
                    if rsigma:
                        extra = deriv[:, 5] * sigma
                    sig_x = x * (np.asarray(sigma)[:, None] if np.ndim(sigma) else sigma)
                    score = score_matrix(deriv[:, 2], sig_x, extra, m.strata, m.nstrat)
                else:  # ldshape
                    if rsigma:
                        extra = deriv[:, 4]
                    score = score_matrix(deriv[:, 5], x, extra, m.strata, m.nstrat)
                if score.shape[1] != vv.shape[0]:
                    why = ("`fit`: strata() only inside interactions (no strata() main effect), so R's model matrix "
                           "here is the intercept alone" if strata_x else
                           "`rsigma`=False with an estimated scale")
                    raise InvalidArgument(f"{why}: the score has {score.shape[1]} columns and the variance "
                                          f"{vv.shape[0]} (R: 'non-conformable arguments')", kind="argument.value")
                prod = gemm_blas(score, vv)
                if kind == "dfbeta":
                    rr = prod
                elif kind == "dfbetas":
                    rr = prod * (1 / np.sqrt(np.diag(vv)))[None, :]
                else:
                    rr = _row_sums(prod * score)
    if weighted:
        assert m.weights is not None
        rr = rr * (m.weights[:, None] if rr.ndim == 2 else m.weights)
    rr = naresid_exclude(fit, np.asarray(rr, dtype=float))  # R: naresid(object$na.action, rr), then collapse
    groups = None
    if collapse is not None:
        rr, groups = _rowsum(rr, collapse, rr.shape[0])
    return SurvRegResiduals(type=kind, values=np.asarray(rr, dtype=float), columns=columns, groups=groups,
                            engine="pyimpl")
