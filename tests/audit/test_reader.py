"""Reading reported statistics: unreadable entries and file-level errors
(rparity.audit.reader, rparity.audit.api)."""
from __future__ import annotations

import re

import pytest

from rparity.audit import Verdict, audit, audit_file
from rparity_contract.errors import InvalidArgument

GOOD_ROW = {"row": "g", "counts": [[12, 5], [8, 15]], "p": "0.054"}

# (table fields, kind, entry, message fragment)
BAD_ENTRIES = [
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]], "p": "0.O5"}, "one printed number"),
    ({}, "contingency", {"row": "r", "counts": [["1,234", 5], [8, 15]], "p": "0.05"}, "without separators"),
    ({"n": [20, 20]}, "contingency", {"row": "r", "counts": [[25, 5], [8, 15]], "p": "0.05"},
     r"count 25 in arm 'arm 1' is larger than the arm \(n = 20\)"),
    ({"n": [20, 20]}, "contingency", {"row": "r", "counts": [[15, 5], [8, 15]], "p": "0.05"},
     r"sum to 23, more than the arm \(n = 20\)"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]]}, "missing field `p`"),
    ({}, "contingency", {"counts": [[12, 5], [8, 15]], "p": "0.05"}, "missing field `row`"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5, 3], [8, 15]], "p": "0.05"}, "same number"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5]], "p": "0.05"}, "at least 2 levels"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]], "pvalue": "0.05"},
     r"unknown field\(s\) \['pvalue'\]"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]], "p": "0.05", "test": "t-test"},
     "tests of a categorical row"),
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]], "p": 0.05}, 'p = "0.05"'),
    ({}, "contingency", {"row": "r", "counts": [[12, 5], [8, 15]], "percents": [["60.0", "25.0"], ["40.0", "75.0"]]},
     "need the arm sizes"),
    ({}, "percent", {"label": "x", "percent": "37.3"}, "missing field `N`"),
    ({}, "percent", {"label": "x", "N": 59, "n": 60, "percent": "37.3"}, "larger than its arm"),
    ({}, "percent", {"label": "x", "N": 0, "percent": "37.3"}, "must be positive"),
    ({"arms": ["A"], "n": [59]}, "percent", {"label": "x", "arm": "B", "percent": "37.3"}, "one of the table's arms"),
    ({}, "percent", {"label": "x", "N": 59, "percent": "37,3"}, "must not contain a comma"),
    ({}, "ratio", {"row": "r", "printed": "1.50 (2.10–1.20)", "p": "0.3"}, "lower bound exceeds its upper bound"),
    ({}, "ratio", {"row": "r", "estimate": "1.50", "lower": "2.10", "upper": "1.20"}, "lower bound exceeds"),
    ({}, "ratio", {"row": "r", "printed": "1.50 [1.20"}, "must look like"),
    ({}, "ratio", {"row": "r", "estimate": "1.50", "lower": "1.20"}, "missing field `upper`"),
    ({}, "ratio", {"row": "r", "printed": "1.50 (1.20–1.90)", "estimate": "1.5"}, "not both"),
    ({}, "ratio", {"row": "r", "printed": "<1.50 (1.20–1.90)"}, "not this inequality"),
    ({}, "ratio", {"row": "r", "printed": "1.50 (1.20–1.90)", "conf_level": "150"}, "between 0 and 100"),
    ({}, "landmark", {"N": 23, "time": "1"}, "missing field `percent`"),
    ({}, "landmark", {"N": 23, "percent": "8O.0"}, "one printed number"),
    ({}, "landmark", {"N": 23, "percent": "80.0", "events": 30}, "larger than the arm"),
    ({}, "landmark", {"N": 23, "percent": "80.0", "n_risk": -1}, "non-negative integer"),
]


@pytest.mark.parametrize("table, kind, entry, match", BAD_ENTRIES)
def test_bad_entry_is_unreadable_and_the_rest_runs(table, kind, entry, match):
    t = {"id": "t", **table, kind: [entry]}
    good = {"id": "good", "contingency": [GOOD_ROW]}
    rep = audit({"tables": [t, good]})
    bad = [e for e in rep.entries if e.table == "t"]
    assert len(bad) == 1
    assert bad[0].verdict is Verdict.UNREADABLE
    assert re.search(match, bad[0].message), bad[0].message
    others = [e for e in rep.entries if e.table == "good"]
    assert others and others[0].verdict is Verdict.CONSISTENT
    assert rep.exit_status == 2


