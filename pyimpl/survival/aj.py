"""The Aalen-Johansen estimate of one curve: survival 3.5-3's ``survfitci.c``
(called by ``docurve2`` in ``survfitCI.R``), operation for operation.

At each unique time ``t`` (the ``etime`` in order; a subject enters the risk
set when its ``entry`` is before ``t``):

* ``H`` is the one-step transition matrix: ``H[j, k] = w(j -> k) / ws[j]``
  (``ws`` the weighted number at risk in state ``j``), ``H[j, j] = 1 - sum_k
  w(j -> k) / ws[j]``, the identity row for a state with nobody at risk;
* ``p <- p H`` and the cumulative hazard ``C <- C + H - I``, only when an
  event of positive weight happened at ``t``;
* the infinitesimal-jackknife influence ``U`` of every subject on ``p``
  (``se.fit``): ``U <- U H``, then for each subject at risk in state ``j``,
  ``U[i, ] -= H[j, ] p[j] / ws[j]`` and ``U[i, next state] += p[j] / ws[j]``;
  ``std.err = sqrt(sum_i w_i^2 U[i, k]^2)``.

Sums run in the C code's order (sequential, a plain multiply then add), so
every number is R's to the last bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AJCurve", "aalen_johansen", "add_dh"]


@dataclass(frozen=True)
class AJCurve:
    """``survfitci``'s output for one curve (rows: the unique times)."""

    time: np.ndarray
    n_risk: np.ndarray  # times x states (integer counts)
    n_event: np.ndarray  # times x states
    n_censor: np.ndarray  # times
    pstate: np.ndarray  # times x states
    cumhaz: np.ndarray  # times x (states x states): column from + to * nstate holds C[from, to]
    std_err: np.ndarray | None  # times x states
    # influence.pstate: subjects x (1 + times) x states, U before the first time (i0) then after each time
    influence: np.ndarray | None = None


def _seq_sum_rows(a: np.ndarray) -> np.ndarray:
    """Column sums of ``a`` (subjects x states) added subject after subject from
    0, as the C loop ``temp += ...``. numpy adds pairwise only along a
    contiguous axis: along axis 0 of a C-ordered matrix of 2 or more columns
    it adds row after row (checked against the explicit loop in the tests)."""
    if a.shape[0] == 0:
        return np.zeros(a.shape[1])
    if a.ndim == 2 and a.shape[1] > 1 and a.flags.c_contiguous:
        return a.sum(axis=0)
    return np.cumsum(a, axis=0)[-1]


def _u_times_h(umat: np.ndarray, hmat: np.ndarray, ns: np.ndarray) -> np.ndarray:
    """survfitci.c's ``U = U %*% H``, each product summed over kk from 0 (a plain
    multiply then add). When nobody is at risk outside state 0 (right-censored
    competing risks), rows 1.. of H are the identity's (checked: on (start, stop]
    data that survfitCI's merge of rows misaligns, a state with no one counted at
    risk may still have moves out of it), and the sums are
    ``U[, 0] H[0, 0]`` and ``U[, 0] H[0, c] + U[, c]``: the terms the C loop adds
    besides these are exact zeros (a zero's sign aside, which nothing after
    reads: U is only squared or multiplied)."""
    nstate = hmat.shape[0]
    if not ns[1:].any() and np.array_equal(hmat[1:], np.eye(nstate)[1:]):
        u0 = umat[:, 0].copy()
        umat[:, 0] = u0 * hmat[0, 0]
        for col in range(1, nstate):
            umat[:, col] = u0 * hmat[0, col] + umat[:, col]
        return umat
    new_u = np.zeros_like(umat)
    for col in range(nstate):
        acc = np.zeros(umat.shape[0])
        for kk in range(nstate):
            acc += umat[:, kk] * hmat[kk, col]
        new_u[:, col] = acc
    return new_u


def add_dh(umat: np.ndarray, atrisk: np.ndarray, cstate: np.ndarray, dstate: np.ndarray, hmat: np.ndarray,
           p: np.ndarray, ws: np.ndarray, ns: np.ndarray) -> None:
    """survfitci.c's "step 2, add in dH term", in place, for the subjects at
    risk (``atrisk``, a mask): ``U[i, k] -= H[j, k] * p[j] / ws[j]`` (j the
    subject's state), then ``U[i, next state] += p[j] / ws[j]``. When every
    subject at risk is in state 0, each term is one number for all of them,
    added to the whole column times the mask (0 elsewhere: ``x - 0`` is x).
    (Checked on the subjects: misaligned (start, stop] data can leave one at
    risk in a state whose count is 0.)"""
    nstate = hmat.shape[1]
    if not ns[1:].any() and not cstate[atrisk].any():
        f = atrisk.astype(float)
        for col in range(nstate):
            term = hmat[0, col] * p[0] / ws[0]
            if np.isfinite(term):
                umat[:, col] -= term * f
            else:  # ws[0] == 0 (nobody, or only zero weights, at risk): the C code touches the subjects at risk only
                umat[atrisk, col] -= term
        pw = p[0] / ws[0]
        moved = atrisk & (dstate != 0)
        umat[np.flatnonzero(atrisk & ~moved), 0] += pw
        idx = np.flatnonzero(moved)
        umat[idx, dstate[idx]] += pw
        return
    who = np.flatnonzero(atrisk)
    old = cstate[who]
    for col in range(nstate):
        umat[who, col] -= hmat[old, col] * p[old] / ws[old]
    umat[who, dstate[who]] += p[old] / ws[old]


