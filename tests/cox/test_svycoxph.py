"""Design-based Cox regression (``svycoxph``, survey 4.1-1): by hand, metamorphic
properties, refusals, and against R on random designs."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument, RParityWarning

_F = "Surv(time, status) ~ age + ph.ecog"


@pytest.fixture(scope="module")
def lung():
    d = fixtures.load("lung").dropna(subset=["ph.ecog", "inst"]).reset_index(drop=True)
    d["w"] = 1 + (d["age"] % 4) / 3
    return d


def test_equal_weights_one_stage_is_the_robust_variance_times_n_over_n_minus_1(lung):
    """Each row its own cluster, one stratum, weights 1: the coefficients are coxph's,
    and the variance is sum of the centred dfbeta outer products times n / (n - 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RParityWarning)
        svy = pyimpl.svycoxph(_F, lung)
    fit = pyimpl.coxph(_F, data=lung)
    np.testing.assert_array_equal(svy.coef, fit.coef)
    d = np.asarray(pyimpl.coxph_residuals(fit, "dfbeta").values)
    n = d.shape[0]
    c = d - d.mean(axis=0)
    np.testing.assert_allclose(svy.var, c.T @ c * n / (n - 1), rtol=1e-12)
    np.testing.assert_allclose(svy.inv_info, fit.var, rtol=1e-15)


def test_no_weights_warns_as_svydesign(lung):
    with pytest.warns(RParityWarning, match="No weights or probabilities supplied"):
        pyimpl.svycoxph(_F, lung)


@given(scale=st.sampled_from([2.0, 0.25, 1024.0]))
@settings(max_examples=3, deadline=None)
def test_weights_times_a_power_of_two_change_nothing(lung, scale):
    a = pyimpl.svycoxph(_F, lung, weights="w", ids="inst")
    b = pyimpl.svycoxph(_F, lung.assign(w=lung.w * scale), weights="w", ids="inst")
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.var, b.var)


def test_clusters_change_the_variance_not_the_coefficients(lung):
    a = pyimpl.svycoxph(_F, lung, weights="w")
    b = pyimpl.svycoxph(_F, lung, weights="w", ids="inst")
    np.testing.assert_array_equal(a.coef, b.coef)
    assert not np.allclose(a.var, b.var)
    assert b.n_clusters == lung["inst"].nunique()


BAD = [
    ("negative weight", lambda d: d.assign(w=np.where(d.index == 2, -1.0, d.w)), {}, "weights.negative"),
    ("missing weight", lambda d: d.assign(w=np.where(d.index == 2, np.nan, d.w)), {}, "argument.missing"),
    ("not nested", lambda d: d, {"ids": "inst", "strata": "sex"}, "ids.nesting"),
    ("lonely stratum", lambda d: d.assign(s=np.where(d.index == 0, 3, d.sex)), {"strata": "s"}, "strata.lonely"),
    ("unknown column", lambda d: d, {"ids": "nope"}, "argument.value"),
]


@pytest.mark.parametrize("label,change,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(lung, label, change, kw, kind):
    d = change(lung)
    with pytest.raises(InvalidArgument) as info:
        pyimpl.svycoxph(_F, d, weights="w", **kw)
    assert info.value.kind == kind, label


@pytest.mark.r
@given(seed=st.integers(0, 2**32 - 1), nclusters=st.integers(2, 12), stratified=st.booleans(),
       ties=st.sampled_from(["efron", "breslow"]))
@settings(max_examples=20, deadline=None)
def test_svycoxph_matches_r_on_random_designs(py_engine, r_engine, lung, seed, nclusters, stratified, ties):
    rng = np.random.default_rng(seed)
    d = lung.assign(w=rng.uniform(0.2, 5.0, len(lung)).round(3), cl=rng.integers(0, nclusters, len(lung)))
    kw = {"weights": "w", "ids": "cl", "ties": ties}
    if stratified:  # clusters nested in two strata
        d = d.assign(st=(d.cl % 2).astype(float))
        kw["strata"] = "st"

    def probe(engine):
        fit = engine.svycoxph(_F, d, **kw)
        out = dict(fit.quantities())
        out["names"] = tuple(out["names"])
        out["warnings"] = tuple(fit.warnings)
        return out
    differential("svycoxph", probe, py_engine, r_engine)
