"""docs/method-developers.md: the files it shows are the files in examples/, and
the code it runs runs."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "method-developers.md"
BLOCK = re.compile(r"^```python ([^\n]*)\n(.*?)^```", re.S | re.M)


def _blocks():
    return [(info.split(), body) for info, body in BLOCK.findall(DOC.read_text())]


def test_doc_file_blocks_equal_the_example_files():
    files = [(info, body) for info, body in _blocks() if info and info[0].startswith("file=")]
    assert len(files) >= 3
    for info, body in files:
        path = ROOT / info[0].split("=", 1)[1]
        assert path.read_text() == body, f"{path} differs from its listing in {DOC.name}"


def _run_blocks(tmp_path, monkeypatch, with_r: bool):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    ns: dict = {}
    ran = 0
    for info, body in _blocks():
        if not info or info[0] != "run":
            continue
        if ("r" in info) != with_r and not (with_r and "r" not in info):
            continue
        exec(compile(body, f"{DOC.name}:block", "exec"), ns)  # noqa: S102 - our own documentation
        ran += 1
    return ran


def test_doc_conformance_block_runs(tmp_path, monkeypatch):
    assert _run_blocks(tmp_path, monkeypatch, with_r=False) == 1


@pytest.mark.r
@pytest.mark.slow
def test_doc_blocks_with_r_run(tmp_path, monkeypatch):
    # every runnable block, in order: conformance, parity report, fuzz campaign
    assert _run_blocks(tmp_path, monkeypatch, with_r=True) == 3
    assert (tmp_path / "out" / "toy-report" / "toy_km-vs-r.html").exists()
    assert any((tmp_path / "out" / "toy-corpus").rglob("cohort.csv"))
