"""Refusal parity of ``coxph`` and its derived functions: one table of input
both engines refuse (pyimpl's message and the refusal kind, R's refusal mapped
to the same kind; the R side marked ``r``), the inputs both accept by R's
convention (compared live), and the listed differences
(``ACCEPT_REFUSE_DIFFERENCES``, see :mod:`tests.test_refusal_table`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pyimpl
from pyimpl import CoxControl, InvalidArgument

from ..test_refusal_table import Accepts, Refuses, assert_behaves, assert_refuses

N = 12
_T = np.arange(1.0, N + 1)
_E = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1], dtype=float)
_X = pd.DataFrame({"a": [0.3, -1.2, 0.8, 2.1, -0.4, 0.0, 1.5, -0.9, 0.6, -1.7, 1.1, 0.2],
                   "g": pd.Categorical(list("abcabcabcabc"))})


def _args(**over):
    kw = {"X": _X, "time": _T, "event": _E}
    kw.update(over)
    return kw


# (name, arguments, pyimpl's message, refusal kind): refused by both engines
BAD_ARGS = [
    ("infinite covariate", _args(X=pd.DataFrame({"a": np.r_[np.inf, np.ones(N - 1)]})),
     r"`X` must be finite \(R: 'data contains an infinite predictor'\); got 'a'\[0\]=inf", "X.nonfinite"),
    ("one-level factor", _args(X=pd.DataFrame({"g": pd.Categorical(["a"] * N)})),
     r"`X` column 'g' is a factor with 1 level.*contrasts can be applied only to factors with 2 or more levels",
     "X.levels"),
    # rbridge refuses this one itself: a string has no R counterpart as covariates
    # a string is the formula form; without '~' it is no formula
    ("not a frame", _args(X="age"), r"`formula` needs '~' \(Surv\(time, status\) ~ x\); got 'age'",
     "formula.syntax"),
    ("not a frame (0-d array)", _args(X=np.float64(3.0)), r"`X` must be a DataFrame or a 2-D array; got an array "
     r"of shape \(\)", "argument.shape"),
    ("infinite time", _args(time=np.r_[np.inf, _T[1:]]), r"`time` must be finite; got time\[0\]=inf",
     "time.nonfinite"),
    ("text time", _args(time=["a"] * N), r"`time` must be numeric; got time\[0\]='a'", "time.type"),
    ("short event", _args(event=_E[:-1]),
     r"`time` and `event` must have the same length .*got len\(time\)=12, len\(event\)=11", "lengths"),
    ("strata wrong length", _args(strata=np.zeros(N - 2)), r"arguments must have equal lengths; .*len\(strata\)=10",
     "lengths"),
    ("cluster wrong length", _args(cluster=np.arange(N + 1)), r"len\(cluster\)=13", "lengths"),
    ("zero weight", _args(weights=np.r_[0.0, np.ones(N - 1)]),
     r"`weights` must be positive \(R: 'Invalid weights, must be >0'\); got weights\[0\]=0.0", "weights.nonpositive"),
    ("negative weight", _args(weights=np.r_[np.ones(N - 1), -2.0]), r"got weights\[11\]=-2.0", "weights.nonpositive"),
    ("infinite weight", _args(weights=np.r_[np.inf, np.ones(N - 1)]), r"`weights` must be finite", "weights.nonfinite"),
    ("unknown ties", _args(ties="kalbfleisch"), r"`ties` must be one of 'efron', 'breslow', 'exact'", "ties.value"),
    ("robust not bool", _args(robust="yes"), r"`robust` must be True, False or None", "robust.type"),
    ("init wrong length", _args(init=[0.1]), r"`init` must have one value per coefficient \(3: a, gb, gc\)",
     "init.length"),
    ("init overflows", _args(init=[800.0, 0, 0]), r"overflow or underflow of the exp function", "init.overflow"),
    ("exact with weights", _args(ties="exact", weights=np.r_[2.0, np.ones(N - 1)]),
     r"Case weights are not supported for the exact method", "weights.exact"),
    ("exact with robust", _args(ties="exact", robust=True), r"dfbeta residuals are not available for the exact",
     "robust.exact"),
    ("all missing", _args(time=np.full(N, np.nan)), r"no \(non-missing\) observations", "data.empty"),
    ("singular not ok", _args(X=pd.DataFrame({"a": _X.a, "b": 2 * _X.a}), singular_ok=False),
     r"X matrix deemed to be singular; variable 2 \(b\)", "X.singular"),
]

# coxph.control settings both engines refuse: (settings, pyimpl's message, kind)
BAD_CONTROL = [
    (dict(eps=0.0), r"`eps` must be > 0 \(R: 'Invalid convergence criteria'\); got eps=0.0", "control.value"),
    (dict(iter_max=-1), r"`iter_max` must be >= 0 \(R: 'Invalid value for iterations'\); got iter_max=-1",
     "control.value"),
    (dict(toler_inf=-1.0), r"`toler_inf` must be > 0 \(R: 'The inf.warn setting must be >0'\); got toler_inf=-1.0",
     "control.value"),
    (dict(timefix="yes"), r"`timefix` must be True or False; got timefix='yes'", "control.value"),
]

# derived functions: (function, call(engine, its fit), pyimpl's message, kind)
DERIVED_BAD = [
    ("cox_zph", lambda eng, fit: eng.cox_zph(fit, transform="loglog"),
     r"`transform` must be one of 'km', 'rank', 'identity', 'log'; got transform='loglog'", "transform.value"),
    ("basehaz", lambda eng, fit: eng.basehaz(fit, centered="no"),
     r"`centered` must be True or False; got centered='no'", "centered.type"),
    ("concordance", lambda eng, fit: eng.concordance("not a fit"), r"`fit` must be a CoxPH result", "fit.type"),
]

_MISSING_X = _X.assign(a=_X.a.where(_X.index != 3),
                       g=_X.g.astype(object).where(_X.index != 5, None).astype(pd.CategoricalDtype(["a", "b", "c"])))

# (name, arguments, rows R's na.omit drops): R's conventions pyimpl now follows
ACCEPTED_BY_BOTH = [
    ("string column", _args(X=pd.DataFrame({"s": list("xyzxyzxyzxyz")})), 0),  # a character covariate: a factor
    ("event coded 1/2", _args(event=_E + 1), 0),  # R's 1/2 status coding
    ("missing values", _args(X=_MISSING_X, weights=np.where(np.arange(N) == 7, np.nan, 1.0)), 3),
    ("negative times", _args(time=_T - 4.5), 0),  # right-censored data may have negative times
    ("control as coxph.control's arguments", _args(control={"eps": 1e-6, "iter.max": 3}), 0),
    ("a fractional iter_max", _args(X=_X[["a"]], control=CoxControl(iter_max=2.5)), 0),  # as.integer: 2
    ("eps below toler_chol", _args(X=_X[["a"]], control=CoxControl(eps=1e-13)), 0),  # R's warning, in the fit
]


def _call(engine, kw):
    kw = dict(kw)
    return engine.coxph(kw.pop("X"), kw.pop("time"), kw.pop("event"), **kw)


def _coxph(**over):
    return lambda eng: _call(eng, _args(**over))


_TIED = 300  # deaths at one time


def _tied_exact(eng):
    X = pd.DataFrame({"a": np.linspace(0, 1, _TIED)})
    return eng.coxph(X, np.ones(_TIED), np.ones(_TIED), ties="exact")


# (function, description, call(engine), pyimpl's behaviour, R's behaviour)
ACCEPT_REFUSE_DIFFERENCES = [
    ("coxph", "duplicated column names",
     _coxph(X=pd.DataFrame({"a": _X.a, "b": np.arange(N) % 3.0}).set_axis(["a", "a"], axis=1)),
     Refuses("X.names", r"`X` column names must be unique; got duplicates \['a'\]"),
     Accepts("the columns reach R as x1, x2")),
    ("coxph", f"ties='exact' with {_TIED} deaths at one time", _tied_exact,
     Refuses("ties.exact_size", rf"`ties`='exact' supports at most 256 deaths at one time; got {_TIED} tied deaths"),
     Accepts("R's exact likelihood runs", warning=r"Ran out of iterations and did not converge")),
]

TABLE_KINDS = {row[-1] for row in BAD_ARGS + BAD_CONTROL + DERIVED_BAD}


@pytest.mark.parametrize("name,kw,match,kind", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_pyimpl_rejects(name, kw, match, kind):
    with pytest.raises(InvalidArgument, match=match) as exc:
        _call(pyimpl, kw)
    assert exc.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("name,kw,match,kind", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_rbridge_rejects_with_the_same_kind(name, kw, match, kind):
    import rbridge

    assert_refuses("coxph", lambda: _call(rbridge, kw), kind)


@pytest.mark.parametrize("kw,match,kind", BAD_CONTROL)
def test_control_rejects(kw, match, kind):
    # CoxControl is plain data: pyimpl's coxph checks it, as coxph.control does in R
    with pytest.raises(InvalidArgument, match=match) as exc:
        pyimpl.coxph(_X[["a"]], _T, _E, control=CoxControl(**kw))
    assert exc.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw,match,kind", BAD_CONTROL)
def test_control_rejects_in_r(kw, match, kind):
    import rbridge

    assert_refuses("coxph", lambda: rbridge.coxph(_X[["a"]], _T, _E, control=CoxControl(**kw)), kind)


def test_control_warns_like_r():
    with pytest.warns(pyimpl.RParityWarning, match="For numerical accuracy, tolerance should be < eps"):
        pyimpl.coxph(_X[["a"]], _T, _E, control=CoxControl(eps=1e-13))


@pytest.mark.r
def test_control_warns_in_r():
    import rbridge
    from rparity_contract.errors import RWarning

    with pytest.warns(RWarning, match="For numerical accuracy, tolerance should be < eps"):
        fit = rbridge.coxph(_X[["a"]], _T, _E, control=CoxControl(eps=1e-13))
    assert fit.warnings == ("For numerical accuracy, tolerance should be < eps",)


@pytest.mark.parametrize("function,call,match,kind", DERIVED_BAD, ids=[d[0] for d in DERIVED_BAD])
def test_engine_functions_reject(function, call, match, kind):
    fit = pyimpl.coxph(_X[["a"]], _T, _E)
    with pytest.raises(InvalidArgument, match=match) as exc:
        call(pyimpl, fit)
    assert exc.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("function,call,match,kind", DERIVED_BAD, ids=[d[0] for d in DERIVED_BAD])
def test_engine_functions_reject_in_r(function, call, match, kind):
    import rbridge

    fit = rbridge.coxph(_X[["a"]], _T, _E)
    assert_refuses(function, lambda: call(rbridge, fit), kind)


def _probe(kw):
    def probe(eng):
        fit = _call(eng, kw)
        return {"names": tuple(fit.names), "coef": fit.coef, "se": fit.se, "var": fit.var, "loglik": fit.loglik,
                "means": fit.means, "iterations": fit.iterations, "n": fit.n, "nevent": fit.nevent,
                "n_dropped": fit.n_dropped, "warnings": tuple(fit.warnings)}
    return probe


@pytest.mark.parametrize("name,kw,dropped", ACCEPTED_BY_BOTH, ids=[a[0] for a in ACCEPTED_BY_BOTH])
def test_pyimpl_accepts_like_r(name, kw, dropped):
    fit = _call(pyimpl, kw)
    assert fit.n == N - dropped and fit.n_dropped == dropped


@pytest.mark.r
@pytest.mark.parametrize("name,kw,dropped", ACCEPTED_BY_BOTH, ids=[a[0] for a in ACCEPTED_BY_BOTH])
def test_accepted_by_both_agree(py_engine, r_engine, name, kw, dropped):
    from rparity.testing import differential

    rows = differential("coxph", _probe(kw), py_engine, r_engine)
    assert {"coef", "loglik", "n_dropped"} <= {r.quantity for r in rows}


@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[d[1] for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_pyimpl_side(function, description, call, py, r):
    """pyimpl's side of each listed difference (runs without R)."""
    assert_behaves(function, lambda: call(pyimpl), py)


@pytest.mark.r
@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[d[1] for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_still_there(function, description, call, py, r):
    """The difference between pyimpl and R is still there. When this fails, one
    side changed (pyimpl fixed to accept what R accepts, say): check that the
    engines now agree and move the row out of ACCEPT_REFUSE_DIFFERENCES."""
    import rbridge

    assert_behaves(function, lambda: call(pyimpl), py)
    assert_behaves(function, lambda: call(rbridge), r)


def test_missing_values_drop_rows_like_na_omit():
    X = _X.copy()
    X.loc[3, "a"] = np.nan
    X["g"] = X["g"].astype(object).where(X.index != 5, None).astype(pd.CategoricalDtype(["a", "b", "c"]))
    w = np.ones(N)
    w[7] = np.nan
    fit = pyimpl.coxph(X, _T, _E, weights=w)
    assert fit.n == N - 3 and fit.n_dropped == 3 and fit.na_action == (3, 5, 7)
    full = pyimpl.coxph(X.drop(index=[3, 5, 7]), np.delete(_T, [3, 5, 7]), np.delete(_E, [3, 5, 7]))
    np.testing.assert_array_equal(fit.coef, full.coef)
