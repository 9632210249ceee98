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
from rparity_contract.errors import InvalidArgument, RParityWarning

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


# (arguments, pyimpl's message, refusal kind): refused by both engines
BAD_ARGS = [
    # pyimpl prints the value as np.float64(2.0) (a numpy scalar's repr); either spelling names it
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 2, 0]),
     r"`y` values must be 0 <= y <= 1; got y\[1\]=(np\.float64\()?2\.0", "y.values"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 1]), r"equal lengths; got len\(X\)=3, len\(y\)=2", "lengths"),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, 1, 0], weights=[1, -1, 1]),
     r"`weights` must be non-negative .*got weights\[1\]=(np\.float64\()?-1\.0", "weights.negative"),
    (dict(X=pd.DataFrame({"g": pd.Categorical(["a", "a", "a"])}), y=[0, 1, 0]),
     r"`X` column 'g' is a factor with 1 level.*contrasts can be applied only to factors with 2 or more levels",
     "X.levels"),
    # rbridge refuses this one itself: R has no 3-D model frame
    (dict(X=np.zeros((3, 2, 2)), y=[0, 1, 0]), r"2-D array; got an array of shape \(3, 2, 2\)", "argument.shape"),
]

# R's na.omit: a row with a missing covariate or response is dropped, in both engines
ACCEPTED_BY_BOTH = [
    (dict(X=pd.DataFrame({"x": [1.0, np.nan, 3.0]}), y=[0, 1, 0]), 2),
    (dict(X=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), y=[0, np.nan, 0]), 2),
    (dict(X=pd.DataFrame({"x": [1.0, np.nan, 3.0, 4, 5, 6]}), y=[0, 1, 0, 1, 1, 0]), 5),
    (dict(X=pd.DataFrame({"x": [1.0, 2, 3.0, 4, 5, 6]}), y=[0, 1, np.nan, 1, 0, 1]), 5),
]

# no accept/refuse difference found for glm_logit
ACCEPT_REFUSE_DIFFERENCES: list = []

TABLE_KINDS = {kind for *_, kind in BAD_ARGS}


@pytest.mark.parametrize("kwargs,msg,kind", BAD_ARGS)
def test_bad_arguments(kwargs, msg, kind):
    with pytest.raises(InvalidArgument, match=msg) as exc:
        glm_logit(**kwargs)
    assert exc.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kwargs,msg,kind", BAD_ARGS)
def test_bad_arguments_in_r(kwargs, msg, kind):
    import rbridge

    from ..test_refusal_table import assert_refuses

    assert_refuses("glm_logit", lambda: rbridge.glm_logit(**kwargs), kind)


@pytest.mark.parametrize("kwargs,rows", ACCEPTED_BY_BOTH)
def test_missing_rows_are_dropped(kwargs, rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy, on the degenerate 2-row fits
        fit = glm_logit(**kwargs)
    assert fit.fitted.shape == (rows,)


@pytest.mark.r
@pytest.mark.parametrize("kwargs,rows", ACCEPTED_BY_BOTH)
def test_accepted_by_both_agree(py_engine, r_engine, kwargs, rows):
    from rparity.testing import differential

    def probe(eng):
        fit = eng.glm_logit(**kwargs)
        return {**fit.quantities(), "names": tuple(fit.names), "warnings": tuple(fit.warnings)}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        compared = differential("glm_logit", probe, py_engine, r_engine)
    assert {"coef", "fitted", "deviance"} <= {r.quantity for r in compared}


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
    from rparity_contract.errors import RError

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
