"""Campaigns on local Dask clusters: identical results for 1 and 2 workers and
in-process, a worker killed mid-task, a task that keeps failing, and resume.

The campaign is the skewed engine (tests/distributed/skewed_engine.py) against
pyimpl on survdiff: 4 tasks of 15 inputs, two planted divergences.
"""
from __future__ import annotations

import collections

import pytest

from rparity.distributed import fuzz, fuzz_plan
from rparity.distributed.store import ResultsStore
from rparity.distributed.tasks import fault_id

from .skewed_engine import ENGINE as SKEWED

pytest.importorskip("distributed")

CAMPAIGN = dict(examples=60, task_examples=15, seed=3)


def run(results, **kw):
    return fuzz(SKEWED, "pyimpl", ["survdiff"], results=results, **CAMPAIGN, **kw)


def merged_bytes(r) -> bytes:
    return r.merged_paths["survdiff"].read_bytes()


def plan_of(r):
    code = ResultsStore(r.results / "tasks.jsonl").records()[0]["code"]
    return fuzz_plan(SKEWED, "pyimpl", "survdiff", examples=60, task_examples=15, root_seed=3, code=code)


def arm(faults_dir, key, kind):
    p = faults_dir / f"{fault_id(key)}.{kind}"
    p.touch()
    return p


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The campaign run in this process, one task at a time."""
    r = run(tmp_path_factory.mktemp("ref"))
    assert r.merged["survdiff"]["complete"]
    assert {f["signature"] for f in r.merged["survdiff"]["findings"]} == {"error:(outcome)", "new:chisq"}
    return r


def test_one_and_two_workers_give_the_same_bytes_as_in_process(reference, client1, client2, tmp_path):
    one = run(tmp_path / "one", client=client1)
    two = run(tmp_path / "two", client=client2)
    assert merged_bytes(one) == merged_bytes(reference)
    assert merged_bytes(two) == merged_bytes(reference)
    pids = {r["worker"]["pid"] for r in ResultsStore(two.results / "tasks.jsonl").records()}
    assert len(pids) == 2, "both workers should have run tasks"


def test_a_worker_killed_mid_task_loses_nothing(reference, client2, faults_dir, tmp_path):
    key = plan_of(reference)[1].key
    armed = arm(faults_dir, key, "crash-once")
    pids_before = set(client2.run(lambda: __import__("os").getpid()).values())
    r = run(tmp_path, client=client2)
    assert not armed.exists() and armed.with_suffix(".fired").exists(), "the worker did not crash"
    assert r.stats.failed == 0 and r.stats.done == 4
    assert merged_bytes(r) == merged_bytes(reference)
    recs = ResultsStore(r.results / "tasks.jsonl").records()
    assert sorted(x["index"] for x in recs) == [0, 1, 2, 3]
    # the nanny replaced the dead worker process
    pids_after = set(client2.run(lambda: __import__("os").getpid()).values())
    assert len(pids_after) == 2 and pids_after != pids_before


def test_a_task_that_keeps_failing_is_recorded_and_the_campaign_completes(reference, client2, faults_dir, tmp_path):
    key = plan_of(reference)[2].key
    armed = arm(faults_dir, key, "raise")
    try:
        r = run(tmp_path, client=client2, retries=1)
    finally:
        armed.unlink()
    m = r.merged["survdiff"]
    assert r.stats.done == 3 and r.stats.failed == 1 and not m["complete"]
    assert [(f["task"], f["key"]) for f in m["failed"]] == [(2, key)]
    assert "RuntimeError: injected failure for task 2" in m["failed"][0]["error"]
    # the next run retries only the failed task, and the result is whole
    again = run(tmp_path, client=client2)
    assert (again.stats.reused, again.stats.submitted, again.stats.failed) == (3, 1, 0)
    assert merged_bytes(again) == merged_bytes(reference)


def test_a_task_that_keeps_killing_its_worker_fails_with_the_reason(reference, client2, faults_dir, tmp_path):
    key = plan_of(reference)[0].key
    armed = arm(faults_dir, key, "crash")
    try:
        r = run(tmp_path, client=client2)
    finally:
        armed.unlink()
    m = r.merged["survdiff"]
    assert r.stats.done == 3 and [f["task"] for f in m["failed"]] == [0]
    assert "KilledWorker" in m["failed"][0]["error"]


def test_an_interrupted_campaign_resumes_without_recomputing(reference, client2, tmp_path):
    seen = []

    def stop_after_two(rec):
        seen.append(rec["key"])
        if len(seen) == 2:
            raise KeyboardInterrupt

    first = run(tmp_path, client=client2, on_record=stop_after_two)
    assert first.stats.interrupted and first.stats.done == 2
    assert not first.merged["survdiff"]["complete"]
    second = run(tmp_path, client=client2)
    assert (second.stats.reused, second.stats.submitted, second.stats.done) == (2, 2, 2)
    recs = ResultsStore(second.results / "tasks.jsonl").records()
    assert collections.Counter(r["key"] for r in recs) == collections.Counter({s.key: 1 for s in plan_of(second)})
    assert {r["key"] for r in recs[:2]} == set(seen)
    assert merged_bytes(second) == merged_bytes(reference)
    # a third run has nothing left to do
    third = run(tmp_path, client=client2)
    assert (third.stats.reused, third.stats.submitted) == (4, 0)
    assert merged_bytes(third) == merged_bytes(reference)
