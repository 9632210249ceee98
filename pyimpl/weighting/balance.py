"""Covariate balance of a weighted sample (``weighted_balance``), in cobalt's
documented conventions (cobalt 4.6 ``col_w_smd``, ``col_w_vr``,
``.compute_s.d.denom``, ``col.w.v``; its FAQ "How are standardized mean
differences computed"), for every model-matrix column of the covariates
(every level of a categorical, as MatchIt's ``get.covs.matrix``):

* means: ``sum(w x)/sum(w)`` per arm (unweighted: ``w = 1``);
* the standardisation factor ``s*``, from the *unweighted* sample and the
  same before and after weighting: ``sqrt(v1)`` (ATT), ``sqrt(v0)`` (ATC),
  ``sqrt((v1 + v0)/2)`` (ATE), with ``v = p(1 - p)`` for a 0/1 column and
  ``sum((x - m)^2)/(n - 1)`` otherwise, ``m = sum(x)/n``;
* SMD = (mean difference) / ``s*``, unless ``|difference| < sqrt(eps)``
  (then the difference itself, cobalt's ``check_if_zero``); binary columns
  are standardised too (cobalt's ``binary = "std"``);
* variance ratio: ``wvar(x1)/wvar(x0)``, ``wvar = sum(w (x - m)^2)/(1 -
  sum(w^2))`` for weights normalised to sum 1 and ``m = sum(w x)``; NaN for
  a binary column or an arm with fewer than two nonzero weights.

Sums are R's (long-double accumulation, :func:`pyimpl._rmath.r_sum`); the R
reference (``rbridge/R/weighting.R``) writes the same operations.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.weighting import WEIGHTED_BALANCE_COLUMNS, WeightedBalance

from .._rmath import SQRT_EPS, r_sum
from .._validate import as_choice, show
from ..design import model_matrix
from .weights import ESTIMANDS, read_design

__all__ = ["weighted_balance", "balance_row"]


def _mean(x: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(r_sum(w * x) / r_sum(w))


def _var_un(x: np.ndarray, binary: bool) -> float:
    """cobalt ``col.w.v`` without weights: ``p(1 - p)``, or the n - 1 variance."""
    n = x.size
    with np.errstate(invalid="ignore", divide="ignore"):
        m = float(r_sum(x) / n)
        if binary:
            return m * (1.0 - m)
        d = x - m
        return float(r_sum(d * d) / (n - 1))


def _var_w(x: np.ndarray, w: np.ndarray) -> float:
    """``col.w.v`` with weights (MatchIt's ``wvar``): normalised weights."""
    if np.sum(w != 0) < 2:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        wn = w / r_sum(w)
        m = float(r_sum(wn * x))
        d = x - m
        return float(r_sum(wn * d * d) / (1.0 - r_sum(wn * wn)))


def balance_row(x: np.ndarray, treat: np.ndarray, w: np.ndarray, estimand: str) -> list[float]:
    """One row of the table (the values of :data:`WEIGHTED_BALANCE_COLUMNS`).

    Contract: ``x``, ``w`` (n,) finite; ``treat`` (n,) 0/1 with both arms."""
    x = np.asarray(x, dtype=float)
    binary = bool(np.all((x == 0) | (x == 1)))
    i1, i0 = treat == 1, treat == 0
    x1, x0 = x[i1], x[i0]
    m1, m0 = _mean(x1, w[i1]), _mean(x0, w[i0])
    m1u, m0u = _mean(x1, np.ones(x1.size)), _mean(x0, np.ones(x0.size))
    v1, v0 = _var_un(x1, binary), _var_un(x0, binary)
    with np.errstate(invalid="ignore", divide="ignore"):
        if estimand == "ATT":
            s = float(np.sqrt(v1))
        elif estimand == "ATC":
            s = float(np.sqrt(v0))
        else:
            s = float(np.sqrt((v1 + v0) / 2.0))

        def smd(d: float) -> float:
            return d if abs(d) < SQRT_EPS else float(np.float64(d) / np.float64(s))

        smd_w, smd_u = smd(m1 - m0), smd(m1u - m0u)
        if binary:
            vr_w = vr_u = float("nan")
        else:
            vr_w = float(np.float64(_var_w(x1, w[i1])) / np.float64(_var_w(x0, w[i0])))
            vr_u = float(np.float64(_var_w(x1, np.ones(x1.size))) / np.float64(_var_w(x0, np.ones(x0.size))))
    return [float(binary), m1, m0, smd_w, vr_w, m1u, m0u, smd_u, vr_u, s]


def _as_balance_weights(weights: Any, n: int) -> np.ndarray:
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise InvalidArgument("`weights` must be numeric", kind="weights.type") from None
    if w.ndim != 1 or w.size != n:
        raise InvalidArgument(f"`weights` must have one value per row of `data` ({n}); got shape {w.shape}",
                              kind="lengths")
    bad = ~np.isfinite(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`weights` must be finite; got weights[{i}]={show(w[i])}", kind="weights.nonfinite")
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise InvalidArgument(f"`weights` must be non-negative; got weights[{i}]={show(w[i])}",
                              kind="weights.negative")
    return w


def weighted_balance(data: pd.DataFrame, treat: str, covariates: Any, weights: Any, *,
                     estimand: str = "ATE") -> WeightedBalance:
    """Balance of ``covariates`` between the arms before and after weighting
    (see the module docstring for the formulas; :class:`WeightedBalance`).

    ``estimand`` picks the standardisation factor: the treated SD (ATT), the
    controls' (ATC), the pooled SD (ATE). A weight vector with every weight
    of an arm zero is refused (no weighted mean)."""
    t, terms, _ = read_design(data, treat, covariates, "balance")
    est = estimand.upper() if isinstance(estimand, str) else estimand
    est = as_choice(est, "estimand", ESTIMANDS)
    w = _as_balance_weights(weights, t.size)
    for a, name in ((1, "treated"), (0, "control")):
        if not np.any(w[t == a] > 0):
            raise InvalidArgument(f"`weights` are zero for every {name} unit: no weighted {name} mean",
                                  kind="weights.arm")
    design = model_matrix(terms, t.size, intercept=False, contrasts=False, drop_unused_levels=True,
                          arg="covariates")
    rows = [balance_row(design.x[:, j], t, w, est) for j in range(design.x.shape[1])]
    table = pd.DataFrame(np.array(rows, dtype=float).reshape(len(rows), len(WEIGHTED_BALANCE_COLUMNS)),
                         columns=list(WEIGHTED_BALANCE_COLUMNS), index=pd.Index(list(design.names)))
    return WeightedBalance(table=table, estimand=est, engine="pyimpl")
