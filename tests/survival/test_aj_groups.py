"""The Aalen-Johansen jackknife by groups of identical rows gives the same
bits as the loop over every subject (survfitci.c's, as pyimpl ran it before:
kept here as the reference), on random competing-risks data with ties,
weights (zero ones too), one to three causes, and blocks of event times of
every size."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyimpl
from pyimpl.survival import aj
from pyimpl.survival.aj import _seq_sum, _u_times_h, add_dh


def _by_subject(n: int, nstate: int, subj: np.ndarray, st: np.ndarray, ws_sorted: np.ndarray,
                         first: np.ndarray, upd: np.ndarray, h: np.ndarray, p_after: np.ndarray, p0: np.ndarray,
                         ws0: np.ndarray, wt: np.ndarray, subject: np.ndarray) -> np.ndarray:
    """survfitci.c's jackknife for :func:`_one_start_curve` (rows of ``vmat``
    at the update times ``upd``; U starts at 0): at each event time ``U <- U
    H`` and the dH term for the subjects still at risk (:func:`add_dh`), then
    ``std.err = sqrt(sum_i w_i^2 U[i, k]^2)`` added subject after subject."""
    ntime = first.size
    vmat = np.zeros((ntime, nstate))
    ut = np.zeros((nstate, n))
    buf, buf2 = np.zeros(n), np.zeros(n)
    wtp = np.zeros(n)
    wtp[subject] = wt
    w2 = wtp * wtp
    unit = bool(np.all(w2 == 1.0))
    dstate = np.zeros(n, dtype=np.intp)
    dstate[subj] = np.where(st > 0, st - 1, 0)
    atrisk = np.ones(n, dtype=bool)
    risk = np.ones(n)
    cstate = np.zeros(n, dtype=np.intp)
    gone = 0  # rows (in time order) that have left the risk set
    ends = np.append(first[1:], subj.size)
    hmat = np.eye(nstate)
    ns = np.zeros(nstate, dtype=np.int64)
    p = p0.astype(float).copy()
    wsv = np.zeros(nstate)
    for k, j in enumerate(upd.tolist()):
        out = subj[gone:first[j]]
        atrisk[out] = False
        risk[out] = 0.0
        gone = first[j]
        hmat[0] = h[k]
        ns[0] = n - first[j]
        if k > 0:
            p = p_after[k - 1]
        wsv[0] = ws0[j]
        ut = _u_times_h(ut, hmat, ns, buf)
        rows = slice(first[j], ends[j])
        moved = subj[rows][st[rows] > 0]
        add_dh(ut, atrisk, cstate, dstate, hmat, p, wsv, ns, moved, risk, buf)
        for col in range(nstate):  # survfitci.c: temp += wtp[k] * wtp[k] * umat[k][j] * umat[k][j]
            if unit:
                np.multiply(ut[col], ut[col], out=buf)
            else:
                np.multiply(w2, ut[col], out=buf)
                np.multiply(buf, ut[col], out=buf)
            vmat[j, col] = np.sqrt(_seq_sum(buf, buf2))
    return vmat


def _fit(t, e, w):
    return pyimpl.survfit_ms(t, e, weights=w, conf_type="none")


def _data(rng, n, ntimes, ncause, weights):
    t = rng.integers(1, ntimes + 1, n).astype(float)
    codes = rng.integers(0, ncause + 1, n)
    e = pd.Categorical.from_codes(codes, ["censor"] + [f"c{k}" for k in range(ncause)])
    w = None
    if weights == "random":
        w = rng.uniform(0.2, 3.0, n)
    elif weights == "zeros":
        w = rng.choice([0.0, 1.0, 2.5], n)
    return t, e, w


@pytest.mark.parametrize("weights", [None, "random", "zeros"])
@pytest.mark.parametrize("ncause", [1, 2, 3])
def test_grouped_jackknife_is_the_subject_loop(monkeypatch, weights, ncause):
    rng = np.random.default_rng(ncause * 7 + len(str(weights)))
    t, e, w = _data(rng, 3000, 60, ncause, weights)
    calls = []
    grouped = aj._one_start_jackknife
    monkeypatch.setattr(aj, "_one_start_jackknife", lambda *a: calls.append(1) or grouped(*a))
    fast = _fit(t, e, w)
    assert calls  # the one-start path ran
    monkeypatch.setattr(aj, "_one_start_jackknife", _by_subject)
    slow = _fit(t, e, w)
    np.testing.assert_array_equal(fast.pstate, slow.pstate)
    np.testing.assert_array_equal(np.asarray(fast.std_err).view(np.int64), np.asarray(slow.std_err).view(np.int64))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), ntimes=st.integers(1, 12),
       ncause=st.integers(1, 3), weights=st.sampled_from([None, "random", "zeros"]),
       block=st.integers(1, 9), chunk=st.integers(1, 7))
def test_grouped_jackknife_on_small_random_data(seed, n, ntimes, ncause, weights, block, chunk):
    rng = np.random.default_rng(seed)
    t, e, w = _data(rng, n, ntimes, ncause, weights)
    ref = aj._one_start_jackknife
    old_block, old_chunk = aj._JK_BLOCK_COLS, aj._JK_CHUNK
    try:
        aj._one_start_jackknife = _by_subject
        slow = _fit(t, e, w)
        aj._one_start_jackknife = ref
        aj._JK_BLOCK_COLS, aj._JK_CHUNK = block, chunk  # blocks of a few event times, chunks of a few subjects
        fast = _fit(t, e, w)
    finally:
        aj._one_start_jackknife = ref
        aj._JK_BLOCK_COLS, aj._JK_CHUNK = old_block, old_chunk
    a, b = np.asarray(fast.std_err), np.asarray(slow.std_err)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_array_equal(a[~np.isnan(a)].view(np.int64), b[~np.isnan(b)].view(np.int64))
