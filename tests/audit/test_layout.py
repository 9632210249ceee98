"""Real-table layout: all-zero levels, largest-remainder rounding, truncated
percentages, impossible values, and bounds printed as 0.00 or "<0.01"."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rparity.audit import Verdict, audit
from rparity.audit.percent import is_largest_remainder
from rparity.audit.printed import parse_percent


def _run(table):
    return audit({"tables": [{"id": "t", **table}]})


def test_a_level_zero_in_every_arm_is_dropped_and_noted():
    # R: fisher.test(matrix(c(5,10,7,3),2))$p.value = 0.1107013057, the same with the zero
    # level (matrix(c(5,0,10,7,0,3),3)); chisq.test with it gives NaN
    row = {"row": "Stage", "levels": ["I", "II", "III"], "counts": [[5, 7], [0, 0], [10, 3]],
           "percents": [["33.3", "70.0"], ["0.0", "0.0"], ["66.7", "30.0"]], "p": "0.111"}
    rep = _run({"arms": ["A", "B"], "n": [15, 10], "test": "fisher", "contingency": [row]})
    e = rep.entries[0]
    assert e.verdict is Verdict.CONSISTENT, e.message
    assert "'II' is 0 in every arm: left out of the tests" in e.message
    assert e.data["levels"] == ["I", "III"] and e.data["pvalues"]["chisq"] is not None
    assert all(x.verdict is Verdict.CONSISTENT for x in rep.entries[1:])  # 0.0 % is 0/15


def test_largest_remainder_rounding_is_a_note_not_an_error():
    # 1/3 + 1/3 + 1/3: rounded 33.3 each sums to 99.9; the largest-remainder rounding prints 33.4 once
    row = {"row": "x", "counts": [[1, 2], [1, 2], [1, 3]],
           "percents": [["33.4", "28.6"], ["33.3", "28.6"], ["33.3", "42.9"]]}
    rep = _run({"arms": ["A", "B"], "n": [3, 7], "contingency": [row]})
    first = rep.entries[0]
    assert first.verdict is Verdict.CONSISTENT and "largest-remainder" in first.message
    # the same printed cell alone (no column summing to 100) is an error
    row["percents"] = [["33.4", "28.6"], ["33.3", "28.6"], ["33.4", "42.9"]]
    assert _run({"arms": ["A", "B"], "n": [3, 7], "contingency": [row]}).entries[0].verdict is Verdict.INCONSISTENT


def test_largest_remainder_characterisation():
    P = [parse_percent(x) for x in ("33.4", "33.3", "33.3")]
    assert is_largest_remainder(P, [1, 1, 1], 3)
    # the unit must go to a largest remainder: 2/7 = 28.571 (rem .071), 5/7 = 71.428 (rem .028)
    assert is_largest_remainder([parse_percent("28.6"), parse_percent("71.4")], [2, 5], 7)
    assert not is_largest_remainder([parse_percent("28.5"), parse_percent("71.5")], [2, 5], 7)
    # mixed precision or not summing to 100: no
    assert not is_largest_remainder([parse_percent("33.4"), parse_percent("33"), parse_percent("33.3")],
                                    [1, 1, 1], 3)
    assert not is_largest_remainder([parse_percent("33.3")] * 3, [1, 1, 1], 3)


def test_a_truncated_percentage_is_named():
    rep = _run({"percent": [{"label": "x", "N": 3, "n": 2, "percent": "66.6"}]})
    e = rep.entries[0]
    assert e.verdict is Verdict.INCONSISTENT and "truncated, not rounded" in e.message
    # a plain wrong value is not called truncated
    e = _run({"percent": [{"label": "x", "N": 3, "n": 2, "percent": "65.6"}]}).entries[0]
    assert e.verdict is Verdict.INCONSISTENT and "truncated" not in e.message


def test_impossible_values_are_unreadable_not_inconsistent():
    good = {"row": "ok", "counts": [[12, 5], [8, 15]], "p": "0.025"}
    cases = [
        ({"row": "p", "counts": [[12, 5], [8, 15]], "p": "1.5"}, "p-value"),
        ({"row": "p", "counts": [[12, 5], [8, 15]], "p": "-0.2"}, "p-value"),
        ({"row": "pc", "counts": [[12, 5], [8, 15]], "n": [20, 20], "percents": [["150", "25.0"], ["40.0", "75.0"]],
          "p": "0.025"}, "percentage"),
        ({"row": "neg", "counts": [[12, -5], [8, 15]], "p": "0.025"}, "non-negative"),
    ]
    for row, words in cases:
        rep = _run({"contingency": [row, good]})
        bad = [e for e in rep.entries if e.verdict is Verdict.UNREADABLE]
        assert bad and words in bad[0].message, (row, [e.message for e in rep.entries])
        assert any(e.label == "ok" and e.verdict is Verdict.CONSISTENT for e in rep.entries)
    e = _run({"percent": [{"label": "x", "N": 10, "percent": "150%"}]}).entries[0]
    assert e.verdict is Verdict.UNREADABLE and "percentage" in e.message
    e = _run({"ratio": [{"row": "r", "printed": "2.0 (1.0-4.0)", "p": "1.5"}]}).entries[0]
    assert e.verdict is Verdict.UNREADABLE


def test_bounds_printed_as_zero_or_below_the_precision():
    # 0.02 (0.00-0.15): L = E^2/U = 0.0027 lies in [0, 0.005]; used to raise OverflowError in the diagnosis
    for printed, p in [("0.02 (0.00-0.15)", "<0.001"), ("0.5 (0.00-1.5)", "0.99"), ("3.0 (0.00-999.99)", "0.001")]:
        rep = _run({"ratio": [{"row": "r", "printed": printed, "p": p}]})
        rep.to_json()
        assert rep.entries[0].verdict is not Verdict.UNREADABLE, rep.entries[0].message
    e = _run({"ratio": [{"row": "r", "estimate": "0.02", "lower": "<0.01", "upper": "0.15", "p": "<0.001"}]}).entries[0]
    assert e.verdict is Verdict.CONSISTENT
    e = _run({"ratio": [{"row": "r", "estimate": "150", "lower": "2.5", "upper": ">1000", "p": "0.001"}]}).entries[0]
    assert e.verdict is Verdict.CONSISTENT
    # a lower bound printed ">0.01" is not a lower bound
    e = _run({"ratio": [{"row": "r", "estimate": "0.02", "lower": ">0.01", "upper": "0.15"}]}).entries[0]
    assert e.verdict is Verdict.UNREADABLE and "lower" in e.message


_num = st.sampled_from(["0", "0.0", "0.00", "0.01", "0.5", "1", "1.00", "2.5", "9.99", "150", "999.99", "1e9"])


@settings(max_examples=300, deadline=None)
@given(_num, _num, _num, st.sampled_from(["0.001", "<0.001", "0.5", "0.99", "1.000", "0.000", None]),
       st.sampled_from(["95", "99.9", "50"]))
def test_no_ratio_text_crashes_the_audit(e, lo, hi, p, cl):
    row = {"row": "r", "estimate": e, "lower": lo, "upper": hi, "conf_level": cl}
    if p is not None:
        row["p"] = p
    rep = _run({"ratio": [row]})
    rep.to_json()
    assert "internal error" not in rep.entries[0].message


def test_a_checker_defect_does_not_stop_the_audit(monkeypatch):
    import rparity.audit.api as api

    def boom(entry):
        raise ZeroDivisionError("planted")
    monkeypatch.setattr(api, "check_ratio", boom)
    rep = _run({"ratio": [{"row": "r", "printed": "2.0 (1.0-4.0)"}],
                "percent": [{"label": "x", "N": 3, "n": 1, "percent": "33.3"}]})
    bad = [e for e in rep.entries if e.kind == "ratio"][0]
    assert bad.verdict is Verdict.UNREADABLE and "internal error" in bad.message and "planted" in bad.message
    assert [e.verdict for e in rep.entries if e.kind == "percent"] == [Verdict.CONSISTENT]
    assert rep.exit_status == 2  # never green
    rep.to_json()
