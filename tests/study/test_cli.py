"""``rparity study`` and ``rparity demo``: exit codes, files, and no report on bad input."""
from __future__ import annotations

import json

import pytest

import fixtures
from rparity.cli import main
from rparity.study import bundled_spec_path

COHORT = str(fixtures.path("study_cohort"))
SPEC = str(bundled_spec_path())


def test_demo_in_pyimpl_writes_report_and_json(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--engines", "pyimpl"]) == 0
    printed = capsys.readouterr().out
    assert "report:" in printed and "parity: not run" in printed
    html = (out / "study-report.html").read_text()
    assert "SYNTHETIC" in html
    doc = json.loads((out / "study-results.json").read_text())
    assert doc["engines"]["pyimpl"]["steps"]["matching"] == "ok"
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
     r"`--engines`: unknown engine 'sas'"),
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
    assert "no report was written" in err
    assert not out.exists()


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


def test_a_new_divergence_exits_1_and_is_named(tmp_path, capsys, monkeypatch):
    """An engine whose log-rank statistic is off by 1e-9 (relative) is caught."""
    import pyimpl

    import rparity

    class Perturbed:
        def __getattr__(self, name):
            fn = getattr(pyimpl, name)
            if name != "survdiff":
                return fn

            def survdiff(*args, **kwargs):
                res = fn(*args, **kwargs)
                return res.replace(chisq=res.chisq * (1 + 1e-9))

            return survdiff

    real = rparity.engine
    monkeypatch.setattr(rparity, "engine",
                        lambda name: rparity.Engine("perturbed", Perturbed()) if name == "perturbed" else real(name))
    out = tmp_path / "out"
    assert main(["study", COHORT, "--spec", SPEC, "--engines", "perturbed,pyimpl", "--out", str(out)]) == 1
    printed = " ".join(capsys.readouterr().out.split())
    assert "new divergence" in printed and "logrank.before.os.chisq" in printed
    html = (out / "study-report.html").read_text()
    assert 'data-parity="divergence"' in html
    doc = json.loads((out / "study-results.json").read_text())
    bad = {r["key"] for r in doc["parity"]["rows"] if r["classification"] == "new divergence"}
    assert bad == {f"logrank.{s}.{ep}.chisq" for s in ("before", "after") for ep in ("os", "pfs_rfs")}

