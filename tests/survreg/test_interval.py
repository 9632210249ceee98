"""``survreg`` on interval and left-censored data (``Surv(type = "interval2" |
"interval" | "left")``): survival's status coding, closed-form likelihoods at
the fit, R's refusals, the golden cases in live R and a differential test
against R on random interval-censored data."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import fixtures
from pyimpl.survreg import survreg
from pyimpl.survreg.surv_interval import BAD_INTERVAL, BAD_STATUS, read_surv_typed
from rparity.cases import all_cases
from rparity.cases.survreg import interval_lung, run_survreg
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
ILUNG = interval_lung(LUNG)
I2 = 'Surv(lo, hi, type = "interval2") ~ 1'


def test_interval2_coding_is_surv_r():
    """NA lower: left censored at the upper bound; NA (or infinite) upper:
    right censored; equal: exact; else interval; both NA: NA."""
    s = read_surv_typed("interval2", [np.nan, 2.0, 3.0, 1.0, np.nan, 4.0], [5.0, np.nan, 3.0, 2.0, np.nan, np.inf])
    np.testing.assert_array_equal(s.status, [2, 0, 1, 3, np.nan, 0])
    np.testing.assert_array_equal(s.time1, [5.0, 2.0, 3.0, 1.0, np.nan, 4.0])
    np.testing.assert_array_equal(s.time2, [1.0, 1.0, 1.0, 2.0, 1.0, 1.0])
    assert s.warnings == ()


def test_a_backwards_interval_becomes_missing_with_rs_warning():
    s = read_surv_typed("interval2", [3.0, 1.0], [2.0, 2.0])
    assert np.isnan(s.status[0]) and s.status[1] == 3 and s.warnings == (BAD_INTERVAL,)
    s = read_surv_typed("interval", [3.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3, 3, 5])
    assert np.isnan(s.status[0]) and np.isnan(s.status[2]) and set(s.warnings) == {BAD_INTERVAL, BAD_STATUS}


def test_left_takes_two_minus_the_status():
    s = read_surv_typed("left", [1.0, 2.0, 3.0], None, [1, 2, 2])  # 1/2 coding: 1 censored (left), 2 event
    np.testing.assert_array_equal(s.status, [2, 1, 1])


def test_exponential_interval_loglik_is_the_difference_of_survivors():
    """Intercept-only exponential, S(t) = exp(-t / mu), mu = exp(b0): each
    row's likelihood is S(lo) - S(hi) (right: S(lo); left: 1 - S(hi)), and
    the fit maximises it (score 0 at b0)."""
    d = ILUNG[ILUNG["ev3"] != 1]
    f = survreg(I2, d, dist="exponential")
    lo, hi = d["lo"].to_numpy(float), d["hi"].to_numpy(float)

    def loglik(b0: float) -> float:
        mu = math.exp(b0)
        s_lo = np.where(np.isnan(lo), 1.0, np.exp(-np.nan_to_num(lo) / mu))
        s_hi = np.where(np.isnan(hi), 0.0, np.exp(-np.nan_to_num(hi) / mu))
        return float(np.sum(np.log(s_lo - s_hi)))

    assert f.loglik[1] == pytest.approx(loglik(f.coef[0]), rel=1e-12)
    h = 1e-5
    assert (loglik(f.coef[0] + h) - loglik(f.coef[0] - h)) / (2 * h) == pytest.approx(0, abs=1e-4)


def test_tobit_loglik_is_the_gaussian_density_and_cdf():
    """Gaussian, left censored (a tobit model): exact rows log(phi(z) / s),
    left-censored rows log(Phi(z)), at the fitted mean and scale."""
    d = LUNG.assign(y=np.maximum(LUNG["time"] - 200.0, 0.0), ev=(LUNG["time"] > 200).astype(float))
    f = survreg('Surv(y, ev, type = "left") ~ age', d, dist="gaussian")
    mu = f.coef[0] + f.coef[1] * d["age"].to_numpy(float)
    s = f.scale[0]
    z = (d["y"].to_numpy(float) - mu) / s
    ev = d["ev"].to_numpy(float) == 1
    ll = np.sum(stats.norm.logpdf(z[ev]) - math.log(s)) + np.sum(stats.norm.logcdf(z[~ev]))
    assert f.loglik[1] == pytest.approx(ll, rel=1e-12)


def test_equal_bounds_are_exact_times():
    """interval2 with lower == upper is Surv(time, 1), and NA upper is right censored: the same fit."""
    d = LUNG.assign(lo=LUNG["time"], hi=np.where(LUNG["status"] == 2, LUNG["time"], np.nan))
    a = survreg('Surv(lo, hi, type = "interval2") ~ age + sex', d)
    b = survreg("Surv(time, status) ~ age + sex", d)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.loglik, b.loglik)
    np.testing.assert_array_equal(a.var, b.var)


BAD = [
    ({}, 'Surv(lo * 0, hi, type = "interval2") ~ age', "time.nonpositive"),  # a 0 lower bound under log
    ({"dist": "lognormal"}, 'Surv(l1 * 0, h1, ev3, type = "interval") ~ age', "time.nonpositive"),
    ({}, 'Surv(l1, h1, ev3 > 1, type = "interval") ~ age', "event.type"),  # a logical status
    ({}, 'Surv(lo, hi, ev3, type = "interval2") ~ age', "formula.response"),  # three args for interval2
    ({}, 'Surv(lo, type = "left") ~ age', "formula.response"),
    ({}, 'Surv(lo, hi, type = "mstate") ~ age', "formula.response"),
]


@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_bad_calls_are_refused_naming_the_argument(kw, formula, kind):
    with pytest.raises(InvalidArgument) as err:
        survreg(formula, ILUNG, **kw)
    assert err.value.kind == kind
    assert "`" in str(err.value)


def test_other_functions_refuse_interval_surv():
    """coxph/survfit read Surv(type = 'interval2') not at all (R: coxph refuses it)."""
    from pyimpl import coxph, survfit

    for call in (lambda: coxph('Surv(lo, hi, type = "interval2") ~ age', data=ILUNG),
                 lambda: survfit('Surv(l1, h1, ev3, type = "interval") ~ 1', data=ILUNG)):
        with pytest.raises(InvalidArgument) as err:
            call()
        assert err.value.kind == "formula.response"


@pytest.mark.r
@pytest.mark.parametrize("kw, formula, kind", BAD[:3])
def test_r_refuses_them_too(r_engine, kw, formula, kind):
    with pytest.raises(Exception) as err:
        r_engine.survreg(formula, ILUNG, **kw)
    assert refusal_kind(err.value, "survreg") == kind


INTERVAL_CASES = [c for c in all_cases() if c.function == "survreg" and ("interval" in c.id or "left" in c.id)]


@pytest.mark.r
@pytest.mark.parametrize("case", INTERVAL_CASES, ids=[c.id for c in INTERVAL_CASES])
def test_matches_live_r(py_engine, r_engine, case):
    differential("survreg", lambda eng: run_survreg(eng, case.data(), case.params), py_engine, r_engine)


@pytest.mark.r
def test_backwards_interval_warns_and_drops_the_row_as_r(r_engine):
    d = ILUNG.copy()
    d.loc[4, ["lo", "hi"]] = [500.0, 400.0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        a = survreg('Surv(lo, hi, type = "interval2") ~ age', d)
    assert any(BAD_INTERVAL in str(x.message) for x in w)
    b = r_engine.survreg('Surv(lo, hi, type = "interval2") ~ age', d)
    assert a.n == b.n and a.na_action == b.na_action
    np.testing.assert_array_equal(a.coef, b.coef)


@st.composite
def interval_data(draw):
    n = draw(st.integers(12, 40))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(2)
    t = np.exp(1 + 0.5 * x + rng.gumbel(size=n) * 0.7)
    width = rng.choice([0.5, 1.0, 2.0])
    lo = np.floor(t / width) * width
    hi = lo + width
    kind = rng.integers(0, 4, size=n)  # 0 interval, 1 exact, 2 right, 3 left
    lo = np.where(kind == 1, t, np.where(kind == 3, np.nan, np.where(lo == 0, np.nan, lo)))
    hi = np.where(kind == 1, t, np.where(kind == 2, np.nan, hi))
    both = np.isnan(lo) & np.isnan(hi)
    hi = np.where(both, width, hi)
    dist = draw(st.sampled_from(["weibull", "lognormal", "loglogistic", "exponential", "gaussian", "logistic",
                                 "extreme"]))
    return pd.DataFrame({"lo": lo, "hi": hi, "x": x}), dist


def _probe(data: pd.DataFrame, dist: str):
    def probe(eng):
        f = eng.survreg('Surv(lo, hi, type = "interval2") ~ x', data, dist=dist)
        return {"coef": f.coef, "scale": f.scale, "var": f.var, "loglik": f.loglik, "iterations": f.iterations}
    return probe


@pytest.mark.r
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=interval_data())
def test_random_interval_data_agree_with_r(py_engine, r_engine, case):
    data, dist = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differential("survreg", _probe(data, dist), py_engine, r_engine)
