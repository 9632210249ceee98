"""``tmerge`` (survival's time-dependent data builder): the values survival's
own tests assert by hand (tests/tmerge.R, tmerge2.R, tmerge3.R), the
metamorphic properties a correct merge keeps, R's refusals, and generated
visits against live R."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fixtures
from fixtures.strategies import tmerge_visits
from rparity.cases.tmerge import tmerge_quantities
from rparity.refusals import refusal_kind
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import Tmerge
from rparity_contract.tmerge import cumevent, cumtdc, event, tdc

NA = np.nan
DATA1 = pd.DataFrame({"idd": [1.0, 5, 4, 3, 2, 6], "x1": range(1, 7), "age": range(50, 56)})
DATA2 = pd.DataFrame({"idd": [2.0, 5, 1, 2, 1], "x2": [5, 4, 3, 2, 1], "age": range(48, 43, -1)})


def _q(t: Tmerge) -> dict:
    return tmerge_quantities(t.data, t.tcount, t.tcount_terms, (t.idname, t.tstartname, t.tstopname), t.events,
                             t.censors, t.tdcvars, t.column_classes)


# ---- tests/tmerge.R: the values its author worked out ------------------------------------------
def _test2(eng):
    test1 = eng.tmerge(DATA1, DATA1, "idd", death=event("age"))
    return eng.tmerge(test1, DATA2, "idd", zed=tdc("age", "x2"))


def test_a_tdc_splits_follow_up_and_carries_its_value_forward(py_engine):
    d = _test2(py_engine).data
    np.testing.assert_array_equal(d["idd"], [1, 1, 1, 5, 5, 4, 3, 2, 2, 2, 6])
    np.testing.assert_array_equal(d["tstop"], [44, 46, 50, 47, 51, 52, 53, 45, 48, 54, 55])
    np.testing.assert_array_equal(d["death"], [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1])
    np.testing.assert_array_equal(d["zed"], [NA, 1, 3, NA, 4, NA, NA, NA, 2, 5, NA])


def test_cumulative_terms_sum_their_values(py_engine):
    data3 = pd.DataFrame({"idd": [5.0, 5, 1, 1, 6, 4, 3, 2], "age": [45.0, 50, 44, 48, 53, -5, 0, 20],
                          "x": [1.0, 5, 2, 3, 7, 4, 6, 8]})
    t = py_engine.tmerge(_test2(py_engine), data3, "idd", x=cumtdc("age", "x"), esum=cumevent("age"))
    np.testing.assert_array_equal(t.data["x"], [NA, 2, 2, 5, NA, 1, 1, 6, 4, 6, NA, 8, 8, 8, NA, 7])
    np.testing.assert_array_equal(t.data["esum"], [1, 0, 2, 0, 1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0])
    # the first call's term, the second's, then these two: each time placed on the intervals
    np.testing.assert_array_equal(t.tcount[:, :4], [[0, 0, 0, 0], [0, 0, 0, 5], [1, 0, 0, 5], [1, 0, 0, 0]])
    assert t.tcount_terms == ("death", "zed", "x", "esum") and t.events == ("death", "esum")


def test_rows_of_data2_before_the_start_and_doubled_up(py_engine):
    """tmerge.R's surfeit: times before the start (the last one is the initial
    value), two at one time (the last wins), an id not in data1 (missid)."""
    data3 = pd.DataFrame({"idd": [2.0, 5, 1, 2, 1, 2, 2, 1, 1, 7, 3, 3],
                          "x2": [5.0, 4, 3, 2, 1, 10, 9, 8, 7, 6, 5, 4],
                          "age": [48.0, 47, 46, 45, 44, -4, -3, -1, -2, 35, 62, 61]})
    test1 = py_engine.tmerge(DATA1, DATA1, "idd", death=event("age"))
    t = py_engine.tmerge(test1, data3, "idd", xx=tdc("age", "x2"), cx=cumtdc("age", "x2", 2))
    np.testing.assert_array_equal(t.data["xx"], [8, 1, 3, NA, 4, NA, NA, 9, 2, 5, NA])
    np.testing.assert_array_equal(t.data["cx"], [17, 18, 21, 2, 6, 2, 2, 21, 23, 28, 2])
    assert t.tcount[1, 8] == 1  # the row of id 7


def test_unsorted_data2_gives_the_sorted_result(py_engine):
    """tmerge2.R: a 0/1 tdc that did not reset when data2 was not sorted."""
    base = pd.DataFrame({"idd": range(1, 6), "futime": [20.0, 30, 40, 30, 20], "status": [0.0, 1, 0, 1, 0]})
    tests = pd.DataFrame({"idd": [2.0, 3, 3, 3, 4, 4, 5], "date": [25.0, -1, 15, 23, 17, 19, 14],
                          "onoff": [1.0, 1, 0, 1, 1, 0, 1]})
    m = py_engine.tmerge(base, base, "idd", death=event("futime", "status"))
    for order in ([6, 1, 5, 2, 3, 0, 4], list(range(7))):
        t = py_engine.tmerge(m, tests.iloc[order], "idd", ondrug=tdc("date", "onoff"))
        np.testing.assert_array_equal(t.data["ondrug"], [NA, NA, 1, 1, 0, 1, NA, 1, 0, NA, 1])


def test_factor_text_and_logical_values_keep_their_class(py_engine):
    base = pd.DataFrame({"idd": [1, 2], "futime": [10.0, 10.0]})
    tests = pd.DataFrame({"idd": [1, 1, 2], "t": [2.0, 5.0, 4.0], "ff": pd.Categorical(["d", "e", "e"]),
                          "ch": ["d", "e", "e"], "lg": [True, False, True]})
    m = py_engine.tmerge(base, base, "idd", tstop="futime")
    t = py_engine.tmerge(m, tests, "idd", fg=tdc("t", "ff"), cg=tdc("t", "ch"), options={"tdcstart": "new"})
    assert list(t.data["fg"].cat.categories) == ["d", "e", "new"]  # the default becomes a level
    assert list(t.data["fg"].astype(str)) == ["new", "d", "e", "new", "e"]
    assert list(t.data["cg"]) == ["new", "d", "e", "new", "e"]
    t2 = py_engine.tmerge(t, tests, "idd", l1=tdc("t", "lg"), l2=event("t", "lg"))
    assert list(t2.data["l2"]) == [True, False, False, True, False] and t2.censors[-1] is False


def test_tied_times_the_last_value_wins_missing_ones_are_dropped(py_engine):
    """tmerge3.R: ties in data2; a missing value is ignored (na.rm)."""
    base = pd.DataFrame({"id": [1, 2], "tstart": [0.0, 0], "tstop": [10.0, 10], "got_flu": [0.0, 0]})
    base = py_engine.tmerge(base, base, "id", got_flu=event("tstop", "got_flu"))
    tied = pd.DataFrame({"id": [1.0, 1, 1, 2, 2, 2], "time": [3.0, 4, 4, 3, 5, 5], "x": [1, NA, 0, 2, 3, 4]})
    t = py_engine.tmerge(base, tied, "id", x1=tdc("time", "x"), x2=cumtdc("time", "x"), x3=event("time", "x"),
                         x4=cumevent("time", "x"))
    np.testing.assert_array_equal(t.data["x1"], [NA, 1, 0, NA, 2, 4])
    np.testing.assert_array_equal(t.data["x2"], [NA, 1, 1, NA, 2, 9])
    np.testing.assert_array_equal(t.data["x3"], [1, 0, 0, 2, 4, 0])
    np.testing.assert_array_equal(t.data["x4"], [1, 0, 0, 2, 9, 0])


def test_one_name_several_times_is_one_covariate(py_engine):
    """tmerge3.R's wide data: x = tdc(t1, x1), x = tdc(t2, x2), x = tdc(t3, x3)."""
    td = pd.DataFrame({"id": [1, 2, 3], "age": [40.0, 44, 38], "dtime": [700.0, 600, 500],
                       "t1": [111.0, 211, 311], "x1": [4, 5, 6], "t2": [120, 240, 400.3], "x2": [9.0, 8, 7],
                       "t3": [400.0, 500, 450], "x3": [12.0, 2, 0]})
    w = py_engine.tmerge(td[["id", "age"]], td, "id", [("death", event("dtime")), ("x", tdc("t1", "x1")),
                                                        ("x", tdc("t2", "x2")), ("x", tdc("t3", "x3"))])
    np.testing.assert_array_equal(w.data["tstart"], [0, 111, 120, 400, 0, 211, 240, 500, 0, 311, 400.3, 450])
    np.testing.assert_array_equal(w.data["x"], [NA, 4, 9, 12, NA, 5, 8, 2, NA, 6, 7, 0])
    assert w.tcount_terms == ("death", "x", "x", "x") and w.tdcvars == ("x",)


