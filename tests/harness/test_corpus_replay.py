"""Replay the committed corpus of divergences found by fuzz campaigns: every
entry must now be explained (a known divergence) or fixed (agreement); none may
be a new divergence or an engine error."""
import warnings
from pathlib import Path

import pytest

import rparity
from rparity.corpus import load_entries
from rparity.fuzz import _reference_versions, compare_once
from rparity.fuzz_targets import target

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ENTRIES = load_entries(CORPUS)


def test_corpus_is_present():
    assert ENTRIES, f"no corpus entries under {CORPUS}"


@pytest.mark.r
@pytest.mark.parametrize("entry", ENTRIES, ids=[str(e.path.relative_to(CORPUS)) for e in ENTRIES])
def test_replay(entry):
    eng, ref = rparity.engine(entry.engine), rparity.engine(entry.against)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, rows = compare_once(eng, ref, entry.function, target(entry.function).runner, entry.data,
                                  entry.params, _reference_versions(ref))
    bad = [r for r in rows if r.classification in ("new divergence", "engine error")]
    assert not bad, [(r.quantity, r.detail) for r in bad]
    if entry.engine == "pyimpl":
        assert all(r.classification == "agrees" for r in rows)
    else:  # a peer's entry still shows the divergence it was saved for
        assert any(r.classification.startswith("known divergence") for r in rows)
