"""survival 3.5-3's checks of multi-state data, as ``survfitCI`` runs them:
``survcheck2`` (R/survcheck.R) with the C routine ``multicheck``
(src/multicheck.c), and the merge of censored rows inside a run of
contiguous intervals (survfitCI.R, with ``survflag``).

* the states: the levels of ``istate`` that are not states of the status
  (in their level order), then the status's states; without ``istate``,
  ``"(s0)"`` first;
* ``multicheck``: rows in ``order(id, stop, start)``; for each row after
  the first of its id, ``gap`` is -1, 0 or 1 as its start is before, at or
  after the previous row's stop, and the current state is carried forward
  (the previous row's state when it was an event, else the previous current
  state); the first row of an id is in its ``istate``; ``dupid`` is 2 on the
  last row of an id (0 elsewhere: the C code never sets the "first" code);
* flags: overlap (gap < 0), gap (gap > 0, istate as carried), jump (gap > 0,
  istate not as carried), teleport (gap = 0, istate not as carried);
  survfitCI refuses any ("one or more flags are >0 in survcheck");
* the transitions table: from the given ``istate`` (the carried state when
  none is given and the data are (start, stop]) to the row's new state, or
  "(censored)" for the last row of an id; the rows of events and last rows
  only; states neither left nor entered dropped, empty columns dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

from .km_counts import survflag

__all__ = ["Survcheck", "survcheck", "merge_censored_runs", "S0"]

#: survcheck2's name of the initial state when no istate is given
S0 = "(s0)"


@dataclass(frozen=True)
class Survcheck:
    states: tuple[str, ...]
    istate: np.ndarray  # each row's current state (0-based into states), multicheck's cstate
    status: np.ndarray  # each row's new state, 1-based into states (0 censored): survfitCI's smap recode
    transitions: pd.DataFrame
    cells: list[int]  # survfitCI's ckeep: from + to * nstate of the transitions with a count, column-major
    cell_names: tuple[str, ...]
    flags: dict[str, int]


def survcheck(start: np.ndarray | None, stop: np.ndarray, status: np.ndarray, ystates: tuple[str, ...],
              id_codes: np.ndarray, istate: tuple[np.ndarray, list[str]] | None) -> Survcheck:
    """``survcheck2(Y, id, istate)``: ``status`` 0 censored, k > 0 the k-th
    of ``ystates``; ``id_codes`` the codes of ``as.factor(id)``; ``istate``
    (codes, levels) with its unused levels already dropped, or None."""
    n = stop.size
    if istate is None:
        levels, icodes = [S0], np.zeros(n, dtype=np.intp)
    else:
        icodes, levels = istate
    states = tuple([lv for lv in levels if lv not in ystates] + list(ystates))
    lpos = np.array([states.index(lv) for lv in levels], dtype=np.intp)
    given = lpos[icodes]  # cstate2, 0-based into states
    sindx = np.array([states.index(s) for s in ystates], dtype=np.intp)
    stat2 = np.where(status == 0, -1, sindx[np.maximum(status, 1) - 1])  # -1 censored, else 0-based state
    t1 = np.zeros(n) if start is None else start
    order = np.lexsort((t1, stop, id_codes))  # order(id, y[, 2], y[, 1]); right-censored: order(id, y[, 1])
    ids, s1, s2, st, ist = id_codes[order], t1[order], stop[order], stat2[order], given[order]
    same = np.concatenate(([False], ids[1:] == ids[:-1]))
    gap = np.zeros(n, dtype=np.int64)
    prev_stop = np.concatenate(([0.0], s2[:-1]))
    gap[same & (s1 > prev_stop)] = 1
    gap[same & (s1 < prev_stop)] = -1
    # carried state: the previous row's new state when it was an event, else the previous carried state;
    # the first row of an id its istate
    prev_st = np.concatenate(([-1], st[:-1]))
    src = np.where(same, np.where(prev_st >= 0, prev_st, -1), ist)
    pos = np.where(src >= 0, np.arange(n), 0)
    np.maximum.accumulate(pos, out=pos)
    carried = src[pos]
    last = np.concatenate((~same[1:], [True])) if n else np.zeros(0, dtype=bool)
    cstate = np.empty(n, dtype=np.intp)
    cstate[order] = carried
    g = np.empty(n, dtype=np.int64)
    g[order] = gap
    dup_last = np.empty(n, dtype=bool)
    dup_last[order] = last
    if istate is None and start is not None:
        given = cstate
    mismatch = given != cstate
    flags = {"overlap": int(np.sum(g < 0)), "gap": int(np.sum((g > 0) & ~mismatch)),
             "jump": int(np.sum((g > 0) & mismatch)), "teleport": int(np.sum((g == 0) & mismatch))}
    table, cells, names = _transitions(given, stat2, dup_last, states)
    return Survcheck(states=states, istate=cstate, status=np.where(stat2 < 0, 0, stat2 + 1), transitions=table,
                     cells=cells, cell_names=names, flags=flags)


def _transitions(given: np.ndarray, stat2: np.ndarray, last: np.ndarray,
                 states: tuple[str, ...]) -> tuple[pd.DataFrame, list[int], tuple[str, ...]]:
    """survcheck2's ``table(from, to)`` of the event rows and the last row of
    each id; survfitCI's ``ckeep`` (which(temp > 0), column-major) and names."""
    ns = len(states)
    keep = (stat2 >= 0) | last
    counts = np.zeros((ns, ns + 1), dtype=np.int64)
    np.add.at(counts, (given[keep], np.where(stat2[keep] < 0, ns, stat2[keep])), 1)
    never = counts.sum(axis=1) + counts[:, :ns].sum(axis=0) == 0
    cols = counts.sum(axis=0) > 0
    table = pd.DataFrame(counts[~never][:, cols],
                         index=pd.Index([states[i] for i in np.flatnonzero(~never)], name="from"),
                         columns=pd.Index([(*states, "(censored)")[j] for j in np.flatnonzero(cols)], name="to"))
    cells = [(fr, to) for to in range(ns) for fr in range(ns) if counts[fr, to] > 0]
    return table, [fr + to * ns for fr, to in cells], tuple(f"{fr + 1}.{to + 1}" for fr, to in cells)


