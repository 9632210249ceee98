"""chisq_test: closed forms (Yates' 2 x 2 formula, erfc for df = 1), the spec's
reference values, R's warning and R's zero-margin behaviour."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyimpl import RParityWarning, chisq_test
from pyimpl.contingency import CHISQ_WARNING

H = float.fromhex
SPEC_CHISQ = (H("0x1.4840ea4c76cf6p-1"), H("0x1.b176fa26bc9c4p-2"))  # [[12, 7], [5, 7]]
SPEC_CHISQ_UNCORRECTED = (H("0x1.5f2431aaee4cap+0"), H("0x1.eea6e68117d31p-3"))


def yates(a, b, c, d) -> float:
    """n (|ad - bc| - n/2)^2 / (r1 r2 c1 c2), valid when every |x - E| >= 1/2."""
    n = a + b + c + d
    return n * (abs(a * d - b * c) - n / 2) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))


def test_spec_table_is_rs():
    r = chisq_test([[12, 7], [5, 7]])
    assert r.statistic == SPEC_CHISQ[0]
    assert r.pvalue == pytest.approx(SPEC_CHISQ[1], rel=1e-13)
    u = chisq_test([[12, 7], [5, 7]], correct=False)
    assert u.statistic == SPEC_CHISQ_UNCORRECTED[0]
    assert u.pvalue == pytest.approx(SPEC_CHISQ_UNCORRECTED[1], rel=1e-13)
    assert r.df == u.df == 1


@pytest.mark.parametrize("a, b, c, d", [(12, 7, 5, 7), (100, 80, 60, 90), (20, 30, 25, 15), (31, 9, 12, 28)])
def test_2x2_closed_forms(a, b, c, d):
    r = chisq_test([[a, b], [c, d]])
    assert r.statistic == pytest.approx(yates(a, b, c, d), rel=1e-13)
    assert r.pvalue == pytest.approx(math.erfc(math.sqrt(r.statistic / 2)), rel=1e-13)
    n = a + b + c + d
    u = chisq_test([[a, b], [c, d]], correct=False)
    assert u.statistic == pytest.approx(n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d)),
                                        rel=1e-13)
    # for 2 x 2 every standardized residual is +-sqrt(X^2) uncorrected
    assert np.abs(u.stdres) == pytest.approx(np.full((2, 2), math.sqrt(u.statistic)), rel=1e-13)


def test_rxc_statistic_expected_and_residuals():
    x = np.array([[2, 2, 0], [7, 7, 3], [8, 1, 2]], dtype=float)
    sr, sc, n = x.sum(1), x.sum(0), x.sum()
    e = np.outer(sr, sc) / n
    with pytest.warns(RParityWarning, match="Chi-squared approximation may be incorrect"):
        r = chisq_test(x)
    assert r.expected == pytest.approx(e, rel=1e-15)
    assert r.statistic == pytest.approx(((x - e) ** 2 / e).sum(), rel=1e-13)
    assert r.df == 4
    assert r.residuals == pytest.approx((x - e) / np.sqrt(e), rel=1e-14)
    v = np.outer(sr * (n - sr), sc * (n - sc)) / n**3
    assert r.stdres == pytest.approx((x - e) / np.sqrt(v), rel=1e-13)
    # correct=TRUE does nothing beyond 2 x 2
    with pytest.warns(RParityWarning):
        assert chisq_test(x, correct=False).statistic == r.statistic


def test_yates_is_capped_by_the_smallest_deviation():
    # min |x - E| = 0.2558... < 0.5: R subtracts that, not 0.5
    x = np.array([[10.0, 11.0], [11.0, 11.0]])
    e = np.outer(x.sum(1), x.sum(0)) / x.sum()
    y = np.abs(x - e).min()
    assert y < 0.5
    assert chisq_test(x).statistic == pytest.approx((((np.abs(x - e) - y) ** 2) / e).sum(), abs=1e-15)


def test_warning_text_stacklevel_and_record():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = chisq_test([[1, 2], [3, 4]])
    assert [str(w.message) for w in caught] == [CHISQ_WARNING]
    assert caught[0].category is RParityWarning
    assert caught[0].filename == __file__  # stacklevel=2: the caller's line
    assert r.warnings == ("Chi-squared approximation may be incorrect",)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert chisq_test([[12, 7], [5, 7]]).warnings == ()


def test_zero_margin_gives_nan_as_in_r():
    # R: statistic NaN, p NaN, residuals NaN where E = 0, stdres all NaN, and the warning
    with pytest.warns(RParityWarning, match="Chi-squared approximation may be incorrect"):
        r = chisq_test([[1, 2, 3], [0, 0, 0]])
    assert math.isnan(r.statistic) and math.isnan(r.pvalue)
    assert r.df == 2
    assert (r.residuals[0] == 0).all() and np.isnan(r.residuals[1]).all()
    assert np.isnan(r.stdres).all()


tables = st.integers(2, 4).flatmap(lambda r: st.integers(2, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r)))


@given(tables)
def test_statistic_is_invariant_to_transposing(t):
    t = np.array(t, dtype=float)
    if t.sum() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = chisq_test(t), chisq_test(t.T)
    if math.isnan(a.statistic):
        assert math.isnan(b.statistic)
        return
    assert b.statistic == pytest.approx(a.statistic, rel=1e-12, abs=1e-300)
    assert b.expected == pytest.approx(a.expected.T, rel=1e-15)
    assert a.warnings == b.warnings
