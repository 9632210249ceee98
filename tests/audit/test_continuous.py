"""Continuous rows (rparity.audit.continuous): means and SDs against t-tests and
ANOVAs, medians against rank tests, GRIM/GRIMMER, unreadable cells.

Literal p-values were computed by R 4.2.2 from simulated data (the R call is
beside each); the property tests use scipy.stats as the independent reference."""
from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rparity.audit import Verdict, audit


def run(*rows, n=None, test=None):
    t = {"id": "t", "continuous": list(rows)}
    if n is not None:
        t["n"] = n
    if test is not None:
        t["test"] = test
    return audit({"tables": [t]}).entries


def one(row, **kw):
    (e,) = run(row, **kw)
    return e


# R: set.seed(2025); n=(n1,n2); a <- round(rnorm(n1, 50, 10), 1); b <- round(rnorm(n2, 50 + d*10, 14), 1)
# t.test(a, b, var.equal = TRUE)$p.value, t.test(a, b)$p.value  (sim.R in the helper's report)
R_TWO = [
    # n, mean ± SD cells, Student p, Welch p
    ((40, 45), ("51.3 ± 10.2", "55.4 ± 14.2"), "0.1333", "0.1263"),
    ((25, 30), ("49.4 ± 10.3", "43.8 ± 11.9"), "0.06829", "0.06487"),
    ((12, 15), ("48.1 ± 8.8", "64.6 ± 14.1"), "0.001563", "0.001046"),
    ((60, 58), ("51.6 ± 9.7", "53.7 ± 14.2"), "0.3646", "0.3678"),
]


@pytest.mark.parametrize("n, cells, p_student, p_welch", R_TWO)
def test_r_t_tests_are_reproduced(n, cells, p_student, p_welch):
    for claim, p in (("student_t", p_student), ("welch_t", p_welch), ("t", p_welch), ("anova", p_student)):
        e = one({"row": "x", "values": list(cells), "n": list(n), "p": p, "test": claim})
        assert e.verdict is Verdict.CONSISTENT, (claim, e.message)
        assert e.data["claimed"] and set(e.data["claimed"]) & set(e.data["reproducing"])


def test_other_test_is_named_when_the_summaries_are_precise():
    # R: set.seed(7); a <- rnorm(40, 50, 8); b <- rnorm(45, 55, 16)
    # t.test(a, b, var.equal = TRUE)$p.value 0.0990; t.test(a, b)$p.value 0.0902
    row = {"row": "x", "values": ["52.167 ± 8.370", "56.454 ± 14.206"], "n": [40, 45]}
    assert one({**row, "p": "0.0902", "test": "welch_t"}).verdict is Verdict.CONSISTENT
    assert one({**row, "p": "0.0990", "test": "student_t"}).verdict is Verdict.CONSISTENT
    e = one({**row, "p": "0.0902", "test": "student_t"})
    assert e.verdict is Verdict.OTHER_TEST
    assert "not the claimed Student" in e.message and "welch_t" in e.data["reproducing"]
    assert e.data["reproducing"] == ["welch_t", "welch_anova"]


def test_planted_errors_are_flagged():
    n, cells, ps, pw = R_TWO[2]
    # a swapped digit in a mean: 64.6 -> 46.6
    e = one({"row": "x", "values": [cells[0], "46.6 ± 14.1"], "n": list(n), "p": ps, "test": "student_t"})
    assert e.verdict is Verdict.INCONSISTENT
    # p of another data set: a decision error
    e = one({"row": "x", "values": list(cells), "n": list(n), "p": "0.13", "test": "t"})
    assert e.verdict is Verdict.INCONSISTENT
    assert "decision error" in e.message


# R: ns <- c(30, 35, 25); y as in sim.R; summary(aov(y ~ g)), oneway.test(y ~ g)
R_THREE = [
    (("48.7 ± 8.1", "53.3 ± 9.9", "59.1 ± 16.0"), "0.004789", "0.009402"),
    (("99.2 ± 7.3", "105.5 ± 9.3", "116.6 ± 12.8"), "2.082e-08", "6.418e-07"),
]


