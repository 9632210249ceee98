"""Golden files: pyimpl agrees with R's committed outputs (no R needed); the
files are not stale; and (live) R still produces exactly what they hold."""
import pytest

import rparity
from rparity.cases import all_cases
from rparity.compare import compare_outcomes, run_outcome
from rparity.divergences import by_id, classify
from rparity.golden import GOLDEN_DIR, decode, encode, read_golden, stale
from rparity.testing import format_diffs
from rparity_contract.verdicts import Classification

CASES = all_cases()


def test_golden_files_are_not_stale():
    s = stale()
    assert s == {"missing": [], "outdated": [], "orphaned": []}, (
        f"golden files out of date: {s}; regenerate with `rparity golden`")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_pyimpl_matches_golden(case):
    """Every quantity agrees within the tolerance table, except where a
    registered known divergence applies (pyimpl's documented matching against
    MatchIt 4.5.1's bugs); anything else fails with the discrepancy table."""
    header, ref = read_golden(case)
    assert header["provenance"].get("R", "").startswith("R version"), "golden file lacks provenance"
    pyimpl = rparity.engine("pyimpl")
    out = run_outcome(case, pyimpl)
    versions = {k: v for k, v in header["provenance"].items() if k != "calls"}
    rows = classify(compare_outcomes(case.function, case.id, case.dataset, out, ref), engine="pyimpl",
                    engine_version=pyimpl.version, reference_versions=versions, params=case.params,
                    data=case.data())
    bad = [r for r in rows if not _accepted(r)]
    assert not bad, f"{case.id}:\n" + format_diffs(bad)


def _accepted(row) -> bool:
    """Agreement, or a known divergence that names pyimpl's deliberate departure
    (the documented matching mode): nothing else passes for pyimpl."""
    if row.classification is Classification.AGREES:
        return True
    if row.classification is Classification.KNOWN:
        entry = by_id(row.known)
        return "pyimpl" in entry.engines and bool(entry.departure)
    return False


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_errors_carry_r_message_and_kind(case):
    """A golden file of an input R refuses keeps R's own message, from which the
    refusal kind is derived (never 'r.unmapped': the table must know it)."""
    _, ref = read_golden(case)
    if ref.ok:
        return
    assert ref.r_message, f"{case.id}: the golden error lacks R's message"
    assert ref.kind and ref.kind != "r.unmapped", f"{case.id}: R's message {ref.r_message!r} maps to no kind"


@pytest.mark.r
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_r_still_produces_the_golden_values(case):
    """Regenerating in R gives back the stored values exactly (17 digits round-trip)."""
    import rbridge

    if case.params.get("mode") == "3.0.2" and not rbridge.matchit302_available():
        pytest.skip("MatchIt 3.0.2 is not installed here (`make matchit302`); its golden files are checked "
                    "against pyimpl above")
    _, ref = read_golden(case)
    live = run_outcome(case, rparity.engine("r"))
    assert live.ok == ref.ok
    if not live.ok:
        assert live.r_message == ref.r_message and live.kind == ref.kind
        return
    assert set(live.values) == set(ref.values)
    for k, v in live.values.items():
        assert encode(v) == encode(ref.values[k]), f"{case.id}: {k} changed in R"


def test_encoding_round_trips_exactly():
    import numpy as np

    x = np.array([0.1, 1 / 3, np.nan, np.inf, -np.inf, 5e-324, 1.7976931348623157e308])
    import json

    back = decode(json.loads(encode(x)))
    np.testing.assert_array_equal(back, x)
    assert decode(json.loads(encode(("a", "b")))) == ("a", "b")
    assert decode(json.loads(encode(2.0))) == 2.0


def test_golden_files_live_beside_fixtures():
    assert GOLDEN_DIR.name == "golden" and GOLDEN_DIR.parent.name == "fixtures"