def aalen_johansen(entry: np.ndarray, etime: np.ndarray, status: np.ndarray, cstate: np.ndarray,
                   wt: np.ndarray, subject: np.ndarray, nsubject: int, p0: np.ndarray, i0: np.ndarray,
                   se_fit: bool, influence: bool = False) -> AJCurve:
    """One curve. ``status``: 0 censored, k > 0 a move to state k - 1 (0-based);
    ``cstate``: each subject's initial state (0-based); ``subject``: the
    subject (0-based) of each row; ``i0``: the initial influence (subjects x
    states). The rows' sort orders are R's ``order(entry)`` and
    ``order(etime)`` (stable)."""
    n = etime.size
    nstate = p0.size
    sort1 = np.argsort(entry, kind="stable")
    sort2 = np.argsort(etime, kind="stable")
    timeset = np.unique(etime)
    ntime = timeset.size
    cstate = cstate.astype(np.intp).copy()
    dstate = cstate.copy()
    p = p0.astype(float).copy()
    ws = np.zeros(nstate)
    ns = np.zeros(nstate, dtype=np.int64)
    atrisk = np.zeros(nsubject, dtype=bool)
    wtp = np.zeros(nsubject)
    w2 = wtp * wtp  # each subject's weight squared, once its weight is known
    chaz = np.zeros((nstate, nstate))
    umat = i0.astype(float).copy() if se_fit else None

    n_risk = np.zeros((ntime, nstate), dtype=np.int64)
    n_event = np.zeros((ntime, nstate), dtype=np.int64)
    n_censor = np.zeros(ntime, dtype=np.int64)
    pmat = np.zeros((ntime, nstate))
    cum = np.zeros((ntime, nstate * nstate))
    vmat = np.zeros((ntime, nstate)) if se_fit else None
    usave = None
    if influence and umat is not None:
        usave = np.zeros((nsubject, ntime + 1, nstate))
        usave[:, 0, :] = umat

    i = 0
    eptr = 0
    itime = 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while i < n:
            ctime = etime[sort2[i]]
            entered = eptr
            while eptr < n:  # entries before ctime join the risk set
                k = sort1[eptr]
                if entry[k] < ctime:
                    s = subject[k]
                    kk = cstate[s]
                    ns[kk] += 1
                    ws[kk] += wt[k]
                    wtp[s] = wt[k]
                    atrisk[s] = True
                    eptr += 1
                else:
                    break
            if eptr > entered:
                w2 = wtp * wtp
            hmat = np.zeros((nstate, nstate))
            nev = np.zeros(nstate, dtype=np.int64)
            ncens = 0
            wevent = 0.0
            j = i
            while j < n and etime[sort2[j]] == ctime:
                k = sort2[j]
                if status[k] > 0:
                    new = status[k] - 1
                    old = cstate[subject[k]]
                    if old != new:  # a "move" to the same state does not count
                        dstate[subject[k]] = new
                        nev[new] += 1
                        wevent += wt[k]
                        hmat[old, new] += wt[k]
                else:
                    ncens += 1
                j += 1
            n_censor[itime] = ncens
            if wevent > 0:
                for a in range(nstate):
                    if ns[a] > 0:
                        temp = 0.0
                        for b in range(nstate):
                            temp += hmat[a, b]
                            hmat[a, b] /= ws[a]
                        hmat[a, a] = 1 - temp / ws[a]
                    else:
                        hmat[a, a] = 1.0
                if umat is not None:
                    umat = _u_times_h(umat, hmat, ns)
                    add_dh(umat, atrisk, cstate, dstate, hmat, p, ws, ns)
                chaz += hmat
                chaz[np.diag_indices(nstate)] -= 1
                newp = np.zeros(nstate)
                for col in range(nstate):
                    acc = 0.0
                    for kk in range(nstate):
                        acc += p[kk] * hmat[kk, col]
                    newp[col] = acc
                p = newp
            pmat[itime] = p
            n_risk[itime] = ns
            n_event[itime] = nev
            cum[itime] = chaz.T.reshape(-1)  # C order: for each to-state j, every from-state k
            if umat is not None and vmat is not None:
                vmat[itime] = np.sqrt(_seq_sum_rows((w2[:, None] * umat) * umat))
                if usave is not None:
                    usave[:, itime + 1, :] = umat
            while i < n:  # the events and censorings of ctime leave the risk set
                k = sort2[i]
                if etime[k] != ctime:
                    break
                s = subject[k]
                old = cstate[s]
                ns[old] -= 1
                ws[old] -= wt[k]
                if status[k] > 0:
                    cstate[s] = status[k] - 1
                atrisk[s] = False
                i += 1
            itime += 1
    return AJCurve(time=timeset, n_risk=n_risk, n_event=n_event, n_censor=n_censor, pstate=pmat, cumhaz=cum,
                   std_err=vmat, influence=usave)
