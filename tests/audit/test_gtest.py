"""The likelihood-ratio G test (rparity.audit.gtest).

Oracles: closed forms by hand, Sokal & Rohlf's Williams divisor, and scipy's
independent implementation (``chi2_contingency(lambda_="log-likelihood")``)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from rparity.audit.gtest import g_test
from rparity_contract.errors import InvalidArgument


def test_perfect_association_closed_form():
    # E = 5 in every cell; G = 2 (10 ln 2 + 10 ln 2) = 40 ln 2; df 1: p = erfc(sqrt(G/2))
    g = g_test([[10, 0], [0, 10]])
    assert g.df == 1
    assert g.statistic == pytest.approx(40 * math.log(2), rel=1e-15)
    assert g.pvalue == pytest.approx(math.erfc(math.sqrt(20 * math.log(2))), rel=1e-12)


def test_independence_gives_zero():
    g = g_test([[10, 20], [5, 10]])
    assert g.statistic == 0.0 and g.pvalue == 1.0


def test_williams_divisor_2x2_by_hand():
    a, b, c, d = 12, 5, 8, 15
    n = a + b + c + d
    q = 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
    plain = g_test([[a, b], [c, d]])
    w = g_test([[a, b], [c, d]], williams=True)
    assert w.q == pytest.approx(q, rel=1e-14)
    assert w.statistic == pytest.approx(plain.statistic / q, rel=1e-14)
    assert w.pvalue > plain.pvalue


tables = st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(1, 60), min_size=c, max_size=c), min_size=r, max_size=r)))


@given(tables)
def test_agrees_with_scipy(t):
    stat, p, df, _ = chi2_contingency(np.array(t), correction=False, lambda_="log-likelihood")
    g = g_test(t)
    assert g.df == df
    assert g.statistic == pytest.approx(stat, rel=1e-10, abs=1e-12)
    assert g.pvalue == pytest.approx(p, rel=1e-9, abs=1e-300)


def test_zero_cells_follow_0_log_0():
    # [[5, 0], [0, 5]]: only the two diagonal cells contribute: G = 2 * 2 * 5 ln 2
    g = g_test([[5, 0], [0, 5]])
    assert g.statistic == pytest.approx(20 * math.log(2), rel=1e-15)


def test_zero_margin_is_undefined():
    g = g_test([[0, 0], [3, 4]])
    assert math.isnan(g.statistic) and math.isnan(g.pvalue) and g.df == 1


@pytest.mark.parametrize("bad, match", [
    ([[1, 2]], "at least 2 rows"),
    ([[1, -2], [3, 4]], "non-negative"),
    ([[1.5, 2], [3, 4]], "integers"),
])
def test_bad_tables(bad, match):
    with pytest.raises(InvalidArgument, match=match):
        g_test(bad)