def test_cgd_chain_counts(py_engine):
    """tmerge2.R: seven infection calls then a count; 203 rows, 76 infections,
    no time early, late or in a gap."""
    cgd0 = fixtures.load("cgd0")
    n = py_engine.tmerge(cgd0.iloc[:, :13], cgd0, "id", tstop="futime")
    for k in range(1, 8):
        n = py_engine.tmerge(n, cgd0, "id", infect=event(f"etime{k}"))
    n = py_engine.tmerge(n, n.data, "id", enum=cumtdc("tstart"))
    assert n.data.shape == (203, 17) and int(n.data["infect"].sum()) == 76
    assert not n.tcount[:, :3].any()
    within_or_trailing = [((cgd0[f"etime{k}"] < cgd0["futime"]).sum(), (cgd0[f"etime{k}"] >= cgd0["futime"]).sum())
                          for k in range(1, 8)]
    np.testing.assert_array_equal(n.tcount[:7][:, [3, 6]], within_or_trailing)  # tstop= adds no row


# ---- metamorphic ----------------------------------------------------------------------------------
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cutting_follow_up_at_visits_leaves_the_cox_fit_unchanged(py_engine, ties):
    """A tdc that never changes cuts follow-up without changing the partial likelihood."""
    pbc = fixtures.load("pbc")
    base = pbc[["id", "time", "status", "age", "bili"]].assign(dead=lambda d: (d["status"] == 2).astype(int))
    whole = py_engine.coxph("Surv(time, dead) ~ age + log(bili)", data=base, ties=ties)
    t = py_engine.tmerge(base, base, "id", death=event("time", "dead"))
    t = py_engine.tmerge(t, fixtures.load("pbcseq"), "id", seen=tdc("day"))
    assert len(t.data) > len(base)
    fit = py_engine.coxph("Surv(tstart, tstop, death) ~ age + log(bili)", data=t.data, ties=ties)
    np.testing.assert_allclose(fit.coef, whole.coef, rtol=1e-10)
    np.testing.assert_allclose(fit.loglik, whole.loglik, rtol=1e-12)


