"""Cross-engine comparison of study numbers: typed keys, tolerances by source, classification."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rparity import tolerance as tol
from rparity.divergences import InvalidDivergence, KnownDivergence, validate_entry
from rparity.study import keys as K
from rparity.study.keys import Quantity as Q
from rparity.study.keys import Sample, Step, StepId
from rparity.study.parity import STUDY_DIVERGENCES, ClassifyContext, classify, compare_results, not_run, tolerance_for
from rparity.study.result import COUNT, Source, StepState, StepStatus, StudyResult, StudyValue
from rparity_contract.verdicts import Classification, Verdict

B, A = Sample.BEFORE, Sample.AFTER
LANDMARK = K.km(B, "os", "A", Q.SURV, landmark=12)
COUNT_KEY = K.table1(B, Q.N, variable="x", arm="A")
CURVE = K.km(B, "os", "A", Q.TIME, curve=True)
PVALUE = K.logrank(B, "os", Q.PVALUE)
WARN = K.km(B, "os", "A", Q.WARNINGS)

SOURCES = {
    LANDMARK: Source("survfit", "summary.surv"),
    COUNT_KEY: COUNT,
    CURVE: Source("survfit", "time"),
    PVALUE: Source("survdiff", "pvalue"),
    WARN: Source("survfit", "warnings"),
}
VALUES = {
    LANDMARK: 0.8,
    COUNT_KEY: 12,
    CURVE: np.array([1.0, 2.0, 3.0]),
    PVALUE: 1e-320,
    WARN: (),
}
OK_STEPS = {StepId(Step.KM, B): StepStatus(StepState.OK), StepId(Step.TABLE1, B): StepStatus(StepState.OK)}


def _res(engine, values, sources=SOURCES, steps=None):
    vals = {k: StudyValue(k, v, sources[k]) for k, v in values.items()}
    return StudyResult(engine=engine, values=vals, steps=OK_STEPS if steps is None else steps)


def test_identical_results_agree_everywhere():
    p = compare_results(_res("pyimpl", VALUES), _res("r", dict(VALUES)))
    assert p.ok and p.counts() == {"agrees": 5}
    assert all(r.classification is Classification.AGREES and r.verdict is Verdict.AGREE for r in p.rows)
    assert {g.source for g in p.by_source()} == set(SOURCES.values())
    # rows are matched by typed key, in the reference's order
    assert [r.key for r in p.rows] == list(VALUES)


def test_rows_are_matched_by_typed_key_not_by_their_printed_form():
    # two keys that differ only in a field's type-checked value are different numbers
    a = dict(VALUES)
    other = K.km(B, "os", "A", Q.SURV, landmark=24)
    b = {other if k == LANDMARK else k: v for k, v in VALUES.items()}
    src = {**SOURCES, other: SOURCES[LANDMARK]}
    p = compare_results(_res("pyimpl", a, src), _res("r", b, src))
    assert {r.key for r in p.problems()} == {LANDMARK, other}
    assert str(LANDMARK) == "km.before.os.A.landmark.12.surv"


def test_difference_within_the_sources_tolerance_agrees_and_beyond_is_a_new_divergence():
    close = {**VALUES, LANDMARK: 0.8 * (1 + 5e-13)}
    far = {**VALUES, LANDMARK: 0.8 * (1 + 5e-12)}
    assert compare_results(_res("pyimpl", close), _res("r", VALUES)).ok
    p = compare_results(_res("pyimpl", far), _res("r", VALUES))
    assert not p.ok
    (row,) = p.problems()
    assert row.key == LANDMARK and row.classification is Classification.NEW and row.label == "new divergence"
    assert row.verdict is Verdict.DIFFER
    assert row.tolerance == "1e-12" and row.tolerance == tol.lookup("survfit", "summary.surv").describe()
    assert 4e-12 < row.max_rel < 6e-12
    assert p.failing() == [row]


def test_counts_must_be_identical_and_curves_elementwise():
    bad_n = {**VALUES, COUNT_KEY: 13}
    p = compare_results(_res("pyimpl", bad_n), _res("r", VALUES))
    assert [r.key for r in p.problems()] == [COUNT_KEY]
    assert p.problems()[0].tolerance == "identical"
    bad_t = {**VALUES, CURVE: np.array([1.0, 2.0])}
    p = compare_results(_res("pyimpl", bad_t), _res("r", VALUES))
    assert p.problems()[0].detail.startswith("shape")


def test_tiny_pvalues_agree_and_nan_meets_nan():
    a = {**VALUES, PVALUE: 3e-305, LANDMARK: float("nan")}
    b = {**VALUES, LANDMARK: float("nan")}
    assert compare_results(_res("pyimpl", a), _res("r", b)).ok
    c = {**VALUES, LANDMARK: float("nan")}
    assert not compare_results(_res("pyimpl", c), _res("r", VALUES)).ok


def test_warnings_compare_as_sets():
    a = {**VALUES, WARN: ("Loglik converged before variable  1",)}
    p = compare_results(_res("pyimpl", a), _res("r", VALUES))
    assert p.problems()[0].key == WARN


def test_a_number_missing_because_a_function_is_not_provided_is_classified_so():
    b_vals = {k: v for k, v in VALUES.items() if k.step is not Step.LOGRANK}
    km_np = {StepId(Step.KM, B): StepStatus(StepState.NOT_PROVIDED, "engine 'r' does not provide survdiff")}
    b = _res("r", b_vals, steps=km_np)
    p = compare_results(_res("pyimpl", VALUES), b)
    (row,) = p.problems()
    assert row.classification is Classification.NOT_PROVIDED and row.verdict is Verdict.MISSING
    assert row.detail == "not provided by r: engine 'r' does not provide survdiff"
    assert p.ok  # accounted for
    # the engine under test not providing it: not provided too
    p0 = compare_results(_res("pyimpl", b_vals, steps=km_np), _res("r", VALUES))
    assert p0.problems()[0].classification is Classification.NOT_PROVIDED
    assert p0.problems()[0].verdict is Verdict.NOT_PROVIDED and p0.ok
    # the engine under test failing is an engine error; the reference failing, a new divergence
    err = {StepId(Step.KM, B): StepStatus(StepState.ERROR, "ValueError: boom")}
    p1 = compare_results(_res("pyimpl", b_vals, steps=err), _res("r", VALUES))
    assert p1.problems()[0].classification is Classification.ENGINE_ERROR and not p1.ok
    assert p1.problems()[0].detail == "pyimpl has no value (error: ValueError: boom)"
    p2 = compare_results(_res("pyimpl", VALUES), _res("r", b_vals, steps=err))
    assert p2.problems()[0].classification is Classification.NEW and not p2.ok


def test_a_step_skipped_because_matching_was_not_provided_is_not_provided():
    after = K.table1(A, Q.N, variable="x", arm="A")
    src = {**SOURCES, after: COUNT}
    a_vals = {**VALUES, after: 3}
    b_steps = {**OK_STEPS, StepId(Step.MATCHING): StepStatus(StepState.NOT_PROVIDED, "no matchit"),
               StepId(Step.TABLE1, A): StepStatus(StepState.SKIPPED, "matching did not run")}
    p = compare_results(_res("pyimpl", a_vals, src), _res("r", VALUES, src, steps=b_steps))
    (row,) = p.problems()
    assert row.key == after and row.classification is Classification.NOT_PROVIDED
    assert row.detail == "not provided by r: no matchit"


def test_known_divergences_come_from_the_harness_registry():
    far = {**VALUES, LANDMARK: 0.81}
    p = compare_results(_res("pyimpl", far), _res("r", VALUES))
    row = dataclasses.replace(p.problems()[0], classification=None)  # as compare_results hands it to classify
    reg = [KnownDivergence(id="KD-TEST", engines={"pyimpl": "*"}, functions=("survfit",),
                           quantities=("summary.surv",), explanation="for the test", source="-",
                           departure="a test departure")]
    validate_entry(reg[0])
    got = classify(row, ClassifyContext(engines=("pyimpl", "r")), registry=reg)
    assert got.classification is Classification.KNOWN and got.known == "KD-TEST"
    assert got.label == "known divergence KD-TEST"
    got = classify(row, ClassifyContext(engines=("lifelines", "r")), registry=reg)
    assert got.classification is Classification.NEW
    p2 = compare_results(_res("pyimpl", far), _res("r", VALUES), registry=reg)
    assert p2.ok and [k.id for k in p2.known] == ["KD-TEST"] and p2.known[0].source == "-"
    # by default nothing excuses pyimpl against R on a study number
    assert p.problems()[0].classification is Classification.NEW


def test_the_harness_registry_classifies_peer_engines():
    """lifelines' log-log interval against R's log interval: the harness's entry."""
    far = {**VALUES, LANDMARK: 0.81}
    src = {**SOURCES, LANDMARK: Source("survfit", "summary.lower")}
    ctx = ClassifyContext(engines=("lifelines", "r"), params={"conf_type": "log"})
    p = compare_results(_res("lifelines", far, src), _res("r", VALUES, src), context=ctx)
    row = p.problems()[0]
    assert row.classification is Classification.KNOWN and row.known == "lifelines-km-ci-loglog"
    assert row.label == "known divergence lifelines-km-ci-loglog"


