"""The counts of a Kaplan-Meier curve: survfitkm.c's first pass (survival 3.5-3).

One row per unique (stop) time, censored times included: the weighted number
at risk, of events, of censorings, and, for ``Surv(start, stop, event)`` data,
of entries. The C loop runs backwards over the times; every weighted sum here
is made in the loop's order, so fractional weights give R's bits.
"""
from __future__ import annotations

import numpy as np

from .timefix import tie_codes

__all__ = ["KMCounts", "km_counts", "counting_counts", "survflag"]


class KMCounts:
    """Per-unique-time counts of one curve (the ``n`` matrix of survfitkm.c).

    ``codes`` maps each row (data order) to its time; ``d0`` is the unweighted
    number of events (the C code's ``n[1]``); ``n_enter`` the weighted entries
    of (start, stop] data (``n[7]``), None for right-censored data.
    """

    __slots__ = ("time", "n_risk", "n_event", "n_censor", "d0", "codes", "n_enter")

    def __init__(self, time, n_risk, n_event, n_censor, d0, codes, n_enter=None):
        self.time = time
        self.n_risk = n_risk
        self.n_event = n_event
        self.n_censor = n_censor
        self.d0 = d0
        self.codes = codes
        self.n_enter = n_enter

    def order(self) -> np.ndarray:
        """R's ``order(time)``: stable, so ties keep data order (a radix sort of
        the integer codes)."""
        return np.argsort(self.codes, kind="stable")

    @property
    def has_event(self) -> np.ndarray:
        """Times with at least one event of positive weight (``n[1] > 0 && n[4] > 0``)."""
        return (self.d0 > 0) & (self.n_event > 0)


def _integral(w: np.ndarray) -> bool:
    # integer weights with a total below 2^53: every summation order is exact
    return bool(np.all(w == np.floor(w))) and float(np.abs(w).sum()) < 2.0**53


def km_counts(time: np.ndarray, event: np.ndarray, weights: np.ndarray) -> KMCounts:
    """Counts at each unique time of right-censored data, after ``timefix``.

    survfitkm.c accumulates backwards over subjects sorted by time: the
    weighted number at risk is one running sum ``wt1 += wt[i2]`` from the last
    subject to the first, the events and censorings of a time a sum restarted
    at 0 over its subjects, also backwards. With integer weights every order
    gives the same sums, so the counts come from ``bincount``; with fractional
    weights that exact order is replayed (``bincount`` over the reversed data
    adds each time's subjects in reverse data order, which is R's reverse
    stable-sort order).
    """
    codes, utime = tie_codes(time)
    u = utime.size
    d0 = np.bincount(codes, weights=event, minlength=u)
    if _integral(weights):
        n_event = np.bincount(codes, weights=weights * event, minlength=u)
        n_censor = np.bincount(codes, weights=weights * (1.0 - event), minlength=u)
        tot = np.bincount(codes, weights=weights, minlength=u)
        n_risk = np.cumsum(tot[::-1])[::-1]
    else:
        rc = codes[::-1]
        n_event = np.bincount(rc, weights=(weights * event)[::-1], minlength=u)
        n_censor = np.bincount(rc, weights=(weights * (1.0 - event))[::-1], minlength=u)
        order = np.argsort(codes, kind="stable")
        rev_cum = np.cumsum(weights[order][::-1])[::-1]
        starts = np.searchsorted(codes[order], np.arange(u))
        n_risk = rev_cum[starts]
    return KMCounts(utime, n_risk, n_event, n_censor, d0, codes)


def survflag(start: np.ndarray, stop: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """survival's ``survflag(y, id)``: for each (start, stop] row, 1 when it
    opens a run of contiguous intervals of its subject, 2 when it closes one,
    3 both. Rows ordered by id, then stop (``order(id, y[, 2])``, stable)."""
    n = stop.size
    o = np.lexsort((stop, ids))
    s, t, i = start[o], stop[o], ids[o]
    brk = (i[:-1] != i[1:]) | (t[:-1] < s[1:])
    flag = np.concatenate(([True], brk)).astype(np.intp) + 2 * np.concatenate((brk, [True])).astype(np.intp)
    out = np.empty(n, dtype=np.intp)
    out[o] = flag
    return out


def counting_counts(start: np.ndarray, stop: np.ndarray, event: np.ndarray, weights: np.ndarray,
                    position: np.ndarray | None) -> KMCounts:
    """Counts of (start, stop] data (``ny == 3`` in survfitkm.c), times already
    timefixed (``aeqSurv`` on both ends).

    At each unique stop time, from the last to the first, the C loop adds the
    rows that stop there (reverse ``order(stop)``) to the running risk set,
    then removes the rows that start at or after it (reverse
    ``order(start)``): ``n.risk`` at a time is that running sum. A row is a
    censoring only when it is not followed by a contiguous row of its subject
    (``position``, from :func:`survflag`; every non-event when there is no
    id). Entries count rows that open a run; one starting exactly at a time
    counts at the next time, and the first time's count is overwritten by the
    entries before it (survfitkm.c's last pass), all replayed.
    """
    codes, utime = tie_codes(stop, timefix=False)
    ntime = utime.size
    ev = event == 1
    sort2 = np.argsort(codes, kind="stable")  # order(y[, 2])
    sort1 = np.argsort(start, kind="stable")  # order(y[, 1])
    add_rows = sort2[::-1]
    add_k = codes[add_rows]
    # the step of the backward loop that removes a row: the last time <= its start (-1: it is in the
    # risk set at the first time and never leaves the loop's running sum)
    k_out = np.searchsorted(utime, start, side="right") - 1
    out_all = sort1[::-1]
    leaves = k_out[out_all] >= 0
    out_rows, out_k = out_all[leaves], k_out[out_all][leaves]
    step = np.concatenate((2 * (ntime - 1 - add_k), 2 * (ntime - 1 - out_k) + 1))
    seq = np.argsort(step, kind="stable")
    signed = np.concatenate((weights[add_rows], -weights[out_rows]))[seq]
    ends = np.searchsorted(step[seq], 2 * (ntime - 1 - np.arange(ntime)) + 1, side="right") - 1
    n_risk = np.cumsum(signed)[ends]  # wt1 += wt[i2]; wt1 -= wt[i1], in the loop's order
    d0 = np.bincount(codes, weights=ev.astype(float), minlength=ntime)
    censor = ~ev if position is None else (~ev & ((position & 2) > 0))
    n_event = np.bincount(add_k, weights=(weights * ev)[add_rows], minlength=ntime)
    n_censor = np.bincount(add_k, weights=(weights * censor)[add_rows], minlength=ntime)
    # entries: n[7][k] = wt4 of the rows leaving at step k that start after t_k, then += those of step k - 1
    # that start exactly at t_{k-1}; n[7][0] is then set to the entries before the first time
    opens = np.zeros(stop.size, dtype=bool) if position is None else (position & 1) > 0
    at = start[out_rows] == utime[out_k]
    mine = opens[out_rows] & ~at
    nxt = opens[out_rows] & at
    bins = np.concatenate((out_k[mine], out_k[nxt] + 1))
    n_enter = np.bincount(bins, weights=np.concatenate((weights[out_rows][mine], weights[out_rows][nxt])),
                          minlength=ntime + 1)[:ntime].astype(float)  # (an empty bincount is integer)
    first = out_all[~leaves]
    if position is not None:
        first = first[opens[first]]
    n_enter[0] = np.cumsum(np.concatenate(([0.0], weights[first])))[-1]
    return KMCounts(utime, n_risk, n_event, n_censor, d0, codes, n_enter)
