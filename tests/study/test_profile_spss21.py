"""The spss21 profile of the study pipeline: spec and CLI selection, the recorded
numbers (each checked against a direct computation), keys and JSON, the report section."""
from __future__ import annotations

import functools
import json

import numpy as np
import pytest

import fixtures
import rparity
from rparity.cli import main
from rparity.study import bundled_spec_path
from rparity.study import keys as K
from rparity.study.catalogue import catalogue, study_keys
from rparity.study.codec import decode_key, encode_key
from rparity.study.cohort import load_cohort
from rparity.study.errors import SpecError, StudyInputError
from rparity.study.keys import ChiSquareRow, Model, Sample, Step, StepId
from rparity.study.keys import Quantity as Q
from rparity.study.pipeline import run_study
from rparity.study.profile_spss import CONVENTIONS, with_profile
from rparity.study.spec import load_spec, parse_spec
from rparity.study.steps_basic import table1_counts

from .conftest import MINIMAL_SPEC

COHORT = str(fixtures.path("study_cohort"))
SPEC = str(bundled_spec_path())


@functools.lru_cache(maxsize=None)
def _run():
    spec = with_profile(load_spec(SPEC), "spss21")
    cohort = load_cohort(COHORT, spec)
    return spec, cohort, run_study(rparity.engine("pyimpl"), cohort, spec)


def test_spec_selects_the_profile_and_refuses_an_unknown_one():
    assert parse_spec(MINIMAL_SPEC).profile is None
    text = MINIMAL_SPEC.replace('seed = 1', 'seed = 1\nprofile = "spss21"')
    assert parse_spec(text).profile == "spss21"
    with pytest.raises(SpecError, match=r"spec `study.profile` must be one of 'spss21'; got profile='spss22'"):
        parse_spec(MINIMAL_SPEC.replace('seed = 1', 'seed = 1\nprofile = "spss22"'))
    with pytest.raises(StudyInputError, match=r"`--profile` must be one of 'spss21'; got 'sas'"):
        with_profile(parse_spec(MINIMAL_SPEC), "sas")


def test_profile_steps_run_and_every_key_is_catalogued_and_round_trips():
    spec, _, res = _run()
    assert res.steps[StepId(Step.SPSS21, Sample.BEFORE)].ok and res.steps[StepId(Step.SPSS21, Sample.AFTER)].ok
    keys = [k for k in res.keys() if k.step is Step.SPSS21]
    assert keys and set(res.keys()) <= set(study_keys(spec))
    names = catalogue(spec)
    for k in keys:
        assert names[str(k)] == k  # printed names are distinct, so published values can name them
        assert decode_key(json.loads(json.dumps(encode_key(k)))) == k
    assert str(K.spss21(Sample.BEFORE, Q.P, variable="afp", row=ChiSquareRow.FISHER_EXACT)) == \
        "spss21.before.afp.fisher_exact.p"


def test_without_a_profile_nothing_is_recorded():
    spec = load_spec(SPEC)
    assert not any(k.step is Step.SPSS21 for k in study_keys(spec))


def test_cox_is_breslow_in_the_engine():
    spec, cohort, res = _run()
    eng = rparity.engine("pyimpl")
    x = cohort.covariates["t_stage"].to_numpy(dtype=float)
    import pandas as pd

    fit = eng.coxph(pd.DataFrame({"t_stage": x}), cohort.time["os"], cohort.event["os"], ties="breslow")
    hr = float(eng.coxph_summary(fit)["exp_coef"].to_numpy()[0])
    assert res[K.spss21(Sample.BEFORE, Q.HR, model=Model.UNIVARIATE, variable="t_stage")] == hr
    assert res[K.spss21(Sample.BEFORE, Q.HR, model=Model.UNIVARIATE, variable="t_stage")] != \
        res[K.cox(Sample.BEFORE, Model.UNIVARIATE, Q.HR, variable="t_stage")]  # efron: the data have ties
    sel = res[K.cox(Sample.BEFORE, Model.MULTIVARIABLE, Q.SELECTED)]
    assert all(K.spss21(Sample.BEFORE, Q.HR, model=Model.MULTIVARIABLE, variable=v) in res for v in sel)


def test_crosstab_rows_are_the_documented_statistics():
    spec, cohort, res = _run()
    tab = table1_counts(cohort, spec, "age").astype(float)

    def get(row, q):
        return res[K.spss21(Sample.BEFORE, q, variable="age", row=row)]

    n = tab.sum()
    e = np.outer(tab.sum(1), tab.sum(0)) / n
    x2 = ((tab - e) ** 2 / e).sum()
    assert get(ChiSquareRow.PEARSON, Q.STATISTIC) == pytest.approx(x2, rel=1e-12)
    yates = ((np.maximum(abs(tab - e) - 0.5, 0)) ** 2 / e).sum()
    assert get(ChiSquareRow.CONTINUITY_CORRECTION, Q.STATISTIC) == pytest.approx(yates, rel=1e-12)
    assert get(ChiSquareRow.LIKELIHOOD_RATIO, Q.STATISTIC) == pytest.approx(2 * (tab * np.log(tab / e)).sum(),
                                                                            rel=1e-12)
    assert get(ChiSquareRow.LINEAR_BY_LINEAR, Q.STATISTIC) == pytest.approx((n - 1) / n * x2, rel=1e-12)
    # the paper's Table 1 p-value for age (0.214) is the Pearson row, not Fisher's (0.242)
    assert f"{get(ChiSquareRow.PEARSON, Q.P):.3f}" == "0.214" != f"{get(ChiSquareRow.FISHER_EXACT, Q.P):.3f}"


def test_km_mean_is_r_rmean_and_median_se_is_recorded():
    spec, cohort, res = _run()
    eng = rparity.engine("pyimpl")
    m = cohort.arm_mask("immuno")
    fit = eng.survfit(cohort.time["os"][m], cohort.event["os"][m])
    key = functools.partial(K.spss21, Sample.BEFORE, endpoint="os", arm="immuno")
    assert res[key(Q.MEAN)] == float(eng.survfit_table(fit)["rmean"])
    assert res[key(Q.MEDIAN)] == res[K.km(Sample.BEFORE, "os", "immuno", Q.MEDIAN)]
    se = res[key(Q.MEDIAN_SE)]
    assert se > 0 and res[key(Q.MEDIAN_UPPER)] - res[key(Q.MEDIAN)] == pytest.approx(1.959963984540054 * se)


def test_cli_profile_renders_the_section_and_refuses_an_unknown_profile(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["demo", "--out", str(out), "--engines", "pyimpl", "--profile", "spss21"]) == 0
    html = (out / "study-report.html").read_text()
    assert 'id="spss21"' in html and "SPSS 21 profile" in html
    assert html.count("not checked against SPSS output") >= len(CONVENTIONS)
    for c in CONVENTIONS:
        assert c.title in html
    doc = json.loads((out / "study-results.json").read_text())
    assert "spss21.before.afp.pearson.p" in json.dumps(doc)
    assert main(["demo", "--out", str(tmp_path / "x"), "--engines", "pyimpl", "--profile", "spss22"]) == 2
    assert "`--profile` must be one of 'spss21'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.r
def test_r_and_pyimpl_agree_on_every_profile_number(tmp_path):
    from rparity.study import run_study_files

    run = run_study_files(COHORT, SPEC, ["pyimpl", "r"], out_dir=None, command="pytest", profile="spss21")
    assert run.parity.ok
    rows = [r for r in run.parity.rows if r.key.step is Step.SPSS21]
    assert rows and all(r.classification.value == "agrees" for r in rows)