@pytest.mark.parametrize("table, match", [
    ({"arms": ["A", "B"], "n": [20]}, "one size per arm"),
    ({"n": [20, 0]}, "must be positive"),
    ({"arms": ["A", "A"]}, "distinct"),
    ({"ci_method": "profile"}, "ci_method"),
    ({"test": "anova-test"}, "must name tests"),
    ({"colour": "red"}, r"unknown field\(s\) \['colour'\]"),
])
def test_bad_table_makes_its_entries_unreadable(table, match):
    t = {"id": "t", **table, "percent": [{"label": "x", "N": 59, "percent": "37.3"}],
         "contingency": [GOOD_ROW]}
    rep = audit({"tables": [t, {"id": "good", "contingency": [GOOD_ROW]}]})
    bad = [e for e in rep.entries if e.table == "t"]
    assert len(bad) == 2 and all(e.verdict is Verdict.UNREADABLE for e in bad)
    assert all(re.search(match, e.message) for e in bad)
    assert rep.entries[-1].verdict is Verdict.CONSISTENT


def test_bad_percent_in_a_row_keeps_the_p_check():
    e = {"row": "r", "counts": [[12, 5], [8, 15]], "p": "0.054", "percents": [["60.0", "2S.0"], ["40.0", "75.0"]]}
    rep = audit({"tables": [{"id": "t", "n": [20, 20], "contingency": [e]}]})
    v = {x.label: x.verdict for x in rep.entries}
    assert v["r"] is Verdict.CONSISTENT
    assert v["r: level 1, arm 2"] is Verdict.UNREADABLE
    assert sum(x is Verdict.CONSISTENT for x in v.values()) == 4


@pytest.mark.parametrize("data, match", [
    ([], "must be a table"),
    ({}, "must have `tables`"),
    ({"tables": []}, "must have `tables`"),
    ({"tables": [1]}, "must have `tables`"),
    ({"tables": [{"id": "a", "contingency": [GOOD_ROW]}, {"id": "a", "contingency": [GOOD_ROW]}]}, "unique"),
    ({"tables": [{"contingency": [GOOD_ROW]}], "extra": 1}, "unknown top-level"),
    ({"tables": [{"contingency": [GOOD_ROW]}], "options": {"km_node_budget": 0}}, "positive integer"),
    ({"tables": [{"contingency": [GOOD_ROW]}], "options": {"g_williams": "yes"}}, "true or false"),
    ({"tables": [{"contingency": [GOOD_ROW]}], "options": {"speed": 1}}, "unknown field"),
])
def test_file_level_errors(data, match):
    with pytest.raises(InvalidArgument, match=match):
        audit(data)


def test_file_errors(tmp_path):
    with pytest.raises(InvalidArgument, match="cannot read"):
        audit_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("tables = [\n", encoding="utf-8")
    with pytest.raises(InvalidArgument, match="not valid TOML"):
        audit_file(bad)


def test_empty_table_is_reported():
    rep = audit({"tables": [{"id": "empty"}]})
    assert rep.entries[0].verdict is Verdict.UNREADABLE and "no entries" in rep.entries[0].message


def test_json_round_trip():
    import json
    rep = audit({"tables": [{"id": "t", "n": [20, 20], "contingency": [
        {**GOOD_ROW, "percents": [["60.0", "25.0"], ["40.0", "75.0"]]}],
        "ratio": [{"row": "hr", "printed": "2.00 (1.11–3.06)", "p": "0.021"}],
        "landmark": [{"N": 23, "percent": "87.0"}]}]})
    d = json.loads(rep.to_json())
    assert d["counts"]["inconsistent"] == 1 and d["exit_status"] == 1
    assert {e["kind"] for e in d["entries"]} == {"contingency", "percent", "ratio", "landmark"}
    assert d["entries"][0]["checks"][0]["interval"] == "[0.0535, 0.0545]"
