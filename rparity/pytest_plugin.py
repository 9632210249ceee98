"""pytest plugin (entry point ``pytest11``): parity checks inside a project's own tests.

Fixtures
--------
``rparity_parity``
    A callable ``rparity_parity(engine, functions, *, against="r", examples=50,
    allow=(), seed=0, strategies=None)`` that runs a differential campaign of
    ``engine`` against R and fails the test with the discrepancy table when a
    divergence not listed in ``allow`` is found. Skips the test (with the install
    command) when R is not available, unless ``RPARITY_REQUIRE_R=1``.

Example::

    def test_my_km_matches_r(rparity_parity):
        rparity_parity("mypkg.engine:ENGINE", ["survfit", "survdiff"], examples=100,
                       allow=["lifelines-median-rule"])
"""
from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "rparity: a parity check against R (rparity)")


def _r_ready() -> tuple[bool, str]:
    try:
        import rbridge

        rbridge.session()
        return True, ""
    except Exception as exc:  # noqa: BLE001
        return False, str(exc).splitlines()[0]


@pytest.fixture
def rparity_parity():
    from .testing import assert_agrees_with_r

    def run(engine, functions=("survfit",), *, against="r", **kwargs):
        if against == "r":
            ok, why = _r_ready()
            if not ok:
                if os.environ.get("RPARITY_REQUIRE_R") == "1":
                    pytest.fail(f"R is required (RPARITY_REQUIRE_R=1) but unavailable: {why}", pytrace=False)
                pytest.skip(f"R is not installed, so parity with R cannot be checked here: {why}")
        __tracebackhide__ = True
        return assert_agrees_with_r(engine, functions, against=against, **kwargs)

    return run
