"""``s_weights`` (MatchIt's ``s.weights``), ``unit_id`` (``unit.id``) and
``method=None`` (``method = NULL``): hand values, refusals, the golden cases
under seeded faults, live R and a differential test against R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument

from .helpers import max_rel, quiet
from .strategies import cohorts

COVS = ["age", "educ", "race", "re74"]


def _lalonde() -> pd.DataFrame:
    d = fixtures.load("lalonde").copy()
    i = np.arange(len(d))
    d["sw"] = 0.5 + ((i * 7919) % 101) / 67.0
    d["uid"] = i // 3
    return d


def _pm(d, covs=COVS, **kw):
    return quiet(pyimpl.matchit, d, "treat", covs, compat="4.5.1", **kw)[0]


# -- hand values ---------------------------------------------------------------------------
def test_s_weights_are_the_glm_prior_weights_and_stay_apart_from_the_matching_weights():
    d = _lalonde()
    m = _pm(d, s_weights="sw")
    fit, _ = quiet(pyimpl.glm_logit, pd.get_dummies(d[COVS], columns=["race"], drop_first=True, dtype=float),
                   d["treat"], weights=d["sw"])  # binomial warns of non-integer successes; quasibinomial does not
    assert max_rel(m.distance, fit.fitted) < 1e-12  # glm(weights = s.weights): quasibinomial's fit is binomial's
    assert max_rel(m.distance, _pm(d).distance) > 1e-3
    np.testing.assert_array_equal(m.s_weights, d["sw"].to_numpy())
    assert set(np.unique(m.weights[m.treat == 1])) <= {0.0, 1.0}  # the matching weights alone
    md = pyimpl.match_data(m)  # include.s.weights = TRUE: the product
    np.testing.assert_array_equal(md["weights"].to_numpy(), (m.weights * m.s_weights)[m.weights > 0])
    # a name and the same numbers are one call
    m2 = _pm(d, s_weights=d["sw"].to_numpy())
    np.testing.assert_array_equal(m.match_positions, m2.match_positions)


def test_s_weights_leave_the_match_on_a_given_distance_alone():
    d = _lalonde()
    a, b = _pm(d, distance=d["re75"].to_numpy() / 1e4, caliper=0.1), \
        _pm(d, distance=d["re75"].to_numpy() / 1e4, caliper=0.1, s_weights="sw")
    np.testing.assert_array_equal(a.match_positions, b.match_positions)
    assert a.caliper == b.caliper  # sd(distance[!discarded]): unweighted


def test_summary_sample_sizes_and_means_by_hand():
    d = _lalonde()
    m = _pm(d, s_weights="sw", ratio=2)
    s = pyimpl.matchit_summary(m)
    sw, w, t = d["sw"].to_numpy(), m.weights * d["sw"].to_numpy(), m.treat
    ess = lambda v: v.sum() ** 2 / (v ** 2).sum()  # noqa: E731
    assert s.nn.loc["all_ess", "treated"] == pytest.approx(ess(sw[t == 1]), rel=1e-13)
    assert s.nn.loc["matched_ess", "control"] == pytest.approx(ess(w[t == 0]), rel=1e-13)
    x = d["age"].to_numpy(float)
    assert s.matched.loc["age", "means_control"] == pytest.approx((w * x)[t == 0].sum() / w[t == 0].sum(), rel=1e-13)
    # standardised by the treated's s-weighted SD over the full sample
    ws = sw[t == 1] / sw[t == 1].sum()
    mx = (ws * x[t == 1]).sum()
    sd = np.sqrt((ws * (x[t == 1] - mx) ** 2).sum() / (1 - (ws ** 2).sum()))
    row = s.all.loc["age"]
    assert row["std_mean_diff"] == pytest.approx((row["means_treated"] - row["means_control"]) / sd, rel=1e-12)


def test_method_none_keeps_everyone_not_discarded_and_has_no_matched_table():
    d = _lalonde()
    m, warns = quiet(pyimpl.matchit, d, "treat", COVS, method=None, s_weights="sw", discard="both", ratio=2)
    assert warns == ["The argument 'ratio' is not used with `method = NULL` and will be ignored."]
    np.testing.assert_array_equal(m.weights, (~m.discarded).astype(float))
    assert m.match_matrix is None and m.subclass is None and m.discarded.any()
    s = pyimpl.matchit_summary(m)
    assert s.matched is None and s.nn.loc["discarded"].sum() == m.discarded.sum()


def test_unit_id_uses_up_every_row_of_an_id():
    d = _lalonde()
    for kw in (dict(), dict(ratio=2), dict(exact="married"), dict(mahvars=["age", "educ"])):
        m = _pm(d, unit_id="uid", **kw)
        mm = m.match_positions
        used = d["uid"].to_numpy()[mm[mm >= 0]]
        assert np.unique(used).size == used.size, kw  # no id twice
        assert (mm >= 0).sum() < (_pm(d, **kw).match_positions >= 0).sum()
    # with replacement unit.id is never read: even a name that is no column is accepted
    np.testing.assert_array_equal(_pm(d, unit_id="nope", replace=True).match_positions,
                                  _pm(d, replace=True).match_positions)
    # ids all distinct among the controls: MatchIt drops unit.id
    d["rid"] = np.arange(len(d))
    np.testing.assert_array_equal(_pm(d, unit_id="rid").match_positions, _pm(d).match_positions)


# -- refusals ------------------------------------------------------------------------------
_D = _lalonde()
BAD_ARGS = [
    (dict(s_weights="nope"), "data.column", "The name supplied to 's.weights' must be a variable"),
    (dict(s_weights=["age", "educ"]), "s_weights.type", "can only contain one named variable"),
    (dict(s_weights=np.ones(len(_D), dtype=bool)), "s_weights.type", "must be supplied as a numeric vector"),
    (dict(s_weights="race"), "s_weights.type", "numeric column"),
    (dict(s_weights=np.r_[np.nan, np.ones(len(_D) - 1)]), "s_weights.missing", "Missing values are not allowed"),
    (dict(s_weights=np.ones(len(_D) - 1)), "s_weights.length", "same length as the treatment vector"),
    (dict(s_weights=np.r_[-1.0, np.ones(len(_D) - 1)]), "weights.negative", "negative weights not allowed"),
    (dict(s_weights=np.r_[np.inf, np.ones(len(_D) - 1)]), "glm.fit", "cannot find valid starting values"),
    (dict(unit_id="nope"), "data.column", "All names supplied to `unit.id` must be variables"),
    (dict(unit_id=3), "unit_id.type", "must be supplied as a character vector"),
]


@pytest.mark.parametrize("kw,kind,msg", BAD_ARGS, ids=lambda v: str(v)[:40])
def test_bad_arguments(kw, kind, msg):
    with pytest.raises(InvalidArgument, match=msg) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyimpl.matchit(_D, "treat", COVS, **kw)
    assert e.value.kind == kind
    assert refusal_kind(e.value, "matchit") == kind


def test_refused_or_accepted_as_r_does_without_a_glm():
    d = _lalonde()
    d.loc[d.index[0], "sw"] = -2.0  # no glm: MatchIt checks nothing more
    m = _pm(d, covs=["age", "educ"], distance="euclidean", s_weights="sw")
    assert pyimpl.matchit_summary(m).nn.loc["all", "treated"] == 185
    with pytest.raises(InvalidArgument, match="negative weights not allowed"):  # mahvars: the glm refuses first
        _pm(d, mahvars=["age"], s_weights="sw")
    with pytest.raises(InvalidArgument, match="weights must be non-negative"):  # no glm: cov.wt refuses
        _pm(d, covs=["age", "educ"], distance="mahalanobis", s_weights="sw")


def test_psmpy_peer_does_not_provide_them():
    from rparity_peers import psmpy_engine

    d = _lalonde()
    for kw, what in ((dict(s_weights="sw"), "s_weights"), (dict(unit_id="uid"), "unit_id"),
                     (dict(method=None), "method=None")):
        with pytest.raises(NotImplementedError, match=f"cannot honour.*{what}"):
            psmpy_engine.matchit(d, "treat", ["age", "educ"], **kw)


# -- seeded faults against the golden files (no R) ------------------------------------------
@pytest.mark.parametrize("fault", ["matchit-s-weights-not-in-glm", "matchit-unit-id-ignored",
                                   "matchit-summary-s-weights-ignored", "match-data-s-weights-ignored"])
def test_seeded_faults_are_caught_by_the_sampling_cases(fault):
    from rparity.cases.matching import CASES
    from rparity.check import run_check
    from rparity.faults import by_id, fault_engine

    cases = [c for c in CASES if c.id.startswith("matchit/sampling/")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = run_check("pyimpl", "golden", cases=cases)
        rep = run_check(fault_engine(by_id(fault)), "golden", cases=cases)
    assert clean.ok and not [r for r in clean.rows if r.label not in ("agrees", "not provided")]
    assert not rep.ok


# -- live R --------------------------------------------------------------------------------
def _assert_same(p, r):
    np.testing.assert_array_equal(p.match_positions, r.match_positions)
    np.testing.assert_array_equal(p.weights, r.weights)
    assert (p.s_weights is None) == (r.s_weights is None)
    if p.distance is not None:
        assert max_rel(p.distance, r.distance) <= 1e-10
    ps, rs = pyimpl.matchit_summary(p), __import__("rbridge").matchit_summary(r)
    for part in ("all", "matched"):
        x, y = getattr(ps, part), getattr(rs, part)
        assert (x is None) == (y is None)
        if x is not None:
            assert list(x.index) == list(y.index)
            for c in x.columns:
                assert max_rel(x[c], y[c]) <= 1e-10, (part, c)
    assert max_rel(ps.nn.to_numpy(), rs.nn.to_numpy()) <= 1e-12
    mp, mr = pyimpl.match_data(p), __import__("rbridge").match_data(r)
    assert list(mp.index) == list(mr.index)
    np.testing.assert_array_equal(mp["weights"].to_numpy(), mr["weights"].to_numpy())


def _both(d, covs, **kw):
    import rbridge

    with warnings.catch_warnings(record=True) as wr:
        warnings.simplefilter("always")
        r = rbridge.matchit(d, "treat", covs, **kw)
    with warnings.catch_warnings(record=True) as wp:
        warnings.simplefilter("always")
        p = pyimpl.matchit(d, "treat", covs, compat="4.5.1", **kw)
    assert [str(w.message) for w in wp] == [str(w.message) for w in wr]
    return p, r


@pytest.mark.r
@pytest.mark.parametrize("kw", [dict(s_weights="sw", ratio=2, caliper=0.2), dict(s_weights="sw", replace=True),
                                dict(s_weights="sw", method="subclass", estimand="ATE"),
                                dict(s_weights="sw", method="exact", covs=["race", "married"]),
                                dict(s_weights="sw", method=None, discard="control"),
                                dict(unit_id="uid", ratio=2, exact="married", m_order="random", seed=5),
                                dict(unit_id=["uid", "married"], mahvars=["age", "re74"]),
                                dict(unit_id="uid", s_weights="sw", antiexact="nodegree", estimand="ATC")],
                         ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items())[:60])
def test_live_r(kw):
    kw = dict(kw)
    covs = kw.pop("covs", COVS)
    p, r = _both(_lalonde(), covs, **kw)
    _assert_same(p, r)


@st.composite
def sampled_cohorts(draw):
    d = draw(cohorts(min_n=20, max_n=150))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    n = len(d)
    kind = draw(st.sampled_from(["uniform", "integers", "with-zeros"]))
    sw = rng.uniform(0.2, 3, n) if kind == "uniform" else rng.integers(1, 4, n).astype(float)
    if kind == "with-zeros":
        sw[rng.random(n) < 0.2] = 0.0
    d["sw"] = sw
    d["uid"] = rng.integers(0, max(2, n // draw(st.integers(1, 4))), n)  # ids repeat, across the groups
    kw = dict(s_weights="sw") if draw(st.booleans()) else {}
    if draw(st.booleans()):
        kw["unit_id"] = "uid"
    kw["ratio"] = draw(st.integers(1, 2))
    kw["estimand"] = draw(st.sampled_from(["ATT", "ATC"]))
    if draw(st.booleans()):
        kw["caliper"] = draw(st.sampled_from([0.1, 0.5]))
    kw["method"] = draw(st.sampled_from(["nearest", "nearest", "nearest", None, "subclass"]))
    if kw["method"] == "subclass":
        kw.pop("caliper", None)
        kw.pop("ratio")
    return d, kw


@pytest.mark.r
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sampled_cohorts())
def test_differential_against_r(problem):
    import rbridge

    d, kw = problem
    covs = [c for c in d.columns if c.startswith("c")]
    out = []
    for fn, extra in ((rbridge.matchit, {}), (pyimpl.matchit, {"compat": "4.5.1"})):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out.append((fn(d, "treat", covs, **kw, **extra), None, [str(x.message) for x in w]))
            except Exception as exc:  # noqa: BLE001 - compared below
                out.append((None, exc, []))
    (r, er, wp_r), (p, ep, wp) = out
    event("refused" if er is not None else f"method={kw['method']}, unit_id={'unit_id' in kw}")
    wr = wp_r
    if er is not None or ep is not None:
        assert er is not None and ep is not None, (er, ep)
        assert refusal_kind(ep, "matchit") == refusal_kind(er, "matchit"), (ep, er)
        return
    assert wp == wr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same(p, r)
