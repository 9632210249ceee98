"""The known-divergence registry and the classification of differences."""
import pytest

from rparity.compare import QuantityDiff
from rparity.divergences import REGISTRY, by_id, classify, version_matches


def _row(q, verdict="differ", function="survfit", detail="", b=None, max_rel=0.5):
    return QuantityDiff(function=function, case="c", dataset=None, quantity=q, verdict=verdict,
                        tolerance="1e-12", max_rel=max_rel, detail=detail, b=b)


def test_registry_entries_are_complete_and_unique():
    ids = [k.id for k in REGISTRY]
    assert len(ids) == len(set(ids))
    for k in REGISTRY:
        assert k.explanation and len(k.explanation) > 60, k.id
        assert k.reference, k.id
        assert k.functions and k.quantities and k.engines, k.id
    for required in ("matchit-4.5.1-nearest-bugs", "lifelines-km-ci-loglog", "lifelines-median-rule",
                     "statsmodels-quantile-rules"):
        by_id(required)


def test_classification_kinds():
    rows = classify([_row("surv", verdict="agree"), _row("lower"), _row("surv"), _row("(error)", "not provided"),
                     _row("(error)", "engine error")], engine="lifelines", params={"conf_type": "log"})
    assert [r.classification for r in rows] == [
        "agrees", "known divergence lifelines-km-ci-loglog", "new divergence", "not provided", "engine error"]
    assert rows[1].known == "lifelines-km-ci-loglog"


def test_predicate_decides():
    # the log-log interval is R's log-log: asking R for log-log makes the limits a new divergence
    r = classify([_row("lower")], engine="lifelines", params={"conf_type": "log-log"})[0]
    assert r.classification == "new divergence"


def test_engine_and_version_must_match():
    r = classify([_row("lower")], engine="pyimpl", params={})[0]
    assert r.classification == "new divergence"
    doc = classify([_row("match_matrix", function="matchit")], engine="pyimpl",
                   reference_versions={"MatchIt": "4.5.1"}, params={"mode": "documented"})[0]
    assert doc.known == "matchit-4.5.1-nearest-bugs"
    fixed = classify([_row("match_matrix", function="matchit")], engine="pyimpl",
                     reference_versions={"MatchIt": "4.7.0"}, params={"mode": "documented"})[0]
    assert fixed.classification == "new divergence"


@pytest.mark.parametrize("version,spec,ok", [("4.5.1", "==4.5.1", True), ("4.5.1", "<4.5.4", True),
                                             ("4.7.0", "<4.5.4", False), ("0.30.3", ">=0.27", True),
                                             ("1.0", "*", True), ("", "==1", False)])
def test_version_specifiers(version, spec, ok):
    assert version_matches(version, spec) is ok
