"""Merging a campaign's task records: deterministic whatever the arrival order."""
from __future__ import annotations

import itertools
import json

import pytest

from rparity.distributed.merge import campaign_result, merge_fuzz
from rparity.distributed.plan import fuzz_plan

from .skewed_engine import ENGINE as SKEWED

PLAN = fuzz_plan("eng", "ref", "survdiff", examples=30, task_examples=10, root_seed=5, code="0" * 64)


def finding(sig, n_rows, tag):
    csv = "time,event,group\n" + "".join(f"{i},1,a\n" for i in range(n_rows))
    return {"signature": sig, "n_rows": n_rows, "params": {"tag": tag}, "data_csv": csv, "classification": [],
            "outcomes": {"engine": {}, "reference": {}}}


def done(spec, findings, examples_run=None):
    return {"key": spec.key, "status": "done", "examples_run": spec.examples if examples_run is None else examples_run,
            "comparisons": 2 * spec.examples, "versions": {"ref": f"v{spec.index}"}, "findings": findings}


RECORDS = {
    PLAN[0].key: done(PLAN[0], [finding("known:k", 5, "t0"), finding("new:chisq", 4, "t0")]),
    PLAN[1].key: done(PLAN[1], [finding("new:chisq", 3, "t1a"), finding("error:(outcome)", 2, "t1")]),
    PLAN[2].key: done(PLAN[2], [finding("new:chisq", 3, "t2"), finding("known:k", 5, "t2")]),
}


def dumps(merged):
    return json.dumps(merged, indent=1)


def test_smallest_input_wins_ties_to_the_lower_task():
    m = merge_fuzz(PLAN, RECORDS, task_examples=10)
    got = {f["signature"]: (f["task"], f["n_rows"], f["params"]["tag"], f["found_in"]) for f in m["findings"]}
    assert got == {"new:chisq": (1, 3, "t1a", [0, 1, 2]), "known:k": (0, 5, "t0", [0, 2]),
                   "error:(outcome)": (1, 2, "t1", [1])}
    assert [f["signature"] for f in m["findings"]] == ["error:(outcome)", "new:chisq", "known:k"]
    assert m["examples_run"] == 30 and m["comparisons"] == 60 and m["complete"]
    assert m["versions"] == {"ref": "v0"} and m["failed"] == []


def test_arrival_order_does_not_matter():
    ref = dumps(merge_fuzz(PLAN, RECORDS, task_examples=10))
    for perm in itertools.permutations(RECORDS.items()):
        assert dumps(merge_fuzz(list(reversed(PLAN)), dict(perm), task_examples=10)) == ref


def test_failed_and_pending_tasks_are_reported():
    records = {PLAN[0].key: RECORDS[PLAN[0].key],
               PLAN[2].key: {"key": PLAN[2].key, "status": "failed", "error": "KilledWorker: boom"}}
    m = merge_fuzz(PLAN, records, task_examples=10)
    assert not m["complete"] and m["tasks_done"] == 1
    assert [t["status"] for t in m["tasks"]] == ["done", "pending", "failed"]
    assert m["failed"] == [{"task": 2, "key": PLAN[2].key, "error": "KilledWorker: boom"}]
    assert {f["signature"] for f in m["findings"]} == {"known:k", "new:chisq"}


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """A small campaign of the skewed engine run here, one task at a time."""
    from rparity.distributed import fuzz

    root = tmp_path_factory.mktemp("inproc")
    run = fuzz(SKEWED, "pyimpl", ["survdiff"], examples=60, task_examples=15, seed=3, results=root / "results",
               corpus=root / "corpus")
    return run


def test_an_in_process_campaign_finds_and_shrinks_the_planted_faults(in_process):
    m = in_process.merged["survdiff"]
    assert m["complete"] and m["examples_run"] == 60 and m["comparisons"] > 60
    sigs = {f["signature"]: f for f in m["findings"]}
    assert set(sigs) == {"error:(outcome)", "new:chisq"}
    assert all(f["n_rows"] <= 3 for f in sigs.values())
    rows = {r["quantity"]: r for r in sigs["new:chisq"]["classification"]}
    assert rows["chisq"]["classification"] == "new divergence"
    assert 9e-7 < rows["chisq"]["max_rel"] < 1.1e-6
    res = in_process.campaigns["survdiff"]
    assert {f.signature for f in res.new} == set(sigs)
    for f in res.findings:
        assert (f.path / "cohort.csv").exists() and len(f.data) == sigs[f.signature]["n_rows"]


def test_the_merged_file_is_the_merge_of_the_stored_records(in_process):
    from rparity.distributed.store import ResultsStore

    store = ResultsStore(in_process.results / "tasks.jsonl")
    recs = store.records()
    assert len(recs) == 4 and len({r["key"] for r in recs}) == 4
    plan = fuzz_plan(SKEWED, "pyimpl", "survdiff", examples=60, task_examples=15, root_seed=3,
                     code=recs[0]["code"])
    text = in_process.merged_paths["survdiff"].read_text()
    for perm in ([*recs][::-1], recs[1:] + recs[:1]):
        assert dumps(merge_fuzz(plan, {r["key"]: r for r in perm}, task_examples=15)) + "\n" == text


def test_campaign_result_round_trips_the_outcomes(in_process):
    m = in_process.merged["survdiff"]
    res = campaign_result(m)
    f = next(f for f in res.findings if f.signature == "new:chisq")
    a, b = f.outcomes
    assert a.ok and b.ok and a.values["chisq"] == pytest.approx(b.values["chisq"] * (1 + 1e-6), rel=1e-12)
    assert a.values["chisq"] != b.values["chisq"]
