"""``residuals(<survreg>, type=)``: closed forms (Gaussian exact data), the
identities between the types, the bad-argument table, R's refusals, the
golden cases in live R and a differential test against R on random data."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl.survreg import survreg, survreg_residuals
from rparity.cases import all_cases
from rparity.cases.survreg import interval_lung, run_survreg_residuals
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
ILUNG = interval_lung(LUNG)
EXACT = LUNG.assign(status=2)  # every row an event


def test_gaussian_exact_working_response_and_deviance_are_the_residual():
    """Uncensored Gaussian: dg = z / s, ddg = -1 / s^2, so working = response
    = y - lp, and the deviance residual is z = (y - lp) / s."""
    f = survreg("Surv(time, status) ~ age + sex", EXACT, dist="gaussian")
    resid = EXACT["time"].to_numpy(float) - f.linear_predictors
    np.testing.assert_allclose(survreg_residuals(f, "working").values, resid, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(survreg_residuals(f, "response").values, resid, rtol=0, atol=1e-9)
    np.testing.assert_allclose(survreg_residuals(f, "deviance").values, resid / f.scale[0], rtol=1e-9, atol=1e-9)


def test_matrix_columns_are_the_loglik_and_its_derivatives():
    """g sums (with the Jacobian) to the loglik; dg and ds sum to the score, 0
    at the MLE. survival 3.5-3's ds of an interval-censored row is
    ``tdenom * (z2 f(z2) - z f(z))``: minus the derivative survregc1.c fits
    with, so the score in log sigma is the sum with those rows' sign flipped
    (R's value, kept)."""
    f = survreg('Surv(lo, hi, type = "interval2") ~ age + sex', ILUNG, dist="loglogistic")
    m = survreg_residuals(f, "matrix")
    assert m.columns == ("g", "dg", "ddg", "ds", "dds", "dsg")
    used = ILUNG.drop(index=list(f.na_action))
    lo, hi = used["lo"].to_numpy(float), used["hi"].to_numpy(float)
    exact = lo == hi
    interval = ~np.isnan(lo) & ~np.isnan(hi) & ~exact
    jac = float(np.sum(np.log(1 / lo[exact])))
    assert m.values[:, 0].sum() + jac == pytest.approx(f.loglik[1], rel=1e-12)
    ds = m.values[:, 3]
    assert abs(m.values[:, 1].sum()) < 1e-6
    assert abs(ds[~interval].sum() - ds[interval].sum()) < 1e-6 and abs(ds.sum()) > 1


def test_dfbeta_identities():
    """dfbeta = score %*% var; ldcase = rowSums(dfbeta * score); crossprod(dfbeta)
    is the robust variance; dfbetas divides by the standard errors."""
    f = survreg("Surv(time, status) ~ age + sex", LUNG)
    dfb = survreg_residuals(f, "dfbeta").values
    m = survreg_residuals(f, "matrix").values
    x = np.column_stack([np.ones(len(LUNG)), LUNG["age"], LUNG["sex"]])
    score = np.column_stack([m[:, 1:2] * x, m[:, 3]])
    np.testing.assert_allclose(dfb, score @ f.var, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(survreg_residuals(f, "ldcase").values, np.sum(dfb * score, axis=1), rtol=1e-12)
    np.testing.assert_allclose(survreg_residuals(f, "dfbetas").values, dfb / np.sqrt(np.diag(f.var)), rtol=1e-14)
    robust = survreg("Surv(time, status) ~ age + sex", LUNG, robust=True)
    np.testing.assert_allclose(dfb.T @ dfb, robust.var, rtol=1e-12)


def test_collapse_sums_rows_by_sorted_group_and_weighted_multiplies():
    w = LUNG["meal.cal"].notna()
    d = LUNG[w].reset_index(drop=True)
    f = survreg("Surv(time, status) ~ age", d, weights="meal.cal")
    base = survreg_residuals(f, "dfbeta").values
    wt = survreg_residuals(f, "dfbeta", weighted=True).values
    np.testing.assert_array_equal(wt, base * d["meal.cal"].to_numpy(float)[:, None])
    g = d["sex"].map({1: "m", 2: "f"})
    c = survreg_residuals(f, "dfbeta", collapse=g)
    assert c.groups == ("f", "m")
    np.testing.assert_allclose(c.values[0], base[(g == "f").to_numpy()].sum(axis=0), rtol=1e-12)


def test_a_fixed_scale_has_no_scale_column():
    f = survreg("Surv(time, status) ~ age", LUNG, dist="exponential")
    assert survreg_residuals(f, "dfbeta").values.shape == (len(LUNG), 2)


def _fit():
    return survreg("Surv(time, status) ~ age", LUNG)


BAD = [
    (dict(type="foo"), "type.value"),
    (dict(type=3), "type.value"),
    (dict(type="dfbeta", rsigma=False), "argument.value"),
    (dict(type="dfbeta", collapse=[1, 2, 3]), "lengths"),
    (dict(type="dfbeta", weighted="yes"), "argument.type"),
    (dict(type="d"), "type.value"),  # ambiguous prefix: deviance, dfbeta, dfbetas
]


@pytest.mark.parametrize("kw, kind", BAD)
def test_bad_arguments_are_refused_naming_the_argument(kw, kind):
    with pytest.raises(InvalidArgument) as err:
        survreg_residuals(_fit(), **kw)
    assert err.value.kind == kind
    assert "`" in str(err.value)


def test_not_a_fit_is_refused():
    with pytest.raises(InvalidArgument) as err:
        survreg_residuals("fit", "dfbeta")  # type: ignore[arg-type]
    assert err.value.kind == "fit.type"


def test_a_cluster_argument_that_dropped_rows_is_refused_for_the_score_types():
    """R rebuilds the model frame without cluster= and misaligns the rows (it warns)."""
    f = survreg("Surv(time, status) ~ age", LUNG, cluster="inst")
    assert survreg_residuals(f, "working").values.shape == (f.n,)
    with pytest.raises(InvalidArgument) as err:
        survreg_residuals(f, "dfbeta")
    assert err.value.kind == "residuals.rows"


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", BAD[:4])
def test_r_refuses_them_too(r_engine, kw, kind):
    fit = r_engine.survreg("Surv(time, status) ~ age", LUNG)
    with pytest.raises(Exception) as err:
        r_engine.survreg_residuals(fit, **kw)
    assert refusal_kind(err.value, "survreg_residuals") == kind


RESID_CASES = [c for c in all_cases() if c.function == "survreg_residuals"]


@pytest.mark.r
@pytest.mark.parametrize("case", RESID_CASES, ids=[c.id for c in RESID_CASES])
def test_matches_live_r(py_engine, r_engine, case):
    differential("survreg_residuals", lambda eng: run_survreg_residuals(eng, case.data(), case.params), py_engine,
                 r_engine)


@st.composite
def residual_case(draw):
    n = draw(st.integers(15, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    x = rng.normal(size=n).round(2)
    t = np.exp(2 + 0.4 * x + rng.logistic(size=n) * 0.5).round(3) + 0.01
    lo = np.where(rng.random(n) < 0.3, np.nan, t * 0.8)
    hi = np.where(rng.random(n) < 0.3, np.nan, np.where(rng.random(n) < 0.4, lo, t * 1.3))
    hi = np.where(np.isnan(lo) & np.isnan(hi), t, hi)
    lo = np.where(~np.isnan(lo) & ~np.isnan(hi) & (lo > hi), hi, lo)
    g = rng.integers(0, 3, size=n)
    dist = draw(st.sampled_from(["weibull", "lognormal", "loglogistic", "gaussian", "logistic", "extreme"]))
    typ = draw(st.sampled_from(["response", "deviance", "dfbeta", "dfbetas", "working", "ldcase", "ldresp",
                                "ldshape", "matrix"]))
    return pd.DataFrame({"lo": lo, "hi": hi, "x": x, "g": g}), dist, typ


@pytest.mark.r
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=residual_case())
def test_random_data_agree_with_r(py_engine, r_engine, case):
    data, dist, typ = case

    def probe(eng):
        f = eng.survreg('Surv(lo, hi, type = "interval2") ~ x', data, dist=dist)
        r = eng.survreg_residuals(f, typ, collapse=data["g"].iloc[[i for i in range(len(data))
                                                                       if i not in f.na_action]])
        return {"values": r.values, "groups": r.groups}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differential("survreg_residuals", probe, py_engine, r_engine)


def test_rsigma_false_with_a_fixed_scale_is_the_coefficient_part():
    f = survreg("Surv(time, status) ~ age", LUNG, scale=1.0)
    a = survreg_residuals(f, "dfbeta", rsigma=False).values
    b = survreg_residuals(f, "dfbeta").values
    np.testing.assert_array_equal(a, b)
    assert math.isfinite(a.sum())
