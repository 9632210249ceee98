"""The matching parity cases: registry, tolerances, compat choice, and the
documented-vs-installed divergence confined to what MatchIt's bugs touch."""
from __future__ import annotations

import warnings

import pytest

import rparity
from rparity.cases import all_cases
from rparity.cases.matching import CASES, DOCUMENTED_CASES, MATCHIT_CONFIGS, compat_for, compat_for_version
from rparity.compare import compare_outcomes, run_outcome
from rparity.tolerance import lookup


def test_registered_and_enough_option_combinations():
    ids = {c.id for c in all_cases()}
    assert {c.id for c in CASES} <= ids
    assert {c.id for c in DOCUMENTED_CASES} <= ids  # the harness classifies them
    mi = [c for c in CASES if c.function == "matchit" and c.params.get("mode") == "installed"]
    assert len(mi) >= 12
    used = {k: set() for k in ("link", "estimand", "ratio", "replace", "caliper", "std_caliper", "m_order",
                               "discard", "exact")}
    for c in mi:
        for k in used:
            if k in c.params:
                v = c.params[k]
                used[k].add(tuple(v) if isinstance(v, list) else tuple(v.items()) if isinstance(v, dict) else v)
    assert used["link"] >= {"linear.logit"} and used["estimand"] >= {"ATC"}
    assert used["m_order"] >= {"largest", "smallest", "random", "data"} - {"largest"}
    assert used["discard"] >= {"both", "control", "treated"}
    assert used["replace"] == {True} and False in used["std_caliper"]
    assert any(isinstance(v, tuple) for v in used["exact"])  # more than one column


@pytest.mark.parametrize("case", CASES[:2] + [c for c in CASES if c.id == "matchit/ratio3-replace"],
                         ids=lambda c: c.id)
def test_every_quantity_has_a_tolerance(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = case.run(rparity.engine("pyimpl"))
    for q in out:
        lookup(case.function, q)


def test_compat_choice():
    assert compat_for_version("4.5.1") == "4.5.1"
    assert compat_for_version("4.5.2") == "4.5.1"
    assert compat_for_version("4.5.4") is None
    assert compat_for_version(None) is None
    # rbridge takes compat too: "3.0.2" runs MatchIt 3.0.2, anything else the installed MatchIt
    assert compat_for(rparity.engine("r"), "4.5.1") == "4.5.1"
    assert compat_for(rparity.engine("pyimpl"), "4.5.1") == "4.5.1"
    assert compat_for(rparity.engine("pyimpl"), "4.7.0") is None


def test_compat_from_environment(monkeypatch):
    monkeypatch.setenv("RPARITY_MATCHIT_VERSION", "4.6.0")
    assert compat_for(rparity.engine("pyimpl")) is None
    monkeypatch.setenv("RPARITY_MATCHIT_VERSION", "4.5.1")
    assert compat_for(rparity.engine("pyimpl")) == "4.5.1"


def test_documented_cases_are_explained_by_the_registry():
    from rparity.divergences import by_id

    # every configuration that matches on a scalar distance (a refused one has no matching to document;
    # nn_matchC, the kernel of mahvars and covariate distances, has none of 4.5.1's bugs)
    assert len(DOCUMENTED_CASES) == len([c for c, p in MATCHIT_CONFIGS.items()
                                         if not c.endswith(("-fails", "-refused")) and "mahvars" not in p
                                         and not isinstance(p.get("distance"), str)])
    k = by_id("matchit-4.5.1-nearest-bugs")
    assert all(i in k.source for i in ("#163", "#159", "#151"))
    assert k.engines == {"pyimpl": "*"} and k.departure  # pyimpl's deliberate departure, named
    assert all(c.params["mode"] == "documented" for c in DOCUMENTED_CASES)


# Quantities that depend only on the propensity score and the options, not on
# which pairs were chosen: documented and installed must agree on them.
_PAIR_FREE = ("distance", "focal", "discarded", "caliper", "summary.rows", "summary.nn.all", "summary.nn.all_ess",
              "summary.nn.discarded")


@pytest.mark.r
@pytest.mark.parametrize("case", DOCUMENTED_CASES, ids=lambda c: c.id)
def test_documented_vs_installed_differs_only_in_the_matching(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = run_outcome(case, rparity.engine("pyimpl"))
        b = run_outcome(case, rparity.engine("r"))
    rows = {r.quantity: r for r in compare_outcomes(case.function, case.id, case.dataset, a, b)}
    for q in _PAIR_FREE:
        assert rows[q].verdict == "agree", q
    for q, r in rows.items():
        if q.startswith("summary.all."):
            assert r.verdict == "agree", q
    # the bugs bite on lalonde except for ATC (few treated controls, no caliper)
    if case.params.get("estimand") != "ATC":
        assert rows["match_matrix"].verdict == "differ"


@pytest.mark.r
def test_documented_differences_are_classified_as_the_known_divergence():
    from rparity.check import run_check

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = run_check("pyimpl", "r", cases=[c for c in DOCUMENTED_CASES if c.id.endswith(("/default",
                                                                                            "/ratio3-replace"))])
    classes = {r.label for r in rep.rows}
    assert classes == {"agrees", "known divergence matchit-4.5.1-nearest-bugs"}
    assert rep.ok


@pytest.mark.r
@pytest.mark.parametrize("function", ["glm_logit", "matchit"])
def test_fuzz_target_finds_nothing(function):
    from rparity.fuzz import campaign

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = campaign("pyimpl", "r", function, examples=25, seed=3, save=False)
    assert res.examples_run == 25
    assert [f.signature for f in res.findings] == []
