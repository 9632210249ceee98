"""Test configuration shared by the whole suite.

* Tests marked ``r`` call R through rbridge. Without R they are skipped with the
  reason and the install command -- unless ``RPARITY_REQUIRE_R=1`` (set by
  ``.ci/run``), in which case a missing R is an error: CI has R, so parity tests
  must run there.
* Hypothesis profiles: ``ci`` (derandomized, bounded; used by tox and CI) and
  ``dev`` (random, more examples). Select with ``HYPOTHESIS_PROFILE``.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests import r_thread_audit

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_R_STATE: dict = {}


def _r_status() -> tuple[bool, str]:
    if "ok" not in _R_STATE:
        try:
            import rbridge

            rbridge.session()
            r_thread_audit.install()
            _R_STATE["ok"], _R_STATE["why"] = True, ""
        except Exception as exc:  # RUnavailable, or anything R start-up raises
            _R_STATE["ok"], _R_STATE["why"] = False, str(exc)
    return _R_STATE["ok"], _R_STATE["why"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("r") is None:
        return
    ok, why = _r_status()
    if ok:
        return
    if os.environ.get("RPARITY_REQUIRE_R") == "1":
        pytest.fail(f"R is required here (RPARITY_REQUIRE_R=1) but unavailable: {why}", pytrace=False)
    pytest.skip(f"R is not installed, so this live R test cannot run: {why.splitlines()[0]}")


@pytest.fixture(autouse=True)
def _r_api_only_on_rs_thread():
    """Fails the test during which R's C API was called off R's thread
    (:mod:`tests.r_thread_audit`)."""
    before = len(r_thread_audit.calls)
    yield
    r_thread_audit.install_if_started()
    new = r_thread_audit.calls[before:]
    if new:
        del r_thread_audit.calls[before:]  # reported by this test only
        first = new[0]
        pytest.fail(f"R's C API was called off R's thread {len(new)} time(s) during this test; the first, "
                    f"{first.function} on thread {first.thread!r}, from:\n{first.stack}", pytrace=False)


@pytest.fixture(scope="session")
def py_engine():
    import rparity

    return rparity.engine("pyimpl")


@pytest.fixture(scope="session")
def r_engine():
    import rparity

    return rparity.engine("r")


def pytest_configure(config):
    # the pytest11 entry point loads rparity's plugin when the package is
    # installed; when tests run from a source tree without installing, load it here
    import rparity.pytest_plugin as plugin

    if not any(p is plugin for p in config.pluginmanager.get_plugins()):
        config.pluginmanager.register(plugin, "rparity")


_TRAIL: dict = {}


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    # RPARITY_TEST_TRAIL=<file>: each test's id is written there as it starts,
    # so that a run the process dies in (a crash in R or a C library, which
    # pytest cannot report) still names its last test (.ci/run prints it)
    path = os.environ.get("RPARITY_TEST_TRAIL")
    if not path:
        return
    if "file" not in _TRAIL:
        _TRAIL["file"] = open(path, "a", buffering=1, encoding="utf-8")
    _TRAIL["file"].write(f"{os.getpid()} {nodeid}\n")
