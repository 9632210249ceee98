"""The walk of survival's C routines over event times (``coxscho.c``,
``coxdetail.c``, ``agscore2.c``): rows in ``order(strata, stop, -status)``,
and at each event time the risk set, the later rows of the stratum whose
start is before the time (right-censored data: every later row)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ._order import stable_order

__all__ = ["SortedRows", "sorted_rows", "event_times", "seq_last"]


@dataclass(frozen=True)
class SortedRows:
    order: np.ndarray  # the sort, into the caller's rows
    start: np.ndarray
    stop: np.ndarray
    event: np.ndarray
    strata: np.ndarray
    end_of: np.ndarray  # one past the last row of each row's stratum


def sorted_rows(start: np.ndarray | None, stop: np.ndarray, event: np.ndarray,
                strata: np.ndarray | None) -> SortedRows:
    """The rows in ``order(strata, stop, -status)``; right-censored data get
    R's dummy start (``-1``, or ``2 * min(time) - 1`` below 0)."""
    n = stop.size
    if start is None:
        m = float(stop.min()) if n else 0.0
        start = np.full(n, 2 * m - 1 if m < 0 else -1.0)
    s = np.zeros(n, dtype=np.intp) if strata is None else np.asarray(strata)
    o = stable_order(s, stop, -event)
    so = s[o]
    ends = np.flatnonzero(np.append(so[1:] != so[:-1], True)) + 1
    end_of = np.repeat(ends, np.diff(np.concatenate(([0], ends))))
    return SortedRows(order=o, start=start[o], stop=stop[o], event=event[o], strata=so, end_of=end_of)


def event_times(rows: SortedRows) -> Iterator[tuple[int, int, float, np.ndarray]]:
    """``(first, after, time, risk set)`` at each event time: sorted rows
    ``first..after - 1`` of the stratum share the time; the risk set, sorted
    row indices in order."""
    n = rows.stop.size
    t0, t1, ev, end_of = rows.start, rows.stop, rows.event, rows.end_of
    person = 0
    while person < n:
        if ev[person] == 0:
            person += 1
            continue
        time = t1[person]
        ks = np.arange(person, end_of[person])
        ks = ks[t0[ks] < time]
        after = person
        while after < end_of[person] and t1[after] == time:
            after += 1
        yield person, after, float(time), ks
        person = after


def seq_last(c: np.ndarray) -> Any:
    """The last entry of a running sum, 0 when empty: C's sequential ``+=``."""
    if c.shape[0] == 0:
        return 0.0 if c.ndim == 1 else np.zeros(c.shape[1:])
    return c[-1]
