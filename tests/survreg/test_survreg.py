"""``survreg`` (survival's parametric survival regression): R's numbers from
the golden files, closed forms, metamorphic properties, the bad-argument
table, R's own refusals and live R."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl.survreg import survreg
from pyimpl.survreg.survreg import match_dist
from pyimpl.survreg.survreg6 import cholesky3
from rparity.cases import all_cases
from rparity.cases.survreg import run_survreg
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.control import SurvregControl
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
OVARIAN = fixtures.load("ovarian")
FORMULA = "Surv(time, status) ~ age + sex + ph.ecog"


def test_weibull_on_lung_is_rs_fit_to_the_last_bit():
    """R 4.2.2, survival 3.5-3: survreg(Surv(time, status) ~ age + sex + ph.ecog, lung), printed with 17 digits."""
    f = survreg(FORMULA, LUNG)
    assert f.coef.tolist() == [6.2734352519986887, -0.0074754394084092348, 0.40109054117361936,
                               -0.33963809829728464]
    assert f.scale.tolist() == [0.73110899213659331]
    assert f.loglik.tolist() == [-1147.4280568732961, -1132.4387458823194]
    assert f.iterations == 5 and f.df == 5 and f.idf == 2 and f.n == 227 and f.n_dropped == 1
    assert f.names == ("(Intercept)", "age", "sex", "ph.ecog")
    assert f.var.shape == (5, 5)


def test_intercept_only_exponential_is_the_closed_form():
    """No covariate, exponential: the MLE of the rate is events / total time,
    so the intercept is log(sum t / d) and the loglik d log(rate) - rate sum t."""
    f = survreg("Surv(futime, fustat) ~ 1", OVARIAN, dist="exponential")
    t, d = OVARIAN["futime"].to_numpy(float), OVARIAN["fustat"].to_numpy(float)
    rate = d.sum() / t.sum()
    assert f.coef[0] == pytest.approx(-math.log(rate), rel=1e-9)
    assert f.loglik[1] == pytest.approx(d.sum() * math.log(rate) - rate * t.sum(), rel=1e-9)
    assert f.var[0, 0] == pytest.approx(1 / d.sum(), rel=1e-7)


def test_exponential_is_weibull_with_scale_one():
    a = survreg("Surv(time, status) ~ age + sex", LUNG, dist="exponential")
    b = survreg("Surv(time, status) ~ age + sex", LUNG, dist="weibull", scale=1)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.loglik, b.loglik)
    assert a.var.shape == (3, 3)  # no log(scale) row: the scale is fixed


def test_strata_give_one_scale_each_named_by_stratum():
    f = survreg("Surv(time, status) ~ age + ph.ecog + strata(sex)", LUNG)
    assert f.scale_names == ("sex=1", "sex=2") and f.scale.size == 2 and f.var.shape == (5, 5)


def test_fixed_scale_of_a_fixed_scale_distribution_is_ignored_with_rs_warning():
    with pytest.warns(UserWarning, match="Exponential has a fixed scale, user specified value ignored"):
        f = survreg("Surv(time, status) ~ age", LUNG, dist="exponential", scale=2)
    assert f.scale.tolist() == [1.0]


def test_running_out_of_iterations_warns_as_r():
    """survreg.fit warns only when iter.max > 1 (one iteration is a way to ask for one step)."""
    with pytest.warns(UserWarning, match="Ran out of iterations and did not converge"):
        f = survreg(FORMULA, LUNG, control=SurvregControl(iter_max=2))
    assert f.iterations == 2
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert survreg(FORMULA, LUNG, control=SurvregControl(iter_max=1)).iterations == 1


def test_dist_takes_rs_prefixes():
    assert match_dist("weib") == "weibull" and match_dist("t") == "t" and match_dist("logn") == "lognormal"
    with pytest.raises(InvalidArgument, match="dist"):
        match_dist("log")  # logistic, loggaussian, lognormal, loglogistic


def test_cholesky3_tolerance_is_absolute():
    a = np.array([[4.0, 0.0], [0.0, 1e-11]])  # lower triangle; the second pivot is below 1e-10
    fac, rank = cholesky3(a, 1e-10)
    assert rank == 1 and fac[1, 1] == 0.0


BAD = [
    ({"dist": "foo"}, FORMULA, "dist.value"),
    ({"scale": -1.0}, FORMULA, "scale.value"),
    ({"scale": 2.0}, "Surv(time, status) ~ age + strata(sex)", "scale.strata"),
    ({"weights": "ph.ecog"}, FORMULA, "weights.nonpositive"),
    ({"init": [1.0, 2.0, 3.0, 4.0]}, "Surv(time, status) ~ age", "init.length"),
    ({"dist": "weibull"}, "Surv(time - 5, status) ~ age", "time.nonpositive"),
    ({"dist": "lognormal"}, "Surv(time * 0, status) ~ age", "time.nonpositive"),
]


@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_bad_calls_are_refused_naming_the_argument(kw, formula, kind):
    with pytest.raises(InvalidArgument) as err:
        survreg(formula, LUNG, **kw)
    assert err.value.kind == kind
    assert "`" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_r_refuses_them_too(r_engine, kw, formula, kind):
    with pytest.raises(Exception) as err:
        r_engine.survreg(formula, LUNG, **kw)
    assert refusal_kind(err.value, "survreg") == kind


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_coefficients_do_not_depend_on_the_row_order(seed):
    """Permuting the rows changes only the order of the sums: the fit agrees to
    rounding, and the linear predictors follow their rows."""
    perm = np.random.default_rng(seed).permutation(len(OVARIAN))
    shuffled = OVARIAN.iloc[perm].reset_index(drop=True)
    a = survreg("Surv(futime, fustat) ~ age + factor(rx)", OVARIAN)
    b = survreg("Surv(futime, fustat) ~ age + factor(rx)", shuffled)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-10)
    np.testing.assert_allclose(b.scale, a.scale, rtol=1e-10)
    np.testing.assert_allclose(b.loglik, a.loglik, rtol=1e-12)
    np.testing.assert_allclose(b.linear_predictors, a.linear_predictors[perm], rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(shift=st.floats(-3, 3), dist=st.sampled_from(["weibull", "lognormal", "loglogistic"]))
def test_rescaling_time_shifts_the_intercept_only(shift, dist):
    """Log-time models: t -> t * exp(c) adds c to the intercept and leaves the
    slopes and the scale unchanged."""
    d = OVARIAN.assign(futime=OVARIAN["futime"] * math.exp(shift))
    a = survreg("Surv(futime, fustat) ~ age", OVARIAN, dist=dist)
    b = survreg("Surv(futime, fustat) ~ age", d, dist=dist)
    assert b.coef[0] == pytest.approx(a.coef[0] + shift, rel=1e-7, abs=1e-7)
    np.testing.assert_allclose(b.coef[1:], a.coef[1:], rtol=1e-6)
    np.testing.assert_allclose(b.scale, a.scale, rtol=1e-6)


SURVREG_CASES = [c for c in all_cases() if c.function == "survreg"]


@pytest.mark.r
@pytest.mark.parametrize("case", SURVREG_CASES, ids=[c.id for c in SURVREG_CASES])
def test_matches_live_r(py_engine, r_engine, case):
    differential("survreg", lambda eng: run_survreg(eng, case.data(), case.params), py_engine, r_engine)


def test_status_values_r_does_not_read_become_missing_with_rs_warning():
    with pytest.warns(UserWarning, match="Invalid status value, converted to NA"):
        f = survreg("Surv(time, status + (age > 70)) ~ age", LUNG)
    assert f.n < len(LUNG)


def test_data_must_be_a_frame():
    with pytest.raises(InvalidArgument, match="data"):
        survreg(FORMULA, pd.Series([1.0]))


# --- predict(<survreg>) ---------------------------------------------------------------------------------

def test_predict_response_is_exp_of_the_linear_predictor_for_weibull():
    from pyimpl.survreg import survreg_predict

    f = survreg(FORMULA, LUNG)
    lp = survreg_predict(f, type="lp", se_fit=True)
    resp = survreg_predict(f, type="response", se_fit=True)
    np.testing.assert_allclose(resp.fit, np.exp(lp.fit), rtol=1e-15)
    np.testing.assert_allclose(resp.se_fit, lp.se_fit * resp.fit, rtol=1e-14)  # the delta method


def test_predict_lognormal_median_is_exp_lp_and_quantiles_are_a_matrix():
    from pyimpl.survreg import survreg_predict

    f = survreg(FORMULA, LUNG, dist="lognormal")
    med = survreg_predict(f, type="quantile", p=[0.5])
    np.testing.assert_allclose(med.fit, np.exp(f.linear_predictors), rtol=1e-15)
    q = survreg_predict(f, type="uquantile", p=[0.1, 0.5, 0.9], se_fit=True)
    assert q.fit.shape == (f.n, 3) and q.se_fit.shape == (f.n, 3)
    assert np.all(np.diff(q.fit, axis=1) > 0)


def test_predict_refuses_a_type_r_does_not_have():
    from pyimpl.survreg import survreg_predict

    with pytest.raises(InvalidArgument) as err:
        survreg_predict(survreg(FORMULA, LUNG), type="hazard")
    assert err.value.kind == "type.value"


PREDICT_CASES = [c for c in all_cases() if c.function == "survreg_predict"]


@pytest.mark.r
@pytest.mark.parametrize("case", PREDICT_CASES, ids=[c.id for c in PREDICT_CASES])
def test_predict_matches_live_r(py_engine, r_engine, case):
    from rparity.cases.survreg import run_survreg_predict

    differential("survreg_predict", lambda eng: run_survreg_predict(eng, case.data(), case.params), py_engine,
                 r_engine)


def test_a_cluster_makes_the_variance_robust_unless_robust_is_false():
    """survreg.R: robust defaults to TRUE when there is a cluster (a missing
    argument); the model-based variance is kept as naive_var."""
    plain = survreg("Surv(time, status) ~ age + sex", LUNG)
    clus = survreg("Surv(time, status) ~ age + sex", LUNG, cluster="inst")
    assert clus.naive_var is not None and plain.naive_var is None
    np.testing.assert_array_equal(clus.coef, survreg("Surv(time, status) ~ age + sex", LUNG,
                                                     subset=LUNG["inst"].notna().to_numpy()).coef)
    assert not np.allclose(clus.var, clus.naive_var)
    off = survreg("Surv(time, status) ~ age + sex", LUNG, cluster="inst", robust=False)
    assert off.naive_var is None
    term = survreg("Surv(time, status) ~ age + sex + cluster(inst)", LUNG)
    np.testing.assert_array_equal(term.var, clus.var)


def test_robust_without_cluster_is_the_sum_of_dfbeta_outer_products():
    from pyimpl.survreg.robust import _crossprod

    rr = np.random.default_rng(0).normal(size=(30, 3))
    np.testing.assert_allclose(_crossprod(rr), rr.T @ rr, rtol=1e-13)
