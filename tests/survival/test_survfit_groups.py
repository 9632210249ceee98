"""survfit with a curve per group (``~ sex``) and survfitKM's ``stype``,
``ctype`` and ``type``: hand values, identities, R's labels and refusals, and
generated cohorts against live R (plain and robust variance, every type)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fixtures
from fixtures.strategies import survival_cohorts
from rparity.cases.survival import run_survfit
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
AML = fixtures.load("aml")

# 5 subjects: deaths at 1 (two tied, of 5 at risk), a censoring at 2, a death at 3 (of 2 at risk)
TINY = pd.DataFrame({"time": [1.0, 1.0, 2.0, 3.0, 4.0], "status": [1, 1, 0, 1, 0]})


def test_fleming_harrington_hazard_by_hand(py_engine):
    """ctype=2 removes tied deaths one at a time: 1/5 + 1/4 at time 1, then 1/2."""
    f = py_engine.survfit("Surv(time, status) ~ 1", data=TINY, ctype=2)
    assert f.cumhaz[0] == pytest.approx(1 / 5 + 1 / 4, rel=1e-15)
    assert f.cumhaz[2] == pytest.approx(1 / 5 + 1 / 4 + 1 / 2, rel=1e-15)
    assert f.std_chaz[0] ** 2 == pytest.approx(1 / 25 + 1 / 16, rel=1e-14)
    na = py_engine.survfit("Surv(time, status) ~ 1", data=TINY)
    assert na.cumhaz[0] == pytest.approx(2 / 5, rel=1e-15)  # Nelson-Aalen
    assert np.array_equal(f.surv, na.surv)  # stype 1: the Kaplan-Meier curve either way


def test_stype2_is_exp_of_the_hazard(py_engine):
    for ctype in (1, 2):
        f = py_engine.survfit("Surv(time, status) ~ sex", data=LUNG, stype=2, ctype=ctype)
        np.testing.assert_allclose(f.surv, np.exp(-f.cumhaz), rtol=1e-15)
        assert np.array_equal(f.std_err, f.std_chaz) and f.logse


def test_type_spells_stype_and_ctype(py_engine):
    pairs = [("kaplan-meier", 1, 1), ("fleming-harrington", 2, 1), ("fh2", 2, 2), ("fleming", 2, 1), ("k", 1, 1)]
    for type_, stype, ctype in pairs:
        a = py_engine.survfit("Surv(time, status) ~ x", data=AML, type=type_, stype=1, ctype=1)
        b = py_engine.survfit("Surv(time, status) ~ x", data=AML, stype=stype, ctype=ctype)
        assert np.array_equal(a.surv, b.surv) and np.array_equal(a.cumhaz, b.cumhaz), type_


def test_a_curve_per_group_is_the_fit_of_each_group(py_engine):
    grouped = py_engine.survfit("Surv(time, status) ~ sex", data=LUNG, conf_type="log-log")
    assert grouped.strata_n == (138, 90) and grouped.n == 228
    for level in (1, 2):
        one = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG, subset=f"sex == {level}", conf_type="log-log")
        rows = [i for i, s in enumerate(grouped.strata) if s == f"sex={level}"]
        for field in ("time", "n_risk", "surv", "std_err", "lower", "upper", "cumhaz", "std_chaz"):
            np.testing.assert_array_equal(getattr(grouped, field)[rows], getattr(one, field))


def test_labels_are_rs(py_engine):
    two = py_engine.survfit("Surv(time, status) ~ sex + ph.ecog", data=LUNG)
    assert list(dict.fromkeys(two.strata))[:2] == ["sex=1, ph.ecog=0", "sex=1, ph.ecog=1"]
    assert sum(two.strata_n) == 227  # ph.ecog has one NA
    st_ = py_engine.survfit("Surv(time, status) ~ strata(sex)", data=LUNG)
    assert set(st_.strata) == {"strata(sex)=sex=1", "strata(sex)=sex=2"}
    unused = LUNG.assign(f=pd.Categorical(LUNG["sex"], categories=[1, 2, 3]))
    assert set(py_engine.survfit("Surv(time, status) ~ f", data=unused).strata) == {"f=1", "f=2"}


def test_derived_functions_of_several_curves_are_each_curves(py_engine):
    """summary, quantile and table of ~ sex: each curve's, labelled by its
    stratum; the restricted mean of both curves up to the last time of all."""
    grouped = py_engine.survfit("Surv(time, status) ~ sex", data=LUNG)
    times = [0.0, 100.0, 400.0]
    s = py_engine.survfit_summary(grouped, times)
    q = py_engine.survfit_quantile(grouped)
    t = py_engine.survfit_table(grouped)
    assert list(t.index) == ["sex=1", "sex=2"] and list(dict.fromkeys(s["strata"])) == ["sex=1", "sex=2"]
    end = float(grouped.time.max())
    for level in (1, 2):
        one = py_engine.survfit("Surv(time, status) ~ 1", data=LUNG, subset=f"sex == {level}")
        mine = s[s["strata"] == f"sex={level}"].drop(columns="strata").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, py_engine.survfit_summary(one, times))
        np.testing.assert_array_equal(q.loc[f"sex={level}"].to_numpy(), py_engine.survfit_quantile(one).to_numpy())
        row, alone = t.loc[f"sex={level}"], py_engine.survfit_table(one)
        for k in ("records", "n_max", "n_start", "events", "median", "lcl", "ucl"):
            assert row[k] == alone[k] or (np.isnan(row[k]) and np.isnan(alone[k])), k
        if one.time.max() == end:  # the curve that reaches the common end: its own restricted mean
            assert row["rmean"] == alone["rmean"]


BAD = [({"stype": 3}, "stype.value"), ({"ctype": 0}, "ctype.value"), ({"stype": True}, "stype.value"),
       ({"type": 1}, "type.value"), ({"type": "greenwood"}, "type.value")]


@pytest.mark.parametrize("kw, kind", BAD, ids=[str(b[0]) for b in BAD])
def test_bad_types_are_refused(py_engine, kw, kind):
    with pytest.raises(InvalidArgument) as err:
        py_engine.survfit("Surv(time, status) ~ 1", data=AML, **kw)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", [b for b in BAD if b[0] != {"stype": True}],
                         ids=[str(b[0]) for b in BAD if b[0] != {"stype": True}])
def test_r_refuses_the_same(r_engine, kw, kind):
    with pytest.raises(Exception) as err:
        r_engine.survfit("Surv(time, status) ~ 1", data=AML, **kw)
    assert refusal_kind(err.value, "survfit") == kind


@pytest.mark.r
@pytest.mark.parametrize("formula, kw", [("Surv(time, status) ~ sex", {}),
                                         ("Surv(time, status) ~ sex + ph.ecog", {"conf_type": "log-log"}),
                                         ("Surv(time, status) ~ sex", {"start_time": 50.0, "conf_type": "none"})])
def test_derived_functions_of_several_curves_match_r(py_engine, r_engine, formula, kw):
    params = {"formula": formula, **kw, "times": [0.0, 30.0, 200.0, 600.0]}
    differential("survfit", lambda eng: run_survfit(eng, LUNG, params), py_engine, r_engine)


@pytest.mark.r
@given(df=survival_cohorts(min_n=1, groups=(1, 4), weights="any"), weighted=st.booleans(),
       stype=st.sampled_from([1, 2]), ctype=st.sampled_from([1, 2]),
       conf_type=st.sampled_from(["log", "log-log", "plain", "logit", "arcsin"]),
       conf_lower=st.sampled_from(["usual", "peto", "modified"]))
def test_grouped_survfit_matches_r(py_engine, r_engine, df, weighted, stype, ctype, conf_type, conf_lower):
    data = df.rename(columns={"event": "status"})
    params = {"formula": "Surv(time, status) ~ group", "stype": stype, "ctype": ctype, "conf_type": conf_type,
              "conf_lower": conf_lower}
    if weighted:
        params["weights"] = "weights"
    differential("survfit", lambda eng: run_survfit(eng, data, params), py_engine, r_engine)
