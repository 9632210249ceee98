"""Percentages of an arm: is the printed "n (%)" equal to n/N rounded as printed?

This is the GRIM idea (Brown & Heathers 2017) for proportions. With n known, the
exact value 100 n / N (a rational number, no floating point) must lie in the
printed percentage's rounding interval. With n absent, some count k in 0..N
must do so; if none can, no count of an arm of N gives that percentage.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .entries import PercentEntry
from .printed import Printed, RInterval, fmt_fraction
from .results import Check, EntryResult, Verdict

__all__ = ["check_percent", "counts_matching", "is_largest_remainder", "truncated", "PERCENT_DOMAIN"]

PERCENT_DOMAIN = RInterval.closed(0, 100)


def counts_matching(interval: RInterval, N: int) -> list[int]:
    """Every k in 0..N whose percentage 100 k / N lies in ``interval``."""
    I = interval.intersect(PERCENT_DOMAIN)
    if I.is_empty():
        return []
    lo = 0 if I.lo is None else max(0, math.ceil(I.lo * N / 100))
    hi = N if I.hi is None else min(N, math.floor(I.hi * N / 100))
    return [k for k in range(lo, hi + 1) if I.contains(Fraction(100 * k, N))]


def _unit(pr: Printed) -> Fraction:
    return Fraction(10) ** (pr.exponent - pr.decimals)


def truncated(pr: Printed, value: Fraction) -> bool:
    """Is the printed percentage ``value`` truncated (not rounded) to the printed
    places, where rounding would print something else?"""
    if pr.relation != "=" or value < 0:
        return False
    u = _unit(pr)
    return math.floor(value / u) * u == pr.value and not pr.interval.contains(value)


def is_largest_remainder(printed: list[Printed], counts: list[int], total: int) -> bool:
    """Are the printed percentages of one column (every level of one arm) a
    largest-remainder (Hamilton) rounding of ``100 c_i / total``?

    Some software and many authors adjust rounded percentages so that a column
    sums to exactly 100: each exact value is cut down to the printed places and
    the missing units go to the largest remainders. A vector ``v`` is such a
    rounding exactly when it sums to 100, each ``v_i`` is the cut-down value or
    one unit more, and every cell given a unit has a remainder at least as large
    as every cell not given one (ties may go either way).
    """
    if total <= 0 or len(printed) != len(counts) or sum(counts) != total:
        return False
    if any(p.relation != "=" for p in printed):
        return False
    units = {_unit(p) for p in printed}
    if len(units) != 1:
        return False
    u = units.pop()
    if sum(p.value for p in printed) != 100:
        return False
    up_rem, flat_rem = [], []
    for p, c in zip(printed, counts):
        x = Fraction(100 * c, total)
        base = math.floor(x / u) * u
        rem = x - base
        if p.value == base:
            flat_rem.append(rem)
        elif p.value == base + u:
            up_rem.append(rem)
        else:
            return False
    return not up_rem or not flat_rem or min(up_rem) >= max(flat_rem)


def _pct(k: int, N: int) -> str:
    return f"{k}/{N} = {fmt_fraction(Fraction(100 * k, N), digits=8)}%"


def check_percent(entry: PercentEntry) -> EntryResult:
    """Check one printed percentage against its arm size."""
    pr, N = entry.percent, entry.N
    I = pr.interval.intersect(PERCENT_DOMAIN)
    fits = counts_matching(pr.interval, N)
    data = {"N": N, "n": entry.n, "printed": pr.text, "interval": I.to_dict(),
            "counts_matching": fits}
    if entry.n is not None:
        value = Fraction(100 * entry.n, N)
        ok = I.contains(value)
        data["recomputed"] = fmt_fraction(value, digits=15)
        alt = entry.available
        if ok:
            verdict = Verdict.CONSISTENT
            msg = f"{_pct(entry.n, N)} rounds to {pr.text}"
        elif alt is not None and I.contains(Fraction(100 * entry.n, alt)):
            verdict = Verdict.CONSISTENT
            msg = (f"{_pct(entry.n, alt)} rounds to {pr.text}: a percentage of the {alt} with data "
                   f"(column total), not of the arm's {N}")
            data["denominator"] = alt
        elif entry.largest_remainder is not None:
            lr = entry.largest_remainder
            verdict = Verdict.CONSISTENT
            msg = (f"{_pct(entry.n, lr)} does not round to {pr.text}, but the arm's column of percentages is "
                   "a largest-remainder rounding (adjusted to sum to 100): a note, not an inconsistency")
            data["largest_remainder"] = lr
        else:
            verdict = Verdict.INCONSISTENT
            if fits:
                ks = ", ".join(_pct(k, N) for k in fits[:4]) + (" ..." if len(fits) > 4 else "")
                msg = f"{_pct(entry.n, N)} does not round to {pr.text}; the printed % fits {ks}"
            else:
                msg = (f"{_pct(entry.n, N)} does not round to {pr.text}, and no count of an arm of "
                       f"{N} gives {pr.text}%")
            if truncated(pr, value):
                msg += f"; {pr.text} is {fmt_fraction(value, digits=8)} truncated, not rounded (a rounding slip)"
                data["truncated"] = True
        check = Check("n/N", verdict, printed=pr.text, interval=str(I),
                      recomputed=f"{entry.n}/{N} = {fmt_fraction(value, digits=8)}%", detail=msg, data=data)
    else:
        if fits:
            verdict = Verdict.CONSISTENT
            msg = f"{pr.text}% is k/N for k = {', '.join(map(str, fits))} (N = {N})"
        else:
            verdict = Verdict.INCONSISTENT
            msg = f"no count k of an arm of N = {N} gives {pr.text}% (GRIM)"
        check = Check("k/N exists", verdict, printed=pr.text, interval=str(I),
                      recomputed=("k = " + ", ".join(map(str, fits))) if fits else "none", detail=msg,
                      data=data)
    return EntryResult(table=entry.table.id, kind="percent", label=entry.label, verdict=verdict,
                       message=msg, checks=(check,), source=entry.source, data=data)
