"""The bundled study in pyimpl and R: every step runs in both, every number agrees."""
from __future__ import annotations

import json

import pytest

from rparity.study import keys as K
from rparity.study.document import loads
from rparity.study.keys import Model, Sample, Step, StepId
from rparity.study.keys import Quantity as Q
from rparity.study.pipeline import STEP_ORDER
from rparity.study.result import StepState, StepStatus
from rparity_contract.verdicts import Classification

from .conftest import demo_run

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def run():
    return demo_run(("pyimpl", "r"))


def test_every_step_runs_in_both_engines(run):
    py, r = run.results
    assert (py.engine, r.engine) == ("pyimpl", "r")
    expected = {s: StepStatus(StepState.OK) for s in STEP_ORDER if s != StepId(Step.SUBGROUP, Sample.AFTER)}
    assert py.steps == expected and r.steps == expected


def test_every_number_agrees(run):
    p = run.parity
    assert p.ran and p.ok, [(str(x.key), x.detail, x.max_rel) for x in p.problems()[:10]]
    assert p.counts() == {"agrees": len(p.rows)}
    assert all(x.classification is Classification.AGREES for x in p.rows)
    assert len(p.rows) > 700
    assert set(run.results[0].keys()) == set(run.results[1].keys())
    assert [x.key for x in p.rows] == list(run.results[1].keys())  # one row per typed key


def test_identical_matched_pairs_and_selected_models(run):
    py, r = run.results
    assert py[K.matching(Q.PAIRS)] == r[K.matching(Q.PAIRS)]
    assert py.matched_ids == r.matched_ids
    for s in Sample:
        sel = K.cox(s, Model.MULTIVARIABLE, Q.SELECTED)
        assert py[sel] == r[sel]


def test_tolerances_come_from_the_harness_table(run):
    """Every compared quantity has an entry in rparity/tolerance.py (there is no other source)."""
    from rparity import tolerance as tol

    for g in run.parity.by_source():
        assert g.tolerance == tol.lookup(g.source.function, g.source.quantity).describe(), g.source
    assert {str(g.source) for g in run.parity.by_source()} >= {"survfit.summary.surv", "coxph.summary.exp_coef",
                                                               "matchit.match_matrix", "study.count"}


def test_r_provenance_is_recorded(run):
    r = run.results[1]
    assert r.provenance and r.provenance[0]["survival"] == "3.5.3" and r.provenance[0]["MatchIt"] == "4.5.1"
    eng = {e["name"]: e for e in run.provenance["engines"]}
    assert eng["r"]["calls"] > 50 and any("MatchIt::matchit" in c for c in eng["r"]["call_list"])


def test_demo_command_with_r(tmp_path, capsys):
    from rparity.cli import main

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    text = (out / "study-results.json").read_text()
    doc = json.loads(text)
    assert doc["parity"]["ran"] and doc["parity"]["ok"] and doc["version"] == 2
    back = loads(text)
    assert back.parity.ok and [r.engine for r in back.results] == ["pyimpl", "r"]
    assert "agrees" in capsys.readouterr().out


def test_documented_matching_against_matchit_451_is_a_known_divergence(tmp_path):
    """compat = "none": pyimpl runs the documented algorithm, R its 4.5.1 build;
    the pairs differ and everything after matching follows, classified as the
    registered divergence, never as agreement or as a new divergence."""
    import fixtures
    from rparity.study import bundled_spec_path, run_study_files

    spec = tmp_path / "documented.toml"
    spec.write_text(bundled_spec_path().read_text().replace('compat = "4.5.1"', 'compat = "none"'))
    run = run_study_files(fixtures.path("study_cohort"), spec, ["pyimpl", "r"], out_dir=tmp_path / "out")
    p = run.parity
    assert p.ok and [k.id for k in p.known] == ["study-matchit-documented-vs-4.5.1"]
    counts = p.counts()
    assert counts["known divergence study-matchit-documented-vs-4.5.1"] > 50 and "new divergence" not in counts
    assert "engine error" not in counts
    py, r = run.results
    assert len(py[K.matching(Q.PAIRS)]) == 27 and len(r[K.matching(Q.PAIRS)]) == 38
    # numbers before matching still agree; only numbers that follow the matching are excused
    assert all(x.classification is Classification.AGREES for x in p.rows if x.key.sample is Sample.BEFORE)
    assert all(x.key.follows_matching for x in p.rows if x.classification is Classification.KNOWN)
    html = run.html_path.read_text()
    assert 'data-parity="accounted"' in html and "study-matchit-documented-vs-4.5.1" in html


def test_variant_spec_agrees_in_both_engines():
    """Other spec choices (chi-square, SMD imbalance, pair-clustered Cox, subgroups
    after matching) also agree number for number."""
    import fixtures
    import rparity
    from rparity.study import compare_results, load_cohort, parse_spec, run_study

    from .test_pipeline import VARIANT

    spec = parse_spec(VARIANT)
    cohort = load_cohort(fixtures.path("study_cohort"), spec)
    a, b = (run_study(rparity.engine(e), cohort, spec) for e in ("pyimpl", "r"))
    assert a.steps == b.steps == {s: StepStatus(StepState.OK) for s in STEP_ORDER}
    p = compare_results(a, b)
    assert p.ok and p.counts() == {"agrees": len(p.rows)}, [(str(x.key), x.detail) for x in p.problems()[:5]]


def test_a_peer_engine_is_classified_by_the_harness_registry(tmp_path):
    """lifelines against R on the bundled study: what lifelines computes either agrees
    or is a registered divergence (its log-log interval, ...); the rest is 'not provided'."""
    pytest.importorskip("lifelines")
    import fixtures
    from rparity.study import bundled_spec_path, run_study_files

    run = run_study_files(fixtures.path("study_cohort"), bundled_spec_path(), ["lifelines", "r"], out_dir=None)
    p = run.parity
    counts = p.counts()
    assert p.ok, [(str(x.key), x.label, x.detail) for x in p.failing()][:5]
    assert counts["agrees"] > 50 and counts["not provided"] > 100
    assert counts.get("known divergence lifelines-km-ci-loglog", 0) > 0
    assert run.results[0].steps[StepId(Step.MATCHING)].state is StepState.NOT_PROVIDED
