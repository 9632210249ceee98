"""The propensity model's other binomial links (probit, cauchit, cloglog, log):
R's distribution functions and glm.fit's iterations, step halving included."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.matching.glm_fit import GlmFitError, fit_binomial
from pyimpl.matching.links import dcauchy, dnorm, pcauchy, pnorm, qcauchy, tanpi
from rparity_contract.errors import InvalidArgument

from .helpers import LALONDE_COVS


# -- closed forms ---------------------------------------------------------------------
def test_closed_forms():
    assert pnorm(0.0) == 0.5 and pnorm(-math.inf) == 0.0 and pnorm(math.inf) == 1.0
    assert pcauchy(1.0) == 0.75 and pcauchy(-1.0) == 0.25 and pcauchy(0.0) == 0.5
    assert qcauchy(0.75) == 1.0 and qcauchy(0.25) == -1.0 and qcauchy(0.5) == 0.0  # tanpi(1/4) = 1 exactly
    assert tanpi(0.25) == 1.0 and tanpi(-0.25) == -1.0 and tanpi(1.0) == 0.0 and math.isnan(tanpi(0.5))
    assert dnorm(0.0) == 0.398942280401432677939946059934 and dcauchy(0.0) == 1 / math.pi
    # the tails: 1 - Phi(x) ~ phi(x)/x (Mills), to 2% at x = 7
    assert (1 - pnorm(7.0)) == pytest.approx(dnorm(7.0) / 7.0, rel=0.03)


def test_step_halving_by_hand():
    """A log-binomial fit whose first step leaves (0, 1) for some units: R halves the
    step back toward the previous coefficients, warning each time, and reports the
    boundary; with no previous coefficients it stops."""
    rs = np.random.default_rng(656)
    n = int(rs.integers(20, 120))
    X = np.column_stack([np.ones(n), np.round(rs.normal(size=n) * 2, 1)])
    eta = rs.uniform(-2, -0.3) + X[:, 1] * rs.uniform(0.2, 0.9)
    y = (rs.random(n) < np.minimum(np.exp(eta), 0.97)).astype(float)
    out = fit_binomial(X, y, np.ones(n), "log", family="quasibinomial")
    assert out["warnings"] == ["step size truncated: out of bounds"]
    assert out["converged"] and np.all(out["fitted"] < 1)
    with pytest.raises(GlmFitError, match="no valid set of coefficients has been found"):
        fit_binomial(np.column_stack([np.ones(6), [0, 1, 2, 3, 4, 5.0]]), np.array([0, 0, 1, 1, 1, 1.0]),
                     np.ones(6), "log")


def test_links_in_matchit_are_refused_or_accepted_as_in_each_version():
    d = fixtures.load("lalonde")
    with pytest.raises(InvalidArgument, match="link") as e:
        pyimpl.matchit(d, "treat", LALONDE_COVS, link="linear.cauchit", compat="3.0.2", seed=1)
    assert e.value.kind == "link.value"  # 3.0.2's distance2linearcauchit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pyimpl.matchit(d, "treat", LALONDE_COVS, link="linear.cauchit", compat="4.5.1")
    assert m.distance.min() < 0  # the linear predictor
    with pytest.raises(InvalidArgument, match="`link` must be one of") as e:
        pyimpl.matchit(d, "treat", LALONDE_COVS, link="loglog")
    assert e.value.kind == "link.value"
    with pytest.raises(GlmFitError, match="no valid set of coefficients"):
        pyimpl.matchit(d, "treat", LALONDE_COVS, link="log")


# -- live R ------------------------------------------------------------------------------
_FNS = {"pnorm": pnorm, "dnorm": dnorm, "pcauchy": pcauchy, "dcauchy": dcauchy}


@pytest.mark.r
@given(x=st.lists(st.floats(-60, 60, allow_nan=False) | st.floats(-1e-8, 1e-8) |
                  st.sampled_from([0.67448975, 5.656854249492381, 8.2924, -37.5193, 1.0, -1.0]),
                  min_size=1, max_size=50),
       u=st.lists(st.floats(0, 1), min_size=1, max_size=50))
@settings(max_examples=60, deadline=None)
def test_distribution_functions_are_rs(x, u):
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        xv = np.array(x)
        for name, f in _FNS.items():
            np.testing.assert_array_equal(f(xv), np.asarray(ro.r[name](ro.FloatVector(xv))), err_msg=name)
        uv = np.array(u)
        np.testing.assert_array_equal(qcauchy(uv), np.asarray(ro.r["qcauchy"](ro.FloatVector(uv))))


@pytest.mark.r
def test_qnorm_is_rs():
    """R's qnorm (AS 241), the probit's start (at (w y + 0.5)/(w + 1)) and clamp
    (-qnorm(eps)). Regression: the port had one denominator constant mistyped
    (5226.495278852545925 for 5226.495278852854561), an ulp off for 3% of p."""
    import rpy2.robjects as ro

    import rbridge
    from pyimpl._rmath import DBL_EPS, qnorm

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        p = np.concatenate([[0.25, 0.75, DBL_EPS, 1 / 3, 2 / 3, 1e-300, 0.075, 0.925],
                            np.random.default_rng(7).uniform(size=5000)])
        np.testing.assert_array_equal(qnorm(p), np.asarray(ro.r["qnorm"](ro.FloatVector(p))))


def _r_glm(X, y, link, family):
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        fn = ro.r("function(X, y, link, fam) { f <- if (fam == 'binomial') binomial(link) else quasibinomial(link);"
                  " w <- character(0); fit <- withCallingHandlers(glm.fit(X, y, family = f), warning = function(c) {"
                  " w <<- c(w, conditionMessage(c)); invokeRestart('muffleWarning') });"
                  " list(coef = unname(fit$coefficients), fitted = unname(fit$fitted.values), iter = fit$iter,"
                  " conv = fit$converged, dev = fit$deviance, w = w) }")
        Xr = ro.r.matrix(ro.FloatVector(X.ravel(order="F")), nrow=X.shape[0])
        try:
            r = fn(Xr, ro.FloatVector(y), link, family)
        except Exception as exc:  # noqa: BLE001 - R's error, compared
            return None, str(exc)
        return {k: np.asarray(v) for k, v in zip(r.names, r)}, None


@st.composite
def glm_data(draw):
    rs = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    link = draw(st.sampled_from(["probit", "cauchit", "cloglog", "log"]))
    n = int(rs.integers(15, 150))
    k = int(rs.integers(1, 4))
    X = np.column_stack([np.ones(n)] + [np.round(rs.normal(size=n) * 2, int(rs.integers(0, 3))) for _ in range(k)])
    eta = rs.uniform(-2.5, -0.3) + X[:, 1:] @ rs.uniform(-0.8, 0.8, size=k)
    mu = np.minimum(np.exp(eta), 0.97) if link == "log" else 1 / (1 + np.exp(-eta))
    y = (rs.random(n) < mu).astype(float)
    return X, y, link, draw(st.sampled_from(["binomial", "quasibinomial"]))


@pytest.mark.r
@given(c=glm_data())
@settings(max_examples=120, deadline=None)
def test_glm_fit_is_rs(c):
    """Coefficients and fitted values bit for bit, the same iterations, warnings
    (step halving included) and errors as R's glm.fit."""
    X, y, link, family = c
    r, r_err = _r_glm(X, y, link, family)
    try:
        p, p_err = fit_binomial(X, y, np.ones(y.size), link, family=family), None
    except GlmFitError as exc:
        p, p_err = None, str(exc)
    if r_err or p_err:
        assert r_err and p_err and p_err in r_err, (r_err, p_err)
        return
    np.testing.assert_array_equal(p["coef"], r["coef"])
    np.testing.assert_array_equal(p["fitted"], r["fitted"])
    assert p["iterations"] == int(r["iter"][0]) and p["converged"] == bool(r["conv"][0])
    assert p["deviance"] == float(r["dev"][0])
    assert p["warnings"] == [str(w) for w in r["w"]]


@pytest.mark.r
@pytest.mark.parametrize("seed", [107, 524, 656, 676, 835])
def test_step_halving_regressions_live(seed):
    """Seeds whose log-binomial fits halve their steps many times (found by search),
    against R: the same coefficients and the same sequence of warnings."""
    rs = np.random.default_rng(seed)
    n = int(rs.integers(20, 120))
    X = np.column_stack([np.ones(n), np.round(rs.normal(size=n) * 2, 1)])
    eta = rs.uniform(-2, -0.3) + X[:, 1] * rs.uniform(0.2, 0.9)
    y = (rs.random(n) < np.minimum(np.exp(eta), 0.97)).astype(float)
    r, _ = _r_glm(X, y, "log", "binomial")
    p = fit_binomial(X, y, np.ones(n), "log", family="binomial")
    np.testing.assert_array_equal(p["coef"], r["coef"])
    assert p["warnings"] == [str(w) for w in r["w"]] and any("truncated" in w for w in p["warnings"])
