"""The row blocks of the large-data Cox pass (:mod:`.regrouped`).

The rows, in processing order, go through the pass in blocks of
:data:`BLOCK` rows. A stratum that starts inside a block cuts it into pieces
(the running sums restart at 0 there, where R's do). For each block the
structure says which death groups end in it (their A rows are read there),
which of Efron's multi-death runs meet it (their deaths' sums D), and how:
``running`` blocks become running sums, from which D is read; in the others
short runs are summed row position by row position (:class:`ShortRuns`),
longer ones by one masked sum.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BLOCK", "MAX_EXTRA_SEGMENTS", "SHORT_RUN_MAX", "RowSegments", "ShortRuns", "row_segments"]

BLOCK = 8192
"""Rows per block of the pass: each block's temporaries (a few BLOCK x p
arrays) stay in cache, and the per-block Python work is spread over enough
rows (measured at 2 x 10^5 x 10: 4096 rows 3% slower, 16384 no faster)."""

MAX_EXTRA_SEGMENTS = 512
"""Strata beyond which the row blocks are not used (many small strata: the
per-block loop would be a per-stratum loop); :mod:`.fit`'s per-group
evaluation is used instead."""


@dataclass
class RowSegments:
    """Row blocks of the processing order (:data:`BLOCK` rows each), each cut
    into pieces at stratum starts, where the running sums restart.

    Contract: ``starts``/``ends`` one entry per block, its pieces
    ``piece_lo[k]:piece_hi[k]`` (rows ``piece_start:piece_end``, ``restart``
    when the piece begins a stratum); death groups ``h_lo[k]:h_hi[k]`` end in
    block k, at rows ``gend_row``, in piece ``gend_piece``; the multi-death
    runs (Efron, deaths leading their group) ``k_lo[k]:k_hi[k]`` meet block k,
    from ``run_start`` (clipped to the block); ``multi`` the death groups
    with two or more deaths, ``death_mask`` 1 on their death rows.
    """

    starts: list
    ends: list
    piece_lo: list
    piece_hi: list
    piece_start: list
    piece_end: list
    restart: list
    h_lo: list
    h_hi: list
    gend_row: np.ndarray
    gend_piece: np.ndarray
    multi: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray
    k_lo: list
    k_hi: list
    death_mask: np.ndarray | None
    strata_rows: np.ndarray  # first row of each stratum (processing order)
    running: list | None = None  # per block: turned into running sums (pieces, or many death groups)
    short_runs: list | None = None  # per block, a :class:`ShortRuns` or None


SHORT_RUN_MAX = 64
"""Longest (block-clipped) multi-death run for which a block's tied deaths
are summed row by row (one column-wise take per row of the longest run);
longer runs, one masked ``reduceat`` over the block."""


@dataclass
class ShortRuns:
    """A block's multi-death runs (clipped to the block), for summing them
    row by row: ``first`` the runs' first rows ordered by decreasing length,
    ``order`` their index among the block's runs, ``running[k]`` how many of
    them have a (k+1)-th row."""

    first: np.ndarray
    order: np.ndarray
    running: list

    @staticmethod
    def of(lo: np.ndarray, hi: np.ndarray, size: int) -> ShortRuns | None:
        """For runs from ``lo`` to ``hi`` (block rows, possibly beyond it), or
        None when a run is longer than :data:`SHORT_RUN_MAX` in the block."""
        lo = np.maximum(lo, 0)
        length = np.minimum(hi, size) - lo
        if lo.size == 0 or int(length.max()) > SHORT_RUN_MAX:
            return None
        order = np.argsort(-length, kind="stable")
        ls = length[order]
        return ShortRuns(first=lo[order].astype(np.intp), order=order,
                         running=[int(np.count_nonzero(ls > k)) for k in range(int(ls[0]))])


def row_segments(n: int, stratum_new: np.ndarray, gstarts: np.ndarray, dgroups: np.ndarray,
                 dcount_i: np.ndarray, efron: bool) -> RowSegments | None:
    """The blocks for data of ``n`` rows in processing order, or None when
    there are too many strata for them (see :data:`MAX_EXTRA_SEGMENTS`).

    ``stratum_new`` flags the first row of each stratum; ``gstarts`` the first
    row of each tie group; ``dgroups`` the tie group of each death group and
    ``dcount_i`` its deaths, which lead the group's rows."""
    srows = np.flatnonzero(stratum_new)
    if srows.size > MAX_EXTRA_SEGMENTS:
        return None
    starts = np.arange(0, n, BLOCK)
    ends = np.append(starts[1:], n)
    pstart = np.union1d(starts, srows)
    pend = np.append(pstart[1:], n)
    restart = np.isin(pstart, srows)
    piece_lo = np.searchsorted(pstart, starts, side="left")
    piece_hi = np.append(piece_lo[1:], pstart.size)
    gend = np.append(gstarts[1:], n)
    gend_row = gend[dgroups] - 1  # last row of each death group's tie group (increasing)
    gend_piece = np.searchsorted(pstart, gend_row, side="right") - 1
    h_lo = np.searchsorted(gend_row, starts, side="left")
    h_hi = np.searchsorted(gend_row, ends, side="left")
    multi = np.flatnonzero(dcount_i >= 2) if efron else np.zeros(0, dtype=np.intp)
    run_start = gstarts[dgroups[multi]]
    run_end = run_start + dcount_i[multi]
    k_lo = np.searchsorted(run_end, starts, side="right")
    k_hi = np.searchsorted(run_start, ends, side="left")
    mask = None
    if multi.size:
        cover = np.zeros(n + 1, dtype=np.int32)
        np.add.at(cover, run_start, 1)
        np.add.at(cover, run_end, -1)
        mask = np.cumsum(cover[:-1]).astype(np.uint8)  # 1 on the death rows of multi-death runs
    # blocks cut into pieces, and blocks of one piece with many death groups,
    # are turned into running sums (the tied deaths' sums are read off them);
    # in the others short runs are summed row position by row position
    running = (piece_hi - piece_lo > 1) | ((h_hi > h_lo) & (8 * (h_hi - h_lo) >= ends - starts))
    short = None
    if multi.size:
        short = [None if rn or k1 == k0 else ShortRuns.of(run_start[k0:k1] - a, run_end[k0:k1] - a, b - a)
                 for a, b, k0, k1, rn in zip(starts.tolist(), ends.tolist(), k_lo.tolist(), k_hi.tolist(),
                                             running.tolist())]
    return RowSegments(
        running=running.tolist(), short_runs=short,
        starts=starts.tolist(), ends=ends.tolist(), piece_lo=piece_lo.tolist(), piece_hi=piece_hi.tolist(),
        piece_start=pstart.tolist(), piece_end=pend.tolist(), restart=restart.tolist(), h_lo=h_lo.tolist(),
        h_hi=h_hi.tolist(), gend_row=gend_row, gend_piece=gend_piece, multi=multi, run_start=run_start,
        run_end=run_end,
        k_lo=k_lo.tolist(), k_hi=k_hi.tolist(), death_mask=mask, strata_rows=srows,
    )
