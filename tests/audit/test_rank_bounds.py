"""Bounds behind the continuous checks: the F/t tail enclosure (ftail), the
exact Mann-Whitney distribution (ranks) and the ANOVA box extremes."""
from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from rparity.audit.ftail import f_tail
from rparity.audit.ranks import ArmQuantiles, mw_exact_cdf, u_range
from rparity.audit.ttest_bounds import weighted_ss_max, weighted_ss_min


@pytest.mark.parametrize("u, n1, n2, r", [(10, 5, 7, 0.1338384), (30, 8, 9, 0.3029206), (0, 12, 15, 5.752462e-08)])
def test_exact_mann_whitney_cdf_matches_r(u, n1, n2, r):
    # R: pwilcox(u, n1, n2)
    assert float(mw_exact_cdf(u, n1, n2)) == pytest.approx(r, rel=1e-3)


@settings(max_examples=50, deadline=None)
@given(d1=st.integers(1, 6), nu=st.tuples(st.floats(2, 200), st.floats(0, 0.5)),
       x=st.tuples(st.floats(0.01, 20), st.floats(0, 0.5)), t=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_f_tail_encloses_interior_points(d1, nu, x, t):
    nu_lo, nu_hi = F(nu[0]), F(nu[0]) * (1 + F(nu[1]))
    x_lo, x_hi = F(x[0]), F(x[0]) * (1 + F(x[1]))
    enc = f_tail(d1, (nu_lo, nu_hi), (x_lo, x_hi))
    v = float(nu_lo + (nu_hi - nu_lo) * F(t[0]))
    xx = float(x_lo + (x_hi - x_lo) * F(t[1]))
    p = float(special.fdtrc(d1, v, xx))
    assert enc.lo <= p <= enc.hi


def test_anova_extremes_are_the_box_extremes():
    boxes = [(F(1), F(2)), (F(3, 2), F(4)), (F(5), F(6))]
    w = [F(3), F(5), F(2)]
    grid = [np.linspace(float(a), float(b), 9) for a, b in boxes]

    def ss(m):
        c = sum(float(wi) * mi for wi, mi in zip(w, m)) / sum(map(float, w))
        return sum(float(wi) * (mi - c) ** 2 for wi, mi in zip(w, m))
    vals = [ss(m) for m in itertools.product(*grid)]
    lo, _ = weighted_ss_min(boxes, w)
    hi, _ = weighted_ss_max(boxes, w)
    assert float(lo) <= min(vals) + 1e-12 and min(vals) - float(lo) < 0.2
    assert float(hi) == pytest.approx(max(vals))


def test_u_range_of_disjoint_arms():
    a = ArmQuantiles(12, (F(19, 2), F(21, 2)), lo=(F(15, 2), F(17, 2)), hi=(F(23, 2), F(25, 2)))
    b = ArmQuantiles(15, (F(59, 2), F(61, 2)), lo=(F(49, 2), F(51, 2)), hi=(F(79, 2), F(81, 2)))
    assert u_range(a, b) == (0, 0)
    assert u_range(b, a) == (180, 180)
