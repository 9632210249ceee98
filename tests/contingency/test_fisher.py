"""fisher_test: closed forms (hypergeometric sums computed by hand with
math.comb), the spec's reference values (R 4.2.2, hex), the estimate's and the
interval's defining equations, R's shortcuts, and metamorphic properties."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyimpl import fisher_test
from pyimpl.contingency.fisher2x2 import _NCHyper

H = float.fromhex

# spec (survival-3.5.md section 4) tables, R 4.2.2's values
SPEC_2X2 = (H("0x1.f15f15f15f161p-2"), H("0x1.9a21bb839d3a2p+2"),
            H("0x1.b1a106d5ca7dep-3"), H("0x1.36f785234b984p+9"))
SPEC_2X4 = H("0x1.962955e700e6ap-1")  # 0.79328411526553322 (scipy's Monte Carlo: 0.7952)
SPEC_3X3 = H("0x1.5446a80ee7399p-2")  # 0.33230078307115601


def hand_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of [[a, b], [c, d]] from the hypergeometric probabilities
    C(m, x) C(n, k - x) / C(m + n, k), summing those <= P(a) (1 + 1e-7)."""
    m, n, k = a + c, b + d, a + b
    lo, hi = max(0, k - n), min(k, m)
    probs = {x: Fraction(math.comb(m, x) * math.comb(n, k - x), math.comb(m + n, k)) for x in range(lo, hi + 1)}
    limit = probs[a] * Fraction(1 + 1e-7)
    return float(sum(p for p in probs.values() if p <= limit))


def hand_one_sided(a: int, b: int, c: int, d: int, lower: bool) -> float:
    m, n, k = a + c, b + d, a + b
    lo, hi = max(0, k - n), min(k, m)
    xs = range(lo, a + 1) if lower else range(a, hi + 1)
    return float(sum(Fraction(math.comb(m, x) * math.comb(n, k - x), math.comb(m + n, k)) for x in xs))


TABLES_2X2 = [(3, 1, 1, 3), (12, 5, 7, 7), (0, 5, 3, 2), (5, 0, 3, 2), (10, 2, 3, 15), (20, 30, 25, 15),
              (100, 80, 60, 90), (1, 9, 11, 3), (2, 2, 2, 2), (0, 0, 3, 4)]


@pytest.mark.parametrize("a, b, c, d", TABLES_2X2)
def test_2x2_pvalues_equal_the_hypergeometric_sums(a, b, c, d):
    t = [[a, b], [c, d]]
    assert fisher_test(t).pvalue == pytest.approx(hand_two_sided(a, b, c, d), rel=1e-13)
    assert fisher_test(t, alternative="less").pvalue == pytest.approx(hand_one_sided(a, b, c, d, True), rel=1e-13)
    assert fisher_test(t, alternative="greater").pvalue == pytest.approx(
        hand_one_sided(a, b, c, d, False), rel=1e-13)


def test_spec_2x2_is_rs_to_the_bit():
    r = fisher_test([[3, 1], [1, 3]])
    assert (r.pvalue, r.estimate, *r.conf_int) == SPEC_2X2
    assert r.pvalue == pytest.approx(17 / 35, rel=1e-15)  # hand: (1 + 16 + 16 + 1) / 70


def test_spec_rxc_tables():
    assert fisher_test([[1, 3, 1, 4], [3, 5, 1, 3]]).pvalue == pytest.approx(SPEC_2X4, rel=1e-14)
    assert fisher_test([[2, 2, 0], [7, 7, 3], [8, 1, 2]]).pvalue == pytest.approx(SPEC_3X3, rel=1e-14)


def test_rxc_has_no_estimate_or_interval():
    r = fisher_test([[2, 2, 0], [7, 7, 3], [8, 1, 2]])
    assert math.isnan(r.estimate)
    assert np.isnan(r.conf_int).all() and r.conf_int.shape == (2,)


@pytest.mark.parametrize("a, b, c, d", [(3, 1, 1, 3), (12, 5, 7, 7), (10, 2, 3, 15), (1, 9, 11, 3)])
def test_estimate_solves_the_conditional_likelihood_equation(a, b, c, d):
    # the conditional MLE t solves E[x; t] = x, to uniroot's tolerance (2^-13)
    h = _NCHyper(a, a + c, b + d, a + b)
    t = fisher_test([[a, b], [c, d]]).estimate
    assert abs(h.mnhyper(t) - a) < 1e-3
    # and it is not the sample odds ratio (scipy's answer)
    assert t != pytest.approx(a * d / (b * c), rel=1e-3)


