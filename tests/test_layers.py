"""The architecture holds: contract <- engines (independent) <- harness.

import-linter checks the layers declared in pyproject.toml (run by `tox -e
lint` in CI); these tests show that the check can fail, and that the R engine
is R only.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["rparity_contract", "pyimpl", "rbridge", "rparity_peers", "rparity", "fixtures"]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install import-linter)")
    env = {"PYTHONPATH": str(root), "PATH": str(exe.parent)}
    return subprocess.run([str(exe), "--config", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def _copy(tmp_path: Path) -> Path:
    for p in PACKAGES:
        shutil.copytree(ROOT / p, tmp_path / p, ignore=shutil.ignore_patterns("__pycache__", "golden", "*.csv"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_are_kept():
    res = _lint_imports(ROOT)
    assert res.returncode == 0, res.stdout[-3000:]


@pytest.mark.parametrize("module,planted", [
    ("rbridge/stats.py", "import pyimpl  # planted\n"),
    ("rparity_contract/values.py", "import rparity  # planted\n"),
    ("pyimpl/design.py", "import rbridge  # planted\n"),
    ("rparity_peers/_common.py", "from pyimpl import survfit  # planted\n"),
    ("pyimpl/_rmath.py", "import rpy2  # planted\n"),
])
def test_a_planted_violation_breaks_the_check(tmp_path, module, planted):
    root = _copy(tmp_path)
    with open(root / module, "a") as fh:
        fh.write(planted)
    res = _lint_imports(root)
    assert res.returncode != 0 and "BROKEN" in res.stdout.upper(), res.stdout[-2000:]


def test_rbridge_imports_no_pyimpl_code():
    """The R engine is R only: not a line of rbridge imports pyimpl."""
    for path in (ROOT / "rbridge").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pyimpl":
                pytest.fail(f"{path}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pyimpl" for a in node.names):
                pytest.fail(f"{path}:{node.lineno} imports pyimpl")
