"""Claims as papers write them: "chi-square" (any variant), "chi-square or Fisher's
exact test as appropriate", trend tests; the verdict "other test"; the table
summary counting claimed and unclaimed tests alike.

R values in comments were computed with R 4.2.2.
"""
from __future__ import annotations

import pytest

from rparity.audit import Verdict, audit
from rparity.audit.contingency import resolve_claim
from rparity.audit.entries import claims_of_kind
from rparity.audit.trend import cochran_armitage, linear_by_linear

# levels x arms; R: m <- matrix(c(10,14,20, 20,14,9), 3)
TREND = [[10, 20], [14, 14], [20, 9]]
# prop.trend.test(m[,1], rowSums(m))$p.value   0.006220788805
# (N-1) r^2 linear-by-linear p                  0.00652539429
# chisq.test(m, correct=FALSE)$p.value         0.02357374787
# fisher.test(m)$p.value                       0.02511753755
SMALL = [[1, 8], [6, 3]]  # min expected 3.5: fisher 0.04977375566, chisq 0.01562886983, yates 0.05311618772
BIG = [[20, 15], [30, 35]]  # min expected 17.5: fisher 0.401882565, chisq 0.2945073937, yates 0.4016781665


def one(counts, p, test=None, **kw):
    row = {"row": "r", "counts": counts, "p": p, **kw}
    t = {"id": "t", "contingency": [row]}
    if test is not None:
        t["test"] = test
    return audit({"tables": [t]}).entries[0]


def test_trend_statistics_match_r():
    assert cochran_armitage(TREND).pvalue == pytest.approx(0.006220788805, rel=1e-9)
    assert linear_by_linear(TREND).pvalue == pytest.approx(0.00652539429, rel=1e-9)
    # for 2 arms M^2 = (N - 1)/N x the Cochran-Armitage statistic
    N = sum(map(sum, TREND))
    assert linear_by_linear(TREND).statistic == pytest.approx(
        (N - 1) / N * cochran_armitage(TREND).statistic, rel=1e-13)
    import math
    assert math.isnan(cochran_armitage([[1, 2, 3], [4, 5, 6]]).pvalue)  # 3 arms: not defined
    assert math.isnan(cochran_armitage([[0, 0], [0, 0]]).pvalue)


def test_trend_claim_is_checked():
    assert one(TREND, "0.006", test="cochran_armitage").verdict is Verdict.CONSISTENT
    assert one(TREND, "0.007", test="trend").verdict is Verdict.CONSISTENT  # linear-by-linear
    e = one(TREND, "0.007", test="cochran_armitage")
    assert e.verdict is Verdict.OTHER_TEST and "linear_by_linear" in e.message


def test_trend_tests_are_computed_for_ordered_rows_only():
    # a trend p under a chi-square claim: "other test" only if the row is ordered
    assert one(TREND, "0.006", test="chisq").verdict is Verdict.INCONSISTENT
    e = one(TREND, "0.006", test="chisq", ordered=True)
    assert e.verdict is Verdict.OTHER_TEST and e.data["reproducing"] == ["cochran_armitage"]


def test_chi_square_means_any_variant():
    assert claims_of_kind(("chi-square",), "contingency") == ("chisq", "chisq_yates", "g")
    assert one(BIG, "0.402", test="chi-square").verdict is Verdict.CONSISTENT   # Yates 0.40168
    assert one(BIG, "0.295", test="chi-square").verdict is Verdict.CONSISTENT   # Pearson 0.29451


@pytest.mark.parametrize("counts, p, verdict, picked", [
    (SMALL, "0.050", Verdict.CONSISTENT, ("fisher",)),          # E < 5: Fisher's 0.04977
    (SMALL, "0.016", Verdict.OTHER_TEST, ("fisher",)),          # Pearson's p under the Fisher branch
    (BIG, "0.295", Verdict.CONSISTENT, ("chisq", "chisq_yates", "g")),
    (BIG, "0.4019", Verdict.OTHER_TEST, ("chisq", "chisq_yates", "g")),  # Fisher 0.401883, Yates 0.401678
    (BIG, "0.500", Verdict.INCONSISTENT, ("chisq", "chisq_yates", "g")),
])
def test_chisq_or_fisher_rule(counts, p, verdict, picked):
    e = one(counts, p, test="chisq_or_fisher")
    assert e.verdict is verdict, e.message
    assert tuple(e.data["claimed"]) == picked
    assert "expected count" in e.data["claim_rule"]


def test_the_two_versions_of_the_rule_disagree_then_either_test():
    # 3 x 2 table, one cell of six with E < 5 (61 x 10 / 130 = 4.69, 17 %): "any
    # E < 5" says Fisher, Cochran's rule (> 20 % of cells, or any < 1) chi-square
    counts = [[30, 30], [30, 30], [9, 1]]
    c = resolve_claim(("chisq_or_fisher",), counts)
    assert set(c.tests) == {"fisher", "chisq", "chisq_yates", "g"} and "disagree" in c.rule