def test_a_span_alone_is_data1_with_its_interval(py_engine):
    t = py_engine.tmerge(DATA1, DATA1, "idd", tstop="age")
    pd.testing.assert_frame_equal(t.data[["idd", "x1", "age"]], DATA1)
    np.testing.assert_array_equal(t.data["tstart"], 0)
    assert not t.tcount.size and t.events == () and t.tdcvars == ()


def test_init_is_the_tdcstart_option(py_engine):
    m = py_engine.tmerge(DATA1, DATA1, "idd", death=event("age"))
    a = py_engine.tmerge(m, DATA2, "idd", z=tdc("age", "x2", 0.5))
    b = py_engine.tmerge(m, DATA2, "idd", z=tdc("age", "x2"), options={"tdcstart": 0.5})
    pd.testing.assert_frame_equal(a.data, b.data)


# ---- refusals ------------------------------------------------------------------------------------
def _first(eng, **kw):
    return eng.tmerge(DATA1, DATA1, "idd", **kw)


def _second(eng, data2=DATA2, **kw):
    return eng.tmerge(eng.tmerge(DATA1, DATA1, "idd", death=event("age")), data2, "idd", **kw)


BAD = [
    (lambda e: e.tmerge(DATA1, DATA1, "nope", death=event("age")), "data.column"),
    (lambda e: e.tmerge(pd.concat([DATA1, DATA1]), DATA1, "idd", death=event("age")), "tmerge.id"),
    (lambda e: e.tmerge(DATA1, DATA2, "idd", tstop="age"), "tmerge.id"),
    (lambda e: e.tmerge(DATA1, DATA1.assign(idd=[1.0, 5, NA, 3, 2, 6]), "idd", tstop="age"), "tmerge.id"),
    (lambda e: _first(e, z=tdc("age")), "tmerge.arguments"),
    (lambda e: _first(e, tstart="age", tstop="x1"), "tmerge.span"),
    (lambda e: _first(e, tstop="x1", options={"tstartname": 3}), "tmerge.options"),
    (lambda e: _first(e, tstop="age", options={"delay": -1}), "tmerge.options"),
    (lambda e: _first(e, tstop="age", options={"colour": "red"}), "tmerge.options"),
    (lambda e: e.tmerge(DATA1, DATA1.assign(age=-DATA1["age"]), "idd", tstop="age"), "tmerge.span"),
    (lambda e: _second(e, tstop="age"), "tmerge.arguments"),
    (lambda e: _second(e, z=tdc("nope")), "data.column"),
    (lambda e: _second(e, death=tdc("age")), "tmerge.term"),
    (lambda e: _second(e, z=cumtdc("age", DATA2["x2"].astype(str))), "tmerge.term"),
    (lambda e: _second(e, z=cumtdc("age", "x2", "a")), "tmerge.term"),
    (lambda e: _second(e, death=event("age", DATA2["x2"] + 0.5)), "tmerge.term"),
    (lambda e: _second(e, z=tdc("age", [1.0, 2.0])), "tmerge.term"),
    (lambda e: _second(e, z=tdc("age"), options={"tstopname": "end"}), "tmerge.modified"),
    (lambda e: _second(e, z=event(pd.Series(pd.to_datetime(["2020-01-01"] * 5)))), "time.type"),
]


