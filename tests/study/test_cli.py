"""``rparity study`` and ``rparity demo``: exit codes, files, and no report on bad input."""
from __future__ import annotations

import json
import os

import pytest

import fixtures
from rparity.cli import main
from rparity.study import bundled_spec_path
from rparity.study import keys as K
from rparity.study.document import loads
from rparity.study.keys import Quantity as Q
from rparity.study.keys import Sample, Step, StepId

COHORT = str(fixtures.path("study_cohort"))
SPEC = str(bundled_spec_path())


def test_demo_in_pyimpl_writes_report_and_json(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--engines", "pyimpl"]) == 0
    printed = capsys.readouterr().out
    assert "report:" in printed and "parity: not run" in printed
    html = (out / "study-report.html").read_text()
    assert "SYNTHETIC" in html
    doc = loads((out / "study-results.json").read_text())
    assert doc.result("pyimpl").steps[StepId(Step.MATCHING)].ok
    assert json.loads((out / "study-results.json").read_text())["version"] == 2
    # ordinary files (mkstemp's 0600 is not kept), no temporary file left behind
    assert sorted(p.name for p in out.iterdir()) == ["study-report.html", "study-results.json"]
    import os
    import stat

    umask = os.umask(0)
    os.umask(umask)
    for name in ("study-report.html", "study-results.json"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o666 & ~umask


def test_demo_without_r_runs_pyimpl_and_marks_parity_not_run(tmp_path, capsys, monkeypatch):
    import rbridge

    monkeypatch.setattr(rbridge, "r_available", lambda: False)
    monkeypatch.delenv("RPARITY_REQUIRE_R", raising=False)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "engine 'r' did not run: R (with rpy2) is not available here" in printed
    html = (out / "study-report.html").read_text()
    assert 'data-parity="not-run"' in html and "Engine &#39;r&#39; did not run" in html
    monkeypatch.setenv("RPARITY_REQUIRE_R", "1")
    assert main(["demo", "--out", str(tmp_path / "demo2")]) == 2
    assert "required here (RPARITY_REQUIRE_R=1)" in capsys.readouterr().err
    assert not (tmp_path / "demo2").exists()


BAD_RUNS = [
    ("spec missing", lambda t: ["study", COHORT, "--spec", str(t / "none.toml"), "--engines", "pyimpl"],
     "spec file .*none.toml' does not exist"),
    ("spec invalid", lambda t: ["study", COHORT, "--spec", _write(t / "s.toml", "[km]\nlandmarks = 1\n"),
                                "--engines", "pyimpl"], r"spec `study` is required but missing"),
    ("cohort missing column", lambda t: ["study", _write(t / "c.csv", "patient_id,arm\nP1,immuno\n"), "--spec", SPEC,
                                         "--engines", "pyimpl"],
     r"is missing columns `os_months` \(spec `endpoints.os.time`\)"),
    ("arm label", lambda t: ["study", _write(t / "c.csv", fixtures.path("study_cohort").read_text().replace(
        "P007,surgery", "P007,chemo")), "--spec", SPEC, "--engines", "pyimpl"],
     r"cohort column `arm` .* row 7 \(line 8\), id 'P007' has 'chemo'"),
    ("unknown engine", lambda t: ["study", COHORT, "--spec", SPEC, "--engines", "pyimpl,sas"],
     # other tests may have registered engines of their own: the built-in ones must be listed
     r"`--engines`: unknown engine 'sas'.*registered: .*lifelines, (.*, )?pyimpl, (.*, )?r, (.*, )?statsmodels"),
    ("misspelt engine", lambda t: ["study", COHORT, "--spec", SPEC, "--engines", "pyimpll,r"],
     r"`--engines`: unknown engine 'pyimpll' \(did you mean 'pyimpl'\?\).*registered: .*lifelines, .*pyimpl, r"),
    ("misspelt demo engine", lambda t: ["demo", "--engines", "pyimpl,rr"],
     r"`--engines`: unknown engine 'rr' \(did you mean 'r'\?\)"),
    ("no engine", lambda t: ["study", COHORT, "--spec", SPEC, "--engines", ","],
     r"`--engines` takes one or two engines \(the second is the reference\); got \[\]"),
    ("three engines", lambda t: ["study", COHORT, "--spec", SPEC, "--engines", "pyimpl,r,pyimpl2"],
     r"`--engines` takes one or two engines"),
    ("landmark beyond follow-up", lambda t: ["study", _last_censored(t / "c.csv"), "--spec",
                                             _write(t / "s.toml", bundled_spec_path().read_text().replace(
                                                 "landmarks = [12, 24, 36]   # 1-", "landmarks = [12, 24, 60]   # 1-")),
                                             "--engines", "pyimpl"],
     r"spec `km.landmarks` asks for 60 months, beyond the follow-up of arm 'surgery' for endpoint 'os': its last "
     r"time is 52.3 months and is censored, so survival at 60 is not estimable; use landmarks up to 52.3"),
]


def _last_censored(path):
    """The bundled cohort with its longest overall-survival time censored."""
    import pandas as pd

    df = pd.read_csv(COHORT, dtype=str)
    i = df["os_months"].astype(float).idxmax()
    df.loc[i, "os_death"] = "0"
    df.to_csv(path, index=False)
    return str(path)


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("name,argv,message", BAD_RUNS, ids=[b[0] for b in BAD_RUNS])
def test_bad_input_exits_2_names_the_problem_and_writes_nothing(name, argv, message, tmp_path, capsys):
    import re

    out = tmp_path / "out"
    assert main([*argv(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(message, " ".join(err.split())), err
    assert "no report was written" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err  # one line
    assert not out.exists()


def _no_work(monkeypatch):
    """Fail the test if the pipeline runs or the inputs are read."""
    import rparity.study.run as run_mod

    def boom(*a, **k):
        raise AssertionError("work was done before the check")

    monkeypatch.setattr(run_mod, "run_study", boom)
    monkeypatch.setattr(run_mod, "load_spec", boom)
    monkeypatch.setattr(run_mod, "load_cohort", boom)


def test_an_unknown_engine_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    assert main(["study", COHORT, "--spec", SPEC, "--engines", "pyimpl,sas", "--out", str(tmp_path / "o")]) == 2
    assert "unknown engine 'sas'" in capsys.readouterr().err


def test_an_output_directory_under_a_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for cmd in (["study", COHORT, "--spec", SPEC, "--engines", "pyimpl"], ["demo", "--engines", "pyimpl"]):
        assert main([*cmd, "--out", str(blocker / "report")]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert f"`--out` '{blocker / 'report'}' cannot be written: '{blocker}' is a file, not a directory" in \
            " ".join(err.split()), err
        assert main([*cmd, "--out", str(blocker)]) == 2
        assert f"`--out` '{blocker}' cannot be written: '{blocker}' is a file, not a directory" in \
            " ".join(capsys.readouterr().err.split())
    assert blocker.read_text() == "x"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_output_directory_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    _no_work(monkeypatch)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert main(["demo", "--engines", "pyimpl", "--out", str(ro / "report")]) == 2
        err = capsys.readouterr().err
        assert "no write permission" in err and len(err.strip().splitlines()) == 1
    finally:
        ro.chmod(0o700)


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path, capsys, monkeypatch):
    import rparity.study.run as run_mod

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_mod, "run_study", interrupted)
    out = tmp_path / "out"
    assert main(["demo", "--engines", "pyimpl", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "no report was written" in err and "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file_and_the_previous_report(tmp_path, capsys, monkeypatch):
    """Both files are written to temporary files first and moved into place
    together: a failure on the second leaves the first untouched too."""
    import tempfile

    import rparity.study.run as run_mod

    out = tmp_path / "out"
    out.mkdir()
    (out / "study-report.html").write_text("previous html")
    (out / "study-results.json").write_text("previous json")
    real, calls = tempfile.mkstemp, []

    def mkstemp(*a, **k):
        calls.append(k.get("prefix"))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*a, **k)

    monkeypatch.setattr(run_mod.tempfile, "mkstemp", mkstemp)
    assert main(["demo", "--engines", "pyimpl", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "no report was written" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["study-report.html", "study-results.json"]
    assert (out / "study-report.html").read_text() == "previous html"
    assert (out / "study-results.json").read_text() == "previous json"


def test_a_failed_run_leaves_a_previous_report_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "study-report.html").write_text("previous")
    assert main(["study", COHORT, "--spec", str(tmp_path / "none.toml"), "--out", str(out)]) == 2
    assert (out / "study-report.html").read_text() == "previous"
    assert [p.name for p in out.iterdir()] == ["study-report.html"]


def test_study_help_lists_the_options(capsys):
    assert main(["study", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--spec" in text and "--engines" in text and "--out" in text


@pytest.fixture
def perturbed_engine():
    """An engine "perturbed": pyimpl with its log-rank statistic off by 1e-9 (relative)."""
    import pyimpl
    from rparity.engines import register_engine
    from rparity_contract import registry

    class Perturbed:
        def __getattr__(self, name):
            fn = getattr(pyimpl, name)
            if name != "survdiff":
                return fn

            def survdiff(*args, **kwargs):
                res = fn(*args, **kwargs)
                return res.evolve(chisq=res.chisq * (1 + 1e-9))

            return survdiff

    register_engine("perturbed", Perturbed())
    try:
        yield "perturbed"
    finally:
        registry.unregister("perturbed")


def test_a_new_divergence_exits_1_and_is_named(tmp_path, capsys, perturbed_engine):
    """An engine whose log-rank statistic is off by 1e-9 (relative) is caught."""
    from rparity_contract.verdicts import Classification

    out = tmp_path / "out"
    assert main(["study", COHORT, "--spec", SPEC, "--engines", f"{perturbed_engine},pyimpl", "--out", str(out)]) == 1
    printed = " ".join(capsys.readouterr().out.split())
    assert "new divergence" in printed and "logrank.before.os.chisq" in printed
    html = (out / "study-report.html").read_text()
    assert 'data-parity="divergence"' in html
    doc = loads((out / "study-results.json").read_text())
    bad = {r.key for r in doc.parity.rows if r.classification is Classification.NEW}
    assert bad == {K.logrank(s, ep, Q.CHISQ) for s in Sample for ep in ("os", "pfs_rfs")}
    assert all(r.classification is Classification.AGREES for r in doc.parity.rows if r.key not in bad)

