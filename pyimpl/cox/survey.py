"""Design-based Cox regression: the survey package's ``svycoxph`` (survey 4.1-1)
on a one-stage design ``svydesign(ids = ~1 or ~cluster, strata = ~s,
weights = ~w, data)``.

Following ``svycoxph.survey.design`` and ``svyrecvar``:

* the sampling weights are rescaled to mean 1, ``(1/prob) / mean(1/prob)``
  with ``prob = 1/w`` (as R computes it, so ``1/(1/w)``, not w);
* ``coxph(formula, weights = rescaled, subset = rescaled > 0)``;
* the design-based variance of the coefficients is the variance of a total of
  the weighted ``dfbeta`` residuals: per stratum, the residuals summed per
  cluster (``rowsum``, clusters in sorted order), padded with zero rows up to
  the stratum's number of clusters in the whole design (rows dropped for
  missing values stay in the design's count), centred on their mean and
  scaled by ``n_h / (n_h - 1)``: ``crossprod(x * sqrt(scale))`` (reference BLAS
  ``dsyrk``: sums over rows in order), summed over strata (``sum``, long
  double) times ``n_strata / n_strata_ok``;
* the model-based variance is kept as ``inv_info``; the Wald statistic is
  ``b' V^-1 b``.

A stratum with one cluster fails as in R (``options(survey.lonely.psu =
"fail")``, survey's default).
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survey import SvyCoxPH

from .._rmath import r_mean
from .._validate import show

__all__ = ["svycoxph"]


def svycoxph(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
             ties: str = "efron") -> SvyCoxPH:
    """``svycoxph(formula, design = svydesign(ids = ~ids (or ~1), strata =
    ~strata, weights = ~weights, data = data), ties = ties)``.

    ``weights``, ``ids``, ``strata``: columns of ``data`` (names) or one value
    per row; without weights every row has probability 1, with svydesign's
    warning. Returns the Cox fit with the design-based variance ``var`` (and
    the model-based ``inv_info``)."""
    from rparity_contract.errors import RParityWarning

    from . import coxph, coxph_residuals

    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame; got {type(data).__name__}", kind="data.type")
    n = len(data)
    notes: list[str] = []
    if weights is None:
        notes.append("No weights or probabilities supplied, assuming equal probability")
        w = np.ones(n)
    else:
        w = _column(weights, data, "weights").astype(float)
    if np.isnan(w).any():
        i = int(np.flatnonzero(np.isnan(w))[0])
        raise InvalidArgument(f"`weights` has a missing value at row {i} (R's svydesign fails on it)",
                              kind="argument.missing")
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise InvalidArgument(f"`weights` must be non-negative (R: 'weights must be non-negative'); got "
                              f"weights[{i}]={show(w[i])}", kind="weights.negative")
    cluster = np.arange(n) if ids is None else _column(ids, data, "ids")
    stratum = np.zeros(n, dtype=np.int64) if strata is None else _column(strata, data, "strata")
    cl_codes, ncl = _codes(cluster, "ids")
    st_codes, nst = _codes(stratum, "strata")
    if strata is not None and ids is not None:
        nested = pd.DataFrame({"c": cl_codes, "s": st_codes}).groupby("c")["s"].nunique()
        if (nested > 1).any():
            raise InvalidArgument("a cluster of `ids` lies in several strata of `strata` (R's svydesign: 'Clusters "
                                  "not nested in strata at top level; you may want nest=TRUE')", kind="ids.nesting")
    # the design's number of clusters per stratum (svydesign: fpc$sampsize), before any row is dropped
    npsu = np.array([np.unique(cl_codes[st_codes == h]).size for h in range(nst)])
    for h in range(nst):
        if npsu[h] == 1:
            raise InvalidArgument(f"stratum {h + 1} of `strata` has only one cluster (R: 'Stratum (...) has only "
                                  "one PSU at stage 1', survey.lonely.psu = \"fail\")", kind="strata.lonely")
    with np.errstate(divide="ignore"):
        prob = 1.0 / w
        inv = 1.0 / prob
    rescaled = inv / r_mean(inv)
    for msg in notes:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    with warnings.catch_warnings(record=True) as caught:  # the fit's warnings are kept on the result
        warnings.simplefilter("always")
        fit = coxph(formula, data=data, weights=rescaled, subset=rescaled > 0, ties=ties)
    for c in caught:
        warnings.warn(c.message, stacklevel=2)
    dropped = np.zeros(n, dtype=bool)
    dropped[list(fit.na_action)] = True
    keep = ~dropped  # the design after design[-nas, ]
    if (rescaled > 0).all():
        dbeta_used = np.asarray(coxph_residuals(fit, "dfbeta", weighted=True).values, dtype=float)
    else:  # R's residuals pair the kept rows with the first rows of the whole model matrix
        dbeta_used = dfbeta_zero_weights(formula, data, fit)
    dbeta_used = dbeta_used.reshape(dbeta_used.shape[0], -1)
    dbeta = place_dfbeta(dbeta_used, np.isfinite(prob[keep]))
    var = _svyrecvar(dbeta, cl_codes[keep], st_codes[keep], npsu)
    coef = np.asarray(fit.coef, dtype=float)
    wald = float(coef @ _solve(var, coef))
    return SvyCoxPH(names=tuple(fit.names), coef=coef, var=var, inv_info=np.asarray(fit.var, dtype=float),
                    loglik=np.asarray(fit.loglik, dtype=float), wald=wald, n=int(fit.n),
                    n_clusters=int(npsu.sum()), n_strata=int(nst), warnings=tuple(notes) + tuple(fit.warnings))


def place_dfbeta(used: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """survey's ``dbeta <- matrix(0, nrow(design), ncol(dbeta.subset));
    dbeta[is.finite(design$prob), ] <- dbeta.subset`` on the design less the
    rows ``na.action`` dropped. A row of weight 0 with a missing value is in
    neither the fit (``subset``) nor ``na.action``, so the design keeps it and
    the counts differ: R then fails ("number of items to replace is not a
    multiple of replacement length"; it would recycle if one count divided
    the other, which needs more such rows than rows in the fit: refused too)."""
    if int(finite.sum()) != used.shape[0]:
        raise InvalidArgument(f"{int(finite.sum()) - used.shape[0]} row(s) with a weight of 0 have a missing value "
                              "in the formula's variables: survey's svycoxph then has more design rows than "
                              "residuals (R: 'number of items to replace is not a multiple of replacement "
                              "length')", kind="argument.missing")
    dbeta = np.zeros((finite.size, used.shape[1]))
    dbeta[finite] = used
    return dbeta


def dfbeta_zero_weights(formula: Any, data: pd.DataFrame, fit: Any) -> np.ndarray:
    """``resid(g, "dfbeta", weighted = TRUE)`` of a svycoxph fit whose
    ``subset = weights > 0`` dropped rows, as survey 4.1-1 and survival
    3.5-3 compute it: ``residuals.coxph`` has the fit's ``y``, weights and
    linear predictors (the rows kept) but no ``x``, and ``coxph.getdata``
    rebuilds it from ``model.frame(<svycoxph>)``, survey's
    ``model.frame.svycoxph``, which re-evaluates the formula on the whole
    design without the subset. ``x[ord, ]`` (``ord`` the order of the kept
    rows) then pairs kept row i with the i-th row of the whole model matrix
    (rows with a missing value still dropped); the strata, from the same
    frame, fail there ("argument lengths differ", in ``order``)."""
    from . import coxph
    from .refit import fit_data
    from .residuals import _model_var, _score
    from .robust import _matmul_blas

    fd = fit_data(fit)
    if fd.prep.strata_term:
        raise InvalidArgument("a weight of 0 (R's svycoxph subset = weights > 0) with strata() in the formula: "
                              "survey's model.frame.svycoxph gives the strata of every row, the fit's response "
                              "only the kept rows (R: order(): 'argument lengths differ')", kind="weights.nonpositive")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = coxph(formula, data=data, control=CoxControl(iter_max=0))  # the model matrix of every row
    x_all = np.asarray(fit_data(whole).prep.x, dtype=float)
    n = fd.prep.x.shape[0]
    fd.prep = dataclasses.replace(fd.prep, x=x_all[:n])
    start, stop = fd.times()
    rr = _score(fit, fd, start, stop, fd.prep.event.astype(float))
    vv = _model_var(fit)
    rr = rr * vv[0, 0] if vv.shape[0] == 1 else _matmul_blas(rr, vv)
    return np.asarray(rr * (fd.prep.weights if rr.ndim == 1 else fd.prep.weights[:, None]), dtype=float)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """R's ``solve(a, b)`` (:func:`pyimpl._lapack.r_solve_lu`). A design
    variance of rank below p (fewer clusters than coefficients) may have an
    exactly zero pivot in R ("exactly singular") where ours, from dfbeta
    residuals equal to R's to ~6e-16, is not: for this function both are one
    refusal, ``solve.singular`` (rparity/refusals.py)."""
    from .._lapack import r_lu_solve, r_solve_lu

    lu, piv = r_solve_lu(a, one_refusal=True)
    return r_lu_solve(lu, piv, b)[:, 0]


def _svyrecvar(x: np.ndarray, cluster: np.ndarray, stratum: np.ndarray, npsu: np.ndarray) -> np.ndarray:
    """survey's onestage/onestrat for one-stage designs without fpc."""
    p = x.shape[1]
    present = sorted(set(stratum.tolist()))
    blocks = []
    for h in present:  # tapply over factor(strata): the strata present, in order
        rows = stratum == h
        blocks.append(_onestrat(x[rows], cluster[rows], int(npsu[h])))
    total = np.zeros((p, p))
    for i in range(p):
        for j in range(p):
            total[i, j] = float(np.cumsum(np.array([b[i, j] for b in blocks], dtype=np.longdouble))[-1])
    k = len(present)
    return total * k / k  # apply(..., sum) * nstrat / nokstrat (every stratum has a variance here)


