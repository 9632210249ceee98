"""Survival curves from a Cox fit, ``survfit(<coxph>, newdata=)``.

* Therneau & Grambsch's test1 by hand (book1.R, Breslow; book2.R, Efron):
  cumulative hazard, survival and its variance at x = 0, at beta = 0 and at
  the estimate;
* identities: newdata at the covariate means is the default curve; splitting
  follow-up (survSplit) leaves the curve; entry at 0 is right-censored data;
  a curve's cumulative hazard is the baseline's times the row's risk;
* the bad-argument table, R's refusals checked live;
* generated cohorts against live R (hypothesis).
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import pyimpl
from fixtures import load
from fixtures.closed_form import TEST1_BRESLOW_BETA, TEST1_EFRON_BETA
from rparity.compare import compare_values
from rparity.refusals import refusal_kind
from rparity.tolerance import lookup
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.verdicts import Verdict

from .strategies import cox_cohorts

X0 = pd.DataFrame({"x": [0.0]})


def _fit(ties: str, at_zero: bool):
    kw = {"control": CoxControl(iter_max=0)} if at_zero else {"control": CoxControl(eps=1e-11, iter_max=50)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyimpl.coxph("Surv(time, status) ~ x", data=load("test1"), ties=ties, **kw)


def _breslow_curve(beta: float):
    """book1.R's byhand1(beta, newx = 0): hazard and variance at times 1, 6, 8, 9."""
    r = math.exp(beta)
    haz = np.array([1 / (3 * r + 3), 2 / (r + 3), 0.0, 1.0])
    xbar = np.array([r / (r + 1), r / (r + 3), 0.0, 0.0])
    imat = r / (r + 1) ** 2 + 6 * r / (r + 3) ** 2
    g = np.cumsum([1 / (3 * r + 3) ** 2, 2 / (r + 3) ** 2, 0.0, 1.0])
    d = np.cumsum((0 - xbar) * haz)
    return np.cumsum(haz), g + d ** 2 / imat


def _efron_curve(beta: float):
    """book2.R's byhand(beta, newx = 0): at the times 1, 6, 9 (the tied deaths at 6 as two steps)."""
    r = math.exp(beta)
    wtmat = np.array([[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, .5, .5, 1, 1], [0, 0, 0, 0, 0, 1]]).T
    wtmat = np.diag([r, r, r, 1, 1, 1]) @ wtmat
    x = np.array([1, 1, 1, 0, 0, 0.0])
    xbar = (wtmat * x[:, None]).sum(0) / wtmat.sum(0)
    haz = 1 / wtmat.sum(0)
    imat = sum(v - v * v for v in (r / (r + 1), r / (r + 5), r / (r + 3)))
    g = np.cumsum(haz ** 2)
    d = np.cumsum((0 - xbar) * haz)
    keep = [0, 2, 3]
    return np.cumsum(haz)[keep], (g + d ** 2 / imat)[keep]


@pytest.mark.parametrize("at_zero", [True, False])
def test_test1_breslow_curve_by_hand(at_zero):
    fit = _fit("breslow", at_zero)
    beta = 0.0 if at_zero else TEST1_BRESLOW_BETA
    chaz, var = _breslow_curve(beta)
    sf = pyimpl.survfit_cox(fit, X0)
    tol = 1e-14 if at_zero else 1e-9
    np.testing.assert_array_equal(sf.time, [1.0, 6.0, 8.0, 9.0])
    np.testing.assert_allclose(sf.cumhaz[:, 0], chaz, rtol=tol)
    np.testing.assert_allclose(sf.surv[:, 0], np.exp(-chaz), rtol=tol)
    np.testing.assert_allclose(sf.std_err[:, 0] ** 2, var, rtol=tol)
    if at_zero:  # book1.R: std.err^2 = (7/180, 2/9, 2/9, 11/9)
        np.testing.assert_allclose(sf.std_err[:, 0] ** 2, [7 / 180, 2 / 9, 2 / 9, 11 / 9], rtol=1e-14)
    kept = pyimpl.survfit_cox(fit, X0, censor=False)  # time 8 has no event
    np.testing.assert_array_equal(kept.time, [1.0, 6.0, 9.0])
    np.testing.assert_allclose(kept.std_err[:, 0] ** 2, var[[0, 1, 3]], rtol=tol)


@pytest.mark.parametrize("at_zero", [True, False])
def test_test1_efron_curve_by_hand(at_zero):
    fit = _fit("efron", at_zero)
    beta = 0.0 if at_zero else TEST1_EFRON_BETA
    chaz, var = _efron_curve(beta)
    sf = pyimpl.survfit_cox(fit, X0, censor=False)
    tol = 1e-14 if at_zero else 1e-9
    np.testing.assert_allclose(sf.surv[:, 0], np.exp(-chaz), rtol=tol)
    np.testing.assert_allclose(sf.std_err[:, 0] ** 2, var, rtol=tol)


@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_newdata_at_the_means_is_the_default_curve(ties):
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex + strata(ph.ecog)", data=lung, ties=ties)
    at = pd.DataFrame({"age": [fit.means[0]], "sex": [fit.means[1]]})
    a, b = pyimpl.survfit_cox(fit), pyimpl.survfit_cox(fit, at)
    np.testing.assert_allclose(b.surv, a.surv, rtol=1e-12)
    np.testing.assert_allclose(b.std_err, a.std_err, rtol=1e-10)
    assert a.strata == b.strata


