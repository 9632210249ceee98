"""GRIM and GRIMMER: means and SDs of integer-valued data.

* **GRIM** (Brown & Heathers 2017): the mean of n integers is ``S / n`` for an
  integer sum S; the printed mean is possible iff some integer S has ``S / n``
  in its rounding interval. The matching sums are reported.
* **GRIMMER** (Anaya 2016; Heathers & Brown 2019): with sum S and sum of squares
  Q of the n integers, ``SD^2 = (Q - S^2/n) / (n - 1)``, so ``Q = S^2/n + (n-1)
  SD^2`` must be an integer with the parity of S (``x^2 = x mod 2``) and at
  least the smallest sum of squares of n integers summing to S (as equal as
  possible: ``(n - r) q^2 + r (q + 1)^2``, ``S = q n + r``). These are necessary
  conditions: passing them is "consistent", failing them for every S is
  "inconsistent" (no integer data give the printed mean and SD).

Everything is exact rational arithmetic over the printed rounding intervals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .printed import RInterval

__all__ = ["grim_sums", "grimmer_sums", "GrimResult", "MAX_SUMS"]

#: Above this many candidate sums the test is uninformative and not enumerated.
MAX_SUMS = 10_000


@dataclass(frozen=True)
class GrimResult:
    """``sums``: the integer sums S (GRIM) or (S, Q) pairs (GRIMMER) that pass;
    ``n_candidates``: how many S the mean's interval allows (``None`` when more
    than :data:`MAX_SUMS`, i.e. uninformative)."""

    sums: tuple
    n_candidates: int | None


def grim_sums(mean: RInterval, n: int) -> GrimResult:
    """Integers S with ``S / n`` in ``mean`` (exact, ends as the interval says)."""
    if mean.lo is None or mean.hi is None:
        return GrimResult((), None)
    lo, hi = math.ceil(mean.lo * n), math.floor(mean.hi * n)
    if hi - lo + 1 > MAX_SUMS:
        return GrimResult((), None)
    sums = tuple(S for S in range(lo, hi + 1) if mean.contains(Fraction(S, n)))
    return GrimResult(sums, hi - lo + 1)


def _min_q(S: int, n: int) -> int:
    q, r = divmod(S, n)
    return (n - r) * q * q + r * (q + 1) ** 2


def grimmer_sums(sums: tuple[int, ...], var: tuple[Fraction, Fraction], n: int) -> tuple[tuple[int, int], ...]:
    """(S, Q) with Q an integer of S's parity, ``Q >= min Q(S)`` and
    ``(Q - S^2/n) / (n - 1)`` in the closed variance interval ``var``. The
    smallest such Q is given for each S that has one."""
    out = []
    for S in sums:
        q_lo = Fraction(S * S, n) + (n - 1) * var[0]
        q_hi = Fraction(S * S, n) + (n - 1) * var[1]
        Q = max(math.ceil(q_lo), _min_q(S, n))
        if (Q - S) % 2:
            Q += 1
        if Q <= q_hi:
            out.append((S, Q))
    return tuple(out)
