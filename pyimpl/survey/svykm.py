"""Design-based Kaplan-Meier curves: survey 4.1-1's ``svykm(Surv(time,
status) ~ group, design, se = FALSE/TRUE)`` on a one-stage design.

Two estimators, as survey has them (``svykm.survey.design``):

* ``se = FALSE`` (``svykm.fit``): the weighted product-limit estimate at
  ``c(0, sorted unique times)``: ``nn <- rowsum(cbind(status, 1) * w, time)``,
  ``N <- c(sum(w), sum(w), sum(w) - cumsum(nn[-last, 2]))``,
  ``surv <- pmax(0, cumprod(1 - c(0, nn[, 1])/N))`` (long double ``sum``,
  ``cumsum`` and ``cumprod``);
* ``se = TRUE`` (``km.stderr``), per group on ``subset(design, group == g)``:
  one point per event row with nonzero weight, in ``order(time, -status)``;
  the design totals (``svytotal``) of the event indicators ``dN`` and the
  at-risk indicators ``Y`` give ``surv = exp(-cumsum(dN/Y))`` (a
  Breslow-type estimate) and, from the totals' design variance ``V`` (the
  delta method, ``dV = V_NN/(Y Y') + V_YY (dN/Y^2)(dN/Y^2)' - V_NY/Y
  (dN/Y^2)' - (...)'``), ``varlog`` by the recursion ``V_i = V_{i-1} +
  sum(dV[1:(i-1), i]) + sum(dV[i, 1:i])``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rparity_contract.results.survey import SvyKM

from .. import _libm
from .._rmath import r_cumsum, r_sum
from ._design import Design, read_design, svytotal
from ._frame import group_codes, surv_frame

__all__ = ["svykm"]


def svykm(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
          se: bool = False) -> SvyKM:
    """``svykm(formula, design = svydesign(ids = ~ids (or ~1), strata =
    ~strata, weights = ~weights, data = data), se = se)``.

    ``formula``: ``Surv(time, status) ~ 1`` (one curve) or ``~ group`` (a curve
    per level of one grouping variable, R's ``svykmlist``). Returns the curves
    laid end to end (``groups``, ``lengths``, ``time``, ``surv``, and with
    ``se = True`` ``varlog``, the variance of ``log(surv)``).

    Notes
    -----
    One grouping variable only (R's ``interaction`` of several keeps empty
    combinations, for which survey's curves have mismatched lengths); a
    factor level without rows is refused for the same reason.
    """
    from rparity_contract.errors import InvalidArgument

    if not isinstance(se, (bool, np.bool_)):
        raise InvalidArgument(f"`se` must be True or False; got se={se!r}", kind="argument.value")
    design = read_design(data, weights, ids, strata)
    sf = surv_frame("svykm", formula, data)
    design = design.rows(sf.keep)
    if len(sf.variables) > 1:
        raise InvalidArgument(f"`formula` {sf.formula.text!r}: one grouping variable only (pyimpl's svykm)",
                              kind="formula.groups")
    if sf.variables:
        codes, labels = group_codes(sf.variables[0])
        groups = [(lab, codes == k) for k, lab in enumerate(labels)]
    else:
        labels = ()
        groups = [("", np.ones(sf.time.size, dtype=bool))]
    times, survs, varlogs, lengths = [], [], [], []
    for _, rows in groups:
        if se:
            t, s, v = _km_stderr(sf.time[rows], sf.status[rows], design.rows(rows))
            varlogs.append(v)
        else:
            t, s = _svykm_fit(sf.time[rows], sf.status[rows], design.weights[rows])
        times.append(t)
        survs.append(s)
        lengths.append(t.size)
    return SvyKM(groups=tuple(labels), lengths=np.array(lengths, dtype=np.int64), time=np.concatenate(times),
                 surv=np.concatenate(survs), varlog=np.concatenate(varlogs) if se else np.zeros(0),
                 se=bool(se), n_dropped=int((~sf.keep).sum()), warnings=design.notes)


def _svykm_fit(time: np.ndarray, status: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """survey's ``svykm.fit(y, w)``. Contract: time, status (0/1), w >= 0,
    one value per row. Returns (``c(0, tt)``, surv)."""
    tt, idx = np.unique(time, return_inverse=True)
    nn = np.zeros((tt.size, 2))
    np.add.at(nn[:, 0], idx, status * w)  # rowsum: double sums in row order
    np.add.at(nn[:, 1], idx, 1.0 * w)
    total = r_sum(w)
    N = np.concatenate([[total, total], total - r_cumsum(nn[:-1, 1])])
    d = np.concatenate([[0.0], nn[:, 0]])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = 1.0 - d / N
    surv = np.cumprod(ratio.astype(np.longdouble)).astype(float)  # cumprod: long double product
    surv = np.where(np.isnan(surv), surv, np.maximum(0.0, surv))  # pmax(0, .) keeps NaN
    return np.concatenate([[0.0], tt]), surv


def _km_stderr(time: np.ndarray, status: np.ndarray, design: Design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """survey's ``km.stderr(y, design)``. Contract: one value per design row.
    Returns (event times, surv, varlog)."""
    keep = np.flatnonzero((status == 1) & (design.weights != 0))
    oo = np.lexsort((-status[keep], time[keep]))  # order(time[keep], -status[keep]): stable
    okeep = keep[oo]
    k = okeep.size
    n = time.size
    dN = np.zeros((n, k))
    dN[okeep, np.arange(k)] = status[okeep]
    y = (time[:, None] >= time[okeep][None, :]).astype(float)
    total, vcov = svytotal(np.hstack([dN, y]), design)
    Y = total[k:]
    dNbar = total[:k]
    h = r_cumsum(dNbar / Y)
    a = dNbar / (Y * Y)  # dNbar/y^2 (R's ^2 is x*x)
    dVn = vcov[:k, :k] / np.outer(Y, Y)
    dVy = vcov[k:, k:] * np.outer(a, a)
    dCVny = -vcov[:k, k:] * np.outer(1.0 / Y, a)
    dV = dVn + dVy + dCVny + dCVny.T
    V = np.zeros(k)
    if k > 0:
        V[0] = dV[0, 0]
    for i in range(1, k):
        V[i] = V[i - 1] + r_sum(dV[:i, i]) + r_sum(dV[i, :i + 1])
    return time[okeep], _libm.exp(-h), V
