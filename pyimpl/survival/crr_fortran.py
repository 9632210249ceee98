"""The Fortran kernels of ``cmprsk::crr`` (cmprsk 2.2-11, src/crr.f by R. Gray:
``covt``, ``crrfsv``, ``crrf``, ``crrvv``, ``crrsr``, ``crrfit``), rewritten
from their description with every sum in the Fortran's order.

The data are sorted by time (``t``); ``ici`` is 1 for a failure of interest,
2 for a competing failure, 0 for censoring; ``wt[g, i]`` is the censoring
Kaplan-Meier of censoring group g just before ``t[i]``; ``tf[m]`` the time
functions at the m-th distinct failure time. At failure time t_m the risk set
holds every row with ``t >= t_m`` (weight ``exp(z'b)``) and every competing
failure before it (weight ``exp(z'b) wt[g, first row at t_m] / wt[g, row]``),
``z`` the covariates ``cov1`` and ``cov2 * tf[m]`` (``covt``).

Loops over rows are numpy operations whose sums are sequential
(``np.add.accumulate``, ``np.subtract.accumulate``: one double addition after
another, as the Fortran adds), and ``exp``/``log`` go through the C library
(:mod:`pyimpl._libm`), so every quantity is the Fortran's to the bit; only the
loops over failure times and over rows of ``crrvv``'s last part stay Python
loops.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _libm as C

__all__ = ["CrrData"]


def _seq(a: np.ndarray) -> np.ndarray:
    """``s = 0; do i: s = s + a(i)`` along axis 0 (the Fortran's sum)."""
    if a.shape[0] == 0:
        return np.zeros(a.shape[1:])
    out: np.ndarray = np.add.accumulate(a, axis=0)[-1]
    return out


def _wk(z: np.ndarray, b: np.ndarray) -> np.ndarray:
    """covt's ``wk = wk + xbt(i) * b(i)`` from 0, over the last axis of z."""
    w = np.zeros(z.shape[:-1])
    for c in range(z.shape[-1]):
        w = w + z[..., c] * b[c]
    return w


def _upper_outer(a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a(k) * c(j)`` products as ``(a_k) * c_j`` over rows: shape (rows, p, p)."""
    out: np.ndarray = a[:, :, None] * c[:, None, :]
    return out


@dataclass
class CrrData:
    """crr's sorted data: ``t`` (n), ``ici`` (n; 0, 1, 2), ``x1`` (n, nc1),
    ``x2`` (n, nc2), ``tf`` (ndf, nc2), ``wt`` (ncg, n), ``icg`` (n; 0-based)."""

    t: np.ndarray
    ici: np.ndarray
    x1: np.ndarray
    x2: np.ndarray
    tf: np.ndarray
    wt: np.ndarray
    icg: np.ndarray

    def __post_init__(self) -> None:
        t, ici = self.t, self.ici
        n = t.size
        self.n = n
        self.np_ = self.x1.shape[1] + self.x2.shape[1]
        fail = np.flatnonzero(ici == 1)
        self.fail = fail
        # distinct failure times (ascending) and, per failure row, its index among them: crrvv's
        # ``if (t2(i).gt.cft) ldf = ldf + 1`` from cft = min(-1, t2(1) (1 - 1e-5))
        cft = min(-1.0, t[0] * (1 - 1.0e-5)) if n else -1.0
        ldf = np.zeros(fail.size, dtype=np.intp)
        k = 0
        for a, i in enumerate(fail.tolist()):
            if t[i] > cft:
                cft = t[i]
                k += 1
            ldf[a] = k - 1
        self.ldf = ldf  # 0-based; -1 where the Fortran would read tf's row 0 (crr.py refuses that)
        self.ndf = int(np.unique(t[fail]).size)
        # per distinct failure time (ascending): the first row at that time (iuc of crrfsv) and the
        # failure rows there; the risk set rows and which of them are earlier competing failures
        self.blocks: list[tuple[float, int, np.ndarray, np.ndarray, np.ndarray]] = []
        for m, tm in enumerate(np.unique(t[fail]).tolist()):
            first = int(np.searchsorted(t, tm, side="left"))
            rows_f = fail[t[fail] == tm]
            rows = np.flatnonzero((t >= tm) | (ici == 2))  # crrf loop 15: t2(i) < cft with ici <= 1 skipped
            early = t[rows] < tm
            self.blocks.append((tm, first, rows_f, rows, early))

    # -- covariates at a failure time ---------------------------------------------------------
    def z(self, m: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """covt's ``xbt`` at the m-th distinct failure time (tf's row m)."""
        x1 = self.x1[rows]
        if self.x2.shape[1] == 0:
            return x1
        return np.concatenate([x1, self.x2[rows] * self.tf[m]], axis=1)

    def _twt(self, m: int, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Risk-set weights at failure time m (crrf loop 15) and the covariates."""
        _, first, _, rows, early = self.blocks[m]
        z = self.z(m, rows)
        e = C.exp(_wk(z, b))
        g = self.icg[rows]
        twt = np.where(early, e * self.wt[g, first] / self.wt[g, rows], e)
        return twt, z

    # -- crrfsv / crrf ------------------------------------------------------------------------
    def fsv(self, b: np.ndarray, *, with_info: bool = True) -> tuple[float, np.ndarray, np.ndarray]:
        """``crrfsv``: minus the log pseudo-likelihood, its gradient and Hessian
        (``crrf``: the first alone, ``with_info=False``)."""
        p = self.np_
        lik = 0.0
        s = np.zeros(p)
        v = np.zeros((p, p))
        iu = np.triu_indices(p)
        for m in range(len(self.blocks) - 1, -1, -1):
            _, _, rows_f, _, _ = self.blocks[m]
            zf = self.z(m, rows_f[::-1])
            wkf = _wk(zf, b)
            for a in range(rows_f.size):  # loop 13, from the last failure at t_m down
                lik = lik - wkf[a]
                s = s - zf[a]
            twf = float(rows_f.size)
            twt, z = self._twt(m, b)
            xb1 = np.add.accumulate(twt)
            lik = lik + twf * C.log(np.array([xb1[-1]]))[0]
            if not with_info:
                continue
            xb = np.add.accumulate(twt[:, None] * z, axis=0)
            dev = z - xb / xb1[:, None]
            xb1o = np.concatenate(([0.0], xb1[:-1]))
            use = xb1o > 0
            fac = np.where(use, xb1 * twt / np.where(use, xb1o, 1.0), 0.0)
            terms = _upper_outer(fac[:, None] * dev, dev)
            terms[~use] = 0.0
            vt = _seq(terms)
            w = twf / xb1[-1]
            s = s + w * xb[-1]
            vu = v[iu] + w * vt[iu]
            v[iu] = vu
            v.T[iu] = vu
        return lik, s, v

    def f(self, b: np.ndarray) -> float:
        """``crrf``: minus the log pseudo-likelihood."""
        return self.fsv(b, with_info=False)[0]

    # -- crrsr, crrfit ------------------------------------------------------------------------
    def sr(self, b: np.ndarray) -> np.ndarray:
        """``crrsr``: the score contributions at each distinct failure time (ndf, np)."""
        res = np.zeros((len(self.blocks), self.np_))
        for m in range(len(self.blocks) - 1, -1, -1):
            _, _, rows_f, _, _ = self.blocks[m]
            r = np.zeros(self.np_)
            for zi in self.z(m, rows_f[::-1]):
                r = r + zi
            twt, z = self._twt(m, b)
            xb1 = _seq(twt)
            xb = _seq(twt[:, None] * z)
            res[m] = r + (-float(rows_f.size) / xb1) * xb
        return res

    def fit(self, b: np.ndarray) -> np.ndarray:
        """``crrfit``: the baseline jumps ``twf / sum of risk weights``."""
        out = np.zeros(len(self.blocks))
        for m in range(len(self.blocks)):
            twt, _ = self._twt(m, b)
            out[m] = float(self.blocks[m][2].size) / _seq(twt)
        return out

    # -- crrvv --------------------------------------------------------------------------------
    def vv(self, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``crrvv``: the information ``v`` and the variance of the score ``v2``
        (the sum over rows of eta_i eta_i', eta_i = the dN and d-Lambda part
        plus psi_i, the censoring part)."""
        t, ici, icg, wt = self.t, self.ici, self.icg, self.wt
        n, p, ncg = self.n, self.np_, self.wt.shape[0]
        fail, ldf = self.fail, self.ldf
        nf = fail.size
        iu = np.triu_indices(p)
        # loop 6: per failure row, the sums over its risk set (one computation per distinct time:
        # tied failures get the same numbers, as the Fortran recomputes them identically)
        xb0 = np.zeros(nf)
        xb = np.zeros((nf, p))
        vt_of = np.zeros((len(self.blocks), p, p))
        for m in range(len(self.blocks)):
            tm, first, rows_f, rows, early = self.blocks[m]
            twt, z = self._twt(m, b)
            s0 = _seq(twt)
            s1 = _seq(twt[:, None] * z)
            at = np.searchsorted(fail, rows_f)
            xb0[at] = s0
            xb[at] = s1
            # loop 19's second derivatives at this time (with xb of its failures)
            dev = z - s1 / s0
            vt_of[m] = _seq(_upper_outer(twt[:, None] * dev, dev))
        m_of = np.searchsorted(np.unique(t[fail]), t[fail])
        v = np.zeros((p, p))
        for a in range(nf):  # loop 10's failures in row order: v += vt / xb(i, 0)
            vu = v[iu] + vt_of[m_of[a]][iu] / xb0[a]
            v[iu] = vu
        # loop 15: the d-Lambda part of eta_i, over all rows i (axis 0) and failures j (axis 1);
        # covt at every (distinct failure time, row) once
        zm = np.stack([self.z(m) for m in range(len(self.blocks))]) if nf else np.zeros((0, n, p))
        em = C.exp(_wk(zm, b)) if nf else np.zeros((0, n))
        self._zm, self._em = zm, em
        zall = zm[ldf].transpose(1, 0, 2)  # (n, nf, p)
        e = em[ldf].T
        tj = t[fail]
        before = tj[None, :] <= t[:, None]
        later_comp = (t[:, None] < tj[None, :]) & (ici[:, None] > 1)
        twt = np.where(before, e, e * wt[icg[:, None], fail[None, :]] / wt[icg, np.arange(n)][:, None])
        q = xb / xb0[:, None]
        term = (zall - q[None, :, :]) * twt[:, :, None] / xb0[None, :, None]
        term = np.where((before | later_comp)[:, :, None], term, 0.0)
        st1 = np.subtract.accumulate(np.concatenate([np.zeros((n, 1, p)), term], axis=1), axis=1)[:, -1, :]
        # loop 17: the dN part for failures (tf's row from ldf2, the same count as ldf)
        for a, i in enumerate(fail.tolist()):
            st1[i] = (st1[i] + zm[ldf[a], i]) - xb[a] / xb0[a]
        fail_pos = {int(i): a for a, i in enumerate(fail.tolist())}
        # loops 38-45 and 243-271: psi_i from the censoring martingales, row by row
        icrsk = np.bincount(icg, minlength=ncg).astype(np.int64)
        ss2 = np.zeros((p, ncg))
        qu = np.zeros((p, ncg))
        lc = 0
        eta = np.zeros((n, p))
        for i in range(n):
            if i == 0 or t[i] > t[i - 1]:
                blk_end = int(np.searchsorted(t, t[i], side="right"))
                if (ici[i:blk_end] == 0).any() or blk_end == n:
                    qu = self._qu(b, i, lc, fail_pos, xb0, xb)
                    for j in range(i, blk_end):
                        if ici[j] == 0:
                            g = icg[j]
                            ss2[:, g] = ss2[:, g] - qu[:, g] / float(icrsk[g] ** 2)
            st2 = ss2[:, icg[i]].copy()
            if ici[i] == 0:
                st2 = st2 + qu[:, icg[i]] / float(icrsk[icg[i]])
            eta[i] = st1[i] + st2
            if i < n - 1 and t[i + 1] > t[i]:
                np.subtract.at(icrsk, icg[lc:i + 1], 1)
                lc = i + 1
        v2u = _seq(_upper_outer(eta, eta)[:, iu[0], iu[1]]) if n else np.zeros(iu[0].size)
        v2 = np.zeros((p, p))
        v2[iu] = v2u
        v2.T[iu] = v2u
        v.T[iu] = v[iu]
        return v, v2

    def _qu(self, b: np.ndarray, i: int, lc: int, fail_pos: dict[int, int], xb0: np.ndarray,
            xb: np.ndarray) -> np.ndarray:
        """crrvv's q(t_i) (loops 41-542): for each failure j1 at or after row lc,
        the competing failures j2 before t_i of j1's censoring group."""
        t, ici, icg, wt = self.t, self.ici, self.icg, self.wt
        p, ncg = self.np_, wt.shape[0]
        qu = np.zeros((p, ncg))
        j1s = self.fail[self.fail >= lc]
        j2s = np.flatnonzero((t < t[i]) & (ici == 2))
        if j1s.size == 0:
            return qu
        a1 = np.array([fail_pos[int(j)] for j in j1s.tolist()])
        if j2s.size:
            zz = self._zm[self.ldf[a1]][:, j2s, :]  # (J1, J2, p): covt(j2, ldf of j1)
            e = self._em[self.ldf[a1]][:, j2s]
            g2 = icg[j2s]
            twt = e * wt[g2[None, :], j1s[:, None]] / wt[g2, j2s][None, :]
            same = g2[None, :] == icg[j1s][:, None]
            twt = np.where(same, twt, 0.0)
            ss4 = np.add.accumulate(twt, axis=1)[:, -1]
            ss3 = np.add.accumulate(zz * twt[:, :, None], axis=1)[:, -1, :]
        else:
            ss4 = np.zeros(j1s.size)
            ss3 = np.zeros((j1s.size, p))
        x0 = xb0[a1]
        add = (ss3 - xb[a1] * ss4[:, None] / x0[:, None]) / x0[:, None]
        g1 = icg[j1s]
        for g in range(ncg):
            sel = g1 == g
            if sel.any():
                qu[:, g] = _seq(add[sel])
        return qu
