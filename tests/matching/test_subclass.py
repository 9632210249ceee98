"""matchit(method="subclass"): MatchIt 4.5.1's matchit2subclass (type-7 quantile
cut points, findInterval, subclass_scoot, subclass weights), by hand and against
live R."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from pyimpl.matching.subclass import find_interval, quantile7, subclass_probs, subclass_scoot
from rparity_contract.errors import InvalidArgument

from .helpers import LALONDE_COVS, assert_same_subclassing, quiet, run_both


def test_quantile_type7_and_find_interval_by_hand():
    x = np.array([4.0, 1.0, 3.0, 2.0])
    # type 7: 1 + (n - 1) p: p = 0.5 -> index 2.5 -> 2 + 0.5 (3 - 2)
    np.testing.assert_array_equal(quantile7(x, np.array([0, 0.5, 1])), [1.0, 2.5, 4.0])
    q = np.array([1.0, 2.5, 4.0])
    # all.inside: below/at the first cut -> 1, at or above the last -> 2
    assert find_interval(np.array([0.5, 1.0, 2.5, 3.9, 4.0, 9.0]), q).tolist() == [1, 1, 2, 2, 2, 2]


def test_probs_like_seq_and_checks():
    p, k = subclass_probs(6)
    assert k == 6 and p[0] == 0 and p[-1] == 1 and p[3] == 3 * (1 / 6)  # seq(): from + i * (1/6)
    p, k = subclass_probs([0.6, 0.3])
    assert k == 3 and p.tolist() == [0.0, 0.3, 0.6, 1.0]
    for bad in (1, 0.4, [0.2, 1.5], "a", True):
        with pytest.raises(InvalidArgument) as e:
            subclass_probs(bad)
        assert e.value.kind == "subclass.value"


def test_scoot_fills_an_empty_subclass_from_the_nearer_side():
    # treated units in subclasses 1, 1, 1, 3 (subclass 2 empty for the treated): moved in from the
    # left (the side with more spare units, weighted by distance): its largest-distance unit
    sub = np.array([1, 1, 1, 3, 1, 2, 3])
    treat = np.array([1, 1, 1, 1, 0, 0, 0])
    x = np.array([0.1, 0.3, 0.2, 0.9, 0.1, 0.5, 0.9])
    out = subclass_scoot(sub, treat, x, 1)
    assert out.tolist() == [1, 2, 1, 3, 1, 2, 3]


def test_result_and_warnings():
    d = fixtures.load("lalonde")
    m, w = quiet(pyimpl.matchit, d, "treat", LALONDE_COVS, method="subclass", ratio=2, caliper=0.1)
    assert w == ["The arguments 'caliper' and 'ratio' are not used with `method = \"subclass\"` and will be ignored."]
    assert m.method == "subclass" and m.match_matrix is None and m.q_cut.size == 7
    assert pd.Categorical(m.subclass).categories.tolist() == [1, 2, 3, 4, 5, 6]
    s = pyimpl.matchit_summary(m)
    assert s.matched["std_pair_dist"].isna().all()  # summary.matchit.subclass: pair.dist = FALSE
    m, w = quiet(pyimpl.matchit, d.iloc[::8], "treat", LALONDE_COVS, method="subclass", subclass=30, min_n=0)
    assert "fewer subclasses were generated than were requested" in " ".join(w)


@st.composite
def cohorts(draw):
    rs = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rs.integers(12, 150))
    x1 = np.round(rs.normal(size=n), int(rs.integers(0, 3)))
    x2 = rs.integers(0, 2, n)
    t = (rs.random(n) < 1 / (1 + np.exp(-(0.8 * x1 + x2 - 0.5)))).astype(int)
    t[0], t[1] = 1, 0
    data = pd.DataFrame({"t": t, "x1": x1, "x2": x2})
    kw = {"estimand": draw(st.sampled_from(["ATT", "ATC", "ATE"])),
          "subclass": draw(st.sampled_from([2, 3, 6, 10, [0.25, 0.5]])),
          "min_n": draw(st.sampled_from([None, 0, 1, 2])),
          "discard": draw(st.sampled_from(["none", "both"])),
          "link": draw(st.sampled_from(["logit", "linear.logit"]))}
    return data, {k: v for k, v in kw.items() if v is not None}


@pytest.mark.r
@given(c=cohorts())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_subclass_against_matchit(c):
    """Subclasses, cut points, weights (bit for bit), warnings, refusals and the
    summary identical to MatchIt 4.5.1's."""
    data, kw = c
    assert_same_subclassing(run_both(data, "t", ["x1", "x2"], method="subclass", **kw))