def refuse_flags(check: Survcheck) -> None:
    """survfitCI: ``if (any(mcheck$flag > 0)) stop(...)``."""
    bad = {k: v for k, v in check.flags.items() if v > 0}
    if bad:
        what = {"overlap": "overlapping intervals of one id", "gap": "a gap between the intervals of one id",
                "jump": "a gap where istate is not the state the previous row ended in",
                "teleport": "an istate that is not the state the previous row ended in"}
        said = "; ".join(f"{k}: {v} row(s) ({what[k]})" for k, v in bad.items())
        raise InvalidArgument(f"the multi-state data fail survcheck: {said} (R: 'one or more flags are >0 in "
                              "survcheck')", kind="data.survcheck")


def merge_censored_runs(start: np.ndarray, stop: np.ndarray, status: np.ndarray,
                        id_codes: np.ndarray, warns: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """survfitCI.R for (start, stop] data: a censored row in the middle of a
    run of contiguous intervals of its id (``survflag == 0``) is merged with
    the row after it. R does it on the rows as they stand in the data
    (``cbind(Y[-(1 + e2), 1], Y[-e2, -1])``: the start of the next row in
    data order is dropped), and drops the row's other columns: on data not
    sorted by id and time the starts of other rows move, as in R. Returns
    (the new start column, the rows kept for the other columns), or None."""
    extra = (survflag(start, stop, id_codes) == 0) & (status == 0)
    if not extra.any():
        return None
    e2 = np.flatnonzero(extra)
    n = stop.size
    start_keep = np.ones(n, dtype=bool)
    start_keep[e2[e2 + 1 < n] + 1] = False  # R ignores a negative index past the end
    rows = np.ones(n, dtype=bool)
    rows[e2] = False
    new_start = start[start_keep]
    if new_start.size > n - e2.size:  # cbind keeps the matrix's rows, with R's warning
        new_start = new_start[:n - e2.size]
        warns.append("number of rows of result is not a multiple of vector length (arg 1)")
    return new_start, np.flatnonzero(rows)
