"""survreg's robust variance (survival 3.5-3, ``survreg.R``):
``crossprod(rowsum(residuals(fit, "dfbeta"), cluster))``, or
``crossprod(residuals(fit, "dfbeta"))`` without a cluster. The dfbeta
residuals come from :mod:`pyimpl.survreg.residuals` (``residuals.survreg``,
right-censored and interval data alike).

Contract
--------
Inputs: the dfbeta residuals (n x p, or p + nstrat with the log scales), the
cluster codes (0-based, sorted levels) or None. Output: the robust variance.
"""
from __future__ import annotations

import numpy as np

__all__ = ["robust_var"]


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