@pytest.mark.parametrize("cells, p_anova, p_welch", R_THREE)
def test_r_anovas_are_reproduced(cells, p_anova, p_welch):
    base = {"row": "x", "values": list(cells), "n": [30, 35, 25]}
    assert one({**base, "p": p_anova, "test": "anova"}).verdict is Verdict.CONSISTENT
    assert one({**base, "p": p_welch, "test": "welch_anova"}).verdict is Verdict.CONSISTENT
    e = one({**base, "p": p_welch, "test": "anova"})
    assert e.verdict is Verdict.OTHER_TEST, e.message
    assert e.data["reproducing"] == ["welch_anova"]
    # a t-test claim on 3 arms cannot be recomputed
    assert one({**base, "p": p_anova, "test": "t"}).verdict is Verdict.CANNOT_TELL


def test_se_is_converted_exactly():
    # 51.3 ± 10.2 (n 40) and 55.4 ± 14.2 (n 45) as SEs 10.2/sqrt(40) = 1.6128, 14.2/sqrt(45) = 2.1168
    e = one({"row": "x", "values": ["51.3 (1.61)", "55.4 (2.12)"], "n": [40, 45], "summary": "mean_se",
             "p": "0.1263", "test": "welch_t"})
    assert e.verdict is Verdict.CONSISTENT
    # read as SDs instead, the difference would be enormous
    e = one({"row": "x", "values": ["51.3 (1.61)", "55.4 (2.12)"], "n": [40, 45], "p": "0.1263"})
    assert e.verdict is Verdict.INCONSISTENT


def test_table_level_mixed_claim():
    # test = ["chi-square", "t"]: the continuous rows take t (student or welch)
    n, cells, ps, pw = R_TWO[0]
    (e,) = run({"row": "x", "values": list(cells), "p": pw}, n=list(n), test=["chi-square", "t"])
    assert e.data["claimed"] == ["student_t", "welch_t"]
    assert e.verdict is Verdict.CONSISTENT


# ---------------------------------------------------------------------------
# medians


def test_r_rank_tests_are_not_excluded():
    # R (sim.R, third case): wilcox.test p 0.001156, kruskal.test p 0.001791
    base = {"row": "x", "values": ["47.6 (30.8–60.2)", "64.2 (38.1–88.7)"], "n": [12, 15],
            "summary": "median_range"}
    for p, t in (("0.001156", "mann_whitney"), ("0.001791", "kruskal_wallis")):
        e = one({**base, "p": p, "test": t})
        assert e.verdict is Verdict.CANNOT_TELL and "allow p up to" in e.message


def test_separated_ranges_bound_the_p():
    # every value of arm 1 (8..12) is below every value of arm 2 (25..40): U = 0
    # exact: 2 / choose(27, 12) = 1.15e-7 (R: 2 * pwilcox(0, 12, 15)); the normal approximation with
    # continuity correction (R with ties) is larger: 2 pnorm(-(90 - 0.5) / sqrt(12 * 15 * 28 / 12)) = 1.26e-5
    base = {"row": "x", "values": ["10 (8–12)", "30 (25–40)"], "n": [12, 15], "summary": "median_range"}
    e = one({**base, "p": "0.20", "test": "mann_whitney"})
    assert e.verdict is Verdict.INCONSISTENT
    assert e.data["p_max"]["mann_whitney"] == pytest.approx(2 * stats.norm.sf(89.5 / math.sqrt(420)), rel=1e-9)
    assert one({**base, "p": "<0.001"}).verdict is Verdict.CANNOT_TELL


