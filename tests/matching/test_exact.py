"""matchit(method="exact"): MatchIt 4.5.1's matchit2exact (cells of R's printed
covariate values, subclass weights, the ignored-options warning), by hand and
against live R; R's format() of a numeric vector."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl._rformat import r_format_numbers
from pyimpl.matching.exact import exact_subclasses, ignored_options, weights_subclass
from rparity_contract.errors import InvalidArgument

from .helpers import assert_same_subclassing, quiet, run_both


# -- by hand ---------------------------------------------------------------------------
def test_weights_by_hand():
    # subclass 1: treated a, b; controls c, d, e.  subclass 2: treated f; control g.  h: no subclass
    treat = np.array([1, 1, 0, 0, 0, 1, 0, 0])
    sub = np.array([1, 1, 1, 1, 1, 2, 2, 0])
    w = weights_subclass(sub, treat, "ATT")
    # controls: 2/3 in subclass 1, 1/1 in subclass 2; sum 3 = 3 * 2/3 + 1; rescaled to 4 controls: * 4/3
    assert w[[0, 1, 5]].tolist() == [1.0, 1.0, 1.0] and w[7] == 0.0
    np.testing.assert_allclose(w[[2, 3, 4, 6]], [2 / 3 * 4 / 3] * 3 + [4 / 3], rtol=1e-15)
    assert w[[2, 3, 4, 6]].sum() == pytest.approx(4.0)
    w = weights_subclass(sub, treat, "ATE")
    # treated: 5/2 (subclass 1), 2/1 (subclass 2): rescaled to 3 treated; controls 5/3, 2/1 to 4
    t = np.array([2.5, 2.5, 2.0])
    np.testing.assert_allclose(w[[0, 1, 5]], t * 3 / t.sum(), rtol=1e-15)


def test_subclasses_follow_the_first_groups_order():
    # the first unit is a control: subclasses are numbered by the controls' first appearances
    cells = np.array([5, 3, 5, 3, 9, 9, 7])
    treat = np.array([0, 0, 1, 1, 0, 0, 1])
    assert exact_subclasses(cells, treat).tolist() == [1, 2, 1, 2, 0, 0, 0]
    with pytest.raises(InvalidArgument, match="No exact matches were found") as e:
        exact_subclasses(np.array([1, 1, 2]), np.array([1, 1, 0]))
    assert e.value.kind == "match.none"


def test_printed_values_decide_the_cells():
    # 7 significant digits: 0.12345671 and 0.12345674 print alike (R: "0.1234567")
    assert r_format_numbers([0.12345671, 0.12345674, 2.5]) == ["0.1234567", "0.1234567", "2.5000000"]
    assert r_format_numbers([1.0, 10.5]) == ["1.0", "10.5"]
    # R 4.2.2: format(c(1/3, 0.33333331, 2, 10.5, 1e-10)): fixed would be wider than scientific
    assert r_format_numbers([1 / 3, 0.33333331, 2, 10.5, 1e-10]) == [
        "3.333333e-01", "3.333333e-01", "2.000000e+00", "1.050000e+01", "1.000000e-10"]
    assert r_format_numbers([-0.0, 1.0]) == ["0", "1"]
    d = fixtures.load("digits")
    m, _ = quiet(pyimpl.matchit, d, "treat", ["x"], method="exact")
    codes = pd.Categorical(m.subclass).codes
    assert codes[0] == codes[1]  # 0.12345671 (treated) and 0.12345674 (control) share a subclass


def test_ignored_options_wording():
    assert ignored_options({}) is None
    assert ignored_options({"ratio": True}) == ("The argument 'ratio' is not used with `method = \"exact\"` and "
                                                "will be ignored.")
    assert ignored_options({"caliper": True, "ratio": True}).startswith("The arguments 'caliper' and 'ratio' are")
    assert ignored_options({"m.order": True, "distance": True, "exact": True}).startswith(
        "The arguments 'distance', 'exact', and 'm.order' are")


def test_result_and_summary_shape():
    d = fixtures.load("lalonde")
    m, w = quiet(pyimpl.matchit, d, "treat", ["race", "married", "nodegree"], method="exact", estimand="ATE")
    assert w == [] and m.distance is None and m.match_matrix is None and m.method == "exact"
    assert m.match_positions.shape == (0, 0)
    s = pyimpl.matchit_summary(m)
    assert "distance" not in s.all.index and list(s.all.index)[:3] == ["raceblack", "racehispan", "racewhite"]
    md = pyimpl.match_data(m)
    assert "distance" not in md.columns and {"weights", "subclass"} <= set(md.columns)


@pytest.mark.parametrize("kw,kind", [
    (dict(covariates=[]), "covariates.empty"),
    (dict(covariates=["race"], method="fuzzy"), "method.value"),
    (dict(covariates=["age"], estimand="ATE", method="nearest"), "estimand.value"),
])
def test_bad_arguments(kw, kind):
    kw = {"method": "exact", **kw}
    covs = kw.pop("covariates")
    with pytest.raises(InvalidArgument) as e:
        pyimpl.matchit(fixtures.load("lalonde"), "treat", covs, **kw)
    assert e.value.kind == kind


def test_3_0_2_exact_is_not_provided():
    with pytest.raises(NotImplementedError, match="3.0.2"):
        pyimpl.matchit(fixtures.load("lalonde"), "treat", ["race"], method="exact", compat="3.0.2", seed=1)


# -- live R -------------------------------------------------------------------------------
@pytest.mark.r
@given(v=st.lists(st.floats(-1e12, 1e12, allow_nan=False) | st.floats(-1, 1) |
                  st.sampled_from([0.12345671, 0.12345674, 9.9999999, 99.99995, 1e-300, 123456.75, 0.0]),
                  min_size=1, max_size=12))
@settings(max_examples=150, deadline=None)
def test_format_numbers_is_rs(v):
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        assert r_format_numbers(v) == [s.strip() for s in ro.r["format"](ro.FloatVector(v))]


@st.composite
def exact_cohorts(draw):
    rs = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rs.integers(6, 80))
    data = pd.DataFrame({
        "t": rs.integers(0, 2, n),
        "g": pd.Categorical(rs.choice(["a", "b", "c"], n)),
        "k": rs.integers(0, 3, n),
        "b": rs.integers(0, 2, n).astype(bool),
        "x": rs.choice([0.12345671, 0.12345674, 2.5, 2.50000004, 1e-9, 7.0, 7.0000001], n),
        "y": np.round(rs.normal(size=n), int(rs.integers(0, 3))),
    })
    data.loc[0, "t"], data.loc[1, "t"] = 1, 0
    covs = draw(st.lists(st.sampled_from(["g", "k", "b", "x", "y"]), min_size=1, max_size=3, unique=True))
    kw = {"estimand": draw(st.sampled_from(["ATT", "ATC", "ATE"]))}
    if draw(st.booleans()):
        kw["ratio"] = draw(st.sampled_from([1, 2]))
    return data, covs, kw


@pytest.mark.r
@given(c=exact_cohorts())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_exact_against_matchit(c):
    """Subclasses, weights (bit for bit), warnings, refusals and the summary tables
    identical to MatchIt 4.5.1's."""
    data, covs, kw = c
    assert_same_subclassing(run_both(data, "t", covs, method="exact", **kw))


