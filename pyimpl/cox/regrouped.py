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

Everything one-dimensional (risk scores, denominators in C order, the
per-group sums of q and s, W) comes first; then ``m`` (one blocked product);
then one pass over the row blocks of :mod:`._rowblocks`, each cut into pieces at
stratum starts (a running sum restarts at 0 where R's does): per block
``y = x - m``, ``r y`` and its running sum read at the death groups' last
rows (plus the carry of the piece before), the tied deaths' sums, and
``sum v y y'``; the A rows of the block are used at once (``sum alpha A A'``,
``sum Q A``, Efron's ``sum beta A D'``) and not kept. A and D come out
centred; the score adds back ``m sum c``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._blocked import matvec, vecmat
from ._order import cumsum_restart, reverse_starts
from ._rowblocks import RowSegments, ShortRuns

__all__ = ["evaluate_regrouped", "risk_weights"]


def evaluate_regrouped(d, beta: np.ndarray):
    """``(loglik, u, imat)`` at ``beta`` (scaled) for :class:`.fit.CoxData`
    ``d`` with ``d.segments`` set: the regrouped evaluation, one fused pass."""
    seg: RowSegments = d.segments
    x = d.x
    if d.offset_zero and not np.any(beta):
        eta = np.zeros(d.n)  # the first iteration from init = 0
    else:
        eta = matvec(x, beta)  # regrouped: no need for coxfit6's column order
        if not d.offset_zero:
            eta += d.offset
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = np.exp(eta)
        if not d.unit_weights:
            r *= d.w
        r_death = r[d.death_q]
        # the denominator in C order (as fit.risk_sums): censored one by one,
        # each tie group's deaths added whole (Breslow) or in d parts (Efron);
        # the tied deaths' sum sequential, as the C loop (bincount adds in order)
        H = d.dgroups.size
        denom2 = np.bincount(d.death_dgroup, weights=r_death, minlength=H)
        sv = denom2[d.step_dgroup] / d.step_dcount if d.method == "efron" else denom2
        sq = np.empty(d.risk_len)
        sq[d.risk_pos_cens] = r[d.cens_q]
        sq[d.risk_pos_step] = sv
        denom = cumsum_restart(sq, d.risk_starts)[d.risk_pos_step]
        del sq, sv, r_death, denom2  # large data: each n-long temporary is let go once used
        eta_death = eta[d.death_q]
        del eta
        if not d.unit_weights:
            eta_death *= d.w_death
        logd = np.log(denom)
        logd *= d.step_c
        loglik = float(np.sum(eta_death)) - float(np.sum(logd))
        del eta_death, logd
        q = d.step_c / denom
        s = q / denom
        del denom
        single = d.step_dgroup.size == H  # one step per death group (Breslow, or no tied deaths)
        Qh = q if single else np.bincount(d.step_dgroup, weights=q, minlength=H)
        alpha = s if single else np.bincount(d.step_dgroup, weights=s, minlength=H)
        mu = seg.multi
        Rh = bet = gam = None
        if mu.size:
            # per multi-death group: sums of (1 - f) q, (1 - f) s, (1 - f)^2 s over its steps
            grp, one_f = d.multi_step_group, d.multi_one_f
            sf = s[d.multi_steps] * one_f
            Rh = np.bincount(grp, weights=q[d.multi_steps] * one_f, minlength=mu.size)
            bet = np.bincount(grp, weights=sf, minlength=mu.size)
            gam = np.bincount(grp, weights=sf * one_f, minlength=mu.size)
        v = r * risk_weights(d, q, Qh, Rh)
        # the centre: sum v x / sum v (module docstring); every sum below is
        # about it, so A and D come out centred
        csum = np.sum(d.step_c)
        m = vecmat(v, x) / csum
        sums = _fused_pass(d, seg, r, v, m, Qh, np.sqrt(alpha), bet)
        # u = u0 - sum_h (Q_h A_h - R_h D_h) with A, D uncentred; centred, the
        # m terms add up to m * sum(c)
        u = d.u0 - (sums.qa + csum * m)
        term2 = sums.term2
        if mu.size:
            D = sums.D
            u = u + vecmat(Rh, D)
            term2 = term2 + ((D.T * gam) @ D - sums.cross - sums.cross.T)
        imat = sums.term1 - term2
    return loglik, u, (imat + imat.T) / 2


