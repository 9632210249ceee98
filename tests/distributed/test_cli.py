"""``rparity fuzz`` and ``rparity check`` with --workers / --scheduler."""
from __future__ import annotations

import json

import pytest

from rparity.cli import main

from .skewed_engine import ENGINE as SKEWED

pytest.importorskip("distributed")

FUZZ = ["fuzz", "--engine", SKEWED, "--against", "pyimpl", "--function", "survdiff", "--examples", "60",
        "--task-examples", "15", "--seed", "3"]


def merged(results):
    (path,) = results.glob("fuzz/*/seed-3/survdiff.json")
    return path


def test_fuzz_on_local_workers_then_on_a_scheduler(client2, tmp_path, capsys):
    local = tmp_path / "local"
    assert main([*FUZZ, "--workers", "1", "--results", str(local), "--corpus", str(tmp_path / "corpus")]) == 1
    out = capsys.readouterr().out
    assert "root seed 3" in out and "1 local worker(s)" in out
    assert "tasks: 4 planned, 0 reused" in out and "new:chisq" in out and "error:(outcome)" in out
    assert len(list((tmp_path / "corpus").glob("*/survdiff/*/cohort.csv"))) == 2
    doc = json.loads(merged(local).read_text())
    assert doc["complete"] and doc["examples_run"] == 60

    remote = tmp_path / "remote"
    addr = client2.scheduler.address
    assert main([*FUZZ, "--scheduler", addr, "--results", str(remote), "--corpus", str(tmp_path / "c2")]) == 1
    assert merged(remote).read_bytes() == merged(local).read_bytes()
    # resumed: nothing recomputed
    assert main([*FUZZ, "--scheduler", addr, "--results", str(remote), "--corpus", str(tmp_path / "c2")]) == 1
    assert "tasks: 4 planned, 4 reused" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["check", "--workers", "0"], "argument --workers: must be a positive integer; got 0"),
    ([*FUZZ, "--workers", "2", "--task-examples", "0"], "argument --task-examples: must be a positive integer; got 0"),
    (["check", "--workers", "1", "--results", "/proc/x"], "--results '/proc/x' cannot be written"),
])
def test_bad_distributed_arguments_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_a_results_directory_in_use_exits_2_with_one_line(tmp_path, capsys):
    from rparity.distributed.store import ResultsStore

    with ResultsStore(tmp_path / "check" / "pyimpl-vs-golden" / "tasks.jsonl"):
        assert main(["check", "--function", "survdiff", "--against", "golden", "--report", "", "--workers", "1",
                     "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "another rparity run is writing" in err and "Traceback" not in err


def test_workers_and_scheduler_exclude_each_other(capsys):
    assert main(["check", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.r
def test_check_on_a_scheduler_writes_the_serial_json(client2, tmp_path):
    serial, dist = tmp_path / "serial.json", tmp_path / "dist.json"
    assert main(["check", "--function", "survdiff", "--json", str(serial), "--report", ""]) == 0
    assert main(["check", "--function", "survdiff", "--json", str(dist), "--report", "",
                 "--scheduler", client2.scheduler.address, "--results", str(tmp_path / "res")]) == 0
    assert dist.read_bytes() == serial.read_bytes()