@pytest.mark.parametrize("a, b, c, d", [(3, 1, 1, 3), (12, 5, 7, 7), (10, 2, 3, 15)])
def test_interval_limits_solve_the_tail_equations(a, b, c, d):
    h = _NCHyper(a, a + c, b + d, a + b)
    r = fisher_test([[a, b], [c, d]], conf_level=0.9)
    lo, hi = r.conf_int
    assert h.pnhyper(a, lo, upper_tail=True) == pytest.approx(0.05, abs=2e-3)
    assert h.pnhyper(a, hi) == pytest.approx(0.05, abs=2e-3)
    assert lo < r.estimate < hi


def test_estimate_shortcuts():
    at_lo = fisher_test([[0, 5], [3, 2]])
    assert at_lo.estimate == 0.0 and at_lo.conf_int[0] == 0.0
    at_hi = fisher_test([[5, 0], [3, 2]])
    assert at_hi.estimate == math.inf and at_hi.conf_int[1] == math.inf
    assert fisher_test([[2, 2], [2, 2]]).estimate == 1.0  # E[x; 1] == x exactly
    empty = fisher_test([[0, 0], [0, 0]])  # R: p = 1, estimate 0, (0, Inf)
    assert (empty.pvalue, empty.estimate, *empty.conf_int) == (1.0, 0.0, 0.0, math.inf)


def test_one_sided_intervals_and_null_odds_ratio():
    less = fisher_test([[10, 2], [3, 15]], alternative="less")
    greater = fisher_test([[10, 2], [3, 15]], alternative="greater")
    assert less.conf_int[0] == 0.0 and greater.conf_int[1] == math.inf
    assert fisher_test([[10, 2], [3, 15]], or_=0.0).pvalue == 0.0  # x != lo
    assert fisher_test([[10, 2], [3, 15]], or_=math.inf).pvalue == 0.0  # x != hi
    assert fisher_test([[0, 5], [3, 2]], or_=0.0).pvalue == 1.0
    # under or = 0 the count sits at lo: P(X >= x) = 0, P(X <= x) = 1
    assert fisher_test([[10, 2], [3, 15]], alternative="greater", or_=0.0).pvalue == 0.0
    assert fisher_test([[10, 2], [3, 15]], alternative="less", or_=0.0).pvalue == 1.0
    assert fisher_test([[10, 2], [3, 15]], alternative="greater", or_=math.inf).pvalue == 1.0
    no_ci = fisher_test([[20, 30], [25, 15]], conf_int=False)
    assert np.isnan(no_ci.conf_int).all()
    assert no_ci.estimate == fisher_test([[20, 30], [25, 15]]).estimate


def test_2x2_pvalue_is_not_clamped_as_in_r():
    assert fisher_test([[3, 2], [4, 2]]).pvalue == 1.0000000000000002  # R 4.2.2


def test_accepts_dataframes_and_float_counts():
    df = pd.DataFrame({"a": [3, 1], "b": [1, 3]})
    assert fisher_test(df).pvalue == SPEC_2X2[0]
    assert fisher_test(np.array([[3.0, 1.0], [1.0, 3.0]])).pvalue == SPEC_2X2[0]


tables = st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 6), min_size=c, max_size=c), min_size=r, max_size=r)))


@given(tables)
def test_rxc_pvalue_is_invariant_to_transposing_and_permuting(t):
    t = np.array(t)
    if t.sum() == 0:
        return
    p = fisher_test(t).pvalue
    # R clamps r x c p-values to [0, 1] but not 2 x 2 ones, a long-double sum
    # of probabilities that can exceed 1 by an ulp (R: [[3, 2], [4, 2]] gives
    # 1.0000000000000002)
    assert 0.0 <= p <= (1.0 + 4.5e-16 if t.shape == (2, 2) else 1.0)
    if t.shape == (2, 2):
        # swapping the columns inverts the odds ratio, the two-sided p is kept
        r, s = fisher_test(t), fisher_test(t[:, ::-1])
        assert s.pvalue == pytest.approx(r.pvalue, rel=1e-12)
        if 0 < r.estimate < math.inf:
            assert s.estimate == pytest.approx(1 / r.estimate, rel=1e-3)
        return
    assert fisher_test(t.T).pvalue == pytest.approx(p, rel=1e-12)
    assert fisher_test(t[::-1, ::-1]).pvalue == pytest.approx(p, rel=1e-12)
