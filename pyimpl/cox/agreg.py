"""Counting-process Cox fits, ``Surv(start, stop, event)``: survival's
``agreg.fit`` and its C kernel ``agfit4.c`` (survival 3.5-3), step for step.

Contract (agfit4): rows ``0..n-1`` with ``start < stop``; ``sort2`` the rows
by (stratum, stop descending), ``sort1`` by (stratum, start descending), rows
that no event time separates (``ignore``: start and stop in the same interval
between event times) placed last and not used; covariates centred per stratum
(as compiled: by the first row's value, see :func:`agfit4`) and scaled overall by ``sum(w) / sum(w |x|)``
when ``doscale``. One pass per iteration walks the event times from the last:
subjects whose start is at or after the event time leave the running sums (all
of them: the sums restart at exactly 0), those whose stop is at or after it
join; deaths at the time join through their own sums, then enter the risk set
at once (Breslow) or a 1/d share at a time (Efron). The Newton iteration,
step halving, convergence test and its last-resort recomputation are
agfit4's. The sums are sequential double sums in the C order: the walk (which
rows leave and join at each event time) is laid out once per fit
(:func:`_walk`) and each pass is a few ``cumsum`` over it (:func:`_pass_fast`),
the same numbers as the loop (:func:`_pass`, kept for the rare data whose
linear predictor would make agfit4 re-centre its exponentials). On large data
(:data:`GRAM_LIMIT`) the information matrix's running sums of ``r x x'`` are
regrouped by row into one Gram matrix (:func:`_information_gram`) and the
running sums of r and r x between two merges summed first
(:func:`_running_sums_regrouped`): the same sums to ~1e-13, without the
(operations x p^2) running sums.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument

from .. import _libm
from ._order import cumsum_restart
from .chol import chinv2, cholesky2, chsolve2
from .fit import linear_predictor

__all__ = ["AgregResult", "agfit4", "agreg_order"]


@dataclass(frozen=True)
class AgregResult:
    """agfit4's outputs: coefficients and variance on the caller's scale."""

    coef: np.ndarray
    u: np.ndarray
    imat: np.ndarray
    loglik: np.ndarray
    sctest: float
    flag: tuple[int, int, int, int]  # rank, recentering count, step halvings, did not converge
    iter: int


def _order(keys: list[np.ndarray]) -> np.ndarray:
    """R's ``order(k1, k2, ...)`` (stable)."""
    return np.lexsort(tuple(reversed(keys)))


def agreg_order(start, stop, event, strata) -> tuple[np.ndarray, np.ndarray, int]:
    """agreg.fit's ``sort.start``, ``sort.end`` (0-based) and ``nused``."""
    # strata shift the times apart (delta <- strata * (1 + max(stop) - min(start)))
    if strata is None:
        y1, y2 = start, stop
    else:
        delta = (strata + 1) * (1 + np.max(stop) - np.min(start))
        y1, y2 = start + delta, stop + delta
    ev = event > 0
    dtime = np.unique(y2[ev])
    indx1 = np.searchsorted(dtime, y1, side="right")  # findInterval
    indx2 = np.searchsorted(dtime, y2, side="right")
    ignore = (indx1 == indx2).astype(np.int8)
    s = np.zeros(start.size, dtype=np.intp) if strata is None else strata
    sort_end = _order([ignore, s, -stop])
    sort_start = _order([ignore, s, -start])
    return sort_start, sort_end, int(np.sum(ignore == 0))


