"""SMDs (rparity.audit.smd): hand computations, R, and planted errors."""
from __future__ import annotations

from fractions import Fraction as F

import pytest

from rparity.audit import Verdict, audit
from rparity.audit.printed import parse_printed
from rparity.audit.smd import check_smd_binary, yang_dalton_sq


def smd_row(smd, cells=("51.3 ± 10.2", "55.4 ± 14.2"), n=(40, 45)):
    rep = audit({"tables": [{"id": "t", "continuous": [{"row": "x", "values": list(cells), "n": list(n),
                                                          "smd": smd}]}]})
    return rep.entries[0]


def test_continuous_smd_by_hand():
    # tableone: (51.3 - 55.4) / sqrt((10.2^2 + 14.2^2)/2) = -4.1 / 12.363 = -0.3316
    e = smd_row("-0.33")
    assert e.verdict is Verdict.CONSISTENT
    assert "pooled_avg (signed)" in e.data["smd"]["reproducing"]
    e = smd_row("0.33")
    assert e.verdict is Verdict.CONSISTENT
    assert "pooled_avg (absolute)" in e.data["smd"]["reproducing"]
    assert "pooled_avg (signed)" not in e.data["smd"]["reproducing"]
    # the first arm's SD: -4.1 / 10.2 = -0.402
    e = smd_row("0.40")
    assert e.data["smd"]["reproducing"] == ["first_arm (absolute)"]


def test_continuous_smd_planted_error():
    e = smd_row("0.53")
    assert e.verdict is Verdict.INCONSISTENT
    assert "no formula" in e.message


def test_binary_smd_by_hand():
    # p1 = 37/59, p2 = 44/60: (p1 - p2) / sqrt((p1 q1 + p2 q2)/2) = -0.10621 / 0.46342 = -0.2292
    c = check_smd_binary([[37, 44], [22, 16]], parse_printed("0.229", "smd"))
    assert c.verdict is Verdict.CONSISTENT and "avg_pq (signed)" in c.data["reproducing"]
    c = check_smd_binary([[37, 44], [22, 16]], parse_printed("-0.229", "smd"))
    assert c.verdict is Verdict.CONSISTENT
    c = check_smd_binary([[37, 44], [22, 16]], parse_printed("0.31", "smd"))
    assert c.verdict is Verdict.INCONSISTENT


def test_yang_dalton_matches_r_and_reduces_to_binary():
    # R: p1, p2 of levels 2..3; S as Yang & Dalton; sqrt(t(T) %*% solve(S) %*% T) = 0.206651
    counts = [[20, 15], [25, 30], [14, 16]]
    assert float(yang_dalton_sq(counts)) ** 0.5 == pytest.approx(0.206651, abs=1e-6)
    assert check_smd_binary(counts, parse_printed("0.207", "smd")).verdict is Verdict.CONSISTENT
    assert check_smd_binary(counts, parse_printed("0.25", "smd")).verdict is Verdict.INCONSISTENT
    # two levels: (p1 - p2)^2 / ((p1 q1 + p2 q2)/2)
    p1, p2 = F(37, 59), F(44, 60)
    assert yang_dalton_sq([[37, 44], [22, 16]]) == (p1 - p2) ** 2 / ((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    # a level empty in both arms is dropped
    assert yang_dalton_sq([[0, 0], [37, 44], [22, 16]]) == yang_dalton_sq([[37, 44], [22, 16]])
