"""Paths the generated cohorts rarely or never reach, found by mutation testing
(mutmut over the survival kernels: mutants of these lines survived every other
test). Each test pins one path: against R where R decides, against the
other pyimpl path where two paths compute the same quantity."""
from __future__ import annotations

import numpy as np
import pytest

import pyimpl
from pyimpl.survival import km
from rparity.testing import differential


def _weighted_cohort(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    t = np.ceil(rng.exponential(size=n) * 8)
    e = (rng.random(n) < 0.7).astype(float)
    w = rng.uniform(0.3, 2.5, n)  # fractional weights: survfit's robust (IJ) standard errors
    return t, e, w


@pytest.mark.parametrize("seed", range(4))
def test_closed_form_ij_matches_the_replay(monkeypatch, seed):
    """Large data take the closed-form infinitesimal jackknife (``_ij_std``);
    small data replay survfitkm.c's loop. Forced onto the closed form, the
    standard errors must be the replay's to rounding."""
    t, e, w = _weighted_cohort(seed)
    replay = pyimpl.survfit(t, e, weights=w)
    monkeypatch.setattr(km, "IJ_EXACT_LIMIT", 0)
    closed = pyimpl.survfit(t, e, weights=w)
    assert closed.std_err.shape == replay.std_err.shape
    np.testing.assert_allclose(closed.std_err, replay.std_err, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(closed.std_chaz, replay.std_chaz, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(closed.surv, replay.surv)


def _survdiff_probe(t, e, g, rho):
    def probe(eng):
        res = eng.survdiff(t, e, g, rho=rho)
        return {**res.quantities(), "warnings": tuple(res.warnings)}
    return probe


@pytest.mark.r
@pytest.mark.parametrize("rho", [1.0, 0.5])
def test_survdiff_with_a_group_without_deaths(py_engine, r_engine, rho):
    """rho != 0 and a group that has no deaths (its weighted observed count is
    0 rather than a sum over deaths)."""
    t = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    e = np.array([1.0, 1, 0, 1, 0, 1, 0, 0, 1, 0])
    g = np.array([1, 1, 2, 1, 2, 1, 3, 3, 1, 3])  # groups 2 and 3: censored only
    rows = differential("survdiff", _survdiff_probe(t, e, g, rho), py_engine, r_engine)
    assert {"chisq", "obs", "exp", "var"} <= {r.quantity for r in rows}


@pytest.mark.r
def test_survdiff_with_no_degrees_of_freedom(py_engine, r_engine):
    """A group never at risk at a death time has expected 0: R's df is then 0
    (and the p-value 1 without a NaN warning)."""
    t = np.array([5.0, 6, 7, 8, 1, 2])
    e = np.array([1.0, 1, 1, 0, 0, 0])
    g = np.array(["a", "a", "a", "a", "b", "b"])  # b leaves before the first death
    rows = differential("survdiff", _survdiff_probe(t, e, g, 0.0), py_engine, r_engine)
    assert {"chisq", "warnings"} <= {r.quantity for r in rows}
