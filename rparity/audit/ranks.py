"""Rank tests from printed medians and quantiles: the largest p the data allow.

From "median (IQR)" or "median (range)" per arm the data are not known, but
each arm's order statistics are boxed:

* median M: at least ``ceil(n/2)`` values are <= M and as many >= M, so
  ``x_(r) <= M`` for ``r <= ceil(n/2)`` and ``x_(r) >= M`` for ``r >= n -
  ceil(n/2) + 1``;
* first quartile Q1: every common definition (Hyndman & Fan types 1-9, Tukey's
  hinges) puts it between ``x_(j)`` and ``x_(j+1)`` with ``j`` from
  ``ceil(n/4) - 1`` (type 3) to ``floor(n/4) + 1``, so at least ``a = max(1,
  ceil(n/4) - 1)`` values are <= Q1 and at least ``n - floor(n/4) - 1`` are
  >= Q1; the third quartile symmetrically;
* range: every value lies in [min, max], with ``x_(1)`` = min and ``x_(n)`` = max.

Each printed value is its rounding interval (the generous end is used). Two
units of different arms whose boxes are disjoint are ordered for sure; the
others may be ordered either way (or tied). So the Mann-Whitney U (R's W: the
number of pairs with the first arm's value larger, ties 1/2) lies in ``[U_min,
U_max]`` = [pairs surely larger, all pairs minus pairs surely smaller], and
the p closest to 1 is at the end of that range nearest ``n1 n2 / 2``. As ties
only shrink the variance (R's tie correction), the largest p of R's
``wilcox.test`` is at most the largest of

* the normal approximation with continuity correction, no ties: ``z = (|U -
  n1 n2/2| - 1/2) / sqrt(n1 n2 (N+1) / 12)``, which also bounds the one without;
* the exact distribution (R: n1, n2 < 50 and no ties), computed exactly as the
  coefficients of the Gaussian binomial ``[N choose n1]_q``.

Kruskal-Wallis (R's ``kruskal.test``; chi-square with k - 1 df, the tie
correction only raising H): ``H = 12 / (N (N+1)) sum (R_i - n_i (N+1)/2)^2 /
n_i`` with each rank sum ``R_i = n_i (n_i+1)/2 + sum_j U_ij`` in its box; the
smallest H over the boxes (dropping the constraint ``sum R_i = N (N+1)/2``, so a
lower bound) gives the largest p. For k = 2 this is the normal approximation
without continuity correction.

A printed p above these maxima is impossible for any data with the printed
quantiles; anything else cannot be decided from the quantiles alone (the
p for data without ties at the far end of ``[U_min, U_max]`` is reported as an
indication of the smallest p, not used for a verdict).
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction

from scipy import special

from .fint import SPECIAL_REL_ERROR, up
from .ftail import chisq_tail_hi

__all__ = ["ArmQuantiles", "order_stat_boxes", "u_range", "mw_p_max", "kw_p_max", "mw_exact_cdf",
           "EXACT_MAX_PAIRS"]

#: The exact Mann-Whitney distribution is computed when n1 n2 is at most this.
EXACT_MAX_PAIRS = 10_000

Box = tuple[Fraction, Fraction]
_INF = math.inf


@dataclass(frozen=True)
class ArmQuantiles:
    """An arm's printed summary: n, the median's closed interval, and either
    the quartiles' (``q1``/``q3``) or the range's (``lo``/``hi``)."""

    n: int
    median: Box
    q1: Box | None = None
    q3: Box | None = None
    lo: Box | None = None
    hi: Box | None = None


def order_stat_boxes(a: ArmQuantiles) -> tuple[list, list]:
    """Lower and upper bounds of each order statistic ``x_(1..n)`` (Fractions,
    or -inf/+inf floats), nondecreasing in r (module docstring)."""
    n = a.n
    L: list = [-_INF] * n
    U: list = [_INF] * n

    def at_most(count: int, v: Fraction) -> None:  # x_(r) <= v for r <= count
        for r in range(min(count, n)):
            U[r] = min(U[r], v)

    def at_least(count: int, v: Fraction) -> None:  # x_(r) >= v for the top `count`
        for r in range(max(0, n - count), n):
            L[r] = max(L[r], v)

    c = (n + 1) // 2
    at_most(c, a.median[1])
    at_least(c, a.median[0])
    if a.q1 is not None and a.q3 is not None:
        lo_cnt = max(1, -(-n // 4) - 1)
        hi_cnt = n - n // 4 - 1
        at_most(lo_cnt, a.q1[1])
        at_least(hi_cnt, a.q1[0])
        at_least(lo_cnt, a.q3[0])
        at_most(hi_cnt, a.q3[1])
    if a.lo is not None and a.hi is not None:
        at_least(n, a.lo[0])
        at_most(1, a.lo[1])
        at_most(n, a.hi[1])
        at_least(1, a.hi[0])
    return L, U


def u_range(a: ArmQuantiles, b: ArmQuantiles) -> tuple[int, int]:
    """``[U_min, U_max]`` of the count of pairs (x from a, y from b) with x > y
    (ties 1/2) over all data within the order-statistic boxes."""
    La, Ua = order_stat_boxes(a)
    Lb, Ub = order_stat_boxes(b)
    sure_greater = sum(bisect.bisect_left(Ub, l) for l in La)      # Ub[s] < La[r]
    sure_less = sum(len(Lb) - bisect.bisect_right(Lb, u) for u in Ua)  # Lb[s] > Ua[r]
    return sure_greater, a.n * b.n - sure_less


def mw_exact_cdf(u: int, n1: int, n2: int) -> Fraction:
    """``P(U <= u)`` under H0 without ties, exactly: the coefficients of the
    Gaussian binomial ``[n1+n2 choose n1]_q = prod_{i=1}^{n1} (1 - q^(n2+i)) /
    (1 - q^i)`` count the arrangements by U."""
    size = n1 * n2 + 1
    c = [0] * size
    c[0] = 1
    for i in range(1, n1 + 1):
        # multiply by (1 - q^(n2+i)), then divide by (1 - q^i)
        s = n2 + i
        for k in range(size - 1, s - 1, -1):
            c[k] -= c[k - s]
        for k in range(i, size):
            c[k] += c[k - i]
    if u < 0:
        return Fraction(0)
    return Fraction(sum(c[: min(u, size - 1) + 1]), math.comb(n1 + n2, n1))


def _normal_two_sided_hi(z2: Fraction) -> float:
    """Upper bound of ``2 (1 - Phi(z))`` = P(chi2_1 > z^2)."""
    return chisq_tail_hi(1, z2)


def mw_p_max(a: ArmQuantiles, b: ArmQuantiles) -> tuple[float, float, tuple[int, int], dict]:
    """(largest p, an indicative smallest p without ties, (U_min, U_max), detail)."""
    n1, n2 = a.n, b.n
    Umin, Umax = u_range(a, b)
    mu = Fraction(n1 * n2, 2)
    var0 = Fraction(n1 * n2 * (n1 + n2 + 1), 12)
    if Umin <= mu <= Umax:
        near = mu
    else:
        near = Fraction(Umax) if Umax < mu else Fraction(Umin)
    far = Fraction(Umin) if abs(Umin - mu) >= abs(Umax - mu) else Fraction(Umax)
    d_near, d_far = abs(near - mu), abs(far - mu)
    p_cc = _normal_two_sided_hi(max(Fraction(0), d_near - Fraction(1, 2)) ** 2 / var0)
    detail: dict = {"normal_cc_max": p_cc}
    p_max = p_cc
    if n1 * n2 <= EXACT_MAX_PAIRS:
        u = int(near) if near <= mu else int(math.ceil(near))
        tail = mw_exact_cdf(u, n1, n2) if u <= mu else 1 - mw_exact_cdf(u - 1, n1, n2)
        p_ex = min(1.0, up(2 * tail))
        detail["exact_max"] = p_ex
        p_max = max(p_max, p_ex)
    p_min = max(0.0, float(special.chdtrc(1, up(d_far ** 2 / var0))) * (1 - SPECIAL_REL_ERROR))
    return min(1.0, p_max), p_min, (Umin, Umax), detail


def kw_p_max(arms: list[ArmQuantiles]) -> tuple[float, Fraction]:
    """(largest Kruskal-Wallis p, the smallest H) over the boxes (module docstring)."""
    k = len(arms)
    N = sum(a.n for a in arms)
    lo = [Fraction(a.n * (a.n + 1), 2) for a in arms]
    hi = list(lo)
    for i in range(k):
        for j in range(k):
            if i != j:
                u0, u1 = u_range(arms[i], arms[j])
                lo[i] += u0
                hi[i] += u1
    h = Fraction(0)
    for i, a in enumerate(arms):
        target = Fraction(a.n * (N + 1), 2)
        d = lo[i] - target if target < lo[i] else (target - hi[i] if target > hi[i] else Fraction(0))
        h += d * d / a.n
    h = h * 12 / (N * (N + 1))
    return chisq_tail_hi(k - 1, h), h