def test_median_outside_its_iqr_is_inconsistent():
    e = one({"row": "x", "values": ["2.0 (3.0–8.0)", "5.0 (4.0–8.0)"], "n": [20, 20], "summary": "median_iqr",
             "p": "0.3"})
    assert e.verdict is Verdict.INCONSISTENT and "outside its IQR" in e.message
    # "2" and "3" meet at 2.5: printed integers allow it
    e = one({"row": "x", "values": ["2 (3–8)", "5 (4–8)"], "n": [20, 20], "summary": "median_iqr", "p": "0.3"})
    assert e.verdict is Verdict.CANNOT_TELL


# ---------------------------------------------------------------------------
# GRIM / GRIMMER


def test_grim_and_grimmer_by_hand():
    # 66/19 = 3.4737 prints "3.47"; no S/19 lies in [3.475, 3.485]
    e = one({"row": "x", "values": ["3.47", "3.00"], "n": [19, 5], "integer": True})
    assert e.verdict is Verdict.CONSISTENT
    assert e.data["integer"]["arm 1"]["sums"] == [66]
    e = one({"row": "x", "values": ["3.48", "3.00"], "n": [19, 5], "integer": True})
    assert e.verdict is Verdict.INCONSISTENT and "GRIM (arm 1)" in e.message
    # 1..5: mean 3, SD sqrt(2.5) = 1.5811 (R: sd(1:5)); S = 15, Q = 55
    e = one({"row": "x", "values": ["3.00 ± 1.58", "3.00 ± 1.58"], "n": [5, 5], "integer": True})
    assert e.verdict is Verdict.CONSISTENT
    assert e.data["integer"]["arm 1"]["pairs"] == [[15, 55]]
    # SD 1.60: Q = 45 + 4 SD^2 in [55.18, 55.30]: no integer
    e = one({"row": "x", "values": ["3.00 ± 1.60", "3.00 ± 1.58"], "n": [5, 5], "integer": True})
    assert e.verdict is Verdict.INCONSISTENT and "GRIMMER (arm 1)" in e.message


def test_integer_medians():
    e = one({"row": "x", "values": ["4.3 (1–9)", "5.5 (2–9)"], "n": [11, 12], "summary": "median_range",
             "integer": True})
    assert e.verdict is Verdict.INCONSISTENT and "integer median (arm 1)" in e.message


# ---------------------------------------------------------------------------
# bad input

BAD = [
    ({"values": ["12 (4.5%)", "3 (2.1%)"], "p": "0.3"}, r"n \(%\)"),
    ({"values": ["12/45", "3/40"], "p": "0.3"}, "count n/N"),
    ({"values": ["4.5% (12)", "3.1% (3)"], "p": "0.3"}, "percentage"),
    ({"values": ["54.2", "52.8"], "p": "0.3"}, "without its SD"),
    ({"values": ["55 (48–61)", "52 (45–60)"], "p": "0.3"}, "IQR or its range"),
    ({"values": ["55 (48–61)", "52 ± 4"], "p": "0.3", "summary": "median_iqr"}, "same form"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3", "summary": "median_iqr"}, "needs cells"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3", "summary": "mean_sem"}, "must be one of"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3", "test": "fisher"}, "tests of a continuous row"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "pvalue": "0.3"}, r"unknown field\(s\) \['pvalue'\]"),
    ({"values": ["54.2 ± 10.1"], "p": "0.3"}, "at least 2"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": 0.3}, 'p = "0.3"'),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3", "n": [40]}, "1 arm sizes for 2"),
    ({"values": ["55 (61–48)", "52 (45–60)"], "summary": "median_iqr"}, "lower quantile exceeds"),
    ({"values": ["54.2 ± 1O.1", "52.8 ± 9.7"], "p": "0.3"}, "printed summary"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3", "integer": "yes"}, "true or false"),
    ({"values": ["54.2 ± 10.1", "52.8 ± 9.7", "50 ± 3"], "smd": "0.1", "n": [4, 4, 4]}, "needs 2 arms"),
]