def _onestrat(x: np.ndarray, cluster: np.ndarray, npsu: int) -> np.ndarray:
    scale = 1.0 * npsu / (npsu - 1)  # f * nPSU / (nPSU - 1), f = 1 without fpc
    groups = np.unique(cluster)  # rowsum(x, cluster): clusters sorted, rows added in order
    summed = np.zeros((groups.size, x.shape[1]))
    index = np.searchsorted(groups, cluster)
    for r in range(x.shape[0]):
        summed[index[r]] += x[r]
    if groups.size < npsu:  # clusters of the design without a row left: zero rows
        summed = np.vstack([summed, np.zeros((npsu - groups.size, x.shape[1]))])
    means = np.asarray(np.cumsum(summed.astype(np.longdouble), axis=0)[-1] / summed.shape[0], dtype=float)
    centred = (summed - means) * np.sqrt(scale)
    p = x.shape[1]
    out = np.zeros((p, p))
    for j in range(p):  # dsyrk (uplo "U", trans "T"): C[i, j] = sum_l A[l, i] A[l, j], l in order
        for i in range(j + 1):
            out[i, j] = out[j, i] = float(np.cumsum(centred[:, i] * centred[:, j])[-1])
    return out


def _column(x: Any, data: pd.DataFrame, name: str) -> np.ndarray:
    if isinstance(x, str):
        if x not in data.columns:
            raise InvalidArgument(f"`{name}`={x!r} is not a column of `data`", kind="argument.value")
        return data[x].to_numpy()
    arr = np.asarray(x)
    if arr.shape != (len(data),):
        raise InvalidArgument(f"`{name}` must have one value per row of `data` ({len(data)}); got shape "
                              f"{arr.shape}", kind="lengths")
    return arr


def _codes(x: np.ndarray, name: str) -> tuple[np.ndarray, int]:
    s = pd.Series(x)
    if s.isna().any():
        raise InvalidArgument(f"`{name}` has a missing value (R's svydesign fails on it)", kind="argument.missing")
    uniq, codes = np.unique(s.to_numpy(), return_inverse=True)
    return codes.reshape(-1), int(uniq.size)
