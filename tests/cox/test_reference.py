"""pyimpl.cox against the independent reference implementations of
:mod:`tests.cox.reference` (no R needed)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pyimpl import basehaz, coxph
from pyimpl.cox.chol import chinv2, cholesky2, chsolve2, wald_test_chol
from pyimpl.cox.cindex import concordancefit
from pyimpl.cox.robust import score_residuals

from . import reference as ref


def _data(seed, n=60, p=3, ties=4, weights=False, strata=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 0] = rng.integers(0, 2, n)
    t = np.ceil(rng.exponential(size=n) * ties)
    e = rng.binomial(1, 0.7, n).astype(float)
    w = rng.integers(1, 4, n).astype(float) if weights else None
    s = rng.integers(0, 2, n) if strata else None
    return X, t, e, w, s


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_fit_matches_definitions(seed, ties):
    X, t, e, w, s = _data(seed, weights=seed % 2 == 1, strata=seed % 3 == 2)
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    fit = coxph(df, t, e, ties=ties, weights=w, strata=s)
    assert fit.loglik[1] == pytest.approx(ref.loglik(X, t, e, fit.coef, w=w, strata=s, ties=ties), rel=1e-13)
    assert fit.loglik[0] == pytest.approx(ref.loglik(X, t, e, np.zeros(3), w=w, strata=s, ties=ties), rel=1e-13)
    U, I = ref.score_info(X, t, e, fit.coef, w=w, strata=s, ties=ties)
    np.testing.assert_allclose(fit.var, np.linalg.inv(I), rtol=1e-9, atol=1e-12 * np.abs(fit.var).max())
    mle = ref.newton_mle(X, t, e, w=w, strata=s, ties=ties)
    assert np.all(np.abs(fit.coef - mle) <= 1e-5 * fit.se)
    U0, I0 = ref.score_info(X, t, e, np.zeros(3), w=w, strata=s, ties=ties)
    assert fit.score_test.statistic == pytest.approx(U0 @ np.linalg.solve(I0, U0), rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_exact_loglik_matches_enumeration(seed):
    X, t, e, _, s = _data(seed, n=25, p=2, ties=3, strata=seed % 2 == 1)
    fit = coxph(pd.DataFrame(X, columns=["a", "b"]), t, e, ties="exact", strata=s)
    assert fit.loglik[0] == pytest.approx(ref.loglik(X, t, e, np.zeros(2), strata=s, ties="exact"), rel=1e-13)
    if not fit.warnings:
        assert fit.loglik[1] == pytest.approx(ref.loglik(X, t, e, fit.coef, strata=s, ties="exact"), rel=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_concordance_matches_pairs(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    t = np.ceil(rng.exponential(size=n) * 5)
    e = rng.binomial(1, 0.6, n).astype(float)
    if e.sum() == 0:
        e[0] = 1
    x = np.round(rng.normal(size=n), 1)  # ties in x
    w = rng.uniform(0.5, 3, n) if seed % 2 else None
    s = rng.integers(0, 3, n) if seed % 3 == 0 else None
    got = concordancefit(t, e, x, s, w, None)
    c, std, (conc, disc, tx, ty) = ref.concordance(t, e, x, w=w, strata=s)
    assert got.c == pytest.approx(c, rel=1e-12)
    assert got.std == pytest.approx(std, rel=1e-10)
    np.testing.assert_allclose([got.concordant, got.discordant, got.tied_x, got.tied_y + got.tied_xy],
                               [conc, disc, tx, ty], rtol=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_basehaz_matches_definition(ties):
    X, t, e, w, _ = _data(3, weights=True)
    fit = coxph(pd.DataFrame(X, columns=["a", "b", "c"]), t, e, ties=ties, weights=w)
    times, H = ref.basehaz(X, t, e, fit.coef, fit.means, w=w, ties=ties)
    b = basehaz(fit)
    np.testing.assert_array_equal(b["time"], times)
    np.testing.assert_allclose(b["hazard"], H, rtol=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_robust_variance_matches_definition(ties):
    X, t, e, w, _ = _data(5, n=50, weights=True)
    w = w + 0.5  # non-integer weights: robust by R's rule
    fit = coxph(pd.DataFrame(X, columns=["a", "b", "c"]), t, e, ties=ties, weights=w)
    assert fit.robust and fit.naive_var is not None
    res = ref.score_residuals(X, t, e, fit.coef, w=w, ties=ties)
    np.testing.assert_allclose(score_residuals(X, t, e, w, np.zeros(50, dtype=int), X @ fit.coef, ties), res,
                               rtol=1e-9, atol=1e-12)
    D = (res @ fit.naive_var) * w[:, None]
    np.testing.assert_allclose(fit.var, D.T @ D, rtol=1e-9)


def test_cholesky2_against_numpy():
    rng = np.random.default_rng(0)
    for p in (1, 2, 5, 9):
        A = rng.normal(size=(p + 3, p))
        M = A.T @ A + 0.1 * np.eye(p)
        fac, rank = cholesky2(M, 1e-12)
        assert rank == p
        y = rng.normal(size=p)
        np.testing.assert_allclose(chsolve2(fac, y), np.linalg.solve(M, y), rtol=1e-10)
        np.testing.assert_allclose(chinv2(fac), np.linalg.inv(M), rtol=1e-10, atol=1e-14)
        assert wald_test_chol(M, y, 1e-12) == pytest.approx(y @ np.linalg.solve(M, y), rel=1e-11)


def test_cholesky2_flags_a_redundant_column():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(10, 3))
    A = np.column_stack((A, A[:, 0] + A[:, 1]))  # column 4 redundant
    fac, rank = cholesky2(A.T @ A, 1e-9)
    assert rank == 3 and fac[3, 3] == 0
    inv = chinv2(fac)
    assert np.all(inv[3] == 0) and np.all(inv[:, 3] == 0)
    assert chsolve2(fac, np.ones(4))[3] == 0


def test_collinear_column_gets_nan_like_r():
    X, t, e, _, _ = _data(2)
    df = pd.DataFrame({"a": X[:, 1], "b": 2 * X[:, 1], "c": np.full(60, 3.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = coxph(df, t, e)
    assert not np.isnan(fit.coef[0]) and np.isnan(fit.coef[1:]).all()
    assert fit.wald_test.df == 1 and fit.lr_test.df == 1
    assert np.all(fit.var[1:] == 0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_regrouped_sums_match_c_order(monkeypatch, seed, ties):
    """Large data use regrouped (matrix-product) sums; they must give the C-order
    path's answer to rounding, with the same iterations."""
    import pyimpl.cox.fit as fitmod

    X, t, e, w, s = _data(seed, n=300, p=4, weights=seed % 2 == 0, strata=seed % 3 == 1)
    if seed == 5:  # the earliest time holds deaths only: its block ends the processing order
        t = t + 1
        t[:7] = 0.5
        e[:7] = 1
    df = pd.DataFrame(X, columns=list("abcd"))
    exact = coxph(df, t, e, ties=ties, weights=w, strata=s)
    monkeypatch.setattr(fitmod, "EXACT_ORDER_LIMIT", 0)
    fast = coxph(df, t, e, ties=ties, weights=w, strata=s)
    assert fast.iterations == exact.iterations
    np.testing.assert_allclose(fast.coef, exact.coef, rtol=1e-12)
    np.testing.assert_allclose(fast.loglik, exact.loglik, rtol=1e-14)
    np.testing.assert_allclose(fast.var, exact.var, rtol=1e-11)