# -- coarsened exact matching (method="cem") ------------------------------------------------
def test_cem_bins_by_hand():
    from pyimpl.matching.cem import bins_of, seq_length

    x = np.array([20.0, 25.0, 30.0, 35.0, 40.0])
    # 2 bins: seq(20, 40, length = 3) = 20, 30, 40 with the ends infinite: (-Inf, 30), [30, Inf)
    assert bins_of(x, 2, "x").tolist() == [1, 1, 2, 2, 2]
    # Sturges: ceiling(log2(5) + 1) = 4 bins of width 5 (breaks 25, 30, 35)
    assert bins_of(x, "sturges", "x").tolist() == [1, 2, 3, 4, 4]
    # cut points given: (-Inf, 22), [22, 33), [33, Inf)
    assert bins_of(x, [33.0, 22.0], "x").tolist() == [1, 2, 2, 3, 3]
    assert seq_length(0.0, 1.0, 4).tolist() == [0.0, 1 / 3, 2 / 3, 1.0]
    with pytest.raises(NotImplementedError, match="fd"):
        bins_of(x, "fd", "x")
    with pytest.raises(InvalidArgument) as e:
        bins_of(x, "stuges", "x")
    assert e.value.kind == "cutpoints.value"


@st.composite
def cem_cohorts(draw):
    data, covs, kw = draw(exact_cohorts())
    kw.pop("ratio", None)
    cut = draw(st.sampled_from([None, 2, 3, "scott", "q3", "sturges"]))
    if cut is not None:
        kw["cutpoints"] = cut
    return data, covs, kw


@pytest.mark.r
@given(c=cem_cohorts())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_cem_against_matchit(c):
    """Subclasses, weights (bit for bit), warnings and refusals identical to
    MatchIt 4.5.1's own coarsened exact matching."""
    data, covs, kw = c
    assert_same_subclassing(run_both(data, "t", covs, method="cem", **kw), summary=False)
