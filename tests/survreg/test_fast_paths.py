"""survreg's fast paths give the same bits as the plain ones: the per-row
formulas a block of rows at a time, the covariate-pair table or not, the
intercept-only sums, the starting values' cross-product."""
from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

import pyimpl  # noqa: F401 - the modules below are reached through it

s6 = sys.modules["pyimpl.survreg.survreg6"]
fit_mod = sys.modules["pyimpl.survreg.fit"]


def _data(seed: int, n: int = 3000, nvar: int = 4, statuses=(0, 1, 2, 3)):
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(n), rng.standard_normal((n, nvar - 1))])
    time = rng.standard_normal(n)
    status = rng.choice(np.array(statuses, dtype=float), n)
    time2 = time + rng.uniform(0.1, 2, n)
    time[:5] = [60.0, -60.0, 300.0, -300.0, 0.0]  # z far out: f, S or F is 0 (survregc1's fixed values)
    return x, time, status, time2


@pytest.mark.parametrize("dist", [1, 2, 3])
@pytest.mark.parametrize("statuses", [(0, 1), (0, 1, 2, 3), (1,), (0,)])
def test_the_blocks_of_rows_change_no_bit(monkeypatch, dist, statuses):
    x, time, status, time2 = _data(dist * 10 + len(statuses), statuses=statuses)
    n, nvar = x.shape
    beta = np.array([0.2, 0.5, -0.3, 0.1, np.log(1.7)])
    strata = np.zeros(n, dtype=np.intp)
    args = (time, status, x, np.zeros(n), nvar, 1, strata, dist, None, time2)
    monkeypatch.setattr(s6, "_CHUNK_ROWS", 8192)
    one = s6.loglik_terms(beta, *args)
    monkeypatch.setattr(s6, "_CHUNK_ROWS", 7)  # many small blocks, statuses mixed in each
    many = s6.loglik_terms(beta, *args)
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))
    # a scale per stratum: sigma by row
    strata = (np.arange(n) % 3).astype(np.intp)
    beta3 = np.concatenate([beta[:nvar], [np.log(0.5), 0.0, np.log(2.0)]])
    args3 = (time, status, x, np.zeros(n), nvar, 3, strata, dist, None, time2)
    des = s6.make_design(x, status, np.ones(n), np.zeros(n), strata, 3)
    a3 = s6.loglik_terms(beta3, *args3, des=des)
    monkeypatch.setattr(s6, "_CHUNK_ROWS", 8192)
    b3 = s6.loglik_terms(beta3, *args3, des=s6.make_design(x, status, np.ones(n), np.zeros(n), strata, 3))
    for a, b in zip(a3, b3):
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))


@pytest.mark.parametrize("unit", [True, False])
def test_without_the_pair_table_the_sums_are_the_same(unit):
    x, time, status, time2 = _data(5, statuses=(0, 1))
    n, nvar = x.shape
    wt = np.ones(n) if unit else np.random.default_rng(2).uniform(0.5, 2, n)
    beta = np.array([0.2, 0.5, -0.3, 0.1, np.log(1.7)])
    des = s6.make_design(x, status, wt, np.zeros(n))
    assert des.xx is not None
    args = (beta, time, status, x, wt, np.zeros(n), nvar, 1, None, 1, None)
    with_table = s6.dolik(*args, des=des)
    without = s6.dolik(*args, des=dataclasses.replace(des, xx=None))
    general = s6.dolik(*args, des=dataclasses.replace(des, xx=None, unit_wt=False))
    for other in (without, general):
        assert with_table.loglik == other.loglik
        np.testing.assert_array_equal(with_table.u, other.u)
        np.testing.assert_array_equal(with_table.imat, other.imat)
        np.testing.assert_array_equal(with_table.jj, other.jj)


def test_the_intercept_only_sums_are_the_general_ones():
    x, time, status, _ = _data(6, statuses=(0, 1))
    n = x.shape[0]
    ones = np.ones((n, 1))
    des = s6.make_design(ones, status, np.ones(n), np.zeros(n))
    assert des.ones_only
    beta = np.array([0.3, np.log(1.2)])
    args = (beta, time, status, ones, np.ones(n), np.zeros(n), 1, 1, None, 1, None)
    fast = s6.dolik(*args, des=des)
    slow = s6.dolik(*args, des=dataclasses.replace(des, ones_only=False, xx=None))
    assert fast.loglik == slow.loglik
    np.testing.assert_array_equal(fast.u, slow.u)
    np.testing.assert_array_equal(fast.imat, slow.imat)


def test_the_starting_cross_product_is_reference_dgemm():
    rng = np.random.default_rng(8)
    for n, p in ((5000, 6), (3, 1), (2049, 3)):
        x = np.asfortranarray(rng.standard_normal((n, p)) * np.exp(rng.uniform(-8, 8, (n, 1))))
        wx = rng.uniform(0.1, 4, n)[:, None] * x
        got = fit_mod.crossprod_lower(x, wx)
        for a in range(p):
            for b in range(a + 1):
                want = 0.0
                for v in (wx[:, b] * x[:, a]).tolist():  # TEMP = TEMP + A(L,I)*B(L,J)
                    want += v
                assert got[a, b] == want and got[b, a] == want
