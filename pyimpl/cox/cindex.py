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
"""
from __future__ import annotations

import numpy as np

from rparity_contract.results.cox import Concordance, CoxPH

from .._rmath import r_sum
from ..survival.timefix import aeq_surv
from ._order import dense_rank, stable_order
from .refit import fit_data

__all__ = ["concordancefit", "concordance", "ConcordanceCounts"]


def _weight_dtype(channels) -> type:
    """int32 when every weight is a whole number and the totals fit (exact and
    cache-friendly), int64 for larger whole-number totals, float64 otherwise."""
    if all(np.array_equal(w, np.floor(w)) for w in channels):
        total = max(float(np.abs(w).sum()) for w in channels)
        return np.int32 if total < 2**31 - 1 else (np.int64 if total < 2**62 else np.float64)
    return np.float64


def _dominance(ranks: np.ndarray, channels: list, queries: list, nbits: int) -> list:
    """Weighted 2-D dominance counts with a wavelet matrix over the ranks.

    Contract: ``ranks`` (n,) integers in [0, 2**nbits) of items in a fixed
    order; ``channels`` weight arrays (n,); ``queries`` a list of ``(s, e, R,
    channel)`` arrays. Returns, per query set, (weight of the items at
    positions [s, e) with rank < R, weight of those with rank == R).

    One level per bit of the rank, most significant first: the items are
    stably partitioned by the bit (zeros first) and every query's range is
    mapped into the half its threshold's bit selects, collecting the weight
    of the zero half when the bit is 1. Build and queries advance together,
    so only one level is in memory.
    """
    n = ranks.size
    if (len(channels) == 2 and nbits <= 29 and np.all(channels[0] == 1)
            and np.all((channels[1] == 0) | (channels[1] == 1))):
        return _dominance_unweighted(ranks, channels[1], queries, nbits)
    dt = _weight_dtype(channels)
    cur = ranks.astype(np.int32)
    cw = [np.ascontiguousarray(w).astype(dt) for w in channels]
    pos = np.arange(n, dtype=np.int32)
    # partial sums never exceed the channel totals, which fit dt (see _weight_dtype)
    qs = [[np.asarray(q[0], dtype=np.int32), np.asarray(q[1], dtype=np.int32), np.asarray(q[2], dtype=np.int32),
           q[3], np.zeros(np.size(q[0]), dtype=dt)] for q in queries]
    zc = np.zeros(n + 1, dtype=np.int32)
    sums = [np.zeros(n + 1, dtype=dt) for _ in cw]
    for lev in range(nbits):
        shift = nbits - 1 - lev
        bit = (cur >> shift) & 1
        zero = 1 - bit
        np.cumsum(zero, out=zc[1:])
        nz = np.int32(zc[-1])
        for c, w in zip(sums, cw):
            np.cumsum(w * zero.astype(dt), out=c[1:])
        for q in qs:
            s, e, R, ch, less = q
            one = (R >> shift) & 1
            zs = zc[s]
            ze = zc[e]
            c = sums[ch]
            less += (c[e] - c[s]) * one.astype(dt, copy=False)
            q[0] = zs + one * (nz + s - 2 * zs)
            q[1] = ze + one * (nz + e - 2 * ze)
        dest = zc[:-1] + bit * (nz + pos - 2 * zc[:-1])
        nxt = np.empty_like(cur)
        nxt[dest] = cur
        cur = nxt
        moved = []
        for w in cw:
            m = np.empty_like(w)
            m[dest] = w
            moved.append(m)
        cw = moved
    out = []
    fins = []
    for w in cw:
        f = np.zeros(n + 1, dtype=dt)
        np.cumsum(w, out=f[1:])
        fins.append(f)
    for s, e, R, ch, less in qs:
        out.append((less.astype(float), (fins[ch][e] - fins[ch][s]).astype(float)))
    return out


def _dominance_unweighted(ranks: np.ndarray, flag: np.ndarray, queries: list, nbits: int) -> list:
    """:func:`_dominance` for unit weights (channel 0) and 0/1 weights
    (channel 1): the counts of channel 0 are the zero counts themselves, and
    the 0/1 flag rides along in bit 30 of the rank, so one array is
    partitioned per level instead of three."""
    n = ranks.size
    cur = ranks.astype(np.int32) | (flag.astype(np.int32) << 30)
    pos = np.arange(n, dtype=np.int32)
    qs = [[np.asarray(q[0], dtype=np.int32), np.asarray(q[1], dtype=np.int32), np.asarray(q[2], dtype=np.int32),
           q[3], np.zeros(np.size(q[0]), dtype=np.int32)] for q in queries]
    zc = np.zeros(n + 1, dtype=np.int32)
    fc = np.zeros(n + 1, dtype=np.int32)
    for lev in range(nbits):
        shift = nbits - 1 - lev
        bit = (cur >> shift) & 1
        zero = 1 - bit
        np.cumsum(zero, out=zc[1:])
        np.cumsum(zero & (cur >> 30), out=fc[1:])
        nz = np.int32(zc[-1])
        for q in qs:
            s, e, R, ch, less = q
            one = (R >> shift) & 1
            zs = zc[s]
            ze = zc[e]
            if ch == 0:
                less += (ze - zs) * one
            else:
                less += (fc[e] - fc[s]) * one
            q[0] = zs + one * (nz + s - 2 * zs)
            q[1] = ze + one * (nz + e - 2 * ze)
        dest = zc[:-1] + bit * (nz + pos - 2 * zc[:-1])
        nxt = np.empty_like(cur)
        nxt[dest] = cur
        cur = nxt
    ff = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(cur >> 30, out=ff[1:])
    out = []
    for s, e, R, ch, less in qs:
        eq = (e - s) if ch == 0 else (ff[e] - ff[s])
        out.append((less.astype(float), eq.astype(float)))
    return out


class ConcordanceCounts:
    """Per-fit output of the walk: the five counts and per-subject influence."""

    def __init__(self, count: np.ndarray, imat: np.ndarray, order: np.ndarray):
        self.count = count  # concordant, discordant, tied.x, tied.y, tied.xy (not reversed)
        self.imat = imat  # (n, 3): C_i, D_i, T_i (not reversed), in walk order
        self.order = order  # walk position -> caller's row


def _counts(time, status, x, weights, strata, time_rank=None) -> ConcordanceCounts:
    """The concordance3.c walk for all strata at once (``timewt = "n"``)."""
    n = time.size
    xr, K = dense_rank(x)
    # R: order(-time, status, risk) within each stratum; strata one after another
    tr = dense_rank(time)[0] if time_rank is None else np.asarray(time_rank, dtype=np.int64)
    order = stable_order(strata, tr.max(initial=0) - tr, (status == 1).astype(np.int8), xr)  # -time
    ds = status[order] == 1
    ws = weights[order]
    rs = xr[order].astype(np.int32)
    del xr
    ss = strata[order]
    ts = time[order]
    pos = np.arange(n, dtype=np.int32)
    snew = np.ones(n, dtype=bool)
    snew[1:] = ss[1:] != ss[:-1]
    sstart = np.maximum.accumulate(np.where(snew, pos, 0)).astype(np.int32)
    send_idx = np.append(np.flatnonzero(snew)[1:], n).astype(np.int32)
    send = send_idx[np.cumsum(snew, dtype=np.int32) - 1]
    # death groups: runs of deaths with equal (stratum, time)
    tnew = snew
    tnew[1:] |= ts[1:] != ts[:-1]
    del ts, ss
    dgnew = ds & (tnew | np.append(True, ~ds[:-1]))
    del tnew
    gstart = np.maximum.accumulate(np.where(dgnew, pos, 0)).astype(np.int32)
    rev_new = np.append(dgnew[1:], True) | ~np.append(ds[1:], False)
    gend = np.minimum.accumulate(np.where(ds & rev_new, pos, n)[::-1])[::-1].astype(np.int32)
    del rev_new
    nbits = max(1, int(K - 1).bit_length())
    cumw = np.concatenate(([0.0], np.cumsum(ws)))
    cumd = np.concatenate(([0.0], np.cumsum(np.where(ds, ws, 0.0))))
    imat = np.zeros((n, 3))
    count = np.zeros(5)
    di = np.flatnonzero(ds)
    # events: subjects at risk are those walked before the death group;
    # every subject as the longer survivor: events walked after it was added
    ins = np.where(ds, gend, pos)
    del gend
    wdeath = np.where(ds, ws, 0.0)
    queries = [(sstart[di], gstart[di], rs[di], 0), (ins + 1, send, rs, 1)]
    (lessA, eqA), (lessB, eqB) = _dominance(rs, [ws, wdeath], queries, nbits)
    if _weight_dtype([ws]) == np.float64:
        # fractional weights: "greater" counted directly (reversed ranks) rather
        # than as total - less - equal, which leaves rounding where R has 0
        rv = (K - 1) - rs
        (greatA_, _), (greatB_, _) = _dominance(
            rv, [ws, wdeath], [(q[0], q[1], (K - 1) - q[2], q[3]) for q in queries], nbits)
    else:
        greatA_ = greatB_ = None
    if di.size:
        s1, e1 = sstart[di], gstart[di]
        tot = cumw[e1] - cumw[s1]
        greatA = tot - lessA - eqA if greatA_ is None else greatA_
        wd = ws[di]
        count[0] = float(np.cumsum(wd * greatA)[-1])
        count[1] = float(np.cumsum(wd * lessA)[-1])
        count[2] = float(np.cumsum(wd * eqA)[-1])
        imat[di, 0] += greatA
        imat[di, 1] += lessA
        imat[di, 2] += eqA
        # tied.y and tied.xy within each death group, in walk order
        prev = _prefix_within(wd, dgnew[di])
        count[3] = float(np.cumsum(wd * prev)[-1])
        same_x = dgnew[di] | np.append(True, rs[di][1:] != rs[di][:-1])
        prevxy = _prefix_within(wd, same_x)
        count[4] = float(np.cumsum(wd * prevxy)[-1])
        count[3] -= count[4]
    s2, e2 = ins + 1, send
    totB = cumd[e2] - cumd[s2]
    greatB = totB - lessB - eqB if greatB_ is None else greatB_
    imat[:, 0] += lessB
    imat[:, 1] += greatB
    imat[:, 2] += eqB
    del lessB, greatB, eqB, totB
    return ConcordanceCounts(count, imat, order)


def _prefix_within(w: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sum of the preceding weights within runs that start where ``new``."""
    c = np.cumsum(w)
    start_c = np.maximum.accumulate(np.where(new, c - w, -np.inf))
    return (c - w) - start_c


