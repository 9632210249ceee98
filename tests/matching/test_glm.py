"""glm_logit: R's glm.fit iterations (binomial, logit)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl import glm_logit
from pyimpl.errors import InvalidArgument, RParityWarning

LALONDE_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    den = np.maximum(np.abs(a[ok]), np.abs(b[ok]))
    d = np.abs(a[ok] - b[ok])
    return float(np.max(np.where(den > 1e-300, d / np.where(den > 0, den, 1), d))) if d.size else 0.0


def _assert_same_fit(p, r, rtol=1e-10):
    assert p.names == r.names
    assert p.rank == r.rank
    assert p.iterations == r.iterations
    assert p.converged == r.converged
    for f in ("coef", "fitted", "linear_predictor", "deviance", "null_deviance", "aic"):
        assert _rel(getattr(p, f), getattr(r, f)) <= rtol, f
    assert sorted(set(p.warnings)) == sorted(set(r.warnings))


def test_names_and_design_on_lalonde():
    d = fixtures.load("lalonde")
    fit = glm_logit(d[LALONDE_COVS], d["treat"])
    assert fit.names == ("(Intercept)", "age", "educ", "racehispan", "racewhite", "married", "nodegree",
                         "re74", "re75")
    assert fit.converged and fit.iterations == 5
    # the score equations hold at the MLE: X'(y - mu) ~ 0
    x = np.column_stack([np.ones(len(d)), d.age, d.educ, d.race == "hispan", d.race == "white", d.married,
                         d.nodegree, d.re74, d.re75]).astype(float)
    score = x.T @ (d.treat.to_numpy() - fit.fitted)
    assert np.max(np.abs(score) / (np.abs(x).T @ np.ones(len(d)))) < 1e-6


def test_aliased_column_gets_nan_like_r_na():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    X["c"] = X["a"] * 2.0  # linearly dependent on a
    y = rng.binomial(1, 0.4, 60)
    fit = glm_logit(X, y)
    assert np.isnan(fit.coef[3]) and not np.isnan(fit.coef[:3]).any()
    assert fit.rank == 3


def test_separation_warns_like_r():
    X = pd.DataFrame({"x": np.arange(20, dtype=float)})
    y = (X.x > 9.5).astype(int)
    with pytest.warns(RParityWarning, match="fitted probabilities numerically 0 or 1 occurred"):
        fit = glm_logit(X, y)
    assert "glm.fit: fitted probabilities numerically 0 or 1 occurred" in fit.warnings


BAD_ARGS = [
    (dict(X=pd.DataFrame({"x": [1.0, np.nan, 3.0]}), y=[0, 1, 0]), "must not contain missing"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 2, 0]), r"0 <= y <= 1"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, np.nan, 0]), "missing or infinite"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 1]), "equal lengths"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 1, 0], weights=[1, -1, 1]), "non-negative"),
    (dict(X=pd.DataFrame({"g": pd.Categorical(["a", "a", "a"])}), y=[0, 1, 0]), "at least 2 distinct"),
    (dict(X=np.zeros((3, 2, 2)), y=[0, 1, 0]), "2-D array"),
]


@pytest.mark.parametrize("kwargs,msg", BAD_ARGS)
def test_bad_arguments(kwargs, msg):
    with pytest.raises(InvalidArgument, match=msg):
        glm_logit(**kwargs)


@pytest.mark.r
@pytest.mark.parametrize("weights", [None, "int", "frac"])
def test_lalonde_live(weights):
    import rbridge

    d = fixtures.load("lalonde")
    w = None
    if weights == "int":
        w = (np.arange(len(d)) % 3 + 1).astype(float)
    elif weights == "frac":
        w = (np.arange(len(d)) % 5) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = glm_logit(d[LALONDE_COVS], d["treat"], weights=w)
        r = rbridge.glm_logit(d[LALONDE_COVS], d["treat"], weights=w)
    _assert_same_fit(p, r)
    assert r.provenance["placeholders"]["x3"] == "race"


@st.composite
def logistic_problems(draw):
    n = draw(st.integers(8, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = draw(st.integers(1, 5))
    cols, lp = {}, np.zeros(n)
    for j in range(k):
        kind = draw(st.sampled_from(["binary", "continuous", "category", "scaled"]))
        if kind == "binary":
            v = rng.binomial(1, 0.5, n).astype(float)
        elif kind == "continuous":
            v = rng.normal(size=n)
        elif kind == "scaled":
            v = np.round(rng.gamma(2.0, 5000.0, n), 2)
        else:
            v = pd.Categorical(rng.choice(["u", "v", "w"], n))
        cols[f"v{j}"] = v
        lp += rng.normal(0, 1) * (np.asarray(pd.Categorical(v).codes if kind == "category" else v, float)
                                  / (1 if kind != "scaled" else 10000))
    y = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    wkind = draw(st.sampled_from([None, "int", "frac"]))
    w = None if wkind is None else (rng.integers(0, 4, n).astype(float) if wkind == "int" else rng.uniform(0, 2, n))
    X = pd.DataFrame(cols)
    return X, y, w


@pytest.mark.r
@given(logistic_problems())
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_differential_vs_r(problem):
    import rbridge
    from pyimpl.errors import RError

    X, y, w = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = rbridge.glm_logit(X, y, weights=w)
        except (RError, InvalidArgument) as exc:
            with pytest.raises((InvalidArgument, type(exc))):
                glm_logit(X, y, weights=w)
            return
        p = glm_logit(X, y, weights=w)
    # the iterates are R's own (bit-identical on this platform), so even
    # separated fits that stop at maxit agree
    _assert_same_fit(p, r)


@pytest.mark.r
def test_separation_live():
    import rbridge

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.normal(size=30), "z": rng.binomial(1, 0.5, 30).astype(float)})
    y = (X.x > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r = glm_logit(X, y), rbridge.glm_logit(X, y)
    assert not r.converged and r.iterations == 25
    assert set(r.warnings) == {"glm.fit: algorithm did not converge",
                               "glm.fit: fitted probabilities numerically 0 or 1 occurred"}
    _assert_same_fit(p, r)
