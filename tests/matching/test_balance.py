"""Balance tables of summary.matchit on hand-checkable data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pyimpl


def tiny():
    # 3 treated, 5 controls; distance given, so the matching is known
    return pd.DataFrame({
        "treat": [1, 1, 1, 0, 0, 0, 0, 0],
        "x": [2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0, 9.0],
        "b": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
    })


def test_means_smd_and_pair_distance_by_hand():
    d = tiny()
    dist = np.array([2, 4, 6, 1, 3, 5, 7, 9]) / 16  # exact binary fractions: exact ties
    m = pyimpl.matchit(d, "treat", ["x", "b"], distance=dist, m_order="data")
    # documented nearest, data order: 2 -> 1 (tie with 3 goes left), 4 -> 3, 6 -> 5
    assert m.match_positions[:, 0].tolist() == [3, 4, 5]
    s = m.summary()
    x_t, x_c_all = np.array([2, 4, 6.0]), np.array([1, 3, 5, 7, 9.0])
    sd_t = np.sqrt(np.var(x_t, ddof=1))
    assert s.all.loc["x", "means_treated"] == pytest.approx(4.0)
    assert s.all.loc["x", "means_control"] == pytest.approx(5.0)
    assert s.all.loc["x", "std_mean_diff"] == pytest.approx((4 - 5) / sd_t)
    assert s.all.loc["x", "var_ratio"] == pytest.approx(np.var(x_t, ddof=1) / np.var(x_c_all, ddof=1))
    assert s.matched.loc["x", "means_control"] == pytest.approx(3.0)
    assert s.matched.loc["x", "std_mean_diff"] == pytest.approx(1 / sd_t)
    assert s.matched.loc["x", "std_pair_dist"] == pytest.approx(1 / sd_t)
    assert np.isnan(s.all.loc["x", "std_pair_dist"])
    # binary: SMD over sqrt(p(1-p)) of the treated, eCDF = |difference|, no variance ratio
    p_t = 2 / 3
    assert s.all.loc["b", "std_mean_diff"] == pytest.approx((p_t - 2 / 5) / np.sqrt(p_t * (1 - p_t)))
    assert s.all.loc["b", "ecdf_max"] == pytest.approx(abs(p_t - 2 / 5))
    assert np.isnan(s.all.loc["b", "var_ratio"])
    # eCDF of x, all units: sorted 1..9 alternate groups; the running |F_t - F_c|
    steps = [(0, 1), (1, 1), (1, 2), (2, 2), (2, 3), (3, 3), (3, 4), (3, 5)]
    assert s.all.loc["x", "ecdf_max"] == pytest.approx(max(abs(a / 3 - b / 5) for a, b in steps))
    nn = s.nn
    assert nn.loc["all", "treated"] == 3 and nn.loc["all", "control"] == 5
    assert nn.loc["matched", "control"] == 3 and nn.loc["unmatched", "control"] == 2


def test_tiny_difference_shows_raw_difference():
    d = tiny()
    d["c"] = 1.0  # constant: difference 0 -> raw difference, eCDF 0
    m = pyimpl.matchit(d, "treat", ["x", "c"], distance=np.linspace(0, 1, 8))
    row = m.summary().all.loc["c"]
    assert row.std_mean_diff == 0.0 and row.ecdf_mean == 0.0 and np.isnan(row.var_ratio)


def test_match_data_keeps_matched_rows_in_order():
    d = tiny()
    m = pyimpl.matchit(d, "treat", ["x"], distance=np.array([0.2, 0.4, 0.6, 0.1, 0.3, 0.5, 0.7, 0.9]))
    md = m.match_data()
    assert md.index.tolist() == [0, 1, 2, 3, 4, 5]
    assert list(md.columns[-3:]) == ["distance", "weights", "subclass"]
    assert (md.weights == 1).all()
    # every subclass holds one treated and one control
    assert md.groupby("subclass", observed=True).treat.agg(["sum", "count"]).eq([1, 2]).all().all()


def test_match_matrix_uses_row_labels():
    d = tiny()
    d.index = [f"u{i}" for i in range(8)]
    m = pyimpl.matchit(d, "treat", ["x"], distance=np.array([0.2, 0.4, 0.6, 0.1, 0.3, 0.5, 0.7, 0.9]))
    assert m.match_matrix.index.tolist() == ["u0", "u1", "u2"]
    assert m.match_matrix[1].tolist() == ["u3", "u4", "u5"]


def test_zero_spread_gives_infinite_standardised_values_like_r():
    # c: treated all 0, controls all 1 -> the treated SD and the pooled SD are
    # 0, so R divides by 0: SMD -Inf, pair distance Inf (checked against R)
    d = pd.DataFrame({"treat": [0, 0, 0, 1, 0, 1], "c": [1.0, 1, 1, 0, 1, 0], "x": [1.0, 2, 3, 4, 5, 6]})
    m = pyimpl.matchit(d, "treat", ["c", "x"], distance=np.array([1, 2, 3, 4, 5, 6]) / 8)
    row = m.summary().matched.loc["c"]
    assert row.std_mean_diff == -np.inf and row.std_pair_dist == np.inf
