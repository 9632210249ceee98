"""The O(n log n) matcher against the slow references (no R needed).

* compat mode == the literal scan of MatchIt 4.5.1's loop (spec section 2);
* documented mode == the scan with true distances, and == the brute-force
  minimisation (the oracle for the algorithm no installed R provides).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from pyimpl.matching.nearest import nn_match, ta

from .reference import brute_force_documented, scan_match, ta_ref
from .strategies import distance_problems


def _fast(p, compat):
    return nn_match(p["focal"], p["ord_"], p["ratio"], p["discarded"], p["replace"], p["distance"],
                    p["caliper"], compat).tolist()


def _args(p):
    return (p["focal"].tolist(), p["ord_"].tolist(), p["ratio"], p["discarded"].tolist(), p["replace"],
            p["distance"].tolist(), p["caliper"])


@given(distance_problems())
@settings(max_examples=300)
def test_compat_equals_scan_of_451_loop(p):
    assert _fast(p, True) == scan_match(*_args(p), compat=True)


@given(distance_problems())
@settings(max_examples=300)
def test_documented_equals_scan(p):
    assert _fast(p, False) == scan_match(*_args(p), compat=False)


@given(distance_problems())
@settings(max_examples=300)
def test_documented_equals_brute_force_oracle(p):
    assert _fast(p, False) == brute_force_documented(*_args(p))


def test_spec_examples_of_the_two_bugs():
    # spec: treated at 0.5, controls 0.1 and 0.51 -> 4.5.1 takes 0.1 (integer abs)
    focal = np.array([True, False, False])
    d = np.array([0.5, 0.1, 0.51])
    args = (focal, np.array([0]), 1, np.zeros(3, bool), False, d, None)
    assert nn_match(*args, compat=True).tolist() == [[1]]
    assert nn_match(*args, compat=False).tolist() == [[2]]
    # spec: t=(1,0,0,0), ps=(.5,.45,.4,.3), ratio 2 -> rows 2 and 4 (1-based), not 2 and 3
    focal = np.array([True, False, False, False])
    d = np.array([0.5, 0.45, 0.4, 0.3])
    args = (focal, np.array([0]), 2, np.zeros(4, bool), False, d, None)
    assert nn_match(*args, compat=True).tolist() == [[1, 3]]
    assert nn_match(*args, compat=False).tolist() == [[1, 2]]
    # spec: with replacement and ratio > 1, 4.5.1 reuses the same control
    args = (focal, np.array([0]), 3, np.zeros(4, bool), True, d, None)
    assert nn_match(*args, compat=True).tolist() == [[1, 1, 1]]
    assert nn_match(*args, compat=False).tolist() == [[1, 2, 3]]


def test_all_equal_distances_take_the_nearest_preceding_rows():
    # spec: with all PS equal, treated rows 10, 11, 12 got controls 9, 8, 7 (1-based)
    n = 12
    focal = np.zeros(n, bool)
    focal[9:] = True
    mm = nn_match(focal, np.arange(3), 1, np.zeros(n, bool), False, np.full(n, 0.3), None, compat=True)
    assert (mm[:, 0] + 1).tolist() == [9, 8, 7]


def test_caliper_on_probability_scale_never_binds_in_451():
    focal = np.array([True, False])
    d = np.array([0.9, 0.1])
    assert nn_match(focal, np.array([0]), 1, np.zeros(2, bool), False, d, 0.01, compat=True).tolist() == [[1]]
    assert nn_match(focal, np.array([0]), 1, np.zeros(2, bool), False, d, 0.01, compat=False).tolist() == [[-1]]


@pytest.mark.parametrize("x", [0.0, 0.99, -0.99, 1.0, -1.5, 2.7, 2147483647.9, 2147483648.0, -2147483648.5,
                               -2147483649.0, 1e300, -1e300, float("nan")])
def test_ta_matches_reference(x):
    assert ta(x) == ta_ref(x)


def test_ta_out_of_range_is_int_min():
    assert ta(3e9) == -(2**31)
    assert ta(-2147483648.0) == -(2**31)
    assert ta(-2147483647.0) == 2147483647
