"""``coxph.detail``: the per-event-time pieces add up to the fit (the score to 0
at the estimate, the information to the inverse variance, the hazard to the
baseline hazard, the events to the event count); R's refusals; generated
cohorts against live R."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import pyimpl
from fixtures import load
from rparity.compare import compare_values
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity.tolerance import lookup
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.verdicts import Verdict

from .strategies import cox_cohorts

FITS = [
    ("Surv(time, status) ~ age + sex + ph.ecog", {}),
    ("Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)", {"ties": "breslow", "weights": "ph.karno"}),
]


@pytest.mark.parametrize("formula,kw", FITS)
def test_the_pieces_add_up_to_the_fit(formula, kw):
    fit = pyimpl.coxph(formula, data=load("lung"), control=CoxControl(eps=1e-11, iter_max=50), **kw)
    d = pyimpl.coxph_detail(fit)
    assert d.nevent.sum() == fit.nevent
    assert np.all(np.abs(d.score.sum(0)) < 1e-7 * np.abs(d.score).sum(0))
    np.testing.assert_allclose(np.linalg.inv(d.imat.sum(0)), fit.var, rtol=1e-7)
    base = pyimpl.basehaz(fit)
    strata = d.strata if d.strata is not None else [None] * d.time.size
    for s in dict.fromkeys(strata):
        rows = [i for i, x in enumerate(strata) if x == s]
        b = base if s is None else base[base["strata"] == s]
        at = b.set_index("time")["hazard"].loc[d.time[rows]].to_numpy()
        np.testing.assert_allclose(np.cumsum(d.hazard[rows]), at, rtol=1e-12)


def test_counting_data_give_the_whole_datas_pieces():
    whole = pyimpl.coxph("Surv(time, status) ~ age + sex", data=load("lung"))
    split = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split"))
    a, b = pyimpl.coxph_detail(whole), pyimpl.coxph_detail(split)
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_array_equal(a.nrisk, b.nrisk)
    # the hazard of the centred risk scores: the two fits centre at different means (rows, not subjects)
    ha = a.hazard * np.exp(-np.sum(whole.coef * whole.means))
    hb = b.hazard * np.exp(-np.sum(split.coef * split.means))
    np.testing.assert_allclose(hb, ha, rtol=1e-9)
    np.testing.assert_allclose(b.imat, a.imat, rtol=1e-8, atol=1e-12)


BAD = [("the exact method", "Surv(time, status) ~ age", {"ties": "exact"}, "detail.method"),
       ("the null model", "Surv(time, status) ~ 1", {}, "detail.null")]


@pytest.mark.parametrize("what,formula,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_refusals(what, formula, kw, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph_detail(pyimpl.coxph(formula, data=load("lung"), **kw))
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("what,formula,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_r_refuses_for_the_same_reasons(what, formula, kw, kind):
    import rbridge

    with pytest.raises(Exception) as err:
        rbridge.coxph_detail(rbridge.coxph(formula, data=load("lung"), **kw))
    assert refusal_kind(err.value, "coxph_detail") == kind


@pytest.mark.r
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
          max_examples=int(os.environ.get("RPARITY_DETAIL_EXAMPLES", "30")))
@given(cohort=cox_cohorts(max_n=120, max_p=3, degenerate=False))
def test_generated_cohorts_match_r(cohort):
    import rbridge

    X, t, e, kw = cohort
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            f, g = pyimpl.coxph(X, t, e, **kw), rbridge.coxph(X, t, e, **kw)
        except Exception:  # noqa: BLE001 - the fits are compared elsewhere
            return
    if f.nevent == 0 or any(("infinite" in w) or ("Ran out" in w) for w in g.warnings):
        return
    try:
        a = pyimpl.coxph_detail(f)
    except InvalidArgument as exc:  # R's own failures (one event time, several coefficients)
        with pytest.raises(Exception) as err:
            rbridge.coxph_detail(g)
        assert refusal_kind(err.value, "coxph_detail") == exc.kind
        return
    b = rbridge.coxph_detail(g)
    noise = 1e-13 * max([1.0, *(np.abs(pd.to_numeric(X[c], errors="coerce")).max() for c in X.columns
                                if X[c].dtype.kind in "fiub")])
    for q in ("time", "nevent", "nrisk", "hazard", "varhaz", "means", "score", "imat"):
        x, y = np.asarray(getattr(a, q), dtype=float), np.asarray(getattr(b, q), dtype=float)
        x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)
        keep = ~((np.abs(x).max(0) <= noise) & (np.abs(y).max(0) <= noise))  # columns 0 in exact arithmetic
        c = compare_values(x[:, keep], y[:, keep], lookup("coxph_detail", q))
        assert c.verdict is Verdict.AGREE, f"{q}: max rel {c.max_rel:.2e} {c.detail}"
    assert a.strata == b.strata


def test_riskmat_marks_each_times_risk_set():
    """Each column of riskmat holds the nrisk rows at risk then; rorder="time"
    keeps the sorted rows, sortorder mapping them to the data's."""
    fit = pyimpl.coxph("Surv(tstart, time, status) ~ age + strata(sex)", data=load("lung_split"))
    d = pyimpl.coxph_detail(fit, riskmat=True)
    np.testing.assert_array_equal(d.riskmat.sum(axis=0), d.nrisk)
    t = pyimpl.coxph_detail(fit, riskmat=True, rorder="time")
    np.testing.assert_array_equal(t.riskmat, d.riskmat[t.sortorder])
    assert pyimpl.coxph_detail(fit).riskmat is None


@pytest.mark.r
@pytest.mark.parametrize("rorder", ["data", "time"])
def test_riskmat_matches_r(py_engine, r_engine, rorder):
    def probe(eng):
        fit = eng.coxph("Surv(tstart, time, status) ~ age + strata(sex)", data=load("lung_split"))
        d = eng.coxph_detail(fit, riskmat=True, rorder=rorder)
        return {"riskmat": d.riskmat, "sortorder": d.sortorder, "time": d.time, "nrisk": d.nrisk}
    differential("coxph_detail", probe, py_engine, r_engine)


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", [({"riskmat": "yes"}, "riskmat.type"), ({"rorder": "rows"}, "rorder.value")])
def test_riskmat_bad_arguments(py_engine, r_engine, kw, kind):
    for eng in (py_engine, r_engine):
        fit = eng.coxph("Surv(time, status) ~ age", data=load("lung"))
        with pytest.raises(Exception) as err:
            eng.coxph_detail(fit, **kw)
        assert refusal_kind(err.value, "coxph_detail") == kind
