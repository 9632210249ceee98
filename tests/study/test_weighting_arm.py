"""The study's weighted analysis ([weighting]): the spec table and its refusals,
the pipeline's steps and keys, the numbers against a direct computation, the
report section, and parity with R."""
from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import fixtures
import pyimpl
import rparity
from rparity.engines import Engine
from rparity.study import bundled_spec_path
from rparity.study import keys as K
from rparity.study.catalogue import study_keys
from rparity.study.codec import decode_key, encode_key
from rparity.study.cohort import load_cohort
from rparity.study.errors import SpecError
from rparity.study.keys import Model, Sample, Step, StepId
from rparity.study.keys import Quantity as Q
from rparity.study.pipeline import STEP_ORDER, run_study
from rparity.study.result import StepState
from rparity.study.spec import WeightingSpec, load_spec, parse_spec
from rparity.study.steps_matching import match_data_frame

from .conftest import demo_run

SPEC_TEXT = bundled_spec_path().read_text()
WEIGHTED_STEPS = [StepId(Step.WEIGHTING), StepId(Step.WEIGHTED_KM), StepId(Step.WEIGHTED_COX)]


def _with_weighting(table: str) -> str:
    """The bundled spec with its [weighting] table replaced by ``table``."""
    start = SPEC_TEXT.index("[weighting]")
    end = SPEC_TEXT.index("[km]")
    return SPEC_TEXT[:start] + table + "\n\n" + SPEC_TEXT[end:]


@functools.lru_cache(maxsize=None)
def _run(table: str | None = None, engine: str = "pyimpl"):
    spec = load_spec(bundled_spec_path()) if table is None else parse_spec(_with_weighting(table))
    cohort = load_cohort(fixtures.path("study_cohort"), spec)
    return spec, cohort, run_study(rparity.engine(engine), cohort, spec)


# -- the spec ------------------------------------------------------------------------------------------

def test_the_bundled_spec_weights_for_the_att():
    spec = load_spec(bundled_spec_path())
    assert spec.weighting == WeightingSpec(estimand="ATT", stabilize=False, trim=None, trim_lower=False)


def test_a_spec_without_weighting_runs_no_weighted_step(minimal_spec_text):
    spec = parse_spec(minimal_spec_text)
    assert spec.weighting is None
    assert not any(k.step in K.WEIGHTING_STEPS for k in study_keys(spec))


def test_weighting_options_are_read():
    table = '[weighting]\nestimand = "ATE"\nstabilize = true\ntrim = 0.95\ntrim_lower = true'
    spec = parse_spec(_with_weighting(table))
    assert spec.weighting == WeightingSpec(estimand="ATE", stabilize=True, trim=0.95, trim_lower=True)
    assert parse_spec(_with_weighting("[weighting]\ntrim = 3")).weighting.trim == 3.0


BAD_WEIGHTING = [
    ('estimnd = "ATT"', r"unknown key `weighting.estimnd` \(did you mean `weighting.estimand`\?\)"),
    ('estimand = "ATO"', r"`weighting.estimand` must be one of 'ATE', 'ATT', 'ATC'; got estimand='ATO'"),
    ('estimand = "ATT"\nstabilize = true', r"`weighting.stabilize` can only be true with estimand = \"ATE\""),
    ('stabilize = "yes"', r"`weighting.stabilize` must be true or false"),
    ("trim = 0.3", r"`weighting.trim` must be a quantile in \(0.5, 1\) or a whole number >= 1 .*got trim=0.3"),
    ("trim = 2.5", r"`weighting.trim` must be a quantile .*got trim=2.5"),
    ("trim = true", r"`weighting.trim` must be a quantile .*got trim=True"),
    ("trim = -1", r"`weighting.trim` must be a quantile .*got trim=-1"),
    ("trim_lower = true", r"`weighting.trim_lower` needs `weighting.trim`"),
]


@pytest.mark.parametrize("body, message", BAD_WEIGHTING)
def test_bad_weighting_keys_are_refused_naming_the_key(body, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_with_weighting("[weighting]\n" + body))


def test_weighting_must_be_a_table():
    text = _with_weighting("")
    text = text[:text.index("[study]")] + 'weighting = "ATT"\n' + text[text.index("[study]"):]
    with pytest.raises(SpecError, match=r"spec `weighting` must be a table"):
        parse_spec(text)


# -- the pipeline -------------------------------------------------------------------------------------

def test_the_weighted_steps_run_in_order_and_record_catalogued_keys():
    spec, _, res = _run()
    assert [s for s in res.steps if s in WEIGHTED_STEPS] == WEIGHTED_STEPS
    assert all(res.steps[s].ok for s in WEIGHTED_STEPS)
    assert list(res.steps) == [s for s in STEP_ORDER if s in res.steps]
    keys = [k for k in res.keys() if k.step in K.WEIGHTING_STEPS]
    assert keys and set(keys) <= set(study_keys(spec))
    names = [str(k) for k in keys]
    assert len(names) == len(set(names))
    for k in keys:  # typed keys survive the JSON format
        assert decode_key(encode_key(k), "k") == k
    assert str(K.weighted_cox(Q.HR)) == "weighted_cox.treatment.hr"
    assert str(K.weighting(Q.ESS, arm="surgery")) == "weighting.surgery.ess"


