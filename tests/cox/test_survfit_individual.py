"""``survfit(fit, newdata, id=)``: a subject whose covariates change over
(start, stop] rows of newdata, a curve per id (survival's tests/coxsurv3.R
by hand), its identities, R's refusals, and generated paths against live R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pyimpl
from fixtures import load
from rparity.cases.cox import run_survfit_cox
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument

TEST2 = pd.DataFrame({"start": [1.0, 2, 5, 2, 1, 7, 3, 4, 8, 8], "stop": [2.0, 3, 6, 7, 8, 9, 9, 9, 14, 17],
                      "event": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0], "x": [1.0, 0, 0, 1, 0, 1, 1, 1, 0, 0]})
TEST3 = pd.DataFrame({"start": [1.0, 2, 5, 2, 1, 7, 3, 4, 8, 8] + [0.0] * 11,
                      "stop": [2.0, 3, 6, 7, 8, 9, 9, 9, 14, 17] + list(range(1, 12)),
                      "event": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1],
                      "x": [1.0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 2, 3, 2, 1, 1, 1, 0, 2, 1, 0],
                      "grp": ["a"] * 10 + ["b"] * 11})
PATH = pd.DataFrame({"start": [0.0, 4, 9, 11], "stop": [4.0, 9, 11, 17], "event": [0, 0, 0, 0],
                     "x": [0.0, 0, 0, 0], "patn": [1, 1, 1, 1]})


def _hazard(beta: float) -> np.ndarray:
    """The validation document's hazard of test2 at x = 0, Efron (coxsurv3.R's lambda())."""
    r = np.exp(beta)
    return np.array([1 / (r + 1), 1 / (r + 2), 1 / (3 * r + 2), 1 / (3 * r + 1), 1 / (3 * r + 1),
                     1 / (3 * r + 2) + 1 / (2 * r + 2)])


def test_a_subject_who_never_changes_is_the_one_row_curve():
    fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=TEST2)
    one = pyimpl.survfit_cox(fit, pd.DataFrame({"x": [0.0]}), censor=False)
    path = pyimpl.survfit_cox(fit, PATH, id="patn", censor=False)
    np.testing.assert_allclose(-np.log(one.surv.ravel()), np.cumsum(_hazard(fit.coef[0])), rtol=1e-14)
    np.testing.assert_array_equal(path.time, [2, 3, 6, 7, 8, 9])
    np.testing.assert_allclose(path.surv, one.surv, rtol=1e-15)
    assert path.strata is None and path.n == (10,)


def test_each_row_takes_its_own_stratum():
    """coxsurv3.R: the same path in stratum a, then in b, gives each stratum's
    baseline at x = 0."""
    fit2 = pyimpl.coxph("Surv(start, stop, event) ~ x + strata(grp)", data=TEST3)
    path = PATH.rename(columns={"patn": "patid"}).assign(patid="Jones")
    a = pyimpl.survfit_cox(fit2, path.assign(grp="a"), id="patid", censor=False)
    np.testing.assert_allclose(-np.log(a.surv.ravel()), np.cumsum(_hazard(fit2.coef[0])), rtol=1e-14)
    b = pyimpl.survfit_cox(fit2, path.assign(grp="b"), id="patid", censor=False)
    fit2b = pyimpl.coxph("Surv(start, stop, event) ~ x", data=TEST3[TEST3["grp"] == "b"].reset_index(drop=True),
                         init=fit2.coef, control=pyimpl.CoxControl(iter_max=0))
    base_b = pyimpl.survfit_cox(fit2b, pd.DataFrame({"x": [0.0]}), censor=False)
    np.testing.assert_allclose(b.surv, base_b.surv, rtol=1e-14)


def test_a_gap_carries_the_clock_forward_and_curves_are_named_by_id():
    """A row with no event time inside it moves the time on study on; two ids,
    two curves, labelled as R's names(strata)."""
    fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=TEST2)
    two = pd.concat([PATH, PATH.assign(patn=2, start=PATH["start"] + 1, stop=PATH["stop"] + 1)])
    s = pyimpl.survfit_cox(fit, two, id="patn")
    assert sorted(set(s.strata)) == ["1", "2"] and len(s.n) == 2
    first = s.time[np.array(s.strata) == "1"]
    second = s.time[np.array(s.strata) == "2"]
    # subject 2 starts at 1: the event at 2 is 1 after its start, the clock is time on study
    assert first[0] == 2 and second[0] == 1


BAD = [
    ("no newdata", lambda e, f: e.survfit_cox(f, None, id="who"), "id.value"),
    ("right-censored fit", lambda e, f: e.survfit_cox(
        e.coxph("Surv(stop, event) ~ x", data=TEST2), PATH.assign(who=1), id="who"), "id.value"),
    ("no covariates", lambda e, f: e.survfit_cox(
        e.coxph("Surv(start, stop, event) ~ 1", data=TEST2), PATH, id="patn"), "id.value"),
    ("no response in newdata", lambda e, f: e.survfit_cox(f, PATH[["x", "patn"]], id="patn"), "newdata.column"),
    ("id not a column", lambda e, f: e.survfit_cox(f, PATH, id="who"), "newdata.column"),
]


@pytest.mark.parametrize("what,call,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_are_refused(what, call, kind):
    fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=TEST2)
    with pytest.raises(InvalidArgument) as err:
        call(pyimpl, fit)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("what,call,kind", BAD, ids=[b[0] for b in BAD])
def test_r_refuses_them_for_the_same_reason(what, call, kind):
    import rbridge

    fit = rbridge.coxph("Surv(start, stop, event) ~ x", data=TEST2)
    with pytest.raises(Exception) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(rbridge, fit)
    assert refusal_kind(err.value, "survfit_cox") == kind


_LUNG_SPLIT = load("lung_split")


@st.composite
def _paths(draw):
    """One to three subjects, each 1 to 3 (start, stop] rows (sometimes a gap),
    covariates changing from row to row."""
    rows = []
    for who in range(draw(st.integers(1, 3))):
        t = float(draw(st.integers(0, 200)))
        for _ in range(draw(st.integers(1, 3))):
            t0 = t + (float(draw(st.integers(1, 60))) if draw(st.booleans()) and rows else 0.0)
            t1 = t0 + float(draw(st.integers(1, 300)))
            rows.append({"tstart": t0, "time": t1, "status": 0, "age": float(draw(st.integers(40, 80))),
                         "sex": draw(st.integers(1, 2)), "who": f"s{who}"})
            t = t1
    return {k: [r[k] for r in rows] for k in rows[0]}


@pytest.mark.r
@given(paths=_paths(), stype=st.sampled_from([1, 2]), censor=st.booleans(),
       strata=st.booleans())
def test_generated_paths_match_r(py_engine, r_engine, paths, stype, censor, strata):
    formula = "Surv(tstart, time, status) ~ age + strata(sex)" if strata else "Surv(tstart, time, status) ~ age + sex"
    params = {"formula": formula, "newdata": paths, "id": "who", "stype": stype, "censor": censor}
    differential("survfit_cox", lambda eng: run_survfit_cox(eng, _LUNG_SPLIT, params), py_engine, r_engine)
