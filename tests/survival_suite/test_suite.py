"""R survival's own test suite (survival 3.5-3 tests/), replayed.

The captured calls carry R's numbers (fixtures/survival_suite): pyimpl is
judged against them without R; the R engine is judged against them with R
(which checks rbridge and the capture); seeded faults show the replay fails
when an engine is wrong.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import fixtures.survival_suite as suite
from rparity.cli import main
from rparity.faults import by_id, fault_engine
from rparity.suite import FAILURES, Status, replay_call, run_suite

SCRIPTS = suite.script_names()


def _failures(results):
    return [f"{v.id} {v.status.value}: {v.reason}\n    {v.call}" for s in results for v in s.calls
            if v.status in FAILURES]


@pytest.mark.parametrize("script", SCRIPTS)
def test_pyimpl_reproduces_r_on_each_script(script):
    [res] = run_suite("pyimpl", [script])
    assert not _failures([res]), "\n".join(_failures([res]))


def test_the_replay_compares_numbers():
    """A call that agrees was compared quantity by quantity (not vacuously)."""
    results = run_suite("pyimpl", SCRIPTS)
    agreed = [v for s in results for v in s.calls if v.status is Status.AGREE]
    assert len(agreed) > 700
    compared = [v for v in agreed if v.rows]
    assert len(compared) == len([v for v in agreed if not v.reason.startswith("both refuse")])
    assert sum(len(v.rows) for v in compared) > 5000
    functions = {v.function for v in compared}
    assert functions >= {"coxph", "survfit", "survdiff", "survfit_cox", "coxph_residuals", "coxph_predict",
                         "cox_zph", "coxph_detail", "survreg", "survreg_predict", "survreg_residuals"}


@pytest.mark.r
def test_r_engine_reproduces_the_captured_r_numbers():
    """rbridge re-runs each call in R from the captured data: the same numbers
    as the script's own run (checks the capture and the R engine), and at
    least every call pyimpl reproduces."""
    r = run_suite("r", SCRIPTS)
    assert not _failures(r), "\n".join(_failures(r))
    py = {v.id: v.status for s in run_suite("pyimpl", SCRIPTS) for v in s.calls}
    behind = [v.id for s in r for v in s.calls if py[v.id] is Status.AGREE and v.status is not Status.AGREE]
    assert not behind


# one planted fault per replayed function: the replay must catch it
CAUGHT = ["coxph-coef-1e-8", "coxph-refuses-one-stratum", "coxph-accepts-single-cluster",
          "survfit-surv-1e-11", "survfit-drops-std-chaz", "survfit-short-strata-labels", "survfit-ctype-ignored",
          "survdiff-chisq-1e-10", "survdiff-pvalue-1e-10",
          "survdiff-accepts-one-group", "survdiff-formula-short-labels", "coxph-n-dropped",
          "coxph-drops-infinite-warning", "cox-zph-chisq", "residuals-values-1e-8",
          "residuals-collapse-unsorted", "predict-se-1e-8", "survfit-cox-surv-1e-8", "detail-imat-1e-8",
          "survfit-ms-se-without-dh", "survfit-ms-pstate-1e-11",
          "survreg-no-step-halving", "survreg-left-as-right-censored", "survreg-interval-as-right-censored",
          "survreg-residuals-ds-without-minus-one", "survreg-predict-quantile-se-fixed-scale",
          "survreg-na-exclude-unpadded", "survreg-intercept-always"]


def _replayed_as(c) -> str:
    """survfit on a factor status (R's survfitms) is replayed as survfit_ms."""
    if c.function == "survfit" and c.result is not None and c.result.get("kind") == "survfitms":
        return "survfit_ms"
    return c.function


def _scripts_calling(function: str, limit: int = 12) -> list[str]:
    out = []
    for name in SCRIPTS:
        s = suite.load(name)
        if any(_replayed_as(c) == function and c.result is not None for c in s.calls):
            out.append(name)
    return out[:limit] if function != "survdiff" else out


@pytest.mark.parametrize("fault_id", CAUGHT)
def test_seeded_fault_is_caught(fault_id):
    fault = by_id(fault_id)
    scripts = _scripts_calling(fault.function if fault.function != "coxph_summary" else "coxph")
    results = run_suite(fault_engine(fault), scripts)
    assert _failures(results), f"fault {fault_id} ({fault.description}) went unnoticed by the suite replay"


class _AcceptsEverything:
    """pyimpl, except that a refusal becomes an empty answer (what R refuses, accepted)."""

    def __init__(self):
        import rparity

        self._eng = rparity.engine("pyimpl")

    def __getattr__(self, name):
        return getattr(self._eng, name)


def test_a_call_r_refuses_and_the_engine_answers_is_a_failure():
    s = suite.load("book7.R")
    call = next(c for c in s.calls if c.function == "coxph" and c.result is not None)
    refused = dataclasses.replace(call, result=None, error="Invalid status value")
    v = replay_call(_AcceptsEverything(), refused)
    assert v.status is Status.ACCEPTED and "Invalid status value" in v.reason


def test_a_differing_number_is_reported_with_the_quantity():
    s = suite.load("book1.R")
    call = next(c for c in s.calls if c.function == "coxph" and c.result is not None and "coef" in c.result)
    off = dict(call.result)
    off["coef"] = np.atleast_1d(off["coef"]) + 1e-6
    v = replay_call(_AcceptsEverything(), dataclasses.replace(call, result=off))
    assert v.status is Status.DIFFER and v.reason.startswith("coef")


# ---- the captured files -------------------------------------------------------
def test_book1_data_decode_exactly():
    """test1 of book1.R (Therneau & Grambsch's appendix), bit for bit."""
    s = suite.load("book1.R")
    c = next(c for c in s.calls if c.function == "coxph")
    assert list(c.data["time"]) == [9.0, 3.0, 1.0, 1.0, 6.0, 6.0, 8.0]
    assert np.isnan(c.data["status"][1]) and list(c.data["x"]) == [0.0, 2.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert c.args["method"] == "breslow" and c.args["na.action"] == "na.exclude"
    assert s.survival_version == "3.5.3"


def test_factors_keep_r_levels():
    s = suite.load("difftest.R")
    frames = [c.data for c in s.calls if c.data is not None]
    cats = [d[col] for d in frames for col in d.columns if str(d[col].dtype) == "category"]
    assert cats and list(cats[0].cat.categories) == ["Maintained", "Nonmaintained"]


def test_unknown_script_is_a_clear_error():
    with pytest.raises(KeyError, match="no captured script 'nope.R'"):
        suite.load("nope.R")


# ---- the command ------------------------------------------------------------
def test_cli_table_and_exit(capsys):
    assert main(["suite", "--script", "book1.R", "--script", "book3.R"]) == 0
    out = capsys.readouterr().out
    assert "| book1.R |" in out and "| **all** |" in out


def test_cli_json(capsys):
    assert main(["suite", "--script", "detail.R", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc[0]["script"] == "detail.R" and doc[0]["counts"]["agree"] >= 1


def test_cli_unknown_script_exits_2(capsys):
    assert main(["suite", "--script", "nope.R"]) == 2
    assert "not a captured script" in capsys.readouterr().err


def test_cli_fails_on_a_faulty_engine(capsys):
    assert main(["suite", "--engine", "rparity.faults:coxph_coef_1e_8", "--script", "book1.R"]) == 1


def test_the_documented_table_is_current():
    """docs/survival-suite.md is `rparity suite --doc`: regenerate it when this fails."""
    from pathlib import Path

    from rparity.suite import render_doc

    doc = Path(__file__).resolve().parents[2] / "docs" / "survival-suite.md"
    assert doc.read_text() == render_doc(run_suite("pyimpl", SCRIPTS)) + "\n", \
        "docs/survival-suite.md is stale: rparity suite --doc > docs/survival-suite.md"
