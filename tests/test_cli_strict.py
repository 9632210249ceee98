"""A strict command line: no false green, no traceback, nothing half-written.

Every command refuses an unknown name (engine, function, reference, fault)
with exit 2 and the valid names, refuses counts that are not positive, checks
its outputs before any work, and stops on Ctrl-C with exit 130.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rparity.cli import main

BAD = [
    (["check", "--function", "coxhp"], "--function 'coxhp' is not a contract function (did you mean 'coxph'?)"),
    (["check", "--engine", "pyimp"], "unknown engine 'pyimp' (did you mean 'pyimpl'?)"),
    (["check", "--against", "rr"], "unknown engine 'rr' (did you mean 'r'?)"),
    (["check", "--json", "/proc/cannot/x.json"], "--json '/proc/cannot/x.json' cannot be written"),
    (["check", "--report", "/etc/hostname"], "'/etc/hostname' is a file, not a directory"),
    (["check", "--corpus", "/no/such/corpus"], "--corpus '/no/such/corpus' is not a directory"),
    (["fuzz", "--engine", "pyimpl", "--function", "survfit", "--examples", "-5"],
     "argument --examples: must be a positive integer; got -5"),
    (["fuzz", "--engine", "pyimpl", "--function", "survfit", "--examples", "0"],
     "argument --examples: must be a positive integer; got 0"),
    (["fuzz", "--engine", "pyimpl", "--function", "coxph"],
     "--function 'coxph' is not a function this command can run"),
    (["fuzz", "--engine", "pyimpl", "--function", "survfitt"], "(did you mean 'survfit'?)"),
    (["fuzz", "--engine", "nope", "--function", "survfit"], "unknown engine 'nope'"),
    (["fuzz", "--engine", "pyimpl", "--against", "golden", "--function", "survfit"],
     "a fuzz campaign needs a live reference engine"),
    (["faults", "--only", "no-such-fault"], "--only 'no-such-fault' is not a seeded fault"),
    (["golden", "--only", "no/such/case"], "--only 'no/such/case' matches no case id"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_arguments_exit_2_with_one_line_and_no_traceback(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a report directory


def test_nothing_selected_is_never_green(capsys):
    """A check that would compare nothing is refused, not passed."""
    from rparity.check import NothingChecked, run_check

    with pytest.raises(NothingChecked):
        run_check("pyimpl", "golden", cases=[])


def test_the_json_is_written_atomically(tmp_path, monkeypatch):
    """A failure while the JSON is written leaves no file behind (and no temporary)."""
    from rparity import _io

    out = tmp_path / "check.json"

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(_io.os, "replace", broken_replace)
    assert main(["check", "--against", "golden", "--function", "fisher_test", "--json", str(out),
                 "--report", ""]) == 2
    assert list(tmp_path.iterdir()) == []


def test_an_internal_error_is_one_line(monkeypatch, capsys):
    import rparity.check as check

    def boom(*a, **k):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(check, "run_check", boom)
    assert main(["check", "--against", "golden", "--function", "survfit", "--report", ""]) == 2
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: planted" in err and "Traceback" not in err


def test_a_missing_optional_dependency_is_one_line(monkeypatch, capsys):
    import builtins

    real = builtins.__import__

    def no_dask(name, *a, **k):
        if name.startswith(("distributed", "dask")) or name.endswith("distributed") and a and a[2]:
            raise ImportError("No module named 'distributed'")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    for mod in [m for m in sys.modules if m.startswith("rparity.distributed")]:
        monkeypatch.delitem(sys.modules, mod)
    assert main(["check", "--against", "golden", "--function", "survfit", "--report", "", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "need dask" in err and "Traceback" not in err


def test_faults_list_names_every_fault(capsys):
    from rparity.faults import FAULTS

    assert main(["faults", "--list"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert all(f.id in out for f in FAULTS)


def _wait_for(path: Path, timeout: float) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if path.exists() and any(path.rglob("cohort.csv")):
            return True
        time.sleep(0.2)
    return False


def test_ctrl_c_stops_a_fuzz_campaign_saves_what_it_found_and_exits_130(tmp_path):
    """SIGINT early in a campaign (R is not involved: the skewed engine against
    pyimpl finds a divergence at once) stops it: exit 130, findings saved."""
    corpus = tmp_path / "corpus"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rparity.cli", "fuzz", "--engine", "tests.distributed.skewed_engine",
         "--against", "pyimpl", "--function", "survdiff", "--examples", "100000", "--corpus", str(corpus),
         "--seed", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(corpus, 120), "the campaign found nothing to save"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (proc.returncode, out[-2000:], err[-2000:])
    assert "interrupted" in out + err and "Traceback" not in err
    assert any(corpus.rglob("cohort.csv"))


def test_check_json_says_what_was_compared(tmp_path):
    out = tmp_path / "c.json"
    assert main(["check", "--against", "golden", "--function", "survfit_summary", "--json", str(out),
                 "--report", ""]) == 0
    doc = json.loads(out.read_text())
    # survfit_summary is checked inside the survfit cases
    assert {r["function"] for r in doc["rows"]} == {"survfit"}
    assert any(r["quantity"].startswith("summary.") for r in doc["rows"])


def test_engines_lists_each_engine_with_what_it_cannot_do(capsys):
    """Regression: `rparity engines` imported a helper that no longer existed and
    failed with "a package this command needs is not installed"."""
    from rparity.cli import main

    assert main(["engines"]) == 0
    out = capsys.readouterr().out
    assert "pyimpl" in out and "lifelines" in out and "optmatch" in out
