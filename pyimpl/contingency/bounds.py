"""Bounds on the completions of a node of the r x c network.

For the row totals m still to fill with columns j.., a completion's length is
``sum_j fact[c_j] - sum_ij fact[x_ij]``. We need

* its total weight: ``log sum exp(length) = fact[n] - sum_i fact[m_i]``
  (multinomial identity: the ways to deal n labelled items into rows of sizes
  m, grouped by the columns' contents);
* an upper bound on the longest and a lower bound on the shortest completion.

Two rows: both are exact, by dynamic programming over the first row's total
(a max-plus convolution per column). More rows: relaxations, each valid --
drop the row totals (each column split on its own under caps m_i) or drop the
column totals (each row split on its own under caps c_j). The smallest
``sum fact[x]`` of one split is the most even one (water-filling; fact is
convex), the largest fills the biggest capacities first (that vector
majorises every other). Bounds are widened by ``PAD`` to absorb the rounding of
sums of log-factorials (~1e-12), so a path is never misfiled.
"""
from __future__ import annotations

import numpy as np

from .rxc_table import RxCProblem

__all__ = ["Bounds", "NodeTable", "PAD"]

PAD = 1e-8


def even_cost(fact: np.ndarray, total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """min sum_i fact[x_i] over sum x_i = total, 0 <= x_i <= caps_i (per row of caps)."""
    caps = np.sort(caps, axis=1)
    u, k = caps.shape
    rem = total.astype(np.int64).copy()
    cost = np.zeros(u)
    done = np.zeros(u, dtype=bool)
    for i in range(k):
        left = k - i
        share = rem // left
        take_cap = (~done) & (caps[:, i] <= share)
        cost[take_cap] += fact[caps[take_cap, i]]
        rem[take_cap] -= caps[take_cap, i]
        fin = (~done) & ~take_cap
        if fin.any():
            # every remaining cap is >= share + 1: split rem as evenly as possible
            q, r = np.divmod(rem[fin], left)
            cost[fin] += r * fact[q + 1] + (left - r) * fact[q]
            done |= fin
    return cost


def greedy_cost(fact: np.ndarray, total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """max sum_i fact[x_i] over the same set."""
    caps = -np.sort(-caps, axis=1)
    rem = total.astype(np.int64).copy()
    cost = np.zeros(caps.shape[0])
    for i in range(caps.shape[1]):
        x = np.minimum(caps[:, i], rem)
        cost += fact[x]
        rem -= x
    return cost


class Bounds:
    """(max length, min length, log total weight) of the completions of nodes."""

    def __init__(self, prob: RxCProblem):
        self.p = prob
        self.suffix_fact = np.concatenate((np.cumsum(prob.fact[prob.cols][::-1])[::-1], [0.0]))
        self._dp = self._two_row_dp() if prob.nro == 2 else None

    def _two_row_dp(self) -> list:
        """maxlen[j][s], minlen[j][s]: extreme completions with s left in row 1."""
        p = self.p
        fact = p.fact
        r0 = int(p.rows[0])
        out: list = [None] * (p.nco + 1)
        mx = np.full(r0 + 1, -np.inf)
        mn = np.full(r0 + 1, np.inf)
        mx[0] = mn[0] = 0.0
        out[p.nco] = (mx, mn)
        s = np.arange(r0 + 1)
        for j in range(p.nco - 1, -1, -1):
            c = int(p.cols[j])
            tot = int(p.rem_total[j])
            x = np.arange(c + 1)
            d = fact[c] - fact[x] - fact[c - x]
            prev_mx, prev_mn = out[j + 1]
            nxt = s[:, None] - x[None, :]
            ok = (nxt >= 0) & (c - x[None, :] <= tot - s[:, None])
            nxt = np.clip(nxt, 0, r0)
            out[j] = (np.where(ok, d[None, :] + prev_mx[nxt], -np.inf).max(axis=1),
                      np.where(ok, d[None, :] + prev_mn[nxt], np.inf).min(axis=1))
        return out

    def at(self, j: int, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For nodes m (U x nro) before column j: padded bounds and log total weight."""
        p = self.p
        fact = p.fact
        tot = fact[m.sum(axis=1)]
        for i in range(p.nro):
            tot = tot - fact[m[:, i]]
        if self._dp is not None:
            mx, mn = self._dp[j]
            return mx[m[:, 0]] + PAD, mn[m[:, 0]] - PAD, tot
        cols = p.cols[j:]
        u = m.shape[0]
        l_col = np.zeros(u)
        h_col = np.zeros(u)
        for c in cols:
            cc = np.full(u, c)
            l_col += even_cost(fact, cc, m)
            h_col += greedy_cost(fact, cc, m)
        capc = np.broadcast_to(cols, (u, cols.size))
        l_row = np.zeros(u)
        h_row = np.zeros(u)
        for i in range(p.nro):
            l_row += even_cost(fact, m[:, i], capc)
            h_row += greedy_cost(fact, m[:, i], capc)
        sf = self.suffix_fact[j]
        return sf - np.maximum(l_col, l_row) + PAD, sf - np.minimum(h_col, h_row) - PAD, tot


class NodeTable:
    """Bounds of the nodes before column j, computed once per node.

    At a given stage the last row's total is implied by the others, so a node
    is indexed by its code without the last row; tables of up to
    ``control.dense_nodes`` entries are direct-indexed arrays, larger ones are
    looked up by sorting.
    """

    def __init__(self, bounds: Bounds, j: int):
        self.b = bounds
        self.j = j
        p = bounds.p
        self.space = int(p.weights[-1])
        self.dense = self.space <= p.control.dense_nodes
        if self.dense:
            self.mx = np.empty(self.space)
            self.mn = np.empty(self.space)
            self.tot = np.empty(self.space)
            self.done = np.zeros(self.space, dtype=bool)

    def _nodes(self, key: np.ndarray) -> np.ndarray:
        p = self.b.p
        m = p.decode(key)  # last row decodes as 0 ...
        m[:, -1] = p.rem_total[self.j] - m[:, :-1].sum(axis=1)  # ... and is implied
        return m

    def lookup(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = codes % self.space
        if not self.dense:
            u, inv = np.unique(key, return_inverse=True)
            mx, mn, tot = self.b.at(self.j, self._nodes(u))
            return mx[inv], mn[inv], tot[inv]
        need = ~self.done[key]
        if need.any():
            u = np.unique(key[need])
            mx, mn, tot = self.b.at(self.j, self._nodes(u))
            self.mx[u], self.mn[u], self.tot[u] = mx, mn, tot
            self.done[u] = True
        return self.mx[key], self.mn[key], self.tot[key]
