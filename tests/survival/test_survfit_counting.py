"""Kaplan-Meier on (start, stop] data and survfitKM's robust options: ``id``,
``cluster``, ``robust``, ``influence``, ``start_time``. Hand values,
metamorphic identities (delayed entry at 0 is right-censored data; follow-up
split into contiguous rows of one id is one follow-up), R's refusals, and
generated cohorts against live R."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fixtures
from fixtures.strategies import counting_cohorts
from rparity.cases.survival import run_survfit
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
AML = fixtures.load("aml")

# (0,2] death, (0,4] censored, (1,3] death, (2,5] death, (3,6] censored
FIVE = pd.DataFrame({"start": [0.0, 0, 1, 2, 3], "stop": [2.0, 4, 3, 5, 6], "status": [1, 0, 1, 1, 0]})


def test_risk_sets_of_delayed_entry_by_hand(py_engine):
    """At t the risk set is {start < t <= stop}: (2,5] is not at risk at 2."""
    f = py_engine.survfit("Surv(start, stop, status) ~ 1", data=FIVE)
    np.testing.assert_array_equal(f.time, [2, 3, 4, 5, 6])
    np.testing.assert_array_equal(f.n_risk, [3, 3, 3, 2, 1])
    np.testing.assert_array_equal(f.n_event, [1, 1, 0, 1, 0])
    np.testing.assert_array_equal(f.n_censor, [0, 0, 1, 0, 1])
    np.testing.assert_allclose(f.surv, [2 / 3, 4 / 9, 4 / 9, 2 / 9, 2 / 9], rtol=1e-15)
    np.testing.assert_allclose(f.cumhaz, [1 / 3, 2 / 3, 2 / 3, 7 / 6, 7 / 6], rtol=1e-15)
    # Greenwood: sum d / (n (n - d))
    np.testing.assert_allclose(f.std_err[3] ** 2, 1 / 6 + 1 / 6 + 1 / 2, rtol=1e-14)
    assert f.counting and f.n_enter is None  # R reports entries only with a robust variance


def test_a_row_followed_by_its_subjects_next_row_is_not_a_censoring(py_engine):
    """With an id, (0,2] then (2,5] of one subject is one follow-up: no censoring at 2."""
    d = pd.DataFrame({"start": [0.0, 2, 0, 0], "stop": [2.0, 5, 3, 4], "status": [0, 1, 1, 0], "id": [1, 1, 2, 3]})
    without = py_engine.survfit("Surv(start, stop, status) ~ 1", data=d)
    with_id = py_engine.survfit("Surv(start, stop, status) ~ 1", data=d, id="id")
    assert without.n_censor[0] == 1 and with_id.n_censor[0] == 0
    np.testing.assert_array_equal(without.surv, with_id.surv)


def test_delayed_entry_at_zero_is_right_censored_data(py_engine):
    """Surv(0, t, d) and Surv(t, d) (t > 0): the same curve, every field."""
    d = LUNG.dropna(subset=["time", "status"]).assign(zero=0.0)
    d = d.assign(row=np.arange(1, len(d) + 1))
    for kw in ({}, {"ctype": 2}, {"stype": 2}, {"weights": "age"}, {"robust": True, "id": "row"}):
        right = py_engine.survfit("Surv(time, status) ~ sex", data=d, **kw)
        counting = py_engine.survfit("Surv(zero, time, status) ~ sex", data=d, **kw)
        for field in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "cumhaz", "std_chaz", "lower",
                      "upper"):
            np.testing.assert_allclose(getattr(counting, field), getattr(right, field), rtol=1e-13, err_msg=f"{kw}")


@given(df=counting_cohorts(min_subjects=2, max_subjects=25))
@settings(max_examples=40)
def test_splitting_follow_up_leaves_the_curve(py_engine, df):
    """Each subject's rows joined into one (start of the first, stop of the
    last): the same curve at every time of the joined data, the same robust
    variance with the ids as clusters."""
    # subjects with a gap are left out (joining their rows would fill the gap)
    gap = (df["id"] == df["id"].shift()) & (df["start"] != df["stop"].shift())
    df = df[~df["id"].isin(df.loc[gap, "id"])]
    if df.empty:
        return
    joined = df.groupby("id", as_index=False).agg(start=("start", "min"), stop=("stop", "max"),
                                                  status=("status", "last"), weights=("weights", "first"))
    split = py_engine.survfit("Surv(start, stop, status) ~ 1", data=df, id="id", robust=True)
    whole = py_engine.survfit("Surv(start, stop, status) ~ 1", data=joined, id="id", robust=True)
    at = np.isin(split.time, whole.time)
    np.testing.assert_array_equal(split.time[at], whole.time)
    for field in ("n_risk", "n_event", "n_censor", "surv", "cumhaz"):
        np.testing.assert_allclose(getattr(split, field)[at], getattr(whole, field), rtol=1e-13, err_msg=field)
    for field in ("std_err", "std_chaz"):
        np.testing.assert_allclose(getattr(split, field)[at], getattr(whole, field), rtol=1e-10, atol=1e-15,
                                   err_msg=field)
    # the added times are the cuts: nothing happens there
    assert not split.n_event[~at].any() and not split.n_censor[~at].any()


def test_influence_squares_sum_to_the_variance(py_engine):
    """std.err of the robust KM is the root of the clusters' summed squared influence."""
    f = py_engine.survfit("Surv(time, status) ~ 1", data=AML, influence=True)
    np.testing.assert_allclose(np.sqrt((f.influence_surv ** 2).sum(axis=0)), f.std_err, rtol=1e-13)
    np.testing.assert_allclose(np.sqrt((f.influence_chaz ** 2).sum(axis=0)), f.std_chaz, rtol=1e-13)
    assert f.influence_surv.shape == (23, f.time.size) and f.influence_ids == tuple(str(i) for i in range(1, 24))
    assert not f.logse  # the robust variance of S, not of log S


