"""One Newton iteration of the Cox fit on large data, in one pass over the
design: the regrouped evaluation of :mod:`.fit` streamed through row blocks.

The quantities are those of ``coxfit6_iter`` (``src/coxfit6.c``, survival
3.5-3) regrouped as :mod:`.fit` explains: for each death group h (rows in
processing order, each tie group's deaths first),

* ``A_h`` = sum of ``r x`` over its risk set (the rows of its stratum up to
  the end of its tie group) -- here a running sum down the rows, read at the
  group's last row;
* ``D_h`` = sum of ``r x`` over its tied deaths, needed only where Efron splits
  two or more deaths (a single death, and every Breslow step, has f = 1);
* the information ``X' diag(v) X - sum_h alpha_h A_h A_h' + ...`` with
  ``v = r W`` (:func:`risk_weights`), both terms taken about the v-weighted
  mean ``m = sum v x / sum v`` -- the centre :mod:`.fit` uses, since
  ``sum_i v_i x_i = sum_h (Q_h A_h - R_h D_h)`` (``W_i`` is exactly the weight
  of row i in that sum) and ``sum v = sum c``.

Everything one-dimensional (risk scores, denominators in C order, W) comes
first; then ``m`` (one blocked product); then one pass over row blocks cut at
stratum starts (a running sum restarts at 0 where R's does): per block
``y = x - m``, ``r y`` and its running sum read at the death groups' last rows
(plus the carry of the blocks before), the tied deaths' sums, and
``sum v y y'``. A and D come out centred; the score adds back ``m sum c``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._blocked import BLOCK, crossprod_about, matvec, vecmat
from ._order import cumsum_restart, reverse_starts

__all__ = ["RowSegments", "row_segments", "evaluate_regrouped", "risk_weights"]

MAX_EXTRA_SEGMENTS = 512
"""Strata beyond which the blocks are not cut at stratum starts (many small
strata: the per-block loop would be a per-stratum loop); :mod:`.fit`'s
per-group evaluation is used instead."""


@dataclass
class RowSegments:
    """Row blocks of the processing order, cut at stratum starts.

    Contract: ``starts``/``ends``/``restart`` one entry per segment (a
    restart segment begins a stratum); death groups ``h_lo[s]:h_hi[s]`` end in
    segment s, at rows ``gend_row``; the multi-death runs (Efron, deaths
    leading their group) ``k_lo[s]:k_hi[s]`` meet segment s, from
    ``run_start`` (clipped to the segment); ``multi`` the death groups with two
    or more deaths, ``death_mask`` 1.0 on their death rows.
    """

    starts: list
    ends: list
    restart: list
    h_lo: list
    h_hi: list
    gend_row: np.ndarray
    multi: np.ndarray
    run_start: np.ndarray
    k_lo: list
    k_hi: list
    death_mask: np.ndarray | None
    strata_rows: np.ndarray  # first row of each stratum (processing order)


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
    bounds = np.union1d(np.arange(0, n, BLOCK), srows)
    ends = np.append(bounds[1:], n)
    restart = np.isin(bounds, srows)
    gend = np.append(gstarts[1:], n)
    gend_row = gend[dgroups] - 1  # last row of each death group's tie group (increasing)
    h_lo = np.searchsorted(gend_row, bounds, side="left")
    h_hi = np.searchsorted(gend_row, ends, side="left")
    multi = np.flatnonzero(dcount_i >= 2) if efron else np.zeros(0, dtype=np.intp)
    run_start = gstarts[dgroups[multi]]
    run_end = run_start + dcount_i[multi]
    k_lo = np.searchsorted(run_end, bounds, side="right")
    k_hi = np.searchsorted(run_start, ends, side="left")
    mask = None
    if multi.size:
        cover = np.zeros(n + 1)
        np.add.at(cover, run_start, 1.0)
        np.add.at(cover, run_end, -1.0)
        mask = np.cumsum(cover[:-1])
    return RowSegments(
        starts=bounds.tolist(), ends=ends.tolist(), restart=restart.tolist(), h_lo=h_lo.tolist(),
        h_hi=h_hi.tolist(), gend_row=gend_row, multi=multi, run_start=run_start, k_lo=k_lo.tolist(),
        k_hi=k_hi.tolist(), death_mask=mask, strata_rows=srows,
    )


def evaluate_regrouped(d, beta: np.ndarray):
    """``(loglik, u, imat)`` at ``beta`` (scaled) for :class:`.fit.CoxData`
    ``d`` with ``d.segments`` set: the regrouped evaluation, one fused pass."""
    seg: RowSegments = d.segments
    x = d.x
    eta = matvec(x, beta) + d.offset  # regrouped: no need for coxfit6's column order
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = np.exp(eta) * d.w
        r_death = r[d.death_q]
        # the denominator in C order (as fit.risk_sums): censored one by one,
        # each tie group's deaths added whole (Breslow) or in d parts (Efron)
        denom2 = np.add.reduceat(r_death, d.dstarts)
        sv = denom2[d.step_dgroup] / d.dcount[d.step_dgroup] if d.method == "efron" else denom2
        sq = np.empty(d.risk_len)
        sq[d.risk_pos_cens] = r[d.cens_q]
        sq[d.risk_pos_step] = sv
        denom = cumsum_restart(sq, d.risk_starts)[d.risk_pos_step]
        loglik = float(np.sum(d.w_death * eta[d.death_q])) - float(np.sum(d.step_c * np.log(denom)))
        q = d.step_c / denom
        s = q / denom
        v = r * risk_weights(d, q)
        # the centre: sum v x / sum v (module docstring); every sum below is
        # about it, so A and D come out centred
        m = vecmat(v, x) / np.sum(d.step_c)
        A, D, term1 = _fused_pass(d, seg, r, v, m)
        one_f = 1.0 - d.step_f
        H = d.dgroups.size
        single = d.step_dgroup.size == H  # one step per death group (Breslow, or no tied deaths)
        Qh = q if single else np.bincount(d.step_dgroup, weights=q, minlength=H)
        alpha = s if single else np.bincount(d.step_dgroup, weights=s, minlength=H)
        # u = u0 - sum_h (Q_h A_h - R_h D_h) with A, D uncentred; centred, the
        # m terms add up to m * sum(c)
        u = d.u0 - (vecmat(Qh, A) + np.sum(d.step_c) * m)
        term2 = crossprod_about(A, alpha)
        if seg.multi.size:
            mu = seg.multi
            Rh = np.bincount(d.step_dgroup, weights=q * one_f, minlength=H)[mu]
            bet = np.bincount(d.step_dgroup, weights=s * one_f, minlength=H)[mu]
            gam = np.bincount(d.step_dgroup, weights=s * one_f * one_f, minlength=H)[mu]
            u = u + vecmat(Rh, D)
            cross = (A[mu].T * bet) @ D
            term2 += (D.T * gam) @ D - cross - cross.T
        imat = term1 - term2
    return loglik, u, (imat + imat.T) / 2


def risk_weights(d, q: np.ndarray) -> np.ndarray:
    """W: per row (of :class:`.fit.CoxData` ``d``), the sum of ``q`` (one value
    per step, c/denom) over the steps whose risk set holds the row, its own tie
    group's deaths with weight f. Then ``sum_e c_e cmat_e / denom_e = X' diag(r W) X``."""
    Q = np.bincount(d.step_group, weights=q, minlength=d.ngroup)
    F = np.bincount(d.step_group, weights=d.step_f * q, minlength=d.ngroup)
    # S[g]: sum of Q over the groups processed after g (earlier times), same stratum
    tail = cumsum_restart(Q[::-1], reverse_starts(d.gstrat_starts, d.ngroup))[::-1]
    S = tail - Q
    W = np.repeat(Q + S, d.group_len)  # rows of a tie group are contiguous
    W[d.death_q] = (F + S)[d.group_of[d.death_q]]
    return W


def _fused_pass(d, seg: RowSegments, r: np.ndarray, v: np.ndarray, m: np.ndarray):
    """One pass over the row segments of ``y = x - m``: A (per death group,
    running sums of r y read at the group's last row), D (per multi-death
    group, the deaths' sums of r y) and ``sum v y y'``."""
    p = d.p
    x = d.x
    A = np.empty((d.dgroups.size, p))
    D = np.zeros((seg.multi.size, p))
    term1 = np.zeros((p, p))
    carry = np.zeros(p)
    mask = seg.death_mask
    sw = np.sqrt(v)
    for a, b, restart, h0, h1, k0, k1 in zip(seg.starts, seg.ends, seg.restart, seg.h_lo, seg.h_hi,
                                            seg.k_lo, seg.k_hi):
        Y = x[a:b] - m
        Z = Y * r[a:b, None]
        Y *= sw[a:b, None]
        term1 += Y.T @ Y
        if k1 > k0:
            idx = np.maximum(seg.run_start[k0:k1] - a, 0)
            D[k0:k1] += np.add.reduceat(Z * mask[a:b, None], idx, axis=0)
        if restart:
            carry = np.zeros(p)
        ends = seg.gend_row[h0:h1] - a
        if h1 == h0:
            carry = carry + Z.sum(axis=0)
        elif 8 * (h1 - h0) < b - a:
            # few death groups in the block: the sums between the rows read,
            # then a running sum over those few
            last = int(ends[-1]) + 1
            part = np.add.reduceat(Z[:last], np.concatenate(([0], ends[:-1] + 1)), axis=0)
            A[h0:h1] = np.cumsum(part, axis=0) + carry
            carry = A[h1 - 1] + Z[last:].sum(axis=0)
        else:
            np.cumsum(Z, axis=0, out=Z)
            A[h0:h1] = Z[ends] + carry
            carry = carry + Z[-1]
    return A, D, term1
