"""Bad input to matchit: refusal parity with R (MatchIt 4.5.1), or R's
behaviour where R has a sensible one (unmatched units reported, not dropped).

``BAD_ARGS``: refused by both engines (pyimpl's message, and the refusal kind
R's message maps to); ``ACCEPTED_BY_BOTH``: compared live;
``ACCEPT_REFUSE_DIFFERENCES``: see :mod:`tests.test_refusal_table`."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import fixtures
from pyimpl.matching.matchit import MatchItCompatError
from rparity_contract.errors import InvalidArgument, RParityWarning

from ..test_refusal_table import Accepts, Refuses, assert_behaves, assert_refuses

COVS = ["age", "educ", "married"]


def small():
    d = fixtures.load("lalonde")
    return d.iloc[list(range(0, 30)) + list(range(185, 245))].reset_index(drop=True)


def engine(name):
    if name == "r":
        import rbridge

        return rbridge.matchit
    import pyimpl

    return pyimpl.matchit


ENGINES = ["pyimpl", pytest.param("r", marks=pytest.mark.r)]


def _with(**cols):
    d = small()
    for k, v in cols.items():
        d[k] = v
    return d


def _labels(mapping):
    return small().treat.map(mapping)


# (label, arguments, pyimpl's message, refusal kind): refused by both engines
BAD_ARGS = [
    # rbridge refuses this one itself: only a DataFrame becomes R's data.frame
    ("not a frame", dict(data=[[1, 2]], treat="treat", covariates=COVS), "must be a pandas DataFrame", "data.type"),
    ("covariate missing column", dict(covariates=["age", "nope"]), "`covariates` must name columns",
     "data.column"),
    ("treat names no column", dict(treat="nope"), r"`treat` must name a column of `data`; got treat='nope'",
     "data.column"),
    ("exact names no column", dict(exact="nope"), r"`exact` must name columns of `data`; got exact='nope'",
     "data.column"),
    ("treat three values", dict(data=_with(treat=np.arange(90) % 3)), "binary variable", "treat.binary"),
    ("one arm empty", dict(data=_with(treat=np.ones(90, int))), "binary variable", "treat.binary"),
    ("treat with NaN", dict(data=_with(treat=np.where(np.arange(90) == 3, np.nan, np.arange(90) % 2))),
     "missing values", "treat.missing"),
    # MatchIt passes the treatment to glm's binomial(), which refuses anything but 0/1 (or a factor, logical)
    ("treat character", dict(data=_with(treat=_labels({0: "control", 1: "treated"}))),
     r"`treat` must be numeric 0/1, logical or a factor.*got values \['treated', 'control'\]", "treat.values"),
    ("treat coded 1/2", dict(data=_with(treat=small().treat + 1)),
     r"`treat` must be coded 0/1 .*got values \[1, 2\]", "treat.values"),
    ("covariate all missing", dict(data=_with(age=np.full(90, np.nan))),
     "missing or non-finite values; got them in age", "covariates.missing"),
    ("covariate infinite", dict(data=_with(educ=np.where(np.arange(90) == 1, np.inf, 10.0))),
     "missing or non-finite", "covariates.missing"),
    ("caliper not a number", dict(caliper="wide"), r"`caliper` must be a number; got caliper='wide'", "caliper.value"),
    ("ratio zero", dict(ratio=0), r"`ratio` must be a whole number >= 1; got ratio=0", "ratio.value"),
    ("ratio fractional", dict(ratio=1.5), r"`ratio` must be a whole number >= 1; got ratio=1.5", "ratio.value"),
    ("estimand ATE", dict(estimand="ATE"), "`estimand` must be one of 'ATT', 'ATC'", "estimand.value"),
    ("bad m_order", dict(m_order="closest"), "`m_order` must be one of", "m_order.value"),
    ("bad discard", dict(discard="all"), "`discard` must be one of", "discard.value"),
    ("distance wrong length", dict(distance=np.ones(5)), r"one value per row of `data` \(90\); got shape \(5,\)",
     "distance.value"),
    ("distance not finite", dict(distance=np.where(np.arange(90) == 0, np.nan, 0.5)),
     r"`distance` must be finite; got distance\[0\]=(np\.float64\()?nan", "distance.value"),
    ("replace not bool", dict(replace="yes"), "`replace` must be True or False; got replace='yes'", "replace.type"),
    ("caliper on a two-valued distance", dict(distance=np.where(np.arange(90) % 2 == 0, 0.2, 0.7), caliper=0.1),
     "Calipers cannot be used with binary", "caliper.binary"),
    ("no stratum with both groups", dict(data=_with(g=small().treat.to_numpy()), exact="g"), "No matches were found.",
     "match.none"),
]

# (label, arguments): accepted by both engines, compared live
ACCEPTED_BY_BOTH = [
    ("caliper negative", dict(caliper=-0.1)),  # MatchIt uses abs(caliper)
    ("fractional seed", dict(m_order="random", seed=1.5)),  # set.seed(1.5): as.integer gives 1
    ("no covariates", dict(covariates=[])),  # MatchIt fits treat ~ 1: one propensity score for all
    ("no covariates, ratio 2 with replacement", dict(covariates=[], ratio=2, replace=True)),
    ("treat logical", dict(data=_with(treat=small().treat.astype(bool)))),
    ("treat factor", dict(data=_with(treat=_labels({0: "control", 1: "treated"}).astype("category")))),
    ("treat factor, treated level first",
     dict(data=_with(treat=pd.Categorical(_labels({0: "control", 1: "treated"}), categories=["treated", "control"])))),
]


def _kw(kwargs):
    kw = dict(data=small(), treat="treat", covariates=COVS)
    kw.update(kwargs)
    return kw


def _run(eng, kwargs):
    kw = _kw(kwargs)
    data, treat, covs = kw.pop("data"), kw.pop("treat"), kw.pop("covariates")
    return engine(eng)(data, treat, covs, **kw)


def _matchit(**kwargs):
    return lambda eng: _run(eng, kwargs)


# (function, description, call(engine name), pyimpl's behaviour, R's behaviour)
ACCEPT_REFUSE_DIFFERENCES = [
    ("matchit", "duplicated row labels", _matchit(data=small().set_axis([0] * 90)),
     Refuses("data.index", r"`data` must have unique row labels .*got (np\.int64\()?0\)? more than once"),
     Accepts("rbridge numbers the rows 1..n: an R data.frame cannot hold duplicated row names")),
    ("matchit", "the treatment among the covariates", _matchit(covariates=["treat", "age"]),
     Refuses("covariates.treat", r"`covariates` must not include the treatment column; got 'treat'"),
     Accepts("the formula's response is dropped from its right-hand side",
             warning=r"the response appeared on the right-hand side and was dropped")),
]

TABLE_KINDS = {row[-1] for row in BAD_ARGS}


@pytest.mark.parametrize("eng", ENGINES)
@pytest.mark.parametrize("label,kwargs,msg,kind", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_arguments(eng, label, kwargs, msg, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if eng == "pyimpl":
            with pytest.raises(InvalidArgument, match=msg) as exc:
                _run(eng, kwargs)
            assert exc.value.kind == kind
        else:
            assert_refuses("matchit", lambda: _run(eng, kwargs), kind)


@pytest.mark.parametrize("label,kwargs", ACCEPTED_BY_BOTH, ids=[a[0] for a in ACCEPTED_BY_BOTH])
def test_pyimpl_accepts_like_r(label, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = _run("pyimpl", kwargs)
    assert m.match_positions.shape[0] == int((m.treat == 1).sum())


@pytest.mark.parametrize("eng", ENGINES)
def test_negative_caliper_is_its_absolute_value(eng):
    """MatchIt 4.5.1 takes abs(caliper): -0.1 matches as 0.1 does."""
    neg, pos = _run(eng, dict(caliper=-0.1)), _run(eng, dict(caliper=0.1))
    assert neg.caliper == pos.caliper > 0
    assert (neg.match_positions == pos.match_positions).all()
    assert (neg.weights == pos.weights).all()


@pytest.mark.r
@pytest.mark.parametrize("label,kwargs", ACCEPTED_BY_BOTH, ids=[a[0] for a in ACCEPTED_BY_BOTH])
def test_accepted_by_both_agree(py_engine, r_engine, label, kwargs):
    from rparity.cases.matching import run_matchit
    from rparity.testing import differential

    kw = _kw(kwargs)
    data = kw.pop("data")
    rows = differential("matchit", lambda eng: run_matchit(eng, data, kw), py_engine, r_engine)
    assert {"distance", "match_matrix", "weights", "caliper"} <= {r.quantity for r in rows}


@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[d[1] for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_pyimpl_side(function, description, call, py, r):
    """pyimpl's side of each listed difference (runs without R)."""
    assert_behaves(function, lambda: call("pyimpl"), py)


