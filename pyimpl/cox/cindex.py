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

from .._rmath import r_sum
from ..results.cox import Concordance, CoxPH
from ..survival.timefix import aeq_surv
from ._order import dense_rank, stable_order
from .refit import fit_data

__all__ = ["concordancefit", "concordance", "ConcordanceCounts"]


class _Wavelet:
    """Weighted wavelet matrix over integer ranks (0..K-1) of items in a fixed
    order, with two weight channels; answers, for ranges [s, e) of that order
    and thresholds R, the weight with rank < R and with rank == R."""

    def __init__(self, ranks: np.ndarray, weights: tuple[np.ndarray, ...], nbits: int):
        n = ranks.size
        self.nbits = nbits
        self.levels = []
        cur = ranks.astype(np.int64)
        cw = [np.asarray(w, dtype=float) for w in weights]
        for lev in range(nbits):
            shift = nbits - 1 - lev
            bit = ((cur >> shift) & 1).astype(bool)
            zero = ~bit
            zcount = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(zero, out=zcount[1:])
            sums = []
            for w in cw:
                c = np.zeros(n + 1)
                np.cumsum(np.where(zero, w, 0.0), out=c[1:])
                sums.append(c)
            nz = int(zcount[-1])
            perm = np.concatenate((np.flatnonzero(zero), np.flatnonzero(bit)))
            cur = cur[perm]
            cw = [w[perm] for w in cw]
            self.levels.append((shift, zcount, sums, nz))
        self.final = []
        for w in cw:
            c = np.zeros(n + 1)
            np.cumsum(w, out=c[1:])
            self.final.append(c)

    def less_equal(self, s: np.ndarray, e: np.ndarray, R: np.ndarray, channel: int):
        """(weight with rank < R, weight with rank == R) in positions [s, e)."""
        s = s.astype(np.int64).copy()
        e = e.astype(np.int64).copy()
        less = np.zeros(s.size)
        for shift, zcount, sums, nz in self.levels:
            one = ((R >> shift) & 1).astype(bool)
            zs = zcount[s]
            ze = zcount[e]
            cw = sums[channel]
            less += np.where(one, cw[e] - cw[s], 0.0)
            s = np.where(one, nz + (s - zs), zs)
            e = np.where(one, nz + (e - ze), ze)
        fin = self.final[channel]
        return less, fin[e] - fin[s]


class ConcordanceCounts:
    """Per-fit output of the walk: the five counts and per-subject influence."""

    def __init__(self, count: np.ndarray, imat: np.ndarray):
        self.count = count  # concordant, discordant, tied.x, tied.y, tied.xy (not reversed)
        self.imat = imat  # (n, 3): C_i, D_i, T_i (not reversed)


def _counts(time, status, x, weights, strata) -> ConcordanceCounts:
    """The concordance3.c walk for all strata at once (``timewt = "n"``)."""
    n = time.size
    xr, K = dense_rank(x)
    # R: order(-time, status, risk) within each stratum; strata one after another
    order = stable_order(strata, -time, status, xr)
    ts, ds, ws, rs, ss = time[order], status[order] == 1, weights[order], xr[order], strata[order]
    pos = np.arange(n)
    snew = np.ones(n, dtype=bool)
    snew[1:] = ss[1:] != ss[:-1]
    sstart = np.maximum.accumulate(np.where(snew, pos, 0))
    send_idx = np.append(np.flatnonzero(snew)[1:], n)
    send = send_idx[np.cumsum(snew) - 1]
    # death groups: runs of deaths with equal (stratum, time)
    tnew = snew.copy()
    tnew[1:] |= ts[1:] != ts[:-1]
    dgnew = ds & (tnew | np.append(True, ~ds[:-1]))
    gstart = np.maximum.accumulate(np.where(dgnew, pos, 0))
    gend = np.empty(n, dtype=np.int64)  # last position of the death group
    rev_new = np.append(dgnew[1:], True) | ~np.append(ds[1:], False)
    gend_marks = np.where(ds & rev_new, pos, n)
    gend = np.minimum.accumulate(gend_marks[::-1])[::-1]
    nbits = max(1, int(K - 1).bit_length())
    wav = _Wavelet(rs, (ws, np.where(ds, ws, 0.0)), nbits)
    cumw = np.concatenate(([0.0], np.cumsum(ws)))
    cumd = np.concatenate(([0.0], np.cumsum(np.where(ds, ws, 0.0))))
    imat = np.zeros((n, 3))
    count = np.zeros(5)
    di = np.flatnonzero(ds)
    if di.size:
        # events: subjects at risk are those walked before the death group
        s1, e1, r1 = sstart[di], gstart[di], rs[di]
        lessA, eqA = wav.less_equal(s1, e1, r1, 0)
        tot = cumw[e1] - cumw[s1]
        greatA = tot - lessA - eqA
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
    # every subject as the longer survivor: events walked after it was added
    ins = np.where(ds, gend, pos)
    s2, e2 = ins + 1, send
    lessB, eqB = wav.less_equal(s2, e2, rs, 1)
    totB = cumd[e2] - cumd[s2]
    greatB = totB - lessB - eqB
    imat[:, 0] += lessB
    imat[:, 1] += greatB
    imat[:, 2] += eqB
    out = np.empty_like(imat)
    out[order] = imat
    return ConcordanceCounts(count, out)


def _prefix_within(w: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sum of the preceding weights within runs that start where ``new``."""
    c = np.cumsum(w)
    start_c = np.maximum.accumulate(np.where(new, c - w, -np.inf))
    return (c - w) - start_c


def concordancefit(time, status, x, strata=None, weights=None, cluster=None) -> Concordance | None:
    """``concordancefit(Surv(time, status), x, strata, weights, cluster=,
    reverse=TRUE, timefix=FALSE)``: the concordance a Cox fit reports.

    Contract: 1-D arrays of one length; ``time`` already timefixed; ``strata``
    and ``cluster`` integer codes or None. Returns None if ``x`` has NaN (R
    returns NULL).
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if np.isnan(x).any():
        return None
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    s = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata)
    status = np.asarray(status, dtype=float)
    cc = _counts(np.asarray(time, dtype=float), status, x, w, s)
    count = cc.count
    npair = r_sum(count[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count[0] - count[1]) / npair
        im = cc.imat
        rowsum = np.array([r_sum(row) for row in im]) if n <= 2000 else (im[:, 0] + im[:, 1]) + im[:, 2]
        dfbeta = w * ((im[:, 0] - im[:, 1]) / npair - (somer / npair) * rowsum)
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
