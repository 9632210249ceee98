"""R's timefix (``aeqSurv``) and the tie codes built on it: the shortcuts
taken for speed give R's answer, including on the edges they skip."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyimpl._rmath import SQRT_EPS
from pyimpl.survival import timefix as tf


def _reference(time: np.ndarray):
    """aeqSurv then dense codes, the slow way: R's long-double mean, a search
    of every time, sorted distinct values."""
    y = np.unique(time[np.isfinite(time)])
    fixed = time
    if y.size >= 2:
        dy = np.diff(y)
        tied = (dy <= SQRT_EPS) | ((dy / tf._r_mean(np.abs(y))) <= SQRT_EPS)
        if tied.any():
            cuts = y[np.concatenate(([True], ~tied))]
            fixed = cuts[np.searchsorted(cuts, time, side="right") - 1]
    codes, uniq = pd.factorize(fixed, sort=True)
    return codes, np.asarray(uniq, dtype=float)


@pytest.mark.parametrize("seed", range(40))
def test_tie_codes_match_the_slow_way(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    t = rng.exponential(size=n) * 10.0 ** int(rng.integers(-3, 4))
    if seed % 3 == 0:
        t = np.round(t, 2)  # few distinct: the hash way
    if seed % 4 == 0:
        t[rng.random(n) < 0.3] *= 1 + 1e-9  # near ties to merge
    if seed % 7 == 0:
        t = -t
    if seed % 5 == 0:
        t[: n // 3] = np.inf  # R's aeqSurv maps Inf to the last cut when it merges (-Inf it misaligns)
    codes, uniq = tf.tie_codes(t)
    rc, ru = _reference(t)
    np.testing.assert_array_equal(codes, rc)
    np.testing.assert_array_equal(uniq, ru)


def test_a_gap_on_the_relative_edge_uses_r_mean(monkeypatch):
    """A gap whose ratio to mean(|y|) is within rounding of the tolerance is
    decided with R's long-double mean, not the double one."""
    y = np.linspace(1.0, 2.0, 3001)
    dy = np.diff(y)
    approx = float(np.sum(np.abs(y))) / y.size
    dy[1000] = SQRT_EPS * approx  # on the edge
    calls = []
    real = tf._r_mean
    monkeypatch.setattr(tf, "_r_mean", lambda v: calls.append(1) or real(v))
    assert tf._mean_abs(y, dy, SQRT_EPS) == real(np.abs(y))
    assert calls, "the edge case did not fall back to R's mean"


def test_no_edge_no_long_double(monkeypatch):
    """Away from the edge the double mean decides (the long-double one is not needed)."""
    t = np.arange(1.0, 5001.0)
    t[10] += 1e-12  # an absolute near-tie, far from the relative edge
    monkeypatch.setattr(tf, "_r_mean", lambda v: pytest.fail("long-double mean used"))
    codes, uniq = tf.tie_codes(t)
    assert uniq.size == 5000
