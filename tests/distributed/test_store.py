"""The append-only results store: durable records, torn writes, resume keys."""
from __future__ import annotations

import json

import pytest

from rparity.distributed.store import ResultsLocked, ResultsStore, write_json_atomic


def rec(key, status="done", **kw):
    return {"key": key, "status": status, **kw}


def test_records_come_back_in_order(tmp_path):
    s = ResultsStore(tmp_path / "a" / "tasks.jsonl")
    assert s.records() == [] and s.finished() == {}
    for r in (rec("t0", n=1), rec("t1", "failed", error="boom"), rec("t2", n=3)):
        s.append(r)
    assert [r["key"] for r in s.records()] == ["t0", "t1", "t2"]
    assert set(s.finished()) == {"t0", "t2"}


def test_a_finished_task_stays_finished(tmp_path):
    s = ResultsStore(tmp_path / "tasks.jsonl")
    s.append(rec("t0", "failed", error="KilledWorker"))
    assert s.latest()["t0"]["status"] == "failed" and "t0" not in s.finished()
    s.append(rec("t0", n=1))
    s.append(rec("t0", "failed", error="later"))  # never supersedes a finished record
    s.append(rec("t0", n=2))  # nor does a second finished one
    assert s.finished()["t0"]["n"] == 1
    assert s.latest()["t0"] == {"key": "t0", "status": "done", "n": 1}


def test_a_torn_last_record_is_skipped_and_the_next_starts_on_its_own_line(tmp_path):
    p = tmp_path / "tasks.jsonl"
    s = ResultsStore(p)
    s.append(rec("t0", n=1))
    with open(p, "ab") as f:  # a driver killed in the middle of a write
        f.write(b'{"key": "t1", "status": "do')
    assert [r["key"] for r in s.records()] == ["t0"]
    s.append(rec("t2", n=2))
    with pytest.warns(UserWarning, match=r"tasks.jsonl:2: skipping an unreadable record"):
        keys = [r["key"] for r in s.records()]
    assert keys == ["t0", "t2"]
    assert p.read_bytes().endswith(b"\n")


def test_one_writer_at_a_time(tmp_path):
    with ResultsStore(tmp_path / "tasks.jsonl"):
        with pytest.raises(ResultsLocked, match="another rparity run is writing"):
            ResultsStore(tmp_path / "tasks.jsonl").open()
    with ResultsStore(tmp_path / "tasks.jsonl"):  # released
        pass


def test_atomic_json_keeps_key_order(tmp_path):
    p = write_json_atomic(tmp_path / "d" / "m.json", {"b": 1, "a": [1.5, None]})
    assert p.read_text() == json.dumps({"b": 1, "a": [1.5, None]}, indent=1) + "\n"
    assert [x.name for x in p.parent.iterdir()] == ["m.json"]
