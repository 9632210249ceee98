"""Contingency rows: which tests reproduce a printed p (rparity.audit.contingency).

Expected p-values are computed here from closed forms (hypergeometric sums with
math.comb, Pearson's X2 with erfc), never with the code under test."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rparity.audit import Verdict, audit
from rparity.audit.contingency import compare_p
from rparity.audit.printed import parse_printed


def fisher_2x2(a, b, c, d) -> float:
    r1, c1, n = a + b, a + c, a + b + c + d
    probs = {x: F(math.comb(c1, x) * math.comb(n - c1, r1 - x), math.comb(n, r1))
             for x in range(max(0, r1 + c1 - n), min(r1, c1) + 1)}
    # R's fisher.test counts tables with probability <= P(observed) (1 + 1e-7)
    return float(sum(p for p in probs.values() if p <= probs[a] * F(10**7 + 1, 10**7)))


def pearson_2x2(a, b, c, d, yates=False) -> float:
    n = a + b + c + d
    num = abs(a * d - b * c)
    if yates:
        num = max(0.0, num - n / 2)
    x2 = n * num**2 / ((a + b) * (c + d) * (a + c) * (b + d))
    return math.erfc(math.sqrt(x2 / 2))


def g_2x2(a, b, c, d) -> float:
    n = a + b + c + d
    O = [[a, b], [c, d]]
    R, C = [a + b, c + d], [a + c, b + d]
    G = 2 * sum(O[i][j] * math.log(O[i][j] * n / (R[i] * C[j]))
                for i in range(2) for j in range(2) if O[i][j])
    return math.erfc(math.sqrt(G / 2))


def expected(a, b, c, d) -> dict:
    return {"fisher": fisher_2x2(a, b, c, d), "chisq": pearson_2x2(a, b, c, d),
            "chisq_yates": pearson_2x2(a, b, c, d, True), "g": g_2x2(a, b, c, d)}


def row(counts, p, test=None, n=None):
    e = {"row": "r", "counts": counts, "p": p}
    if test is not None:
        e["test"] = test
    if n is not None:
        e["n"] = n
    return e


def run(*rows, test=None, n=None):
    t = {"id": "t", "contingency": list(rows)}
    if test is not None:
        t["test"] = test
    if n is not None:
        t["n"] = n
    return audit({"tables": [t]})


def three(p: float) -> str:
    return str(Decimal(p).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN))


def rounds_to(p: float, text: str) -> bool:
    return abs(F(p) - F(text)) <= F(5, 10**4)


@pytest.mark.parametrize("abcd", [(12, 5, 8, 15), (30, 18, 20, 32), (25, 20, 15, 20), (7, 13, 14, 6),
                                  (37, 44, 22, 16), (2, 4, 21, 19)])
@pytest.mark.parametrize("claimed", ["fisher", "chisq", "chisq_yates", "g"])
def test_the_claimed_test_reproduces_its_own_p(abcd, claimed):
    a, b, c, d = abcd
    exp = expected(a, b, c, d)
    printed = three(exp[claimed])
    rep = run(row([[a, b], [c, d]], printed), test=claimed)
    e = rep.entries[0]
    assert e.verdict is Verdict.CONSISTENT
    # every test whose exact p rounds to the same print is listed as reproducing
    assert set(e.data["reproducing"]) == {t for t, p in exp.items() if rounds_to(p, printed)}
    for t, p in exp.items():
        assert e.data["pvalues"][t] == pytest.approx(p, rel=1e-9)


def test_wrong_claim_is_other_test_and_names_the_right_test():
    # chisq p = 0.0251608 -> "0.025"; Fisher 0.0535510 (a decision error at 0.05)
    rep = run(row([[12, 5], [8, 15]], "0.025"), test="fisher")
    e = rep.entries[0]
    assert e.verdict is Verdict.OTHER_TEST
    assert e.data["reproducing"] == ["chisq"] and e.data["claimed_match"] == "no"
    assert "is what chisq gives, not the claimed fisher" in e.message and "decision error" in e.message
    assert rep.exit_status == 0  # the numbers are right; the test is mislabelled


def test_wrong_claim_that_no_test_reproduces_is_inconsistent():
    rep = run(row([[12, 5], [8, 15]], "0.035"), test="fisher")
    e = rep.entries[0]
    assert e.verdict is Verdict.INCONSISTENT and "no test reproduces it" in e.message
    assert rep.exit_status == 1


def test_claim_as_a_list_means_any():
    rep = run(row([[12, 5], [8, 15]], "0.025"), test=["chisq", "chisq_yates"])
    assert rep.entries[0].verdict is Verdict.CONSISTENT


def test_no_claim_any_test_will_do_and_none_is_inconsistent():
    assert run(row([[12, 5], [8, 15]], "0.025")).entries[0].verdict is Verdict.CONSISTENT
    e = run(row([[12, 5], [8, 15]], "0.500")).entries[0]
    assert e.verdict is Verdict.INCONSISTENT and "none of the tests" in e.message


def test_exact_boundary_cannot_tell():
    # Fisher p of [[3,0],[0,3]] is 1/20 + 1/20 = 1/10 exactly: on the end of "<0.1"
    e = run(row([[3, 0], [0, 3]], "<0.1"), test="fisher").entries[0]
    assert e.verdict is Verdict.CANNOT_TELL
    assert e.data["match"]["fisher"] == "edge"
    # ... but comfortably inside a rounded print
    assert run(row([[3, 0], [0, 3]], "0.10"), test="fisher").entries[0].verdict is Verdict.CONSISTENT


@pytest.mark.parametrize("p, text, want", [
    (1.0, "1.000", "yes"),        # p cannot exceed 1: no straddle at the domain end
    (1.0, "1", "yes"),
    (0.2140, "0.214", "yes"),
    (0.2135, "0.214", "edge"),    # the float 0.2135 is within 1e-12 of the boundary
    (0.2145, "0.214", "edge"),
    (0.2134, "0.214", "no"),
    (0.00099, "<0.001", "yes"),
    (0.001, "<0.001", "edge"),
    (0.0011, "<0.001", "no"),
    (0.3, ">0.05", "yes"),
])
def test_compare_p(p, text, want):
    assert compare_p(p, parse_printed(text, "p", allow_p_label=True).interval) == want


def test_table_level_finding_when_all_p_come_from_another_test():
    rep = run(row([[12, 5], [8, 15]], "0.025"), row([[30, 18], [20, 32]], "0.016", n=[50, 50]),
              row([[25, 20], [15, 20]], "0.260", n=[40, 40]), row([[40, 2], [2, 40]], "<0.001", n=[42, 42]),
              test="fisher", n=[20, 20])
    ts = rep.tables[0]
    assert ts.tests_reproducing == {"fisher": 1, "chisq": 4, "chisq_yates": 1, "g": 2}
    level = [f for f in ts.findings if f.startswith("TABLE-LEVEL")]
    assert len(level) == 1 and "chisq reproduces all 3" in level[0]
    assert "3 of 4 rows discriminate" in ts.findings[0]


def test_table_level_majority_names_the_exceptions():
    # rows 1-2 chisq (row 2 also G), row 3 printed with Pearson's p, row 4 with G's only
    rows = [row([[12, 5], [8, 15]], "0.025"), row([[30, 18], [20, 32]], "0.016", n=[50, 50]),
            row([[25, 20], [15, 20]], "0.260", n=[40, 40]), row([[25, 20], [15, 20]], "0.259", n=[40, 40])]
    rows[3]["row"] = "odd one"
    rep = run(*rows, test="fisher", n=[20, 20])
    level = [f for f in rep.tables[0].findings if f.startswith("TABLE-LEVEL")]
    assert level and "chisq reproduces 3 of 4" in level[0] and "not reproduced by chisq: odd one" in level[0]


def test_claimed_test_reproducing_everything():
    exp = expected(12, 5, 8, 15)
    rep = run(row([[12, 5], [8, 15]], three(exp["fisher"])), test="fisher", n=[20, 20])
    assert any("reproduces every discriminating row" in f for f in rep.tables[0].findings)


def test_r_by_c_table_yates_is_pearson():
    rep = run(row([[10, 20], [15, 12], [5, 9]], "0.05"))
    e = rep.entries[0]
    assert e.data["pvalues"]["chisq"] == e.data["pvalues"]["chisq_yates"]
    assert any("2 x 2 tables only" in c.detail for c in e.checks)


def test_zero_margin_makes_chisq_and_g_undefined():
    e = run(row([[5, 0], [7, 0]], "1.000")).entries[0]
    assert e.data["match"]["chisq"] == "undefined" and e.data["match"]["g"] == "undefined"
    assert e.data["match"]["fisher"] == "yes"
    assert e.verdict is Verdict.CONSISTENT


def test_counts_below_the_arm_size_are_noted():
    e = run(row([[12, 5], [7, 15]], "0.05"), n=[20, 20]).entries[0]
    assert "sum to 19 < n = 20" in e.message


@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40), st.integers(1, 40),
       st.sampled_from(["fisher", "chisq", "chisq_yates", "g"]))
def test_never_inconsistent_with_the_test_that_made_the_print(a, b, c, d, claimed):
    p = expected(a, b, c, d)[claimed]
    if p < 0.001:
        printed = "<0.001"
    else:
        printed = three(p)
    e = run(row([[a, b], [c, d]], printed), test=claimed).entries[0]
    assert e.verdict in (Verdict.CONSISTENT, Verdict.CANNOT_TELL)
