"""Design-based log-rank test (``svylogrank``, survey 4.1-1): by hand, refusals,
and against R on random designs."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument, RParityWarning

_S = "Surv(time, status) ~ sex"


@pytest.fixture(scope="module")
def lung():
    d = fixtures.load("lung").dropna(subset=["inst", "ph.ecog"]).reset_index(drop=True)
    d["w"] = 1 + (d["age"] % 4) / 3
    return d


def test_untied_unweighted_score_is_observed_minus_expected_and_se_the_residual_variance():
    """Distinct times, weights 1, each row a cluster: the score is sum over deaths of
    (Z - E(t)), and se^2 = n/(n-1) sum (U_i - mean U)^2, U_i the score residuals."""
    rng = np.random.default_rng(3)
    n = 60
    d = pd.DataFrame({"time": rng.permutation(np.arange(1.0, n + 1)), "status": rng.integers(0, 2, n),
                      "g": rng.integers(0, 2, n).astype(float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RParityWarning)
        res = pyimpl.svylogrank("Surv(time, status) ~ g", d)
    t, s, z = d.time.to_numpy(), d.status.to_numpy(), d.g.to_numpy()
    U = np.zeros(n)
    score = 0.0
    for u in np.sort(t[s == 1]):
        risk = t >= u
        e = z[risk].mean()
        i = np.flatnonzero(t == u)[0]
        score += z[i] - e
        U[i] += z[i] - e
        U[risk] -= (z[risk] - e) / risk.sum()
    np.testing.assert_allclose(res.score, [score], rtol=1e-12)
    c = U - U.mean()
    np.testing.assert_allclose(res.se ** 2, [(c * c).sum() * n / (n - 1)], rtol=1e-10)
    np.testing.assert_allclose(res.chisq, (score / res.se[0]) ** 2, rtol=1e-12)


def test_small_and_large_agree(lung):
    a = pyimpl.svylogrank(_S, lung, weights="w", ids="inst", method="small")
    b = pyimpl.svylogrank(_S, lung, weights="w", ids="inst", method="large")
    np.testing.assert_allclose(a.score, b.score, rtol=1e-12)
    np.testing.assert_allclose(a.chisq, b.chisq, rtol=1e-10)


BAD = [
    ("negative weight", lambda d: d.assign(w=np.where(d.index == 2, -1.0, d.w)), {}, "weights.nonpositive"),
    ("lonely stratum", lambda d: d.assign(s=np.where(d.index == 0, 3, d.sex)), {"strata": "s"}, "strata.lonely"),
    ("not nested", lambda d: d, {"ids": "inst", "strata": "sex"}, "ids.nesting"),
    ("unknown method", lambda d: d, {"method": "medium"}, "argument.value"),
    ("rho not a number", lambda d: d, {"rho": "1"}, "argument.value"),
    ("missing group", lambda d: d.assign(sex=np.where(d.index == 1, np.nan, d.sex)), {}, "argument.missing"),
]


@pytest.mark.parametrize("label,change,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(lung, label, change, kw, kind):
    with pytest.raises(InvalidArgument) as info:
        pyimpl.svylogrank(_S, change(lung), weights="w", **kw)
    assert info.value.kind == kind, label


@pytest.mark.r
@given(seed=st.integers(0, 2**32 - 1), nclusters=st.integers(3, 12), stratified=st.booleans(),
       method=st.sampled_from(["small", "large"]), rho=st.sampled_from([0.0, 1.0, 0.5]),
       gamma=st.sampled_from([0.0, 1.0]))
@settings(max_examples=20, deadline=None)
def test_svylogrank_matches_r_on_random_designs(py_engine, r_engine, lung, seed, nclusters, stratified, method,
                                                 rho, gamma):
    rng = np.random.default_rng(seed)
    d = lung.assign(w=rng.uniform(0.2, 5.0, len(lung)).round(3), cl=rng.integers(0, nclusters, len(lung)))
    kw = {"weights": "w", "ids": "cl", "method": method, "rho": rho, "gamma": gamma}
    if stratified:
        d = d.assign(st=(d.cl % 2).astype(float))
        kw["strata"] = "st"

    def probe(engine):
        res = engine.svylogrank("Surv(time, status) ~ factor(ph.ecog)", d, **kw)
        out = dict(res.quantities())
        out["warnings"] = tuple(res.warnings)
        return out
    differential("svylogrank", probe, py_engine, r_engine)
