"""``chisq_test``: R's ``stats::chisq.test`` on a contingency matrix
(R 4.2.2, ``stats/R/chisq.test.R``, the ``is.matrix(x)`` branch without
simulation).

    E = outer(sr, sc) / n,   V = sc * sr * (n - sr) * (n - sc) / n^3,
    YATES = min(0.5, |x - E|)  (2 x 2 with correct = TRUE, else 0),
    X^2 = sum((|x - E| - YATES)^2 / E),   df = (r - 1)(c - 1),
    residuals = (x - E) / sqrt(E),   stdres = (x - E) / sqrt(V),

with R's warning "Chi-squared approximation may be incorrect" whenever some
E < 5. ``sum`` is R's (long double, column-major order); a zero row or column
total gives E = 0 and, as in R, a NaN statistic and p-value.
"""
from __future__ import annotations

import warnings

import numpy as np

from rparity_contract.errors import RParityWarning
from rparity_contract.results.contingency import ChisqTest

from .._rmath import pchisq_upper, r_sum
from ._args import chisq_args

__all__ = ["chisq_test", "CHISQ_WARNING"]

CHISQ_WARNING = "Chi-squared approximation may be incorrect"


def chisq_test(table, *, correct: bool = True) -> ChisqTest:
    """Pearson's chi-squared test of independence, as ``chisq.test(table, correct=correct)``.

    Parameters
    ----------
    table : 2-D array-like or DataFrame of non-negative counts (whole numbers
        or not, as R) with a positive total; a table with one row or column,
        or a 1-D array, is a vector of counts: the goodness-of-fit test against
        equal probabilities, as R's ``chisq.test`` makes it.
    correct : bool
        Yates' continuity correction, applied (as in R) to 2 x 2 tables only.

    Returns
    -------
    ChisqTest
        ``statistic, df, pvalue, expected, residuals, stdres``; ``warnings``
        holds R's warning text when R warns.

    Notes
    -----
    The upper chi-squared tail is scipy's ``chdtrc`` (see
    :func:`pyimpl._rmath.pchisq_upper`), within 3e-14 of R's ``pchisq``.
    R's ``chisq.test`` also takes given probabilities ``p`` and simulated
    p-values; those are not part of this contract.
    """
    x, correct = chisq_args(table, correct)
    res = _chisq_kernel(x, correct)
    for w in res.warnings:
        warnings.warn(RParityWarning(w), stacklevel=2)
    return res


def _goodness_of_fit(x: np.ndarray, correct: bool) -> ChisqTest:
    """``chisq.test(x)`` for a vector of counts (R's else-branch, ``p = rep(1/k, k)``):
    E = n p, V = n p (1 - p), X^2 = sum((x - E)^2 / E), df = k - 1."""
    k = x.size
    n = r_sum(x)
    p = np.full(k, 1.0 / k)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = n * p
        v = n * p * (1 - p)
        statistic = r_sum((x - e) ** 2 / e)
        pvalue = float(pchisq_upper(statistic, k - 1)) if np.isfinite(statistic) else float("nan")
        residuals = (x - e) / np.sqrt(e)
        stdres = (x - e) / np.sqrt(v)
    warns = (CHISQ_WARNING,) if (e < 5).any() else ()
    return ChisqTest(statistic=float(statistic), df=k - 1, pvalue=pvalue, expected=e, residuals=residuals,
                     stdres=stdres, correct=correct, warnings=warns)


def _chisq_kernel(x: np.ndarray, correct: bool) -> ChisqTest:
    """Contract: x is an r x c float array of counts (r, c >= 2, sum > 0), or a
    1-D array of at least 2 counts (goodness of fit). Returns the result with
    R's warning text in ``warnings`` (not yet emitted)."""
    if x.ndim == 1:
        return _goodness_of_fit(x, correct)
    nr, nc = x.shape
    # rowSums/colSums/sum accumulate in long double; integer counts make them exact
    sr = np.array([r_sum(x[i, :]) for i in range(nr)])
    sc = np.array([r_sum(x[:, j]) for j in range(nc)])
    n = r_sum(x.ravel(order="F"))
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.outer(sr, sc) / n
        # v(r, c, n) = c * r * (n - r) * (n - c) / n^3, left to right, over outer(sr, sc)
        cc = sc[None, :]
        rr = sr[:, None]
        v = cc * rr * (n - rr) * (n - cc) / (n ** 3)
        dev = np.abs(x - e)
        yates = float(min(0.5, dev.min())) if (correct and nr == 2 and nc == 2) else 0.0
        terms = (dev - yates) ** 2 / e
        statistic = r_sum(terms.ravel(order="F"))
        df = (nr - 1) * (nc - 1)
        pvalue = float(pchisq_upper(statistic, df)) if np.isfinite(statistic) else float("nan")
        residuals = (x - e) / np.sqrt(e)
        stdres = (x - e) / np.sqrt(v)
    # R: if (any(E < 5) && is.finite(PARAMETER)) warning(...)
    warns = (CHISQ_WARNING,) if (e < 5).any() else ()
    return ChisqTest(statistic=float(statistic), df=int(df), pvalue=pvalue, expected=e,
                     residuals=residuals, stdres=stdres, correct=correct, warnings=warns)
