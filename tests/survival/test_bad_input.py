"""Refusal parity of ``survfit`` and ``survdiff`` (and survfit's summary and
quantiles): what each engine does with bad-looking input.

* ``SURVFIT_BAD``, ``SURVDIFF_BAD``, ``DERIVED_BAD``: refused by both engines,
  for the same reason. pyimpl raises :class:`InvalidArgument` whose message
  names the argument and value, with the row's kind; R (live, marked ``r``)
  refuses with a message the refusal table maps to the same kind.
* ``ACCEPTED_BY_BOTH``: inputs R reads by its own convention (a missing value
  drops the row, a 1/2 status, an invalid status becomes NA with R's warning),
  and pyimpl reads the same way; both answer and the answers agree.
* ``ACCEPT_REFUSE_DIFFERENCES``: one engine accepts what the other refuses.
  See :mod:`tests.test_refusal_table`.
"""
import numpy as np
import pytest

import pyimpl
import rbridge
from rparity_contract.errors import InvalidArgument

from ..test_refusal_table import Accepts, Refuses, assert_behaves, assert_refuses

T = [1.0, 2.0, 3.0, 4.0]
E = [1, 0, 1, 1]
G = ["a", "a", "b", "b"]

ENGINES = [pytest.param(pyimpl, id="pyimpl"), pytest.param(rbridge, id="r", marks=pytest.mark.r)]

# (kwargs, pyimpl's message, refusal kind)
SURVFIT_BAD = [
    (dict(time=T, event=["yes", "no", "no", "no"]), r"`event` must be numeric; got event\[0\]='yes'", "event.type"),
    (dict(time=T, event=[1, 0, 1]), r"must have the same length.*len\(time\)=4, len\(event\)=3", "lengths"),
    # pyimpl prints the value as np.float64(-1.0) (a numpy scalar's repr); either spelling names it
    (dict(time=T, event=E, weights=[1, -1, 1, 1]),
     r"`weights` must be non-negative.*weights\[1\]=(np\.float64\()?-1\.0", "weights.negative"),
    (dict(time=T, event=E, weights=[1, 1, 1]),
     r"`weights` must have one value per row; got len\(weights\)=3, expected 4", "lengths"),
    (dict(time=T, event=E, conf_type="loglog"), r"`conf_type` must be one of .*got conf_type='loglog'",
     "conf_type.value"),
    (dict(time=T, event=E, conf_lower="wide"), r"`conf_lower` must be one of .*got conf_lower='wide'",
     "conf_lower.value"),
    (dict(time=[], event=[]), r"no \(non-missing\) observations", "data.empty"),
]

SURVDIFF_BAD = [
    (dict(time=[1.0, np.inf, 3.0, 4.0], event=E, group=G), r"`time` must be finite; got time\[1\]=inf",
     "time.nonfinite"),  # survfit keeps an infinite time; survdiff's C code refuses it
    (dict(time=T, event=E, group=["a", "a", "a", "a"]), r"`group` must have at least 2 distinct values.*\['a'\]",
     "group.levels"),
    (dict(time=T, event=E, group=G[:3]), r"`group` must have one value per row; got len\(group\)=3, expected 4",
     "lengths"),
    (dict(time=T, event=E, group=G, strata=[1, 1, 2]),
     r"`strata` must have one value per row; got len\(strata\)=3, expected 4", "lengths"),
    (dict(time=T, event=E, group=G, rho=float("nan")), r"`rho` must be a finite number; got rho=nan", "rho.value"),
    (dict(time=T, event=E, group=G, rho="one"), r"`rho` must be a finite number; got rho='one'", "rho.value"),
]

# (function, call(engine), pyimpl's message, kind): survfit's derived functions
DERIVED_BAD = [
    ("survfit_summary", lambda eng: eng.survfit_summary(eng.survfit(T, E), [10.0]),
     r"`times` selects no points: every requested time is after the last follow-up.*extend=True", "times.none"),
    ("survfit_quantile", lambda eng: eng.survfit_quantile(eng.survfit(T, E), [1.5]),
     r"`probs` must be probabilities in \[0, 1\]; got probs=\[1\.5\]", "probs.value"),
]

T5, E5 = [2.0, 3.0, 3.0, 5.0, 8.0], [1, 1, 0, 1, 0]