def agfit4(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray, strata: np.ndarray,
           weights: np.ndarray, offset: np.ndarray, init: np.ndarray, sort1: np.ndarray, sort2: np.ndarray,
           nused: int, efron: bool, maxiter: int, control: CoxControl, doscale: np.ndarray) -> AgregResult:
    """agfit4.c (see the module's contract); ``x`` is not modified."""
    n, nvar = x.shape
    covar = np.array(x, dtype=float, copy=True)
    eps, tol_chol = control.eps, control.toler_chol
    scale = np.ones(nvar)
    used = sort2[:nused]
    wu = weights[used]
    temp2 = float(np.cumsum(wu)[-1]) if nused else 0.0
    for i in np.flatnonzero(doscale).tolist():
        col = covar[:, i]
        # agfit4.c's centring loop, as compiled: its "mean for last stratum" lines
        # sit inside the loop over persons, so at the first person every used row
        # is shifted by that person's (w x) / w and nothing after changes it (the
        # model is shift invariant; the sums' rounding is not)
        p0 = sort2[0]
        col[used] -= (weights[p0] * col[p0]) / weights[p0]
        temp = float(np.cumsum(wu * np.abs(col[used]))[-1])  # sequential, in sort2 order
        scale[i] = temp2 / temp if temp > 0 else 1.0
        col[used] *= scale[i]
    beta = np.asarray(init, dtype=float) / scale
    walk = _walk(start, stop, event, strata, sort1, sort2, nused, efron)

    def evaluate(b: np.ndarray):
        """One pass: on arrays (:func:`_pass_fast`), or the loop where that declines."""
        res = _pass_fast(covar, b, offset, weights, walk, efron) if walk is not None else None
        if res is None:
            res = _pass(covar, b, start, stop, event, strata.tolist(), weights.tolist(), offset, sort1, sort2, nused,
                        efron, flag)
        return res

    oldbeta = beta.copy()
    loglik = [0.0, 0.0]
    sctest = 0.0
    flag = [0, 0, 0, 0]
    rank = 0
    halving = 0
    it = 0
    imat = np.zeros((nvar, nvar))
    u = np.zeros(nvar)
    newlk = 0.0
    while it <= maxiter:
        newlk, u, imat = evaluate(beta)
        if it == 0:
            loglik = [newlk, newlk]
            fac, rank = cholesky2(imat, tol_chol)
            a = chsolve2(fac, u)
            sctest = 0.0
            for ai, ui in zip(a.tolist(), u.tolist()):
                sctest += ui * ai
            imat = fac
            if maxiter == 0 or math.isnan(newlk) or math.isinf(newlk):
                break
            oldbeta = beta.copy()
            beta = beta + a
        else:
            fail = int(sum(1 for v in np.diag(imat) if not math.isfinite(v)))
            fac, rank2 = cholesky2(imat, tol_chol)
            imat = fac
            fail += int(math.isnan(newlk)) + int(math.isinf(newlk)) + abs(rank - rank2)
            if fail == 0 and halving == 0 and abs(1 - (loglik[1] / newlk)) <= eps:
                break
            if it == maxiter:
                flag[3] = 1
                if maxiter > 1 and ((newlk - loglik[1]) / abs(loglik[1])) < -eps:
                    # "once more unto the breach": back to the last good beta, its imat
                    beta = oldbeta.copy()
                    newlk, u, imat = evaluate(beta)
                    imat, _ = cholesky2(imat, tol_chol)
                break
            if fail > 0 or newlk < loglik[1]:
                halving += 1
                flag[2] += 1
                beta = (oldbeta * halving + beta) / (halving + 1.0)
            else:
                halving = 0
                loglik[1] = newlk
                step = chsolve2(imat, u)
                oldbeta = beta.copy()
                beta = beta + step
        it += 1
    flag[0] = rank
    loglik[1] = newlk
    var = chinv2(imat)
    coef = beta * scale
    u_out = u / scale
    var = var * (scale[:, None] * scale[None, :])  # imat[j][i] *= scale[i] * scale[j]
    return AgregResult(coef=coef, u=u_out, imat=var, loglik=np.array(loglik), sctest=float(sctest),
                       flag=(flag[0], flag[1], flag[2], flag[3]), iter=min(it, maxiter))


