"""Test oracle for printed rounding, built on ``decimal`` (not on rparity).

A value x can be printed with ``places`` decimals as the half-up or the half-even
rounding of x; and when x is exactly a tie that is not a binary float (its
reduced denominator is not a power of two), software holds a float an ulp to
either side, so both neighbours can be printed."""
from __future__ import annotations

from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction


def printable(x: Fraction, places: int) -> set[str]:
    q = Decimal(1).scaleb(-places)
    num, den = Decimal(x.numerator), Decimal(x.denominator)
    # exact decimal of x when it terminates within 40 digits; otherwise ties are impossible
    dx = (num / den) if _terminates(x) else None
    if dx is None:
        from decimal import localcontext
        with localcontext() as ctx:
            ctx.prec = 60
            v = num / den
        return {str(v.quantize(q, rounding=ROUND_HALF_EVEN))}
    out = {str(dx.quantize(q, rounding=r)) for r in (ROUND_HALF_UP, ROUND_HALF_EVEN)}
    tie = (dx * 2 / q) % 2 == 1
    d = x.denominator
    if tie and d & (d - 1) != 0:
        out.add(str(dx.quantize(q, rounding=ROUND_HALF_DOWN)))
    return out


def _terminates(x: Fraction) -> bool:
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1
