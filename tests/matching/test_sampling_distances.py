"""``s_weights`` (MatchIt's ``s.weights``) in the covariate distances:
``mahvars``, ``distance = "mahalanobis"``, ``"scaled_euclidean"`` and
``"euclidean"`` (MatchIt 4.5.1 ``transform_covariates(s.weights =)``:
``pooled_cov(X, t, w)`` = ``cov.wt`` of the groups centred on their weighted
means, ``pooled_sd(X, t, w)``). Hand values, an independent reference, R's
values, the golden cases under seeded faults, live R bit for bit and a
differential test against R on random weights."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.design import read_terms
from pyimpl.matching import distances
from pyimpl.matching.distances import distance_matrix_terms, transform_covariates
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument

from .helpers import quiet
from .test_sampling import _assert_same, _both

COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
NUM_COVS = ["age", "educ", "married", "nodegree", "re74", "re75"]


def _lalonde() -> pd.DataFrame:
    d = fixtures.load("lalonde").copy()
    i = np.arange(len(d))
    d["sw"] = 0.5 + ((i * 7919) % 101) / 67.0  # the cases' sw_pattern
    return d


def _transform(d, variables, method, sw, discarded=None, treat=None):
    x = distance_matrix_terms(read_terms(d, variables), len(d))
    t = d["treat"].to_numpy() if treat is None else treat
    disc = np.zeros(len(d), bool) if discarded is None else discarded
    return transform_covariates(x, method, t, disc, None if sw is None else np.asarray(sw, dtype=float))


# -- R's values, printed by R with 17 significant digits -----------------------------------------
def test_weighted_mahalanobis_transform_is_rs_to_the_last_bit():
    # MatchIt:::transform_covariates(~age + educ + re74, lalonde, "mahalanobis", s.weights = sw,
    #                                treat = lalonde$treat)[1, ]
    d = _lalonde()
    z = _transform(d, ["age", "educ", "re74"], "mahalanobis", d["sw"])
    assert z[0].tolist() == [float("-1.2158182629816325"), float("0.40304530305074404"),
                             float("0.97948894055339464")]


def test_weighted_pooled_cov_is_rs_to_the_last_bit():
    # MatchIt:::pooled_cov(scale(model.matrix(~age + educ + re74 - 1, lalonde)), lalonde$treat, sw)
    d = _lalonde()
    x = distances._scale(distance_matrix_terms(read_terms(d, ["age", "educ", "re74"]), len(d)))
    v = distances._pooled_cov_weighted(x, d["treat"].to_numpy(), d["sw"].to_numpy())
    r = [0.99140035707570284, -0.11852710654406369, 0.31923335502920286, -0.11852710654406369,
         0.97379662093130437, 0.14799981724406386, 0.31923335502920286, 0.14799981724406386, 0.94882664698833596]
    assert v.ravel(order="F").tolist() == r


def test_weighted_scaled_euclidean_is_rs_to_the_last_bit():
    # married is 0/1 (pooled_sd's binary formula); race's levels are 0 or 1/sqrt(2) (the other one)
    d = _lalonde()
    z = _transform(d, ["age", "married", "race"], "scaled_euclidean", d["sw"])
    assert z[0].tolist() == [float("3.7606945667554537"), float("2.1361759375724088"),
                             float("2.5193901848230151"), 0.0, 0.0]


# -- an independent reference ---------------------------------------------------------------------
def _ref_pooled_cov(x, t, w):
    xc = x.copy()
    for g in np.unique(t):
        xc[t == g] -= np.average(x[t == g], axis=0, weights=w[t == g])
    return np.cov(xc, rowvar=False, aweights=w)  # ddof 1 with aweights: / (1 - sum(wt^2)), as cov.wt


def _ref_pooled_sd(x, t, w):
    out = []
    for j in range(x.shape[1]):
        c = x[:, j]
        if np.all((c == 0) | (c == 1)):  # sum over groups of p_g (1 - p_g) W_g / W
            out.append(sum(np.average(c[t == g], weights=w[t == g]) * (1 - np.average(c[t == g], weights=w[t == g]))
                           * w[t == g].sum() for g in np.unique(t)) / w.sum())
        else:
            dev = c.copy()
            for g in np.unique(t):
                dev[t == g] -= np.average(c[t == g], weights=w[t == g])
            wn = w / w.sum()
            out.append((wn * dev ** 2).sum() / (1 - (wn ** 2).sum()))
    return np.sqrt(out)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(8, 60), st.sampled_from(["uniform", "integers", "zeros"]))
def test_weighted_pooled_moments_against_an_independent_reference(seed, n, kind):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    t[:2] = [0, 1]
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n).astype(float), rng.exponential(3, n)])
    w = rng.uniform(0.1, 4, n) if kind == "uniform" else rng.integers(1, 5, n).astype(float)
    if kind == "zeros":
        w[2:][rng.random(n - 2) < 0.3] = 0.0  # rows 0, 1 keep both groups' weights positive
    np.testing.assert_allclose(distances._pooled_cov_weighted(x, t, w), _ref_pooled_cov(x, t, w),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(distances._pooled_sd_weighted(x, t, w), _ref_pooled_sd(x, t, w), rtol=1e-12)


# -- metamorphic -----------------------------------------------------------------------------------
def test_weights_scaled_by_a_power_of_two_change_no_bit():
    # w/sum(w) and sum(x w)/sum(w) are exact under w -> 2^k w
    d = _lalonde()
    for method, variables in (("mahalanobis", ["age", "educ", "re74", "married"]),
                              ("scaled_euclidean", ["age", "married", "race"])):
        a = _transform(d, variables, method, d["sw"])
        b = _transform(d, variables, method, d["sw"] * 8.0)
        np.testing.assert_array_equal(a, b)


def test_unit_weights_are_not_no_weights():
    # no s.weights: cov(X) (n - 1)/(n - 2), the SD sum(x^2)/(n - 2); weights 1: cov.wt's / (n - 1)
    # (a 0/1 column's pooled SD is sum_g sxi (1 - sxi/ni)/n either way)
    d = _lalonde()
    n = len(d)
    ones = np.ones(n)
    a = _transform(d, ["age", "educ", "re74"], "mahalanobis", ones)
    b = _transform(d, ["age", "educ", "re74"], "mahalanobis", None)
    np.testing.assert_allclose(a, b * np.sqrt((n - 1) / (n - 2)), rtol=1e-12, atol=1e-13)
    a = _transform(d, ["age", "married"], "scaled_euclidean", ones)
    b = _transform(d, ["age", "married"], "scaled_euclidean", None)
    np.testing.assert_allclose(a[:, 0], b[:, 0] * np.sqrt((n - 1) / (n - 2)), rtol=1e-13)  # a smaller SD
    np.testing.assert_allclose(a[:, 1], b[:, 1], rtol=1e-13)
    # a uniform scale of the Mahalanobis covariance changes no pair
    p1 = quiet(pyimpl.matchit, d.assign(one=1.0), "treat", NUM_COVS, distance="mahalanobis", s_weights="one",
               compat="4.5.1")[0]
    p0 = quiet(pyimpl.matchit, d, "treat", NUM_COVS, distance="mahalanobis", compat="4.5.1")[0]
    np.testing.assert_array_equal(p1.match_positions, p0.match_positions)


def test_weights_change_the_mahalanobis_and_scaled_euclidean_pairs_not_the_euclidean():
    d = _lalonde()
    for kw, moves in ((dict(distance="mahalanobis", covs=NUM_COVS), True), (dict(mahvars=["age", "educ", "re74"]),
                                                                           True),
                      (dict(distance="scaled_euclidean"), True),
                      (dict(distance="euclidean", covs=["age", "educ", "re74"], ratio=2), False)):
        kw = dict(kw)
        covs = kw.pop("covs", COVS)
        a = quiet(pyimpl.matchit, d, "treat", covs, compat="4.5.1", **kw)[0]
        b = quiet(pyimpl.matchit, d, "treat", covs, compat="4.5.1", s_weights="sw", **kw)[0]
        assert (not np.array_equal(a.match_positions, b.match_positions)) == moves, kw
        if "mahvars" in kw:  # the weighted glm moves the order too: the covariance alone
            x = distance_matrix_terms(read_terms(d, kw["mahvars"]), len(d))
            t, disc = d["treat"].to_numpy(), np.zeros(len(d), bool)
            assert not np.array_equal(transform_covariates(x, "mahalanobis", t, disc),
                                      transform_covariates(x, "mahalanobis", t, disc, d["sw"].to_numpy()))


def test_discarded_units_leave_the_weighted_covariance():
    d = _lalonde()
    disc = np.arange(len(d)) % 7 == 0
    sw = d["sw"].to_numpy().copy()
    a = _transform(d, ["age", "educ", "re74"], "mahalanobis", sw, discarded=disc)
    sw[disc] = 1e6  # a discarded unit's weight is never read
    np.testing.assert_array_equal(a, _transform(d, ["age", "educ", "re74"], "mahalanobis", sw, discarded=disc))


# -- refusals: R's, in R's order ------------------------------------------------------------------
def _col(d, values):
    return d.assign(w=np.asarray(values, dtype=float))


_D = _lalonde()
_T = _D["treat"].to_numpy()
BAD_ARGS = [
    ("negative, mahalanobis", dict(distance="mahalanobis", covs=NUM_COVS), _D["educ"] - 6.0, "weights.negative",
     "weights must be non-negative and not all zero"),
    ("negative, mahvars: the glm first", dict(mahvars=["age", "educ"]), _D["educ"] - 6.0, "weights.negative",
     "negative weights not allowed"),
    ("zero for the treated, mahalanobis", dict(distance="mahalanobis", covs=NUM_COVS), 1.0 - _T, "s_weights.value",
     "'x' must contain finite values only"),
    ("infinite, mahalanobis", dict(distance="mahalanobis", covs=NUM_COVS), np.r_[np.inf, np.ones(len(_D) - 1)],
     "s_weights.value", "'x' must contain finite values only"),
    ("all zero, mahalanobis", dict(distance="mahalanobis", covs=NUM_COVS), np.zeros(len(_D)), "s_weights.value",
     "'x' must contain finite values only"),
    ("zero for the treated, scaled_euclidean: NaN SDs", dict(distance="scaled_euclidean", covs=NUM_COVS), 1.0 - _T,
     "match.none", "No units were matched"),
]
ENGINES = ["pyimpl", pytest.param("r", marks=pytest.mark.r)]


@pytest.mark.parametrize("eng", ENGINES)
@pytest.mark.parametrize("label,kwargs,w,kind,msg", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_weights_refused_as_r_refuses_them(eng, label, kwargs, w, kind, msg):
    kw = dict(kwargs)
    covs = kw.pop("covs", COVS)
    if eng == "r":
        import rbridge

        fn = rbridge.matchit
    else:
        fn = pyimpl.matchit
    with pytest.raises(Exception) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(_col(_D, w), "treat", covs, s_weights="w", **kw)
    assert msg in str(e.value)
    assert refusal_kind(e.value, "matchit") == kind
    if eng == "pyimpl":
        assert isinstance(e.value, InvalidArgument)


def test_negative_weights_accepted_by_scaled_euclidean_as_by_r():
    # no glm, no cov.wt: pooled_sd takes them (the golden case sw-negative-scaled-euclidean has R's pairs)
    m = quiet(pyimpl.matchit, _col(_D, _D["educ"] - 6.0), "treat", NUM_COVS, distance="scaled_euclidean",
              s_weights="w", compat="4.5.1")[0]
    assert (m.weights > 0).sum() == 370


# -- the golden cases (no R) and their seeded faults ----------------------------------------------------
_NEW = ("sw-mah", "sw-scaled", "sw-negative-scaled", "sw-negative-mahalanobis", "sw-zero-treated",
        "sw-euclidean-ratio2")


def _new_cases():
    from rparity.cases.matching import CASES

    return [c for c in CASES if c.id.startswith("matchit/sampling/") and any(k in c.id for k in _NEW)]


def test_enough_new_cases():
    assert len(_new_cases()) >= 14


@pytest.mark.parametrize("fault", [None, "matchit-mahalanobis-cov-s-weights-ignored",
                                   "matchit-scaled-euclidean-sd-s-weights-ignored"])
def test_golden_cases_agree_and_catch_the_faults(fault):
    from rparity.check import run_check
    from rparity.faults import by_id, fault_engine

    cases = _new_cases()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = run_check("pyimpl" if fault is None else fault_engine(by_id(fault)), "golden", cases=cases)
    if fault is None:
        assert rep.ok and not [r for r in rep.rows if r.label != "agrees"]
    else:
        assert not rep.ok


# -- live R ------------------------------------------------------------------------------------------
def _r_transform(d, variables, method, sw, discarded, treat):
    import rpy2.robjects as ro

    import rbridge
    from rbridge._convert import to_r

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        fn = ro.r("function(df, f, method, w, t, disc) "
                  "unclass(MatchIt:::transform_covariates(f, data = df, method = method, s.weights = w, "
                  "treat = t, discarded = disc))")
        x = fn(to_r(d[variables], "data"), ro.r("reformulate")(ro.StrVector(variables)), method,
               ro.FloatVector(np.asarray(sw, float)), ro.IntVector(np.asarray(treat, int)),
               ro.BoolVector(np.asarray(discarded, bool)))
        return np.asarray(x)


TRANSFORMS = {
    "mahalanobis-3": (["age", "educ", "re74"], "mahalanobis", False, "treated"),
    "mahalanobis-6-discarded": (NUM_COVS, "mahalanobis", True, "treated"),
    "mahalanobis-atc": (NUM_COVS, "mahalanobis", False, "control"),
    "scaled-euclidean-race": (COVS, "scaled_euclidean", False, "treated"),
    "scaled-euclidean-discarded-atc": (NUM_COVS, "scaled_euclidean", True, "control"),
    "euclidean": (["age", "educ"], "euclidean", False, "treated"),
}


@pytest.mark.r
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_live_r_transform_bit_for_bit(name):
    variables, method, disc, focal = TRANSFORMS[name]
    d = _lalonde()
    i = np.arange(len(d))
    discarded = (i % 7 == 0) if disc else np.zeros(len(d), bool)
    t = d["treat"].to_numpy() if focal == "treated" else 1 - d["treat"].to_numpy()  # the focal indicator
    a = _transform(d, variables, method, d["sw"], discarded=discarded, treat=t)
    b = _r_transform(d, variables, method, d["sw"], discarded, t)
    np.testing.assert_array_equal(a, b)


LIVE = [
    dict(mahvars=["age", "educ", "re74"], ratio=2, caliper=0.25),
    dict(mahvars=["age", "re74", "nodegree"], discard="both", estimand="ATC"),
    dict(distance="mahalanobis", covs=NUM_COVS, ratio=2),
    dict(distance="mahalanobis", covs=NUM_COVS, caliper={"age": 3, "re74": 0.3}, std_caliper=[False, True]),
    dict(distance="mahalanobis", covs=NUM_COVS, m_order="random", seed=4, antiexact="married"),
    dict(distance="scaled_euclidean", ratio=3, replace=True),
    dict(distance="euclidean", covs=["age", "educ", "re74"], caliper={"educ": 1}, std_caliper=False),
]


@pytest.mark.r
@pytest.mark.parametrize("kw", LIVE, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items())[:60])
def test_live_r_pairs_identical(kw):
    kw = dict(kw)
    covs = kw.pop("covs", COVS)
    p, r = _both(_lalonde(), covs, s_weights="sw", **kw)
    _assert_same(p, r)


@pytest.mark.r
def test_live_r_euclidean_pairs_do_not_depend_on_the_weights():
    import rbridge

    d = _lalonde()
    a = quiet(rbridge.matchit, d, "treat", ["age", "educ"], distance="euclidean", s_weights="sw", ratio=2)[0]
    b = quiet(rbridge.matchit, d, "treat", ["age", "educ"], distance="euclidean", ratio=2)[0]
    np.testing.assert_array_equal(a.match_positions, b.match_positions)


@st.composite
def weighted_numeric_cohorts(draw, how: str):
    """A cohort of numeric covariates (a factor's levels make the Mahalanobis
    covariance singular: refused), random s.weights and a Mahalanobis-type match."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(15, 120))
    k = draw(st.integers(1, 4))
    cols = {}
    for j in range(k):
        kind = draw(st.sampled_from(["binary", "coarse", "continuous", "skewed"]))
        cols[f"c{j}"] = (rng.binomial(1, 0.4, n).astype(float) if kind == "binary"
                         else rng.integers(0, 5, n).astype(float) if kind == "coarse"
                         else np.round(rng.normal(0, 1, n), 3) if kind == "continuous"
                         else np.round(rng.exponential(1000, n), 1))
    d = pd.DataFrame(cols)
    t = rng.binomial(1, draw(st.sampled_from([0.2, 0.4, 0.6])), n)
    t[:2] = [1, 0]
    d.insert(0, "treat", t)
    wkind = draw(st.sampled_from(["uniform", "integers", "with-zeros", "wide", "tiny"]))
    sw = {"uniform": lambda: rng.uniform(0.2, 3, n), "integers": lambda: rng.integers(1, 4, n).astype(float),
          "with-zeros": lambda: np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.5, 2, n)),
          "wide": lambda: np.exp(rng.normal(0, 2, n)), "tiny": lambda: rng.uniform(1, 2, n) * 1e-9}[wkind]()
    d["sw"] = sw
    kw: dict = {"s_weights": "sw", "ratio": draw(st.integers(1, 2)),
                "estimand": draw(st.sampled_from(["ATT", "ATC"]))}
    covs = list(cols)
    if how == "mahvars":
        kw["mahvars"] = covs
        kw["discard"] = draw(st.sampled_from(["none", "both"]))
        if draw(st.booleans()):
            kw["caliper"] = 0.5
    else:
        kw["distance"] = how
    if draw(st.booleans()):
        kw["replace"] = True
    return d, covs, kw, wkind


