"""Golden files: pyimpl agrees with R's committed outputs (no R needed); the
files are not stale; and (live) R still produces exactly what they hold."""
import pytest

import rparity
from rparity.cases import all_cases
from rparity.compare import run_outcome
from rparity.golden import GOLDEN_DIR, decode, encode, read_golden, stale
from rparity.testing import assert_outcomes_agree

CASES = all_cases()


def test_golden_files_are_not_stale():
    s = stale()
    assert s == {"missing": [], "outdated": [], "orphaned": []}, (
        f"golden files out of date: {s}; regenerate with `rparity golden`")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_pyimpl_matches_golden(case):
    header, ref = read_golden(case)
    assert header["provenance"].get("R", "").startswith("R version"), "golden file lacks provenance"
    out = run_outcome(case, rparity.engine("pyimpl"))
    assert_outcomes_agree(case.function, out, ref, label=case.id)


@pytest.mark.r
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_r_still_produces_the_golden_values(case):
    """Regenerating in R gives back the stored values exactly (17 digits round-trip)."""
    _, ref = read_golden(case)
    live = run_outcome(case, rparity.engine("r"))
    assert live.ok == ref.ok
    if not live.ok:
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
