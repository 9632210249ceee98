"""Parity reports (Markdown and HTML) and check's JSON."""
import json

import pytest

from rparity.check import run_check
from rparity.parity_report import write_reports


@pytest.mark.r
def test_lifelines_report_classifies_every_difference(tmp_path):
    rep = run_check("lifelines", "r", functions=["survfit", "survdiff"])
    classes = {r.classification for r in rep.rows}
    assert "new divergence" not in classes and "engine error" not in classes, classes
    assert any(c.startswith("known divergence lifelines-km-ci-loglog") for c in classes)
    md, html = write_reports(rep, tmp_path, corpus_dir="tests/corpus")
    text = md.read_text()
    assert "| survfit | `lower` |" in text and "known divergence lifelines-km-ci-loglog" in text
    assert "exponential Greenwood" in text  # the explanation travels with the divergence
    assert "Smallest fixture case:" in text and "Smallest cohort found by fuzzing" in text
    assert html.read_text().startswith("<!doctype html>")


@pytest.mark.r
def test_statsmodels_report_classifies_every_difference(tmp_path):
    rep = run_check("statsmodels", "r", functions=["survfit", "survdiff"])
    classes = {r.classification for r in rep.rows}
    assert "new divergence" not in classes and "engine error" not in classes, classes
    assert rep.ok
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
