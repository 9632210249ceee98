"""Campaigns against R on local Dask clusters: each worker process has its own R.

1 and 2 workers give byte-identical merged results, also when a worker (and
its R) is killed in the middle of a task.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from rparity.distributed import fuzz, fuzz_plan
from rparity.distributed.store import ResultsStore
from rparity.distributed.tasks import fault_id
from rparity.distributed.worker import r_status

from .skewed_engine import ENGINE as SKEWED

pytest.importorskip("distributed")
pytestmark = pytest.mark.r


def run_against_r(engine, functions, results, client, examples=60, task_examples=15, seed=3):
    return fuzz(engine, "r", functions, examples=examples, task_examples=task_examples, seed=seed,
                results=results, client=client)


@pytest.fixture(scope="module")
def skewed_one(client1, tmp_path_factory):
    return run_against_r(SKEWED, ["survdiff"], tmp_path_factory.mktemp("one"), client1)


def test_one_and_two_workers_agree_against_r(client1, client2, tmp_path, skewed_one):
    m = skewed_one.merged["survdiff"]
    assert m["complete"] and {f["signature"] for f in m["findings"]} == {"error:(outcome)", "new:chisq"}
    assert m["versions"]["survival"]
    client2.wait_for_workers(2, timeout=120)  # a worker killed by an earlier test may still be restarting
    two = run_against_r(SKEWED, ["survdiff"], tmp_path / "two", client2)
    assert two.merged_paths["survdiff"].read_bytes() == skewed_one.merged_paths["survdiff"].read_bytes()
    recs = ResultsStore(two.results / "tasks.jsonl").records()
    assert len({r["worker"]["pid"] for r in recs}) == 2
    assert all(r["worker"]["r"].startswith("R version") for r in recs)
    for client in (client1, client2):  # each worker process started its own R, once
        status = client.run(r_status)
        assert all(s["available"] and s["versions"]["survival"] for s in status.values())
        assert len({s["pid"] for s in status.values()}) == len(status)

    a = run_against_r("pyimpl", ["survfit", "survdiff"], tmp_path / "py1", client1, examples=40, task_examples=10)
    b = run_against_r("pyimpl", ["survfit", "survdiff"], tmp_path / "py2", client2, examples=40, task_examples=10)
    for fn in ("survfit", "survdiff"):
        assert a.merged[fn]["complete"] and a.merged[fn]["examples_run"] == 40
        assert a.merged[fn]["findings"] == [], "pyimpl agrees with R"
        assert a.merged_paths[fn].read_bytes() == b.merged_paths[fn].read_bytes()


def test_a_worker_killed_with_its_r_in_the_middle_of_a_task_loses_nothing(client2, faults_dir, tmp_path,
                                                                            skewed_one):
    """SIGKILL from outside, while the worker is running a task."""
    code = ResultsStore(skewed_one.results / "tasks.jsonl").records()[0]["code"]
    key = fuzz_plan(SKEWED, "r", "survdiff", examples=60, task_examples=15, root_seed=3, code=code)[2].key
    hold, running = (faults_dir / f"{fault_id(key)}{ext}" for ext in (".hold", ".running"))
    hold.touch()
    client2.wait_for_workers(2, timeout=120)  # a worker killed by an earlier test may still be restarting
    workers = set(client2.run(os.getpid).values())
    out = {}
    t = threading.Thread(target=lambda: out.update(r=run_against_r(SKEWED, ["survdiff"], tmp_path, client2)))
    t.start()
    try:
        deadline = time.monotonic() + 120
        while not running.exists():
            assert time.monotonic() < deadline, "the task never started"
            time.sleep(0.05)
        time.sleep(0.2)
        pid = int(running.read_text())
        assert pid in workers
        os.kill(pid, signal.SIGKILL)
    finally:
        hold.unlink()
        t.join(timeout=300)
    r = out["r"]
    assert r.stats.done == 4 and r.stats.failed == 0
    assert r.merged_paths["survdiff"].read_bytes() == skewed_one.merged_paths["survdiff"].read_bytes()
    assert pid not in set(client2.run(os.getpid).values())  # the nanny replaced the process
