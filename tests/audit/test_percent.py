"""Percentages n (%) against the arm size (rparity.audit.percent).

Oracle: the set of strings 100 k / N prints to under half-up and half-even
rounding, computed with ``decimal``."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from rparity.audit import Verdict, audit
from rparity.audit.percent import counts_matching
from rparity.audit.printed import parse_printed

from ._rounding import printable


def pct(N, percent, n=None):
    e = {"label": "x", "N": N, "percent": percent}
    if n is not None:
        e["n"] = n
    return audit({"tables": [{"id": "t", "percent": [e]}]}).entries[0]


def prints(k: int, N: int, places: int) -> set[str]:
    return printable(Fraction(100 * k, N), places)


@pytest.mark.parametrize("n, N, text, verdict", [
    (37, 59, "62.7", Verdict.CONSISTENT),
    (37, 59, "62.8", Verdict.INCONSISTENT),
    (37, 59, "63", Verdict.CONSISTENT),
    (37, 59, "62.71", Verdict.CONSISTENT),
    (37, 59, "62.7%", Verdict.CONSISTENT),
    (1, 8, "12.5", Verdict.CONSISTENT),
    (1, 8, "13", Verdict.CONSISTENT),   # 12.5 half-up
    (1, 8, "12", Verdict.CONSISTENT),   # 12.5 half-even
    (7, 40, "17", Verdict.INCONSISTENT),  # 17.5 -> 18 half-up and half-even
    (7, 40, "18", Verdict.CONSISTENT),
    (1, 3, "33.3", Verdict.CONSISTENT),
    (1, 8, "11", Verdict.INCONSISTENT),
    (0, 23, "0", Verdict.CONSISTENT),
    (0, 23, "0.0", Verdict.CONSISTENT),
    (23, 23, "100.0", Verdict.CONSISTENT),
    (22, 23, "100", Verdict.INCONSISTENT),  # 95.65
])
def test_with_counts(n, N, text, verdict):
    assert pct(N, text, n).verdict is verdict


def test_inconsistent_names_the_counts_that_fit():
    e = pct(20, "65.0", 12)
    assert e.verdict is Verdict.INCONSISTENT and "13/20 = 65%" in e.message


@pytest.mark.parametrize("N, text, fits", [
    (7, "50.0", []),               # 7 is odd
    (7, "42.9", [3]),
    (59, "37.3", [22]),
    (10, "50", [5]),
    (200, "50", [99, 100, 101]),   # 49.5, 50, 50.5 all print "50"
])
def test_grim_without_count(N, text, fits):
    e = pct(N, text)
    assert e.data["counts_matching"] == fits
    assert e.verdict is (Verdict.CONSISTENT if fits else Verdict.INCONSISTENT)


@pytest.mark.parametrize("N, places", [(N, p) for N in (1, 3, 7, 23, 40, 59, 60, 97) for p in (0, 1)]
                         + [(7, 2), (40, 2), (59, 2)])
def test_grim_agrees_with_decimal_rounding(N, places):
    ks: dict[str, list[int]] = {}
    for k in range(N + 1):
        for text in prints(k, N, places):
            ks.setdefault(text, []).append(k)
    step = Decimal(1).scaleb(-places)
    for i in range(0, int(100 / step) + 1):
        text = str(Decimal(i) * step)
        fits = counts_matching(parse_printed(text, "percent").interval, N)
        assert fits == ks.get(text, []), (N, text)


def test_percentage_of_those_with_data():
    # 19 + 39 = 58 of an arm of 59: 19/58 = 32.76% is printed, 19/59 = 32.20% is not
    rep = audit({"tables": [{"id": "t", "n": [59, 60], "contingency": [
        {"row": "r", "counts": [[19, 20], [39, 40]], "percents": [["32.8", "33.3"], ["67.2", "66.7"]]}]}]})
    e = rep.entries[0]
    assert e.verdict is Verdict.CONSISTENT and "of the 58 with data" in e.message
    assert all(x.verdict is Verdict.CONSISTENT for x in rep.entries)
    # without the missing values the same print is inconsistent
    rep = audit({"tables": [{"id": "t", "n": [59, 60], "contingency": [
        {"row": "r", "counts": [[19, 20], [40, 40]], "percents": [["32.8", "33.3"], ["67.8", "66.7"]]}]}]})
    assert rep.entries[0].verdict is Verdict.INCONSISTENT
