"""The exact two-sided p-value of Fisher's test on an r x c table, by exact
enumeration organised as a network (never Monte Carlo).

What is computed (R's ``FEXACT``, ``stats/src/fexact.c``; Mehta & Patel 1983,
1986): with the margins fixed, a table has probability

    P(x) = prod_j [c_j! / prod_i x_ij!]  /  [N! / prod_i r_i!],

and the p-value is the total probability of the tables with
``log P(x) <= log P(observed) + 3.45254e-7`` (the tolerance makes ties count
whatever the rounding). Log-factorials are FEXACT's own table, whose drift
(up to ~1e-11 at N = 600) R's p-values carry -- 2e-11 relative on
lalonde race x treat -- and so do ours; see :mod:`.rxc_table`.

How
---
Columns are filled one at a time (:class:`.rxc_table.RxCProblem`); a *node*
is the vector of row totals still to fill and a path to it has a length, the
sum of the filled columns' ``ddf``. For every node the total weight of its
completions is known in closed form and its longest/shortest completion is
bounded (:mod:`.bounds`). A path all of whose completions count adds its
whole subtree at once; a path none of whose completions can count is
dropped; the others are extended by every filling of the next column
(forward phase, vectorised over paths, chunk by chunk; paths meeting at a
node with equal length are merged, their weights added). When few columns
remain, each live node's completions are enumerated once, sorted, and each
path reaching it is answered by a binary search in the cumulative weights
(backward phase: a meet in the middle; three-row nodes at the last two
columns as a dense (x1, x2) grid). A cost model picks the switch; when
the cheaper phase would exceed :attr:`RxCControl.max_work` the test refuses
with :class:`~pyimpl.errors.InvalidArgument` rather than run for minutes.

Timings (one core, CPU seconds): the spec's 2 x 4 and 3 x 3 tables ~1 ms;
random 2 x k (k <= 8) and 3 x 3 tables with N = 500 under 1 s (2 x 8 with
p = 9e-26: 0.7 s; R's FEXACT needs workspace = 2e8 and 19 s); 3 x 4 with
N = 500 0.1-1.5 s, up to ~6 s when p < 1e-15 (R's FEXACT fails at its default
workspace on every 3 x 4 table with N = 500 we tried).

Agreement with R: to ~1e-14 on small tables and on all registered cases; on
mid-size tables (N >~ 100) R's FEXACT can leave out qualifying tables (one
such table was identified exactly, see ``tests/contingency/test_parity_r.py``),
so R's p-value falls short of the exact sum by up to ~3e-12 relative. We give
the exact sum (checked against brute-force enumeration).
"""
from __future__ import annotations

import math

import numpy as np

from .bounds import Bounds, NodeTable
from .rxc_table import FEXACT_TOL, RxCControl, RxCProblem

__all__ = ["RxCControl", "fisher_rxc_pvalue", "FEXACT_TOL"]

_QUANT = 2.0**30  # paths whose lengths agree to 2^-30 are merged (weights kept exactly)


class _Accumulator:
    """Sum of exp(log-terms) without overflow/underflow surprises: each batch
    is scaled by its largest term and summed in long double."""

    def __init__(self) -> None:
        self.parts: list[tuple[float, np.longdouble]] = []

    def add(self, logs: np.ndarray) -> None:
        if logs.size == 0:
            return
        top = float(logs.max())
        self.parts.append((top, np.sum(np.exp(logs - top), dtype=np.longdouble)))

    def total(self) -> float:
        if not self.parts:
            return 0.0
        top = max(t for t, _ in self.parts)
        s = np.longdouble(0.0)
        for t, v in self.parts:
            s += np.exp(np.longdouble(t - top)) * v
        return float(np.exp(np.longdouble(top)) * s)


def _merge(code: np.ndarray, pastp: np.ndarray, lmult: np.ndarray):
    """Sort paths by node and merge those of equal length (to 2^-30): the
    first length represents the group, whose weight is the exact sum."""
    if code.size == 0:
        return code, pastp, lmult
    key = np.floor(pastp * _QUANT).astype(np.int64)
    order = np.lexsort((key, code))
    code, pastp, lmult, key = code[order], pastp[order], lmult[order], key[order]
    new = np.ones(code.size, dtype=bool)
    new[1:] = (code[1:] != code[:-1]) | (key[1:] != key[:-1])
    if new.all():
        return code, pastp, lmult
    starts = np.flatnonzero(new)
    rep = pastp[starts]
    grp = np.cumsum(new) - 1
    w = np.exp(lmult + (pastp - rep[grp]))
    return code[starts], rep, np.log(np.add.reduceat(w, starts))


