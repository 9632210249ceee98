"""``survsplit`` (survival's ``survSplit``): hand values, the metamorphic
properties the split must keep (a Cox fit and the Kaplan-Meier curve are
unchanged), R's refusals, and generated cohorts against live R."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fixtures
from fixtures.strategies import counting_cohorts, survival_cohorts
from rparity.cases.survival import run_survsplit
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
TWO = pd.DataFrame({"time": [5.0, 2.0], "status": [2, 1], "x": ["a", "b"]})


def test_a_row_is_cut_at_the_cuts_inside_it(py_engine):
    """(0, 5] cut at 2 and 4 (and 7, outside): three rows, censored but the last;
    (0, 2] is not cut at 2. Status 1/2 read as 0/1, as Surv() reads it."""
    out = py_engine.survsplit("Surv(time, status) ~ x", TWO, [4.0, 2.0, 7.0, 2.0], episode="ep", id="row")
    assert list(out.columns) == ["x", "row", "tstart", "time", "status", "ep"]
    np.testing.assert_array_equal(out["tstart"], [0, 2, 4, 0])
    np.testing.assert_array_equal(out["time"], [2, 4, 5, 2])
    np.testing.assert_array_equal(out["status"], [0, 0, 1, 0])
    np.testing.assert_array_equal(out["ep"], [1, 2, 3, 1])
    np.testing.assert_array_equal(out["row"], [1, 1, 1, 2])
    assert list(out["x"]) == ["a", "a", "a", "b"]


def test_a_row_with_a_missing_time_passes_whole(py_engine):
    d = pd.DataFrame({"time": [3.0, np.nan], "status": [1, 1]})
    out = py_engine.survsplit("Surv(time, status) ~ .", d, [1.0], episode="ep")
    assert len(out) == 3 and np.isnan(out["time"].iloc[2]) and out["ep"].iloc[2] == 2  # survsplit.c's interval 1


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_splitting_leaves_the_cox_fit_unchanged(py_engine, ties):
    """The partial likelihood of split follow-up is the same function of beta."""
    formula = "Surv(time, status) ~ age + sex + ph.ecog"
    whole = py_engine.coxph(formula, data=LUNG, ties=ties)
    split = py_engine.survsplit(formula, LUNG, [90.0, 180.0, 365.0, 500.0])
    assert len(split) > len(LUNG)
    fit = py_engine.coxph("Surv(tstart, time, status) ~ age + sex + ph.ecog", data=split, ties=ties)
    np.testing.assert_allclose(fit.coef, whole.coef, rtol=1e-10)
    np.testing.assert_allclose(fit.var, whole.var, rtol=1e-9)
    np.testing.assert_allclose(fit.loglik, whole.loglik, rtol=1e-12)


def test_splitting_leaves_the_curve_unchanged(py_engine):
    split = py_engine.survsplit("Surv(time, status) ~ sex", LUNG, [100.0, 300.0], id="id")
    a = py_engine.survfit("Surv(time, status) ~ sex", data=LUNG)
    b = py_engine.survfit("Surv(tstart, time, status) ~ sex", data=split, id="id")
    rows_a = set(zip(a.strata, a.time.tolist()))
    at = np.array([key in rows_a for key in zip(b.strata, b.time.tolist())])
    for field in ("n_risk", "n_event", "surv", "std_err"):
        np.testing.assert_allclose(getattr(b, field)[at], getattr(a, field), rtol=1e-13, err_msg=field)
    one_a = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG)
    one_b = py_engine.survfit("Surv(tstart, time, status) ~ 1", data=split, id="id")
    assert one_b.n_censor.sum() == one_a.n_censor.sum() == 63  # the cuts are not censorings


@pytest.mark.r
def test_rs_censoring_count_of_grouped_split_data_is_replayed(py_engine, r_engine):
    """survival 3.5-3 hands each curve the whole data's survflag() and reads it
    by the curve's own row numbers: with groups and an id, n.censor counts
    another curve's rows (136 censorings in lung split at 100 and 300, not
    63). pyimpl replays it; R's curves are otherwise right."""
    split = py_engine.survsplit("Surv(time, status) ~ sex", LUNG, [100.0, 300.0], id="id")
    a, b = (eng.survfit("Surv(tstart, time, status) ~ sex", data=split, id="id") for eng in (py_engine, r_engine))
    assert a.n_censor.sum() == b.n_censor.sum() == 136
    np.testing.assert_array_equal(a.n_censor, b.n_censor)


