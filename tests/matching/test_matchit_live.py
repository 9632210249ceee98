"""pyimpl.matchit(compat="4.5.1") against the installed MatchIt 4.5.1 (live R)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.matching.matchit import MatchItCompatError
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument, RError

from .helpers import LALONDE_COVS, SPEC_CONFIGS, assert_same_match
from .strategies import cohorts

pytestmark = pytest.mark.r


def _both(data, treat, covs, **kw):
    import rbridge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = rbridge.matchit(data, treat, covs, **kw)
        p = pyimpl.matchit(data, treat, covs, compat="4.5.1", **kw)
    return p, r


@pytest.mark.parametrize("name", list(SPEC_CONFIGS))
def test_lalonde_spec_configurations(name):
    p, r = _both(fixtures.load("lalonde"), "treat", LALONDE_COVS, **SPEC_CONFIGS[name])
    assert_same_match(p, r)
    assert r.provenance["MatchIt"] == "4.5.1"


@pytest.mark.parametrize("kw", [dict(exact=["married", "nodegree"]), dict(exact="race", m_order="random", seed=7),
                                dict(discard="treated", caliper=0.05, link="linear.logit"),
                                dict(discard="control", estimand="ATC", ratio=2, replace=True),
                                dict(caliper=0.5, std_caliper=False, link="linear.logit", ratio=2)])
def test_lalonde_more_configurations(kw):
    p, r = _both(fixtures.load("lalonde"), "treat", LALONDE_COVS, **kw)
    assert_same_match(p, r)


def test_exact_stratum_without_treated_fails_in_both():
    import rbridge

    d = fixtures.load("lalonde").copy()
    d["grp"] = np.where(d.treat == 1, 0, 1)
    d.loc[d.index[-5:], "grp"] = 2  # a stratum of controls only
    d.loc[d.index[-10:-5], "grp"] = 0
    with pytest.raises(RError, match="number of columns of matrices must match"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rbridge.matchit(d, "treat", ["age", "educ"], exact="grp")
    with pytest.raises(MatchItCompatError, match="#151"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyimpl.matchit(d, "treat", ["age", "educ"], exact="grp", compat="4.5.1")


@st.composite
def options(draw):
    kw = {}
    kw["estimand"] = draw(st.sampled_from(["ATT", "ATC"]))
    kw["ratio"] = draw(st.integers(1, 3))
    kw["replace"] = draw(st.booleans())
    kw["link"] = draw(st.sampled_from(["logit", "linear.logit"]))
    cal = draw(st.sampled_from([None, None, 0.05, 0.25, 1.0]))
    if cal is not None:
        kw["caliper"] = cal
        kw["std_caliper"] = draw(st.booleans())
    kw["m_order"] = draw(st.sampled_from([None, "largest", "smallest", "data", "random"]))
    if kw["m_order"] == "random":
        kw["seed"] = draw(st.integers(1, 10**6))
    kw["discard"] = draw(st.sampled_from(["none", "none", "both", "control", "treated"]))
    return kw


def _run_or_errors(data, covs, kw):
    import rbridge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = rbridge.matchit(data, "treat", covs, **kw)
        except RError as exc:
            # R refuses (its rbind failure on a stratum without focal units is
            # the #151 bug compat reproduces): pyimpl refuses for the same reason
            kind = refusal_kind(exc, "matchit")
            with pytest.raises((InvalidArgument, MatchItCompatError)) as got:
                pyimpl.matchit(data, "treat", covs, compat="4.5.1", **kw)
            assert got.value.kind == kind, f"R refused ({kind}): {exc}; pyimpl ({got.value.kind}): {got.value}"
            event(f"both engines refused: {kind}")
            return None, None
        p = pyimpl.matchit(data, "treat", covs, compat="4.5.1", **kw)
    event(f"compared (n {'<' if len(data) < 100 else '>='} 100)")
    return p, r


@given(cohorts(), options())
@example(pd.DataFrame({"treat": [0, 0, 0, 0, 0, 0, 1, 0, 1, 0], "c0": [1.0, 0, 0, 0, 1, 0, 0, 0, 1, 0],
                       "c5": [1.0, 1, 1, 1, 1, 1, 0, 1, 0, 1]}), {})  # zero SD: Inf in R's table
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_cohorts_compat_equals_r(data, kw):
    covs = [c for c in data.columns if c != "treat"]
    p, r = _run_or_errors(data, covs, kw)
    if p is not None:
        assert_same_match(p, r)


@given(cohorts(exact=True), options())
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_cohorts_with_exact_strata_compat_equals_r(data, kw):
    covs = [c for c in data.columns if c not in ("treat", "stratum")]
    p, r = _run_or_errors(data, covs, dict(kw, exact="stratum"))
    if p is not None:
        assert_same_match(p, r)


@given(cohorts(max_n=120), options(), st.data())
@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_user_distance_with_heavy_ties_equals_r(data, kw, draw):
    # a user-supplied distance from a tiny pool: exact ties everywhere, and
    # differences spanning several integers (the integer-abs quirk)
    pool = draw.draw(st.lists(st.sampled_from([-2.5, -1.0, -0.25, 0.0, 0.1, 0.5, 1.0, 1.75, 3.0]),
                              min_size=1, max_size=5))
    rng = np.random.default_rng(len(data))
    dist = rng.choice(np.array(pool), len(data))
    covs = [c for c in data.columns if c != "treat"]
    kw = dict(kw, distance=dist)
    kw.pop("link", None)
    p, r = _run_or_errors(data, covs, kw)
    if p is not None:
        assert_same_match(p, r)