def _classify(prob: RxCProblem, table: NodeTable, code, pastp, lmult, acc: _Accumulator):
    """File paths before column ``table.j``: whole subtrees that count go to
    ``acc``; returns the paths still undecided."""
    mx, mn, tot = table.lookup(code)
    full = pastp + mx <= prob.obs
    none = pastp + mn > prob.obs
    if full.any():
        acc.add(lmult[full] + pastp[full] + (tot[full] - prob.dro))
    keep = ~(full | none)
    return code[keep], pastp[keep], lmult[keep]


def _forward(prob: RxCProblem, j: int, code, pastp, lmult, nxt: NodeTable, acc: _Accumulator):
    """Extend every live path by each feasible filling of column j and file
    the new paths at once (chunk by chunk)."""
    x, xcode, d = prob.comps(j)
    m = prob.decode(code)
    k = x.shape[0]
    step = max(1, prob.control.chunk // max(k, 1))
    codes, lens, mults = [], [], []
    for a in range(0, code.size, step):
        mm = m[a:a + step]
        ok = np.ones((mm.shape[0], k), dtype=bool)
        for i in range(prob.nro):
            ok &= x[None, :, i] <= mm[:, i, None]
        si, ki = np.nonzero(ok)
        c2, p2, l2 = _classify(prob, nxt, code[a:a + step][si] - xcode[ki],
                               pastp[a:a + step][si] + d[ki], lmult[a:a + step][si], acc)
        codes.append(c2)
        lens.append(p2)
        mults.append(l2)
    return _merge(np.concatenate(codes), np.concatenate(lens), np.concatenate(mults))


def _fillings(total: int, caps: list[np.ndarray]):
    """Every filling x (0 <= x <= caps[.][e], sum x = total) of one column for
    each entry e, where ``caps`` holds one array per row: (owner entry of each
    filling, nondecreasing; the fillings, one array per row)."""
    nro = len(caps)
    owner = np.arange(caps[0].size)
    used = np.zeros(owner.size, dtype=np.int64)
    rest_cap = [sum(caps[i + 1:]) for i in range(nro - 1)]
    cols: list[np.ndarray] = []
    for i in range(nro - 1):
        lo = np.maximum(0, total - used - rest_cap[i][owner])
        hi = np.minimum(caps[i][owner], total - used)
        cnt = np.maximum(hi - lo + 1, 0)
        rep = np.repeat(np.arange(owner.size), cnt)
        xi = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(rep.size)
        cols = [c[rep] for c in cols] + [xi]
        owner, used = owner[rep], used[rep] + xi
    cols.append(total - used)
    return owner, cols


def _combos(prob: RxCProblem, j0: int, j1: int, caps: np.ndarray):
    """Every way to fill columns j0..j1-1 using at most ``caps`` per row:
    (row usage, U x nro; path length)."""
    use = np.zeros((1, prob.nro), dtype=np.int64)
    score = np.zeros(1)
    for j in range(j0, j1):
        x, _, d = prob.comps(j)
        keep = np.all(x <= caps, axis=1)
        x, d = x[keep], d[keep]
        new_use = (use[:, None, :] + x[None, :, :]).reshape(-1, prob.nro)
        new_score = (score[:, None] + d[None, :]).ravel()
        ok = np.all(new_use <= caps, axis=1)
        use, score = new_use[ok], new_score[ok]
    return use, score


class _Completions:
    """Every completion (columns j..end) of each live node, with its length.
    The last column is forced by the remaining totals. ``counts[k]`` is the
    number of node k's completions, ``fill(nodes, out)`` writes them into the
    rows of ``out`` (the rest of each row is left alone)."""

    def __init__(self, prob: RxCProblem, j: int, m_all: np.ndarray):
        fact = prob.fact
        c = int(prob.cols[-1])
        self.two_rows = prob.nro == 2
        if self.two_rows:
            # the fillings of columns j..end-1 are shared by all nodes; node
            # (s, .) can use those with row-1 usage in [s - c, s]: a slice
            use, score = _combos(prob, j, prob.nco - 1, m_all.max(axis=0))
            srt = np.argsort(use[:, 0], kind="stable")
            self.use0, self.score = use[srt, 0], score[srt]
            self.s = m_all[:, 0]
            self.lo = np.searchsorted(self.use0, self.s - c, side="left")
            self.counts = np.searchsorted(self.use0, self.s, side="right") - self.lo
            x = np.arange(c + 1)
            self.d_last = fact[c] - fact[x] - fact[c - x]
            return
        owner = np.arange(m_all.shape[0])
        rem = [m_all[:, i].copy() for i in range(prob.nro)]
        length = np.zeros(owner.size)
        for jj in range(j, prob.nco - 1):
            cj = int(prob.cols[jj])
            who, x = _fillings(cj, rem)
            length = length[who] + fact[cj]
            for i in range(prob.nro):
                length -= fact[x[i]]
            owner = owner[who]
            rem = [r[who] - xi for r, xi in zip(rem, x)]
        length += fact[c]
        for i in range(prob.nro):
            length -= fact[rem[i]]
        self.length = length  # grouped by owner: _fillings keeps entries in order
        self.counts = np.bincount(owner, minlength=m_all.shape[0])
        self.start = np.concatenate(([0], np.cumsum(self.counts)[:-1]))

    def fill(self, blk: np.ndarray, out: np.ndarray) -> None:
        if self.two_rows:
            for r, k in enumerate(blk):
                lo, n = self.lo[k], self.counts[k]
                out[r, :n] = self.score[lo:lo + n] + self.d_last[self.s[k] - self.use0[lo:lo + n]]
            return
        n = self.counts[blk]
        r = np.repeat(np.arange(blk.size), n)
        col = np.arange(r.size) - np.repeat(np.cumsum(n) - n, n)
        out[r, col] = self.length[np.repeat(self.start[blk], n) + col]


def _tail_weights(comp: np.ndarray, thr: np.ndarray, rows: np.ndarray, chunk: int):
    """For completions ``comp`` (nodes x L, row-wise; -inf = infeasible) and
    queries (``thr``, the node row of each), the log of the weight
    ``sum exp(comp)`` over each query's row entries ``<= thr``.

    Returns (mask of queries with a positive weight, their log weights). Few
    queries per node: masked sums (numpy's pairwise summation). Many: sort
    each row once, cumulate the weights in long double, binary-search.
    """
    n, width = comp.shape
    top = comp.max(axis=1)
    q = thr.size / max(n, 1)
    if q <= 2 * max(1.0, math.log2(max(width, 2))):
        w = np.exp(comp - top[:, None])
        part = np.empty(thr.size)
        step = max(1, chunk // max(width, 1))
        for a in range(0, thr.size, step):
            r = rows[a:a + step]
            part[a:a + step] = np.sum(np.where(comp[r] <= thr[a:a + step, None], w[r], 0.0), axis=1)
    else:
        comp = np.sort(comp, axis=1)
        cum = np.cumsum(np.exp(comp - top[:, None]).astype(np.longdouble), axis=1)
        # a binary search per query in its own row: count of entries <= thr
        lo = np.zeros(thr.size, dtype=np.int64)
        hi = np.full(thr.size, width, dtype=np.int64)
        while True:
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) // 2
            go = active & (comp[rows, np.minimum(mid, width - 1)] <= thr)
            lo = np.where(go, mid + 1, lo)
            hi = np.where(active & ~go, mid, hi)
        part = np.where(lo > 0, cum[rows, np.maximum(lo - 1, 0)], 0).astype(float)
    hit = part > 0
    return hit, top[rows[hit]] + np.log(part[hit])


class _ThreeRowGrid:
    """Completions of three-row nodes by the last two columns, as a dense
    (x1, x2) grid per node: x3 = c - x1 - x2 and the last column is forced, so
    the length is ``fact[c] + fact[c_last] - sum_i (fact[x_i] + fact[m_i - x_i])``
    (-inf where a cell is infeasible). Built from per-row vectors, far fewer
    gathers than listing the completions one by one."""

    def __init__(self, prob: RxCProblem, m_all: np.ndarray):
        self.fact = prob.fact
        self.m = m_all
        self.c = int(prob.cols[-2])
        self.const = prob.fact[self.c] + prob.fact[int(prob.cols[-1])]
        self.n1 = min(self.c, int(m_all[:, 0].max())) + 1
        self.n2 = min(self.c, int(m_all[:, 1].max())) + 1
        self.width = self.n1 * self.n2
        self.counts = np.full(m_all.shape[0], self.width)

    def _g(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """fact[x] + fact[m - x] (B x len(x)), +inf where x > m."""
        fact = self.fact
        rest = m[:, None] - x[None, :]
        return np.where(rest >= 0, fact[x][None, :] + fact[np.maximum(rest, 0)], np.inf)

    def fill(self, blk: np.ndarray, out: np.ndarray) -> None:
        m = self.m[blk]
        x1, x2 = np.arange(self.n1), np.arange(self.n2)
        x3 = self.c - x1[:, None] - x2[None, :]  # n1 x n2
        g12 = self._g(x1, m[:, 0])[:, :, None] + self._g(x2, m[:, 1])[:, None, :]
        rest3 = m[:, 2, None, None] - x3[None, :, :]
        ok = (x3[None, :, :] >= 0) & (rest3 >= 0) & np.isfinite(g12)
        g3 = self.fact[np.clip(x3, 0, None)][None, :, :] + self.fact[np.maximum(rest3, 0)]
        comp = np.where(ok, self.const - (g12 + g3), -np.inf)
        out[:, :self.width] = comp.reshape(blk.size, self.width)


def _backward(prob: RxCProblem, j: int, code, pastp, lmult, acc: _Accumulator) -> None:
    """Answer every live path before column j by enumerating its node's
    completions (columns j..end) once per node."""
    chunk = prob.control.chunk
    order = np.argsort(code, kind="stable")
    code, pastp, lmult = code[order], pastp[order], lmult[order]
    nodes, starts = np.unique(code, return_index=True)
    n_paths = np.diff(np.append(starts, code.size))
    m_all = prob.decode(nodes)
    if prob.nro == 3 and j == prob.nco - 2:
        compl = _ThreeRowGrid(prob, m_all)
    else:
        compl = _Completions(prob, j, m_all)
    n_comp = compl.counts
    base = lmult + pastp - prob.dro
    thr = prob.obs - pastp  # a completion counts when its length <= thr
    # blocks of nodes of similar size, padded into (nodes x width) arrays at -inf
    by_size = np.argsort(n_comp, kind="stable")
    k = 0
    while k < nodes.size:
        k1 = k + 1
        while k1 < nodes.size and (k1 - k + 1) * max(int(n_comp[by_size[k1]]), 1) <= chunk:
            k1 += 1
        blk = by_size[k:k1]
        comp = np.full((blk.size, max(int(n_comp[blk].max()), 1)), -np.inf)
        compl.fill(blk, comp)
        pidx = np.concatenate([np.arange(starts[b], starts[b] + n_paths[b]) for b in blk])
        rows = np.repeat(np.arange(blk.size), n_paths[blk])
        hit, logw = _tail_weights(comp, thr[pidx], rows, chunk)
        acc.add(base[pidx][hit] + logw)
        k = k1


def fisher_rxc_pvalue(table: np.ndarray, control: RxCControl = RxCControl()) -> float:
    """Two-sided Fisher exact p-value of an r x c table of counts (R's
    ``fisher.test`` without ``simulate.p.value``/``hybrid``).

    Contract
    --------
    table : 2-D integer counts, at least 2 x 2, at least one positive count.
    Returns ``max(0, min(1, p))`` as R does. Raises InvalidArgument when a
    planned work would exceed ``control.max_work`` (cumulative over the phases).
    """
    prob = RxCProblem(table, control)
    bounds = Bounds(prob)
    acc = _Accumulator()
    nco = prob.nco
    code = np.array([prob.code(prob.rows)], dtype=np.int64)
    pastp = np.zeros(1)
    lmult = np.zeros(1)
    code, pastp, lmult = _classify(prob, NodeTable(bounds, 0), code, pastp, lmult, acc)
    for j in range(nco):
        if code.size == 0:
            break
        n_states = code.size
        n_nodes = 1 + int(np.count_nonzero(code[1:] != code[:-1]))  # code is sorted
        # which phase: compare counts -- extending every path by one column
        # against listing the completions of every live node (each table
        # completes one node: at most n_combo * n_comps(last) in all)
        n_new = n_states * prob.n_comps(j) if j < nco - 1 else math.inf
        n_combo = 1.0
        for jj in range(j, nco - 1):
            n_combo *= prob.n_comps(jj)
        n_compl = min(n_nodes * n_combo, n_combo * prob.n_comps(nco - 1))
        if j >= nco - 2 or n_compl + n_states <= control.switch * n_new:
            # budget, in row-operations: a completion a pass per row and its
            # share of a sort, a query a binary search
            width = 2 + n_compl / n_nodes
            prob.spend(n_compl * (prob.nro + math.log2(width)) + n_states * math.log2(width))
            _backward(prob, j, code, pastp, lmult, acc)
            break
        # budget: a new path ~10 ns per row and merge pass, a new node its bounds (relaxations
        # over the remaining columns when there are more than two rows)
        new_nodes = min(n_new, float(prob.weights[-1]))
        bound_cost = 2 if prob.nro == 2 else 8 * prob.nro * (nco - j - 1)
        prob.spend(n_new * (5 + 2 * prob.nro) + new_nodes * bound_cost)
        code, pastp, lmult = _forward(prob, j, code, pastp, lmult, NodeTable(bounds, j + 1), acc)
    return max(0.0, min(1.0, acc.total()))