@pytest.mark.r
@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[d[1] for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_still_there(function, description, call, py, r):
    """The difference between pyimpl and R is still there. When this fails, one
    side changed (pyimpl fixed to accept what MatchIt accepts, or the refusal
    table taught to tell the argument R did not find): check that the engines
    now agree and move the row out of ACCEPT_REFUSE_DIFFERENCES."""
    assert_behaves(function, lambda: call("pyimpl"), py)
    assert_behaves(function, lambda: call("r"), r)


def test_bad_compat():
    import pyimpl

    with pytest.raises(InvalidArgument, match="`compat` must be None, '4.5.1' or '3.0.2'"):
        pyimpl.matchit(small(), "treat", COVS, compat="4.6.0")


@pytest.mark.parametrize("eng", ENGINES)
def test_ratio_above_available_controls_warns_and_reports_unmatched(eng):
    d = small()  # 30 treated, 60 controls
    with pytest.warns(RParityWarning, match="Not all treated units will get 3 matches."):
        m = engine(eng)(d, "treat", COVS, ratio=3)
    mm = m.match_positions
    assert mm.shape == (30, 3)
    assert (mm[:, :2] >= 0).all() and (mm[:, 2] == -1).all()  # third round ran out of controls
    assert m.summary().nn.loc["matched", "control"] == 60


@pytest.mark.parametrize("eng", ENGINES)
def test_fewer_controls_than_treated(eng):
    d = small()
    d = d.iloc[list(range(30)) + list(range(30, 40))].reset_index(drop=True)
    with pytest.warns(RParityWarning, match="Fewer control units than treated units; not all treated units"):
        m = engine(eng)(d, "treat", COVS)
    assert (m.match_positions[:, 0] >= 0).sum() == 10
    nn = m.summary().nn
    assert nn.loc["unmatched", "treated"] == 20


@pytest.mark.parametrize("eng", ENGINES)
def test_exact_stratum_without_controls_reports_unmatched(eng):
    d = small()
    g = np.where(d.treat == 1, np.arange(90) % 2, 0)
    d["g"] = g  # stratum 1 holds only treated units
    with pytest.warns(RParityWarning, match="Fewer control units than treated units in some 'exact' strata"):
        m = engine(eng)(d, "treat", COVS, exact="g")
    unmatched = m.match_positions[:, 0] == -1
    assert unmatched.sum() == int(((d.treat == 1) & (d.g == 1)).sum())
    assert m.summary().nn.loc["unmatched", "treated"] == unmatched.sum()


def test_exact_stratum_without_treated_compat_fails_documented_matches():
    import pyimpl

    d = small()
    d["g"] = np.where(d.treat == 1, 0, np.arange(90) % 2)  # stratum 1: controls only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(MatchItCompatError, match="kosukeimai/MatchIt#151"):
            pyimpl.matchit(d, "treat", COVS, exact="g", compat="4.5.1")
        m = pyimpl.matchit(d, "treat", COVS, exact="g")
    assert (m.match_positions >= 0).all()
    assert (d.g.to_numpy()[m.match_positions[:, 0]] == 0).all()


@pytest.mark.parametrize("eng", ENGINES)
def test_constant_covariate_is_aliased_like_r(eng):
    d = _with(const=np.full(90, 3.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = engine(eng)(d, "treat", ["age", "const", "educ"])
    assert np.isnan(m.model.coef[2]) and m.model.rank == 3
    s = m.summary().all.loc["const"]
    assert s.means_treated == s.means_control == 3.0 and s.std_mean_diff == 0.0 and np.isnan(s.var_ratio)


@pytest.mark.parametrize("eng", ENGINES)
def test_treatment_coding_does_not_matter(eng):
    """A logical, float or factor treatment matches as 0/1 does (MatchIt 4.5.1;
    a character treatment or one coded 1/2 is refused: see BAD_ARGS)."""
    d = small()
    base = engine(eng)(d, "treat", COVS)
    for coded in (d.treat.astype(bool), d.treat.astype(float),
                  d.treat.map({0: "control", 1: "treated"}).astype("category")):
        d2 = d.assign(treat=coded)
        m = engine(eng)(d2, "treat", COVS)
        assert (m.match_positions == base.match_positions).all()
        assert (m.weights == base.weights).all()
