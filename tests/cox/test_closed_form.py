"""Closed forms (Therneau & Grambsch's test1, survival's tests/book1.R) and R's
published values from the spec (survival-3.5.md section 6), asserted directly.

The closed forms are derived here, in the test, from the data: with
r = exp(beta), the Breslow log-likelihood of test1 is
2b - log(3r + 3) - 2 log(r + 3) and the Efron one 2b - log(3r + 3) -
log(r + 3) - log((r + 5)/2).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import fixtures
from fixtures.closed_form import TEST1_BRESLOW_BETA, TEST1_EFRON_BETA
from pyimpl import RParityWarning, basehaz, concordance, cox_zph, coxph


def _test1():
    d = fixtures.load("test1")
    return d[["x"]], d["time"], d["status"]


def _breslow(b):
    r = math.exp(b)
    ll = 2 * b - math.log(3 * r + 3) - 2 * math.log(r + 3)
    u = 2 - 3 * r / (3 * r + 3) - 2 * r / (r + 3)
    i = 9 * r / (3 * r + 3) ** 2 + 6 * r / (r + 3) ** 2
    return ll, u, i


def _efron(b):
    r = math.exp(b)
    ll = 2 * b - math.log(3 * r + 3) - math.log(r + 3) - math.log((r + 5) / 2)
    u = 2 - 3 * r / (3 * r + 3) - r / (r + 3) - r / (r + 5)
    i = 9 * r / (3 * r + 3) ** 2 + 3 * r / (r + 3) ** 2 + 5 * r / (r + 5) ** 2
    return ll, u, i


@pytest.mark.parametrize("ties,form,beta", [("breslow", _breslow, TEST1_BRESLOW_BETA),
                                            ("efron", _efron, TEST1_EFRON_BETA)])
def test_test1_closed_form(ties, form, beta):
    X, t, e = _test1()
    fit = coxph(X, t, e, ties=ties)
    assert fit.n == 6 and fit.n_dropped == 1 and fit.na_action == (1,) and fit.nevent == 4
    # R stops within eps of the maximiser: 1e-9 relative, as the spec's R values show
    assert fit.coef[0] == pytest.approx(beta, rel=1e-9)
    ll0, u0, i0 = form(0.0)
    ll1, _, i1 = form(fit.coef[0])
    assert fit.loglik[0] == pytest.approx(ll0, rel=1e-14)
    assert fit.loglik[1] == pytest.approx(ll1, rel=1e-14)
    assert fit.score_test.statistic == pytest.approx(u0 * u0 / i0, rel=1e-13)
    assert fit.var[0, 0] == pytest.approx(1 / i1, rel=1e-9)
    assert fit.wald_test.statistic == pytest.approx(fit.coef[0] ** 2 * i1, rel=1e-9)
    assert fit.means[0] == 0  # a 0/1 column is not centred (nocenter)


def test_test1_spec_values():
    X, t, e = _test1()
    b = coxph(X, t, e, ties="breslow")
    assert b.coef[0] == pytest.approx(1.47528491482887, rel=1e-13)
    np.testing.assert_allclose(b.loglik, [-4.56434819146784, -3.82474950500287], rtol=1e-13)
    assert b.score_test.statistic == pytest.approx(1.6, rel=1e-13)
    assert b.var[0, 0] == pytest.approx(1.57686886578950, rel=1e-12)
    assert b.wald_test.statistic == pytest.approx(1.38024513460852, rel=1e-12)
    f = coxph(X, t, e)
    assert f.coef[0] == pytest.approx(1.67685748558820, rel=1e-13)
    np.testing.assert_allclose(f.loglik, [-4.27666611901606, -3.35897484026335], rtol=1e-13)
    assert f.var[0, 0] == pytest.approx(1.63230156074825, rel=1e-12)
    assert f.score_test.statistic == pytest.approx(2.03614457831325, rel=1e-13)
    c = f.concordance
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (5, 0, 4, 1, 0)
    assert c.c == pytest.approx(7 / 9, rel=1e-15)
    assert c.std == pytest.approx(0.0592077965841076, rel=1e-12)
    assert concordance(f).c == pytest.approx(7 / 9, rel=1e-15)


def test_test1_baseline_closed_form():
    X, t, e = _test1()
    f = coxph(X, t, e)
    r = math.exp(f.coef[0])
    h1 = 1 / (3 * r + 3)
    h6 = h1 + 1 / (r + 3) + 2 / (r + 5)
    b = basehaz(f, centered=False)
    np.testing.assert_array_equal(b["time"], [1, 6, 8, 9])
    np.testing.assert_allclose(b["hazard"], [h1, h6, h6, h6 + 1], rtol=1e-12)
    np.testing.assert_allclose(b["hazard"], [0.05250401271169552, 0.36554343254508526, 0.36554343254508526,
                                             1.36554343254508526], rtol=1e-9)
    # centered: the means of a 0/1 column are 0, so both coincide
    np.testing.assert_allclose(basehaz(f)["hazard"], b["hazard"], rtol=0)


def test_test1_exact_is_monotone():
    X, t, e = _test1()
    with pytest.warns(RParityWarning, match="Loglik converged before variable  1 ; beta may be infinite"):
        f = coxph(X, t, e, ties="exact")
    assert f.coef[0] == pytest.approx(21.2028947312550, rel=1e-6)
    assert f.warnings == ("Loglik converged before variable  1 ; beta may be infinite. ",)


def test_testw1_weights_spec_values():
    d = fixtures.load("testw1")
    b = coxph(d[["x"]], d.time, d.status, ties="breslow", weights=d.wt)
    assert b.coef[0] == pytest.approx(0.8595574444935894, rel=1e-13)
    np.testing.assert_allclose(b.loglik, [-32.86755077890047, -32.02104627643326], rtol=1e-13)
    assert not b.robust  # integer weights: model-based variance, as R
    f = coxph(d[["x"]], d.time, d.status, weights=d.wt)
    assert f.coef[0] == pytest.approx(0.8726042463828863, rel=1e-13)


def _lung():
    d = fixtures.load("lung")
    return d, (d.status == 2).astype(float)


def test_lung_spec_values():
    d, ev = _lung()
    f = coxph(d[["age", "sex"]], d.time, ev)
    np.testing.assert_allclose(f.coef, [0.0170453318454113, -0.5132185171083844], rtol=1e-13)
    np.testing.assert_allclose(f.loglik, [-749.909801390395, -742.848245783770], rtol=1e-14)
    assert f.score_test.statistic == pytest.approx(13.7223214895153, rel=1e-12)
    assert f.wald_test.statistic == pytest.approx(13.4732494513703, rel=1e-12)
    assert f.iterations == 3
    assert f.concordance.c == pytest.approx(0.602853002897971, rel=1e-13)
    assert f.concordance.std == pytest.approx(0.0254986777697303, rel=1e-12)
    z = cox_zph(f)
    assert z.terms == ("age", "sex", "GLOBAL")
    np.testing.assert_allclose(z.chisq, [0.20920282636381, 2.60767170353677, 2.77078537593772], rtol=1e-12)
    b = coxph(d[["age", "sex"]], d.time, ev, ties="breslow")
    np.testing.assert_allclose(b.coef, [0.0170128891984432, -0.5125647915187186], rtol=1e-13)


def test_infinite_coefficient_spec():
    d = fixtures.load("infcoef")
    with pytest.warns(RParityWarning, match="coefficient may be infinite"):
        f = coxph(d[["x", "z"]], d.time, d.status)
    assert f.iterations == 20
    assert f.warnings == ("Loglik converged before variable  1 ; coefficient may be infinite. ",)
    # the diverging coefficient is a point on a flat ridge: reported, loosely compared
    assert f.coef[0] == pytest.approx(21.748978347204613, rel=1e-6)
    assert f.coef[1] == pytest.approx(-0.13927597083340215, rel=1e-9)
    np.testing.assert_allclose(f.loglik, [-8.3020178097512041, -5.6245826981082132], rtol=1e-12)


def test_summary_table_columns():
    d, ev = _lung()
    f = coxph(d[["age", "sex"]], d.time, ev)
    s = f.summary()
    assert list(s.columns) == ["coef", "exp_coef", "se", "z", "p", "lower", "upper"]
    assert list(s.index) == ["age", "sex"]
    np.testing.assert_allclose(s["z"], f.coef / f.se, rtol=1e-15)
    r = coxph(d[["age", "sex"]], d.time, ev, cluster=d.inst)
    sr = r.summary()
    assert list(sr.columns) == ["coef", "exp_coef", "se", "robust_se", "z", "p", "lower", "upper"]
    np.testing.assert_allclose(sr["se"], np.sqrt(np.diag(r.naive_var)), rtol=1e-15)
    np.testing.assert_allclose(sr["z"], r.coef / sr["robust_se"], rtol=1e-15)


def test_no_events_is_not_an_error():
    X = pd.DataFrame({"x": np.arange(8.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = coxph(X, np.arange(1.0, 9.0), np.zeros(8))
    assert np.isnan(f.coef).all() and f.iterations == 0 and f.nevent == 0
    assert f.lr_test.statistic == 0 and f.lr_test.df == 0 and f.lr_test.pvalue == 1
    # coxph.R's early return: every pair count 0, the concordance and its std NA
    c = f.concordance
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy) == (0, 0, 0, 0, 0)
    assert np.isnan(c.c) and np.isnan(c.std) and c.n == 8