def test_influence_of_several_curves_is_block_diagonal(py_engine):
    f = py_engine.survfit("Surv(time, status) ~ x", data=AML, influence=1)
    assert f.influence_chaz is None and f.influence_surv.shape == (23, f.time.size)
    first = np.array([s == f.strata[0] for s in f.strata])
    n1 = f.strata_n[0]
    assert not f.influence_surv[:n1, ~first].any() and not f.influence_surv[n1:, first].any()


def test_start_time_drops_the_earlier_rows(py_engine):
    late = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG, start_time=100)
    direct = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG, subset="time >= 100")
    for field in ("time", "n_risk", "surv", "std_err", "cumhaz"):
        np.testing.assert_array_equal(getattr(late, field), getattr(direct, field))
    assert late.start_time == 100.0 and direct.start_time is None


def test_an_offset_term_is_ignored_with_rs_warning(py_engine):
    with pytest.warns(UserWarning, match="Offset term ignored"):
        f = py_engine.survfit("Surv(time, status) ~ 1 + offset(age)", data=LUNG)
    np.testing.assert_array_equal(f.surv, py_engine.survfit("Surv(time, status) ~ 1", data=LUNG).surv)


BAD = [
    ({"robust": True}, "Surv(start, stop, status) ~ 1", "cluster.missing"),
    ({"influence": 5}, "Surv(start, stop, status) ~ 1", "influence.value"),
    ({"influence": "yes"}, "Surv(start, stop, status) ~ 1", "influence.value"),
    ({"robust": "yes"}, "Surv(stop, status) ~ 1", "robust.type"),
    ({"start_time": 100.0}, "Surv(stop, status) ~ 1", "start_time.value"),
    ({"cluster": "start"}, "Surv(stop, status) ~ cluster(start)", "argument.value"),
    ({}, "Surv(stop, status) ~ start:stop", "formula.syntax"),
]


@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_bad_arguments_are_refused_naming_them(py_engine, kw, formula, kind):
    with pytest.raises(InvalidArgument) as err:
        py_engine.survfit(formula, data=FIVE, **kw)
    assert err.value.kind == kind
    name = next(iter(kw), "formula")
    assert f"`{name}`" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("kw, formula, kind", BAD)
def test_r_refuses_them_for_the_same_reason(r_engine, kw, formula, kind):
    with pytest.raises(Exception) as err:
        r_engine.survfit(formula, data=FIVE, **kw)
    assert refusal_kind(err.value, "survfit") == kind


