"""Local Dask clusters shared by the distributed tests (started once, stopped after
the last of them: their threads must not outlive this package into tests that
run R in this process).

Workers get ``RPARITY_DISTRIBUTED_FAULTS`` pointing at a directory where a
test arms a fault for one task (see :mod:`rparity.distributed.tasks`), and the
scheduler gives up on a task after its second worker death
(``allowed-failures=1``), so a task that always kills its worker fails fast.
"""
from __future__ import annotations

import contextlib

import pytest


@pytest.fixture(scope="package")
def faults_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")


@contextlib.contextmanager
def _cluster(n, faults_dir):
    pytest.importorskip("distributed")
    import dask

    from rparity.distributed import dask_client
    from rparity.distributed.tasks import FAULTS_ENV

    cm = dask_client(workers=n, needs_r=False, env={FAULTS_ENV: str(faults_dir)})
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):  # read when the scheduler starts
        client = cm.__enter__()
    try:
        yield client
    finally:
        cm.__exit__(None, None, None)


@pytest.fixture(scope="package")
def client1(faults_dir):
    with _cluster(1, faults_dir) as c:
        yield c


@pytest.fixture(scope="package")
def client2(faults_dir):
    with _cluster(2, faults_dir) as c:
        yield c