# (function, kwargs, what both engines make of it: rows kept, R's warning or None)
ACCEPTED_BY_BOTH = [
    ("survfit", dict(time=[1.0, np.nan, 3.0, 4.0], event=E), 3, None),  # missing time: row dropped
    ("survfit", dict(time=T, event=[1, 2, 0, 1]), 3, "Invalid status value, converted to NA"),  # 1/2 coding: 0 -> NA
    ("survfit", dict(time=T, event=[1, 0.5, 0, 1]), 3, "Invalid status value, converted to NA"),
    ("survfit", dict(time=[1.0, 2.0], event=[1, 5]), 1, "Invalid status value, converted to NA"),
    ("survfit", dict(time=T, event=E, weights=[1, np.nan, 1, 1]), 3, None),  # missing weight: row dropped
    ("survdiff", dict(time=T, event=E, group=["a", None, "b", "b"]), 3, None),  # missing group: row dropped
    ("survdiff", dict(time=T, event=E, group=[1.0, np.nan, 2.0, 2.0]), 3, None),
    ("survdiff", dict(time=T, event=[0, 1, 3, 1], group=G), 3, "Invalid status value, converted to NA"),
    # survfitKM's conf.int: any number goes to qnorm(1 - (1 - conf.int)/2) (NaN
    # limits beyond 1, with qnorm's warning); a logical is 0.95, FALSE turns the intervals off
    ("survfit", dict(time=T5, event=E5, conf_int=1.5), 5, "NaNs produced"),
    ("survfit", dict(time=T5, event=E5, conf_int=1.0), 5, None),
    ("survfit", dict(time=T5, event=E5, conf_int=-0.5), 5, None),
    ("survfit", dict(time=T5, event=E5, conf_int=True), 5, None),
    ("survfit", dict(time=T5, event=E5, conf_int=False), 5, None),
    ("survfit", dict(time=T5, event=E5, conf_int=0.8, conf_type="log-log"), 5, None),
    # an infinite time is a time point of the curve
    ("survfit", dict(time=[1.0, np.inf, 3.0, 4.0], event=E), 4, None),
    ("survfit", dict(time=[1.0, np.inf, 3.0, np.inf, -np.inf], event=[1, 0, 1, 1, 1]), 5, None),
    # right-censored data may have negative times (only their order matters)
    ("survfit", dict(time=[1.0, -2.0, 3.0, 4.0, -1.0, 2.5], event=[1, 1, 0, 1, 0, 1]), 6, None),
    ("survdiff", dict(time=[1.0, -1, 2, 3, -4, 0.5], event=[1, 1, 0, 1, 1, 1], group=[1, 1, 1, 2, 2, 2]), 6, None),
]


def _survfit(kwargs):
    def call(eng):
        kw = dict(kwargs)
        return eng.survfit(kw.pop("time"), kw.pop("event"), **kw)
    return call


def _survdiff(kwargs):
    def call(eng):
        kw = dict(kwargs)
        return eng.survdiff(kw.pop("time"), kw.pop("event"), kw.pop("group"), **kw)
    return call


# (function, description, call(engine), pyimpl's behaviour, R's behaviour)
ACCEPT_REFUSE_DIFFERENCES = [
    ("survfit", "a 2-D time (2 x 2) with 4 events", _survfit(dict(time=[[1, 2], [3, 4]], event=E)),
     Refuses("argument.shape", r"`time` must be 1-D; got an array of shape \(2, 2\)"),
     Accepts("Surv() of a matrix", warning=r"number of rows of result is not a multiple of vector length")),
]

TABLE_KINDS = {k for *_, k in SURVFIT_BAD + SURVDIFF_BAD + DERIVED_BAD}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kwargs,match,kind", SURVFIT_BAD)
def test_survfit_bad_args(engine, kwargs, match, kind):
    if engine is pyimpl:
        with pytest.raises(InvalidArgument, match=match) as exc:
            _survfit(kwargs)(pyimpl)
        assert exc.value.kind == kind
    else:
        assert_refuses("survfit", lambda: _survfit(kwargs)(rbridge), kind)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kwargs,match,kind", SURVDIFF_BAD)
def test_survdiff_bad_args(engine, kwargs, match, kind):
    if engine is pyimpl:
        with pytest.raises(InvalidArgument, match=match) as exc:
            _survdiff(kwargs)(pyimpl)
        assert exc.value.kind == kind
    else:
        assert_refuses("survdiff", lambda: _survdiff(kwargs)(rbridge), kind)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("function,call,match,kind", DERIVED_BAD, ids=[d[0] for d in DERIVED_BAD])
