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
linear predictor would make agfit4 re-centre its exponentials).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

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
    w = weights.tolist()
    st = strata.tolist()
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
            res = _pass(covar, b, start, stop, event, st, w, offset, sort1, sort2, nused, efron, flag)
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


def _walk(start, stop, event, strata, sort1, sort2, nused: int, efron: bool) -> _Walk | None:
    """The walk of :func:`_pass`, as arrays; None where its exp-recentring could
    trigger (left to the loop)."""
    s2 = sort2[:nused]
    s1 = sort1[:nused]
    st2 = strata[s2]
    ops_row, ops_sign, ops_step = [], [], []
    restarts = [0]
    step_time, step_k, step_d, dead_rows, dead_time = [], [], [], [], []
    bounds = np.flatnonzero(np.diff(st2)) + 1
    blocks = zip(np.concatenate(([0], bounds)).tolist(), np.concatenate((bounds, [nused])).tolist())
    nop = 0
    tix = 0
    for b0, b1 in blocks:
        rows2 = s2[b0:b1]
        rows1 = s1[b0:b1]
        if not np.array_equal(np.sort(rows1), np.sort(rows2)):  # the two orders disagree on the block
            return None
        ev = event[rows2] == 1
        if not ev.any():
            continue
        if nop > 0:
            restarts.append(nop)
        dtimes = np.unique(stop[rows2][ev])[::-1]
        add_end = np.searchsorted(-stop[rows2], -dtimes, side="right")  # rows with stop >= t
        rem_end = np.searchsorted(-start[rows1], -dtimes, side="right")  # rows with start >= t
        a0 = r0 = 0
        nrisk = 0
        for j, t in enumerate(dtimes.tolist()):
            for q in range(r0, int(rem_end[j])):  # leave
                nrisk -= 1
                ops_row.append(int(rows1[q]))
                ops_step.append(-1)
                if nrisk == 0:
                    ops_sign.append(0)
                    restarts.append(nop)
                else:
                    ops_sign.append(-1)
                nop += 1
            r0 = int(rem_end[j])
            deaths_here = []
            for q in range(a0, int(add_end[j])):  # join
                row = int(rows2[q])
                nrisk += 1
                if event[row] == 1 and stop[row] == t:
                    deaths_here.append(row)
                else:
                    ops_row.append(row)
                    ops_sign.append(1)
                    ops_step.append(-1)
                    nop += 1
            a0 = int(add_end[j])
            d = len(deaths_here)
            dead_rows += deaths_here
            dead_time += [tix] * d
            nsteps = d if (efron and d > 1) else 1
            for k in range(nsteps):
                ops_row.append(-1)
                ops_sign.append(1)
                ops_step.append(len(step_time))
                step_time.append(tix)
                step_k.append(k)
                step_d.append(d)
                nop += 1
            tix += 1
    return _Walk(op_row=np.array(ops_row, dtype=np.intp), op_sign=np.array(ops_sign, dtype=np.int8),
                 op_step=np.array(ops_step, dtype=np.intp), restarts=np.unique(np.array(restarts, dtype=np.intp)),
                 step_time=np.array(step_time, dtype=np.intp), step_k=np.array(step_k, dtype=np.intp),
                 step_d=np.array(step_d, dtype=np.intp), dead_rows=np.array(dead_rows, dtype=np.intp),
                 dead_time=np.array(dead_time, dtype=np.intp), ntime=tix)


