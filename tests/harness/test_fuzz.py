"""Fuzz campaigns: find, shrink, save; interruption loses nothing."""
import json
import types

import numpy as np
import pytest

import pyimpl
from rparity.corpus import load_entries
from rparity.engines import register_engine
from rparity.fuzz import campaign


def _no_timefix_km():
    """pyimpl's KM without R's timefix: near-tied times stay apart."""
    from pyimpl.survival import km, km_counts

    def survfit(time, event, **kw):
        real = km.tie_codes, km_counts.tie_codes
        try:
            km.tie_codes = km_counts.tie_codes = _raw_codes
            return pyimpl.survfit(time, event, **kw)
        finally:
            km.tie_codes, km_counts.tie_codes = real

    return types.SimpleNamespace(survfit=survfit)


def _raw_codes(t, timefix=True):
    u, codes = np.unique(t, return_inverse=True)
    return codes.astype(np.intp), u


def test_campaign_finds_shrinks_and_saves(tmp_path):
    register_engine("no_timefix", _no_timefix_km(), clobber=True)
    res = campaign("no_timefix", "pyimpl", "survfit", examples=120, seed=2, corpus=tmp_path)
    new = [f for f in res.findings if f.is_new]
    assert new, "the near-tie divergence was not found"
    f = min(new, key=lambda f: len(f.data))
    assert len(f.data) <= 3  # shrunk to a couple of near-tied times
    t = np.sort(f.data.time.to_numpy())
    assert np.unique(t).size > np.unique(pyimpl.survival.aeq_surv(t)).size
    entries = load_entries(tmp_path)
    assert entries and all((e.path / n).exists() for e in entries
                           for n in ("cohort.csv", "call.json", "outcomes.json", "classification.json"))
    call = json.loads((entries[0].path / "call.json").read_text())
    assert call["engine"] == "no_timefix" and call["against"] == "pyimpl"


def test_interrupted_campaign_keeps_what_it_found(tmp_path):
    register_engine("no_timefix", _no_timefix_km(), clobber=True)
    seen = {"n": 0}

    def stop_late(n, found):
        seen["n"] = n
        if found and n > 60:
            raise KeyboardInterrupt

    res = campaign("no_timefix", "pyimpl", "survfit", examples=400, seed=2, corpus=tmp_path,
                   on_example=stop_late)
    assert res.interrupted
    assert load_entries(tmp_path), "the divergence found before the interruption was lost"


def test_engine_errors_are_findings_not_crashes(tmp_path):
    def survfit(time, event, **kw):
        if len(time) > 3:
            raise RuntimeError("too long")
        return pyimpl.survfit(time, event, **kw)

    register_engine("fragile", types.SimpleNamespace(survfit=survfit), clobber=True)
    res = campaign("fragile", "pyimpl", "survfit", examples=60, seed=1, corpus=tmp_path)
    errs = [f for f in res.findings if f.signature.startswith("error:")]
    assert errs and len(errs[0].data) == 4  # shrunk to the smallest failing size


@pytest.mark.r
def test_fuzz_cli_against_r(tmp_path):
    from rparity.cli import main

    code = main(["fuzz", "--engine", "pyimpl", "--function", "survdiff", "--examples", "15", "--seed", "3",
                 "--corpus", str(tmp_path)])
    assert code == 0 and not list(tmp_path.rglob("cohort.csv"))