def _pass(covar, beta, start, stop, event, st, w, offset, sort1, sort2, nused, efron, flag):
    """One evaluation of the log-likelihood, score and information (agfit4's
    accumulation loop)."""
    n, nvar = covar.shape
    eta = [0.0] * n
    s1 = sort1.tolist()
    s2 = sort2.tolist()
    b = beta.tolist()
    rows = covar.tolist()
    off = offset.tolist()
    for person in range(nused):
        p = s2[person]
        zbeta = 0.0
        r = rows[p]
        for i in range(nvar):
            zbeta += b[i] * r[i]
        eta[p] = zbeta + off[p]
    tstart = start.tolist()
    tstop = stop.tolist()
    ev = event.tolist()
    newlk = 0.0
    u = np.zeros(nvar)
    imat = np.zeros((nvar, nvar))
    a = np.zeros(nvar)
    cmat = np.zeros((nvar, nvar))
    person = indx1 = 0
    recenter = denom = etasum = 0.0
    nrisk = 0
    istrat = st[s2[0]] if nused else 0
    X = covar
    while person < nused:
        k = person
        dtime = 0.0
        while k < nused:
            p = s2[k]
            if st[p] != istrat:
                istrat = st[p]
                denom = 0.0
                nrisk = 0
                etasum = 0.0
                a = np.zeros(nvar)
                cmat = np.zeros((nvar, nvar))
                person = k
                indx1 = k
            if ev[p] == 1:
                dtime = tstop[p]
                break
            k += 1
        if k == nused:
            break
        while indx1 < nused:  # remove subjects no longer at risk
            p1 = s1[indx1]
            if tstart[p1] < dtime or st[p1] != istrat:
                break
            nrisk -= 1
            if nrisk == 0:
                etasum = 0.0
                denom = 0.0
                a = np.zeros(nvar)
                cmat = np.zeros((nvar, nvar))
            else:
                etasum -= eta[p1]
                risk = math.exp(eta[p1] - recenter) * w[p1]
                denom -= risk
                xr = X[p1]
                a = a - risk * xr
                cmat = cmat - np.outer(risk * xr, xr)
            indx1 += 1
        denom2 = meanwt = 0.0
        deaths = 0
        a2 = np.zeros(nvar)
        cmat2 = np.zeros((nvar, nvar))
        while person < nused:  # add the subjects at risk from this time
            p = s2[person]
            if st[p] != istrat or tstop[p] < dtime:
                break
            nrisk += 1
            etasum += eta[p]
            if abs(etasum / nrisk - recenter) > 200:
                flag[1] += 1
                temp = etasum / nrisk - recenter
                recenter = etasum / nrisk
                if denom > 0:
                    if abs(temp) > 709:
                        raise InvalidArgument("exp overflow due to covariates (R's agfit4: 'exp overflow due to "
                                              "covariates')", kind="init.overflow")
                    temp = math.exp(-temp)
                    denom *= temp
                    a = a * temp
                    cmat = cmat * temp
            risk = math.exp(eta[p] - recenter) * w[p]
            xr = X[p]
            if ev[p] == 1:
                deaths += 1
                denom2 += risk
                meanwt += w[p]
                newlk += w[p] * (eta[p] - recenter)
                u = u + w[p] * xr
                a2 = a2 + risk * xr
                cmat2 = cmat2 + np.outer(risk * xr, xr)
            else:
                denom += risk
                a = a + risk * xr
                cmat = cmat + np.outer(risk * xr, xr)
            person += 1
        if not efron or deaths == 1:  # Breslow
            denom += denom2
            newlk -= meanwt * math.log(denom)
            a = a + a2
            cmat = cmat + cmat2
            temp = a / denom
            u = u - meanwt * temp
            # imat[j][i] += meanwt * ((cmat[i][j] - temp[i] * a[j]) / denom), j <= i
            imat = imat + np.triu((meanwt * ((cmat - np.outer(temp, a)) / denom)).T)
        else:
            meanwt /= deaths
            for _ in range(deaths):
                denom += denom2 / deaths
                newlk -= meanwt * math.log(denom)
                a = a + a2 / deaths
                cmat = cmat + cmat2 / deaths
                temp = a / denom
                u = u - meanwt * temp
                imat = imat + np.triu((meanwt * ((cmat - np.outer(temp, a)) / denom)).T)
    return newlk, u, imat


