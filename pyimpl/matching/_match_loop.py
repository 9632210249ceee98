"""Kernels of ``Matching::Match`` (Matching 4.10-8): the standardisation and
metric of ``RmatchLoop``/``MatchGenoudStage1caliper`` (R/Matching.R,
R/GenMatching.R), the matching loop of ``MatchLoopCfast``, the tie counts of
``EstFuncC`` and the within-group variances of ``VarCalcMatchC``
(src/matching.cc), replayed operation by operation in IEEE double (no FMA on
x86-64; R's ``sum`` in long double; reference BLAS/LAPACK loop orders).

Contract of the arrays: ``x`` is N x k float (R's ``X``), ``tr`` N floats 0/1
(already reversed for ATC), row positions 0-based inside, 1-based in the
matched-pair table ``indx`` exactly as the C code returns it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._rmath import r_sum
from .distances import _lu_solve_identity

__all__ = ["standardize", "weight_root", "match_loop", "est_func", "var_calc_sigs", "LoopOut", "DBL_MAX"]

DBL_MAX = float(np.finfo(float).max)
_DBL_MAX_CHECK = DBL_MAX / 1000 - 1000  # matching.h
_TOL = 1e-10  # matching.h TOL


def standardize(x: np.ndarray, tol: float) -> np.ndarray:
    """``MatchGenoudStage1caliper``'s scaling (unit weights): ``Mu = sum(x)/N``;
    ``Sig = sqrt(max(tol, sum(x*x))/N - Mu^2) * sqrt(N/(N-1))``, at least
    ``tol``; the column becomes ``(x - Mu)/Sig``."""
    n, k = x.shape
    out = np.empty_like(x)
    wsum = float(n)  # sum(weights), weights all 1
    for c in range(k):
        col = x[:, c]
        mu = float(r_sum(col)) / wsum
        eps = col - mu
        sig = math.sqrt(max(tol, float(r_sum(col * col))) / wsum - mu ** 2)
        sig = sig * math.sqrt(n / (n - 1))
        if sig < tol:
            sig = tol
        out[:, c] = eps / sig
    return out


def _crossprod_over_n(x: np.ndarray) -> np.ndarray:
    """``t(X) %*% X / N``: reference dgemm (N, N), each entry a sequential sum
    of ``X[l, j] * X[l, i]`` over the rows."""
    n, k = x.shape
    c = np.zeros((k, k))
    for j in range(k):
        for i in range(k):
            acc = 0.0
            for v in (x[:, j] * x[:, i]).tolist():
                acc = acc + v
            c[i, j] = acc
    return np.asarray(c / n)


def _chol_upper(a: np.ndarray) -> np.ndarray:
    """``chol(a)``: LAPACK 3.11 ``dpotrf`` -> recursive ``dpotrf2`` (upper), with
    reference ``dtrsm`` (L, U, T, N) and ``dsyrk`` (U, T) loop orders."""
    r = np.triu(np.array(a, dtype=float))

    def rec(lo: int, n: int) -> None:
        if n == 1:
            if not r[lo, lo] > 0:
                raise ArithmeticError(f"the leading minor of order {lo + 1} is not positive")
            r[lo, lo] = math.sqrt(r[lo, lo])
            return
        n1 = n // 2
        n2 = n - n1
        a1, a2 = lo, lo + n1
        rec(a1, n1)
        for j in range(a2, a2 + n2):  # dtrsm: A12 <- A11^-T A12
            for i in range(a1, a1 + n1):
                temp = r[i, j]
                for kk in range(a1, i):
                    temp = temp - r[kk, i] * r[kk, j]
                r[i, j] = temp / r[i, i]
        for j in range(a2, a2 + n2):  # dsyrk: A22 <- A22 - A12' A12
            for i in range(a2, j + 1):
                temp = 0.0
                for ll in range(a1, a1 + n1):
                    temp = temp + r[ll, i] * r[ll, j]
                r[i, j] = -temp + r[i, j]
        rec(a2, n2)

    rec(0, r.shape[0])
    return r


def weight_root(xs: np.ndarray, weight: int, ccc: float) -> tuple[np.ndarray, bool]:
    """``RmatchLoop``'s metric: ``Weight.matrix`` (1: the identity; 2:
    ``solve(t(X) %*% X / N)`` of the standardised X when its smallest
    eigenvalue exceeds 1e-7, else the identity), ``+ ccc * I`` when its smallest
    eigenvalue is below ``ccc``; returns ``ww = chol(Weight.matrix)`` and
    whether the matrix is diagonal (``DiagWeightMatrixFlag``)."""
    k = xs.shape[1]
    wm = np.eye(k)
    if weight == 2:
        xtx = _crossprod_over_n(xs)
        if float(np.min(np.linalg.eigvalsh(xtx))) > 0.0000001:
            inv, _ = _lu_solve_identity(xtx)
            if inv is None:  # pragma: no cover - excluded by the eigenvalue test
                raise ArithmeticError("system is computationally singular")
            wm = inv
    if float(np.min(np.linalg.eigvals(wm).real)) < ccc:
        wm = wm + np.eye(k) * ccc
    ww = _chol_upper(wm)
    diag = True if k == 1 else bool(np.all(wm[~np.eye(k, dtype=bool)] == 0))
    return ww, diag


@dataclass
class LoopOut:
    """``MatchLoopCfast``'s value: the pair table (``I``, ``IM``: 1-based focal
    and matched rows; ``W``; ``I2``/``IM2``: the same rows with the treated first
    (ATE) or swapped (ATC)), the caliper drops and how many times R grew its
    buffer (each time a warning)."""

    I: np.ndarray  # noqa: E741 - R's name
    IM: np.ndarray
    W: np.ndarray
    I2: np.ndarray
    IM2: np.ndarray
    drops: int
    memory_warnings: int


def _distances(xs: np.ndarray, i: int, ww: np.ndarray, diag: bool, rows: np.ndarray) -> np.ndarray:
    """Squared distances of rows ``rows`` to row ``i`` in the metric ``ww'ww``.
    Diagonal: ``dfoo = (X[j, k] - X[i, k]) * ww[k, k]``, ``Dist += dfoo^2`` from
    0; else ``DX = ZX %*% t(ww)`` (reference dgemm T, N: sequential sums over
    the inner index) and ``Dist = sumc(DX^2)`` (sequential over columns)."""
    k = xs.shape[1]
    z = xs[rows] - xs[i]
    dist = np.zeros(rows.size)
    if diag:
        for c in range(k):
            dfoo = z[:, c] * ww[c, c]
            dist = dist + dfoo * dfoo
        return dist
    for c in range(k):
        acc = np.zeros(rows.size)
        for ll in range(k):
            acc = acc + z[:, ll] * ww[c, ll]
        dist = dist + acc * acc
    return dist


def match_loop(xs: np.ndarray, xorig: np.ndarray, tr: np.ndarray, all_: int, m: int, cdd: float,
               caliper: np.ndarray | None, replace: bool, ties: bool, ww: np.ndarray, diag: bool,
               restrict: bool, unif: Callable[[], float]) -> LoopOut:
    """``MatchLoopCfast`` (matching.cc): for each focal row (treated, or every row
    with ``all_ == 1``) the M-th smallest distance among the other group
    (``kth_smallest``), after caliper violations and used rows (no
    replacement) are set to ``DBL_MAX``; a focal row whose M-th distance is
    ``DBL_MAX`` is dropped when a caliper or restriction is in force; every row
    within ``Distmax + cdd`` is a match (ties), each pair weighted 1/#matches;
    ``ties=False`` drops random extra matches with ``unif()`` (R's
    ``unif_rand``)."""
    n = tr.size
    used = np.zeros(n, dtype=bool)
    I_: list[np.ndarray] = []
    IM_: list[np.ndarray] = []
    W_: list[np.ndarray] = []
    drops = 0
    nm = n * m * 100 if ties else n * m
    count = 0
    mem = 0
    treat = tr.astype(int)
    for i in range(n):
        ti = int(treat[i])
        if not (ti == 1 and all_ != 1) and all_ != 1:
            continue
        pot = np.flatnonzero(tr == 1 - ti)
        dist = _distances(xs, i, ww, diag, pot)
        if used.any():
            dist[used[pot]] = DBL_MAX
        if caliper is not None:
            viol = np.zeros(pot.size, dtype=bool)
            for c in range(xs.shape[1]):
                viol |= np.abs(xorig[i, c] - xorig[pot, c]) > caliper[c]
            dist[viol] = DBL_MAX
        distmax = float(np.partition(dist, m - 1)[m - 1])
        if (restrict or caliper is not None) and distmax + cdd > _DBL_MAX_CHECK:
            drops += 1
            continue
        act = pot[dist <= distmax + cdd]
        if not ties and act.size > m:
            imt = (act + 1).astype(float)
            keep = np.ones(act.size, dtype=bool)
            broken = 0
            mii = act.size
            while broken < mii - m:
                idrop = int(unif() * float(mii))
                if imt[idrop] > -1 + _TOL:
                    keep[idrop] = False
                    imt[idrop] = -1
                    broken += 1
            act = act[keep]
        mi = act.size
        if not replace:
            used[act] = True
        count += mi
        if count > nm:  # R grows its buffer (and warns) once per focal row that overflows it
            nm += n * m * 100
            mem += 1
        I_.append(np.full(mi, i + 1, dtype=np.int64))
        IM_.append(act + 1)
        W_.append(np.full(mi, 1.0 / float(mi)))
    if count == 0:
        z = np.zeros(1, dtype=np.int64)
        return LoopOut(z, z, np.zeros(1), z, z, drops, mem)
    I = np.concatenate(I_)  # noqa: E741
    IM = np.concatenate(IM_)
    W = np.concatenate(W_)
    if all_ == 1:  # ATE: the treated row first
        t_first = treat[I - 1] == 1
        I2, IM2 = np.where(t_first, I, IM), np.where(t_first, IM, I)
    elif all_ == 2:
        I2, IM2 = IM, I
    else:
        I2, IM2 = I, IM
    return LoopOut(I, IM, W, I2, IM2, drops, mem)


def est_func(n: int, all_: int, y: np.ndarray, tr: np.ndarray, I: np.ndarray, IM: np.ndarray,  # noqa: E741
             W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``EstFuncC`` (unit weights): for each focal row, ``YCAUS`` (its outcome
    minus the W-weighted mean of its matches, sign by group), and each matched
    row's ``Kcount += 1/#matches``, ``KKcount += 1/#matches^2``. The C's
    counters are not reset for rows that are not focal (a control under ATT
    keeps the previous treated row's match count, so its YCAUS becomes
    ``-Y``): reproduced, though those rows carry no weight in the variance."""
    kcount = np.zeros(n)
    kkcount = np.zeros(n)
    ycaus = np.zeros(n)
    focal = I - 1
    rows_of: dict[int, np.ndarray] = {}
    order = np.argsort(focal, kind="stable")
    bounds = np.flatnonzero(np.diff(focal[order])) + 1
    for grp in np.split(order, bounds):
        if grp.size:
            rows_of[int(focal[grp[0]])] = grp
    sum_foo = 0
    sum_fw = 0.0
    sum_w = 0.0
    for i in range(n):
        rows = rows_of.get(i, np.zeros(0, dtype=np.int64))
        if (int(tr[i]) == 1 and all_ != 1) or all_ == 1:
            sum_foo = int(rows.size)
            sum_fw = 0.0
            sum_w = 0.0
            for r in rows.tolist():
                sum_w = sum_w + float(W[r])
                sum_fw = sum_fw + 1.0
        if sum_foo > 0:
            acc = ycaus[i]
            for r in rows.tolist():
                k = int(IM[r]) - 1
                wfw = 1.0 * 1.0 / sum_fw
                wwfw = 1.0 * wfw / sum_fw
                kcount[k] = kcount[k] + 1.0 * wfw
                kkcount[k] = kkcount[k] + 1.0 * wwfw
                acc = y[k] * W[r] / sum_w + acc
            ycaus[i] = y[i] - acc if int(tr[i]) == 1 else acc - y[i]
    return ycaus, kcount, kkcount


