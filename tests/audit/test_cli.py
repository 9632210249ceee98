"""``rparity audit`` command line: exit codes, --json, rendering (rparity.audit.cli)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rparity.audit.cli import main

EX = Path(__file__).resolve().parents[2] / "examples" / "audit"


@pytest.mark.parametrize("name, status", [("consistent", 0), ("inconsistent", 1), ("cannot-tell", 0),
                                          ("unreadable", 2), ("study-paper", 1), ("claims-and-layout", 0)])
def test_exit_status_of_the_examples(name, status, capsys):
    assert main([str(EX / f"{name}.toml"), "--no-color"]) == status
    out = capsys.readouterr().out
    assert "exit status" in out


@pytest.mark.parametrize("name, verdicts", [
    ("consistent", {"consistent"}),
    ("inconsistent", {"inconsistent", "consistent", "other test"}),
    ("cannot-tell", {"cannot tell"}),
    ("unreadable", {"unreadable", "consistent"}),
    ("claims-and-layout", {"consistent", "other test"}),
])
def test_example_verdicts(name, verdicts, capsys):
    main([str(EX / f"{name}.toml"), "--json", "-"])
    d = json.loads(capsys.readouterr().out)
    assert {e["verdict"] for e in d["entries"]} == verdicts
    if name == "inconsistent":
        # every entry is inconsistent except the correct percentages of row 1 and
        # the rows whose p-values are Pearson's under a Fisher claim ("other test")
        ok = [e["label"] for e in d["entries"] if e["verdict"] == "consistent"]
        assert ok and all(label.startswith("Row 1:") for label in ok)
        other = [e for e in d["entries"] if e["verdict"] == "other test"]
        assert other and all(e["kind"] == "contingency" and e["table"] == "wrong-test" for e in other)
        trunc = [e for e in d["entries"] if e["label"].startswith("two of seven")]
        assert trunc[0]["verdict"] == "inconsistent" and "truncated, not rounded" in trunc[0]["message"]
    if name == "claims-and-layout":
        other = [e["label"] for e in d["entries"] if e["verdict"] == "other test"]
        assert other == ["Small row, Pearson's p"]
        notes = " ".join(e["message"] for e in d["entries"])
        assert "largest-remainder" in notes and "left out of the tests" in notes
    if name == "unreadable":
        assert [e["label"] for e in d["entries"] if e["verdict"] == "consistent"] == ["37 of 59 (A)"]


def test_json_to_a_file(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main([str(EX / "inconsistent.toml"), "--json", str(out), "--no-color"]) == 1
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["exit_status"] == 1 and d["path"].endswith("inconsistent.toml")
    assert any(f.startswith("TABLE-LEVEL") for t in d["tables"] for f in t["findings"])
    assert "TABLE-LEVEL" in capsys.readouterr().out


def test_usage_errors(tmp_path, capsys):
    assert main([]) == 2
    assert main(["--bogus", str(EX / "consistent.toml")]) == 2
    assert main([str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("title = \n", encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main([str(EX / "consistent.toml"), "--km-node-budget", "0"]) == 2
    assert main([str(EX / "consistent.toml"), "--json", str(tmp_path / "no" / "dir.json")]) == 2


def test_help(capsys):
    assert main(["--help"]) == 0
    assert "REPORTED.toml" in capsys.readouterr().out


def test_options_from_the_command_line(capsys):
    main([str(EX / "consistent.toml"), "--williams", "--json", "-"])
    d = json.loads(capsys.readouterr().out)
    assert d["settings"]["g_williams"] is True
    main([str(EX / "inconsistent.toml"), "--km-node-budget", "1", "--json", "-"])
    d = json.loads(capsys.readouterr().out)
    km = [e for e in d["entries"] if e["kind"] == "landmark"]
    assert [e["verdict"] for e in km] == ["inconsistent", "cannot tell"]  # the first is decided at the root


def test_rendered_table_shows_intervals_and_marks(capsys):
    main([str(EX / "inconsistent.toml"), "--no-color"])
    out = capsys.readouterr().out
    assert "[0.0245, 0.0255]" in out and "fisher* 0.05355 ✗" in out and "chisq 0.02516 ✓" in out
