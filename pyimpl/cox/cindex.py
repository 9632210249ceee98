"""Harrell's concordance of a Cox fit: ``survival::concordancefit`` with
``timewt = "n"`` and ``reverse = TRUE`` (survival 3.5-3, ``concordance.R``,
``src/concordance3.c``).

Definitions (per stratum; weights w):

* a pair (i, j) is comparable when j has an event at t_j and i is still at
  risk: ``t_i > t_j``, or ``t_i == t_j`` with i censored; two events at the
  same time are ``tied.y`` (and ``tied.xy`` if their predictors are equal too);
* with ``reverse``, the pair is concordant when the event has the larger
  linear predictor x, discordant when smaller, ``tied.x`` when equal; each
  pair counts ``w_i w_j``;
* ``C = (concordant + tied.x/2) / (concordant + discordant + tied.x)``;
* its variance is the infinitesimal jackknife: with, for each subject, the
  weighted numbers C_i, D_i, T_i of concordant, discordant and tied.x pairs it
  belongs to, ``dfbeta_i = w_i[(C_i - D_i) - somer (C_i + D_i + T_i)] / npair``,
  summed within clusters, and ``var = sum(dfbeta^2)/4``.

R walks the subjects from the last time to the first, keeping balanced
binary trees of the weights of subjects at risk and of events, indexed by the
rank of x. The same counts are weighted 2-D dominance counts ("how much weight
lies before position P in that walk with rank < R"), answered here for all
subjects at once with a wavelet matrix over the ranks: one stable partition
of the walk per bit of the rank, so the cost is O(n log n) in whole-array
operations rather than a per-subject loop.

Two such counts: each event against the subjects walked before its death
group (all subjects are the items), and each subject against the events
walked after it (the events alone are the items). They are independent and
run on two threads for large data, with the same results either way. The
walk's boundaries do not depend on x (:func:`walk_plan`), so a fit can plan
them before its linear predictor is known.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import Concordance, CoxPH

from .._rmath import r_sum
from .._threads import Helpers, run_all
from ..survival.timefix import aeq_surv
from ._order import dense_rank, stable_order
from .refit import fit_data, refuse_unclassed

__all__ = ["concordancefit", "concordance", "concordance_one", "concordance_several", "ConcordanceCounts",
           "WalkPlan", "walk_plan"]


def _weight_dtype(w: np.ndarray) -> type:
    """int32 when every weight is a whole number and the total fits (exact and
    cache-friendly), int64 for larger whole-number totals, float64 otherwise."""
    if np.array_equal(w, np.floor(w)):
        total = float(np.abs(w).sum())
        return np.int32 if total < 2**31 - 1 else (np.int64 if total < 2**62 else np.float64)
    return np.float64


def _range_dominance(ranks: np.ndarray, weights: np.ndarray | None, s: np.ndarray, e: np.ndarray,
                     R: np.ndarray, nbits: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted 2-D dominance counts with a wavelet matrix over the ranks.

    Contract: ``ranks`` (n,) integers in [0, 2**nbits) of items in a fixed
    order, ``weights`` their weights (None: all 1); queries ``s``, ``e``,
    ``R`` (m,). Returns (weight of the items at positions [s, e) with rank < R,
    weight of those with rank == R), as float arrays.

    One level per bit of the rank, most significant first: the items are
    stably partitioned by the bit (zeros first) and every query's range is
    mapped into the half its threshold's bit selects, collecting the weight
    of the zero half when the bit is 1. Build and queries advance together,
    so only one level is in memory. Everything is whole-array arithmetic,
    ``take`` and one scatter per level (masked ``where`` and boolean
    compression cost several times more in numpy); integer weights are summed
    in integers (exact), fractional ones in the order a running sum makes.
    """
    n = ranks.size
    cur = ranks.astype(np.int32)
    nxt = np.empty_like(cur)
    s = np.asarray(s, dtype=np.int32)
    e = np.asarray(e, dtype=np.int32)
    R = np.asarray(R, dtype=np.int32)
    if weights is not None and np.all(weights == 1):
        weights = None
    dt = np.int32 if weights is None else _weight_dtype(weights)
    w = None if weights is None else np.ascontiguousarray(weights).astype(dt)
    less = np.zeros(s.size, dtype=dt)
    pos = np.arange(n, dtype=np.int32)
    zc = np.zeros(n + 1, dtype=np.int32)
    cw = None if w is None else np.zeros(n + 1, dtype=dt)
    for shift in range(nbits - 1, -1, -1):
        bit = cur >> shift
        bit &= 1
        zero = 1 - bit
        np.cumsum(zero, out=zc[1:])
        nz = zc[-1]
        one = R >> shift
        one &= 1
        zs = np.take(zc, s)
        ze = np.take(zc, e)
        if w is None:
            got = ze - zs
        else:
            np.cumsum(w * zero.astype(dt), out=cw[1:])
            got = np.take(cw, e) - np.take(cw, s)
        got *= one.astype(dt, copy=False)
        less += got
        # a position p moves to zc[p] (bit 0) or nz + (p - zc[p]) (bit 1)
        s = _moved(s, zs, nz, one)
        e = _moved(e, ze, nz, one)
        zl = zc[:-1]
        dest = _moved(pos, zl, nz, bit)
        nxt[dest] = cur
        cur, nxt = nxt, cur
        if w is not None:
            moved = np.empty_like(w)
            moved[dest] = w
            w = moved
    if w is None:
        return less.astype(float), (e - s).astype(float)
    np.cumsum(w, out=cw[1:])
    return less.astype(float), (np.take(cw, e) - np.take(cw, s)).astype(float)


