"""survreg's robust variance (survival 3.5-3, ``survreg.R``):
``crossprod(rowsum(residuals(fit, "dfbeta"), cluster))``, or
``crossprod(residuals(fit, "dfbeta"))`` without a cluster.

``residuals.survreg(fit, "dfbeta")`` (right-censored data): each row's score
(``dg * x``, and ``ds - 1`` or ``ds`` for its stratum's log scale when the
scale is estimated) times the model-based variance. As survival 3.5-3 calls it
(``weighted = FALSE``), case weights do not enter the dfbetas (survival later
passes ``weighted = TRUE``; 3.5-3 is the spec here).

Contract
--------
Inputs: the transformed times and statuses (n), the fit's linear predictors,
each row's scale, the model matrix, the model-based variance (p or p + nstrat
square), each row's stratum (0-based), the cluster codes (0-based, sorted
levels) or None. Output: the robust variance.
"""
from __future__ import annotations

import numpy as np

from .distributions import Base
from .fit import gemm_blas

__all__ = ["dfbeta", "robust_var"]


def dfbeta(time: np.ndarray, status: np.ndarray, lp: np.ndarray, sigma: np.ndarray, x: np.ndarray,
           vv: np.ndarray, strata: np.ndarray, nstrat: int, base: Base, parms: dict) -> np.ndarray:
    """``residuals(fit, type = "dfbeta")`` (see the module); R's expressions as written."""
    n = time.size
    z = (time - lp) / sigma
    d1, d2, d3, d4, d5 = base.density(z, parms)
    s0 = (status == 0).astype(float)
    s1 = (status == 1).astype(float)
    zero = np.zeros(n)
    tdenom = s0 * d2 + s1 * 1 + zero * d1 + zero * (d2 - d2)
    tdenom = 1 / tdenom
    dg = -(tdenom / sigma) * (s0 * (0 - d3) + s1 * d4 + zero * d3 + zero * (d3 - d3))
    ds = dg * sigma * z
    d4col = np.where(status == 1, ds - 1, ds)
    score = dg[:, None] * x
    rsigma = vv.shape[0] > x.shape[1]
    if rsigma:
        if nstrat > 1:
            extra = np.zeros((n, nstrat))
            extra[np.arange(n), strata] = d4col
        else:
            extra = d4col[:, None]
        score = np.column_stack([score, extra])
    return gemm_blas(score, vv)  # score %*% vv


def _crossprod(a: np.ndarray) -> np.ndarray:
    """``crossprod(a)``: reference ``dsyrk`` (upper triangle, each entry a
    sequential sum over rows), mirrored to the lower triangle."""
    k = a.shape[1]
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            out[i, j] = np.cumsum(a[:, i] * a[:, j])[-1] if a.shape[0] else 0.0
            out[j, i] = out[i, j]
    return out


def robust_var(rr: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """``crossprod(rowsum(rr, cluster))`` (``rowsum``: double sums in row order,
    groups in sorted order), or ``crossprod(rr)``."""
    if cluster is None:
        return _crossprod(rr)
    k = int(cluster.max()) + 1
    grouped = np.zeros((k, rr.shape[1]))
    for i in range(rr.shape[0]):  # rowsum: in row order
        grouped[cluster[i]] += rr[i]
    return _crossprod(grouped)