@dataclass(frozen=True)
class _Walk:
    """agfit4's walk, which the coefficients do not change: for each event time
    (in the walk's order) the rows that leave (``sort1`` order), the rows that
    join (``sort2`` order), the events among them; the running sums' operations
    in C order, and where they restart (a new stratum, or the risk set emptied)."""

    op_row: np.ndarray  # row of each operation (-1: a merge of the events' sums)
    op_sign: np.ndarray  # +1 join, -1 leave, 0 a reset to exactly 0 (the risk set emptied)
    op_step: np.ndarray  # for merge operations, the step; -1 otherwise
    restarts: np.ndarray  # operations where the running sums restart
    step_time: np.ndarray  # event time of each step
    step_k: np.ndarray  # k of the step within its event time (Efron's k/d)
    step_d: np.ndarray  # events at the step's time
    dead_rows: np.ndarray  # the events' rows, in walk order
    dead_time: np.ndarray  # their event time's index
    ntime: int
    nrows: int = 0  # the data's rows (the walk's rows index them)

    @cached_property
    def row_ops(self) -> np.ndarray:
        """The operations on a row (join, leave, reset); the others are merges."""
        return self.op_row >= 0

    @cached_property
    def spans(self) -> "_Spans":
        """Where each row is in the running sums (see :func:`_information_gram`)."""
        nops = self.op_row.size
        merge = ~self.row_ops
        # each operation's segment end (a restart: a new stratum, or the risk set emptied)
        seg_end = np.append(self.restarts[1:], nops) - 1
        end_of = seg_end[np.searchsorted(self.restarts, np.arange(nops), side="right") - 1]
        leave = np.full(self.nrows, -1, dtype=np.intp)
        join = np.full(self.nrows, -1, dtype=np.intp)
        rows = self.op_row[self.row_ops]
        idx = np.flatnonzero(self.row_ops)
        joins = self.op_sign[self.row_ops] > 0
        join[rows[joins]] = idx[joins]
        leave[rows[~joins]] = idx[~joins]
        joined = np.flatnonzero(join >= 0)
        last = np.where(leave >= 0, leave, end_of[np.maximum(join, 0)])
        step_of_time_last = np.zeros(self.ntime, dtype=np.intp)
        step_of_time_last[self.step_time] = np.flatnonzero(merge)  # the last merge of each time (in order)
        m_last = step_of_time_last[self.dead_time]
        dr = self.dead_rows
        end_d = np.where(leave[dr] >= 0, leave[dr], end_of[m_last])
        return _Spans(joined, join[joined], last[joined], m_last, end_d)

    @cached_property
    def segments(self) -> "_Segments":
        """The operations cut after each merge and at each restart, as a
        (segments x rows) matrix of the row operations' signs (see
        :func:`_running_sums_regrouped`)."""
        from scipy import sparse

        nops = self.op_row.size
        merge_at = np.flatnonzero(~self.row_ops)
        cut = np.zeros(nops, dtype=bool)
        cut[self.restarts] = True
        cut[merge_at[merge_at + 1 < nops] + 1] = True
        cut[0] = True
        seg = np.cumsum(cut) - 1
        starts = np.flatnonzero(cut)
        restart_flag = np.zeros(starts.size, dtype=bool)
        restart_flag[seg[self.restarts]] = True
        ops = np.flatnonzero(self.row_ops)
        signs = sparse.csr_matrix((self.op_sign[ops].astype(float), (seg[ops], self.op_row[ops])),
                                  shape=(starts.size, self.nrows))
        signs.sum_duplicates()
        return _Segments(signs=signs, merge_seg=seg[merge_at], restarts=np.flatnonzero(restart_flag))

    @cached_property
    def used_rows(self) -> np.ndarray:
        """The rows the walk touches."""
        return self.op_row[self.row_ops]

    @cached_property
    def term_order(self) -> np.ndarray:
        """The order in which agfit4 adds the log-likelihood and score terms:
        by event time, the events' own terms (in walk order), then the steps'."""
        nd = self.dead_rows.size
        return np.lexsort((np.concatenate((np.arange(nd), self.step_k)),
                           np.concatenate((np.zeros(nd), np.ones(self.step_time.size))),
                           np.concatenate((self.dead_time, self.step_time))))


@dataclass(frozen=True)
class _Segments:
    """For :func:`_running_sums_regrouped`: ``signs[k, i]`` the sum of row i's
    operation signs in segment k (+1 join, -1 leave; a row that joins and
    leaves in one segment cancels); ``merge_seg`` the segment each merge ends;
    ``restarts`` the segments the running sums restart at."""

    signs: object  # scipy.sparse.csr_matrix
    merge_seg: np.ndarray
    restarts: np.ndarray


@dataclass(frozen=True)
class _Spans:
    """For :func:`_information_gram`: the rows that join the running sums,
    their join and last operations; each event's own time's last merge and
    its last operation."""

    joined: np.ndarray
    join: np.ndarray
    last: np.ndarray
    dead_merge: np.ndarray
    dead_last: np.ndarray


