"""``predict(fit, newdata, type = "expected" / "survival")``: each new row's
expected events over its own follow-up (the response read in newdata)."""
from __future__ import annotations

import numpy as np
import pytest

import fixtures
from rparity.testing import differential

LUNG = fixtures.load("lung").dropna(subset=["age", "sex", "ph.ecog"]).reset_index(drop=True)
SPLIT = fixtures.load("lung_split")


def test_the_fits_rows_as_newdata_give_the_fits_expected_events(py_engine):
    """Breslow, no ties adjustment: H(t) exp(lp) read at each row's own time is
    status - martingale residual, the fit's own expected events."""
    fit = py_engine.coxph("Surv(time, status) ~ age + sex + ph.ecog", data=LUNG, ties="breslow")
    own = py_engine.coxph_predict(fit, type="expected")
    new = py_engine.coxph_predict(fit, type="expected", newdata=LUNG)
    np.testing.assert_allclose(new.values, own.values, rtol=1e-12)
    surv = py_engine.coxph_predict(fit, type="survival", newdata=LUNG, se_fit=True)
    np.testing.assert_allclose(surv.values, np.exp(-own.values), rtol=1e-12)


def test_a_later_follow_up_expects_more_events(py_engine):
    fit = py_engine.coxph("Surv(time, status) ~ age + sex", data=LUNG)
    rows = LUNG.iloc[[0, 0, 0]].assign(time=[100.0, 300.0, 700.0])
    values = py_engine.coxph_predict(fit, type="expected", newdata=rows).values
    assert np.all(np.diff(values) > 0)


def test_counting_rows_expect_the_hazard_between_start_and_stop(py_engine):
    fit = py_engine.coxph("Surv(tstart, time, status) ~ age + sex", data=SPLIT)
    row = SPLIT.iloc[[3]]
    whole = row.assign(tstart=0.0)
    early = row.assign(time=row["tstart"])
    e = [py_engine.coxph_predict(fit, type="expected", newdata=d).values[0] for d in (row, whole)]
    assert py_engine.coxph_predict(fit, type="expected", newdata=early.assign(tstart=0.0)).values[0] + e[0] \
        == pytest.approx(e[1], rel=1e-12)


_NEW = LUNG.iloc[[0, 5, 9, 40, 77]].copy()
_NEW.loc[_NEW.index[1], "time"] = np.nan  # a missing follow-up: NA, as R
_NEW_SPLIT = SPLIT.iloc[[0, 1, 2, 50, 51, 300, 301, 400]].copy()


@pytest.mark.r
@pytest.mark.parametrize("formula, data, new, ties", [
    ("Surv(time, status) ~ age + sex", LUNG, _NEW, "efron"),
    ("Surv(time, status) ~ age + strata(sex)", LUNG, _NEW, "breslow"),
    ("Surv(time, status) ~ age + ph.ecog + offset(log(ph.karno))", LUNG, _NEW, "efron"),  # R: offset after exp
    ("Surv(tstart, time, status) ~ age + sex", SPLIT, _NEW_SPLIT, "efron"),  # R's se quirks for (start, stop]
    ("Surv(tstart, time, status) ~ age + strata(sex)", SPLIT, _NEW_SPLIT, "breslow"),
])
@pytest.mark.parametrize("type_", ["expected", "survival"])
@pytest.mark.parametrize("se", [False, True])
def test_matches_r(py_engine, r_engine, formula, data, new, ties, type_, se):
    def probe(eng):
        fit = eng.coxph(formula, data=data, ties=ties)
        p = eng.coxph_predict(fit, type=type_, newdata=new, se_fit=se)
        return {**p.quantities(), "warnings": tuple(p.warnings)}
    differential("coxph_predict", probe, py_engine, r_engine)
