"""Cross-engine comparison of study numbers: tolerances by source, classification."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rparity.study.parity import (KNOWN_DIVERGENCES, KnownDivergence, classify, compare_results, not_run,
                                  tolerance_for)
from rparity.study.result import StudyResult
from rparity import tolerance as tol


def _res(engine, values, sources, steps=None):
    return StudyResult(engine=engine, values=values, sources=sources, steps=steps or {"km.before": "ok"})


SOURCES = {
    "km.before.os.A.landmark.12.surv": ("survfit", "summary.surv"),
    "table1.before.x.A.n": ("study", "count"),
    "km.before.os.A.curve.time": ("survfit", "time"),
    "logrank.before.os.pvalue": ("survdiff", "pvalue"),
    "km.before.os.A.warnings": ("survfit", "warnings"),
}
VALUES = {
    "km.before.os.A.landmark.12.surv": 0.8,
    "table1.before.x.A.n": 12,
    "km.before.os.A.curve.time": np.array([1.0, 2.0, 3.0]),
    "logrank.before.os.pvalue": 1e-320,
    "km.before.os.A.warnings": (),
}


def test_identical_results_agree_everywhere():
    p = compare_results(_res("pyimpl", VALUES, SOURCES), _res("r", dict(VALUES), SOURCES))
    assert p.ok and p.counts() == {"agrees": 5}
    assert {g["source"] for g in p.by_source()} == {f"{a}.{b}" for a, b in SOURCES.values()}


def test_difference_within_the_sources_tolerance_agrees_and_beyond_is_a_new_divergence():
    close = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.8 * (1 + 5e-13)})
    far = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.8 * (1 + 5e-12)})
    assert compare_results(_res("pyimpl", close, SOURCES), _res("r", VALUES, SOURCES)).ok
    p = compare_results(_res("pyimpl", far, SOURCES), _res("r", VALUES, SOURCES))
    assert not p.ok
    (row,) = p.problems()
    assert row.key == "km.before.os.A.landmark.12.surv" and row.classification == "new divergence"
    assert row.tolerance == "1e-12" and row.tolerance_from == "table"
    assert 4e-12 < row.max_rel < 6e-12


def test_counts_must_be_identical_and_curves_elementwise():
    bad_n = dict(VALUES, **{"table1.before.x.A.n": 13})
    p = compare_results(_res("pyimpl", bad_n, SOURCES), _res("r", VALUES, SOURCES))
    assert [r.key for r in p.problems()] == ["table1.before.x.A.n"]
    bad_t = dict(VALUES, **{"km.before.os.A.curve.time": np.array([1.0, 2.0])})
    p = compare_results(_res("pyimpl", bad_t, SOURCES), _res("r", VALUES, SOURCES))
    assert p.problems()[0].detail.startswith("shape")


def test_tiny_pvalues_agree_and_nan_meets_nan():
    a = dict(VALUES, **{"logrank.before.os.pvalue": 3e-305, "km.before.os.A.landmark.12.surv": float("nan")})
    b = dict(VALUES, **{"km.before.os.A.landmark.12.surv": float("nan")})
    assert compare_results(_res("pyimpl", a, SOURCES), _res("r", b, SOURCES)).ok
    c = dict(VALUES, **{"km.before.os.A.landmark.12.surv": float("nan")})
    assert not compare_results(_res("pyimpl", c, SOURCES), _res("r", VALUES, SOURCES)).ok


def test_warnings_compare_as_sets():
    a = dict(VALUES, **{"km.before.os.A.warnings": ("Loglik converged before variable  1",)})
    p = compare_results(_res("pyimpl", a, SOURCES), _res("r", VALUES, SOURCES))
    assert p.problems()[0].key == "km.before.os.A.warnings"


def test_a_number_missing_because_a_function_is_not_provided_is_classified_so():
    b_vals = {k: v for k, v in VALUES.items() if not k.startswith("logrank")}
    b = _res("r", b_vals, SOURCES, steps={"km.before": "not provided: engine 'r' does not provide survdiff"})
    p = compare_results(_res("pyimpl", VALUES, SOURCES), b)
    (row,) = p.problems()
    assert row.classification == "not provided" and row.verdict == "missing"
    assert "not provided by r" in row.detail
    assert p.ok  # accounted for
    # missing for any other reason is a new divergence
    b2 = _res("r", b_vals, SOURCES, steps={"km.before": "error: RError: boom"})
    p2 = compare_results(_res("pyimpl", VALUES, SOURCES), b2)
    assert p2.problems()[0].classification == "new divergence" and not p2.ok


def test_known_divergences_are_classified_by_the_registry():
    far = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.81})
    p = compare_results(_res("pyimpl", far, SOURCES), _res("r", VALUES, SOURCES))
    row = p.problems()[0]
    reg = [KnownDivergence("KD-TEST", ("km.*.landmark.*",), "for the test", engines=("pyimpl", "r"))]
    assert classify(row, ("pyimpl", "r"), registry=reg) == "known divergence KD-TEST"
    assert classify(row, ("lifelines", "r"), registry=reg) == "new divergence"
    assert KNOWN_DIVERGENCES == []  # nothing is excused by default


def test_classifier_is_pluggable():
    p = compare_results(_res("pyimpl", dict(VALUES, **{"table1.before.x.A.n": 1}), SOURCES),
                        _res("r", VALUES, SOURCES), classifier=lambda d, e: "known divergence X")
    assert p.ok and p.counts() == {"known divergence X": 5}


def test_tolerance_sources():
    assert tolerance_for(("survfit", "summary.surv")) == (tol.lookup("survfit", "summary.surv"), "table")
    assert tolerance_for(("study", "count"))[0].kind == "exact"
    with pytest.raises(KeyError, match="no tolerance for 'survfit.nonsense'"):
        tolerance_for(("survfit", "nonsense"))


def test_not_run_is_not_ok_and_serialises():
    p = not_run(("pyimpl", "r"), "R is missing")
    assert not p.ok and not p.ran and p.to_dict()["reason"] == "R is missing"


def test_to_dict_has_no_nan():
    a = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.9})
    d = compare_results(_res("pyimpl", a, SOURCES), _res("r", VALUES, SOURCES)).to_dict()
    import json

    json.dumps(d, allow_nan=False)
    row = next(r for r in d["rows"] if r["key"] == "km.before.os.A.landmark.12.surv")
    assert math.isclose(row["max_rel"], 0.1 / 0.9)