def test_each_curve_is_the_baseline_times_its_risk():
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung)
    nd = pd.DataFrame({"age": [40, 60, 80], "sex": [1, 2, 2]})
    sf = pyimpl.survfit_cox(fit, nd)
    base = pyimpl.basehaz(fit, centered=False)
    risk = np.exp(nd.to_numpy(float) @ fit.coef)
    np.testing.assert_allclose(sf.cumhaz, np.outer(base["hazard"], risk), rtol=1e-12)
    np.testing.assert_allclose(sf.surv, np.exp(-sf.cumhaz), rtol=1e-12)
    assert sf.curves == ("1", "2", "3")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_splitting_follow_up_leaves_the_curve(ties):
    whole = pyimpl.coxph("Surv(time, status) ~ age + sex", data=load("lung"), ties=ties)
    split = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split"), ties=ties)
    nd = pd.DataFrame({"age": [55, 70], "sex": [1, 2]})
    a, b = pyimpl.survfit_cox(whole, nd, censor=False), pyimpl.survfit_cox(split, nd, censor=False)
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_allclose(b.surv, a.surv, rtol=1e-9)
    np.testing.assert_allclose(b.std_err, a.std_err, rtol=1e-8)
    np.testing.assert_allclose(b.n_risk, a.n_risk, rtol=1e-14)


def test_entry_at_zero_is_right_censored():
    lung = load("lung").assign(entry=0.0)
    a = pyimpl.coxph("Surv(entry, time, status) ~ age + ph.ecog", data=lung)
    b = pyimpl.coxph("Surv(time, status) ~ age + ph.ecog", data=lung)
    sa, sb = pyimpl.survfit_cox(a), pyimpl.survfit_cox(b)
    np.testing.assert_allclose(sa.surv, sb.surv, rtol=1e-10)
    np.testing.assert_allclose(sa.std_err, sb.std_err, rtol=1e-9)


def test_strata_named_by_newdata_give_each_row_its_stratum():
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + strata(sex)", data=lung)
    nd = pd.DataFrame({"age": [50, 70], "sex": [2, 1]})
    both = pyimpl.survfit_cox(fit, nd)
    assert both.strata is not None and set(both.strata) == {"1", "2"}  # the rows' labels
    every = pyimpl.survfit_cox(fit, nd[["age"]])  # no strata in newdata: every stratum, every row
    first = [s == "sex=2" for s in every.strata]
    np.testing.assert_array_equal(both.surv[[s == "1" for s in both.strata], 0], every.surv[first, 0])


_F = "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)"
_ND = {"age": [50], "ph.ecog": [1], "sex": [1]}
BAD = [
    ("stype 3", {"stype": 3}, None, "stype.value"),
    ("ctype 0", {"ctype": 0}, None, "ctype.value"),
    ("unknown conf_type", {"conf_type": "wald"}, None, "conf_type.value"),
    ("a level the fit never saw", {}, {**_ND, "ph.ecog": [7]}, "newdata.level"),
    ("a stratum the fit does not have", {}, {**_ND, "sex": [3]}, "newdata.level"),
    ("a column missing", {}, {"age": [50]}, "newdata.column"),
]


def _call(engine, opts, newdata):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = engine.coxph(_F, data=load("lung"))
        return engine.survfit_cox(fit, None if newdata is None else pd.DataFrame(newdata), **opts)


@pytest.mark.parametrize("what,opts,newdata,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_are_refused_by_name(what, opts, newdata, kind):
    with pytest.raises(InvalidArgument) as err:
        _call(pyimpl, opts, newdata)
    assert err.value.kind == kind


def test_newdata_must_be_a_data_frame():
    fit = pyimpl.coxph("Surv(time, status) ~ age", data=load("lung"))
    with pytest.raises(InvalidArgument) as err:
        pyimpl.survfit_cox(fit, [50.0])
    assert err.value.kind == "newdata.type"


@pytest.mark.r
@pytest.mark.parametrize("what,opts,newdata,kind", BAD, ids=[b[0] for b in BAD])
def test_r_refuses_them_for_the_same_reason(what, opts, newdata, kind):
    import rbridge

    with pytest.raises(Exception) as err:
        _call(rbridge, opts, newdata)
    assert refusal_kind(err.value, "survfit_cox") == kind


def _agree(q: str, a, b) -> None:
    c = compare_values(a, b, lookup("survfit_cox", q))
    assert c.verdict is Verdict.AGREE, f"survfit_cox.{q}: max rel {c.max_rel:.2e} ({c.detail})"


@pytest.mark.r
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
          max_examples=int(os.environ.get("RPARITY_SURVFIT_COX_EXAMPLES", "30")))
@given(cohort=cox_cohorts(max_n=150, max_p=3, degenerate=False))
def test_generated_cohorts_match_r(cohort):
    """The curves of a generated cohort's fit at the means and for three of its
    own rows equal R's (fits on a flat ridge left out)."""
    import rbridge

    X, t, e, kw = cohort
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            f, g = pyimpl.coxph(X, t, e, **kw), rbridge.coxph(X, t, e, **kw)
        except Exception:  # noqa: BLE001 - the fits themselves are compared elsewhere
            return
    if f.nevent == 0 or any(("infinite" in w) or ("Ran out" in w) for w in g.warnings):
        return
    nd = X.iloc[:3].reset_index(drop=True)
    for newdata in (None, nd):
        for opts in ({}, {"stype": 1}):
            a = pyimpl.survfit_cox(f, newdata, **opts)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                b = rbridge.survfit_cox(g, newdata, **opts)
            for q in ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err", "lower", "upper"):
                _agree(q, getattr(a, q), getattr(b, q))
            assert (a.strata, a.n, a.curves) == (b.strata, b.n, b.curves)
