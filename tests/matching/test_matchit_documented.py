"""pyimpl.matchit(compat=None) -- the documented algorithm -- against the
brute-force oracle (no correct MatchIt is installed to compare with)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.matching.rng import RRandom
from rparity_contract.errors import InvalidArgument

from .helpers import LALONDE_COVS, SPEC_CONFIGS, canonical_partition
from .reference import brute_force_documented
from .strategies import cohorts

pytestmark = pytest.mark.filterwarnings("ignore::rparity_contract.errors.RParityWarning")


def _order(m_order, d, seed_stream):
    n1 = len(d)
    if m_order == "largest":
        return sorted(range(n1), key=lambda i: (-d[i], i))
    if m_order == "smallest":
        return sorted(range(n1), key=lambda i: (d[i], i))
    if m_order == "random":
        return [v - 1 for v in seed_stream.sample_int(n1).tolist()]
    return list(range(n1))


def oracle(data, m, kw):
    """Match matrix (data rows, -1 none) the documented algorithm gives, built
    without pyimpl's matching code: discard and caliper recomputed here, the
    matching by brute force within each exact stratum."""
    treat = m.treat
    d = np.asarray(m.distance, float)
    focal = treat == (1 if m.estimand == "ATT" else 0)
    # discard (strict comparisons on the distance)
    disc = np.zeros(len(d), bool)
    opt = kw.get("discard", "none")
    d0, d1 = d[treat == 0], d[treat == 1]
    if opt == "both":
        disc = (d < max(d0.min(), d1.min())) | (d > min(d0.max(), d1.max()))
    elif opt == "control":
        disc = (d < d1.min()) | (d > d1.max())
    elif opt == "treated":
        disc = (d < d0.min()) | (d > d0.max())
    assert np.array_equal(disc, m.discarded)
    cal = kw.get("caliper")
    if cal is not None:
        if len(np.unique(d)) <= 1:
            cal = None
        elif kw.get("std_caliper", True):
            cal = cal * np.std(d[~disc], ddof=1)
    if cal is None:
        assert m.caliper is None
    else:
        assert m.caliper == pytest.approx(cal, rel=1e-13)
        cal = m.caliper  # the same double, so boundary cases cannot flip
    replace = kw.get("replace", False)
    n1 = int(focal.sum())
    m_order = kw.get("m_order") or ("smallest" if m.estimand == "ATC" else "largest")
    if replace or n1 <= 1:
        m_order = "data"
    rng = RRandom(kw["seed"]) if m_order == "random" else None
    ratio = kw.get("ratio", 1)
    frows = np.flatnonzero(focal)
    out = {int(r): [-1] * ratio for r in frows}
    if kw.get("exact") is None:
        groups = [np.arange(len(d))]
    else:
        col = data[kw["exact"]].to_numpy()
        groups = [np.flatnonzero(col == v) for v in sorted(set(col.tolist()), key=lambda v: f"x = {v}")]
    for rows in groups:
        f = focal[rows]
        ordr = _order(m_order, d[rows][f].tolist(), rng)
        if not f.any():
            continue
        mm = brute_force_documented(f.tolist(), ordr, ratio, disc[rows].tolist(), replace, d[rows].tolist(), cal)
        for i, r in enumerate(rows[f]):
            out[int(r)] = [int(rows[v]) if v >= 0 else -1 for v in mm[i]]
    return np.array([out[int(r)] for r in frows], dtype=np.int64).reshape(n1, ratio)


def check_outputs(m):
    """Weights and subclasses follow from the match matrix (MatchIt's rules)."""
    focal = m.treat == (1 if m.estimand == "ATT" else 0)
    mm = m.match_positions
    frows = np.flatnonzero(focal)
    w = np.zeros(len(focal))
    for r, row in zip(frows, mm):
        got = [v for v in row if v >= 0]
        if got:
            w[r] = 1.0
            for v in got:
                w[v] += 1.0 / len(got)
    c = ~focal
    w[c] = w[c] * (w[c] > 0).sum() / w[c].sum()
    np.testing.assert_allclose(m.weights, w, rtol=1e-14, atol=0)
    if m.subclass is None:
        assert m.replace
        return
    owner = np.full(len(focal), -1)
    for r, row in zip(frows, mm):
        if row[0] >= 0:
            owner[r] = r
        for v in row:
            if v >= 0:
                owner[v] = r
    seen: dict = {}
    expect = np.array([-1 if o < 0 else seen.setdefault(o, len(seen)) for o in owner])
    assert np.array_equal(canonical_partition(m.subclass), expect)


@pytest.mark.parametrize("name", list(SPEC_CONFIGS))
def test_lalonde_documented_equals_oracle(name):
    d = fixtures.load("lalonde")
    kw = SPEC_CONFIGS[name]
    m = pyimpl.matchit(d, "treat", LALONDE_COVS, **kw)
    assert np.array_equal(m.match_positions, oracle(d, m, kw))
    check_outputs(m)


@st.composite
def options(draw, exact=False):
    kw = {"estimand": draw(st.sampled_from(["ATT", "ATC"])), "ratio": draw(st.integers(1, 3)),
          "replace": draw(st.booleans()), "link": draw(st.sampled_from(["logit", "linear.logit"]))}
    cal = draw(st.sampled_from([None, None, 0.02, 0.1, 0.5, 1.5]))
    if cal is not None:
        kw["caliper"] = cal
        kw["std_caliper"] = draw(st.booleans())
    kw["m_order"] = draw(st.sampled_from([None, "largest", "smallest", "data", "random"]))
    if kw["m_order"] == "random":
        kw["seed"] = draw(st.integers(1, 10**6))
    kw["discard"] = draw(st.sampled_from(["none", "both", "control", "treated"]))
    if exact:
        kw["exact"] = "stratum"
    return kw


def _run(data, kw):
    covs = [c for c in data.columns if c not in ("treat", "stratum")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pyimpl.matchit(data, "treat", covs, **kw)
        except InvalidArgument as exc:
            # only R's own refusals: no stratum with both groups, nothing matched,
            # a caliper on a two-valued distance
            assert str(exc).startswith(("No matches were found.", "No units were matched.",
                                        "No treated units were matched.", "No control units were matched.",
                                        "Calipers cannot be used")), str(exc)
            return None


@given(cohorts(max_n=200), options())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_cohorts_documented_equals_oracle(data, kw):
    m = _run(data, kw)
    if m is not None:
        assert np.array_equal(m.match_positions, oracle(data, m, kw))
        check_outputs(m)


@given(cohorts(max_n=200, exact=True), options(exact=True))
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_cohorts_exact_documented_equals_oracle(data, kw):
    # strata without focal units are allowed here (MatchIt >= 4.5.2, #151)
    m = _run(data, kw)
    if m is not None:
        assert np.array_equal(m.match_positions, oracle(data, m, kw))
        check_outputs(m)