PAIRS = K.matching(Q.PAIRS)


def test_study_divergence_documented_matching_needs_compat_none_and_old_matchit():
    src = {**SOURCES, PAIRS: Source("matchit", "match_matrix")}
    a = _res("pyimpl", {**VALUES, PAIRS: ("1:2",)}, src)
    b = _res("r", {**VALUES, PAIRS: ("1:3",)}, src)
    row = compare_results(a, b).problems()[0]
    assert row.key == PAIRS and row.classification is Classification.NEW
    unclassified = dataclasses.replace(row, classification=None)
    ctx = ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.1"},
                          params={"matching_compat": None})
    got = classify(unclassified, ctx)
    assert got.classification is Classification.KNOWN and got.known == "study-matchit-documented-vs-4.5.1"
    # the Table 1 count before matching: nothing to excuse
    before = dataclasses.replace(unclassified, key=COUNT_KEY, source=Source("matchit", "summary.matched.means_treated"))
    assert classify(before, ctx).classification is Classification.NEW
    assert classify(unclassified, ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.4"},
                                                  params={"matching_compat": None})).classification \
        is Classification.NEW
    assert classify(unclassified, ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.1"},
                                                  params={"matching_compat": "4.5.1"})).classification \
        is Classification.NEW
    assert [k.id for k in STUDY_DIVERGENCES] == ["study-matchit-documented-vs-4.5.1"]


