"""``rparity check`` on a Dask cluster: the same report, row for row, as the
serial check; resumable; a failed case shows as an engine error."""
from __future__ import annotations

import json

import pytest

from rparity.check import run_check
from rparity.distributed import check
from rparity.distributed.plan import check_plan
from rparity.distributed.tasks import fault_id

pytest.importorskip("distributed")
pytestmark = pytest.mark.r


def as_json(report) -> str:
    return json.dumps(report.to_dict(), indent=1, default=str)


@pytest.fixture(scope="module")
def serial():
    return run_check("pyimpl", "r")


def test_the_distributed_report_is_the_serial_one(serial, client1, client2, tmp_path):
    n_cases = len({r.case for r in serial.rows})
    for name, client in (("two", client2), ("one", client1)):
        report, stats = check("pyimpl", "r", results=tmp_path / name, client=client)
        assert as_json(report) == as_json(serial)
        assert stats.planned == stats.done == n_cases
    assert report.case_sizes == serial.case_sizes and report.notes == serial.notes
    again, stats = check("pyimpl", "r", results=tmp_path / "one", client=client2)  # resumed: nothing to run
    assert (stats.reused, stats.submitted) == (n_cases, 0)
    assert as_json(again) == as_json(serial)


def test_a_case_whose_task_fails_is_an_engine_error(client2, faults_dir, tmp_path):
    from rparity.cases import all_cases
    from rparity.distributed.fingerprint import code_fingerprint

    cases = [c for c in all_cases() if c.function == "survdiff"]
    spec = check_plan("pyimpl", "r", cases, with_reference=True, code=code_fingerprint("pyimpl", "r"))[1]
    armed = faults_dir / f"{fault_id(spec.key)}.raise"
    armed.touch()
    try:
        report, stats = check("pyimpl", "r", functions=["survdiff"], results=tmp_path, client=client2, retries=0)
    finally:
        armed.unlink()
    assert stats.failed == 1 and not report.ok
    bad = [r for r in report.rows if r.classification == "engine error"]
    assert [r.case for r in bad] == [spec.case]
    assert "distributed task failed: RuntimeError: injected failure" in bad[0].detail
    fixed, stats = check("pyimpl", "r", functions=["survdiff"], results=tmp_path, client=client2)
    assert stats.submitted == 1 and fixed.ok
