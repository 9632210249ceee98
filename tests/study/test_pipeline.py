"""The study pipeline end to end in pyimpl (no R needed), checked against the
engine's own functions called directly and against the spec's rules."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fixtures
import rparity
from rparity.study import StudyInputError, bundled_spec_path, load_cohort, load_spec, parse_spec, read_cohort, run_study
from rparity.study import keys as K
from rparity.study.catalogue import study_keys
from rparity.study.keys import Level, Model, Sample, Step, StepId, Table1Test
from rparity.study.keys import Quantity as Q
from rparity.study.pipeline import STEP_ORDER
from rparity.study.result import StepState, StepStatus

from .conftest import MINIMAL_SPEC, TINY_COHORT, demo_run

SPEC = load_spec(bundled_spec_path())
B, A = Sample.BEFORE, Sample.AFTER
OK = StepStatus(StepState.OK)


@pytest.fixture(scope="module")
def run():
    return demo_run(("pyimpl",))


@pytest.fixture(scope="module")
def res(run):
    return run.results[0]


def test_every_step_runs_in_pyimpl(res):
    assert res.engine == "pyimpl"
    assert res.steps == {s: OK for s in STEP_ORDER if s != StepId(Step.SUBGROUP, A)}
    assert list(res.steps) == [s for s in STEP_ORDER if s != StepId(Step.SUBGROUP, A)]


def test_every_recorded_key_is_in_the_catalogue_and_printed_names_are_distinct(res):
    listed = list(study_keys(SPEC))
    assert set(res.keys()) <= set(listed)
    assert len({str(k) for k in listed}) == len(set(listed))  # printed names tell the keys apart
    # the documented printed form
    assert str(K.km(B, "os", "surgery", Q.SURV, landmark=12)) == "km.before.os.surgery.landmark.12.surv"
    assert str(K.matching(Q.N, arm="immuno")) == "matching.n.immuno"
    assert str(K.published_audit(B, "afp", Table1Test.FISHER)) == "published_audit.table1.before.afp.fisher.p"
    assert str(K.subgroup(A, "afp", Level.POSITIVE, Q.N, arm="immuno")) == "subgroup.after.afp.positive.immuno.n"


def test_every_value_has_a_source_with_a_tolerance_entry(res):
    from rparity import tolerance as tol

    for v in res.values.values():
        assert v.source.tolerance == tol.lookup(v.source.function, v.source.quantity), v.key


def test_table1_before_matching_is_the_papers(res):
    assert res[K.table1(B, Q.TOTAL, arm="immuno")] == 59 and res[K.table1(B, Q.TOTAL, arm="surgery")] == 60
    n = {(v, arm): res[K.table1(B, Q.N, variable=v, arm=arm)] for v in ("afp", "t_stage")
         for arm in ("immuno", "surgery")}
    assert (n["afp", "immuno"], n["afp", "surgery"]) == (45, 19)
    assert (n["t_stage", "immuno"], n["t_stage", "surgery"]) == (26, 6)
    # same counts as the paper, so the same p-value as Fisher's test of the paper's counts
    p = res[K.table1(B, Q.P, variable="afp")]
    assert p == res[K.published_audit(B, "afp", Table1Test.FISHER)]
    assert p < 1e-4


def test_matched_sample_is_one_to_one_and_consistent(res):
    n_t, n_r = res[K.matching(Q.N, arm="immuno")], res[K.matching(Q.N, arm="surgery")]
    assert n_t == n_r == len(res[K.matching(Q.PAIRS)]) > 0
    assert len(res.matched_ids) == n_t + n_r
    assert res[K.table1(A, Q.TOTAL, arm="immuno")] == n_t and res[K.cohort(arm="immuno")] == 59
    ids = {i for pair in res[K.matching(Q.PAIRS)] for i in pair.split(":")}
    assert ids == set(res.matched_ids)


def test_after_matching_numbers_equal_the_engine_on_the_matched_rows(res):
    """Recompute a few after-matching numbers by calling pyimpl directly."""
    import pyimpl

    df = fixtures.load("study_cohort").set_index("patient_id").loc[list(res.matched_ids)]
    for arm in ("immuno", "surgery"):
        d = df[df.arm == arm]
        fit = pyimpl.survfit(d.os_months.to_numpy(), d.os_death.to_numpy())
        s = fit.summary([12, 24, 36], extend=True)
        assert res[K.km(A, "os", arm, Q.SURV, landmark=24)] == s["surv"].to_numpy()[1]
        assert res[K.km(A, "os", arm, Q.MEDIAN)] == fit.median
    X = pd.DataFrame({"treatment": (df.arm == "immuno").astype(float).to_numpy()})
    cox = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy())
    assert res[K.cox(A, Model.UNIVARIATE, Q.HR, variable="treatment")] == cox.summary()["exp_coef"].to_numpy()[0]
    lr = pyimpl.survdiff(df.os_months.to_numpy(), df.os_death.to_numpy(), df.arm.to_numpy())
    assert res[K.logrank(A, "os", Q.PVALUE)] == lr.pvalue


def test_multivariable_selection_follows_the_spec_rule(res):
    for s in Sample:
        selected = res[K.cox(s, Model.MULTIVARIABLE, Q.SELECTED)]
        assert selected[0] == "treatment"
        for v in ("treatment", *SPEC.covariate_names):
            p_uni = res[K.cox(s, Model.UNIVARIATE, Q.P, variable=v)]
            imbalanced = v != "treatment" and res[K.table1(s, Q.P, variable=v)] < 0.05
            expect = v == "treatment" or p_uni < 0.05 or imbalanced
            assert (v in selected) == expect, (s, v)
        # the multivariable HRs come from one model with exactly these variables
        assert all(K.cox(s, Model.MULTIVARIABLE, Q.HR, variable=v) in res for v in selected)
        assert not any(K.cox(s, Model.MULTIVARIABLE, Q.HR, variable=v) in res
                       for v in SPEC.covariate_names if v not in selected)


def test_subgroups_cover_both_levels_and_partition_the_cohort(res):
    for name in SPEC.subgroups.covariates:
        pos, neg = (res[K.subgroup(B, name, lv, Q.N)] for lv in Level)
        assert pos + neg == 119
        hr = res[K.subgroup(B, name, Level.POSITIVE, Q.HR)]
        assert math.isfinite(hr) and hr > 0


def test_secondary_endpoint_landmarks(res):
    for s in Sample:
        for arm in ("immuno", "surgery"):
            v = [res[K.km(s, "pfs_rfs", arm, Q.SURV, landmark=t)] for t in (12, 24, 36)]
            assert v[0] >= v[1] >= v[2] >= 0


def test_methods_notes_report_the_audit_findings(run):
    text = " ".join(run.methods_notes)
    assert "Pearson's chi-square without continuity correction: 19 of 20" in text
    assert "PM number (imbalanced, Table 1 p <0.001)" in text
    assert "documented algorithm" in text


TINY = parse_spec(MINIMAL_SPEC)


def test_landmark_beyond_follow_up_is_bad_input():
    spec = parse_spec(MINIMAL_SPEC.replace("landmarks = [2, 4]", "landmarks = [2, 4, 7]"))
    cohort = read_cohort(TINY_COHORT, spec)
    with pytest.raises(StudyInputError, match=r"spec `km.landmarks` asks for 7 months, beyond the follow-up of arm "
                                              r"'B' for endpoint 'os': its last time is 6 months and is censored"):
        run_study(rparity.engine("pyimpl"), cohort, spec)


def test_landmark_after_the_curve_reached_zero_is_zero():
    # arm A's last time (5) is a death: S(t) = 0 for any later t
    spec = parse_spec(MINIMAL_SPEC.replace("landmarks = [2, 4]", "landmarks = [2, 5.5]").replace(
        "[km]", "[subgroups]\ncovariates = [\"male\"]\n\n[km]"))
    cohort = read_cohort(TINY_COHORT.replace("p5,B,70,m,6,0", "p5,B,70,m,6,1"), spec)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_study(rparity.engine("pyimpl"), cohort, spec)
    assert res[K.km(B, "os", "A", Q.SURV, landmark=5.5)] == 0.0


def test_matching_that_finds_nothing_is_bad_input():
    spec = parse_spec(MINIMAL_SPEC.replace('link = "linear.logit"',
                                           'link = "linear.logit"\ncaliper = 1e-9\ncompat = "none"'))
    # no propensity score of arm A is within the caliper of any of arm B
    text = TINY_COHORT.replace("p2,A,45,f", "p2,A,55,m").replace("p5,B,70,m", "p5,B,70,f")
    cohort = read_cohort(text, spec)
    with pytest.raises(StudyInputError, match=r"matching failed in engine 'pyimpl' with the spec's \[matching\] "
                                              r"settings \(link='linear.logit', caliper=1e-09, .*\): "
                                              r"No units were matched"):
        run_study(rparity.engine("pyimpl"), cohort, spec)


def test_a_function_the_engine_lacks_is_recorded_not_raised():
    class NoCox:
        def __getattr__(self, name):
            if name == "coxph":
                raise AttributeError(name)
            import pyimpl

            return getattr(pyimpl, name)

    eng = rparity.Engine("nocox", NoCox())
    cohort = load_cohort(fixtures.path("study_cohort"), SPEC)
    res = run_study(eng, cohort, SPEC)
    assert res.steps[StepId(Step.COX, B)] == StepStatus(StepState.NOT_PROVIDED,
                                                         "engine 'nocox' does not provide coxph")
    assert str(res.steps[StepId(Step.COX, B)]) == "not provided: engine 'nocox' does not provide coxph"
    assert res.steps[StepId(Step.KM, B)] == OK and res.steps[StepId(Step.MATCHING)] == OK
    # a failed step leaves no partial numbers
    assert not any(k.step in (Step.COX, Step.SUBGROUP) for k in res.keys())


VARIANT = (SPEC.source_text
           .replace('test = "fisher"', 'test = "chisq_uncorrected"')
           .replace('imbalance = "table1_p"', 'imbalance = "smd"')
           .replace("imbalance_threshold = 0.05", "imbalance_threshold = 0.1")
           .replace('after_matching = "unadjusted"', 'after_matching = "robust_pairs"')
           .replace('samples = ["before"]', 'samples = ["before", "after"]'))


@pytest.fixture(scope="module")
def variant():
    spec = parse_spec(VARIANT)
    cohort = load_cohort(fixtures.path("study_cohort"), spec)
    return spec, run_study(rparity.engine("pyimpl"), cohort, spec)


def test_variant_spec_options_are_honoured(variant):
    spec, res = variant
    assert res.steps == {s: OK for s in STEP_ORDER}
    assert set(res.keys()) <= set(study_keys(spec))
    # the spec's test: chi-square without correction, with its statistic
    assert K.table1(B, Q.STATISTIC, variable="afp") in res
    # imbalance by |SMD| > 0.1, from the balance tables
    for s in Sample:
        sel = res[K.cox(s, Model.MULTIVARIABLE, Q.SELECTED)]
        for v in spec.covariate_names:
            expect = (abs(res[K.balance(s, v, Q.SMD)]) > 0.1
                      or res[K.cox(s, Model.UNIVARIATE, Q.P, variable=v)] < 0.05)
            assert (v in sel) == expect, (s, v)
    # subgroups after matching too
    assert math.isfinite(res[K.subgroup(A, "t_stage", Level.POSITIVE, Q.HR)])


def test_robust_pairs_clusters_on_the_matched_pairs(variant):
    """After matching, Cox se is the robust (pair-clustered) one: recompute it directly."""
    import pyimpl

    spec, res = variant
    df = fixtures.load("study_cohort").set_index("patient_id").loc[list(res.matched_ids)]
    pair = {}
    for p in res[K.matching(Q.PAIRS)]:
        a, b = p.split(":")
        pair[a] = pair[b] = a
    X = pd.DataFrame({"treatment": (df.arm == "immuno").astype(float).to_numpy()})
    fit = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy(),
                       cluster=np.array([pair[i] for i in df.index]), robust=True)
    tab = fit.summary()
    p = res[K.cox(A, Model.UNIVARIATE, Q.P, variable="treatment")]
    assert p == tab["p"].to_numpy()[0]
    naive = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy()).summary()
    assert p != naive["p"].to_numpy()[0]


def test_without_matching_the_after_steps_are_skipped_and_the_rest_runs():
    class NoMatchit:
        def __getattr__(self, name):
            if name == "matchit":
                raise AttributeError(name)
            import pyimpl

            return getattr(pyimpl, name)

    cohort = load_cohort(fixtures.path("study_cohort"), SPEC)
    res = run_study(rparity.Engine("nomatch", NoMatchit()), cohort, SPEC)
    assert res.steps[StepId(Step.MATCHING)] == StepStatus(StepState.NOT_PROVIDED,
                                                           "engine 'nomatch' does not provide matchit")
    skipped = StepStatus(StepState.SKIPPED, "matching did not run")
    assert res.steps[StepId(Step.TABLE1, A)] == res.steps[StepId(Step.COX, A)] == skipped
    assert res.steps[StepId(Step.COX, B)] == res.steps[StepId(Step.PUBLISHED_AUDIT)] == OK
    # the skipped steps inherit matching's status
    assert res.status(StepId(Step.COX, A)) == res.steps[StepId(Step.MATCHING)]
    assert not any(k.sample is A for k in res.keys() if k.step is not Step.PUBLISHED_AUDIT)
    assert not any(k.step in (Step.MATCHING, Step.BALANCE) for k in res.keys())
