"""``predict(<survreg>, type="terms")`` (survival 3.5-3's predict.survreg):
closed forms, R's column labels, refusals, and live R; and the kernel's fast
paths (C-library exp/log over arrays, the blocked sequential sums) against
the plain element-by-element and loop forms they replace."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl import _libm
from pyimpl.survreg import survreg, survreg_predict
from pyimpl.survreg._cmath import cexp, clog
from pyimpl.survreg.survreg6 import _block_sums, _jj_sums, dolik, loglik_terms, make_design
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")


def test_terms_sum_to_the_centred_linear_predictor():
    """With an intercept each column is (x - mean) coef over the term's columns:
    the columns add up to lp - sum(means * coef)."""
    f = survreg("Surv(time, status) ~ age + sex + factor(ph.ecog)", LUNG)
    p = survreg_predict(f, type="terms")
    assert p.fit.shape == (f.n, 3) and p.columns == ("age", "sex", "factor(ph.ecog)")
    expected = f.linear_predictors - float(np.dot(f.means, f.coef))
    np.testing.assert_allclose(p.fit.sum(axis=1), expected, rtol=1e-12, atol=1e-12)


def test_a_one_column_terms_se_is_its_centred_value_times_the_coefficients_se():
    f = survreg("Surv(time, status) ~ age + sex", LUNG)
    p = survreg_predict(f, type="terms", se_fit=True)
    age = LUNG["age"].to_numpy(float)
    np.testing.assert_allclose(p.fit[:, 0], (age - f.means[1]) * f.coef[1], rtol=1e-13)
    np.testing.assert_allclose(p.se_fit[:, 0], np.abs((age - f.means[1]) * f.coef[1]) * math.sqrt(f.var[1, 1]),
                               rtol=1e-13)


def test_without_an_intercept_the_terms_are_not_centred():
    f = survreg("Surv(time, status) ~ age + sex - 1", LUNG)
    p = survreg_predict(f, type="terms")
    np.testing.assert_array_equal(p.fit[:, 0], LUNG["age"].to_numpy(float) * f.coef[0])
    np.testing.assert_allclose(p.fit.sum(axis=1), f.linear_predictors, rtol=1e-14)


def test_columns_are_named_as_r_names_them_after_a_leading_strata_term():
    """attrassign reads the full terms' labels at the reduced matrix's term index."""
    f = survreg("Surv(time, status) ~ strata(sex) + age + ph.ecog", LUNG)
    p = survreg_predict(f, type="terms")
    assert p.columns == ("strata(sex)", "age")
    assert p.fit.shape == (f.n, 2)


def test_na_exclude_pads_nan_rows_and_newdata_keeps_every_row():
    f = survreg("Surv(time, status) ~ age + ph.ecog", LUNG, na_action="na.exclude")
    p = survreg_predict(f, type="terms", se_fit=True)
    assert p.fit.shape == (len(LUNG), 2)
    assert np.isnan(p.fit[list(f.na_action)]).all() and np.isnan(p.se_fit[list(f.na_action)]).all()
    g = survreg("Surv(time, status) ~ age + factor(ph.ecog)", LUNG)
    q = survreg_predict(g, type="terms", newdata=LUNG.iloc[:8])
    np.testing.assert_array_equal(q.fit, survreg_predict(g, type="terms").fit[:8])


def test_terms_of_an_intercept_only_fit_are_refused():
    with pytest.raises(InvalidArgument, match="subscript out of bounds") as err:
        survreg_predict(survreg("Surv(time, status) ~ 1", LUNG), type="terms")
    assert err.value.kind == "predict.null"


@pytest.mark.r
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), dist=st.sampled_from(["weibull", "lognormal", "loglogistic"]))
def test_terms_on_random_subsamples_match_live_r(py_engine, r_engine, seed, dist):
    rows = np.sort(np.random.default_rng(seed).choice(len(LUNG), 120, replace=False))
    data = LUNG.iloc[rows].reset_index(drop=True)

    def run(eng):
        fit = eng.survreg("Surv(time, status) ~ age + sex + factor(ph.ecog) + wt.loss", data, dist=dist)
        pr = eng.survreg_predict(fit, type="terms", se_fit=True)
        return {"fit": pr.fit, "se_fit": pr.se_fit, "columns": tuple(pr.columns)}

    differential("survreg_predict", run, py_engine, r_engine)


# --- the kernel's fast paths: the same bits as the plain forms ---------------------------------------------

@pytest.mark.parametrize("values", [
    np.linspace(-40, 40, 1001),
    np.array([0.0, -0.0, 1e-300, 5e-324, np.inf, -np.inf, np.nan, 709.7, -745.2, -800.0]),
    np.full(50, 0.25),
    np.array([710.0, 1.0, 2.0]),  # exp overflow: C's Inf, through pyimpl._libm
])
@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_cexp_is_the_c_librarys_exp(values):
    np.testing.assert_array_equal(cexp(values), _libm.exp(values))


@pytest.mark.parametrize("values", [
    np.geomspace(1e-300, 1e300, 1001),
    np.array([0.0, -1.0, np.nan, np.inf, 5e-324, 1.0]),  # log(0) = -Inf, log(-1) NaN: through pyimpl._libm
    np.full(7, 3.0),
])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_clog_is_the_c_librarys_log(values):
    np.testing.assert_array_equal(clog(values), _libm.log(values))


def _loop_sums(x, dg, ddg, wt, dsig, ddsig, dsg):
    """survregc1.c's loop as written: one person at a time, C's expressions."""
    n, nvar = x.shape
    u = [0.0] * (nvar + 1)
    imat = [[0.0] * (nvar + 1) for _ in range(nvar + 1)]
    jj = [[0.0] * (nvar + 1) for _ in range(nvar + 1)]
    for p in range(n):
        w = wt[p]
        for i in range(nvar):
            temp = dg[p] * x[p, i] * w
            u[i] += temp
            for j in range(i + 1):
                imat[i][j] -= x[p, i] * x[p, j] * ddg[p] * w
                jj[i][j] += temp * x[p, j] * dg[p]
        k = nvar
        u[k] += w * dsig[p]
        for i in range(nvar):
            imat[k][i] -= dsg[p] * x[p, i] * w
            jj[k][i] += dsig[p] * x[p, i] * dg[p] * w
        imat[k][k] -= ddsig[p] * w
        jj[k][k] += dsig[p] * dsig[p] * w
    return np.array(u), np.array(imat), np.array(jj)


@pytest.mark.parametrize("unit", [True, False])
@pytest.mark.parametrize("pair_table", [True, False])
def test_blocked_sums_are_the_c_loops_sums(unit, pair_table):
    rng = np.random.default_rng(3)
    n, nvar = 1500, 4  # more rows than a block: the totals run on from block to block
    x = rng.standard_normal((n, nvar))
    x[:, 0] = 1
    dg, ddg, dsig, ddsig, dsg = rng.standard_normal((5, n))
    wt = np.ones(n) if unit else rng.uniform(0.2, 3, n)
    des = make_design(x, np.ones(n), wt, np.zeros(n))
    assert des.xx is not None
    if not pair_table:  # a design too large for the table of x_i x_j: formed block by block
        des = dataclasses.replace(des, xx=None)
    sums = _block_sums(des, dg, ddg, wt, (dsig, ddsig, dsg))
    jsums = _jj_sums(des, dg, wt, dsig)
    u, imat, jj = _loop_sums(x, dg, ddg, wt, dsig, ddsig, dsg)
    npair = des.ii.size
    np.testing.assert_array_equal(sums[:nvar], u[:nvar])
    np.testing.assert_array_equal(-sums[nvar:nvar + npair], imat[des.ii, des.jj])
    np.testing.assert_array_equal(jsums[:npair], jj[des.ii, des.jj])
    o = nvar + npair
    assert sums[o] == u[nvar]
    np.testing.assert_array_equal(-sums[o + 1:o + 1 + nvar], imat[nvar, :nvar])
    assert -sums[o + 1 + nvar] == imat[nvar, nvar]
    np.testing.assert_array_equal(jsums[npair:npair + nvar], jj[nvar, :nvar])
    assert jsums[npair + nvar] == jj[nvar, nvar]
    # and through dolik's result, JJ formed when first read
    lik = dolik(np.zeros(nvar + 1), rng.standard_normal(n), np.ones(n), x, wt, np.zeros(n), nvar, 1, None, 1, None)
    assert lik.jj is not None and lik.jj.shape == (nvar + 1, nvar + 1)


def test_the_loglik_only_evaluation_and_unit_weight_shortcuts_change_no_bit():
    rng = np.random.default_rng(11)
    n = 400
    x = np.column_stack([np.ones(n), rng.standard_normal((n, 2))])
    time = rng.standard_normal(n)
    status = (rng.random(n) < 0.6).astype(float)
    beta = np.array([0.1, 0.3, -0.2, -0.1])
    args = (time, status, x, np.zeros(n), 3, 1, np.zeros(n, dtype=np.intp), 1, None)
    full = loglik_terms(beta, *args)
    g_only = loglik_terms(beta, *args, g_only=True)
    np.testing.assert_array_equal(g_only[0], full[0])
    assert all(v is None for v in g_only[1:])
    # explicit (non-unit) weights that are all 1.0 but built through the general path
    wt = np.ones(n)
    des_general = dataclasses.replace(make_design(x, status, wt, np.zeros(n)), unit_wt=False)
    a = dolik(beta, time, status, x, wt, np.zeros(n), 3, 1, None, 1, None)
    b = dolik(beta, time, status, x, wt, np.zeros(n), 3, 1, None, 1, None, des=des_general)
    assert a.loglik == b.loglik
    for m1, m2 in ((a.u, b.u), (a.imat, b.imat), (a.jj, b.jj)):
        np.testing.assert_array_equal(m1, m2)
