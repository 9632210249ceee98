"""Rigorous enclosures of the F (and t) upper tail over intervals of x and df.

``P(F_{d1, nu} > x)`` is evaluated with scipy's ``fdtrc`` (Cephes, incomplete
beta; documented peak relative error ~1e-13, widened by
:data:`.fint.SPECIAL_REL_ERROR` as :mod:`.fint` does for ``ndtr``). A two-sided
t-test p is the case ``d1 = 1``: ``P(|T_nu| > t) = P(F_{1, nu} > t^2)``.

Contract of :func:`f_tail`: for every real ``x`` in ``[x_lo, x_hi]`` and real
``nu`` in ``[nu_lo, nu_hi]`` (exact rationals), the exact tail lies in the
returned float interval. Two facts are used:

1. The tail decreases in ``x`` for fixed ``nu`` (it is a survival function).
2. In ``nu``, for fixed x > 0:

   * **d1 <= 2: the tail decreases in nu.** ``P(F > x) = E[G(x W_nu)]`` with
     ``W_nu = chi2_nu / nu`` and ``G`` the survival function of ``chi2_d1 / d1``,
     whose density is decreasing on (0, inf) for d1 <= 2, so ``w -> G(x w)`` is
     convex. ``W_nu`` = Gamma(nu/2, 2/nu) decreases in the convex order as nu
     grows (beta-gamma algebra: for a < b, ``G_a = B G_b`` with ``B ~
     Beta(a, b - a)`` independent, so ``G_a / a = (B b / a) (G_b / b)`` with
     ``E[B b / a] = 1``, and Jensen conditionally on ``G_b``). Hence ``E[G(x
     W_nu)]`` decreases in nu, and the extremes over a box are at its corners.
   * **d1 >= 3: a grid with a proof.** The density of ``chi2_d1`` is not monotone,
     so monotonicity is not claimed. For ``nu`` in ``[nu_j, nu_{j+1}]``:
     ``P(F > x) = P(chi2_d1 / d1 > x chi2_nu / nu)``; ``chi2_nu`` is
     stochastically increasing in nu and ``1/nu`` decreasing, so
     ``P(F_{d1,nu} > x) <= P(F_{d1,nu_j} > x nu_j / nu_{j+1})`` and
     ``>= P(F_{d1,nu_{j+1}} > x nu_{j+1} / nu_j)``. A geometric grid of ratio
     ``1 + GRID_STEP`` makes the enclosure tight.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import special

from .fint import SPECIAL_REL_ERROR, FInterval, down, up

__all__ = ["f_tail", "chisq_tail_hi", "chisq_tail_lo", "GRID_STEP", "Q"]

#: Ratio of consecutive df of the grid of :func:`f_tail` for d1 >= 3.
GRID_STEP = 1e-5
_MAX_GRID = 200_000

Q = Fraction | None  # None: +infinity


def _tail(d1: float, nu: float, x: float) -> float:
    if x == math.inf:
        return 0.0
    if x <= 0:
        return 1.0
    return float(special.fdtrc(d1, nu, x))


def _lo(p: float) -> float:
    return max(0.0, p * (1 - SPECIAL_REL_ERROR))


def _hi(p: float) -> float:
    return min(1.0, p * (1 + SPECIAL_REL_ERROR))


def f_tail(d1: int, nu: tuple[Fraction, Fraction], x: tuple[Fraction, Q]) -> FInterval:
    """Enclosure of ``P(F_{d1,nu} > x)`` over ``nu`` and ``x`` in the given
    closed intervals (``x[1] = None``: unbounded above). Module docstring."""
    nu_lo, nu_hi = down(nu[0]), up(nu[1])
    x_lo = max(0.0, down(x[0]))
    x_hi = math.inf if x[1] is None else up(x[1])
    if nu_lo <= 0:
        raise ValueError(f"degrees of freedom must be positive; got nu={nu!r}")
    if nu_lo == nu_hi or d1 <= 2:
        # fact 1 (and fact 2 for d1 <= 2): corners
        return FInterval(_lo(_tail(d1, nu_hi, x_hi)), _hi(_tail(d1, nu_lo, x_lo)))
    m = min(_MAX_GRID, max(1, math.ceil(math.log(nu_hi / nu_lo) / math.log1p(GRID_STEP))))
    grid = np.geomspace(nu_lo, nu_hi, m + 1)
    grid[0], grid[-1] = nu_lo, nu_hi
    grid = np.unique(grid)
    a, b = grid[:-1], grid[1:]
    hi = 1.0
    if x_lo > 0:
        # argument x nu_j / nu_{j+1}, rounded down (the bound needs it no larger)
        arg = np.nextafter(np.nextafter(x_lo * a / b, 0.0), 0.0)
        hi = float(np.max(special.fdtrc(d1, a, arg)))
    lo = 0.0
    if x_hi < math.inf:
        arg = np.nextafter(np.nextafter(x_hi * b / a, math.inf), math.inf)
        lo = float(np.min(special.fdtrc(d1, b, arg)))
    return FInterval(_lo(lo), _hi(hi))


def chisq_tail_hi(df: int, x: Fraction) -> float:
    """An upper bound of ``P(chi2_df > x)`` (x exact, >= 0)."""
    xf = max(0.0, down(x))
    return _hi(float(special.chdtrc(df, xf)))


def chisq_tail_lo(df: int, x: Q) -> float:
    """A lower bound of ``P(chi2_df > x)`` (None: +inf)."""
    if x is None:
        return 0.0
    return _lo(float(special.chdtrc(df, up(x))))
