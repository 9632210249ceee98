"""The r x c table as FEXACT sets it up: orientation, sorted margins, FEXACT's
log-factorials, the observed path length ``obs`` and the column fillings.

Path lengths (fexact.c): filling column j with x_1j..x_rj adds
``ddf = fact[c_j] - fact[x_1j] - ... - fact[x_rj]`` (``f9xact``), so a complete
table has length ``sum_j ddf_j = log P + dro`` with
``dro = fact[N] - sum_i fact[r_i]``, and it counts towards the p-value when its
length is at most ``obs = tol + sum_j (fact[c_j] - sum_i fact[x_ij])`` of the
observed table.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument

__all__ = ["FEXACT_TOL", "RxCControl", "RxCProblem", "fexact_log_factorials", "compositions",
           "count_compositions"]

FEXACT_TOL = 3.45254e-7  # fexact.c: "the square root of the smallest relative spacing"


@dataclass(frozen=True)
class RxCControl:
    """Settings of the r x c enumeration.

    ``max_work``: the most work the enumeration may plan, in units of ~10 ns
    of one core (path extensions and their bounds, enumerated completions),
    summed over its phases: the default refuses tables that would take more
    than ~10 s, after at most that long.
    ``chunk``: array elements per vectorised block (bounds memory use).
    ``dense_nodes``: node tables up to this many entries are direct-indexed.
    ``switch``: enumerate the remaining completions (backward phase) as soon as
    that costs at most ``switch`` times extending the paths by one column;
    0 extends to the last two columns, ``inf`` enumerates from the root (both
    are for testing: every choice gives the same p-value).
    """

    max_work: float = 1e9
    chunk: int = 1 << 21
    dense_nodes: int = 1 << 24
    switch: float = 4.0


def fexact_log_factorials(n: int) -> np.ndarray:
    """FEXACT's table of log(i!) for i = 0..n, its rounding included.

    fexact.c: ``fact[2] = log(2)``; for odd i, ``fact[i] = fact[i-1] + log(i)``
    and then ``fact[i+1] = fact[i] + fact[2] + fact[(i+1)/2] - fact[(i+1)/2 - 1]``
    (log(i+1) = log 2 + log((i+1)/2) from the table itself). The values drift
    from the true log-factorials by up to ~1e-11 at n = 600.
    """
    f = [0.0] * (n + 1)
    if n >= 2:
        f[2] = math.log(2.0)
    for i in range(3, n + 1, 2):
        f[i] = f[i - 1] + math.log(float(i))
        j = i + 1
        if j <= n:
            f[j] = f[i] + f[2] + f[j // 2] - f[j // 2 - 1]
    return np.array(f, dtype=float)


def count_compositions(total: int, caps: np.ndarray) -> float:
    """Number of x >= 0 with sum(x) = total and x <= caps (a float: it feeds
    the cost model only)."""
    ways = np.zeros(total + 1)
    ways[0] = 1.0
    for cap in caps:
        ways = np.convolve(ways, np.ones(int(min(cap, total)) + 1))[: total + 1]
    return float(ways[total])


def compositions(total: int, caps: np.ndarray) -> np.ndarray:
    """All x in Z^k with 0 <= x <= caps and sum(x) = total, one per row,
    in lexicographic order."""
    k = caps.size
    parts = np.zeros((1, 0), dtype=np.int64)
    used = np.zeros(1, dtype=np.int64)
    for i in range(k - 1):
        rest_cap = int(caps[i + 1:].sum())
        lo = np.maximum(0, total - used - rest_cap)
        hi = np.minimum(caps[i], total - used)
        cnt = np.maximum(hi - lo + 1, 0)
        rep = np.repeat(np.arange(parts.shape[0]), cnt)
        offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        xi = np.repeat(lo, cnt) + offs
        parts = np.column_stack([parts[rep], xi])
        used = used[rep] + xi
    last = total - used
    ok = (last >= 0) & (last <= caps[k - 1])
    return np.column_stack([parts[ok], last[ok]]).astype(np.int64)


def ddf(fact: np.ndarray, total: int, comps: np.ndarray) -> np.ndarray:
    """f9xact: fact[total] - fact[x_1] - fact[x_2] - ... (in this order)."""
    d = np.full(comps.shape[0], fact[total])
    for i in range(comps.shape[1]):
        d = d - fact[comps[:, i]]
    return d


class RxCProblem:
    """The oriented table (``nro = min(r, c)`` rows), rows and columns in
    ascending order of total, FEXACT's ``fact``, ``obs`` and ``dro``.

    A node (the row totals still to fill, m) is coded as
    ``sum_i m_i * weights[i]`` with ``weights = cumprod(rows + 1)`` shifted,
    so that filling x changes the code by ``-code(x)``.
    """

    def __init__(self, table: np.ndarray, control: RxCControl):
        t = np.asarray(table, dtype=np.int64)
        if t.shape[0] > t.shape[1]:
            t = t.T  # FEXACT: the smaller dimension are the rows
        self.table = t
        self.shape = tuple(np.asarray(table).shape)
        self.n = int(t.sum())
        self.fact = fact = fexact_log_factorials(self.n)
        nro, nco = t.shape
        iro = np.sort(t.sum(axis=1))
        ico = np.sort(t.sum(axis=0))
        # fexact.c: obs = tol; obs += fact[ico[j]] - sum_i fact[x_ij], columns in the
        # table's order paired with the sorted totals (the sum is the same)
        obs = FEXACT_TOL
        for j in range(nco):
            dd = 0.0
            for i in range(nro):
                dd += fact[t[i, j]]
            obs += fact[ico[j]] - dd
        self.obs = obs
        dro = fact[self.n]
        for v in iro:
            dro -= fact[v]
        self.dro = dro
        self.rows = iro.astype(np.int64)
        self.cols = ico.astype(np.int64)
        self.nro, self.nco = nro, nco
        if float(np.prod((self.rows + 1).astype(float))) > 2.0**62:
            raise InvalidArgument(
                f"`table` is too large for exact enumeration: row totals {self.rows.tolist()} "
                "cannot be indexed", kind="fisher.workspace")
        self.weights = np.cumprod(np.concatenate(([1], self.rows[:-1] + 1))).astype(np.int64)
        # rem_total[j]: the grand total still to fill before column j
        self.rem_total = np.concatenate((np.cumsum(self.cols[::-1])[::-1], [0]))
        self.control = control
        self.spent = 0.0
        self._comps: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._ncomp: dict[int, float] = {}

    def code(self, m: np.ndarray) -> np.ndarray:
        return m @ self.weights

    def decode(self, codes: np.ndarray) -> np.ndarray:
        out = np.empty((codes.size, self.nro), dtype=np.int64)
        rest = codes.copy()
        for i in range(self.nro - 1, -1, -1):
            out[:, i] = rest // self.weights[i]
            rest -= out[:, i] * self.weights[i]
        return out

    def n_comps(self, j: int) -> float:
        if j not in self._ncomp:
            self._ncomp[j] = count_compositions(int(self.cols[j]), self.rows)
        return self._ncomp[j]

    def comps(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fillings of column j, their codes, their lengths ddf)."""
        if j not in self._comps:
            x = compositions(int(self.cols[j]), self.rows)
            self._comps[j] = (x, self.code(x), ddf(self.fact, int(self.cols[j]), x))
        return self._comps[j]

    def spend(self, work: float) -> None:
        """Book ``work`` more steps; refuse when the total would pass the limit."""
        total = self.spent + work
        if total > self.control.max_work:
            r, c = self.shape
            raise InvalidArgument(
                f"`table` is too large for exact enumeration: this {r} x {c} table with N = {self.n} "
                f"needs more than {total:.2g} steps (limit {self.control.max_work:.2g}, "
                "RxCControl.max_work); R's FEXACT also fails or runs for minutes on such tables",
                kind="fisher.workspace")
        self.spent = total
