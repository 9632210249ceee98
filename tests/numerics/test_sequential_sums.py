"""The fast paths that must give the C loops' bits: ``row_dot`` (einsum as a
sequential loop), the C library's exp/log through scipy, R's long-double
column moments, all checked against the plain element-by-element versions."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pyimpl import _libm, _seqsum
from pyimpl.matching import _rstats


def _loop(a: np.ndarray, s: np.ndarray, total: np.ndarray | None = None) -> np.ndarray:
    """The C loop itself, in Python floats: out[j] += a[r][j] * s[r]."""
    out = [0.0] * a.shape[1] if total is None else [float(v) for v in total]
    for r in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += float(a[r, j]) * float(s[r])
    return np.array(out)


def _bits(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=float).view(np.int64)


@pytest.mark.parametrize("einsum", [True, False])
@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (5, 1), (300, 2), (5000, 7), (9000, 3)])
def test_row_dot_is_the_c_loop(monkeypatch, einsum, shape):
    monkeypatch.setattr(_seqsum, "SEQUENTIAL_EINSUM", einsum and _seqsum.SEQUENTIAL_EINSUM)
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal(shape) * np.exp(rng.uniform(-30, 30, (shape[0], 1)))
    s = rng.standard_normal(shape[0])
    np.testing.assert_array_equal(_bits(_seqsum.row_dot(a, s)), _bits(_loop(a, s)))
    total = rng.standard_normal(shape[1]) * 1e10
    np.testing.assert_array_equal(_bits(_seqsum.row_dot(a, s, total)), _bits(_loop(a, s, total)))
    if shape[1] > 2:  # a slice of columns (rows still laid out in memory one after the other)
        sub = a[:, 1:]
        np.testing.assert_array_equal(_bits(_seqsum.row_dot(sub, s)), _bits(_loop(sub, s)))
    # columns of consecutive rows (Fortran order) and a strided vector take the blocked loop
    np.testing.assert_array_equal(_bits(_seqsum.row_dot(np.asfortranarray(a), s[::-1][::-1])), _bits(_loop(a, s)))


def test_the_einsum_check_would_catch_a_pairwise_sum():
    """The import-time check compares with the blocked loop on data where
    another order changes the bits: summing in another order must fail it."""
    rng = np.random.default_rng(20261205)
    a = rng.standard_normal((6000, 7)) * np.exp(rng.uniform(-20, 20, (6000, 1)))
    s = rng.standard_normal(6000)
    reordered = np.add.reduce(a[::-1] * s[::-1, None], axis=0)
    assert not np.array_equal(reordered, _seqsum._blocked(a, s, None))
    assert _seqsum.SEQUENTIAL_EINSUM  # numpy's einsum is the loop on this machine (else the slow path runs)


_EDGE = np.array([0.0, -0.0, 1.0, -1.0, 1e-300, 5e-324, 709.7, 709.8, 710.0, -745.2, -746.0, 800.0,
                  math.inf, -math.inf, math.nan, 1e308])


@pytest.mark.parametrize("fast", [True, False])
def test_exp_and_log_are_the_c_librarys(monkeypatch, fast):
    monkeypatch.setattr(_libm, "SCIPY_IS_LIBM", fast and _libm.SCIPY_IS_LIBM)
    rng = np.random.default_rng(4)
    x = np.concatenate([_EDGE, rng.standard_normal(3000) * 30, rng.uniform(-745, 709, 3000)])
    with np.errstate(all="ignore"):
        want_exp = np.array([_libm._exp1(float(v)) for v in x])
        want_log = np.array([_libm._log1(float(v)) for v in x])
    got_exp, got_log = _libm.exp(x), _libm.log(x)
    assert isinstance(got_exp, np.ndarray) and got_exp.shape == x.shape
    np.testing.assert_array_equal(np.isnan(got_exp), np.isnan(want_exp))
    ok = ~np.isnan(want_exp)
    np.testing.assert_array_equal(_bits(got_exp[ok]), _bits(want_exp[ok]))
    np.testing.assert_array_equal(np.isnan(got_log), np.isnan(want_log))
    ok = ~np.isnan(want_log)
    np.testing.assert_array_equal(_bits(got_log[ok]), _bits(want_log[ok]))
    assert _libm.exp(0.5) == math.exp(0.5) and isinstance(_libm.log(2.0), float)  # scalars stay floats
    assert _libm.exp(np.zeros((2, 3))).shape == (2, 3)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 40), st.integers(1, 6)),
              elements=st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, 1.0, 1e300, -1e300])))
def test_column_moments_are_rs_mean_sd_and_colmeans(x):
    col_means, means, sds = _rstats.r_column_moments(x)
    n = x.shape[0]
    for j in range(x.shape[1]):
        xl = x[:, j].astype(np.longdouble)
        cm = float(np.cumsum(xl)[-1] / n) if n else math.nan
        assert np.array_equal([col_means[j]], [cm], equal_nan=True)
        assert np.array_equal([means[j]], [_rstats.r_mean(x[:, j])], equal_nan=True)
        assert np.array_equal([sds[j]], [_rstats.r_sd(x[:, j])], equal_nan=True)


def test_column_moments_on_two_threads_are_the_same_bits():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((60_000, 6)) * 1e3 + 7  # large enough for the two halves of columns
    col_means, means, sds = _rstats.r_column_moments(x)
    one = _rstats._moments(x)
    for got, want in zip((col_means, means, sds), one):
        np.testing.assert_array_equal(_bits(got), _bits(want))
    np.testing.assert_array_equal(sds, [_rstats.r_sd(x[:, j]) for j in range(6)])
