"""Kaplan-Meier and log-rank values derived by hand (fixtures.closed_form and
the formulas below), independent of both engines."""
import math

import numpy as np
import pytest

import fixtures
from fixtures import closed_form as cf
from pyimpl import survdiff, survfit


def _test1():
    d = fixtures.load("test1").dropna()
    return d.time.to_numpy(), d.status.to_numpy()


def test_test1_km_closed_form():
    t, e = _test1()
    fit = survfit(t, e)
    np.testing.assert_array_equal(fit.time, cf.TEST1_KM_TIME)
    np.testing.assert_allclose(fit.surv, cf.TEST1_KM_SURV, rtol=1e-15)
    np.testing.assert_allclose(fit.std_err, cf.TEST1_KM_STD_ERR, rtol=1e-15)
    np.testing.assert_allclose(fit.lower, cf.TEST1_KM_LOWER_LOG, rtol=1e-14)
    np.testing.assert_array_equal(fit.n_risk, [6, 4, 2, 1])
    np.testing.assert_array_equal(fit.n_event, [1, 2, 0, 1])
    np.testing.assert_array_equal(fit.n_censor, [1, 0, 1, 0])
    np.testing.assert_allclose(fit.cumhaz, np.cumsum([1 / 6, 2 / 4, 0, 1]), rtol=1e-15)
    assert math.isnan(fit.upper[-1]) and math.isinf(fit.std_err[-1])


def test_spec_values_for_test1_lower_ci():
    # survival-3.5.md section 6: log-CI lower = (0.582654795477140, 0.146791915534472, same, NA)
    t, e = _test1()
    lower = survfit(t, e).lower
    np.testing.assert_allclose(lower[:3], [0.582654795477140, 0.146791915534472, 0.146791915534472], rtol=1e-14)


def test_median_midpoint_rule_on_flat_stretch():
    # Surv(1:10) all events: S hits 0.5 exactly at t=5 and stays until 6 -> quantile 5.5
    fit = survfit(np.arange(1, 11), np.ones(10))
    assert fit.quantile([0.5]).loc[0.5, "quantile"] == 5.5
    # print rule (survmean's minmin) gives the midpoint too when the curve drops later
    assert fit.median == 5.5


def test_print_median_differs_from_quantile_when_curve_ends_at_half():
    # survival-3.5.md: times 1-4, status 1,1,0,0 -> print median 2, quantile 3
    fit = survfit([1, 2, 3, 4], [1, 1, 0, 0])
    assert fit.median == 2.0
    assert fit.quantile([0.5]).loc[0.5, "quantile"] == 3.0


def test_greenwood_by_hand_with_weights():
    # two tied deaths with weights 2 and 3 among total weight 10 at t=1
    t = [1, 1, 2, 3]
    e = [1, 1, 0, 1]
    w = [2, 3, 4, 1]
    fit = survfit(t, e, weights=w)
    n, d = 10.0, 5.0
    assert fit.surv[0] == pytest.approx((n - d) / n, rel=1e-15)
    assert fit.std_err[0] == pytest.approx(math.sqrt(d / (n * (n - d))), rel=1e-15)
    assert fit.n_risk.tolist() == [10.0, 5.0, 1.0]


def test_logrank_two_groups_by_hand():
    # group a: deaths at 1 and 3; group b: death at 2, censored at 4
    t = [1, 3, 2, 4]
    e = [1, 1, 1, 0]
    g = ["a", "a", "b", "b"]
    res = survdiff(t, e, g)
    # t=1: n=4 (2 a), d=1 -> E_a = 1/2, V = 1*3*2*2/(16*3) = 1/4
    # t=2: n=3 (1 a), d=1 -> E_a += 1/3, V += 1*2*1*2/(9*2) = 2/9
    # t=3: n=2 (1 a), d=1 -> E_a += 1/2, V += 1*1*1*1/(4*1) = 1/4
    ea = 1 / 2 + 1 / 3 + 1 / 2
    v = 1 / 4 + 2 / 9 + 1 / 4
    assert res.exp[0] == pytest.approx(ea, rel=1e-15)
    assert res.var[0, 0] == pytest.approx(v, rel=1e-15)
    assert res.chisq == pytest.approx((2 - ea) ** 2 / v, rel=1e-14)
    assert res.df == 1


def test_aml_spec_values():
    d = fixtures.load("aml")
    res = survdiff(d.time, d.status, d.x)
    np.testing.assert_allclose(res.exp, [10.68933599230072, 7.31066400769928], rtol=1e-14)
    assert res.var[0, 0] == pytest.approx(4.00755074593873, rel=1e-13)
    assert res.chisq == pytest.approx(3.3963886989776, rel=1e-13)
    assert res.pvalue == pytest.approx(0.0653393220405051, rel=1e-13)
    rho1 = survdiff(d.time, d.status, d.x, rho=1)
    assert rho1.chisq == pytest.approx(2.77927954475177, rel=1e-13)
    np.testing.assert_allclose(rho1.obs, [3.84541062801932, 7.18150448585231], rtol=1e-13)
    m = d[d.x == "Maintained"]
    fit = survfit(m.time, m.status)
    assert fit.lower[-1] == pytest.approx(0.0359178984891853, rel=1e-13)
    assert survfit(m.time, m.status, conf_type="log-log").lower[-1] == pytest.approx(0.0117384801231896, rel=1e-13)


def test_timefix_merges_near_ties():
    t = np.array([1.0, 1.0 + 1e-12, 2.0])
    fit = survfit(t, [1, 1, 1])
    assert fit.time.tolist() == [1.0, 2.0]
    assert fit.n_event.tolist() == [2.0, 1.0]


def test_testw1_weighted_km_closed_form():
    d = fixtures.load("testw1")
    fit = survfit(d.time, d.status, weights=d.wt)
    np.testing.assert_array_equal(fit.time, cf.TESTW1_KM_TIME)
    np.testing.assert_array_equal(fit.n_risk, cf.TESTW1_KM_N_RISK)
    np.testing.assert_allclose(fit.surv, cf.TESTW1_KM_SURV, rtol=1e-15)
    np.testing.assert_allclose(fit.std_err, cf.TESTW1_KM_STD_ERR, rtol=1e-15)
    np.testing.assert_allclose(fit.cumhaz, cf.TESTW1_KM_CUMHAZ, rtol=1e-15)
    assert fit.logse  # integer weights: Greenwood, not the robust variance
