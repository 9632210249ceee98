"""The bundled study in pyimpl and R: every step runs in both, every number agrees."""
from __future__ import annotations

import json

import pytest

from rparity.study.pipeline import STEP_ORDER

from .conftest import demo_run

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def run():
    return demo_run(("pyimpl", "r"))


def test_every_step_runs_in_both_engines(run):
    py, r = run.results
    assert (py.engine, r.engine) == ("pyimpl", "r")
    expected = {s: "ok" for s in STEP_ORDER if s != "subgroups.after"}
    assert py.steps == expected and r.steps == expected


def test_every_number_agrees(run):
    p = run.parity
    assert p.ran and p.ok, [(x.key, x.detail, x.max_rel) for x in p.problems()[:10]]
    assert p.counts() == {"agrees": len(p.rows)}
    assert len(p.rows) > 700
    assert set(run.results[0].keys()) == set(run.results[1].keys())


def test_identical_matched_pairs_and_selected_models(run):
    py, r = run.results
    assert py["matching.pairs"] == r["matching.pairs"]
    assert py.matched_ids == r.matched_ids
    for s in ("before", "after"):
        assert py[f"cox.{s}.multivariable.selected"] == r[f"cox.{s}.multivariable.selected"]


def test_tolerances_come_from_the_harness_table(run):
    """Every compared quantity has an entry in rparity/tolerance.py (no api.md fallback)."""
    fallbacks = [g["source"] for g in run.parity.by_source() if g["tolerance_from"] == "api.md default"]
    assert fallbacks == []


def test_r_provenance_is_recorded(run):
    r = run.results[1]
    assert r.provenance and r.provenance[0]["survival"] == "3.5.3" and r.provenance[0]["MatchIt"] == "4.5.1"
    eng = {e["name"]: e for e in run.provenance["engines"]}
    assert eng["r"]["calls"] > 50 and any("MatchIt::matchit" in c for c in eng["r"]["call_list"])


def test_demo_command_with_r(tmp_path, capsys):
    from rparity.cli import main

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    doc = json.loads((out / "study-results.json").read_text())
    assert doc["parity"]["ran"] and doc["parity"]["ok"]
    assert "agrees" in capsys.readouterr().out
