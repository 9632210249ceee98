"""Proof that the referee fails when it should.

Each seeded fault (rparity/faults.py) is pyimpl with one planted mistake. The
check must report it -- a new divergence or an engine error, and a failing
report -- against the golden files and against live R; the same wrapper without
a fault must be clean, so that what is caught is the fault and nothing else.
"""
from __future__ import annotations

import warnings

import pytest

from rparity.check import run_check
from rparity.cli import main
from rparity.faults import FAULTS, Fault, fault_engine
from rparity_contract.functions import FUNCTION_NAMES

IDS = [f.id for f in FAULTS]


def _check(fault: Fault, against: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_check(fault_engine(fault), against, functions=[fault.function])


def test_the_suite_covers_every_contract_function_and_tolerance_class():
    assert len(FAULTS) >= 25
    assert {f.function for f in FAULTS} == set(FUNCTION_NAMES)
    probes = {f.probes for f in FAULTS}
    for needed in ("identical", "1e-12 relative", "1e-10 relative", "1e-9 relative", "p-value 1e-12",
                   "p-value 1e-9", "warnings", "refuses what R accepts", "accepts what R refuses",
                   "refusal kind", "missing value"):
        assert needed in probes, needed
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("fault", FAULTS, ids=IDS)
def test_each_fault_is_caught_against_the_golden_files(fault):
    rep = _check(fault, "golden")
    failing = [r for r in rep.rows if r.classification.failing]
    assert failing and not rep.ok, f"{fault.id} went unnoticed"
    # the failures are in the function where the fault is (or the cases that run it)
    from rparity.cases import case_function

    assert {r.function for r in failing} == {case_function(fault.function)}


@pytest.fixture(scope="module")
def r_runs_each_case_once():
    """R's outcome of a case does not depend on the fault planted in pyimpl:
    each case runs in R once for the whole module (every fault still compared
    with live R's numbers), instead of once per fault of its function."""
    import rparity.check as check

    real, seen = check.run_outcome, {}

    def once(case, eng):
        if getattr(eng, "name", None) != "r":
            return real(case, eng)
        if case.id not in seen:
            seen[case.id] = real(case, eng)
        return seen[case.id]

    mp = pytest.MonkeyPatch()
    mp.setattr(check, "run_outcome", once)
    yield seen
    mp.undo()


@pytest.mark.r
@pytest.mark.parametrize("fault", FAULTS, ids=IDS)
def test_each_fault_is_caught_against_live_r(fault, r_runs_each_case_once):
    rep = _check(fault, "r")
    assert not rep.ok and any(r.classification.failing for r in rep.rows), f"{fault.id} went unnoticed"


@pytest.mark.parametrize("against", ["golden", pytest.param("r", marks=pytest.mark.r)])
def test_without_a_fault_the_wrapper_is_clean(against):
    """The control: the same wrapping, no planted mistake, every function."""
    control = Fault("control", "survfit", "-", "no fault", lambda fn: fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = run_check(fault_engine(control), against)
    assert rep.ok, [(r.case, r.quantity, r.label) for r in rep.rows if r.classification.failing]


@pytest.mark.parametrize("fault", FAULTS[::6], ids=IDS[::6])
def test_the_command_line_exits_1_on_a_fault(fault, tmp_path):
    """`rparity check --engine rparity.faults:<attribute> --against golden`."""
    assert main(["check", "--engine", f"rparity.faults:{fault.attribute}", "--against", "golden",
                 "--function", fault.function, "--report", str(tmp_path)]) == 1


def test_rparity_faults_catches_them_all(capsys):
    assert main(["faults", "--against", "golden"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"{len(FAULTS)} of {len(FAULTS)} faults caught" in out
