"""A sample downstream project's test, using rparity's pytest plugin, runs and passes."""
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _plugin_args() -> list[str]:
    installed = any(ep.name == "rparity" for ep in metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", "rparity.pytest_plugin"]


@pytest.mark.r
@pytest.mark.slow
def test_downstream_toy_engine_suite_passes(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *_plugin_args(),
         str(ROOT / "examples" / "toy_engine" / "test_toy_km.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_plugin_fixture_reports_a_disallowed_divergence(tmp_path):
    """Without R the fixture skips; here it runs pyimpl against itself through a
    deliberately wrong engine so the failure table can be checked without R."""
    import types

    import numpy as np

    import pyimpl
    from rparity.testing import assert_agrees_with_r
    from rparity_contract.errors import ParityMismatch

    def survfit(time, event, **kw):
        fit = pyimpl.survfit(time, event, **kw)
        return fit.evolve(surv=np.asarray(fit.surv) * 0.5)

    bad = types.SimpleNamespace(survfit=survfit, ENGINE_NAME="halver")
    from rparity.engines import register_engine

    register_engine("halver", bad, clobber=True)
    with pytest.raises(ParityMismatch, match=r"(?s)halver disagrees with pyimpl.*survfit: new:surv"):
        assert_agrees_with_r("halver", ["survfit"], against="pyimpl", examples=20, seed=3)