def risk_weights(d, q: np.ndarray, Qh: np.ndarray | None = None, Rh: np.ndarray | None = None) -> np.ndarray:
    """W: per row (of :class:`.fit.CoxData` ``d``), the sum of ``q`` (one value
    per step, c/denom) over the steps whose risk set holds the row, its own tie
    group's deaths with weight f. Then ``sum_e c_e cmat_e / denom_e = X' diag(r W) X``.

    Per tie group g, ``T_g`` = the sum of q over the steps of g and of the
    groups processed after it in its stratum (earlier times); every row of g
    gets ``T_g``, except the deaths of a group with several (Efron), whose own
    steps count with f < 1: they get ``T_g - R_h``, ``R_h = sum (1 - f) q`` over
    the group's steps. ``Qh`` and ``Rh`` (per death group, per multi-death
    group) may be passed when already summed."""
    H = d.dgroups.size
    if Qh is None:
        Qh = q if d.step_dgroup.size == H else np.bincount(d.step_dgroup, weights=q, minlength=H)
    Q = np.zeros(d.ngroup)
    Q[d.dgroups] = Qh
    T = cumsum_restart(Q[::-1], reverse_starts(d.gstrat_starts, d.ngroup))[::-1]
    W = np.ascontiguousarray(T) if d.rows_are_groups else np.repeat(T, d.group_len)
    if d.multi is not None:
        if Rh is None:
            Rh = np.bincount(d.multi_step_group, weights=q[d.multi_steps] * d.multi_one_f, minlength=d.multi.size)
        W[d.multi_rows] -= np.repeat(Rh, d.multi_count)
    return W


@dataclass
class PassSums:
    """What :func:`_fused_pass` returns (all about the centre m): ``term1 =
    sum v y y'``, ``term2 = sum_h alpha_h A_h A_h'``, ``qa = sum_h Q_h A_h``,
    D (per multi-death group, the deaths' sums of r y) and ``cross = sum over
    multi-death groups of beta_h A_h D_h'``."""

    term1: np.ndarray
    term2: np.ndarray
    qa: np.ndarray
    D: np.ndarray
    cross: np.ndarray


