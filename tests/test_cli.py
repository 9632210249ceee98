"""The command line: exit codes and machine-readable output."""
import json

import pytest

from rparity.cli import main


def test_check_against_golden_writes_json(tmp_path, capsys):
    out = tmp_path / "check.json"
    code = main(["check", "--against", "golden", "--function", "survfit", "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["ok"] is True and doc["against"] == "golden"
    assert doc["reference_versions"]["survival"] == "3.5.3"
    assert {r["function"] for r in doc["rows"]} == {"survfit"}
    assert all(r["verdict"] == "agree" for r in doc["rows"])
    printed = capsys.readouterr().out
    assert "Compared against R version 4.2.2" in printed


@pytest.mark.r
def test_check_live_r_all_agree(tmp_path):
    out = tmp_path / "check.json"
    assert main(["check", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["against"] == "r" and doc["counts"].get("agree", 0) > 500


def test_usage_error_exits_2(capsys):
    assert main(["check", "--no-such-flag"]) == 2
    assert main([]) == 2


def test_golden_check_reports_up_to_date(capsys):
    assert main(["golden", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
