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
from .printed import RInterval, fmt_fraction
from .results import Check, EntryResult, Verdict

__all__ = ["check_percent", "counts_matching", "PERCENT_DOMAIN"]

PERCENT_DOMAIN = RInterval.closed(0, 100)


def counts_matching(interval: RInterval, N: int) -> list[int]:
    """Every k in 0..N whose percentage 100 k / N lies in ``interval``."""
    I = interval.intersect(PERCENT_DOMAIN)
    if I.is_empty():
        return []
    lo = 0 if I.lo is None else max(0, math.ceil(I.lo * N / 100))
    hi = N if I.hi is None else min(N, math.floor(I.hi * N / 100))
    return [k for k in range(lo, hi + 1) if I.contains(Fraction(100 * k, N))]


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
        else:
            verdict = Verdict.INCONSISTENT
            if fits:
                ks = ", ".join(_pct(k, N) for k in fits[:4]) + (" ..." if len(fits) > 4 else "")
                msg = f"{_pct(entry.n, N)} does not round to {pr.text}; the printed % fits {ks}"
            else:
                msg = (f"{_pct(entry.n, N)} does not round to {pr.text}, and no count of an arm of "
                       f"{N} gives {pr.text}%")
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