def _moved(p: np.ndarray, zp: np.ndarray, nz, one: np.ndarray) -> np.ndarray:
    """``zp + one * (nz + p - 2 zp)``: where position p goes in the partition
    (zp zeros before it), in place on one temporary."""
    out = p - zp
    out -= zp
    out += nz
    out *= one
    out += zp
    return out


PARALLEL_MIN_ITEMS = 50_000
"""Items (summed over the wavelets) from which the wavelets run on two threads."""


class ConcordanceCounts:
    """Per-fit output of the walk: the five counts and per-subject influence."""

    def __init__(self, count: np.ndarray, conc: np.ndarray, disc: np.ndarray, tied: np.ndarray,
                 order: np.ndarray):
        self.count = count  # concordant, discordant, tied.x, tied.y, tied.xy (not reversed)
        # per subject, in walk order (R's imat columns 1:3, not reversed): C_i, D_i, T_i
        self.conc = conc
        self.disc = disc
        self.tied = tied
        self.order = order  # walk position -> caller's row


@dataclass
class WalkPlan:
    """The walk's positions and risk-set boundaries, which the linear predictor
    does not enter: R walks ``order(-time, status, risk)`` within each stratum,
    and every boundary below falls between runs of equal (stratum, time,
    status), so it is the same whatever the order inside a run (the
    predictor only sorts the subjects within runs, :func:`_walk_order`).

    Contract: ``base`` the walk without the predictor (runs in index order);
    ``run`` the run of each position; per position ``ds`` (event), ``sstart``/
    ``send`` (its stratum's positions), ``gstart`` (first position of its
    run of events), ``ins`` (the position after which events count against
    it); ``di`` the event positions, ``nd[k]`` the events before position k;
    ``dgnew`` True where a run of tied events starts."""

    base: np.ndarray
    run: np.ndarray
    nrun: int
    ds: np.ndarray
    sstart: np.ndarray
    send: np.ndarray
    gstart: np.ndarray
    ins: np.ndarray
    di: np.ndarray
    nd: np.ndarray
    dgnew: np.ndarray