def _walk(start, stop, event, strata, sort1, sort2, nused: int, efron: bool) -> _Walk | None:
    """The walk of :func:`_pass`, as arrays; None where the two orders do not
    hold the same rows in a stratum (left to the loop).

    In each stratum, at each event time t from the last: the rows whose start
    is >= t leave (``sort1`` order; the one that empties the risk set resets
    the sums to 0), the rows whose stop is >= t join (``sort2`` order; the
    events at t join through their own sums instead), then one merge step (d
    Efron steps for d > 1 tied events). Built with array operations: each
    operation's (time, phase, position) sorted once."""
    s2 = sort2[:nused]
    s1 = sort1[:nused]
    st2 = strata[s2]
    bounds = np.flatnonzero(np.diff(st2)) + 1
    blocks = zip(np.concatenate(([0], bounds)).tolist(), np.concatenate((bounds, [nused])).tolist())
    parts = []  # per stratum: (op_row, op_sign, op_kind, step_d per step, step_k, dead rows, dead time), times
    tix = 0
    for b0, b1 in blocks:
        rows2 = s2[b0:b1]
        rows1 = s1[b0:b1]
        if not np.array_equal(np.sort(rows1), np.sort(rows2)):  # the two orders disagree on the block
            return None
        ev = event[rows2] == 1
        if not ev.any():
            continue
        dtimes = np.unique(stop[rows2][ev])[::-1]
        ntime = dtimes.size
        add_end = np.searchsorted(-stop[rows2], -dtimes, side="right")  # rows with stop >= t
        rem_end = np.searchsorted(-start[rows1], -dtimes, side="right")  # rows with start >= t
        add_before = np.concatenate(([0], add_end[:-1]))
        # leaves, in sort1 order; the risk set after the q-th: joined before its time less q + 1 left
        q = np.arange(int(rem_end[-1]))
        jq = np.searchsorted(rem_end, q, side="right")
        leave_sign = np.where(add_before[jq] - (q + 1) == 0, 0, -1)
        # joins, in sort2 order: the events at their own time go to their time's sums
        a = np.arange(int(add_end[-1]))
        ja = np.searchsorted(add_end, a, side="right")
        jrow = rows2[a]
        dies = (event[jrow] == 1) & (stop[jrow] == dtimes[ja])
        d = np.bincount(ja[dies], minlength=ntime)
        nsteps = np.where(efron & (d > 1), d, 1)
        mj = np.repeat(np.arange(ntime), nsteps)
        mk = np.arange(mj.size) - np.repeat(np.cumsum(nsteps) - nsteps, nsteps)
        keep = ~dies
        t_op = np.concatenate((jq, ja[keep], mj))
        phase = np.concatenate((np.zeros(q.size), np.ones(int(keep.sum())), np.full(mj.size, 2)))
        pos = np.concatenate((q, a[keep], mk))
        order = np.lexsort((pos, phase, t_op))
        row = np.concatenate((rows1[q], jrow[keep], np.full(mj.size, -1)))[order]
        sign = np.concatenate((leave_sign, np.ones(int(keep.sum()), dtype=np.intp), np.ones(mj.size, dtype=np.intp)))
        parts.append((row, sign[order], tix + mj, mk, d[mj], jrow[dies], tix + ja[dies]))
        tix += ntime
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return _Walk(nrows=start.size, op_row=empty, op_sign=np.zeros(0, dtype=np.int8), op_step=empty,
                     restarts=np.zeros(1, np.intp),
                     step_time=empty, step_k=empty, step_d=empty, dead_rows=empty, dead_time=empty, ntime=0)
    op_row = np.concatenate([p[0] for p in parts]).astype(np.intp)
    op_sign = np.concatenate([p[1] for p in parts]).astype(np.int8)
    merge = op_row < 0
    op_step = np.full(op_row.size, -1, dtype=np.intp)
    op_step[merge] = np.arange(int(merge.sum()))
    block_starts = np.cumsum([0] + [p[0].size for p in parts[:-1]])
    restarts = np.unique(np.concatenate((block_starts, np.flatnonzero(op_sign == 0)))).astype(np.intp)
    return _Walk(nrows=start.size, op_row=op_row, op_sign=op_sign, op_step=op_step, restarts=restarts,
                 step_time=np.concatenate([p[2] for p in parts]).astype(np.intp),
                 step_k=np.concatenate([p[3] for p in parts]).astype(np.intp),
                 step_d=np.concatenate([p[4] for p in parts]).astype(np.intp),
                 dead_rows=np.concatenate([p[5] for p in parts]).astype(np.intp),
                 dead_time=np.concatenate([p[6] for p in parts]).astype(np.intp), ntime=tix)


