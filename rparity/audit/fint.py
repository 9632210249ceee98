"""Outward-rounded interval arithmetic on floats.

Used where a check needs logarithms or the normal tail of values known only to
lie in an interval (the ratio-estimate checks). Every operation returns an
interval guaranteed to contain the exact result for every point of its
operands:

* rational ends are converted to floats rounding outward (:func:`down`,
  :func:`up`);
* ``+ - * /`` are correctly rounded in IEEE 754, so one ulp outward suffices;
  ``log`` and ``exp`` (glibc: < 1 ulp) are widened by two ulps;
* the normal upper tail uses scipy's ``ndtr``, whose documented peak relative
  error (Cephes: 3.4e-14 for ndtr, 5.7e-14 for erfc) is far below
  :data:`SPECIAL_REL_ERROR` = 1e-12, by which the result is widened.

These widenings bound the error of the float evaluation; they are not an
allowance for the printed rounding (that is exact, in :mod:`.printed`), and are
some nine orders of magnitude smaller than any printed rounding interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from scipy import special

__all__ = ["FInterval", "down", "up", "SPECIAL_REL_ERROR"]

SPECIAL_REL_ERROR = 1e-12
_INF = math.inf


def down(q: Fraction | float) -> float:
    """The largest float <= q."""
    if isinstance(q, float):
        return q
    f = float(q)
    if math.isfinite(f) and Fraction(f) > q:
        f = math.nextafter(f, -_INF)
    return f


def up(q: Fraction | float) -> float:
    """The smallest float >= q."""
    if isinstance(q, float):
        return q
    f = float(q)
    if math.isfinite(f) and Fraction(f) < q:
        f = math.nextafter(f, _INF)
    return f


def _dn(x: float, ulps: int = 1) -> float:
    for _ in range(ulps):
        x = math.nextafter(x, -_INF)
    return x


def _un(x: float, ulps: int = 1) -> float:
    for _ in range(ulps):
        x = math.nextafter(x, _INF)
    return x


@dataclass(frozen=True)
class FInterval:
    """``[lo, hi]`` with float ends (infinite ends allowed)."""

    lo: float
    hi: float

    @classmethod
    def of(cls, lo: Fraction | float, hi: Fraction | float) -> "FInterval":
        return cls(down(lo), up(hi))

    @classmethod
    def hull(cls, *xs: float) -> "FInterval":
        return cls(min(xs), max(xs))

    def __str__(self) -> str:
        return f"[{self.lo:.6g}, {self.hi:.6g}]"

    def to_list(self) -> list[float]:
        return [self.lo, self.hi]

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    # --- arithmetic -------------------------------------------------------
    def __add__(self, o: "FInterval") -> "FInterval":
        return FInterval(_dn(self.lo + o.lo), _un(self.hi + o.hi))

    def __sub__(self, o: "FInterval") -> "FInterval":
        return FInterval(_dn(self.lo - o.hi), _un(self.hi - o.lo))

    def __neg__(self) -> "FInterval":
        return FInterval(-self.hi, -self.lo)

    def mul_pos(self, o: "FInterval") -> "FInterval":
        """Product of two intervals of non-negative numbers."""
        if self.lo < 0 or o.lo < 0:
            raise ValueError("mul_pos needs non-negative intervals")
        lo = 0.0 if (self.lo == 0 or o.lo == 0) else _dn(self.lo * o.lo)
        hi = _INF if (self.hi == _INF or o.hi == _INF) else _un(self.hi * o.hi)
        return FInterval(lo, hi)

    def div_pos(self, o: "FInterval") -> "FInterval":
        """Quotient of a non-negative interval by a non-negative one
        (``x/0`` is +inf for x > 0; ``0/0`` is taken as the whole half-line)."""
        if self.lo < 0 or o.lo < 0:
            raise ValueError("div_pos needs non-negative intervals")
        if o.hi == 0:
            return FInterval(0.0 if self.lo == 0 else _INF, _INF)
        lo = 0.0 if (self.lo == 0 or o.hi == _INF) else _dn(self.lo / o.hi)
        hi = _INF if o.lo == 0 else (_INF if self.hi == _INF else _un(self.hi / o.lo))
        return FInterval(lo, hi)

    def scale(self, k: float) -> "FInterval":
        # 0 * k is exactly 0: do not widen it to a negative (or positive) subnormal
        def lo_(x: float) -> float:
            return 0.0 if x == 0 else _dn(x * k)

        def hi_(x: float) -> float:
            return 0.0 if x == 0 else _un(x * k)
        if k >= 0:
            return FInterval(lo_(self.lo), hi_(self.hi))
        return FInterval(lo_(self.hi), hi_(self.lo))

    def log(self) -> "FInterval":
        """Natural log of a non-negative interval (log 0 = -inf)."""
        if self.lo < 0:
            raise ValueError("log of a negative interval")
        lo = -_INF if self.lo == 0 else _dn(math.log(self.lo), 2)
        hi = -_INF if self.hi == 0 else (_INF if self.hi == _INF else _un(math.log(self.hi), 2))
        return FInterval(lo, hi)

    def exp(self) -> "FInterval":
        lo = 0.0 if self.lo == -_INF else max(0.0, _dn(math.exp(self.lo), 2))
        hi = _INF if self.hi >= 709.8 else _un(math.exp(self.hi), 2)
        return FInterval(lo, hi)

    def abs(self) -> "FInterval":
        if self.lo >= 0:
            return self
        if self.hi <= 0:
            return FInterval(-self.hi, -self.lo)
        return FInterval(0.0, max(-self.lo, self.hi))

    def sqrt(self) -> "FInterval":
        return FInterval(max(0.0, _dn(math.sqrt(self.lo))), _un(math.sqrt(self.hi)) if self.hi < _INF else _INF)

    def two_sided_normal_p(self) -> "FInterval":
        """``2 * (1 - Phi(z))`` for z in this (non-negative) interval: decreasing in z."""
        if self.lo < 0:
            raise ValueError("z must be non-negative")
        lo = 0.0 if self.hi == _INF else 2.0 * float(special.ndtr(-self.hi)) * (1 - SPECIAL_REL_ERROR)
        hi = 2.0 * float(special.ndtr(-self.lo)) * (1 + SPECIAL_REL_ERROR)
        return FInterval(max(0.0, lo), min(1.0, hi))

    def altman_bland_p(self) -> "FInterval":
        """Altman & Bland's approximation ``exp(-0.717 z - 0.416 z^2)`` over this
        (non-negative) z interval: decreasing in z. Reported, never used for a verdict."""
        def f(z: float) -> float:
            return math.exp(-0.717 * z - 0.416 * z * z) if z < 1e150 else 0.0
        return FInterval(f(self.hi), min(1.0, f(self.lo)))