def walk_plan(time, status, strata, time_rank=None) -> WalkPlan:
    """:class:`WalkPlan` for ``time`` (timefixed), ``status``, ``strata``
    (integer codes); ``time_rank`` optionally the dense ranks of ``time``."""
    time = np.asarray(time, dtype=float)
    status = np.asarray(status, dtype=float)
    n = time.size
    tr = dense_rank(time)[0] if time_rank is None else np.asarray(time_rank, dtype=np.int64)
    ev = (status == 1).astype(np.int8)
    base = stable_order(strata, tr.max(initial=0) - tr, ev)  # -time
    ds = ev[base] == 1
    ss = strata[base]
    ts = tr[base]
    pos = np.arange(n, dtype=np.int32)
    snew = np.ones(n, dtype=bool)
    snew[1:] = ss[1:] != ss[:-1]
    sstart = np.maximum.accumulate(np.where(snew, pos, 0)).astype(np.int32)
    send_idx = np.append(np.flatnonzero(snew)[1:], n).astype(np.int32)
    send = send_idx[np.cumsum(snew, dtype=np.int32) - 1]
    # runs of equal (stratum, time), then of equal status within them
    tnew = snew
    tnew[1:] |= ts[1:] != ts[:-1]
    del ts, ss
    rnew = tnew.copy()
    rnew[1:] |= ds[1:] != ds[:-1]
    run = np.cumsum(rnew, dtype=np.int32) - 1
    # death groups: runs of deaths with equal (stratum, time)
    dgnew = ds & (tnew | np.append(True, ~ds[:-1]))
    del tnew
    gstart = np.maximum.accumulate(np.where(dgnew, pos, 0)).astype(np.int32)
    rev_new = np.append(dgnew[1:], True) | ~np.append(ds[1:], False)
    gend = np.minimum.accumulate(np.where(ds & rev_new, pos, n)[::-1])[::-1].astype(np.int32)
    di = np.flatnonzero(ds)
    # every subject as the longer survivor: the events walked after it was
    # added (after its death group for an event)
    ins = np.where(ds, gend, pos)
    nd = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(ds, out=nd[1:])
    # positions as int32 (n < 2^31 rows): half the memory of the plan
    return WalkPlan(base=base.astype(np.int32), run=run, nrun=int(run[-1]) + 1 if n else 0, ds=ds, sstart=sstart,
                    send=send, gstart=gstart, ins=ins.astype(np.int32), di=di.astype(np.int32), nd=nd, dgnew=dgnew)


def _walk_order(plan: WalkPlan, xr: np.ndarray) -> np.ndarray:
    """R's walk, ``order(-time, status, risk)`` per stratum: the plan's, with
    each run sorted by the predictor's rank (ties in index order)."""
    if plan.nrun == plan.base.size:
        return plan.base
    return plan.base[stable_order(plan.run, xr[plan.base])]


