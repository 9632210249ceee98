"""The exact two-sided p-value of Fisher's test on an r x c table, by exact
enumeration organised as a network (never Monte Carlo).

What is computed (R's ``FEXACT``, ``stats/src/fexact.c``, Mehta & Patel 1983,
1986): with the margins fixed, a table has probability

    P(x) = prod_j [c_j! / prod_i x_ij!]  /  [N! / prod_i r_i!],

and the p-value is the total probability of the tables with
``log P(x) <= log P(observed) + 3.45254e-7`` (FEXACT's ``tol``: "the square
root of the smallest relative spacing"; it makes ties count whatever the
rounding). Following FEXACT, log-factorials come from FEXACT's own table
(``fact[i] = fact[i-1] + log(i)`` for odd i, ``fact[i/2]``-based for even i),
whose values are off the true log-factorials by up to ~1e-11 at N = 600: R's
p-values carry that error (2e-11 relative on lalonde race x treat) and so do
ours, which is what R parity means here.

How
---
The table is oriented with the fewer rows (FEXACT's ``nro``) and columns in
ascending order of total. Columns are filled one at a time; a *node* is the
vector of row totals still to fill, and a path to it has length
``pastp = sum of log[c_j! / prod_i x_ij!]`` over the columns filled so far.
For every node three numbers are known without enumerating its subtree:

* the total weight of all completions, by the multinomial identity
  ``sum over completions of prod_j c_j!/prod_i x_ij! = n! / prod_i m_i!``;
* an upper and a lower bound on the length of a completion -- exact by
  dynamic programming for two rows, by column- and row-wise relaxations
  (water-filling for the longest, greedy filling for the shortest) otherwise.

A path whose every completion counts adds its whole subtree at once; a path
none of whose completions can count is dropped; the rest are expanded
(forward phase, vectorised over all live paths, paths meeting at the same
node with the same length merged). When the remaining columns are few, each
live node's completions are enumerated once, sorted, and every path reaching
the node is answered by a binary search over the cumulative weights
(backward phase; a meet-in-the-middle). Where to switch is decided by a cost
model; when the cheaper side would exceed :attr:`RxCControl.max_work` the
test refuses with :class:`~pyimpl.errors.InvalidArgument` instead of running
for minutes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument

__all__ = ["RxCControl", "fexact_log_factorials", "fisher_rxc_pvalue", "naive_pvalue", "FEXACT_TOL"]

FEXACT_TOL = 3.45254e-7
_PAD = 1e-8  # slack on the bounds: rounding of sums of log-factorials is ~1e-12
_QUANT = 2.0**30  # paths whose lengths agree to 2^-30 are merged (weights kept exactly)


@dataclass(frozen=True)
class RxCControl:
    """Settings of the r x c enumeration.

    ``max_work``: the largest number of elementary steps (path extensions plus
    enumerated completions) the algorithm may plan for; about 1e8 steps take
    ~10 s on one core. ``chunk``: elements per vectorised block (memory).
    """

    max_work: float = 3e8
    chunk: int = 1 << 22


def fexact_log_factorials(n: int) -> np.ndarray:
    """FEXACT's table of log(i!) for i = 0..n, rounding included.

    fexact.c: ``fact[2] = log(2)``; for odd i, ``fact[i] = fact[i-1] + log(i)``
    and then ``fact[i+1] = fact[i] + fact[2] + fact[(i+1)/2] - fact[(i+1)/2 - 1]``
    (log(i+1) = log 2 + log((i+1)/2), each term from the table itself).
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


def _count_compositions(total: int, caps: np.ndarray) -> float:
    """Number of x >= 0 with sum(x) = total and x <= caps (as a float: it only
    feeds the cost model)."""
    ways = np.zeros(total + 1)
    ways[0] = 1.0
    for cap in caps:
        ways = np.convolve(ways, np.ones(int(min(cap, total)) + 1))[: total + 1]
    return float(ways[total])


def _compositions(total: int, caps: np.ndarray) -> np.ndarray:
    """All x in Z^k with x >= 0, x <= caps, sum(x) = total, as rows (lexicographic)."""
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


def _ddf(fact: np.ndarray, total: int, comps: np.ndarray) -> np.ndarray:
    """f9xact: fact[total] - fact[x_1] - fact[x_2] - ... (in this order)."""
    d = np.full(comps.shape[0], fact[total])
    for i in range(comps.shape[1]):
        d = d - fact[comps[:, i]]
    return d


