"""The MatchIt version matrix (``rparity study --matchit``): per version, per seed,
the settings sweep; the CLI and the report."""
from __future__ import annotations

import json

import numpy as np
import pytest

import fixtures
from rparity.cli import main
from rparity.study import bundled_spec_path
from rparity.study.cohort import load_cohort
from rparity.study.errors import StudyInputError
from rparity.study.spec import load_spec
from rparity.study.versions import draws_at_random, parse_versions, run_versions, seed_chunk

COHORT = str(fixtures.path("study_cohort"))
SPEC = str(bundled_spec_path())


@pytest.fixture(scope="module")
def inputs():
    spec = load_spec(SPEC)
    return load_cohort(COHORT, spec), spec


@pytest.fixture(scope="module")
def matrix(inputs):
    cohort, spec = inputs
    return run_versions(cohort, spec, ["3.0.2", "4.5.1", "documented"], seeds=6, sweep=False)


@pytest.mark.parametrize("text,msg", [
    ("3.0.1", "unknown MatchIt version '3.0.1'"), ("4.5.1,4.5.1", "given twice"), (" , ", "names no version"),
])
def test_parse_versions_refuses(text, msg):
    with pytest.raises(StudyInputError, match=msg):
        parse_versions(text)


def test_parse_versions():
    assert parse_versions("documented, 3.0.2") == ("documented", "3.0.2")
    assert draws_at_random("3.0.2", "largest") and draws_at_random("4.5.1", "random")
    assert not draws_at_random("documented", "largest")


def test_each_version_matches_the_bundled_cohort(matrix):
    """The spec's settings (1:1, caliper 0.2 SD of the logit, largest first) per version
    on the synthetic cohort: measured, and the same as ../shared/specs/matchit-3.0.2.md's
    account (3.0.2 on the probability scale gives 26 there; the spec uses the logit)."""
    rows = {r.version: r for r in matrix.versions}
    assert rows["3.0.2"].n == {"immuno": 27, "surgery": 27}
    assert rows["4.5.1"].n == {"immuno": 38, "surgery": 38}
    assert rows["documented"].n == {"immuno": 27, "surgery": 27}
    for r in rows.values():
        assert len(r.pairs) == r.n["immuno"] and r.error is None
        assert np.isfinite(r.hr_after) and 0 <= r.max_abs_smd < 1
    # overlap: a pair is "treated:control"; Jaccard of the pair sets
    for a, b, shared, jac in matrix.overlap:
        pa, pb = rows[a].pairs, rows[b].pairs
        assert shared == len(pa & pb) and jac == pytest.approx(shared / len(pa | pb))
    assert matrix.published_pairs == 23 and matrix.published_hr == pytest.approx(4.441)


def test_seed_distribution_is_the_per_seed_runs(matrix, inputs):
    cohort, spec = inputs
    (dist,) = matrix.seeds  # only 3.0.2 draws at random with the spec's settings
    assert dist.version == "3.0.2" and len(dist.seeds) == 6 and dist.seeds[0] == spec.seed
    again = seed_chunk(cohort, spec, "3.0.2", dist.seeds[2:4])
    assert [n for n, _ in again] == dist.n_pairs[2:4].tolist()
    np.testing.assert_array_equal([h for _, h in again], dist.hr[2:4])
    # the row above is the first seed's run
    row = next(r for r in matrix.versions if r.version == "3.0.2")
    assert row.seed == dist.seeds[0] and row.hr_after == dist.hr[0]
    assert dist.share_published_pairs == float(np.mean(dist.n_pairs == 23))


def test_sweep_finds_the_settings_of_the_published_sample(inputs):
    """On the synthetic cohort 3.0.2 with a caliper of 0.05 SD of the logit matches the
    paper's 23 pairs for every seed tried (a property of this cohort, measured)."""
    cohort, spec = inputs
    vm = run_versions(cohort, spec, ["3.0.2"], seeds=3)
    hits = {(r.link, r.m_order, r.caliper): r.n_pairs for r in vm.consistent_settings()}
    assert hits[("linear.logit", "largest", 0.05)] == (23, 23, 23)
    # every combination tried is there, consistent or not
    assert len(vm.sweep) == 2 * 3 * 8
    no_cal = next(r for r in vm.sweep if r.link == "logit" and r.m_order == "largest" and r.caliper is None)
    assert no_cal.n_pairs == (59, 59, 59)  # no caliper: every treated unit finds a control


def test_3_0_2_options_it_lacks(inputs):
    import dataclasses

    cohort, spec = inputs
    atc = dataclasses.replace(spec, matching=dataclasses.replace(spec.matching, estimand="ATC"))
    with pytest.raises(StudyInputError, match="MatchIt 3.0.2 has no estimand"):
        run_versions(cohort, atc, ["3.0.2"], seeds=1, sweep=False)
    with pytest.raises(StudyInputError, match="`--seeds` must be at least 1"):
        run_versions(cohort, spec, ["3.0.2"], seeds=0)


def test_workers_give_the_serial_result(inputs):
    cohort, spec = inputs
    a = run_versions(cohort, spec, ["3.0.2"], seeds=4, sweep=False)
    b = run_versions(cohort, spec, ["3.0.2"], seeds=4, sweep=False, workers=2)
    assert a.seeds[0].n_pairs.tolist() == b.seeds[0].n_pairs.tolist()
    np.testing.assert_array_equal(a.seeds[0].hr, b.seeds[0].hr)


def test_cli_writes_the_matrix(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["study", COHORT, "--spec", SPEC, "--engines", "pyimpl", "--out", str(out),
                 "--matchit", "3.0.2,documented", "--seeds", "3", "--no-sweep"]) == 0
    printed = capsys.readouterr().out
    assert "MatchIt 3.0.2: matched 27 + 27" in printed and "3.0.2 over 3 seeds" in printed
    html = (out / "study-report.html").read_text()
    assert 'id="versions"' in html and "MatchIt 3.0.2 (R 3.4.3" in html
    assert 'alt="Matched pairs and hazard ratio over the seeds' in html  # the seed distribution's figure
    doc = json.loads((out / "study-results.json").read_text())
    mv = doc["matchit_versions"]
    assert [v["version"] for v in mv["versions"]] == ["3.0.2", "documented"]
    assert len(mv["seeds"][0]["n_pairs"]) == 3 and mv["published"]["pairs"] == 23
    from rparity.study.document import loads

    assert loads((out / "study-results.json").read_text()).matchit_versions["published"]["pairs"] == 23


@pytest.mark.parametrize("flags,msg", [
    (["--matchit", "2.4"], "unknown MatchIt version"),
    (["--matchit", "3.0.2", "--seeds", "0"], "`--seeds` must be at least 1"),
    (["--matchit", "3.0.2", "--workers", "0"], "`--workers` must be at least 1"),
])
def test_cli_bad_version_flags(tmp_path, capsys, flags, msg):
    out = tmp_path / "r"
    assert main(["study", COHORT, "--spec", SPEC, "--engines", "pyimpl", "--out", str(out), *flags]) == 2
    assert msg in capsys.readouterr().err
    assert not out.exists()
