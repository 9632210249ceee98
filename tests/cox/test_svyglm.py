"""Design-based glm (``svyglm``, survey 4.1-1): by hand, refusals, and against R
on random designs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl._lapack import chol2inv
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument


@pytest.fixture(scope="module")
def lung():
    d = fixtures.load("lung").dropna(subset=["inst", "wt.loss", "ph.ecog"]).reset_index(drop=True)
    d["w"] = 1 + (d["age"] % 4) / 3
    d["dead"] = d["status"] - 1
    return d


def test_gaussian_is_weighted_least_squares_with_the_sandwich(lung):
    """One cluster per row: coef = WLS; var = A^-1 (n/(n-1) sum centred (w e x)(w e x)') A^-1 with
    A = X'WX, w the weights rescaled to mean 1; t on n - p degrees of freedom."""
    fit = pyimpl.svyglm("wt.loss ~ age + sex", lung, weights="w")
    X = np.column_stack([np.ones(len(lung)), lung.age, lung.sex]).astype(float)
    y = lung["wt.loss"].to_numpy(float)
    w = lung.w.to_numpy(float) / lung.w.mean()
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    np.testing.assert_allclose(fit.coef, beta, rtol=1e-10)
    ainv = np.linalg.inv(X.T @ (X * w[:, None]))
    u = X * (w * (y - X @ beta))[:, None] @ ainv
    c = u - u.mean(axis=0)
    n = len(lung)
    np.testing.assert_allclose(fit.var, c.T @ c * n / (n - 1), rtol=1e-9)
    np.testing.assert_allclose(fit.naive_cov, ainv, rtol=1e-10)
    assert fit.df_residual == n - 1 + 1 - 3


def test_chol2inv_inverts_r_transpose_r():
    r = np.triu(np.random.default_rng(1).uniform(0.5, 2, (4, 4)))
    np.testing.assert_allclose(chol2inv(r), np.linalg.inv(r.T @ r), rtol=1e-12)


def test_clusters_change_the_variance_not_the_coefficients(lung):
    a = pyimpl.svyglm("dead ~ age + ph.ecog", lung, weights="w", family="quasibinomial")
    b = pyimpl.svyglm("dead ~ age + ph.ecog", lung, weights="w", ids="inst", family="quasibinomial")
    np.testing.assert_array_equal(a.coef, b.coef)
    assert not np.allclose(a.var, b.var)
    assert b.df_residual == lung.inst.nunique() - 1 + 1 - 3


def test_binomial_warns_about_non_integer_successes_as_r(lung):
    with pytest.warns(Warning, match="non-integer #successes"):
        pyimpl.svyglm("dead ~ age", lung, weights="w", family="binomial")


BAD = [
    ("negative weight", lambda d: d.assign(w=np.where(d.index == 2, -1.0, d.w)), {}, "weights.negative"),
    ("missing weight", lambda d: d.assign(w=np.where(d.index == 2, np.nan, d.w)), {}, "argument.missing"),
    ("lonely stratum", lambda d: d.assign(s=np.where(d.index == 0, 3, d.sex)), {"strata": "s"}, "strata.lonely"),
    ("not nested", lambda d: d, {"ids": "inst", "strata": "sex"}, "ids.nesting"),
    ("unknown family", lambda d: d, {"family": "Gamma"}, "argument.value"),
    ("binomial y outside [0, 1]", lambda d: d, {"formula": "status ~ age", "family": "binomial"}, "y.values"),
    ("poisson negative y", lambda d: d.assign(y=-d.dead), {"formula": "y ~ age", "family": "poisson"}, "y.values"),
    ("aliased column", lambda d: d.assign(a2=2 * d.age), {"formula": "dead ~ age + a2"}, "X.singular"),
]


@pytest.mark.parametrize("label,change,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(lung, label, change, kw, kind):
    kw = {"formula": "dead ~ age", **kw}
    with pytest.raises(InvalidArgument) as info:
        pyimpl.svyglm(data=change(lung), weights="w", **kw)
    assert info.value.kind == kind, label


def _probe(formula, d, kw):
    def probe(engine):
        fit = engine.svyglm(formula, d, **kw)
        out = dict(fit.quantities())
        out["names"] = tuple(out["names"])
        out["warnings"] = tuple(fit.warnings)
        return out
    return probe


@pytest.mark.r
@given(seed=st.integers(0, 2**32 - 1), nclusters=st.integers(2, 12), stratified=st.booleans(),
       family=st.sampled_from(["gaussian", "quasibinomial", "binomial", "quasipoisson", "poisson"]))
@settings(max_examples=20, deadline=None)
def test_svyglm_matches_r_on_random_designs(py_engine, r_engine, lung, seed, nclusters, stratified, family):
    rng = np.random.default_rng(seed)
    d = lung.assign(w=rng.uniform(0.2, 5.0, len(lung)).round(3), cl=rng.integers(0, nclusters, len(lung)),
                    count=rng.poisson(3, len(lung)))
    kw = {"weights": "w", "ids": "cl", "family": family}
    if stratified:
        d = d.assign(st=(d.cl % 2).astype(float))
        kw["strata"] = "st"
    y = {"gaussian": "wt.loss", "quasipoisson": "count", "poisson": "count"}.get(family, "dead")
    differential("svyglm", _probe(f"{y} ~ age + factor(ph.ecog)", d, kw), py_engine, r_engine)
