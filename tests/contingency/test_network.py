"""The r x c network algorithm against a deliberately naive enumeration
(``_naive.py``: itertools, integer weights, exact rationals), under every
choice of phases, plus FEXACT's log-factorial table and the work limit."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyimpl import InvalidArgument, fisher_test
from pyimpl.contingency.network import fisher_rxc_pvalue
from pyimpl.contingency.rxc_table import FEXACT_TOL, RxCControl, fexact_log_factorials

from ._naive import naive_fisher_pvalue

CONTROLS = {
    "default": RxCControl(),
    "forward-to-the-end": RxCControl(switch=0.0, chunk=5),  # tiny chunks: many blocks
    "backward-from-root": RxCControl(switch=math.inf, dense_nodes=0),  # sorted node lookup
}

SMALL = [
    [[2, 2, 0], [7, 7, 3], [8, 1, 2]],
    [[1, 3, 1, 4], [3, 5, 1, 3]],
    [[3, 1, 0, 2], [1, 4, 2, 0], [0, 2, 3, 1]],
    [[5, 0, 2], [1, 6, 0], [2, 1, 4]],
    [[10, 20, 0], [30, 40, 0]],  # zero column
    [[1, 2, 3], [0, 0, 0]],  # one possible table
    [[2, 2, 2, 2, 2], [2, 2, 2, 2, 2]],  # equal columns: paths merge
    [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]],  # ties everywhere
    [[4, 0], [0, 4], [2, 2], [1, 3]],  # more rows than columns: transposed
    [[3, 0, 0], [0, 3, 0], [0, 0, 3]],
    [[1, 0, 2, 1, 0, 3], [2, 1, 0, 0, 1, 1]],
]


@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("table", SMALL, ids=[str(t) for t in SMALL])
def test_network_equals_naive_enumeration(table, control):
    ref = naive_fisher_pvalue(table)
    assert fisher_rxc_pvalue(np.array(table), control) == pytest.approx(ref, rel=1e-13)


small_tables = st.integers(2, 4).flatmap(lambda r: st.integers(2, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 4), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=40)
@given(small_tables, st.sampled_from(sorted(CONTROLS)))
def test_network_equals_naive_on_random_tables(t, which):
    t = np.array(t)
    if t.sum() == 0 or t.sum() > 18 or t.size > 16:
        return
    assert fisher_rxc_pvalue(t, CONTROLS[which]) == pytest.approx(naive_fisher_pvalue(t), rel=1e-13)


def test_fexact_log_factorials_follow_fexacts_recursion():
    f = fexact_log_factorials(1000)
    exact = [math.lgamma(i + 1) for i in range(1001)]
    assert f[0] == f[1] == 0.0 and f[2] == math.log(2.0)
    assert f[3] == math.log(2.0) + math.log(3.0)
    assert f[4] == f[3] + f[2] + f[2] - f[1]  # even i: fact[i-1] + log 2 + log(i/2)
    # close to the true log-factorials, but not equal: R's p-values carry the drift
    assert np.max(np.abs(f - exact)) < 1e-10
    assert np.max(np.abs(f - exact)) > 1e-13


def test_ties_count_within_fexacts_tolerance():
    # every table of this symmetric 2 x 2 x ... layout ties with its mirror image
    t = np.array([[3, 1, 2], [1, 3, 2]])
    assert fisher_rxc_pvalue(t) == pytest.approx(naive_fisher_pvalue(t), rel=1e-13)
    assert FEXACT_TOL == 3.45254e-7


def test_lalonde_race_by_treatment_reproduces_fexacts_rounding():
    # R 4.2.2: fisher.test(table(lalonde$race, lalonde$treat))$p.value
    r_value = 3.105468560104721e-52
    exact = 3.1054685601684986e-52  # exact rational enumeration
    p = fisher_test([[87, 156], [61, 11], [281, 18]]).pvalue
    assert p == pytest.approx(r_value, rel=1e-14)
    assert abs(exact - r_value) / exact > 1e-11  # the drift of FEXACT's fact table


def test_large_tables_are_answered_quickly_or_refused():
    # 2 x 8, N = 500, p ~ 9e-26: R's FEXACT fails at its default workspace
    t = np.array([[20, 25, 30, 35, 40, 45, 50, 5], [40, 35, 30, 25, 20, 15, 10, 75]])
    assert fisher_test(t).pvalue == pytest.approx(8.797664e-26, rel=1e-6)
    with pytest.raises(InvalidArgument, match=r"`table` is too large for exact enumeration: this 2 x 8 table "
                                              r"with N = 500 needs more than .* steps \(limit 1e\+04"):
        fisher_test(t, control=RxCControl(max_work=1e4))
