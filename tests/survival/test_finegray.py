"""The Fine-Gray data (``finegray``, survival 3.5-3): by hand, refusals, and
against R on generated competing-risks cohorts (the data and the weighted Cox
fit of them)."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyimpl
from fixtures.strategies import survival_cohorts
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument


def _frame(t, codes, x=None, levels=("censor", "a", "b")):
    n = len(t)
    return pd.DataFrame({"t": np.asarray(t, dtype=float), "e": pd.Categorical.from_codes(codes, list(levels)),
                         "x": np.arange(n, dtype=float) if x is None else x})


def test_without_a_competing_event_the_rows_are_the_data():
    d = _frame([3, 1, 4, 1, 5], [1, 0, 1, 1, 0])
    fg = pyimpl.finegray("Surv(t, e) ~ x", d)
    assert list(fg.columns) == ["x", "fgstart", "fgstop", "fgstatus", "fgwt"]
    np.testing.assert_array_equal(fg.x, d.x)
    np.testing.assert_array_equal(fg.fgstop, d.t)
    np.testing.assert_array_equal(fg.fgstart, np.zeros(5))
    np.testing.assert_array_equal(fg.fgstatus, [1, 0, 1, 1, 0])
    np.testing.assert_array_equal(fg.fgwt, np.ones(5))
    assert fg.attrs["event"] == "a"


def test_a_competing_event_is_carried_with_the_censoring_curve_by_hand():
    # a competing event (b) at 2; censorings at 3 and 5; endpoint events (a) at 4 and 6
    d = _frame([2, 3, 4, 5, 6, 7], [2, 0, 1, 0, 1, 0])
    fg = pyimpl.finegray("Surv(t, e) ~ x", d)
    carried = fg[fg.x == 0]
    # censoring KM G: at 3, 5 at risk (1 - 1/5); at 5, 3 at risk (1 - 1/3); at 7, 1 at risk (0)
    g3, g5 = 4 / 5, 4 / 5 * 2 / 3
    np.testing.assert_array_equal(carried.fgstart, [0, 3, 5])
    np.testing.assert_array_equal(carried.fgstop, [3, 5, 7])
    np.testing.assert_allclose(carried.fgwt, [1, g3 / 1, g5 / 1], rtol=1e-15)
    np.testing.assert_array_equal(carried.fgstatus, [0, 0, 0])
    assert len(fg) == 6 + 2


def test_weights_multiply_and_appear_as_r_shows_them():
    d = _frame([2, 3, 4, 5, 6, 7], [2, 0, 1, 0, 1, 0])
    d["w"] = [2.0, 1, 1, 1, 1, 0.5]
    fg = pyimpl.finegray("Surv(t, e) ~ x", d, weights="w", count="k")
    assert list(fg.columns) == ["x", "(weights)", "fgstart", "fgstop", "fgstatus", "fgwt", "k"]
    base = pyimpl.finegray("Surv(t, e) ~ x", d)
    np.testing.assert_array_equal(fg.fgwt, base.fgwt * np.repeat(d.w.to_numpy(), [3, 1, 1, 1, 1, 1]))
    np.testing.assert_array_equal(fg.k, [0, 1, 2, 0, 0, 0, 0, 0])


BAD = [
    ("numeric status", lambda d: d.assign(e=[0, 1, 2, 1, 0, 1]), {}, "event.type"),
    ("unknown etype", lambda d: d, {"etype": "relapse"}, "etype.value"),
    ("missing time", lambda d: d.assign(t=[1.0, np.nan, 3, 4, 5, 6]), {}, "argument.missing"),
    ("missing status", lambda d: d.assign(e=pd.Categorical(["a", None, "b", "a", "censor", "a"],
                                                           categories=["censor", "a", "b"])), {},
     "argument.missing"),
    ("cluster term", lambda d: d, {"formula": "Surv(t, e) ~ x + cluster(x)"}, "formula.special"),
    ("start, stop", lambda d: d.assign(t0=0.0), {"formula": "Surv(t0, t, e) ~ x"}, "id.missing"),
]


@pytest.mark.parametrize("label,change,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(label, change, kw, kind):
    d = change(_frame([1, 2, 3, 4, 5, 6], [0, 1, 2, 1, 0, 1]))
    kw = dict(kw)
    with pytest.raises(InvalidArgument) as info:
        pyimpl.finegray(kw.pop("formula", "Surv(t, e) ~ x"), d, **kw)
    assert info.value.kind == kind, label


def _probe(df, seed, etype, weighted, stratified):
    rng = np.random.default_rng(seed)
    d = df.copy()
    cause = rng.integers(1, 3, len(d))
    d["status"] = pd.Categorical.from_codes(np.where(d.event.to_numpy() == 1, cause, 0), ["censor", "a", "b"])
    d["x"] = np.round(rng.normal(size=len(d)), 2)
    d["s"] = rng.integers(0, 2, len(d)).astype(float)
    form = "Surv(time, status) ~ x" + (" + strata(s)" if stratified else "")

    def run(engine):
        fg = engine.finegray(form, d, etype=etype, weights="weights" if weighted else None)
        out = {"columns": tuple(fg.columns), "rows": float(len(fg)),
               "numbers": fg.drop(columns=["fgwt"]).to_numpy(dtype=float), "weights": fg.fgwt.to_numpy(float),
               "labels": (), "event": str(fg.attrs["event"]), "warnings": tuple(fg.attrs.get("warnings", ()))}
        return out
    return run


@pytest.mark.r
@given(df=survival_cohorts(min_n=2, max_n=60, weights="any"), seed=st.integers(0, 2**32 - 1),
       etype=st.sampled_from(["a", "b"]), weighted=st.booleans(), stratified=st.booleans())
@settings(max_examples=50, deadline=None)
def test_finegray_matches_r(py_engine, r_engine, df, seed, etype, weighted, stratified):
    differential("finegray", _probe(df, seed, etype, weighted, stratified), py_engine, r_engine)


def test_weights_with_strata_are_indexed_within_the_stratum_as_r_does():
    """survival 3.5-3's finegray multiplies by user.weights[split$row], split$row
    counting within the stratum: the second stratum gets the first rows' weights
    (R prints (weights) 10, 20, 30, 40 and fgwt 1, 2, 3, 4 there)."""
    d = pd.DataFrame({"t": np.arange(1.0, 9.0),
                      "e": pd.Categorical(["a", "b", "a", "c", "a", "b", "a", "c"], categories=["c", "a", "b"]),
                      "s": [1.0, 1, 1, 1, 2, 2, 2, 2], "w": [1.0, 2, 3, 4, 10, 20, 30, 40]})
    fg = pyimpl.finegray("Surv(t, e) ~ strata(s)", d, weights="w")
    np.testing.assert_array_equal(fg["(weights)"], [1, 2, 3, 4, 10, 20, 30, 40])
    np.testing.assert_array_equal(fg.fgwt, [1, 2, 3, 4, 1, 2, 3, 4])


# -- survival 3.5-3's tests/finegray.R, its hand values ---------------------------------------------
def _fdata():
    return pd.DataFrame({
        "time": [1.0, 2, 3, 4, 4, 4, 5, 5, 6, 8, 8, 9, 10, 12],
        "status": pd.Categorical.from_codes([1, 2, 0, 1, 0, 0, 2, 1, 0, 0, 2, 0, 1, 0], ["cen", "type1", "type2"]),
        "x": [5.0, 4, 3, 1, 2, 1, 1, 2, 2, 4, 6, 1, 2, 0],
        "id": np.arange(1.0, 15.0)})


def test_survival_finegray_script_hand_values():
    fdata = _fdata()
    test1 = pyimpl.finegray("Surv(time, status) ~ x + id", fdata, count="fgcount")
    # the censoring distribution: censors come after deaths, so it drops at 3+, 4+, 6+, 8+, 9+
    p = np.cumprod([1, 11 / 12, 8 / 10, 5 / 6, 3 / 4, 2 / 3])
    np.testing.assert_array_equal(test1.id, [1, 2, 2, 2, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 11, 12, 13, 14])
    twt = [1, p[0], p[1], p[2], p[5], 1, 1, 1, 1, 1, 5 / 12, 1, 1, 1, 1, 1 / 2, 1, 1, 1]
    np.testing.assert_allclose(test1.fgwt, twt, rtol=1e-15)
    np.testing.assert_array_equal(test1.fgstop[test1.fgcount > 0], [4, 6, 12, 12, 12])


@pytest.mark.parametrize("etype,state", [("type1", 1), ("type2", 2)])
def test_the_finegray_data_reproduce_the_multistate_curve(etype, state):
    """1 - KM of the weighted Fine-Gray data is the Aalen-Johansen curve of the
    endpoint, at its event times (survival's tests/finegray.R)."""
    fdata = _fdata()
    fg = pyimpl.finegray("Surv(time, status) ~ x", fdata, etype=etype)
    ms = pyimpl.survfit_ms("Surv(time, status) ~ 1", data=fdata)
    km = pyimpl.survfit("Surv(fgstart, fgstop, fgstatus) ~ 1", data=fg, weights="fgwt")
    i1 = ms.n_event[:, state] > 0
    i2 = np.asarray(km.n_event) > 0
    np.testing.assert_allclose(ms.pstate[i1, state], 1 - np.asarray(km.surv)[i2], rtol=1e-14)


def test_strata_reprise_the_two_endpoints():
    fdata = _fdata()
    swapped = fdata.copy()
    swapped["status"] = pd.Categorical.from_codes(np.array([0, 2, 1])[fdata.status.cat.codes],
                                                  ["cen", "type1", "type2"])
    fdata2 = pd.concat([fdata, swapped], ignore_index=True)
    fdata2["group"] = np.repeat([1.0, 2.0], len(fdata))
    test3 = pyimpl.finegray("Surv(time, status) ~ x + strata(group)", fdata2)
    test1 = pyimpl.finegray("Surv(time, status) ~ x", fdata)
    test2 = pyimpl.finegray("Surv(time, status) ~ x", fdata, etype="type2")
    cols = ["fgstart", "fgstop", "fgstatus", "fgwt"]
    np.testing.assert_array_equal(test3[cols].to_numpy()[:len(test1)], test1[cols].to_numpy())
    np.testing.assert_array_equal(test3[cols].to_numpy()[len(test1):], test2[cols].to_numpy())
