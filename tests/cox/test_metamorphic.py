"""Metamorphic properties of pyimpl's Cox fit (no R needed): relations that
must hold between fits of transformed data."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pyimpl
from pyimpl import basehaz, cox_zph, coxph

from .strategies import cox_cohorts

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def _fit(X, t, e, kw):
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            return coxph(X, t, e, **kw)
        except pyimpl.InvalidArgument:
            assume(False)  # degenerate inputs R refuses (e.g. robust with one cluster)


def _regular(fit):
    """A fit away from the degenerate corners (no warning, every coefficient
    estimable, more than two events at more than one time)."""
    t = np.asarray(fit.call.time, dtype=float)
    e = np.asarray(fit.call.event, dtype=float)
    one_cluster = fit.robust and fit.call.cluster is not None and np.unique(fit.call.cluster).size == 1
    return (fit.nevent > 2 and not fit.warnings and not np.isnan(fit.coef).any()
            and np.unique(t[e == 1]).size > 1 and not one_cluster)


def _model_se(fit):
    return np.sqrt(np.diag(fit.naive_var if fit.naive_var is not None else fit.var))


def _numeric_cols(X):
    return [c for c in X.columns if not isinstance(X[c].dtype, pd.CategoricalDtype)]


@SETTINGS
@given(cohort=cox_cohorts(max_n=200, max_p=4, degenerate=False), seed=st.integers(0, 2**31))
def test_row_order_does_not_matter(cohort, seed):
    X, t, e, kw = cohort
    f = _fit(X, t, e, kw)
    assume(_regular(f))
    perm = np.random.default_rng(seed).permutation(len(t))
    kw2 = {k: (v[perm] if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    g = _fit(X.iloc[perm].reset_index(drop=True), t[perm], e[perm], kw2)
    np.testing.assert_allclose(g.coef, f.coef, rtol=0, atol=1e-9 * _model_se(f).max())
    np.testing.assert_allclose(g.loglik, f.loglik, rtol=1e-12)
    assert g.iterations == f.iterations
    np.testing.assert_allclose(g.concordance.c, f.concordance.c, rtol=1e-12, equal_nan=True)


@SETTINGS
@given(cohort=cox_cohorts(max_n=200, max_p=4, degenerate=False), factor=st.sampled_from([-5.0, 0.5, 50.0]))
def test_shifting_a_covariate_changes_only_the_baseline(cohort, factor):
    """Shift by ``factor`` standard deviations: exact in arithmetic; in floating
    point the centring absorbs it, up to a cancellation that grows with the
    shift, hence tolerances of 1e-7..1e-10 rather than R-parity ones."""
    X, t, e, kw = cohort
    cols = [c for c in _numeric_cols(X) if c.startswith("c")]
    assume(cols)
    f = _fit(X, t, e, kw)
    assume(_regular(f))
    shift = factor * float(np.std(X[cols[0]]))
    assume(shift != 0)
    X2 = X.copy()
    X2[cols[0]] = X2[cols[0]] + shift
    g = _fit(X2, t, e, kw)
    j = list(f.names).index(cols[0])
    np.testing.assert_allclose(g.coef, f.coef, rtol=0, atol=1e-7 * _model_se(f).max())
    np.testing.assert_allclose(_model_se(g), _model_se(f), rtol=1e-6)
    np.testing.assert_allclose(g.loglik, f.loglik, rtol=1e-10)
    assert abs(g.score_test.statistic - f.score_test.statistic) <= 1e-7 * max(1.0, f.score_test.statistic)
    np.testing.assert_allclose(g.summary()["p"], f.summary()["p"], rtol=1e-5, atol=1e-12)
    # the baseline at the means is unchanged; the one at X = 0 moves by exp(-shift * beta)
    np.testing.assert_allclose(basehaz(g)["hazard"], basehaz(f)["hazard"], rtol=1e-6)
    b0f, b0g = basehaz(f, centered=False)["hazard"], basehaz(g, centered=False)["hazard"]
    assume(abs(shift * f.coef[j]) < 300 and np.all(np.isfinite(b0f)))
    assume(np.all((b0f == 0) | (b0f > 1e-290)) and np.all((b0g == 0) | (b0g > 1e-290)))  # no denormals
    np.testing.assert_allclose(b0g, b0f * np.exp(-shift * f.coef[j]), rtol=1e-6)


@SETTINGS
@given(cohort=cox_cohorts(max_n=200, max_p=4, degenerate=False), k=st.sampled_from([0.01, 0.5, 7.0, 100.0]))
def test_scaling_a_covariate_scales_its_coefficient(cohort, k):
    X, t, e, kw = cohort
    cols = [c for c in _numeric_cols(X) if c.startswith("c")]
    assume(cols)
    f = _fit(X, t, e, kw)
    assume(_regular(f))
    zf = f.summary()
    assume(np.all(np.abs(zf["z"]) < 1e4))  # away from separation-like fits
    X2 = X.copy()
    X2[cols[0]] = X2[cols[0]] * k
    g = _fit(X2, t, e, kw)
    j = list(f.names).index(cols[0])
    expect = f.coef.copy()
    expect[j] /= k
    np.testing.assert_allclose(g.coef, expect, rtol=0, atol=1e-8 * _model_se(g).max())
    zg = g.summary()
    np.testing.assert_allclose(zg["z"], zf["z"], rtol=1e-6)
    np.testing.assert_allclose(zg["p"], zf["p"], rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(g.loglik, f.loglik, rtol=1e-11)


@SETTINGS
@given(cohort=cox_cohorts(max_n=200, max_p=4, degenerate=False, options=False))
def test_efron_equals_breslow_without_tied_deaths(cohort):
    X, t, e, _ = cohort
    rng = np.random.default_rng(len(t))
    # distinct times, further apart than R's timefix tolerance (which would tie them)
    t = np.floor(t) + rng.permutation(len(t)) / (2 * len(t))
    assert len(np.unique(t)) == len(t)
    f = _fit(X, t, e, {"ties": "efron"})
    g = _fit(X, t, e, {"ties": "breslow"})
    assume(_regular(f))
    np.testing.assert_array_equal(g.coef, f.coef)
    np.testing.assert_array_equal(g.loglik, f.loglik)
    np.testing.assert_array_equal(g.var, f.var)
    np.testing.assert_array_equal(basehaz(g)["hazard"], basehaz(f)["hazard"])


@SETTINGS
@given(cohort=cox_cohorts(max_n=200, max_p=4, degenerate=False))
def test_one_level_strata_equals_no_strata(cohort):
    X, t, e, kw = cohort
    kw = {k: v for k, v in kw.items() if k != "strata"}
    f = _fit(X, t, e, kw)
    g = _fit(X, t, e, {**kw, "strata": np.full(len(t), "only")})
    assume(_regular(f))
    np.testing.assert_array_equal(g.coef, f.coef)
    np.testing.assert_array_equal(g.var, f.var)
    np.testing.assert_array_equal(g.loglik, f.loglik)
    np.testing.assert_array_equal([g.concordance.c, g.concordance.std], [f.concordance.c, f.concordance.std])
    try:
        zf = cox_zph(f).chisq
    except pyimpl.InvalidArgument:
        with pytest.raises(pyimpl.InvalidArgument):
            cox_zph(g)
        return
    np.testing.assert_array_equal(cox_zph(g).chisq, zf)


@SETTINGS
@given(cohort=cox_cohorts(max_n=150, max_p=3, degenerate=False, options=False))
def test_integer_weights_equal_replicated_rows(cohort):
    X, t, e, _ = cohort
    rng = np.random.default_rng(int(e.sum()) + len(t))
    w = rng.integers(1, 4, len(t))
    f = _fit(X, t, e, {"weights": w.astype(float), "ties": "breslow"})
    assume(_regular(f))
    rep = np.repeat(np.arange(len(t)), w)
    g = _fit(X.iloc[rep].reset_index(drop=True), t[rep], e[rep], {"ties": "breslow"})
    np.testing.assert_allclose(g.coef, f.coef, rtol=0, atol=1e-8 * _model_se(f).max())
    np.testing.assert_allclose(g.loglik, f.loglik, rtol=1e-10)
    np.testing.assert_allclose(g.var, f.var, rtol=1e-7, atol=1e-12 * np.abs(f.var).max())