def test_the_recorded_numbers_are_the_contract_functions_own():
    spec, cohort, res = _run()
    data = match_data_frame(cohort, spec)
    covs = list(spec.matching.covariates)
    w = pyimpl.ps_weights(data, "treatment", covs, estimand="ATT", link="logit")
    np.testing.assert_array_equal(res[K.weighting(Q.WEIGHTS)], w.weights)
    # ATT: every treated patient keeps weight 1, so the treated ESS is the arm's size
    treated = cohort.arm_mask(spec.arms.treated)
    np.testing.assert_array_equal(w.weights[treated], 1.0)
    assert res[K.weighting(Q.ESS, arm=spec.arms.treated)] == treated.sum()
    assert res[K.weighting(Q.ESS, arm=spec.arms.reference)] == pytest.approx(w.ess_control, rel=0)
    bal = pyimpl.weighted_balance(data, "treatment", covs, w.weights, estimand="ATT").table
    assert res[K.weighting(Q.SMD, variable="afp")] == bal.loc["afp", "std_mean_diff"]
    fit = pyimpl.coxph(data[["treatment"]].astype(float), cohort.time["os"], cohort.event["os"], weights=w.weights,
                       robust=True)
    tab = pyimpl.coxph_summary(fit)
    assert res[K.weighted_cox(Q.HR)] == tab["exp_coef"].iloc[0]
    assert res[K.weighted_cox(Q.LOWER)] == tab["lower"].iloc[0]
    assert res[K.weighted_cox(Q.ROBUST_SE)] == tab["robust_se"].iloc[0] != tab["se"].iloc[0]
    arm = spec.arms.reference
    m = cohort.arm_mask(arm)
    km = pyimpl.survfit(cohort.time["os"][m], cohort.event["os"][m], weights=w.weights[m])
    s12 = pyimpl.survfit_summary(km, [12.0], extend=True)["surv"].iloc[0]
    assert res[K.weighted_km("os", arm, Q.SURV, landmark=12.0)] == s12


def test_weighting_balances_the_strongest_confounders():
    _, _, res = _run()
    for v in ("afp", "t_stage", "pm_number"):
        assert abs(res[K.weighting(Q.SMD, variable=v)]) < abs(res[K.weighting(Q.SMD_UNWEIGHTED, variable=v)])


def test_ate_stabilised_and_trimmed_weights_run():
    spec, cohort, res = _run('[weighting]\nestimand = "ATE"\nstabilize = true\ntrim = 0.95')
    w = res[K.weighting(Q.WEIGHTS)]
    ref = pyimpl.ps_weights(match_data_frame(cohort, spec), "treatment", list(spec.matching.covariates),
                            estimand="ATE", stabilize=True, trim=0.95)
    np.testing.assert_array_equal(w, ref.weights)
    assert all(res.steps[s].ok for s in WEIGHTED_STEPS)


def test_an_engine_without_ps_weights_skips_the_weighted_analysis():
    class _NoWeights:
        def __getattr__(self, name):
            if name == "ps_weights":
                raise AttributeError(name)
            return getattr(pyimpl, name)

    spec = load_spec(bundled_spec_path())
    cohort = load_cohort(fixtures.path("study_cohort"), spec)
    res = run_study(Engine("no-weights", _NoWeights()), cohort, spec)
    assert res.steps[StepId(Step.WEIGHTING)].state is StepState.NOT_PROVIDED
    for s in (StepId(Step.WEIGHTED_KM), StepId(Step.WEIGHTED_COX)):
        assert res.steps[s].state is StepState.SKIPPED
    assert res.steps[StepId(Step.COX, Sample.AFTER)].ok  # the rest of the study is untouched


# -- the report and R ---------------------------------------------------------------------------------

def test_the_report_shows_the_weighted_analysis_beside_the_matched_one(tmp_path):
    from rparity.study import run_study_files

    run_study_files(fixtures.path("study_cohort"), bundled_spec_path(), ["pyimpl"], out_dir=tmp_path,
                    command="pytest")
    html = next(tmp_path.glob("*.html")).read_text()
    start = html.index('<h2 id="weighting">')
    sec = html[start:html.index("<h2 ", start + 1)]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", sec))
    assert "Weighting (IPW)" in text and "estimand ATT" in text and "effective sample size" in text
    assert "After matching" in text and "Weighted (ATT), robust variance" in text
    spec, _, res = _run()
    hr = res[K.weighted_cox(Q.HR)]
    assert f"{hr:.3f} ({res[K.weighted_cox(Q.LOWER)]:.3f}–{res[K.weighted_cox(Q.UPPER)]:.3f})" in text
    assert f"{res[K.cox(Sample.AFTER, Model.UNIVARIATE, Q.HR, variable='treatment')]:.3f}" in text
    assert f"{res[K.weighting(Q.ESS, arm=spec.arms.reference)]:.1f}" in text
    assert 'href="#weighting"' in html


@pytest.mark.r
def test_the_weighted_analysis_agrees_with_r():
    run = demo_run(("pyimpl", "r"))
    py, r = run.results
    for s in WEIGHTED_STEPS:
        assert py.steps[s].ok and r.steps[s].ok
    rows = [x for x in run.parity.rows if x.key.step in K.WEIGHTING_STEPS]
    assert len(rows) > 100
    assert all(x.classification.value == "agrees" for x in rows), [(str(x.key), x.detail) for x in rows][:5]