def _counts(plan: WalkPlan, x, weights, parallel: bool = True, helpers: Helpers | None = None,
            timewt: np.ndarray | None = None) -> ConcordanceCounts:
    """The concordance3.c walk for all strata at once (``timewt = "n"``);
    ``weights`` None for unit weights (counts in integers, no weight arrays).
    ``timewt`` (per row, read at the events): each event's comparisons and
    tied pairs weighted by its time's weight (concordance3.c's ``adjtimewt``)."""
    xr, K = dense_rank(x)
    order = _walk_order(plan, xr)
    rs = xr[order].astype(np.int32)
    del xr
    sstart, send, gstart, ins, di, nd, dgnew = (plan.sstart, plan.send, plan.gstart, plan.ins,
                                               plan.di, plan.nd, plan.dgnew)
    nbits = max(1, int(K - 1).bit_length())
    count = np.zeros(5)
    # events (A): subjects at risk are those walked before the death group;
    # every subject as the longer survivor (B): the events walked after it,
    # so B's items are the events alone, positions counted in events
    rd = rs[di]
    if timewt is not None and weights is None:
        weights = np.ones(order.size)
    ws = None if weights is None else weights[order]
    wd = None if ws is None else ws[di]
    twd = None if timewt is None else np.asarray(timewt, dtype=float)[order][di]
    wd_items = wd if twd is None else wd * twd  # B's items: the events, weighted by their time's weight too
    s1, e1 = sstart[di], gstart[di]
    s2, e2 = nd[ins + 1], nd[send]
    tasks = [(_range_dominance, (rs, ws, s1, e1, rd, nbits)),
             (_range_dominance, (rd, wd_items, s2, e2, rs, nbits))]
    if ws is not None and (_weight_dtype(ws) == np.float64 or twd is not None):
        # fractional weights: "greater" counted directly (reversed ranks) rather
        # than as total - less - equal, which leaves rounding where R has 0
        top = K - 1
        tasks += [(_range_dominance, (top - rs, ws, s1, e1, top - rd, nbits)),
                  (_range_dominance, (top - rd, wd_items, s2, e2, top - rs, nbits))]
    if helpers is not None:
        # the other counts are left for a thread that comes to help; this one does the first
        posted = [helpers.post(fn, *args) for fn, args in tasks[1:]]
        res = [tasks[0][0](*tasks[0][1])] + [t.result() for t in posted]
    else:
        res = run_all(tasks, parallel=parallel and rs.size + rd.size >= PARALLEL_MIN_ITEMS)
    (lessA, eqA), (lessB, eqB) = res[0], res[1]
    greatA_, greatB_ = (res[2][0], res[3][0]) if len(res) > 2 else (None, None)
    # weight of the items in each query's range: positions (unit weights) or running sums
    if ws is None:
        totB = (e2 - s2).astype(float)
        tot = (e1 - s1).astype(float)
    else:
        cumd = np.concatenate(([0.0], np.cumsum(wd_items)))
        totB = cumd[e2] - cumd[s2]
        cumw = np.concatenate(([0.0], np.cumsum(ws)))
        tot = cumw[e1] - cumw[s1]
    del s1, e1, s2, e2
    # subject i as the longer survivor (B), then as the event (A)
    conc = lessB
    disc = totB - lessB - eqB if greatB_ is None else greatB_
    tied = eqB
    del totB
    if di.size:
        greatA = tot - lessA - eqA if greatA_ is None else greatA_
        if twd is not None:  # count[k] += wt * wsum[k] * adjtimewt; imat[k] += wsum[k] * adjtimewt
            assert wd is not None
            count[0] = float(np.cumsum(wd * greatA * twd)[-1])
            count[1] = float(np.cumsum(wd * lessA * twd)[-1])
            count[2] = float(np.cumsum(wd * eqA * twd)[-1])
            greatA, lessA, eqA = greatA * twd, lessA * twd, eqA * twd
        elif wd is None:
            # whole numbers below 2^53: any order of summation gives them exactly
            count[0], count[1], count[2] = float(np.sum(greatA)), float(np.sum(lessA)), float(np.sum(eqA))
        else:
            count[0] = float(np.cumsum(wd * greatA)[-1])
            count[1] = float(np.cumsum(wd * lessA)[-1])
            count[2] = float(np.cumsum(wd * eqA)[-1])
        conc[di] += greatA
        disc[di] += lessA
        tied[di] += eqA
        # tied.y and tied.xy within each death group, in walk order
        new_group = dgnew[di]
        same_x = new_group | np.append(True, rd[1:] != rd[:-1])
        if wd is None:
            # unit weights: k tied events make k(k-1)/2 pairs (exact in integers)
            count[3] = _pairs(new_group)
            count[4] = _pairs(same_x)
        else:
            tw1 = 1.0 if twd is None else twd
            prev = _prefix_within(wd, new_group)
            count[3] = float(np.cumsum(wd * prev * tw1)[-1])
            prevxy = _prefix_within(wd, same_x)
            count[4] = float(np.cumsum(wd * prevxy * tw1)[-1])
        count[3] -= count[4]
    return ConcordanceCounts(count, conc, disc, tied, order)


