"""survdiff's one-sample test, ``survdiff(Surv(time, status) ~ offset(p))``:
observed deaths against the expected number, each subject's expected
survival probability p at its time (survdiff.R's offset branch), by hand and
against live R."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pyimpl
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument

D = pd.DataFrame({"time": [2.0, 4, 5, 7, 9], "status": [1, 0, 1, 1, 0], "p": [0.9, 0.8, 0.6, 0.5, 0.7]})


def test_rho_0_is_the_observed_against_the_cumulative_hazard():
    r = pyimpl.survdiff("Surv(time, status) ~ offset(p)", data=D)
    expected = -sum(math.log(v) for v in D["p"])
    assert r.obs[0] == 3 and r.n[0] == 5 and r.groups == () and r.df == 1
    np.testing.assert_allclose(r.exp[0], expected, rtol=1e-15)
    np.testing.assert_allclose(r.var[0, 0], expected, rtol=1e-15)
    np.testing.assert_allclose(r.chisq, (expected - 3) ** 2 / expected, rtol=1e-14)
    np.testing.assert_allclose(r.pvalue, stats.chi2.sf(r.chisq, 1), rtol=1e-12)


def test_rho_1_is_the_g_rho_form():
    r = pyimpl.survdiff("Surv(time, status) ~ offset(p)", data=D, rho=1.0)
    p, d = D["p"].to_numpy(), D["status"].to_numpy()
    num = np.sum(1 - (1 + d) * p)
    var = np.sum(1 - p ** 2) / 2
    np.testing.assert_allclose(r.chisq, num * num / var, rtol=1e-14)
    np.testing.assert_allclose(r.var[0, 0], var, rtol=1e-15)


BAD = [
    ("Surv(time, status) ~ offset(time)", "offset.value"),
    ("Surv(time, status) ~ offset(p) + factor(status)", "formula.special"),
]


@pytest.mark.parametrize("formula, kind", BAD)
def test_bad_offsets_are_refused(formula, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.survdiff(formula, data=D)
    assert err.value.kind == kind and "R:" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("formula, kind", BAD)
def test_r_refuses_them_for_the_same_reason(formula, kind):
    import rbridge

    with pytest.raises(Exception) as err:
        rbridge.survdiff(formula, data=D)
    assert refusal_kind(err.value, "survdiff") == kind


@pytest.mark.r
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_matches_r(rho):
    import rbridge

    a, b = (eng.survdiff("Surv(time, status) ~ offset(p)", data=D, rho=rho) for eng in (pyimpl, rbridge))
    np.testing.assert_array_equal(a.n, b.n)
    for f in ("obs", "exp", "var"):
        np.testing.assert_allclose(getattr(a, f), getattr(b, f), rtol=1e-15, atol=0)
    np.testing.assert_allclose(a.chisq, b.chisq, rtol=1e-14)
    assert a.df == b.df == 1 and a.groups == b.groups == ()
