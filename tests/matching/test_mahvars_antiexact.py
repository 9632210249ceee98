"""matchit's ``mahvars``, covariate distances (``distance = "mahalanobis"``,
``"scaled_euclidean"``, ``"euclidean"``), ``antiexact`` and calipers on
covariates: MatchIt 4.5.1's ``transform_covariates``, ``nn_matchC``,
``nn_matchC_vec`` and ``process.caliper``. By hand, against the golden files
(no R), against live R, by property, and a bad-argument table with R's messages."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
import rparity
from pyimpl.design import read_terms
from pyimpl.matching.distances import distance_matrix_terms, transform_covariates
from pyimpl.matching.nearest_general import partial_sort_indices
from rparity.cases import all_cases
from rparity.compare import compare_outcomes, run_outcome
from rparity.divergences import classify
from rparity.golden import read_golden
from rparity.testing import format_diffs
from rparity_contract.errors import InvalidArgument

from ..test_golden import _accepted

COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
NUM_COVS = ["age", "educ", "married", "nodegree", "re74", "re75"]
_NEW = ("mahvars", "mahalanobis", "euclidean", "antiexact", "caliper-age", "caliper-re78", "caliper-binary",
        "caliper-unknown")
NEW_CASES = [c for c in all_cases() if c.function == "matchit" and any(k in c.id for k in _NEW)]


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


@pytest.fixture(scope="module")
def lalonde():
    return fixtures.load("lalonde")


# -- by hand ---------------------------------------------------------------------------------
def test_mahalanobis_transform_is_rs_to_the_last_bit(lalonde):
    # MatchIt:::transform_covariates(~age + educ + re74, lalonde, "mahalanobis", treat = lalonde$treat),
    # first row, printed by R with 17 significant digits
    x = distance_matrix_terms(read_terms(lalonde, ["age", "educ", "re74"]), len(lalonde))
    z = transform_covariates(x, "mahalanobis", lalonde["treat"].to_numpy(), np.zeros(len(lalonde), bool))
    assert z[0].tolist() == [float("-1.19944276438652087"), float("1.02216849897629669"),
                             float("0.27805159868289275")]


def test_scaled_euclidean_scales_factor_levels(lalonde):
    # a factor level's column is 1/sqrt(2) (contrasts = FALSE, /sqrt(2)), divided by its pooled SD
    # (R: 2.5541684072349975)
    x = distance_matrix_terms(read_terms(lalonde, ["race"]), len(lalonde))
    z = transform_covariates(x, "scaled_euclidean", lalonde["treat"].to_numpy(), np.zeros(len(lalonde), bool))
    assert z[0, 0] == float("2.5541684072349975")


def test_partial_sort_ties_like_libstdcxx():
    # ratio 1: the first smallest; ratio k: libstdc++'s heap order (checked against g++ on 3000 random vectors)
    assert partial_sort_indices(np.array([3.0, 1.0, 1.0, 0.5]), 1) == [3]
    assert partial_sort_indices(np.array([1.0, 1.0, 1.0, 2.0]), 2) == [0, 1]
    # the heap puts the later of two tied zeros first (g++ 12's std::partial_sort gives 3 1 2)
    assert partial_sort_indices(np.array([2.0, 0.0, 1.0, 0.0, 1.0]), 3) == [3, 1, 2]


def test_singular_mahalanobis_covariance_is_refused(lalonde):
    # every level of race is a column: the pooled covariance is singular, R's SVD inverse is not replayed
    with pytest.raises(NotImplementedError, match="singular"):
        quiet(pyimpl.matchit, lalonde, "treat", COVS, mahvars=["age", "race"])


def test_robust_mahalanobis_fails_as_451_or_is_not_provided(lalonde):
    from pyimpl.matching.matchit import MatchItCompatError

    with pytest.raises(MatchItCompatError, match="determinant"):
        pyimpl.matchit(lalonde, "treat", NUM_COVS, distance="robust_mahalanobis", compat="4.5.1")
    with pytest.raises(NotImplementedError):
        pyimpl.matchit(lalonde, "treat", NUM_COVS, distance="robust_mahalanobis")


def test_result_fields(lalonde):
    m = quiet(pyimpl.matchit, lalonde, "treat", COVS, caliper={"": 0.2, "re78": 0.3})
    assert m.caliper == pytest.approx(0.05806267440795752, rel=1e-12)
    assert list(m.caliper_covs) == ["re78"] and m.caliper_covs["re78"] == pytest.approx(2241.2192376195903)
    assert "re78" in m.summary().all.index  # a caliper variable joins MatchIt's X
    m = quiet(pyimpl.matchit, lalonde, "treat", NUM_COVS, distance="mahalanobis")
    assert m.distance is None and m.m_order == "data" and "distance" not in m.match_data().columns
    assert "distance" not in m.summary().all.index


# -- golden files (no R) ----------------------------------------------------------------------
@pytest.mark.parametrize("case", NEW_CASES, ids=[c.id for c in NEW_CASES])
def test_new_cases_match_golden(case):
    header, ref = read_golden(case)
    py = rparity.engine("pyimpl")
    out = run_outcome(case, py)
    versions = {k: v for k, v in header["provenance"].items() if k != "calls"}
    rows = classify(compare_outcomes(case.function, case.id, case.dataset, out, ref), engine="pyimpl",
                    engine_version=py.version, reference_versions=versions, params=case.params, data=case.data())
    bad = [r for r in rows if not _accepted(r)]
    assert not bad, f"{case.id}:\n" + format_diffs(bad)


def test_enough_new_cases():
    assert len([c for c in NEW_CASES if c.params.get("mode") == "installed"]) >= 25


# -- live R -------------------------------------------------------------------------------------
LIVE = {
    "mahvars-caliper": dict(mahvars=["age", "educ", "re74"], caliper=0.2),
    "mahvars-ratio2-replace": dict(mahvars=["age", "re75"], ratio=2, replace=True),
    "mahalanobis-atc": dict(distance="mahalanobis", covariates=NUM_COVS, estimand="ATC"),
    "scaled-euclidean-ratio2": dict(distance="scaled_euclidean", ratio=2),
    "antiexact-exact": dict(antiexact="nodegree", exact="married"),
    "caliper-educ-re74": dict(caliper={"educ": 1.5, "re74": 0.2}, std_caliper=[False, True], ratio=2),
}


@pytest.mark.r
@pytest.mark.parametrize("name", list(LIVE))
def test_live_r_pairs_identical(name, lalonde):
    import rbridge

    kw = dict(LIVE[name])
    covs = kw.pop("covariates", COVS)
    a = quiet(pyimpl.matchit, lalonde, "treat", covs, compat="4.5.1", **kw)
    b = quiet(rbridge.matchit, lalonde, "treat", covs, **kw)
    np.testing.assert_array_equal(a.match_positions, b.match_positions)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.caliper_covs == b.caliper_covs
    sa, sb = pyimpl.matchit_summary(a), rbridge.matchit_summary(b)
    assert list(sa.all.index) == list(sb.all.index)
    np.testing.assert_allclose(sa.matched.to_numpy(float), sb.matched.to_numpy(float), rtol=1e-10, atol=1e-13)


# -- properties -----------------------------------------------------------------------------------
@st.composite
def cohorts(draw):
    n = draw(st.integers(12, 50))
    treat = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda t: 3 <= sum(t) <= len(t) - 3))
    x = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    z = draw(st.lists(st.floats(-5, 5, allow_nan=False, width=32), min_size=n, max_size=n))
    g = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    return pd.DataFrame({"treat": treat, "x": np.array(x, float), "z": np.array(z, float) + np.arange(n) * 1e-3,
                         "g": g})


def _fit(data, **kw):
    try:
        return quiet(pyimpl.matchit, data, "treat", ["x", "z"], **kw)
    except (InvalidArgument, NotImplementedError):
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from([None, "4.5.1"]), st.booleans())
def test_antiexact_pairs_always_differ(data, compat, mah):
    m = _fit(data, antiexact="g", compat=compat, **({"mahvars": ["x", "z"]} if mah else {}))
    if m is None:
        return
    mm = m.match_positions
    focal = np.flatnonzero(m.treat == 1)
    g = data["g"].to_numpy()
    for i, row in zip(focal, mm):
        for c in row[row >= 0]:
            assert g[c] != g[i]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from([None, "4.5.1"]), st.sampled_from([1, 2]), st.booleans())
def test_huge_covariate_caliper_changes_nothing(data, compat, ratio, mah):
    # the scan kernel (nn_matchC_vec with covariate calipers) against the plain one, and nn_matchC with and
    # without a caliper that binds nowhere
    extra = {"mahvars": ["x", "z"]} if mah else {}
    plain = _fit(data, compat=compat, ratio=ratio, **extra)
    wide = _fit(data, compat=compat, ratio=ratio, caliper={"x": 1e6}, std_caliper=False, **extra)
    if plain is None or wide is None:
        assert plain is None and wide is None
        return
    np.testing.assert_array_equal(plain.match_positions, wide.match_positions)


# -- bad arguments: pyimpl's message is R's -----------------------------------------------------------
BAD_ARGS = [
    ("mahvars unknown", dict(mahvars=["age", "nope"]),
     'All names supplied to `mahvars` must be variables in `data`. Variables not in `data`:\n\t"nope"', "data.column"),
    ("antiexact unknown", dict(antiexact="nope"),
     'All names supplied to `antiexact` must be variables in `data`. Variables not in `data`:\n\t"nope"',
     "data.column"),
    ("caliper name not a variable", dict(caliper={"nope": 0.5}),
     "All variables named in `caliper` must be in `data`. Variables not in `data`:\n\tnope", "data.column"),
    ("caliper on a binary variable", dict(caliper={"married": 0.5}),
     "Calipers cannot be used with binary, factor, or character variables. Offending variables:\n\tmarried",
     "caliper.binary"),
    ("caliper on a factor", dict(caliper={"race": 0.5}),
     "Calipers cannot be used with binary, factor, or character variables. Offending variables:\n\trace",
     "caliper.binary"),
    ("mahvars with distance='mahalanobis'", dict(distance="mahalanobis", covariates=NUM_COVS, mahvars=["age"]),
     "The argument 'mahvars' is not used with `method = \"nearest\"` and distance = \"mahalanobis\".",
     "mahvars.distance"),
    ("unnamed caliper without a propensity score", dict(distance="mahalanobis", covariates=NUM_COVS, caliper=0.2),
     "All entries in `caliper` must be named when distance does not correspond to a propensity score.",
     "caliper.value"),
    ("discard without a propensity score", dict(distance="euclidean", covariates=NUM_COVS, discard="both"),
     "'discard' must be a logical vector or \"none\" in the absence of a propensity score.", "discard.value"),
    ("m.order largest without a propensity score", dict(distance="mahalanobis", covariates=NUM_COVS,
                                                        m_order="largest"),
     "The argument to 'm.order' should be one of  \"data\" or \"random\".", "m_order.value"),
    ("no covariates with distance='mahalanobis'", dict(distance="mahalanobis", covariates=[]),
     "Covariates must be specified in the input formula when distance = \"mahalanobis\".", "covariates.empty"),
    ("std.caliper of another length", dict(caliper={"age": 1, "": 0.2}, std_caliper=[True, False, True]),
     "`std.caliper` must be the same length as `caliper`", "std_caliper.type"),
]
ENGINES = ["pyimpl", pytest.param("r", marks=pytest.mark.r)]


@pytest.mark.parametrize("eng", ENGINES)
@pytest.mark.parametrize("label,kwargs,msg,kind", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_arguments_with_rs_message(eng, label, kwargs, msg, kind, lalonde):
    from rparity.refusals import refusal_kind

    kw = dict(kwargs)
    covs = kw.pop("covariates", COVS)
    if eng == "r":
        import rbridge

        fn = rbridge.matchit
    else:
        fn = pyimpl.matchit
    with pytest.raises(Exception) as e:
        quiet(fn, lalonde, "treat", covs, **kw)
    assert msg in str(e.value), str(e.value)
    assert refusal_kind(e.value, "matchit") == kind


@pytest.mark.parametrize("eng", ENGINES)
def test_negative_covariate_caliper_is_its_absolute_value(eng, lalonde):
    if eng == "r":
        import rbridge

        fn = rbridge.matchit
    else:
        fn = pyimpl.matchit
    a = quiet(fn, lalonde, "treat", COVS, caliper={"age": -0.5})
    b = quiet(fn, lalonde, "treat", COVS, caliper={"age": 0.5})
    np.testing.assert_array_equal(a.match_positions, b.match_positions)
    assert a.caliper_covs == b.caliper_covs and a.caliper_covs["age"] > 0


def test_unsupported_lists_what_is_left():
    text = " ".join(pyimpl.UNSUPPORTED["matchit"])
    assert "s.weights" in text and "unit.id" in text and re.search(r"generali[sz]ed inverse", text)
