"""Without R (simulated: an rpy2 that cannot be imported), rbridge says how to
install R, and `rparity check` falls back to the golden files."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, code: str) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake"
    (fake / "rpy2").mkdir(parents=True)
    (fake / "rpy2" / "__init__.py").write_text("raise ImportError('simulated: R is not installed')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), str(ROOT)]))
    env.pop("RPARITY_REQUIRE_R", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)


def test_rbridge_says_how_to_install_r(tmp_path):
    proc = _run(tmp_path, """
        import rbridge
        from rparity_contract.errors import RUnavailable
        assert not rbridge.r_available()
        try:
            rbridge.survfit([1.0, 2.0], [1, 0])
        except RUnavailable as exc:
            msg = str(exc)
            assert "apt-get install" in msg and "r-cran-survival" in msg and "rpy2>=3.5.17,<3.6" in msg, msg
            print("OK")
    """)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stdout + proc.stderr


def test_check_falls_back_to_golden_files(tmp_path):
    proc = _run(tmp_path, """
        import sys
        from rparity.cli import main
        sys.exit(main(["check", "--function", "survdiff", "--report", ""]))
    """)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "R is not available here; reference: committed golden files" in proc.stdout
    assert "Compared against R version 4.2.2" in proc.stdout
