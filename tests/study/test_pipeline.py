"""The study pipeline end to end in pyimpl (no R needed), checked against the
engine's own functions called directly and against the spec's rules."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fixtures
import rparity
from rparity.study import (StudyInputError, bundled_spec_path, load_cohort, load_spec, parse_spec, read_cohort,
                           run_study)
from rparity.study.pipeline import STEP_ORDER

from .conftest import MINIMAL_SPEC, TINY_COHORT, demo_run

SPEC = load_spec(bundled_spec_path())


@pytest.fixture(scope="module")
def run():
    return demo_run(("pyimpl",))


@pytest.fixture(scope="module")
def res(run):
    return run.results[0]


def test_every_step_runs_in_pyimpl(res):
    assert res.engine == "pyimpl"
    assert res.steps == {s: "ok" for s in STEP_ORDER if s != "subgroups.after"}


def test_table1_before_matching_is_the_papers(res):
    assert res["table1.before.immuno.total"] == 59 and res["table1.before.surgery.total"] == 60
    assert (res["table1.before.afp.immuno.n"], res["table1.before.afp.surgery.n"]) == (45, 19)
    assert (res["table1.before.t_stage.immuno.n"], res["table1.before.t_stage.surgery.n"]) == (26, 6)
    # same counts as the paper, so the same p-value as Fisher's test of the paper's counts
    assert res["table1.before.afp.p"] == res["published_audit.table1.before.afp.fisher.p"]
    assert res["table1.before.afp.p"] < 1e-4


def test_matched_sample_is_one_to_one_and_consistent(res):
    n_t, n_r = res["matching.n.immuno"], res["matching.n.surgery"]
    assert n_t == n_r == len(res["matching.pairs"]) > 0
    assert len(res.matched_ids) == n_t + n_r
    assert res["table1.after.immuno.total"] == n_t and res["cohort.immuno.n"] == 59
    ids = {i for pair in res["matching.pairs"] for i in pair.split(":")}
    assert ids == set(res.matched_ids)


def test_after_matching_numbers_equal_the_engine_on_the_matched_rows(res):
    """Recompute a few after-matching numbers by calling pyimpl directly."""
    import pyimpl

    df = fixtures.load("study_cohort").set_index("patient_id").loc[list(res.matched_ids)]
    for arm in ("immuno", "surgery"):
        d = df[df.arm == arm]
        fit = pyimpl.survfit(d.os_months.to_numpy(), d.os_death.to_numpy())
        s = fit.summary([12, 24, 36], extend=True)
        assert res[f"km.after.os.{arm}.landmark.24.surv"] == s["surv"].to_numpy()[1]
        assert res[f"km.after.os.{arm}.median"] == fit.median
    X = pd.DataFrame({"treatment": (df.arm == "immuno").astype(float).to_numpy()})
    cox = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy())
    assert res["cox.after.univariate.treatment.hr"] == cox.summary()["exp_coef"].to_numpy()[0]
    lr = pyimpl.survdiff(df.os_months.to_numpy(), df.os_death.to_numpy(), df.arm.to_numpy())
    assert res["logrank.after.os.pvalue"] == lr.pvalue


def test_multivariable_selection_follows_the_spec_rule(res):
    for s in ("before", "after"):
        selected = res[f"cox.{s}.multivariable.selected"]
        assert selected[0] == "treatment"
        for v in ("treatment", *SPEC.covariate_names):
            p_uni = res[f"cox.{s}.univariate.{v}.p"]
            imbalanced = v != "treatment" and res[f"table1.{s}.{v}.p"] < 0.05
            expect = v == "treatment" or p_uni < 0.05 or imbalanced
            assert (v in selected) == expect, (s, v)
        # the multivariable HRs come from one model with exactly these variables
        assert all(f"cox.{s}.multivariable.{v}.hr" in res for v in selected)
        assert not any(f"cox.{s}.multivariable.{v}.hr" in res for v in SPEC.covariate_names if v not in selected)


def test_subgroups_cover_both_levels_and_partition_the_cohort(res):
    for name in SPEC.subgroups.covariates:
        pos, neg = (res[f"subgroup.before.{name}.{lv}.n"] for lv in ("positive", "negative"))
        assert pos + neg == 119
        hr = res[f"subgroup.before.{name}.positive.hr"]
        assert math.isfinite(hr) and hr > 0


def test_secondary_endpoint_landmarks(res):
    for s in ("before", "after"):
        for arm in ("immuno", "surgery"):
            v = [res[f"km.{s}.pfs_rfs.{arm}.landmark.{t}.surv"] for t in (12, 24, 36)]
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
    assert res["km.before.os.A.landmark.5.5.surv"] == 0.0


def test_matching_that_finds_nothing_is_bad_input():
    spec = parse_spec(MINIMAL_SPEC.replace('link = "linear.logit"',
                                           'link = "linear.logit"\ncaliper = 1e-9\ncompat = "none"'))
    # no propensity score of arm A is within the caliper of any of arm B
    text = TINY_COHORT.replace("p2,A,45,f", "p2,A,55,m").replace("p5,B,70,m", "p5,B,70,f")
    cohort = read_cohort(text, spec)
    with pytest.raises(StudyInputError, match=r"matching failed in engine 'pyimpl' with the spec's \[matching\] "
                                              r"settings \(link='linear.logit', caliper=1e-09, .*\): No units were matched"):
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
    assert res.steps["cox.before"] == "not provided: engine 'nocox' does not provide coxph"
    assert res.steps["km.before"] == "ok" and res.steps["matching"] == "ok"
    # a failed step leaves no partial numbers
    assert not any(k.startswith(("cox.", "subgroup.")) for k in res.keys())


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
    assert res.steps == {s: "ok" for s in STEP_ORDER}
    # the spec's test: chi-square without correction, with its statistic
    assert "table1.before.afp.statistic" in res
    # imbalance by |SMD| > 0.1, from the balance tables
    for s in ("before", "after"):
        sel = res[f"cox.{s}.multivariable.selected"]
        for v in spec.covariate_names:
            expect = abs(res[f"balance.{s}.{v}.smd"]) > 0.1 or res[f"cox.{s}.univariate.{v}.p"] < 0.05
            assert (v in sel) == expect, (s, v)
    # subgroups after matching too
    assert math.isfinite(res["subgroup.after.t_stage.positive.hr"])


def test_robust_pairs_clusters_on_the_matched_pairs(variant):
    """After matching, Cox se is the robust (pair-clustered) one: recompute it directly."""
    import pyimpl

    spec, res = variant
    df = fixtures.load("study_cohort").set_index("patient_id").loc[list(res.matched_ids)]
    pair = {}
    for p in res["matching.pairs"]:
        a, b = p.split(":")
        pair[a] = pair[b] = a
    X = pd.DataFrame({"treatment": (df.arm == "immuno").astype(float).to_numpy()})
    fit = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy(),
                       cluster=np.array([pair[i] for i in df.index]), robust=True)
    tab = fit.summary()
    assert res["cox.after.univariate.treatment.p"] == tab["p"].to_numpy()[0]
    naive = pyimpl.coxph(X, df.os_months.to_numpy(), df.os_death.to_numpy()).summary()
    assert res["cox.after.univariate.treatment.p"] != naive["p"].to_numpy()[0]


def test_without_matching_the_after_steps_are_skipped_and_the_rest_runs():
    class NoMatchit:
        def __getattr__(self, name):
            if name == "matchit":
                raise AttributeError(name)
            import pyimpl

            return getattr(pyimpl, name)

    cohort = load_cohort(fixtures.path("study_cohort"), SPEC)
    res = run_study(rparity.Engine("nomatch", NoMatchit()), cohort, SPEC)
    assert res.steps["matching"] == "not provided: engine 'nomatch' does not provide matchit"
    assert res.steps["table1.after"] == res.steps["cox.after"] == "skipped: matching did not run"
    assert res.steps["cox.before"] == res.steps["published_audit"] == "ok"
    assert not any(".after." in k for k in res.keys() if not k.startswith("published_audit."))