def test_a_row_claim_naming_no_categorical_test_is_unreadable():
    rep = audit({"tables": [{"id": "t", "contingency": [
        {"row": "r", "counts": BIG, "p": "0.295", "test": "welch_t"}]}]})
    e = rep.entries[0]
    assert e.verdict is Verdict.UNREADABLE and "tests of a categorical row" in e.message


def _fmt3(p):
    return f"{p:.3f}"


def test_summary_counts_the_claimed_test_too():
    """A table claiming chisq whose p-values are mostly chisq's: the summary says
    so (it used to say "no single test explains the table (best: g ...)")."""
    from pyimpl import chisq_test, fisher_test

    rows = []
    for a in range(8, 30, 3):
        for c in range(5, 30, 4):
            t = [[a, 20], [c, 20]]
            pc = float(chisq_test(t, correct=False).pvalue)
            pf = float(fisher_test(t).pvalue)
            if _fmt3(pc) != _fmt3(pf) and 0.01 < pc < 0.9:
                rows.append((t, pc, pf))
    assert len(rows) >= 10
    contingency = [{"row": f"r{i}", "counts": t, "p": _fmt3(pc)} for i, (t, pc, _) in enumerate(rows[:8])]
    t, _, pf = rows[8]
    contingency.append({"row": "fisher row", "counts": t, "p": _fmt3(pf)})
    t, pc, pf = rows[9]
    contingency.append({"row": "bad row", "counts": t, "p": "0.999"})
    rep = audit({"tables": [{"id": "t", "test": "chisq", "contingency": contingency}]})
    v = [e.verdict for e in rep.entries]
    assert v.count(Verdict.CONSISTENT) == 8 and v.count(Verdict.OTHER_TEST) == 1
    assert v.count(Verdict.INCONSISTENT) == 1
    f = rep.tables[0].findings
    claim = [x for x in f if x.startswith("the claimed chisq reproduces 8 of 10")]
    assert claim, f
    assert "more than any unclaimed test" in claim[0]
    assert "reproduced by another test: fisher row (fisher" in claim[0]
    assert "reproduced by no test: bad row" in claim[0]
    assert not any("no single test" in x for x in f)


def test_table_level_finding_when_another_test_explains_every_row():
    rows = [{"row": "a", "counts": [[12, 5], [8, 15]], "p": "0.025"},   # chisq 0.02516, fisher 0.0536
            {"row": "b", "counts": BIG, "p": "0.295"}]
    rep = audit({"tables": [{"id": "t", "test": "fisher", "contingency": rows}]})
    assert all(e.verdict is Verdict.OTHER_TEST for e in rep.entries)
    assert rep.exit_status == 0
    tl = [x for x in rep.tables[0].findings if x.startswith("TABLE-LEVEL")]
    assert tl and "appear to come from chisq, not the test claimed" in tl[0]


def _smd_rows(*rows):
    return audit({"tables": [{"id": "t", "arms": ["A", "B"], "n": [20, 20], "contingency": list(rows)}]})


def test_the_smd_of_a_categorical_row_is_checked():
    # p1 = 12/20 = 0.6, p2 = 8/20 = 0.4: d = 0.2 / sqrt((0.24 + 0.24)/2) = 0.40825 -> "0.408"
    rep = _smd_rows({"row": "x", "counts": [[12, 8], [8, 12]], "p": "0.206", "smd": "0.408"},
                    {"row": "y", "counts": [[12, 8], [8, 12]], "smd": "0.50"})
    x, y = rep.entries
    assert x.verdict is Verdict.CONSISTENT and "avg_pq" in x.message
    assert any(c.name == "SMD" for c in x.checks)
    assert y.verdict is Verdict.INCONSISTENT and "no formula" in y.message
    # a row with an SMD and no p is not part of the table's p-value summary
    assert rep.tables[0].n_contingency == 1


def test_the_multi_level_smd_is_yang_and_dalton():
    # T = (5, 8, 7)/20, C = (8, 2, 10)/20; d² = (T−C)' S⁻¹ (T−C) over the first two levels,
    # S = (S_T + S_C)/2, S_ii = p_i(1 − p_i), S_ij = −p_i p_j: d = 0.740446 (numpy, by hand)
    e = _smd_rows({"row": "z", "counts": [[5, 8], [8, 2], [7, 10]], "smd": "0.740"}).entries[0]
    assert e.verdict is Verdict.CONSISTENT, e.message
    e = _smd_rows({"row": "z", "counts": [[5, 8], [8, 2], [7, 10]], "smd": "0.74"}).entries[0]
    assert e.verdict is Verdict.CONSISTENT
    e = _smd_rows({"row": "z", "counts": [[5, 8], [8, 2], [7, 10]], "smd": "0.704"}).entries[0]
    assert e.verdict is Verdict.INCONSISTENT


def test_an_smd_needs_two_arms():
    rep = audit({"tables": [{"id": "t", "contingency": [
        {"row": "z", "counts": [[5, 8, 1], [8, 2, 3]], "smd": "0.10"}]}]})
    assert rep.entries[0].verdict is Verdict.UNREADABLE and "2 arms" in rep.entries[0].message
