"""The likelihood-ratio (G) test of independence of an r x c table.

``G = 2 sum O ln(O / E)`` with ``E = row total x column total / n``, referred to
chi-square with ``(r - 1)(c - 1)`` degrees of freedom; cells with ``O = 0``
contribute 0 (the convention ``0 ln 0 = 0`` that R code such as
``2 * sum(x * log(x / E), na.rm = TRUE)`` follows). This is the "Likelihood
Ratio" row of SPSS's chi-square table.

Williams' correction (Williams 1976; Sokal & Rohlf, Biometry, 3rd ed., box 17.6)
divides G by ``q = 1 + (n sum 1/R_i - 1)(n sum 1/C_j - 1) / (6 n (r - 1)(c - 1))``;
it is off by default.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pyimpl._rmath import pchisq_upper
from pyimpl._validate import as_count_table

__all__ = ["GTest", "g_test"]


@dataclass(frozen=True)
class GTest:
    """Result of :func:`g_test`.

    ``statistic`` is G (divided by ``q`` when ``williams``), ``df`` the degrees of
    freedom, ``pvalue`` the upper chi-square tail, ``q`` Williams' divisor (1.0
    when not applied). All are NaN (df kept) when a row or column total is 0:
    as with ``chisq.test``, the test is then undefined.
    """

    statistic: float
    df: int
    pvalue: float
    q: float = 1.0
    williams: bool = False


def g_test(table, *, williams: bool = False) -> GTest:
    """Likelihood-ratio G test of independence on a table of counts."""
    O = as_count_table(table)
    return _g_kernel(O, williams)


def _g_kernel(O: np.ndarray, williams: bool) -> GTest:
    # Contract: O is an r x c (r, c >= 2) array of non-negative integer counts
    # (float dtype). Returns G, df = (r-1)(c-1), upper chi-square p.
    r, c = O.shape
    df = (r - 1) * (c - 1)
    R = O.sum(axis=1)
    C = O.sum(axis=0)
    n = float(O.sum())
    if (R == 0).any() or (C == 0).any():
        return GTest(statistic=math.nan, df=df, pvalue=math.nan, q=math.nan, williams=williams)
    terms = []
    for i in range(r):
        for j in range(c):
            o = float(O[i, j])
            if o > 0:
                e = R[i] * C[j] / n
                terms.append(o * math.log(o / e))
    G = 2.0 * math.fsum(terms)
    G = max(G, 0.0)  # exact independence gives 0 up to rounding
    q = 1.0
    if williams:
        q = 1.0 + (n * math.fsum(1.0 / R) - 1.0) * (n * math.fsum(1.0 / C) - 1.0) / (6.0 * n * df)
        G = G / q
    return GTest(statistic=G, df=df, pvalue=float(pchisq_upper(G, df)), q=q, williams=williams)
