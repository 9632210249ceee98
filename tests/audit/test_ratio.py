"""Ratio estimates with CI and p (rparity.audit.ratio).

Rows are constructed here from (b, SE) with ``math`` and ``statistics.NormalDist``
(est = e^b, CI = e^(b -+ z SE), p = 2(1 - Phi(|b|/SE))), printed with ``decimal``;
their verdicts are known by construction."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from statistics import NormalDist

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rparity.audit import Verdict, audit
from rparity.audit.ratio import one_slip_variants

PHI = NormalDist()


def fmt(x: float, places: int, rounding=ROUND_HALF_EVEN) -> str:
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=rounding))


def wald_row(b: float, se: float, places: int = 3, z: float | None = None, level: float = 0.95,
             p_places: int = 3, rounding=ROUND_HALF_EVEN) -> dict:
    z = PHI.inv_cdf(1 - (1 - level) / 2) if z is None else z
    p = 2 * (1 - PHI.cdf(abs(b) / se))
    ptxt = "<0.001" if p < 0.001 else fmt(p, p_places, rounding)
    return {"row": "r", "estimate": fmt(math.exp(b), places, rounding),
            "lower": fmt(math.exp(b - z * se), places, rounding),
            "upper": fmt(math.exp(b + z * se), places, rounding), "p": ptxt}


def check(entry: dict, **table):
    t = {"id": "t", "ratio": [entry], **table}
    return audit({"tables": [t]}).entries[0]


def test_constructed_row_is_consistent():
    # b = ln 2, SE = 0.3: 2.00 (1.11-3.60), p = 0.020862 -> 0.021
    e = check({"row": "r", "printed": "2.00 (1.11–3.60)", "p": "0.021"})
    assert e.verdict is Verdict.CONSISTENT
    lo, hi = e.data["p_recomputed"]
    assert lo <= 2 * (1 - PHI.cdf(math.log(2) / 0.3)) <= hi


@given(st.floats(-3, 3), st.floats(0.03, 2.0), st.sampled_from([2, 3]), st.sampled_from([2, 3, 4]),
       st.sampled_from([None, 1.96]), st.sampled_from([ROUND_HALF_EVEN, ROUND_HALF_UP]))
def test_wald_rows_are_never_inconsistent(b, se, places, p_places, z, rounding):
    row = wald_row(b, se, places, z=z, p_places=p_places, rounding=rounding)
    assume(Decimal(row["lower"]) > 0)  # a printed 0.00 bound carries no information
    e = check(row)
    assert e.verdict is Verdict.CONSISTENT, (row, e.message)


@pytest.mark.parametrize("level, label", [(0.90, "90"), (0.99, "99%"), (0.95, 0.95)])
def test_other_confidence_levels(level, label):
    row = wald_row(0.8, 0.25, level=level)
    assert check(row, conf_level=label).verdict is Verdict.CONSISTENT
    # the same row read as a 95% interval has another SE, so another p
    if level != 0.95:
        assert check(row).verdict is Verdict.INCONSISTENT


def test_estimate_outside_its_interval():
    e = check({"row": "r", "printed": "4.00 (1.11–3.60)"})
    assert e.verdict is Verdict.INCONSISTENT


@pytest.mark.parametrize("printed, p, suspect, slip", [
    # the consistent 2.00 (1.11-3.60), p = 0.021, with one value mistyped
    ("2.00 (1.11–3.06)", "0.021", "upper", "3.60"),     # adjacent digits swapped
    ("2.00 (1.41–3.60)", "0.021", "lower", "1.11"),     # one digit changed
    ("2.50 (1.11–3.60)", "0.021", "estimate", "2.00"),  # one digit changed
])
def test_transcription_error_is_located(printed, p, suspect, slip):
    e = check({"row": "r", "printed": printed, "p": p})
    assert e.verdict is Verdict.INCONSISTENT
    assert e.data["suspect"] == suspect, e.message
    d = e.data["diagnosis"][suspect]
    assert slip in d["slips"]
    lo, hi = d["implied"]
    correct = {"upper": 4 / 1.11, "lower": 4 / 3.60, "estimate": math.sqrt(1.11 * 3.60)}[suspect]
    assert lo <= correct <= hi
    assert f"the {suspect}" in e.message


def test_without_p_the_wrong_value_cannot_be_located():
    e = check({"row": "r", "printed": "2.00 (1.11–3.06)"})
    assert e.verdict is Verdict.INCONSISTENT
    assert e.data["suspect"] is None and "cannot say which value is wrong" in e.message


def test_p_inconsistent_with_consistent_interval():
    e = check({"row": "r", "printed": "2.00 (1.11–3.60)", "p": "0.21"})
    assert e.verdict is Verdict.INCONSISTENT
    assert e.data["midpoint_consistent"] and not e.data["p_consistent"]


def test_p_copied_from_the_estimate_is_pointed_out():
    e = check({"row": "r", "printed": "0.611 (0.219–1.703)", "p": "0.611"})
    assert e.verdict is Verdict.INCONSISTENT and "equals a printed value" in e.message


def test_one_sided_p_is_pointed_out():
    # two-sided 0.020862: one-sided 0.010431 -> "0.010"
    e = check({"row": "r", "printed": "2.00 (1.11–3.60)", "p": "0.010"})
    assert e.verdict is Verdict.INCONSISTENT and "one-sided" in e.message


def test_altman_bland_approximation_is_reported():
    e = check({"row": "r", "printed": "2.00 (1.11–3.60)", "p": "0.021"})
    z = math.log(2) / 0.3
    approx = math.exp(-0.717 * z - 0.416 * z * z)
    lo, hi = e.data["p_altman_bland_approx"]
    assert lo <= approx <= hi
    zlo, zhi = e.data["z"]
    assert zlo <= z <= zhi


def test_not_wald_cannot_tell():
    e = check({"row": "r", "printed": "4.20 (0.98–25.1)", "p": "0.054"}, ci_method="other")
    assert e.verdict is Verdict.CANNOT_TELL


def test_estimate_and_bounds_given_separately():
    e = check({"row": "r", "estimate": "2.00", "lower": "1.11", "upper": "3.60", "p": "P = .021"})
    assert e.verdict is Verdict.CONSISTENT


@pytest.mark.parametrize("printed", ["2.00 (1.11-3.60)", "2.00 (1.11 to 3.60)", "2.00 [1.11, 3.60]",
                                     "2.00 (1.11—3.60)", "2.00(1.11–3.60)"])
def test_printed_forms(printed):
    assert check({"row": "r", "printed": printed}).verdict is Verdict.CONSISTENT


def test_one_slip_variants():
    v = one_slip_variants("3.60")
    assert "3.06" in v and "2.60" in v and "3.61" in v and "6.30" not in v


@pytest.mark.parametrize("printed, p", [("0.05 (0.00–1.20)", "0.40"), ("1.00 (0.50–2.00)", "1.000"),
                                        ("1.00 (1.00–1.00)", "0.99")])
def test_degenerate_rows_do_not_crash(printed, p):
    e = check({"row": "r", "printed": printed, "p": p})
    assert e.verdict is Verdict.CONSISTENT
