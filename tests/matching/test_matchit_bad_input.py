"""Bad input to matchit: the same InvalidArgument from every engine, or R's
behaviour where R has a sensible one (unmatched units reported, not dropped)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import fixtures
from pyimpl.errors import InvalidArgument, RParityWarning
from pyimpl.matching.matchit import MatchItCompatError

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


BAD_ARGS = [
    ("not a frame", dict(data=[[1, 2]], treat="treat", covariates=COVS), "must be a pandas DataFrame"),
    ("duplicate row labels", dict(data=small().set_axis([0] * 90)), "unique row labels"),
    ("treat missing column", dict(treat="nope", covariates=COVS), "`treat` must name a column"),
    ("covariate missing column", dict(covariates=["age", "nope"]), "`covariates` must name columns"),
    ("no covariates", dict(covariates=[]), "at least one column"),
    ("treat among covariates", dict(covariates=["treat", "age"]), "must not include the treatment"),
    ("treat three values", dict(data=_with(treat=np.arange(90) % 3)), "binary variable"),
    ("one arm empty", dict(data=_with(treat=np.ones(90, int))), "binary variable"),
    ("treat with NaN", dict(data=_with(treat=np.where(np.arange(90) == 3, np.nan, np.arange(90) % 2))),
     "missing values"),
    ("covariate all missing", dict(data=_with(age=np.full(90, np.nan))), "missing or non-finite values; got them in age"),
    ("covariate infinite", dict(data=_with(educ=np.where(np.arange(90) == 1, np.inf, 10.0))),
     "missing or non-finite"),
    ("caliper negative", dict(caliper=-0.1), r"`caliper` must be a non-negative number; got caliper=-0.1"),
    ("caliper not a number", dict(caliper="wide"), "`caliper` must be a non-negative number"),
    ("ratio zero", dict(ratio=0), r"`ratio` must be a whole number >= 1; got ratio=0"),
    ("ratio fractional", dict(ratio=1.5), "`ratio` must be a whole number"),
    ("estimand ATE", dict(estimand="ATE"), "`estimand` must be one of 'ATT', 'ATC'"),
    ("bad m_order", dict(m_order="closest"), "`m_order` must be one of"),
    ("bad discard", dict(discard="all"), "`discard` must be one of"),
    ("bad link", dict(link="probit"), "`link` must be one of"),
    ("bad distance name", dict(distance="mahalanobis"), "`distance` must be 'glm' or a numeric vector"),
    ("distance wrong length", dict(distance=np.ones(5)), "one value per row"),
    ("distance not finite", dict(distance=np.where(np.arange(90) == 0, np.nan, 0.5)), "`distance` must be finite"),
    ("replace not bool", dict(replace="yes"), "`replace` must be True or False"),
    ("seed not int", dict(m_order="random", seed=1.5), "`seed` must be an integer"),
    ("exact missing column", dict(exact="nope"), "`exact` must name columns"),
    ("caliper on a two-valued distance", dict(distance=np.where(np.arange(90) % 2 == 0, 0.2, 0.7), caliper=0.1),
     "Calipers cannot be used with binary"),
    ("no stratum with both groups", dict(data=_with(g=small().treat.to_numpy()), exact="g"), "No matches were found."),
]


@pytest.mark.parametrize("eng", ENGINES)
@pytest.mark.parametrize("label,kwargs,msg", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_arguments(eng, label, kwargs, msg):
    kw = dict(data=small(), treat="treat", covariates=COVS)
    kw.update(kwargs)
    data, treat, covs = kw.pop("data"), kw.pop("treat"), kw.pop("covariates")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidArgument, match=msg):
            engine(eng)(data, treat, covs, **kw)


def test_bad_compat():
    import pyimpl

    with pytest.raises(InvalidArgument, match="`compat` must be None or '4.5.1'"):
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
    d = small()
    base = engine(eng)(d, "treat", COVS)
    for coded in (d.treat.astype(bool), d.treat.map({0: "control", 1: "treated"}), d.treat + 1):
        d2 = d.assign(treat=coded)
        m = engine(eng)(d2, "treat", COVS)
        assert (m.match_positions == base.match_positions).all()
        assert (m.weights == base.weights).all()
