"""Parity reports (Markdown and HTML) and check's JSON."""
import json

import pytest

from rparity.check import run_check
from rparity.parity_report import write_reports
from rparity_contract.verdicts import Classification


@pytest.mark.r
def test_lifelines_report_classifies_every_difference(tmp_path):
    rep = run_check("lifelines", "r", functions=["survfit", "survdiff"])
    failing = [r for r in rep.rows if r.classification.failing]
    assert not failing, [(r.case, r.quantity, r.detail) for r in failing]
    assert "known divergence lifelines-km-ci-loglog" in {r.label for r in rep.rows}
    md, html = write_reports(rep, tmp_path, corpus_dir="tests/corpus")
    text = md.read_text()
    assert "| survfit | `lower` |" in text and "known divergence lifelines-km-ci-loglog" in text
    assert "exponential Greenwood" in text  # the explanation travels with the divergence
    assert "Smallest fixture case:" in text and "Smallest cohort found by fuzzing" in text
    assert html.read_text().startswith("<!doctype html>")


@pytest.mark.r
def test_statsmodels_report_classifies_every_difference(tmp_path):
    """Everything is explained except what statsmodels really does wrong: it
    fails on data without any event, where R answers (an engine error is never a
    known divergence, so the check says so and exits 1)."""
    rep = run_check("statsmodels", "r", functions=["survfit", "survdiff"])
    failing = {(r.case, r.quantity, r.classification) for r in rep.rows if r.classification.failing}
    assert failing == {("survfit/edge-no-events", "(outcome)", Classification.ENGINE_ERROR),
                       ("survdiff/edge-no-events", "(outcome)", Classification.ENGINE_ERROR)}
    assert not rep.ok
    md, _ = write_reports(rep, tmp_path)
    assert "statsmodels-quantile-rules" in md.read_text()


def test_pyimpl_report_against_golden_is_all_agreement(tmp_path):
    rep = run_check("pyimpl", "golden", functions=["survdiff", "fisher_test"])
    assert rep.all_agree
    out = tmp_path / "c.json"
    rep.write_json(out)
    doc = json.loads(out.read_text())
    assert doc["ok"] and doc["classifications"] == {"agrees": len(rep.rows)}
    md, _ = write_reports(rep, tmp_path)
    assert "## Divergences" not in md.read_text()