@pytest.mark.parametrize("call, kind", BAD)
def test_bad_arguments_are_refused_naming_them(py_engine, call, kind):
    with pytest.raises(InvalidArgument) as err:
        call(py_engine)
    assert err.value.kind == kind
    assert "R:" in str(err.value) or "R's" in str(err.value) or "R fails" in str(err.value)


@pytest.mark.r
@pytest.mark.parametrize("call, kind", BAD)
def test_r_refuses_them_for_the_same_reason(r_engine, call, kind):
    with pytest.raises(Exception) as err:
        call(r_engine)
    assert refusal_kind(err.value, "tmerge") == kind


@pytest.mark.r
def test_a_result_of_either_engine_continues_in_the_other(py_engine, r_engine):
    """A Tmerge goes back to R as R's tmerge object (tm.retain, tcount)."""
    first_r = r_engine.tmerge(DATA1, DATA1, "idd", death=event("age"))
    first_py = py_engine.tmerge(DATA1, DATA1, "idd", death=event("age"))
    a = py_engine.tmerge(first_r, DATA2, "idd", zed=tdc("age", "x2"))
    b = r_engine.tmerge(first_py, DATA2, "idd", zed=tdc("age", "x2"))
    differential("tmerge", lambda eng: _q(a if eng is py_engine else b), py_engine, r_engine)


# ---- generated visits against live R --------------------------------------------------------------
_TERMS = st.lists(st.sampled_from([("v", tdc("day", "value")), ("c", cumtdc("day", "value")),
                                   ("e", event("day")), ("ce", cumevent("day", "flag")), ("seen", tdc("day")),
                                   ("n", cumtdc("day")), ("f", event("day", "flag"))]),
                  min_size=1, max_size=4)


