"""Bad input: one table, asserted for pyimpl and (marked ``r``) for rbridge,
which must raise the same :class:`InvalidArgument` before reaching R."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pyimpl
from pyimpl import CoxControl, InvalidArgument

N = 12
_T = np.arange(1.0, N + 1)
_E = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1], dtype=float)
_X = pd.DataFrame({"a": [0.3, -1.2, 0.8, 2.1, -0.4, 0.0, 1.5, -0.9, 0.6, -1.7, 1.1, 0.2],
                   "g": pd.Categorical(list("abcabcabcabc"))})


def _args(**over):
    kw = {"X": _X, "time": _T, "event": _E}
    kw.update(over)
    return kw


BAD_ARGS = [
    ("string column", _args(X=pd.DataFrame({"s": list("xyzxyzxyzxyz")})),
     r"`X` column 's' must be numeric, bool or categorical .*got dtype object"),
    ("infinite covariate", _args(X=pd.DataFrame({"a": np.r_[np.inf, np.ones(N - 1)]})),
     r"`X` must be finite \(R: 'data contains an infinite predictor'\); got 'a'\[0\]=inf"),
    ("one-level factor", _args(X=pd.DataFrame({"g": pd.Categorical(["a"] * N)})),
     r"contrasts can be applied only to factors with 2 or more levels"),
    ("no columns", _args(X=pd.DataFrame(index=range(N))), r"`X` must have at least one covariate column"),
    ("duplicate names", _args(X=pd.DataFrame(np.ones((N, 2)), columns=["a", "a"])), r"must be unique"),
    ("not a frame", _args(X="age"), r"`X` must be a pandas DataFrame"),
    ("negative time", _args(time=np.r_[-1.0, _T[1:]]), r"`time` must be non-negative; got time\[0\]=-1.0"),
    ("infinite time", _args(time=np.r_[np.inf, _T[1:]]), r"`time` must be finite; got time\[0\]=inf"),
    ("event coded 1/2", _args(event=_E + 1), r"`event` must be 0/1 or False/True \(1 = event\); got event\[0\]=2.0"),
    ("text time", _args(time=["a"] * N), r"`time` must be numeric; got time\[0\]='a'"),
    ("short event", _args(event=_E[:-1]), r"arguments must have equal lengths"),
    ("strata wrong length", _args(strata=np.zeros(N - 2)), r"arguments must have equal lengths; .*len\(strata\)=10"),
    ("cluster wrong length", _args(cluster=np.arange(N + 1)), r"len\(cluster\)=13"),
    ("zero weight", _args(weights=np.r_[0.0, np.ones(N - 1)]),
     r"`weights` must be positive \(R: 'Invalid weights, must be >0'\); got weights\[0\]=0.0"),
    ("negative weight", _args(weights=np.r_[np.ones(N - 1), -2.0]), r"got weights\[11\]=-2.0"),
    ("infinite weight", _args(weights=np.r_[np.inf, np.ones(N - 1)]), r"`weights` must be finite"),
    ("unknown ties", _args(ties="kalbfleisch"), r"`ties` must be one of 'efron', 'breslow', 'exact'"),
    ("robust not bool", _args(robust="yes"), r"`robust` must be True, False or None"),
    ("init wrong length", _args(init=[0.1]), r"`init` must have one value per coefficient \(3: a, gb, gc\)"),
    ("init overflows", _args(init=[800.0, 0, 0]), r"overflow or underflow of the exp function"),
    ("exact with weights", _args(ties="exact", weights=np.r_[2.0, np.ones(N - 1)]),
     r"Case weights are not supported for the exact method"),
    ("exact with robust", _args(ties="exact", robust=True), r"dfbeta residuals are not available for the exact"),
    ("all missing", _args(time=np.full(N, np.nan)), r"no \(non-missing\) observations"),
    ("bad control", _args(control={"eps": 1e-9}), r"`control` must be a CoxControl"),
    ("singular not ok", _args(X=pd.DataFrame({"a": _X.a, "b": 2 * _X.a}), singular_ok=False),
     r"X matrix deemed to be singular; variable 2 \(b\)"),
]

BAD_CONTROL = [
    (dict(eps=0.0), r"`eps` must be > 0 \(R: 'Invalid convergence criteria'\)"),
    (dict(iter_max=-1), r"`iter_max` must be >= 0"),
    (dict(iter_max=2.5), r"`iter_max` must be a whole number"),
    (dict(toler_inf=-1.0), r"`toler_inf` must be > 0"),
    (dict(timefix="yes"), r"`timefix` must be True or False"),
]


def _call(engine, kw):
    kw = dict(kw)
    return engine.coxph(kw.pop("X"), kw.pop("time"), kw.pop("event"), **kw)


@pytest.mark.parametrize("name,kw,match", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_pyimpl_rejects(name, kw, match):
    with pytest.raises(InvalidArgument, match=match):
        _call(pyimpl, kw)


@pytest.mark.r
@pytest.mark.parametrize("name,kw,match", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_rbridge_rejects_the_same_way(name, kw, match):
    import rbridge

    with pytest.raises(InvalidArgument) as py:
        _call(pyimpl, kw)
    with pytest.raises(InvalidArgument, match=match) as r:
        _call(rbridge, kw)
    assert str(r.value) == str(py.value)


@pytest.mark.parametrize("kw,match", BAD_CONTROL)
def test_control_rejects(kw, match):
    with pytest.raises(InvalidArgument, match=match):
        CoxControl(**kw)


def test_control_warns_like_r():
    with pytest.warns(pyimpl.RParityWarning, match="For numerical accuracy, tolerance should be < eps"):
        CoxControl(eps=1e-13)


def test_engine_functions_reject():
    fit = pyimpl.coxph(_X, _T, _E)
    with pytest.raises(InvalidArgument, match=r"`transform` must be one of 'km', 'rank', 'identity', 'log'"):
        pyimpl.cox_zph(fit, transform="loglog")
    with pytest.raises(InvalidArgument, match=r"`centered` must be True or False; got centered='no'"):
        pyimpl.basehaz(fit, centered="no")
    with pytest.raises(InvalidArgument, match=r"`fit` must be a CoxPH result"):
        pyimpl.concordance("not a fit")


def test_exact_refuses_huge_tie_groups():
    n = 300
    X = pd.DataFrame({"a": np.linspace(0, 1, n)})
    with pytest.raises(InvalidArgument, match=r"at most 256 deaths at one time; got 300"):
        pyimpl.coxph(X, np.ones(n), np.ones(n), ties="exact")


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