def _pairs(new: np.ndarray) -> float:
    """Pairs within the runs that start where ``new``: sum of k(k-1)/2."""
    k = np.diff(np.append(np.flatnonzero(new), new.size)).astype(np.int64)
    return float(np.sum(k * (k - 1) // 2))


def _prefix_within(w: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sum of the preceding weights within runs that start where ``new``."""
    c = np.cumsum(w)
    start_c = np.maximum.accumulate(np.where(new, c - w, -np.inf))
    return (c - w) - start_c


def concordancefit(time, status, x, strata=None, weights=None, cluster=None,
                   time_rank=None, plan: WalkPlan | None = None, parallel: bool = True,
                   helpers: Helpers | None = None, rows_out: dict | None = None,
                   timewt: np.ndarray | None = None) -> Concordance | None:
    """``concordancefit(Surv(time, status), x, strata, weights, cluster=,
    reverse=TRUE, timefix=FALSE)``: the concordance a Cox fit reports.

    Contract: 1-D arrays of one length; ``time`` already timefixed; ``strata``
    and ``cluster`` integer codes or None; ``time_rank`` optionally the dense
    ranks of ``time`` (saves a sort); ``plan`` optionally :func:`walk_plan`
    of these times, status and strata, made beforehand; ``parallel`` False
    keeps the two counts on this thread; ``helpers`` (instead) leaves the
    second count to whichever thread helps first. Returns None if ``x`` has
    NaN (R returns NULL). ``rows_out`` (a dict) receives R's raw counts
    ``count`` and, per row in the caller's order, ``rows``: the concordant,
    discordant and tied.x weights it takes part in (imat[, 1:3]).
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if np.isnan(x).any():
        return None
    w = None if weights is None else np.asarray(weights, dtype=float)
    if plan is None:
        s = np.zeros(n, dtype=np.int8) if strata is None else np.asarray(strata)
        plan = walk_plan(time, np.asarray(status, dtype=float), s, time_rank)
    cc = _counts(plan, x, w, parallel, helpers, timewt)
    count = cc.count
    if rows_out is not None:
        rows = np.empty((n, 3))
        rows[cc.order] = np.column_stack([cc.conc, cc.disc, cc.tied])
        rows_out.update(count=count.copy(), rows=rows)
    npair = r_sum(count[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count[0] - count[1]) / npair
        if n <= 2000:
            rowsum = np.array([r_sum(np.array(row)) for row in zip(cc.conc, cc.disc, cc.tied)])
        else:
            rowsum = (cc.conc + cc.disc) + cc.tied
        walk = (cc.conc - cc.disc) / npair - (somer / npair) * rowsum
        if w is not None:
            walk = w[cc.order] * walk  # (1 * v == v: unit weights need no product)
        dfbeta = np.empty(n)
        dfbeta[cc.order] = walk  # back to the caller's rows (R sums them in that order)
    return concordance_result(count, somer, dfbeta, cluster, n)


def concordance_result(count: np.ndarray, somer: float, dfbeta: np.ndarray, cluster, n: int) -> Concordance:
    """concordancefit's ending: the dfbeta summed by cluster, ``var = sum(dfbeta^2) / 4``,
    and the counts as a reversed (Cox) concordance."""
    if cluster is not None:
        cl = np.asarray(cluster)
        _, inv = np.unique(cl, return_inverse=True)
        # tapply(dfbeta, cluster, sum), then ifelse(is.na(dfbeta), 0, dfbeta)
        dfbeta = np.bincount(inv.reshape(-1), weights=dfbeta)
        dfbeta = np.where(np.isnan(dfbeta), 0.0, dfbeta)
    var = r_sum(dfbeta * dfbeta) / 4
    conc = 1 - (somer + 1) / 2  # reverse = TRUE
    return Concordance(
        c=float(conc), std=float(np.sqrt(var)), concordant=float(count[1]), discordant=float(count[0]),
        tied_x=float(count[2]), tied_y=float(count[3]), tied_xy=float(count[4]), n=int(n),
    )


def _tied_y_rows(time: np.ndarray, status: np.ndarray, strata: np.ndarray | None, x: np.ndarray,
                 w: np.ndarray, timewt: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """imat[, 4:5] of concordance3/4.c: each event's weight of the other
    events at its time in its stratum, tied on y only and tied on y and x
    (0 for censored rows)."""
    n = time.size
    ty = np.zeros(n)
    txy = np.zeros(n)
    ev = np.flatnonzero(status > 0)
    if ev.size == 0:
        return ty, txy
    s = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata, dtype=np.int64)
    tr = dense_rank(time[ev])[0]
    xr = dense_rank(x[ev])[0]
    key_t = s[ev] * (int(tr.max()) + 1) + tr
    _, gt = np.unique(key_t, return_inverse=True)
    _, gx = np.unique(key_t * (int(xr.max()) + 1) + xr, return_inverse=True)
    wt_t = np.bincount(gt, weights=w[ev])
    wt_x = np.bincount(gx, weights=w[ev])
    txy[ev] = wt_x[gx] - w[ev]
    ty[ev] = (wt_t[gt] - w[ev]) - txy[ev]
    if timewt is not None:  # imat[3:5] += (...) * adjtimewt
        ty[ev] *= timewt[ev]
        txy[ev] *= timewt[ev]
    return ty, txy


def concordance(fit: CoxPH | str, *more: Any, influence: int | bool = 0, keepstrata: bool | int = 10,
                data: Any = None, **formula_options: Any) -> Any:
    """``concordance(fit)``, ``concordance(fit1, fit2, ...)`` (a
    :class:`~rparity_contract.results.cox.ConcordanceSet`) or
    ``concordance(formula, data)``: see :func:`concordance_one` and
    :func:`concordance_several`."""
    if isinstance(fit, str) and "~" in fit:
        if len(more) > 1 or (more and data is not None):
            raise InvalidArgument("concordance(formula, data) takes one data frame", kind="argument.value")
        return concordance_one(fit, more[0] if more else data, influence=influence, keepstrata=keepstrata,
                               **formula_options)
    if more:
        if data is not None:
            raise InvalidArgument("`data` is for concordance(formula, data)", kind="argument.value")
        return concordance_several((fit,) + more, influence=influence, keepstrata=keepstrata, **formula_options)
    return concordance_one(fit, data, influence=influence, keepstrata=keepstrata, **formula_options)


def concordance_several(fits: tuple, *, influence: Any = 0, keepstrata: Any = 10, **options: Any):
    """``concordance(fit1, fit2, ...)`` (survival's ``cord.work``): each fit's
    concordance with its dfbeta (influence 1, as cord.work asks), the same
    rows and weights required (R's errors), and the covariance of the C
    statistics ``crossprod(dfbeta)`` (``t(wt * dfbeta) %*% dfbeta`` with case
    weights, as R writes it)."""
    from rparity_contract.results.cox import ConcordanceSet

    if not all(isinstance(f, CoxPH) for f in fits):
        bad = next(i for i, f in enumerate(fits) if not isinstance(f, CoxPH))
        raise InvalidArgument(f"fit{bad + 1} argument is not an appropriate fit object (R's error); got "
                              f"{type(fits[bad]).__name__}", kind="fit.type")
    # cord.work: each fit with influence 3 when 2 is asked (the rows' counts too), else 1
    each = [concordance_one(f, None, influence=3 if influence == 2 else 1, keepstrata=keepstrata, **options)
            for f in fits]
    datas = [fit_data(f) for f in fits]
    n = each[0].n
    for i, (c, fd) in enumerate(zip(each[1:], datas[1:]), start=2):
        if c.n != n:
            raise InvalidArgument(f"fit{i} has {c.n} rows, fit1 {n} (R: 'all models must have the same sample "
                                  "size')", kind="lengths")
        w1, wi = datas[0].prep.weights if datas[0].prep.has_weights else None, \
            fd.prep.weights if fd.prep.has_weights else None
        if (w1 is None) != (wi is None) or (w1 is not None and not np.array_equal(w1, wi)):
            raise InvalidArgument(f"fit{i}'s case weights are not fit1's (R: 'all models must have the same "
                                  "weight vector')", kind="weights.value")
        if c.dfbeta is None or each[0].dfbeta is None or c.dfbeta.size != each[0].dfbeta.size:
            raise InvalidArgument(f"fit{i} is not clustered as fit1 (R: 'models must have identical clustering')",
                                  kind="cluster.value")
    warns: list[str] = []
    for fd in datas[1:]:
        if not (np.array_equal(fd.time, datas[0].time) and np.array_equal(fd.prep.event, datas[0].prep.event)):
            warns.append("models do not have the same response vector")
            break
    dfbeta = np.column_stack([c.dfbeta for c in each])
    wt = datas[0].prep.weights if datas[0].prep.has_weights else None
    if wt is not None and wt.size != dfbeta.shape[0]:
        raise InvalidArgument("several fits with case weights and a cluster: R multiplies the clusters' dfbeta by "
                              "the rows' weights (recycled); not implemented in pyimpl, use the R engine",
                              kind="argument.value")
    vmat = (wt[:, None] * dfbeta).T @ dfbeta if wt is not None else dfbeta.T @ dfbeta
    counts = np.array([[c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy] for c in each])
    return ConcordanceSet(names=tuple(f"fit{i + 1}" for i in range(len(fits))), c=np.array([c.c for c in each]),
                          var=vmat, counts=counts, n=n, dfbeta=dfbeta if influence == 1 else None,
                          influence=np.stack([c.influence for c in each], axis=2) if influence == 2 else None,
                          warnings=tuple(warns))


def concordance_one(fit: CoxPH | str, data: Any = None, *, influence: int | bool = 0, keepstrata: bool | int = 10,
                    **formula_options: Any) -> Concordance:
    """Concordance of ``fit`` (``c``, ``std``, weighted pair counts summed over
    strata), as ``concordance(fit, influence=, keepstrata=)``: with
    ``keepstrata`` (TRUE, or at most that many strata) the counts of each
    stratum too; ``influence`` 1 or 3 the dfbeta (per cluster), 2 or 3 each
    row's five counts (columns as the reversed counts, R's order).

    ``fit`` a formula ``y ~ x`` (with ``data``): R's ``concordance.formula``
    (:mod:`.concordance_formula`; ``weights``, ``subset``, ``cluster``,
    ``reverse``... as keywords)."""
    if isinstance(fit, str) and "~" in fit:
        from .concordance_formula import concordance_formula

        return concordance_formula(fit, data, influence=influence, keepstrata=keepstrata, **formula_options)
    timewt = formula_options.pop("timewt", "n")
    ranks = bool(formula_options.pop("ranks", False))
    newdata = formula_options.pop("newdata", None)
    if data is not None or formula_options:
        got = sorted(formula_options) + (["data"] if data is not None else [])
        raise InvalidArgument("`data` and the formula options (weights, subset, cluster, reverse...) are "
                              "for concordance(formula, data); a fit's concordance takes influence=, keepstrata=, "
                              f"timewt= and ranks= here; got {got}", kind="argument.value")
    from .concordance_formula import checked_options

    influence = checked_options(influence, keepstrata)
    # concordancefit: dfbeta when influence == 1 or 3, the influence matrix when influence >= 2; the counts of
    # each stratum when kept. Without any of them, the totals the fit itself reports
    if newdata is not None:
        return _fit_counted(fit, timewt, influence, keepstrata, ranks, newdata)
    plain = influence not in (1, 3) and influence < 2 and timewt == "n" and not ranks
    if plain and keepstrata is not False:
        prep = fit_data(fit).prep if isinstance(fit, CoxPH) and fit.call is not None else None
        nstrat = 1 if prep is None or prep.strata is None else np.unique(prep.strata).size
        keep = bool(keepstrata) if isinstance(keepstrata, (bool, np.bool_)) else nstrat <= float(keepstrata)
        plain = not (keep and nstrat > 1)
    if plain:
        return _concordance_totals(fit)
    return _fit_counted(fit, timewt, influence, keepstrata, ranks)


def _newdata_parts(fit: CoxPH, newdata: Any):
    """cord.getdata with newdata: the response, the linear predictor
    (``predict(fit, newdata, na.action = na.omit)``) and the strata of the new
    rows complete in every variable of the formula (R's model.frame on them)."""
    import pandas as pd

    from ..formula import combine
    from ..formula.frame import complete_frame, model_frame
    from .concordance_formula import surv_response
    from .predict import coxph_predict

    call = fit.call
    if call is None or call.formula is None:
        raise InvalidArgument("`newdata` for the concordance of an array-form fit is not implemented in pyimpl "
                              "(give the model as a formula)", kind="argument.value")
    if not isinstance(newdata, pd.DataFrame):
        raise InvalidArgument(f"`newdata` must be a pandas DataFrame; got {type(newdata).__name__}",
                              kind="newdata.type")
    frame = complete_frame(model_frame(call.formula, newdata), [])
    ok = ~frame.na_rows
    for t in frame.variables + frame.response + frame.offsets + frame.unused:
        ok &= ~t.missing
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        raise InvalidArgument("`newdata` has no complete row", kind="data.empty")
    mf = frame.formula
    start, time, status = surv_response(frame, rows)
    lp = np.asarray(coxph_predict(fit, type="lp", newdata=newdata.iloc[rows].reset_index(drop=True)).values,
                    dtype=float).reshape(-1)
    strata = labels = None
    if mf.strata:
        st = combine([frame.variables[i] for i in mf.strata], "strata")
        strata, labels = np.asarray(st.codes)[rows], st.levels
    return start, time, status, lp, strata, labels


def _fit_counted(fit: CoxPH, timewt: Any, influence: Any, keepstrata: Any, ranks: bool = False,
                 newdata: Any = None) -> Concordance:
    """``concordance(fit, influence=, keepstrata=, timewt=, ranks=)``:
    concordance.coxph's concordancefit on the fit's response and linear
    predictor, reverse = TRUE, each stratum counted on its own
    (:func:`.concordance_formula._counted`)."""
    from .concordance_formula import TIMEWT, _counted, counting_timewt

    refuse_unclassed(fit, "concordance",
                     "no applicable method for 'concordance' applied to an object of class \"list\"")
    if timewt not in TIMEWT:
        raise InvalidArgument(f"`timewt` must be one of {list(TIMEWT)} (R: 'arg' should be one of ...); got "
                              f"timewt={timewt!r}", kind="timewt.value")
    if newdata is not None:  # cord.getdata(newdata=): no weights, no cluster, timefixed times
        from ..survival.timefix import aeq_counting
        from .concordance_formula import _counted as counted

        nstart, ntime, nstatus, nlp, nstrata, nlabels = _newdata_parts(fit, newdata)
        if nstart is not None:
            counting_timewt(timewt, nstatus)
            nstart, ntime = aeq_counting(nstart, ntime)
        else:
            ntime = aeq_surv(ntime)
        return counted(ntime, nstatus, nlp, nstart, nstrata, None, None, influence, True, keepstrata, timewt,
                       ranks, nlabels)
    fd = fit_data(fit)
    prep = fd.prep
    start = None
    time = aeq_surv(fd.time)
    if prep.start is not None:
        counting_timewt(timewt, prep.event)
        from .counting import counting_times

        start, time = counting_times(prep)
    if np.isnan(fd.lp).any():  # a failed fit: R's concordancefit returns NULL
        return _concordance_totals(fit)
    return _counted(time, prep.event.astype(float), fd.lp, start, prep.strata,
                    prep.weights if prep.has_weights else None,
                    prep.cluster if prep.cluster_given else None, influence, True, keepstrata, timewt, ranks,
                    prep.strata_levels)


def _concordance_totals(fit: CoxPH) -> Concordance:
    """Concordance of ``fit`` (``c``, ``std``, weighted pair counts summed over strata)."""
    refuse_unclassed(fit, "concordance",
                     "no applicable method for 'concordance' applied to an object of class \"list\"")
    fd = fit_data(fit)
    prep = fd.prep
    if prep.start is not None:  # Surv(start, stop, event)
        from .counting import counting_concordance, counting_times

        start, stop = counting_times(prep)
        res = counting_concordance(start, stop, prep.event, fd.lp, prep.strata,
                                   prep.weights if prep.has_weights else None,
                                   prep.cluster if prep.cluster_given else None)
    else:
        res = concordancefit(aeq_surv(fd.time), prep.event, fd.lp, prep.strata,
                             prep.weights if prep.has_weights else None,
                             prep.cluster if prep.cluster_given else None)
    if res is None:
        return Concordance(c=float("nan"), std=float("nan"), concordant=0.0, discordant=0.0, tied_x=0.0,
                           tied_y=0.0, tied_xy=0.0, n=int(fd.lp.size))
    return res
