"""Printed numbers -> rounding intervals (rparity.audit.printed).

Independent oracle: Python's ``decimal`` module rounding with each convention."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rparity.audit.fint import FInterval, down, up
from rparity.audit.printed import RInterval, UnreadableValue, fmt_fraction, parse_count, parse_printed
from rparity_contract.errors import InvalidArgument

from ._rounding import printable


def iv(text, **kw):
    return parse_printed(text, "x", **kw).interval


@pytest.mark.parametrize("text, lo, hi, hi_closed", [
    ("0.214", F("0.2135"), F("0.2145"), True),
    ("0.153", F("0.1525"), F("0.1535"), True),   # 0.1535 is not a binary float
    ("0.05", F("0.045"), F("0.055"), True),
    ("0.050", F("0.0495"), F("0.0505"), True),
    ("33", F("32.5"), F("33.5"), False),         # 33.5 -> 34 half-up and half-even
    ("32", F("31.5"), F("32.5"), True),          # 32.5 -> 32 half-even
    ("62.7", F("62.65"), F("62.75"), False),     # 62.75 = 251/4 -> 62.8 either way
    ("62.8", F("62.75"), F("62.85"), True),
    ("1.000", F("0.9995"), F("1.0005"), True),
    ("0", F("-0.5"), F("0.5"), True),
    ("1.2e-5", F("1.15e-5"), F("1.25e-5"), True),
    ("1.2E-05", F("1.15e-5"), F("1.25e-5"), True),
    ("1.2 × 10^-5", F("1.15e-5"), F("1.25e-5"), True),
    ("1.2x10^-5", F("1.15e-5"), F("1.25e-5"), True),
    ("1.2×10⁻⁵", F("1.15e-5"), F("1.25e-5"), True),
    ("3e-4", F("2.5e-4"), F("3.5e-4"), True),
    ("13.955", F("13.9545"), F("13.9555"), True),
])
def test_rounded_values_are_half_unit_intervals(text, lo, hi, hi_closed):
    I = iv(text)
    assert (I.lo, I.hi, I.lo_closed, I.hi_closed) == (lo, hi, True, hi_closed)


def test_negative_values_mirror_the_rule():
    I = iv("\u22120.5")      # far tie -0.55 is not a binary float: included
    assert (I.lo, I.hi, I.lo_closed, I.hi_closed) == (F("-0.55"), F("-0.45"), True, True)
    I = iv("-3")             # far tie -3.5 is a binary float, 3 odd: -3.5 -> -4
    assert (I.lo, I.hi, I.lo_closed, I.hi_closed) == (F("-3.5"), F("-2.5"), False, True)


@pytest.mark.parametrize("text, lo, hi", [
    ("P = .03", F("0.025"), F("0.035")),
    ("p=0.03", F("0.025"), F("0.035")),
    ("P .03", F("0.025"), F("0.035")),
])
def test_p_labels(text, lo, hi):
    I = iv(text, allow_p_label=True)
    assert (I.lo, I.hi) == (lo, hi)


@pytest.mark.parametrize("text, expected", [
    ("<0.001", RInterval(None, F("0.001"), False, False)),
    ("P < .001", RInterval(None, F("0.001"), False, False)),
    ("<=0.05", RInterval(None, F("0.05"), False, True)),
    ("≤0.05", RInterval(None, F("0.05"), False, True)),
    (">0.05", RInterval(F("0.05"), None, False, False)),
    ("≥ 0.05", RInterval(F("0.05"), None, True, False)),
    ("<1e-10", RInterval(None, F(1, 10**10), False, False)),
])
def test_inequalities_are_exact(text, expected):
    assert iv(text, allow_p_label=True) == expected


def test_percent_sign_only_where_allowed():
    assert iv("33.3%", allow_percent=True) == RInterval.closed(F("33.25"), F("33.35"))
    with pytest.raises(UnreadableValue, match="one printed number"):
        parse_printed("33.3%", "x")


@pytest.mark.parametrize("bad, match", [
    ("0.O5", "one printed number"),
    ("1,234", "must not contain a comma"),
    ("0,05", "must not contain a comma"),
    ("", "one printed number"),
    ("abc", "one printed number"),
    ("0.05.1", "one printed number"),
    ("1e", "one printed number"),
    ("--1", "one printed number"),
    ("NS", "one printed number"),
    ("0.05 0.06", "one printed number"),
])
def test_malformed_numbers_are_refused(bad, match):
    with pytest.raises(UnreadableValue, match=match):
        parse_printed(bad, "p", allow_p_label=True)


@pytest.mark.parametrize("bad", [0.05, 1, True, None, [0.05]])
def test_non_strings_are_refused(bad):
    with pytest.raises(InvalidArgument, match="must be the printed text as a string"):
        parse_printed(bad, "p")


def test_float_hint_names_the_quoted_form():
    with pytest.raises(UnreadableValue, match='p = "0.05"'):
        parse_printed(0.05, "p")


@given(st.integers(0, 10**6), st.sampled_from([0, 1, 2, 3]), st.sampled_from([1, 4, 8, 10]))
def test_interval_is_exactly_the_values_that_can_print_so(k, places, scale):
    # x on fine grids (6 decimals, and quarters/eighths) including every tie
    x = F(k, 10**6) if scale == 10 else F(k % 4000, scale)
    ok = printable(x, places)
    for text in ok:
        assert iv(text).contains(x), (x, text)
    q = Decimal(1).scaleb(-places)
    base = Decimal(x.numerator) / Decimal(x.denominator)
    for off in (-1, 0, 1):
        text = str((base.quantize(q, rounding=ROUND_HALF_EVEN) + off * q))
        if text.startswith("-"):
            continue
        assert iv(text).contains(x) == (text in ok), (x, text)


def test_boundaries():
    I = iv("0.214")
    assert I.contains(F("0.2135")) and I.contains(F("0.2145"))
    assert not I.contains(F("0.21349999")) and not I.contains(F("0.21450001"))


def test_interval_operations():
    a = RInterval.closed(0, 1)
    b = RInterval(F(1), F(2), False, True)
    assert a.intersect(b).is_empty()
    assert not RInterval.closed(1, 2).intersect(a).is_empty()
    assert RInterval.point(F(1, 2)).contains(F(1, 2))
    assert str(RInterval(None, F("0.001"), False, False)) == "(-inf, 0.001)"
    assert a.scale(100) == RInterval.closed(0, 100)
    with pytest.raises(ValueError, match="positive"):
        a.scale(0)


def test_fmt_fraction():
    assert fmt_fraction(F("0.2135")) == "0.2135"
    assert fmt_fraction(F(1, 3)) == "~0.333333333333"
    assert fmt_fraction(F(5)) == "5"


@pytest.mark.parametrize("good, value", [(12, 12), ("12", 12), (" 7 ", 7), (0, 0)])
def test_counts(good, value):
    assert parse_count(good, "n") == value


@pytest.mark.parametrize("bad, match", [
    ("1,234", "without separators"), (-1, "non-negative integer"), (1.5, "non-negative integer"),
    (True, "non-negative integer"), ("12a", "non-negative integer"), (None, "non-negative integer"),
])
def test_bad_counts(bad, match):
    with pytest.raises(UnreadableValue, match=match):
        parse_count(bad, "n")


def test_outward_conversion_brackets_the_rational():
    for q in (F(1, 10), F(2, 3), F("0.2135"), F(10**20 + 1, 3)):
        assert F(down(q)) <= q <= F(up(q))
        assert up(q) - down(q) <= 2 * abs(float(q)) * 2**-52 + 1e-300


def test_outward_log_contains_the_true_log():
    from decimal import getcontext
    getcontext().prec = 50
    for lo, hi in [(F("1.4125"), F("1.4135")), (F("0.1755"), F("0.1765"))]:
        L = FInterval.of(lo, hi).log()
        assert Decimal(L.lo) <= (Decimal(lo.numerator) / Decimal(lo.denominator)).ln()
        assert Decimal(L.hi) >= (Decimal(hi.numerator) / Decimal(hi.denominator)).ln()
