"""Trend tests of an ordered categorical row (levels ordered, scores 1..k).

* **Cochran-Armitage** as R's ``prop.trend.test(x, n, score = 1:k)``, for a row
  of 2 arms: ``x_i`` the count of level ``i`` in the first arm, ``n_i`` the
  level's total. R fits ``lm(x/n ~ score, weights = n / (p (1 - p)))`` and takes
  the regression sum of squares, which is

      X² = [Σ x_i (s_i − s̄)]² / (p̄ (1 − p̄) Σ n_i (s_i − s̄)²),

  ``s̄ = Σ n_i s_i / N``, ``p̄ = Σ x_i / N``, referred to chi-square with 1 df.
  (Swapping the arms changes only the sign inside the square.)
* **Linear-by-linear association** (Mantel's M², the "Linear-by-Linear
  Association" row of SPSS's chi-square table): ``M² = (N − 1) r²`` with ``r``
  Pearson's correlation between the row scores 1..k and the column scores 1..c,
  chi-square with 1 df (Agresti, Categorical Data Analysis, 3rd ed., §3.4.1). For
  2 arms, ``M² = (N − 1)/N × X²``.

A level that is zero in every arm carries no information and is dropped before
(the scores are those of the remaining levels in order, as SPSS numbers them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pyimpl._rmath import pchisq_upper

__all__ = ["TrendTest", "cochran_armitage", "linear_by_linear"]


@dataclass(frozen=True)
class TrendTest:
    """A 1-df trend statistic and its upper chi-square p (NaN when undefined)."""

    statistic: float
    pvalue: float
    df: int = 1


_UNDEFINED = TrendTest(math.nan, math.nan)


def cochran_armitage(counts: list[list[int]] | tuple[tuple[int, ...], ...]) -> TrendTest:
    """Cochran-Armitage chi-square of a k x 2 table (``counts[level][arm]``)."""
    if any(len(r) != 2 for r in counts):
        return _UNDEFINED  # defined for 2 arms only
    x = [float(r[0]) for r in counts]
    n = [float(r[0] + r[1]) for r in counts]
    N = math.fsum(n)
    if N == 0:
        return _UNDEFINED
    s = [float(i + 1) for i in range(len(counts))]
    sbar = math.fsum(ni * si for ni, si in zip(n, s)) / N
    pbar = math.fsum(x) / N
    num = math.fsum(xi * (si - sbar) for xi, si in zip(x, s))
    ss = math.fsum(ni * (si - sbar) * (si - sbar) for ni, si in zip(n, s))
    den = pbar * (1.0 - pbar) * ss
    if den <= 0:
        return _UNDEFINED
    chi2 = num * num / den
    return TrendTest(chi2, float(pchisq_upper(chi2, 1)))


def linear_by_linear(counts: list[list[int]] | tuple[tuple[int, ...], ...]) -> TrendTest:
    """Mantel's M² = (N − 1) r² of an r x c table with scores 1..r and 1..c."""
    cells = [(i + 1.0, j + 1.0, float(v)) for i, r in enumerate(counts) for j, v in enumerate(r)]
    N = math.fsum(w for _, _, w in cells)
    if N < 2:
        return _UNDEFINED
    mu = math.fsum(w * u for u, _, w in cells) / N
    mv = math.fsum(w * v for _, v, w in cells) / N
    suv = math.fsum(w * (u - mu) * (v - mv) for u, v, w in cells)
    suu = math.fsum(w * (u - mu) * (u - mu) for u, _, w in cells)
    svv = math.fsum(w * (v - mv) * (v - mv) for _, v, w in cells)
    if suu <= 0 or svv <= 0:
        return _UNDEFINED
    m2 = (N - 1.0) * suv * suv / (suu * svv)
    return TrendTest(m2, float(pchisq_upper(m2, 1)))
