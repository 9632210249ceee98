"""``clogit`` (survival's conditional logistic regression) on R's infert:
what clogit.R does to the call, R's refusals and warning, and live R's own
``clogit``."""
from __future__ import annotations

import numpy as np
import pytest

import fixtures
from rparity.cases.cox import run_clogit
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.calls import clogit_call
from rparity_contract.errors import InvalidArgument

INFERT = fixtures.load("infert")
ONE_CASE = "case ~ spontaneous + induced + strata(stratum)"  # one case per matched set
POOLED = "case ~ spontaneous + induced + strata(pooled.stratum)"  # several: the methods differ


def test_the_call_is_coxph_with_every_row_dying_at_time_one():
    c = clogit_call(POOLED, INFERT, "approx")
    assert c.formula == f"Surv(rep(1, {len(INFERT)}), case) ~ spontaneous + induced + strata(pooled.stratum)"
    assert c.ties == "breslow" and c.weights is None


def test_clogit_is_that_coxph_fit(py_engine):
    for method, ties in (("exact", "exact"), ("efron", "efron"), ("breslow", "breslow")):
        a = py_engine.clogit(POOLED, INFERT, method=method)
        b = py_engine.coxph(f"Surv(rep(1, {len(INFERT)}), case) ~ spontaneous + induced + strata(pooled.stratum)",
                            data=INFERT, ties=ties)
        np.testing.assert_array_equal(a.coef, b.coef)


def test_one_case_per_set_makes_the_methods_agree(py_engine):
    """No tied deaths in any risk set: exact, Breslow and Efron are one likelihood."""
    fits = [py_engine.clogit(ONE_CASE, INFERT, method=m) for m in ("exact", "breslow", "efron")]
    for f in fits[1:]:
        np.testing.assert_allclose(f.coef, fits[0].coef, rtol=1e-10)
    pooled = [py_engine.clogit(POOLED, INFERT, method=m) for m in ("exact", "breslow")]
    assert not np.allclose(pooled[0].coef, pooled[1].coef, rtol=1e-3)


def test_weights_are_ignored_by_the_exact_method_with_rs_warning(py_engine):
    with pytest.warns(UserWarning, match="weights ignored: not possible for the exact method"):
        w = py_engine.clogit(POOLED, INFERT, weights="age")
    np.testing.assert_array_equal(w.coef, py_engine.clogit(POOLED, INFERT).coef)


BAD = [
    ({"method": "logistic"}, POOLED, "ties.value"),
    ({}, "case ~ spontaneous + strata(stratum) + cluster(pooled.stratum)", "robust.exact"),
]


@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_bad_calls_are_refused_as_r_refuses_them(py_engine, kw, formula, kind):
    with pytest.raises(InvalidArgument) as err:
        py_engine.clogit(formula, INFERT, **kw)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_r_refuses_them_too(r_engine, kw, formula, kind):
    with pytest.raises(Exception) as err:
        r_engine.clogit(formula, INFERT, **kw)
    assert refusal_kind(err.value, "clogit") == kind


@pytest.mark.r
@pytest.mark.parametrize("method", ["exact", "approximate", "efron", "breslow"])
@pytest.mark.parametrize("formula", [ONE_CASE, POOLED, "case ~ age + education + strata(pooled.stratum)"])
def test_matches_rs_own_clogit(py_engine, r_engine, formula, method):
    """The R engine runs R's clogit itself (not the contract's rewriting)."""
    params = {"formula": formula, "method": method, "weights": "parity" if method != "exact" else None}

    def probe(eng):
        out = run_clogit(eng, INFERT, params)
        fit = eng.clogit(formula, INFERT, method=method, weights=params["weights"])
        out["martingale"] = eng.coxph_residuals(fit, type="martingale").values  # refits the recorded call
        return out
    differential("clogit", probe, py_engine, r_engine)
