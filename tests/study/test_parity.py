"""Cross-engine comparison of study numbers: tolerances by source, classification."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rparity.divergences import KnownDivergence
from rparity.study.parity import (STUDY_DIVERGENCES, ClassifyContext, classify, compare_results, not_run,
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
    # the engine under test failing is an engine error; the reference failing, a new divergence
    a_err = _res("pyimpl", b_vals, SOURCES, steps={"km.before": "error: ValueError: boom"})
    p1 = compare_results(a_err, _res("r", VALUES, SOURCES))
    assert p1.problems()[0].classification == "engine error" and not p1.ok
    b_err = _res("r", b_vals, SOURCES, steps={"km.before": "error: RError: boom"})
    p2 = compare_results(_res("pyimpl", VALUES, SOURCES), b_err)
    assert p2.problems()[0].classification == "new divergence" and not p2.ok


def test_known_divergences_come_from_the_harness_registry():
    far = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.81})
    p = compare_results(_res("pyimpl", far, SOURCES), _res("r", VALUES, SOURCES))
    row = p.problems()[0]
    reg = [KnownDivergence(id="KD-TEST", engines={"pyimpl": "*"}, functions=("survfit",),
                           quantities=("summary.surv",), explanation="for the test", reference="-")]
    assert classify(row, ClassifyContext(engines=("pyimpl", "r")), registry=reg) == "known divergence KD-TEST"
    assert classify(row, ClassifyContext(engines=("lifelines", "r")), registry=reg) == "new divergence"
    p2 = compare_results(_res("pyimpl", far, SOURCES), _res("r", VALUES, SOURCES), registry=reg)
    assert p2.ok and [k.id for k in p2.known] == ["KD-TEST"]
    # by default nothing excuses pyimpl against R on a study number
    assert p.problems()[0].classification == "new divergence"


def test_the_harness_registry_classifies_peer_engines():
    """lifelines' log-log interval against R's log interval: the harness's entry."""
    far = dict(VALUES, **{"km.before.os.A.landmark.12.surv": 0.81})
    src = dict(SOURCES, **{"km.before.os.A.landmark.12.surv": ("survfit", "summary.lower")})
    ctx = ClassifyContext(engines=("lifelines", "r"), params={"conf_type": "log"})
    p = compare_results(_res("lifelines", far, src), _res("r", VALUES, src), context=ctx)
    assert p.problems()[0].classification == "known divergence lifelines-km-ci-loglog"


def test_study_divergence_documented_matching_needs_compat_none_and_old_matchit():
    far = dict(VALUES, **{"table1.before.x.A.n": 13})
    src = dict(SOURCES)
    a, b = _res("pyimpl", far, src), _res("r", VALUES, src)
    row = compare_results(a, b).problems()[0]
    after = dataclasses.replace(row, key="table1.after.x.A.n")
    ctx = ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.1"},
                          params={"matching_compat": None})
    assert classify(after, ctx) == "known divergence study-matchit-documented-vs-4.5.1"
    assert classify(row, ctx) == "new divergence"  # before matching: nothing to excuse
    assert classify(after, ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.4"},
                                           params={"matching_compat": None})) == "new divergence"
    assert classify(after, ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.1"},
                                           params={"matching_compat": "4.5.1"})) == "new divergence"
    assert [k.id for k in STUDY_DIVERGENCES] == ["study-matchit-documented-vs-4.5.1"]


def test_classifier_is_pluggable():
    p = compare_results(_res("pyimpl", dict(VALUES, **{"table1.before.x.A.n": 1}), SOURCES),
                        _res("r", VALUES, SOURCES), classifier=lambda d, c: "known divergence X")
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