class _Budget:
    def __init__(self, limit: float, shape: tuple[int, int], n: int):
        self.limit = limit
        self.shape = shape
        self.n = n

    def check(self, work: float) -> None:
        if work > self.limit:
            r, c = self.shape
            raise InvalidArgument(
                f"`table` is too large for exact enumeration: a {r} x {c} table with N = {self.n} "
                f"needs about {work:.2g} steps (limit {self.limit:.2g}, RxCControl.max_work); "
                "R's FEXACT fails or takes minutes on such tables too"
            )


class _Problem:
    """The oriented, sorted table and its per-column path lengths."""

    def __init__(self, table: np.ndarray, control: RxCControl):
        t = np.asarray(table, dtype=np.int64)
        if t.shape[0] > t.shape[1]:
            t = t.T  # FEXACT: nro = min(nrow, ncol) rows
        self.table = t
        self.n = int(t.sum())
        self.fact = fexact_log_factorials(self.n)
        fact = self.fact
        nro, nco = t.shape
        row_tot = t.sum(axis=1)
        col_tot = t.sum(axis=0)
        iro = np.sort(row_tot)
        ico = np.sort(col_tot)
        # fexact.c: obs = tol + sum_j (fact[ico[j]] - sum_i fact[x_ij]) (table in given order)
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
        # rows in ascending order of total, columns in ascending order (processing order)
        self.rows = iro.astype(np.int64)
        self.cols = ico.astype(np.int64)
        self.nro, self.nco = nro, nco
        self.weights = np.cumprod(np.concatenate(([1], self.rows[:-1] + 1))).astype(np.int64)
        if float(np.prod((self.rows + 1).astype(float))) > 2.0**62:
            raise InvalidArgument(
                f"`table` is too large for exact enumeration: the row totals {self.rows.tolist()} "
                "cannot be indexed"
            )
        # suffix totals: remaining grand total before filling column j
        self.rem_total = np.concatenate((np.cumsum(self.cols[::-1])[::-1], [0]))
        self.control = control
        self.budget = _Budget(control.max_work, t.shape, self.n)
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
            self._ncomp[j] = _count_compositions(int(self.cols[j]), self.rows)
        return self._ncomp[j]

    def comps(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(compositions of column j, their codes, their path lengths ddf)."""
        if j not in self._comps:
            x = _compositions(int(self.cols[j]), self.rows)
            self._comps[j] = (x, self.code(x), _ddf(self.fact, int(self.cols[j]), x))
        return self._comps[j]


# ---------------------------------------------------------------------------------------
# bounds on the length of a completion of a node
# ---------------------------------------------------------------------------------------
def _even_cost(fact: np.ndarray, total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """min sum_i fact[x_i] over sum x_i = total, 0 <= x_i <= caps_i (per row of caps):
    the most even split (water-filling), optimal since log-factorials are convex."""
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
            q, r = np.divmod(rem[fin], left)
            cost[fin] += r * fact[q + 1] + (left - r) * fact[q]
            done |= fin
    return cost


def _greedy_cost(fact: np.ndarray, total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """max sum_i fact[x_i] over the same set: fill the largest capacities first
    (that vector majorises every other feasible one; fact is convex)."""
    caps = -np.sort(-caps, axis=1)
    rem = total.astype(np.int64).copy()
    cost = np.zeros(caps.shape[0])
    for i in range(caps.shape[1]):
        x = np.minimum(caps[:, i], rem)
        cost += fact[x]
        rem -= x
    return cost


class _Bounds:
    """max / min completion length and log total weight of nodes at stage j."""

    def __init__(self, prob: _Problem):
        self.p = prob
        self.suffix_fact = np.concatenate((np.cumsum(prob.fact[prob.cols][::-1])[::-1], [0.0]))
        self._dp: list | None = None
        if prob.nro == 2:
            self._dp = self._two_row_dp()

    def _two_row_dp(self) -> list:
        p = self.p
        fact = p.fact
        r0 = int(p.rows[0])
        out: list = [None] * (p.nco + 1)
        # after the last column nothing remains: only s = 0 is feasible
        mx = np.full(r0 + 1, -np.inf)
        mn = np.full(r0 + 1, np.inf)
        mx[0] = mn[0] = 0.0
        out[p.nco] = (mx, mn)
        for j in range(p.nco - 1, -1, -1):
            c = int(p.cols[j])
            tot = int(p.rem_total[j])
            x = np.arange(c + 1)
            d = fact[c] - fact[x] - fact[c - x]
            s = np.arange(r0 + 1)
            prev_mx, prev_mn = out[j + 1]
            nxt = s[:, None] - x[None, :]
            ok = (nxt >= 0) & (x[None, :] <= s[:, None]) & (c - x[None, :] <= tot - s[:, None])
            nxt_c = np.clip(nxt, 0, r0)
            cand_mx = np.where(ok, d[None, :] + prev_mx[nxt_c], -np.inf)
            cand_mn = np.where(ok, d[None, :] + prev_mn[nxt_c], np.inf)
            out[j] = (cand_mx.max(axis=1), cand_mn.min(axis=1))
        return out

    def at(self, j: int, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(max length, min length, log total weight) of completing nodes m (U x nro)
        with columns j.. ; the bounds are padded outwards by _PAD."""
        p = self.p
        fact = p.fact
        n_rem = m.sum(axis=1)
        tot = fact[n_rem]
        for i in range(p.nro):
            tot = tot - fact[m[:, i]]
        if self._dp is not None:
            mx, mn = self._dp[j]
            return mx[m[:, 0]] + _PAD, mn[m[:, 0]] - _PAD, tot
        cols = p.cols[j:]
        u = m.shape[0]
        l_col = np.zeros(u)
        h_col = np.zeros(u)
        for c in cols:
            cc = np.full(u, c)
            l_col += _even_cost(fact, cc, m)
            h_col += _greedy_cost(fact, cc, m)
        capc = np.broadcast_to(cols, (u, cols.size))
        l_row = np.zeros(u)
        h_row = np.zeros(u)
        for i in range(p.nro):
            l_row += _even_cost(fact, m[:, i], capc)
            h_row += _greedy_cost(fact, m[:, i], capc)
        sf = self.suffix_fact[j]
        return sf - np.maximum(l_col, l_row) + _PAD, sf - np.minimum(h_col, h_row) - _PAD, tot


# ---------------------------------------------------------------------------------------
# the network
# ---------------------------------------------------------------------------------------
def _merge(code: np.ndarray, pastp: np.ndarray, lmult: np.ndarray):
    """Sort paths by node and merge those with equal length (to 2^-30): the
    representative keeps the first length, the weight sum is kept exactly."""
    key = np.floor(pastp * _QUANT).astype(np.int64)
    order = np.lexsort((key, code))
    code, pastp, lmult, key = code[order], pastp[order], lmult[order], key[order]
    if code.size == 0:
        return code, pastp, lmult
    new = np.ones(code.size, dtype=bool)
    new[1:] = (code[1:] != code[:-1]) | (key[1:] != key[:-1])
    if new.all():
        return code, pastp, lmult
    starts = np.flatnonzero(new)
    rep = pastp[starts]
    grp = np.cumsum(new) - 1
    w = np.exp(lmult + (pastp - rep[grp]))
    lm = np.log(np.add.reduceat(w, starts))
    return code[starts], rep, lm


def _combos(prob: _Problem, j0: int, j1: int, caps: np.ndarray):
    """All ways to fill columns j0..j1-1 using at most caps per row:
    (usage U x nro, path length)."""
    use = np.zeros((1, prob.nro), dtype=np.int64)
    score = np.zeros(1)
    for j in range(j0, j1):
        x, _, d = prob.comps(j)
        ok_x = np.all(x <= caps, axis=1)
        x, d = x[ok_x], d[ok_x]
        new_use = (use[:, None, :] + x[None, :, :]).reshape(-1, prob.nro)
        new_score = (score[:, None] + d[None, :]).ravel()
        ok = np.all(new_use <= caps, axis=1)
        use, score = new_use[ok], new_score[ok]
    return use, score


def _backward(prob: _Problem, j: int, code, pastp, lmult, out: list) -> None:
    """Answer every live path at stage j by enumerating its node's completions."""
    fact = prob.fact
    last = prob.nco - 1
    nodes, starts = np.unique(code, return_index=True)
    ends = np.append(starts[1:], code.size)
    m_all = prob.decode(nodes)
    caps = m_all.max(axis=0)
    use, score = _combos(prob, j, last, caps)
    c_last = int(prob.cols[last])
    base = pastp - prob.dro  # log P of a path's table = base + completion
    thr = prob.obs - pastp  # a completion counts when its length <= thr
    if prob.nro == 2:
        order = np.argsort(use[:, 0], kind="stable")
        use0, score = use[order, 0], score[order]
        x = np.arange(c_last + 1)
        d_last = fact[c_last] - fact[x] - fact[c_last - x]
    for k in range(nodes.size):
        m = m_all[k]
        if prob.nro == 2:
            s = int(m[0])
            lo = np.searchsorted(use0, s - c_last, side="left")
            hi = np.searchsorted(use0, s, side="right")
            comp = score[lo:hi] + d_last[s - use0[lo:hi]]
        else:
            ok = np.all(use <= m, axis=1)
            rest = m - use[ok]
            dl = np.full(rest.shape[0], fact[c_last])
            for i in range(prob.nro):
                dl = dl - fact[rest[:, i]]
            comp = score[ok] + dl
        if comp.size == 0:
            continue
        comp = np.sort(comp)
        top = comp[-1]
        cum = np.cumsum(np.exp(comp - top).astype(np.longdouble))
        a, b = starts[k], ends[k]
        idx = np.searchsorted(comp, thr[a:b], side="right")
        hit = idx > 0
        if hit.any():
            part = cum[idx[hit] - 1].astype(float)
            out.append(lmult[a:b][hit] + base[a:b][hit] + top + np.log(part))


def fisher_rxc_pvalue(table: np.ndarray, control: RxCControl = RxCControl()) -> float:
    """Two-sided Fisher exact p-value of an r x c table of counts (R's
    ``fisher.test`` without ``simulate.p.value``/``hybrid``).

    Contract
    --------
    table : 2-D integer counts, at least 2 x 2, at least one positive count.
    Returns ``max(0, min(1, p))`` as R does. Raises InvalidArgument when the
    planned work exceeds ``control.max_work``.
    """
    prob = _Problem(table, control)
    bounds = _Bounds(prob)
    out: list[np.ndarray] = []
    code = np.array([prob.code(prob.rows)], dtype=np.int64)
    pastp = np.zeros(1)
    lmult = np.zeros(1)
    nco = prob.nco
    for j in range(nco):
        if code.size == 0:
            break
        code, pastp, lmult = _merge(code, pastp, lmult)
        nodes, inv = np.unique(code, return_inverse=True)
        m = prob.decode(nodes)
        mx, mn, tot = bounds.at(j, m)
        full = pastp + mx[inv] <= prob.obs
        none = pastp + mn[inv] > prob.obs
        if full.any():
            out.append(lmult[full] + pastp[full] + (tot[inv][full] - prob.dro))
        keep = ~(full | none)
        code, pastp, lmult = code[keep], pastp[keep], lmult[keep]
        if code.size == 0:
            break
        n_states = code.size
        n_nodes = np.unique(code).size
        forward = n_states * prob.n_comps(j) if j < nco - 1 else math.inf
        n_combo = 1.0
        for jj in range(j, nco - 1):
            n_combo *= prob.n_comps(jj)
        backward = n_nodes * n_combo
        if prob.nro == 2:
            backward = min(backward, n_combo * (prob.cols[-1] + 1))
        backward += n_combo + n_states
        if j >= nco - 2 or backward <= 4 * forward:
            prob.budget.check(backward)
            _backward(prob, j, code, pastp, lmult, out)
            code = code[:0]
            break
        prob.budget.check(forward)
        code, pastp, lmult = _forward(prob, j, code, pastp, lmult)
    if not out:
        return 0.0
    logs = np.concatenate(out)
    p = math.fsum(np.exp(logs).tolist())
    return max(0.0, min(1.0, p))


def _forward(prob: _Problem, j: int, code, pastp, lmult):
    """Extend every live path by each feasible filling of column j."""
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
        codes.append(code[a:a + step][si] - xcode[ki])
        lens.append(pastp[a:a + step][si] + d[ki])
        mults.append(lmult[a:a + step][si])
    return np.concatenate(codes), np.concatenate(lens), np.concatenate(mults)


def naive_pvalue(table: np.ndarray) -> float:
    """The same p-value by brute force: every table with the observed margins,
    one at a time (for testing the network on small tables only)."""
    prob = _Problem(table, RxCControl())
    fact = prob.fact
    terms = []

    def rec(j: int, m: np.ndarray, length: float) -> None:
        if j == prob.nco:
            if length <= prob.obs:
                terms.append(math.exp(length - prob.dro))
            return
        for x in _compositions(int(prob.cols[j]), m):
            d = fact[prob.cols[j]]
            for v in x:
                d -= fact[v]
            rec(j + 1, m - x, length + d)

    rec(0, prob.rows.copy(), 0.0)
    return max(0.0, min(1.0, math.fsum(terms)))