@pytest.mark.r
@given(data=tmerge_visits(), terms=_TERMS, delay=st.sampled_from([0.0, 2.0]), na_rm=st.booleans(),
       tdcstart=st.sampled_from([NA, 0.0]), span=st.sampled_from(["event", "tstop"]))
def test_generated_visits_match_r(py_engine, r_engine, data, terms, delay, na_rm, tdcstart, span):
    base, visits = data

    def probe(eng):
        first = eng.tmerge(base, base, "id", death=event("futime", "status")) if span == "event" else \
            eng.tmerge(base, base, "id", tstop="futime")
        out = eng.tmerge(first, visits, "id", terms, options={"delay": delay, "na_rm": na_rm, "tdcstart": tdcstart})
        return {**_q(out), "warnings": tuple(out.warnings)}

    differential("tmerge", probe, py_engine, r_engine)


# ---- shrunk counterexamples of the differential fuzzing against R, kept as regression cases ---------------
_ONE = pd.DataFrame({"id": [1], "fu": [1.0], "st": [0]})
_VISIT = pd.DataFrame({"id": [1], "t": [1.0], "v": [NA], "f": ["lo"], "k": [0]}).astype({"f": object})


def _regression(eng, case: str):
    first = eng.tmerge(_ONE, _ONE, "id", death=event("fu", "st"))
    if case == "na-text-column-then-again":  # a text tdc with no value yet is character NA, not numeric
        out = eng.tmerge(first, _VISIT, "id", x=tdc("t", "v"), options={"na_rm": False})
        return eng.tmerge(out, _VISIT, "id", [("cx", tdc("t", "f")), ("cx", tdc("t", "f"))])
    if case == "tdcstart-text-coerced":  # as.numeric("z"): NA and R's warning
        return eng.tmerge(first, _VISIT, "id", x=tdc("t", "v"), options={"na_rm": False, "tdcstart": "z"})
    if case == "cumevent-twice":  # the second cumevent's increments are a 1-d array: R's type check fails
        return eng.tmerge(first, _VISIT.assign(t=0.0), "id", [("ce", cumevent("t")), ("ce", cumevent("t"))],
                          options={"na_rm": False})
    # delayed times are doubles: a split makes integer tstart/tstop double
    base = pd.DataFrame({"id": [1], "fu": [10]})
    m = eng.tmerge(base, base, "id", tstop="fu")
    return eng.tmerge(m, pd.DataFrame({"id": [1, 1], "t": [0, 3], "v": [1.0, 2.0]}), "id", x=tdc("t", "v"),
                      options={"delay": 2.0})


_REGRESSIONS = ["na-text-column-then-again", "tdcstart-text-coerced", "cumevent-twice", "delay-makes-times-double"]


def test_regressions_in_pyimpl():
    out = _regression(pyimpl_engine(), "delay-makes-times-double")
    assert out.column_classes[out.data.columns.get_loc("tstop")] == "numeric"
    with pytest.warns(Warning, match="NAs introduced by coercion"):
        _regression(pyimpl_engine(), "tdcstart-text-coerced")
    with pytest.raises(InvalidArgument) as err:
        _regression(pyimpl_engine(), "cumevent-twice")
    assert err.value.kind == "tmerge.term"
    out = _regression(pyimpl_engine(), "na-text-column-then-again")
    assert out.column_classes[-1] == "character"


def pyimpl_engine():
    import pyimpl

    return pyimpl


@pytest.mark.r
@pytest.mark.parametrize("case", _REGRESSIONS)
def test_regressions_match_r(py_engine, r_engine, case):
    def probe(eng):
        import warnings as w

        with w.catch_warnings():
            w.simplefilter("ignore")
            out = _regression(eng, case)
        return {**_q(out), "warnings": tuple(out.warnings)}

    differential("tmerge", probe, py_engine, r_engine)