BAD = [
    ({"cut": "a"}, "cut.value"),
    ({"cut": [1.0, np.inf]}, "cut.value"),
    ({"cut": [1.0], "zero": 2.0}, "zero.value"),
    ({"cut": [1.0], "id": "x"}, "name.value"),
    ({"cut": [1.0], "episode": 3}, "name.value"),
]


def _split_two(engine, kw: dict):
    rest = {k: v for k, v in kw.items() if k != "cut"}
    return engine.survsplit("Surv(time, status) ~ x", TWO, kw["cut"], **rest)


@pytest.mark.parametrize("kw, kind", BAD)
def test_bad_arguments_are_refused_naming_them(py_engine, kw, kind):
    with pytest.raises(InvalidArgument) as err:
        _split_two(py_engine, kw)
    assert err.value.kind == kind
    assert f"`{next((k for k in kw if k != 'cut'), 'cut')}`" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", BAD)
def test_r_refuses_them_for_the_same_reason(r_engine, kw, kind):
    with pytest.raises(Exception) as err:
        _split_two(r_engine, kw)
    assert refusal_kind(err.value, "survsplit") == kind


_CUTS = st.lists(st.integers(-2, 25).map(float), min_size=0, max_size=4)


@pytest.mark.r
@given(df=survival_cohorts(min_n=1, max_n=40, groups=(1, 3), near_ties=False), cut=_CUTS,
       episode=st.booleans(), id_=st.booleans())
def test_right_censored_split_matches_r(py_engine, r_engine, df, cut, episode, id_):
    data = df.rename(columns={"event": "status"}).assign(time=lambda d: d["time"] + 1)  # after zero = 0
    params: dict = {"formula": "Surv(time, status) ~ .", "cut": cut}
    if episode:
        params["episode"] = "ep"
    if id_:
        params["id"] = "row"
    differential("survsplit", lambda eng: run_survsplit(eng, data, params), py_engine, r_engine)


@pytest.mark.r
@given(df=counting_cohorts(min_subjects=1, max_subjects=20), cut=_CUTS)
def test_counting_split_matches_r(py_engine, r_engine, df, cut):
    params = {"formula": "Surv(start, stop, status) ~ id + group + weights", "cut": cut, "episode": "ep"}
    differential("survsplit", lambda eng: run_survsplit(eng, df, params), py_engine, r_engine)


# ---- the data-frame form: survSplit(data, cut=, end=, event=, start=) --------------------------------
def test_the_data_frame_form_is_the_formula_form_of_every_column(py_engine):
    a = py_engine.survsplit(LUNG, cut=[100.0, 400.0], end="time", event="status", id="row")
    b = py_engine.survsplit("Surv(time, status) ~ .", LUNG, [100.0, 400.0], id="row")
    pd.testing.assert_frame_equal(a, b)
    split = fixtures.load("lung_split")
    c = py_engine.survsplit(split, cut=[250.0], start="tstart", end="time", event="status")
    d = py_engine.survsplit("Surv(tstart, time, status) ~ .", split, [250.0])
    pd.testing.assert_frame_equal(c, d)


BAD_DATA_FRAME_FORM = [
    ({"end": "time"}, "formula.response"),
    ({"end": "time", "event": "dead"}, "data.column"),
    ({"end": "nope", "event": "status"}, "data.column"),
    ({"end": "time", "event": "status", "start": 1}, "name.value"),
]


@pytest.mark.parametrize("kw, kind", BAD_DATA_FRAME_FORM)
def test_data_frame_form_bad_arguments(py_engine, kw, kind):
    with pytest.raises(InvalidArgument) as err:
        py_engine.survsplit(TWO, cut=[1.0], **kw)
    assert err.value.kind == kind and "R:" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", BAD_DATA_FRAME_FORM)
def test_r_refuses_the_data_frame_form_for_the_same_reason(r_engine, kw, kind):
    with pytest.raises(Exception) as err:
        r_engine.survsplit(TWO, cut=[1.0], **kw)
    assert refusal_kind(err.value, "survsplit") == kind
