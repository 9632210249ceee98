"""The motivating study's reported statistics (examples/audit/study-paper.toml).

Expected verdicts are derived here independently: Table 1 p-values with scipy's
Fisher and chi-square (and the G statistic by hand), percentages with
``decimal``, Table 2 midpoints with a first-order rounding bound, KM landmarks
as k/N."""
from __future__ import annotations

import math
import re
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from rparity.audit import Verdict, audit_file

PATH = Path(__file__).resolve().parents[2] / "examples" / "audit" / "study-paper.toml"


@pytest.fixture(scope="module")
def report():
    return audit_file(PATH)


@pytest.fixture(scope="module")
def source():
    return tomllib.loads(PATH.read_text(encoding="utf-8"))


def _reproduces(p: float, printed: str) -> bool:
    if printed.startswith("<"):
        return p < float(printed[1:])
    v = Decimal(printed)
    h = Decimal(1).scaleb(v.as_tuple().exponent) / 2
    return v - h <= Decimal(p) <= v + h


def _independent_pvalues(counts):
    t = np.array(counts)
    g = chi2_contingency(t, correction=False, lambda_="log-likelihood")[1] if (t.sum(0) > 0).all() else None
    return {"fisher": fisher_exact(t).pvalue,
            "chisq": chi2_contingency(t, correction=False)[1],
            "chisq_yates": chi2_contingency(t, correction=True)[1],
            "g": g}


def test_table1_reproducing_tests_match_scipy(report, source):
    res = {(e.table, e.label): e for e in report.entries if e.kind == "contingency"}
    for t in source["tables"]:
        for row in t.get("contingency", []):
            e = res[(t["id"], row["row"])]
            exp = _independent_pvalues(row["counts"])
            want = {k for k, p in exp.items() if p is not None and _reproduces(p, row["p"])}
            assert set(e.data["reproducing"]) == want, (t["id"], row["row"])
            # Fisher claimed: a p another test gives is "other test", one no test gives "inconsistent"
            assert e.verdict is (Verdict.CONSISTENT if "fisher" in want
                                 else Verdict.OTHER_TEST if want else Verdict.INCONSISTENT)


def test_table1_is_flagged_as_a_whole(report):
    ts = {t.table: t for t in report.tables}
    after = [f for f in ts["table1-after"].findings if f.startswith("TABLE-LEVEL")]
    assert after and "chisq reproduces all 6" in after[0]
    before = [f for f in ts["table1-before"].findings if f.startswith("TABLE-LEVEL")]
    assert before and "chisq reproduces 6 of 7" in before[0] and "Gender" in before[0]


def test_every_percentage_is_n_over_N(report, source):
    n_checked = 0
    for t in source["tables"]:
        for row in t.get("contingency", []):
            for i, level in enumerate(row["percents"]):
                for j, txt in enumerate(level):
                    x = Decimal(100 * row["counts"][i][j]) / Decimal(t["n"][j])
                    places = Decimal(1).scaleb(Decimal(txt).as_tuple().exponent)
                    assert str(x.quantize(places, rounding=ROUND_HALF_UP)) == txt
                    n_checked += 1
    assert n_checked == 80
    pct = [e for e in report.entries if e.kind == "percent"]
    assert len(pct) == 81 and all(e.verdict is Verdict.CONSISTENT for e in pct)


def _midpoint_ok(est: str, lo: str, hi: str) -> bool:
    """|ln E - (ln L + ln U)/2| within the first-order effect of the rounding."""
    half = {s: float(Decimal(1).scaleb(Decimal(s).as_tuple().exponent)) / 2 for s in (est, lo, hi)}
    E, L, U = float(est), float(lo), float(hi)
    bound = half[est] / E + (half[lo] / L + half[hi] / U) / 2
    return abs(math.log(E) - (math.log(L) + math.log(U)) / 2) <= bound * 1.01


def test_table2(report, source):
    res = {(e.table, e.label): e for e in report.entries if e.kind == "ratio"}
    for t in source["tables"]:
        for row in t.get("ratio", []):
            est, lo, hi = re.match(r"(\S+) \((\S+)–(\S+)\)", row["printed"]).groups()
            e = res[(t["id"], row["row"])]
            assert e.data["midpoint_consistent"] == _midpoint_ok(est, lo, hi), row
    bad = {(e.table, e.label) for e in report.entries if e.kind == "ratio" and e.verdict is Verdict.INCONSISTENT}
    assert bad == {("table2-before-uni", "Treatment allocation, immuno"),
                   ("table2-after-uni", "ALT, ≥40 U/L"), ("table2-after-uni", "PM number, multiple")}
    trt = res[("table2-before-uni", "Treatment allocation, immuno")]
    assert trt.data["suspect"] == "lower" and "1.524" in trt.data["diagnosis"]["lower"]["slips"]
    # E^2 / U = 2.845^2 / 5.311 = 1.52401...
    lo_, hi_ = trt.data["diagnosis"]["lower"]["implied"]
    assert lo_ <= 2.845**2 / 5.311 <= hi_
    alt = res[("table2-after-uni", "ALT, ≥40 U/L")]
    assert alt.data["suspect"] == "upper"
    lo_, hi_ = alt.data["diagnosis"]["upper"]["implied"]
    assert lo_ <= 0.618**2 / 0.176 <= hi_
    pm = res[("table2-after-uni", "PM number, multiple")]
    assert pm.data["midpoint_consistent"] and not pm.data["p_consistent"]


def test_km_landmarks_are_all_k_over_N(report, source):
    lm = [e for e in report.entries if e.kind == "landmark"]
    assert len(lm) == 24 and all(e.verdict is Verdict.CONSISTENT for e in lm)
    for t in source["tables"]:
        for row in t.get("landmark", []):
            N = t["n"][t["arms"].index(row["arm"])]
            p = F(row["percent"])
            h = F(1, 2) * F(10) ** (-(len(row["percent"].split(".")[1]) if "." in row["percent"] else 0))
            assert any(abs(F(100 * k, N) - p) <= h for k in range(N + 1)), row


def test_exit_status_and_counts(report):
    assert report.exit_status == 1
    assert report.counts == {"consistent": 138, "inconsistent": 4, "cannot tell": 0, "other test": 13,
                             "unreadable": 0}


def test_survival_comparisons(report):
    """Section 3.2: the surgery group "did not reach the median OS", but its 2- and
    3-year OS are 31.7% and 20.0% (a median not reached needs S > 50% at every
    landmark); the log-rank p-values fit Table 2's univariate HRs (score/Wald bound:
    after PSM a = ln 4.317, SE = ln(13.449/1.386)/3.92 = 0.5797, score z in
    [2(1 − e^(−a/2)), 2(e^(a/2) − 1)]/SE = [1.79, 3.72], p in [0.0002, 0.074] ∋ 0.005)."""
    surv = {e.table: e for e in report.entries if e.kind == "survival"}
    before, after = surv["os-before"], surv["os-after"]
    assert before.verdict is Verdict.INCONSISTENT
    assert "not reached" in before.message and "31.7%" in before.message and "20.0%" in before.message
    checks = {c.name: c.verdict for c in before.checks}
    assert checks["log-rank p vs HR"] is Verdict.CONSISTENT
    assert checks["HR direction vs curves"] is Verdict.CONSISTENT
    assert after.verdict is Verdict.CONSISTENT
    lo, hi = after.checks[0].data["p_untied"]
    assert lo < 0.005 < hi and 0.07 < hi < 0.08
