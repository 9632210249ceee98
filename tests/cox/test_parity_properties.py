"""Differential properties: pyimpl's Cox fit equals R's (through rbridge) on
generated cohorts, degenerate ones included, within the tolerance table.

Where R reports a monotone likelihood ("coefficient may be infinite") or runs
out of iterations, the coefficients are points on a flat ridge and are not
compared; the warnings, the log-likelihood (to 1e-9 of the null
log-likelihood's size, since it tends to 0 under separation), the counts and
the score test are.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings

import pyimpl
from rparity.compare import compare_values
from rparity.refusals import refusal_kind
from rparity.tolerance import lookup
from rparity_contract.verdicts import Verdict

from .strategies import cox_cohorts

pytestmark = pytest.mark.r


def _run(engine, X, t, e, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return engine.coxph(X, t, e, **kw), None
        except Exception as exc:  # noqa: BLE001 - compared below
            return None, exc


def _close(q, a, b, *, scale=None):
    tol = lookup("coxph", q)
    if scale is None:
        c = compare_values(a, b, tol)
        assert c.verdict is Verdict.AGREE, f"{q}: {a!r} vs {b!r} (rel {c.max_rel:.2e}, tolerance {tol.describe()})"
        return
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{q}: NaN pattern {a!r} vs {b!r}"
    ok = ~np.isnan(a) & ~np.isinf(a)
    assert np.array_equal(a[np.isinf(a)], b[np.isinf(a)]), f"{q}: {a!r} vs {b!r}"
    err = np.abs(a - b)[ok] / np.maximum(np.asarray(scale)[ok], 1e-300)
    assert np.all(err <= tol.rtol), f"{q}: {a!r} vs {b!r} (err/scale {err.max():.2e})"


def assert_cox_agree(f, g, cluster=None):
    """pyimpl fit ``f`` against R fit ``g``."""
    assert f.names == g.names
    assert (f.n, f.nevent, f.n_dropped) == (g.n, g.nevent, g.n_dropped)
    wf = sorted(" ".join(w.split()) for w in f.warnings)
    wg = sorted(" ".join(w.split()) for w in g.warnings)
    assert wf == wg, f"warnings {wf} vs {wg}"
    ridge = any(("infinite" in w) or ("Ran out" in w) for w in wf)
    scale_ll = max(1.0, abs(g.loglik[0]))
    assert np.all(np.abs(f.loglik - g.loglik) <= 1e-9 * scale_ll), f"loglik {f.loglik} vs {g.loglik}"
    # chi-square statistics are compared on their own scale (a statistic that
    # is 0 in exact arithmetic is rounding noise in both engines)
    _close("score_test.statistic", f.score_test.statistic, g.score_test.statistic,
           scale=[max(1.0, abs(g.score_test.statistic))])
    assert f.score_test.df == g.score_test.df
    if ridge or f.nevent == 0:
        return
    assert f.iterations == g.iterations
    model_var = g.naive_var if g.naive_var is not None else g.var
    nv = np.abs(np.diag(model_var))
    se = np.sqrt(nv)
    _close("coef", f.coef, g.coef, scale=np.where(se > 0, se, np.abs(g.coef)))
    _close("var", f.var, g.var, scale=np.sqrt(np.outer(nv, nv)) + 1e-300)
    # a robust variance that is all cancellation (one cluster: the score
    # residuals sum to U(beta) ~ 0) is rounding noise in both engines
    noise = g.naive_var is not None and np.any(np.diag(g.var) < 1e-8 * nv)
    if not noise:
        _close("se", f.se, g.se)
    if g.naive_var is not None or f.naive_var is not None:
        assert f.naive_var is not None and g.naive_var is not None
        _close("naive_var", f.naive_var, g.naive_var, scale=np.sqrt(np.outer(nv, nv)) + 1e-300)
        _close("robust_score_test.statistic", f.robust_score_test.statistic, g.robust_score_test.statistic,
               scale=[max(1.0, abs(g.robust_score_test.statistic))])
    tests = ("lr_test",) if noise else ("wald_test", "lr_test")
    ok = ~np.isnan(g.coef)
    cond = np.linalg.cond(g.var[np.ix_(ok, ok)]) if ok.any() else 1.0
    for t in tests:
        a, b = getattr(f, t), getattr(g, t)
        assert a.df == b.df
        scale = max(abs(b.statistic), 1.0)
        if t == "wald_test":
            # b' V^-1 b inherits the variance's rounding times its condition number
            scale *= max(1.0, 1e-6 * cond)
        _close(f"{t}.statistic", a.statistic, b.statistic, scale=[scale])
        # a p-value's relative error is the statistic's times ~statistic/2
        # (d log p = -dX/2 in the chi-square tail): the tolerance scales with it
        tol = lookup("coxph", f"{t}.pvalue").rtol * max(1.0, b.statistic)
        assert abs(a.pvalue - b.pvalue) <= tol * max(abs(a.pvalue), abs(b.pvalue)) or \
            (a.pvalue < 1e-300 and b.pvalue < 1e-300) or (np.isnan(a.pvalue) and np.isnan(b.pvalue)), \
            f"{t}.pvalue: {a.pvalue!r} vs {b.pvalue!r}"
    if g.concordance is not None:
        ca, cb = f.concordance, g.concordance
        _close("concordance.c", ca.c, cb.c)
        # one cluster: the influence sums to 0 and std is rounding noise in both engines
        one_cluster = cluster is not None and np.unique(cluster).size == 1
        if not one_cluster:
            # a std that is 0 in exact arithmetic (e.g. one death in its stratum) is noise
            _close("concordance.std", ca.std, cb.std, scale=[max(abs(cb.std), 1e-6)])
        for k in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy"):
            _close(f"concordance.{k}", getattr(ca, k), getattr(cb, k))


def check(X, t, e, kw):
    import rbridge

    f, ef = _run(pyimpl, X, t, e, kw)
    g, eg = _run(rbridge, X, t, e, kw)
    if ef is not None or eg is not None:
        # both refuse, for the same reason (refusal kind); a bug is never a refusal
        kf = None if ef is None else refusal_kind(ef, "coxph")
        kg = None if eg is None else refusal_kind(eg, "coxph")
        assert kf is not None and kf == kg, f"outcomes differ: pyimpl {ef!r} ({kf}) vs R {eg!r} ({kg})"
        return
    assert_cox_agree(f, g, kw.get("cluster"))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
@given(cohort=cox_cohorts())
def test_coxph_matches_r(cohort):
    check(*cohort)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
@given(cohort=cox_cohorts(min_n=50, degenerate=False))
def test_regrouped_sums_match_r(cohort):
    """The campaign with the large-data path forced (sums regrouped per tie
    group, deaths first within their group, BLAS products), on regular
    cohorts: this path agrees with R to rounding, not bit for bit, so the
    corners where R's answer is rounding noise (a score that is exactly 0,
    ties between linear predictors that only exact arithmetic creates) are
    left to the C-order path, which is what data of that size use."""
    import pyimpl.cox.fit as fitmod

    X, t, e, kw = cohort
    assume(np.unique(t[e == 1]).size > 1)  # one event time: the score is 0 in exact arithmetic
    saved = fitmod.EXACT_ORDER_LIMIT
    fitmod.EXACT_ORDER_LIMIT = -1
    try:
        check(*cohort)
    finally:
        fitmod.EXACT_ORDER_LIMIT = saved


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
@given(cohort=cox_cohorts(max_n=60, max_p=3, options=False))
def test_exact_ties_match_r(cohort):
    X, t, e, _ = cohort
    check(X, t, e, {"ties": "exact"})


DEGENERATE = {
    "no events": (pd.DataFrame({"x": np.arange(10.0)}), np.arange(1.0, 11), np.zeros(10), {}),
    "one event": (pd.DataFrame({"x": [0.5, 1, 2, 0, 3, 1, 2, 0.2]}), np.arange(1.0, 9),
                  np.r_[0, 0, 1, 0, 0, 0, 0, 0.0], {}),
    "collinear": (pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10], "b": [2.0, 4, 6, 8, 10, 12, 14, 16, 18, 20]}),
                  np.array([5.0, 3, 8, 2, 9, 4, 7, 6, 10, 1]), np.r_[1, 1, 0, 1, 1, 0, 1, 1, 0, 1.0], {}),
    "constant": (pd.DataFrame({"a": [0.3, -1, 2, 0, 1.1, -0.5, 0.7, 1.9], "k": 4.0}), np.arange(1.0, 9),
                 np.r_[1, 0, 1, 1, 0, 1, 1, 1.0], {}),
    "separation": (pd.DataFrame({"x": [1.0, 1, 1, 1, 0, 0, 0, 0], "z": [.5, 1.2, -.3, 2, .1, .7, -1, .4]}),
                   np.arange(1.0, 9), np.r_[1, 1, 1, 0, 1, 1, 0, 1.0], {}),
    "more covariates than events": (pd.DataFrame({"a": [0.3, -1, 2, 0, 1.1, -0.5], "b": [1.0, 0, 0, 1, 1, 0],
                                                  "c": [2.0, 3, 1, 5, 4, 6]}),
                                    np.arange(1.0, 7), np.r_[1, 0, 0, 1, 0, 0.0], {}),
    "unused factor level": (pd.DataFrame({"g": pd.Categorical(list("ababababab"), categories=list("abz")),
                                          "x": [0.1, 2, -1, 0.5, 1, 0, 2.2, -0.4, 0.9, 1.3]}),
                            np.arange(1.0, 11), np.r_[1, 1, 0, 1, 1, 0, 1, 0, 1, 1.0], {}),
    "all tied": (pd.DataFrame({"x": [0.1, 2, -1, 0.5, 1, 0]}), np.ones(6), np.ones(6), {}),
    "ran out of iterations": (pd.DataFrame({"x": [0.1, 2, -1, 0.5, 1, 0]}), np.arange(1.0, 7), np.ones(6),
                              {"control": pyimpl.CoxControl(iter_max=1)}),
    "iter_max 0": (pd.DataFrame({"x": [0.1, 2, -1, 0.5, 1, 0]}), np.arange(1.0, 7), np.ones(6),
                   {"control": pyimpl.CoxControl(iter_max=0)}),
}


@pytest.mark.parametrize("name", list(DEGENERATE))
def test_degenerate_cohorts_behave_as_r(name):
    check(*DEGENERATE[name])