@pytest.mark.parametrize("fields, match", BAD)
def test_bad_rows_are_unreadable(fields, match):
    row = {"row": "x", **fields}
    kw = {} if "n" in fields else {"n": [40, 45]}
    (e,) = run(row, **kw)
    assert e.verdict is Verdict.UNREADABLE
    assert re.search(match, e.message), e.message


def test_missing_n():
    (e,) = run({"row": "x", "values": ["54.2 ± 10.1", "52.8 ± 9.7"], "p": "0.3"})
    assert e.verdict is Verdict.UNREADABLE and "missing field `n`" in e.message


# ---------------------------------------------------------------------------
# properties: simulate, summarise, round, audit


def _r(x: float, places: int) -> str:
    return str(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n1=st.integers(3, 60), n2=st.integers(3, 60),
       shift=st.floats(0, 1.5), places=st.integers(1, 3), equal_var=st.booleans())
def test_simulated_t_tests_are_consistent(seed, n1, n2, shift, places, equal_var):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(50, 10, n1), rng.normal(50 + 10 * shift, 14, n2)
    p = float(stats.ttest_ind(a, b, equal_var=equal_var).pvalue)
    cells = [f"{_r(float(x.mean()), places)} ± {_r(float(x.std(ddof=1)), places)}" for x in (a, b)]
    printed = _r(p, 3) if p >= 0.001 else "<0.001"
    e = one({"row": "x", "values": cells, "n": [n1, n2], "p": printed,
             "test": "student_t" if equal_var else "welch_t"})
    assert e.verdict in (Verdict.CONSISTENT, Verdict.CANNOT_TELL), e.message
    assert e.verdict is Verdict.CONSISTENT or math.isclose(p, float(printed.strip("<")), rel_tol=0.2)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), ns=st.lists(st.integers(3, 40), min_size=3, max_size=4))
def test_simulated_anovas_are_consistent(seed, ns):
    rng = np.random.default_rng(seed)
    groups = [rng.normal(50 + 3 * i, 8 + 4 * i, n) for i, n in enumerate(ns)]
    p = float(stats.f_oneway(*groups).pvalue)
    cells = [f"{_r(float(g.mean()), 2)} ± {_r(float(g.std(ddof=1)), 2)}" for g in groups]
    printed = _r(p, 3) if p >= 0.001 else "<0.001"
    e = one({"row": "x", "values": cells, "n": ns, "p": printed, "test": "anova"})
    assert e.verdict in (Verdict.CONSISTENT, Verdict.CANNOT_TELL), e.message


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), n1=st.integers(3, 40), n2=st.integers(3, 40), shift=st.floats(0, 2))
def test_simulated_rank_tests_are_never_inconsistent(seed, n1, n2, shift):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(50, 10, n1), rng.normal(50 + 10 * shift, 10, n2)
    p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    cells = [f"{_r(float(np.median(x)), 1)} ({_r(float(x.min()), 1)}–{_r(float(x.max()), 1)})" for x in (a, b)]
    e = one({"row": "x", "values": cells, "n": [n1, n2], "p": _r(p, 3) if p >= 0.001 else "<0.001",
             "summary": "median_range", "test": "mann_whitney"})
    assert e.verdict is Verdict.CANNOT_TELL, e.message
    cells = [f"{_r(float(np.median(x)), 1)} ({_r(float(np.percentile(x, 25)), 1)}–"
             f"{_r(float(np.percentile(x, 75)), 1)})" for x in (a, b)]
    e = one({"row": "x", "values": cells, "n": [n1, n2], "p": _r(p, 3) if p >= 0.001 else "<0.001",
             "summary": "median_iqr", "test": "mann_whitney"})
    assert e.verdict is Verdict.CANNOT_TELL, e.message


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 40))
def test_simulated_integer_data_pass_grim_and_grimmer(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 10, n)
    cell = f"{_r(float(x.mean()), 2)} ± {_r(float(x.std(ddof=1)), 2)}"
    e = one({"row": "x", "values": [cell, cell], "n": [n, n], "integer": True})
    assert e.verdict is Verdict.CONSISTENT, e.message