@pytest.mark.r
@pytest.mark.parametrize("how", ["mahvars", "mahalanobis", "scaled_euclidean"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_differential_against_r(how, data):
    import rbridge

    d, covs, kw, wkind = data.draw(weighted_numeric_cohorts(how))
    out = []
    for fn, extra in ((rbridge.matchit, {}), (pyimpl.matchit, {"compat": "4.5.1"})):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out.append((fn(d, "treat", covs, **kw, **extra), None, [str(x.message) for x in w]))
            except Exception as exc:  # noqa: BLE001 - compared below
                out.append((None, exc, []))
    (r, er, wr), (p, ep, wp) = out
    if isinstance(ep, NotImplementedError):  # a singular covariance (collinear columns): R's SVD inverse
        assert er is None and "singular" in str(ep)
        event("singular: refused by pyimpl")
        return
    event(("refused" if er is not None else "matched") + f", {wkind}, {kw.get('distance', 'mahvars')}")
    if er is not None or ep is not None:
        assert er is not None and ep is not None, (er, ep)
        assert refusal_kind(ep, "matchit") == refusal_kind(er, "matchit"), (ep, er)
        return
    assert wp == wr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same(p, r)
    # the transformed covariates themselves, bit for bit
    focal = (d["treat"].to_numpy() == (1 if kw["estimand"] == "ATT" else 0)).astype(int)
    variables = kw.get("mahvars", covs)
    a = _transform(d, variables, kw.get("distance", "mahalanobis"), d["sw"], discarded=p.discarded, treat=focal)
    np.testing.assert_array_equal(a, _r_transform(d, variables, kw.get("distance", "mahalanobis"), d["sw"],
                                                  p.discarded, focal))