#: Up to this many running-sum entries per pass (operations x p(p+1)/2), the
#: information matrix is replayed as agfit4's running sums (bit for bit); beyond
#: it, as one Gram matrix (:func:`_information_gram`): the same sum regrouped,
#: ~1e-14 relative to R, an order of magnitude faster on 10^5 intervals.
GRAM_LIMIT = 5_000_000


def _pass_fast(covar, beta, offset, weights, walk: _Walk, efron: bool):
    """:func:`_pass` on arrays: every running sum of the walk is one sequential
    ``cumsum`` over the operations in C order (restarting where C restarts), so
    the numbers are the loop's, bit for bit (the information matrix of large
    data: :data:`GRAM_LIMIT`). None when an exp-recentring could trigger (an
    |eta| above 200): the loop then runs."""
    n, p = covar.shape
    eta = linear_predictor(covar, beta, np.zeros(n)) + offset
    used = walk.used_rows
    if walk.dead_rows.size and max(np.max(np.abs(eta[used])) if used.size else 0.0,
                                   np.max(np.abs(eta[walk.dead_rows]))) > 200:
        return None
    il, jl = np.tril_indices(p)
    gram = walk.op_row.size * il.size > GRAM_LIMIT
    # the C library's exp for bit-for-bit sums; numpy's where the sums are regrouped anyway
    risk = (np.exp(eta) if gram else _libm.exp(eta)) * weights
    # the events' own sums per event time (sort2 order), then their merge operations
    dr = walk.dead_rows
    rd = risk[dr]
    xd = covar[dr]
    dt = walk.dead_time
    denom2 = _time_sums(rd, dt, walk.ntime)
    a2 = _time_sums(rd[:, None] * xd, dt, walk.ntime)
    meanwt = _time_sums(weights[dr], dt, walk.ntime)
    d = np.bincount(walk.dead_time, minlength=walk.ntime).astype(float)
    steps_t = walk.step_time
    split = efron & (walk.step_d > 1)
    div = np.where(split, walk.step_d, 1).astype(float)
    ms = walk.op_step[~walk.row_ops]
    merge_vals = np.empty((ms.size, p + 1))
    tm = steps_t[ms]
    merge_vals[:, 0] = np.where(split[ms], denom2[tm] / div[ms], denom2[tm])
    merge_vals[:, 1:] = np.where(split[ms][:, None], a2[tm] / div[ms][:, None], a2[tm])
    if gram:
        D, A = _running_sums_regrouped(covar, risk, merge_vals, walk)
    else:
        D, A = _running_sums_ordered(covar, risk, merge_vals, walk)
    mw = meanwt[steps_t] / np.where(split, d[steps_t], 1.0)
    temp = A / D[:, None]
    # the log-likelihood, score and information: events' terms, then the steps', per time
    lk_dead = weights[dr] * eta[dr]
    lk_step = -(mw * (np.log(D) if gram else _libm.log(D)))  # the C library's log where bit for bit matters
    u_dead = weights[dr][:, None] * xd
    u_step = -(mw[:, None] * temp)
    order = walk.term_order
    newlk = float(np.cumsum(np.concatenate((lk_dead, lk_step))[order])[-1]) if order.size else 0.0
    u = np.cumsum(np.concatenate((u_dead, u_step))[order], axis=0)[-1] if order.size else np.zeros(p)
    if gram:
        return newlk, u, _information_gram(covar, risk, walk, mw, D, A, split, div)
    # imat[j][i] += meanwt * ((cmat[i][j] - temp[i] * a[j]) / denom), j <= i, cmat a running sum like a
    c2 = _time_sums((rd[:, None] * xd)[:, il] * xd[:, jl], dt, walk.ntime)
    nops = walk.op_row.size
    rowop, rows, mop = walk.row_ops, walk.used_rows, ~walk.row_ops
    sign = walk.op_sign[rowop].astype(float)
    xr = covar[rows]
    rx = risk[rows][:, None] * xr
    vc = np.zeros((nops, il.size))
    vc[rowop] = sign[:, None] * (rx[:, il] * xr[:, jl])
    vc[mop] = np.where(split[ms][:, None], c2[tm] / div[ms][:, None], c2[tm])
    C = cumsum_restart(vc, walk.restarts)[mop]
    step_imat = mw[:, None] * ((C - temp[:, il] * A[:, jl]) / D[:, None])
    tri = np.cumsum(step_imat, axis=0)[-1] if step_imat.shape[0] else np.zeros(il.size)
    imat = np.zeros((p, p))
    imat[jl, il] = tri
    return newlk, u, imat