def _pass_fast(covar, beta, offset, weights, walk: _Walk, efron: bool):
    """:func:`_pass` on arrays: every running sum of the walk is one sequential
    ``cumsum`` over the operations in C order (restarting where C restarts), so
    the numbers are the loop's, bit for bit. None when an exp-recentring could
    trigger (an |eta| above 200): the loop then runs."""
    n, p = covar.shape
    eta = linear_predictor(covar, beta, np.zeros(n)) + offset
    used = walk.op_row[walk.op_row >= 0]
    if walk.dead_rows.size and max(np.max(np.abs(eta[used])) if used.size else 0.0,
                                   np.max(np.abs(eta[walk.dead_rows]))) > 200:
        return None
    risk = _libm.exp(eta) * weights
    il, jl = np.tril_indices(p)
    # the events' own sums per event time (sort2 order), then their merge operations
    dr = walk.dead_rows
    rd = risk[dr]
    xd = covar[dr]
    tstart = np.flatnonzero(np.diff(np.concatenate(([-1], walk.dead_time))))
    tlast = np.append(tstart[1:], dr.size) - 1
    denom2 = cumsum_restart(rd, tstart)[tlast]
    a2 = cumsum_restart(rd[:, None] * xd, tstart)[tlast]
    c2 = cumsum_restart((rd[:, None] * xd)[:, il] * xd[:, jl], tstart)[tlast]
    meanwt = cumsum_restart(weights[dr], tstart)[tlast]
    d = np.bincount(walk.dead_time, minlength=walk.ntime).astype(float)
    steps_t = walk.step_time
    split = efron & (walk.step_d > 1)
    div = np.where(split, walk.step_d, 1).astype(float)
    # the operations' values: join +, leave -, reset 0, merge (denom2 / d)
    nops = walk.op_row.size
    v0 = np.zeros(nops)
    va = np.zeros((nops, p))
    vc = np.zeros((nops, il.size))
    rowop = walk.op_row >= 0
    rows = walk.op_row[rowop]
    sign = walk.op_sign[rowop].astype(float)
    rr = risk[rows]
    xr = covar[rows]
    rx = rr[:, None] * xr
    # join +v, leave -v (negation is exact), reset 0 (a restart: the sums become exactly 0)
    v0[rowop] = sign * rr
    va[rowop] = sign[:, None] * rx
    vc[rowop] = sign[:, None] * (rx[:, il] * xr[:, jl])
    mop = ~rowop
    ms = walk.op_step[mop]
    v0[mop] = np.where(split[ms], denom2[steps_t[ms]] / div[ms], denom2[steps_t[ms]])
    va[mop] = np.where(split[ms][:, None], a2[steps_t[ms]] / div[ms][:, None], a2[steps_t[ms]])
    vc[mop] = np.where(split[ms][:, None], c2[steps_t[ms]] / div[ms][:, None], c2[steps_t[ms]])
    D = cumsum_restart(v0, walk.restarts)[mop]
    A = cumsum_restart(va, walk.restarts)[mop]
    C = cumsum_restart(vc, walk.restarts)[mop]
    mw = meanwt[steps_t] / np.where(split, d[steps_t], 1.0)
    temp = A / D[:, None]
    # the log-likelihood, score and information: events' terms, then the steps', per time
    lk_dead = weights[dr] * eta[dr]
    lk_step = -(mw * _libm.log(D))
    u_dead = weights[dr][:, None] * xd
    u_step = -(mw[:, None] * temp)
    order = np.lexsort((np.concatenate((np.arange(dr.size), walk.step_k)),
                        np.concatenate((np.zeros(dr.size), np.ones(steps_t.size))),
                        np.concatenate((walk.dead_time, steps_t))))
    newlk = float(np.cumsum(np.concatenate((lk_dead, lk_step))[order])[-1]) if order.size else 0.0
    u = np.cumsum(np.concatenate((u_dead, u_step))[order], axis=0)[-1] if order.size else np.zeros(p)
    # imat[j][i] += meanwt * ((cmat[i][j] - temp[i] * a[j]) / denom), j <= i
    step_imat = mw[:, None] * ((C - temp[:, il] * A[:, jl]) / D[:, None])
    tri = np.cumsum(step_imat, axis=0)[-1] if step_imat.shape[0] else np.zeros(il.size)
    imat = np.zeros((p, p))
    imat[jl, il] = tri
    return newlk, u, imat