def _fused_pass(d, seg: RowSegments, r: np.ndarray, v: np.ndarray, m: np.ndarray, Qh: np.ndarray,
                sqrt_alpha: np.ndarray, bet: np.ndarray | None) -> PassSums:
    """One pass over the row blocks of ``y = x - m``: the running sums of r y
    read at each death group's last row (A_h, used block by block and not
    kept), the deaths' sums D, and every sum of :class:`PassSums`.

    The block's y and r y live in two buffers made once (fresh block-sized
    arrays for every block cost page faults), and the A rows are taken
    transposed (p x rows: a contiguous take, several times faster than
    picking rows of the column-major block)."""
    p = d.p
    x = d.x
    D = np.zeros((seg.multi.size, p))
    term1 = np.zeros((p, p))
    term2 = np.zeros((p, p))
    cross = np.zeros((p, p))
    qa = np.zeros(p)
    carry = np.zeros(p)
    mask = seg.death_mask
    sw = np.sqrt(v)
    size = max((b - a for a, b in zip(seg.starts, seg.ends)), default=0)
    ybuf = np.empty((size, p), order="F")
    zbuf = np.empty((size, p), order="F")
    for blk, (a, b, pl, ph, h0, h1, k0, k1) in enumerate(zip(seg.starts, seg.ends, seg.piece_lo, seg.piece_hi,
                                                             seg.h_lo, seg.h_hi, seg.k_lo, seg.k_hi)):
        Y = np.subtract(x[a:b], m, out=ybuf[:b - a])
        Z = np.multiply(Y, r[a:b, None], out=zbuf[:b - a])
        Y *= sw[a:b, None]
        term1 += Y.T @ Y
        running = seg.running[blk]
        if k1 > k0 and not running:
            sr = seg.short_runs[blk] if seg.short_runs is not None else None
            if sr is not None:
                D[k0 + sr.order] += _short_run_sums(Z, sr)
            else:
                D[k0:k1] += _death_sums(Z, mask, seg.run_start[k0:k1], a)
        ends = seg.gend_row[h0:h1] - a
        if ph - pl > 1:
            # strata start inside the block: a running sum per piece, each
            # from its own carry (0 at a stratum start)
            carries = np.empty((ph - pl, p))
            for j in range(pl, ph):
                p0, p1 = seg.piece_start[j] - a, seg.piece_end[j] - a
                if seg.restart[j]:
                    carry = np.zeros(p)
                carries[j - pl] = carry
                np.cumsum(Z[p0:p1], axis=0, out=Z[p0:p1])
                carry = carry + Z[p1 - 1]
            if k1 > k0:  # runs never cross a stratum start, so never a piece's
                D[k0:k1] += _run_sums_from_running(Z, seg.run_start[k0:k1] - a, seg.run_end[k0:k1] - a,
                                                   np.asarray(seg.piece_start[pl:ph]) - a)
            if h1 == h0:
                continue
            At = np.take(Z.T, ends, axis=1)
            At += carries[seg.gend_piece[h0:h1] - pl].T
        else:
            if seg.restart[pl]:
                carry = np.zeros(p)
            if h1 == h0:
                carry = carry + Z.sum(axis=0)
                continue
            if not running:
                # few death groups in the block: the sums between the rows
                # read, then a running sum over those few
                last = int(ends[-1]) + 1
                part = np.add.reduceat(Z[:last], np.concatenate(([0], ends[:-1] + 1)), axis=0)
                At = np.cumsum(part, axis=0).T
                At += carry[:, None]
                carry = At[:, -1] + Z[last:].sum(axis=0)
            else:
                np.cumsum(Z, axis=0, out=Z)
                if k1 > k0:
                    D[k0:k1] += _run_sums_from_running(Z, seg.run_start[k0:k1] - a, seg.run_end[k0:k1] - a)
                At = np.take(Z.T, ends, axis=1)
                At += carry[:, None]
                carry = carry + Z[-1]
        # At: the block's A rows, transposed (p x death groups)
        qa += At @ Qh[h0:h1]
        if bet is not None:
            # multi-death groups ending in this block: their D is complete (the
            # deaths lead the group, and D is added before A is read)
            mu0, mu1 = np.searchsorted(seg.multi, (h0, h1))
            if mu1 > mu0:
                Am = At[:, seg.multi[mu0:mu1] - h0]
                cross += (Am * bet[mu0:mu1]) @ D[mu0:mu1]
        At *= sqrt_alpha[h0:h1]
        term2 += At @ At.T
    return PassSums(term1=term1, term2=term2, qa=qa, D=D, cross=cross)


def _run_sums_from_running(Zc: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                           piece_starts: np.ndarray | None = None) -> np.ndarray:
    """Per run (block rows ``lo:hi``, clipped to the block), its rows' sum
    read off the block's running sums ``Zc`` (from 0 at the block's start and
    at each of ``piece_starts``) as a difference of two of their rows. The
    running sums are of centred terms within one block, so the difference
    loses no more than the A_h read from them (measured with
    ``bench.cox_precision``: Efron with about 3 rows a time, ~1e-14 of R)."""
    L = Zc.shape[0]
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, L)
    Zt = Zc.T
    out = np.take(Zt, hi - 1, axis=1)
    before = np.take(Zt, np.maximum(lo - 1, 0), axis=1)
    fresh = lo == 0 if piece_starts is None else np.isin(lo, piece_starts)
    before[:, fresh] = 0.0
    out -= before
    return out.T


def _short_run_sums(Z: np.ndarray, sr: ShortRuns) -> np.ndarray:
    """Per run of ``sr`` (in its order), the sum of its rows of Z, row after
    row as a sequential sum makes it: a column-wise take per row position."""
    Zt = Z.T
    acc = np.take(Zt, sr.first, axis=1)
    for k, m in enumerate(sr.running[1:], start=1):
        acc[:, :m] += np.take(Zt, sr.first[:m] + k, axis=1)
    return acc.T


def _death_sums(Z: np.ndarray, mask: np.ndarray, run_start: np.ndarray, a: int) -> np.ndarray:
    """Per multi-death run meeting the block (rows ``a:`` of Z, runs from
    ``run_start``, clipped to the block), the sum of its rows of Z in the
    block, by one ``reduceat`` over the block with the other rows masked."""
    lo = np.maximum(run_start - a, 0)
    return np.add.reduceat(Z * mask[a:a + Z.shape[0], None], lo, axis=0)