def concordancefit(time, status, x, strata=None, weights=None, cluster=None,
                   time_rank=None) -> Concordance | None:
    """``concordancefit(Surv(time, status), x, strata, weights, cluster=,
    reverse=TRUE, timefix=FALSE)``: the concordance a Cox fit reports.

    Contract: 1-D arrays of one length; ``time`` already timefixed; ``strata``
    and ``cluster`` integer codes or None; ``time_rank`` optionally the dense
    ranks of ``time`` (saves a sort). Returns None if ``x`` has NaN (R
    returns NULL).
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if np.isnan(x).any():
        return None
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    s = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata)
    status = np.asarray(status, dtype=float)
    cc = _counts(np.asarray(time, dtype=float), status, x, w, s, time_rank)
    count = cc.count
    npair = r_sum(count[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count[0] - count[1]) / npair
        im = cc.imat
        rowsum = np.array([r_sum(row) for row in im]) if n <= 2000 else (im[:, 0] + im[:, 1]) + im[:, 2]
        walk = w[cc.order] * ((im[:, 0] - im[:, 1]) / npair - (somer / npair) * rowsum)
        dfbeta = np.empty(n)
        dfbeta[cc.order] = walk  # back to the caller's rows (R sums them in that order)
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


def concordance(fit: CoxPH) -> Concordance:
    """Concordance of ``fit`` (``c``, ``std``, weighted pair counts summed over strata)."""
    fd = fit_data(fit)
    prep = fd.prep
    res = concordancefit(aeq_surv(fd.time), prep.event, fd.lp, prep.strata,
                         prep.weights if prep.has_weights else None,
                         prep.cluster if prep.cluster_given else None)
    if res is None:
        return Concordance(c=float("nan"), std=float("nan"), concordant=0.0, discordant=0.0, tied_x=0.0,
                           tied_y=0.0, tied_xy=0.0, n=int(fd.lp.size))
    return res