def test_derived_bad_args(engine, function, call, match, kind):
    if engine is pyimpl:
        with pytest.raises(InvalidArgument, match=match) as exc:
            call(pyimpl)
        assert exc.value.kind == kind
    else:
        assert_refuses(function, lambda: call(rbridge), kind)


def _accepted_call(function, kwargs):
    return _survfit(kwargs) if function == "survfit" else _survdiff(kwargs)


@pytest.mark.parametrize("function,kwargs,rows,warning", ACCEPTED_BY_BOTH)
def test_pyimpl_reads_like_r(function, kwargs, rows, warning):
    """pyimpl's side of the accepted rows, without R: rows with a missing value
    are dropped and an invalid status becomes NA, with R's warning."""
    if warning:
        with pytest.warns(pyimpl.RParityWarning, match=warning):
            res = _accepted_call(function, kwargs)(pyimpl)
    else:
        res = _accepted_call(function, kwargs)(pyimpl)
    assert (res.n if function == "survfit" else int(np.sum(res.n))) == rows
    assert res.warnings == ((warning,) if warning else ())


@pytest.mark.r
@pytest.mark.parametrize("function,kwargs,rows,warning", ACCEPTED_BY_BOTH)
def test_accepted_by_both_agree(py_engine, r_engine, function, kwargs, rows, warning):
    from rparity.testing import differential

    call = _accepted_call(function, kwargs)

    def probe(eng):
        res = call(eng)
        out = {**res.quantities(), "warnings": tuple(res.warnings)}
        if function == "survdiff":
            out["groups"] = tuple(str(g) for g in res.groups)
        return out

    rows_compared = differential(function, probe, py_engine, r_engine)
    assert {"n", "warnings"} <= {r.quantity for r in rows_compared}


@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[f"{d[0]}-{d[1]}" for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_pyimpl_side(function, description, call, py, r):
    """pyimpl's side of each listed difference (runs without R)."""
    assert_behaves(function, lambda: call(pyimpl), py)


@pytest.mark.r
@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[f"{d[0]}-{d[1]}" for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_still_there(function, description, call, py, r):
    """The difference between pyimpl and R is still there. When this fails, one
    side changed (pyimpl fixed to read the input as R does, say): check that the
    engines now agree and move the row out of ACCEPT_REFUSE_DIFFERENCES (into
    ACCEPTED_BY_BOTH or the refused-by-both table)."""
    assert_behaves(function, lambda: call(pyimpl), py)
    assert_behaves(function, lambda: call(rbridge), r)


def test_invalid_argument_is_a_value_error():
    # ([1, 2], [1, 5]) used to be refused; R reads the 5 as an invalid status
    # (NA, with a warning), and so does pyimpl now: a refused input instead
    with pytest.raises(ValueError):
        pyimpl.survfit([1, 2], ["yes", "no"])


def test_summary_beyond_follow_up_needs_extend():
    fit = pyimpl.survfit(T, E)
    with pytest.raises(InvalidArgument, match="extend=True") as exc:
        fit.summary([10.0])
    assert exc.value.kind == "times.none"
    assert fit.summary([10.0], extend=True)["n_risk"].tolist() == [0.0]


def test_quantile_probs_must_be_probabilities():
    with pytest.raises(InvalidArgument, match="`probs` must be probabilities") as exc:
        pyimpl.survfit(T, E).quantile([1.5])
    assert exc.value.kind == "probs.value"


def test_event_none_is_r_one_argument_surv():
    """``event=None`` is R's ``Surv(time)``: every row an event (the same
    estimate as an all-ones status, missing times still dropped)."""
    t = np.array([3.0, 1.0, np.nan, 2.0, 2.0, 5.0])
    ones = np.ones(t.size)
    a, b = pyimpl.survfit(t, None), pyimpl.survfit(t, ones)
    np.testing.assert_array_equal(a.surv, b.surv)
    assert a.n == 5 and a.n_event.sum() == 5
    g = np.array([0, 1, 0, 1, 0, 1])
    assert pyimpl.survdiff(t, None, g).chisq == pyimpl.survdiff(t, ones, g).chisq
