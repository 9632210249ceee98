"""matchit(compat="3.0.2"): MatchIt 3.0.2 (the study paper's), random draws included.

Hand calculations from 3.0.2's algorithm (no R), R's "Rounding" sampler against
live R (R 4.2 still has it), bad arguments in both engines, and a differential
campaign against MatchIt 3.0.2 itself where it is installed (``make matchit302``;
CI has no network: there the golden files made by 3.0.2 stand in, tests/test_golden.py).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.matching.matchit302 import weights_302
from pyimpl.matching.nearest302 import NO_MATCH, _Fenwick, _Side, nn_match_302
from pyimpl.matching.rng import RRandom
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument, RUnavailable

from .helpers import LALONDE_COVS, quiet


# -- hand calculations ---------------------------------------------------------------
def test_nearest_without_caliper_by_hand():
    # treated distances 0.9, 0.5, 0.2 (largest first); controls 0.1, 0.45, 0.55, 0.85
    treat = np.array([1, 1, 1, 0, 0, 0, 0])
    d = np.array([0.5, 0.9, 0.2, 0.1, 0.45, 0.55, 0.85])
    mm = nn_match_302(treat, d, np.zeros(7, bool), 1, False, "largest", None, None, RRandom(1, "Rounding"))
    # 0.9 -> 0.85 (control 3); 0.5 -> 0.45 and 0.55 are 0.05 away, but in floating point
    # |0.45 - 0.5| = 0.04999999999999999 < |0.55 - 0.5| = 0.050000000000000044: 0.45 (control 1);
    # 0.2 -> 0.1 (control 0)
    assert abs(0.45 - 0.5) < abs(0.55 - 0.5)
    assert mm[:, 0].tolist() == [1, 3, 0]


def test_caliper_draws_uniformly_in_data_order_by_hand():
    # one treated at 0.5; controls at 0.40, 0.52, 0.49, 0.90 (data order); caliper 0.05 on
    # the distance scale: the pool is controls 1 and 2 (0.52, 0.49), in data order; 3.0.2
    # takes sample(pool, 1): with "Rounding", pool[floor(2 * u) + 1] for the first uniform
    treat = np.array([1, 0, 0, 0, 0])
    d = np.array([0.5, 0.40, 0.52, 0.49, 0.90])
    for seed in range(1, 30):
        u = RRandom(seed, "Rounding").unif_rand(1)[0]
        want = [1, 2][math.floor(2 * u)]
        mm = nn_match_302(treat, d, np.zeros(5, bool), 1, False, "largest", 0.05, None, RRandom(seed, "Rounding"))
        assert mm[0, 0] == want
    # not the nearest: some seed takes the farther control (0.52)
    picks = {int(nn_match_302(treat, d, np.zeros(5, bool), 1, False, "largest", 0.05, None,
                              RRandom(s, "Rounding"))[0, 0]) for s in range(1, 30)}
    assert picks == {1, 2}


def test_tied_treated_units_drawn_in_data_order_by_hand():
    # two treated units at the same distance: sample(itert, 1) picks which goes first;
    # one control: the other gets NA
    treat = np.array([1, 1, 0])
    d = np.array([0.3, 0.3, 0.31])
    for seed in (1, 2, 3, 4, 5, 6):
        u = RRandom(seed, "Rounding").unif_rand(1)[0]
        first = math.floor(2 * u)
        mm = nn_match_302(treat, d, np.zeros(3, bool), 1, False, "largest", None, None, RRandom(seed, "Rounding"))
        assert mm[first, 0] == 0 and mm[1 - first, 0] == NO_MATCH


def test_rounds_revisit_units_that_found_nothing():
    # ratio 2, caliper 0.05: treated at 0.9 finds nothing in round 1 but is visited again in
    # round 2 (3.0.2 loops over every treated unit in every round)
    treat = np.array([1, 1, 0, 0, 0])
    d = np.array([0.9, 0.5, 0.52, 0.48, 0.47])
    mm = nn_match_302(treat, d, np.zeros(5, bool), 2, False, "largest", 0.05, None, RRandom(3, "Rounding"))
    assert mm[0].tolist() == [NO_MATCH, NO_MATCH]
    assert sorted(mm[1].tolist()) != [NO_MATCH, NO_MATCH] and NO_MATCH not in mm[1].tolist()


def test_weights_by_hand():
    # ratio 2 with replacement: treated A matched to c0, c1; B to c1 (one match, NA second)
    treat = np.array([1, 1, 0, 0, 0])
    mm = np.array([[0, 1], [1, NO_MATCH]])
    w = weights_302(mm, treat, np.zeros(5, bool))
    # raw control weights: c0 = 1/2, c1 = 1/2 + 1/1 = 1.5, c2 = 0; two distinct controls used:
    # rescaled by 2 / 2.0 -> c0 0.5, c1 1.5
    assert w.tolist() == [1.0, 1.0, 0.5, 1.5, 0.0]


def test_weights_refuse_like_302():
    treat = np.array([1, 0])
    with pytest.raises(InvalidArgument, match="No units were matched") as e:
        weights_302(np.array([[NO_MATCH]]), treat, np.zeros(2, bool))
    assert e.value.kind == "match.none"


def test_union_find_and_fenwick():
    s = _Side(np.array([True, False, True, True]))
    assert s.at_or_left(1) == 0 and s.at_or_right(1) == 2
    s.remove(2)
    assert s.at_or_right(1) == 3 and s.at_or_left(2) == 0
    f = _Fenwick(np.array([False, True, True, False, True]))
    assert [f.kth(j) for j in range(3)] == [1, 2, 4]
    f.remove(2)
    assert [f.kth(j) for j in range(2)] == [1, 4]


def test_rounding_index_is_floor_n_u():
    a, b = RRandom(11, "Rounding"), RRandom(11, "Rounding")
    for n in (1, 2, 3, 7, 100, 65537):
        u = b.unif_rand(1)[0]
        assert a.unif_index(n) == math.floor(n * u)


# -- lalonde: pyimpl's own properties --------------------------------------------------
def test_seed_changes_the_match_and_the_sampler_matters():
    d = fixtures.load("lalonde")
    runs = {}
    for seed in (1, 2):
        for kind in ("Rounding", "Rejection"):
            m, _ = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", caliper=0.2, seed=seed,
                          sample_kind=kind)
            runs[seed, kind] = m.match_positions.tolist()
    assert len({str(v) for v in runs.values()}) == 4


def test_result_shape():
    d = fixtures.load("lalonde")
    m, warns = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", caliper=0.2, seed=1)
    assert m.compat == "3.0.2" and m.estimand == "ATT" and m.subclass is None and m.m_order == "largest"
    assert m.call.options["sample_kind"] == "Rounding"
    assert 0 < m.distance.min() and m.distance.max() < 1  # the probability scale
    assert warns == []
    with pytest.raises(NotImplementedError, match="3.0.2's summary"):
        pyimpl.matchit_summary(m)
    md = pyimpl.match_data(m)
    assert len(md) == int((m.weights > 0).sum()) and "subclass" not in md.columns


def test_options_302_does_not_have_are_warnings_as_in_302():
    d = fixtures.load("lalonde")
    _, w = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", m_order="data", seed=1)
    assert w == ["m.order=data is invalid; used m.order='largest' instead"]
    _, w = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", caliper=-0.25, seed=1)
    assert w == ["caliper=-0.25 is less than 0; Caliper matching not done"]
    _, w = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", exact="nope", seed=1)
    assert w == ["Exact variables not contained in data. Exact matching not done."]
    m, w = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, compat="3.0.2", ratio=0.4, seed=1)
    assert w == ["ratio=0 is invalid; used ratio=1 instead"] and m.ratio == 1
    m, w = quiet(pyimpl.matchit, d.head(250), "treat", LALONDE_COVS, compat="3.0.2", ratio=2, seed=1)
    assert w == ["Not enough control units for  2  matches for each treated unit when matching without "
                 "replacement.  Not all treated units will receive 2 matches"]


# -- bad arguments: both engines ---------------------------------------------------------
BAD = [
    (dict(estimand="ATC", seed=1), "compat.option", "`estimand` is not an option of MatchIt 3.0.2"),
    (dict(std_caliper=False, seed=1), "compat.option", "`std_caliper` is not an option of MatchIt 3.0.2"),
    (dict(caliper=0.2), "seed.missing", r"`seed` is needed with compat='3.0.2'.*within the caliper"),
    (dict(m_order="random"), "seed.missing", r"`seed` is needed.*m_order='random'"),
    (dict(), "seed.missing", r"`seed` is needed.*tied"),
    (dict(seed=1, sample_kind="rounding"), "sample_kind.value", "`sample_kind` must be 'Rounding' or 'Rejection'"),
]


@pytest.mark.parametrize("kw,kind,msg", BAD, ids=[b[1] + ":" + ",".join(b[0]) for b in BAD])
def test_bad_arguments_pyimpl(kw, kind, msg):
    with pytest.raises(InvalidArgument, match=msg) as e:
        pyimpl.matchit(fixtures.load("lalonde"), "treat", LALONDE_COVS, compat="3.0.2", **kw)
    assert e.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw,kind,msg", BAD, ids=[b[1] + ":" + ",".join(b[0]) for b in BAD])
def test_bad_arguments_rbridge(kw, kind, msg):
    """The options 3.0.2 cannot be asked are refused by the contract before R (so
    also where 3.0.2 is not installed)."""
    import rbridge

    with pytest.raises(InvalidArgument, match=msg) as e:
        rbridge.matchit(fixtures.load("lalonde"), "treat", LALONDE_COVS, compat="3.0.2", **kw)
    assert e.value.kind == kind


def test_missing_value_anywhere_and_treat_labels():
    d = fixtures.load("lalonde").copy()
    d.loc[3, "re78"] = np.nan  # not a model column: 3.0.2 still stops
    with pytest.raises(InvalidArgument, match="Missing values exist in the data.*re78") as e:
        pyimpl.matchit(d, "treat", LALONDE_COVS, compat="3.0.2", seed=1)
    assert e.value.kind == "data.missing"
    d = fixtures.load("lalonde").copy()
    d["treat"] = pd.Categorical(np.where(d["treat"] == 1, "yes", "no"))
    with pytest.raises(InvalidArgument, match="treat == 1") as e:
        pyimpl.matchit(d, "treat", LALONDE_COVS, compat="3.0.2", seed=1)
    assert e.value.kind == "treat.values"


def test_r_engine_without_302_says_so(monkeypatch, tmp_path):
    import rbridge
    from rbridge.matching import matchit302_library

    monkeypatch.setenv("RPARITY_MATCHIT302_LIB", str(tmp_path))
    with pytest.raises(RUnavailable, match="MatchIt 3.0.2 is not installed"):
        matchit302_library()
    assert not rbridge.matchit302_available()


# -- R's Rounding sampler, live ------------------------------------------------------------
@pytest.mark.r
@given(seed=st.integers(-(2**31) + 1, 2**31 - 1), n=st.sampled_from([1, 2, 5, 16, 17, 100, 1000, 65537]),
       x=st.floats(1.0, 40.0))
@settings(max_examples=40, deadline=None)
def test_rounding_sampler_live(seed, n, x):
    """``RNGkind(sample.kind = "Rounding"); set.seed(s)``, then sample.int(n) and R's
    sample() of one number x >= 1 (1:floor(x))."""
    import rpy2.robjects as ro

    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():  # no finaliser of another thread in R meanwhile
        fn = ro.r("function(seed, n, x) { old <- RNGkind()[3]; suppressWarnings(RNGkind(sample.kind = 'Rounding'));"
                  " on.exit(suppressWarnings(RNGkind(sample.kind = old))); set.seed(seed);"
                  " c(sample.int(n), sample(x, 1)) }")
        rx = np.asarray(fn(seed, n, x)).tolist()
        r = RRandom(seed, "Rounding")
        px = r.sample_int(n).tolist() + [r.unif_index(math.floor(x)) + 1]
        assert px == rx


# -- MatchIt 3.0.2 itself, live ----------------------------------------------------------------
def _need_302():
    import rbridge

    if not rbridge.matchit302_available():
        pytest.skip("MatchIt 3.0.2 is not installed (`make matchit302`); CI checks its golden files instead")


def _run_both(data, covs, **kw):
    import rbridge

    out = []
    for fn in (pyimpl.matchit, rbridge.matchit):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                m = fn(data, "t", covs, compat="3.0.2", **kw)
                out.append((m, None, [str(x.message) for x in w]))
            except Exception as exc:  # noqa: BLE001 - compared below
                out.append((None, exc, [str(x.message) for x in w]))
    return out


def _assert_same(out):
    (a, ea, wa), (b, eb, wb) = out
    if ea is not None or eb is not None:
        assert ea is not None and eb is not None, f"one engine refused: {ea!r} / {eb!r}"
        assert refusal_kind(ea, "matchit") == refusal_kind(eb, "matchit"), f"{ea!r} / {eb!r}"
        return
    assert np.array_equal(a.match_positions, b.match_positions)
    assert np.array_equal(a.weights, b.weights)  # bit for bit
    assert np.array_equal(a.distance, b.distance)
    assert np.array_equal(a.discarded, b.discarded)
    assert (a.caliper is None) == (b.caliper is None) and (a.caliper is None or a.caliper == b.caliper)
    assert wa == wb


@st.composite
def cohorts_302(draw):
    n = draw(st.integers(4, 45))
    rs = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x1 = rs.integers(0, 4, n).astype(float) if draw(st.booleans()) else np.round(rs.normal(size=n), 1)
    x2 = rs.integers(0, 2, n)
    p = 1 / (1 + np.exp(-(0.5 * x1 + x2 - 0.3)))
    t = (rs.random(n) < p).astype(int)
    t[0], t[1] = 1, 0
    data = pd.DataFrame({"t": t, "x1": x1, "x2": x2, "g": rs.choice(["a", "b", "c"], n)})
    kw = {"seed": draw(st.integers(1, 10**6)),
          "caliper": draw(st.sampled_from([None, 0.05, 0.25, 1.0, -0.1])),
          "ratio": draw(st.integers(1, 3)), "replace": draw(st.booleans()),
          "m_order": draw(st.sampled_from([None, "largest", "smallest", "random", "data"])),
          "discard": draw(st.sampled_from(["none", "both", "control", "treated"])),
          "link": draw(st.sampled_from(["logit", "linear.logit"])),
          "exact": draw(st.sampled_from([None, "x2", "g"])),
          "sample_kind": draw(st.sampled_from(["Rounding", "Rejection"]))}
    if draw(st.integers(0, 5)) == 0:  # a user distance with whole values (>= 1: R's sample() quirk)
        kw["distance"] = rs.integers(0, 5, n).astype(float)
    return data, {k: v for k, v in kw.items() if v is not None}


@pytest.mark.r
@given(c=cohorts_302())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(c=(pd.DataFrame({"t": [1, 0, 1, 0, 1], "x1": [0.0, 1, 2, 3, 1], "x2": [0, 1, 0, 1, 1],
                          "g": list("aabba")}), dict(seed=4, m_order="random", distance=np.array([3.0, 1, 2, 4, 3]))))
def test_differential_against_matchit_302(c):
    """Pairs, weights, distances, warnings and refusals identical to MatchIt 3.0.2."""
    _need_302()
    data, kw = c
    _assert_same(_run_both(data, ["x1", "x2"], **kw))


@pytest.mark.r
@pytest.mark.parametrize("seed", [1, 2, 3, 17, 2018])
@pytest.mark.parametrize("kind", ["Rounding", "Rejection"])
def test_lalonde_against_matchit_302(seed, kind):
    _need_302()
    d = fixtures.load("lalonde").rename(columns={"treat": "t"})
    _assert_same(_run_both(d, LALONDE_COVS, caliper=0.1, seed=seed, sample_kind=kind))
    _assert_same(_run_both(d, LALONDE_COVS, m_order="random", ratio=2, seed=seed, sample_kind=kind))