def test_numbers_after_matching_follow_a_known_divergence_of_the_pairs_and_only_then():
    after_n = K.table1(A, Q.N, variable="x", arm="A")
    after_only = K.km(A, "os", "A", Q.MEDIAN)
    src = {**SOURCES, PAIRS: Source("matchit", "match_matrix"), after_n: COUNT,
           after_only: Source("survfit", "table.median")}
    steps = {**OK_STEPS, StepId(Step.MATCHING): StepStatus(StepState.OK),
             StepId(Step.TABLE1, A): StepStatus(StepState.OK), StepId(Step.KM, A): StepStatus(StepState.OK)}
    a = _res("pyimpl", {**VALUES, PAIRS: ("1:2",), after_n: 3, after_only: 9.0}, src, steps)
    b = _res("r", {**VALUES, PAIRS: ("1:3",), after_n: 4, COUNT_KEY: 13}, src, steps)
    ctx = ClassifyContext(engines=("pyimpl", "r"), reference_versions={"MatchIt": "4.5.1"},
                          params={"matching_compat": None})
    p = compare_results(a, b, context=ctx)
    by_key = {r.key: r for r in p.rows}
    kd = "study-matchit-documented-vs-4.5.1"
    assert by_key[PAIRS].known == kd and by_key[PAIRS].evidence == ""
    # a study count after matching, and a number only one engine computed after matching
    for k in (after_n, after_only):
        assert by_key[k].classification is Classification.KNOWN and by_key[k].known == kd, k
        assert "computed from the matched sample" in by_key[k].evidence
    # before matching: still a new divergence
    assert by_key[COUNT_KEY].classification is Classification.NEW and not p.ok
    assert [k.id for k in p.known] == [kd]
    # with the installed build reproduced (compat 4.5.1), nothing is excused
    p2 = compare_results(a, b, context=dataclasses.replace(ctx, params={"matching_compat": "4.5.1"}))
    assert all(r.classification is not Classification.KNOWN for r in p2.rows)


def test_study_divergences_follow_the_registry_rules():
    for k in STUDY_DIVERGENCES:
        validate_entry(k)
        assert k.departure and "pyimpl" in k.engines and "*" not in k.engines
    # the rules the harness enforces: a study entry naming "study" or covering pyimpl without a departure fails
    bad = dataclasses.replace(STUDY_DIVERGENCES[0], id="x", functions=("study",))
    with pytest.raises(InvalidDivergence, match="'study' is not a contract function"):
        validate_entry(bad)
    with pytest.raises(InvalidDivergence, match="departure"):
        validate_entry(dataclasses.replace(STUDY_DIVERGENCES[0], id="y", departure=None))


def test_classifier_is_pluggable():
    p = compare_results(_res("pyimpl", {**VALUES, COUNT_KEY: 1}), _res("r", VALUES),
                        classifier=lambda d, c: dataclasses.replace(d, classification=Classification.KNOWN,
                                                                    known="X"))
    assert p.ok and p.counts() == {"known divergence X": 5}


def test_tolerance_sources():
    assert tolerance_for(Source("survfit", "summary.surv")) == tol.lookup("survfit", "summary.surv")
    assert tolerance_for(COUNT).kind == "exact"
    assert Source("survfit", "warnings").tolerance == tol.WARNINGS
    with pytest.raises(KeyError, match="no tolerance for 'survfit.nonsense'"):
        tolerance_for(Source("survfit", "nonsense"))


def test_a_value_without_a_tolerance_entry_is_refused_when_recorded():
    from rparity.study.result import Recorder

    rec = Recorder("pyimpl")
    with pytest.raises(KeyError, match="no tolerance for 'survfit.nonsense'"):
        rec.put(LANDMARK, 0.5, Source("survfit", "nonsense"))
    assert LANDMARK not in rec.values


def test_not_run_is_not_ok():
    p = not_run(("pyimpl", "r"), "R is missing")
    assert not p.ok and not p.ran and p.reason == "R is missing" and p.rows == ()


def test_by_source_reports_the_worst_difference_and_classification():
    a = {**VALUES, LANDMARK: 0.9}
    p = compare_results(_res("pyimpl", a), _res("r", VALUES))
    g = next(g for g in p.by_source() if g.source == SOURCES[LANDMARK])
    assert g.n == 1 and math.isclose(g.max_rel, 0.1 / 0.9) and math.isclose(g.max_abs, 0.1)
    assert g.classification is Classification.NEW and g.tolerance == "1e-12"