def _running_sums_ordered(covar, risk, merge_vals, walk: _Walk) -> tuple[np.ndarray, np.ndarray]:
    """The denominator D and the sums A of r x at each merge step, as agfit4's
    running sums: one sequential ``cumsum`` per column over the operations in
    C order (join +v, leave -v: negation is exact; a reset: the sums become
    exactly 0; a merge: the events' sums), bit for bit."""
    p = covar.shape[1]
    rowop, rows, mop = walk.row_ops, walk.used_rows, ~walk.row_ops
    sign = walk.op_sign[rowop].astype(float)
    rr = risk[rows]
    vals = np.empty((walk.op_row.size, p + 1))
    vals[rowop, 0] = sign * rr
    vals[rowop, 1:] = sign[:, None] * (rr[:, None] * covar[rows])
    vals[mop] = merge_vals
    DA = cumsum_restart(vals, walk.restarts)[mop]
    return DA[:, 0], DA[:, 1:]


def _running_sums_regrouped(covar, risk, merge_vals, walk: _Walk) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_running_sums_ordered` regrouped (large data, :data:`GRAM_LIMIT`):
    the row operations between two merges summed first, as one sparse product
    ``signs @ [r, r x]`` (a row that joins and leaves between them cancels
    exactly), then the running sum over the segments, restarting where agfit4's
    sums restart. The same sums to rounding, without the (operations x p)
    array of values."""
    seg = walk.segments
    rx = np.empty((risk.size, covar.shape[1] + 1))
    rx[:, 0] = risk
    np.multiply(covar, risk[:, None], out=rx[:, 1:])
    S = np.asarray(seg.signs @ rx)
    S[seg.merge_seg] += merge_vals
    DA = cumsum_restart(S, seg.restarts)[seg.merge_seg] if seg.restarts.size else np.cumsum(S, axis=0)[seg.merge_seg]
    return DA[:, 0], DA[:, 1:]


def _time_sums(values: np.ndarray, times: np.ndarray, ntime: int) -> np.ndarray:
    """The events' sums at each of their times, added in their order from 0
    (``bincount`` adds its weights in array order: the C loop's sums)."""
    if values.ndim == 1:
        return np.bincount(times, weights=values, minlength=ntime)
    return np.column_stack([np.bincount(times, weights=values[:, j], minlength=ntime)
                            for j in range(values.shape[1])]) if values.shape[1] else np.zeros((ntime, 0))


def _information_gram(covar, risk, walk: _Walk, mw, D, A, split, div) -> np.ndarray:
    """The information ``sum_s mw_s (C_s / D_s - A_s A_s' / D_s^2)`` with
    ``C_s = sum_i c_is r_i x_i x_i'`` regrouped by row: ``X' diag(r h) X -
    A' diag(mw / D^2) A``, where ``h_i = sum_s c_is mw_s / D_s`` over the steps
    row i is in the running sums (c = 1 between its join and its leave; for an
    event, the share (k + 1)/d of its own time's k-th Efron step, then 1).
    Each h is a difference of one running sum of ``mw / D`` over the
    operations. Upper triangle, as :func:`_pass`."""
    n = covar.shape[0]
    g_step = mw / D
    g = np.zeros(walk.op_row.size)
    g[~walk.row_ops] = g_step
    G = np.cumsum(g)
    sp = walk.spans
    h = np.zeros(n)
    h[sp.joined] = G[sp.last] - G[sp.join]
    # events: the shares of their own time's steps, then fully in until they leave
    own = np.bincount(walk.step_time, weights=np.where(split, (walk.step_k + 1) / div, 1.0) * g_step,
                      minlength=walk.ntime)
    h[walk.dead_rows] = own[walk.dead_time] + (G[sp.dead_last] - G[sp.dead_merge])
    rh = risk * h
    info = (covar * rh[:, None]).T @ covar - (A * (mw / (D * D))[:, None]).T @ A
    return np.triu(info)