def test_derived_functions_of_counting_and_start_time_fits(py_engine):
    """survfit0's first row is at start_time (else min(0, time)); the table's
    restricted mean still starts at min(0, time), as survmean does on it."""
    late = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG, start_time=100)
    s = py_engine.survfit_summary(late, [50.0, 100.0, 200.0])
    assert s["time"].tolist() == [50.0, 100.0, 200.0] and s["surv"].iloc[0] == 1.0
    t = py_engine.survfit_table(late)
    assert t["rmean"] > 100  # the [0, 100] stretch counts at S = 1
    fit = py_engine.survfit("Surv(start, stop, status) ~ 1", data=FIVE)
    assert py_engine.survfit_table(fit)["n_start"] == 3
    np.testing.assert_array_equal(py_engine.survfit_quantile(fit, [0.5])["quantile"], [3.0])


def _rows(*rows):
    return pd.DataFrame([dict(zip(["start", "stop", "status", "id", "group", "cluster", "weights"], r)) for r in rows])


# shrunk counterexamples found while building this (each once a difference)
_START_EMPTIES_A_GROUP = _rows((0.0, 2.0, 0.0, 1, "b", 1, 1.0), (0.0, 1.0, 0.0, 2, "a", 1, 1.0))
_KM_A_ROUNDING_BELOW_0 = _rows(*[(0.0, 1.0, 0.0, i, "a", 1, 0.1) for i in range(1, 7)], (0.0, 2.0, 1.0, 7, "a", 1, 0.1),
                               (2.0, 3.0, 0.0, 8, "a", 1, 0.235))


@pytest.mark.r
@example(df=_START_EMPTIES_A_GROUP, formula="Surv(start, stop, status) ~ group", id_=False, weighted=False,
         stype=1, ctype=1, robust=None, influence=False, start_time=2.0)  # strata kept: decided before start.time
@example(df=_START_EMPTIES_A_GROUP, formula="Surv(start, stop, status) ~ group", id_=False, weighted=False,
         stype=1, ctype=1, robust=None, influence=True, start_time=2.0)  # R fails: refused alike
@example(df=_KM_A_ROUNDING_BELOW_0, formula="Surv(start, stop, status) ~ 1", id_=False, weighted=True,
         stype=1, ctype=1, robust=None, influence=False, start_time=None)  # log() of S < 0: "NaNs produced"
@example(df=_START_EMPTIES_A_GROUP, formula="Surv(start, stop, status) ~ 1", id_=False, weighted=False,
         stype=1, ctype=1, robust=True, influence=False, start_time=5.0)  # R's robust check speaks first
@given(df=counting_cohorts(min_subjects=1, max_subjects=30),
       formula=st.sampled_from(["Surv(start, stop, status) ~ 1", "Surv(start, stop, status) ~ group",
                                "Surv(start, stop, status) ~ group + cluster(cluster)", "Surv(stop, status) ~ 1",
                                "Surv(stop, status) ~ group"]),
       id_=st.booleans(), weighted=st.booleans(), stype=st.sampled_from([1, 2]), ctype=st.sampled_from([1, 2]),
       robust=st.sampled_from([None, None, True, False]), influence=st.sampled_from([False, True, 0, 1, 2, 3]),
       start_time=st.sampled_from([None, None, 2.0, 5.0]))
def test_counting_survfit_matches_r(py_engine, r_engine, df, formula, id_, weighted, stype, ctype, robust,
                                    influence, start_time):
    params: dict = {"formula": formula, "stype": stype, "ctype": ctype, "influence": influence}
    if id_:
        params["id"] = "id"
    if weighted:
        params["weights"] = "weights"
    if robust is not None:
        params["robust"] = robust
    if start_time is not None:
        params["start_time"] = start_time
    differential("survfit", lambda eng: run_survfit(eng, df, params), py_engine, r_engine)


@pytest.mark.r
def test_survfit_cox_start_time_matches_r(py_engine, r_engine):
    def probe(eng):
        fit = eng.coxph("Surv(time, status) ~ age + sex", data=LUNG)
        out = eng.survfit_cox(fit, start_time=200.0)
        return {**out.quantities(), "warnings": tuple(out.warnings)}
    differential("survfit_cox", probe, py_engine, r_engine)
    with pytest.raises(InvalidArgument) as err:
        py_engine.survfit_cox(py_engine.coxph("Surv(time, status) ~ age", data=LUNG), start_time=5000.0)
    assert err.value.kind == "start_time.value"