def var_calc_sigs(xs: np.ndarray, xorig: np.ndarray, tr: np.ndarray, m: int, cdd: float,
                  caliper: np.ndarray | None, ww: np.ndarray, diag: bool, y: np.ndarray) -> np.ndarray:
    """``VarCalcMatchC`` (unit weights): each row matched to its ``Var.calc``
    nearest rows of its *own* group (itself excluded by ``Dist[i] = DBL_MAX``
    but still a potential match), ties within ``cdd`` kept; ``Sigs[i]`` is the
    variance of Y over the matches and the row itself,
    ``(sm - fm^2) * s / (s - 1)`` with ``s = #matches + 1`` and sequential
    sums; a caliper drop leaves 0."""
    n = tr.size
    sigs = np.zeros(n)
    for i in range(n):
        ti = int(tr[i])
        pot = np.flatnonzero(tr == ti)
        dist = _distances(xs, i, ww, diag, pot)
        dist[pot == i] = DBL_MAX
        if caliper is not None:
            viol = np.zeros(pot.size, dtype=bool)
            for c in range(xs.shape[1]):
                viol |= np.abs(xorig[i, c] - xorig[pot, c]) > caliper[c]
            dist[viol] = DBL_MAX
        distmax = float(np.partition(dist, m - 1)[m - 1])
        if caliper is not None and distmax + cdd > _DBL_MAX_CHECK:
            continue
        act = pot[dist <= distmax + cdd]
        mi = float(act.size)
        s = mi + 1.0
        members = np.union1d(act, [i])
        fm = 0.0
        sm = 0.0
        for v in y[members].tolist():
            fm = fm + v
            sm = sm + v * v
        fm = fm / s
        sm = sm / s
        sigs[i] = (sm - fm * fm) * s / (s - 1.0)
    return sigs
