"""Cumulative incidence of competing risks and Gray's K-sample test:
``cmprsk::cuminc`` of cmprsk 2.2-11 (R/cmprsk.R, src/cincsub.f ``cinc``,
src/crstm.f ``crstm``/``crst``), rewritten from the algorithms' description.

Curves (``cinc``): within a group, the data sorted by time, walk the distinct
times t with r at risk, d1 failures from the cause, d2 from other causes and
the all-cause Kaplan-Meier S(t-) (``fk``):

    S(t)  = S(t-) (r - d1 - d2) / r
    F(t)  = F(t-) + S(t-) d1 / r                          (only where d1 > 0)

and the delta-method variance from three running sums (Gray's cinc.f):
for the other-cause failures (when d2 > 0 and S(t) > 0), with
``w = S(t-)^2 (1 - (d2-1)/(r-1)) d2 / r^2``, ``a = 1/S(t)``, ``b = F(t)/S(t)``:
``v1 += b^2 w, v2 += a b w, v3 += a^2 w``; then for the cause's failures
(d1 > 0) the same with d1 and ``a = 1/S(t)`` (0 if S(t) = 0), ``b = 1 + a F(t)``,
and ``var F(t) = v1 + F^2 v3 - 2 F v2``. The returned step function starts at
(0, 0), doubles every jump time of the cause (the value before and after the
jump) and ends at the group's largest time, exactly the vectors cuminc gives
(``2 * #jump times + 2`` points).

Gray's test (``crst``, per stratum, summed over strata): at each distinct time
with failures, per group k with r_k at risk, ``h_k = r_k / S_k(t-)``,
``H = sum h_k``, ``R = sum r_k (1 - F1_k(t-)) / S_k(t-)``, the pooled
``F(t) = F(t-) + d1 / H`` and the weight ``W = (1 - F(t-))^rho``; the score is
``s_k += W (d1_k - d1 r_k (1 - F1_k(t-)) / (S_k(t-) R))`` for the first K-1
groups, and its variance is accumulated from crst's a, c, v2, v3 terms (see
:func:`_crst`). The statistic is ``s' V^- s`` computed as R does (``qr(V)``,
LINPACK dqrdc2 with tol 1e-7, ``qr.coef(qr, diag(K-1))``); if V is rank
deficient the statistic is -1 (and its p-value ``1 - pchisq(-1, df) = 1``).

Every sum and product is replayed in the Fortran's order, one Python double
operation for each Fortran one, so the curves (``time``, ``est``, ``var``) and
Gray's score and variance are bit-identical to R's. The statistic is
``s * (1/v) * s`` for 2 groups, identical too; for 3 or more it passes
through LINPACK's Householder QR (pyimpl's dqrdc2/dqrsl port) whose column
norms R's reference BLAS ``dnrm2`` computes with scaling (here: the square
root of a sequential sum of squares), so a last bit may differ in principle.
Measured against R 4.2.2 + cmprsk 2.2-11 on 160 seeded datasets (1-4 groups,
1-3 strata, rho in {-1, 0, 0.5, 1, 2}, tied and continuous times): ``time``,
``est``, ``var`` and ``stat`` all bit-identical. The p-value uses scipy's
``chdtr`` for R's ``pchisq`` (max abs difference 1.1e-15).

R's handling of the arguments is kept: ``cencode`` marks censoring (any value;
a factor or character status is compared as text); causes are the sorted
distinct uncensored values (a factor's level order for a pandas Categorical);
groups and strata are factors (a Categorical keeps its categories' order,
otherwise sorted distinct values; strings by code point, whereas R sorts a
character vector in its locale, ICU collation under C.UTF-8: pass a
Categorical to fix the order); rows with a missing value are dropped and
counted (R prints "<k> cases omitted due to missing values": the line is kept
in :attr:`CumInc.messages`); groups left empty are dropped, empty strata
are not (see below). Curves are named ``"<group> <cause>"``, cause-major.

Surprises in cuminc 2.2-11, reproduced:

* An empty stratum level (a Categorical category without rows, or one
  emptied by ``na.omit``/``subset``) makes crst read one stale row of its
  scratch arrays (the first row of the last stratum processed, or of the
  data): when that row is a failure from another cause the variance turns
  NaN and R's ``qr`` stops with "NA/NaN/Inf in foreign function call (arg 1)";
  otherwise the empty stratum adds nothing.
* No failure at all: ``uclab`` is empty, the loop ``1:nc`` runs once with an
  NA cause and ``.Fortran`` stops ("NAs in foreign function call (arg 3)").
* Negative times are accepted: every curve still starts at time 0.
* ``rho`` is used only by Gray's test: with one group any rho is accepted;
  a vector uses its first element.
* ``pv`` is ``1 - pchisq(stat, df)``, not the upper tail: it is 0 below about 1e-16.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from rparity_contract.errors import ComputationError, InvalidArgument
from rparity_contract.results.cuminc import CumInc, CumIncCurve, GrayTests

from .. import _libm as C
from .._rformat import r_label
from .._validate import label_codes, show
from ..matching._linpack import dqrls

__all__ = ["cuminc"]


def _lab(v: Any) -> str:
    return v if isinstance(v, str) else r_label(v)


# -- arguments -------------------------------------------------------------------------------


class _Missing:
    pass


_NOTHING = _Missing()


def _as_time(x: Any) -> np.ndarray:
    if isinstance(x, (str, bytes)) or np.ndim(x) != 1:
        raise InvalidArgument(f"`ftime` must be a 1-D numeric array-like; got ftime={show(x)}", kind="time.type")
    arr = x.to_numpy() if isinstance(x, pd.Series) else np.asarray(x)
    if arr.dtype == object:
        try:
            arr = np.array([np.nan if v is None or v is pd.NA else v for v in arr.tolist()], dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgument("`ftime` must be numeric (R would sort text times as text)",
                                  kind="time.type") from None
    if arr.dtype.kind not in "iuf" or arr.dtype.kind == "b":
        raise InvalidArgument(f"`ftime` must be numeric; got dtype {arr.dtype}", kind="time.type")
    return arr.astype(float)


def _status(x: Any) -> tuple[np.ndarray, np.ndarray, list | None, str]:
    """fstatus -> (values, missing mask, factor levels or None, kind) with
    kind 'num' (numbers and logicals), 'str' or 'factor'."""
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        x = pd.Categorical(x)
    if isinstance(x, pd.Categorical):
        cats = [_lab(v) for v in x.categories]
        codes = np.asarray(x.codes)
        vals = np.array([cats[c] if c >= 0 else "" for c in codes], dtype=object)
        return vals, codes < 0, cats, "factor"
    if isinstance(x, (str, bytes)) or np.ndim(x) != 1:
        raise InvalidArgument(f"`fstatus` must be a 1-D array-like; got fstatus={show(x)}", kind="argument.shape")
    arr = x.to_numpy() if isinstance(x, pd.Series) else np.asarray(x)
    if arr.dtype.kind == "b":
        return arr.astype(float), np.zeros(arr.size, dtype=bool), None, "bool"
    if arr.dtype.kind in "iuf":
        arr = arr.astype(float)
        return arr, np.isnan(arr), None, "num"
    if arr.dtype.kind in "US" or arr.dtype == object:
        lst = arr.tolist()
        miss = np.array([v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) for v in lst],
                        dtype=bool)
        ok = [v for v, m in zip(lst, miss) if not m]
        if all(isinstance(v, (bool, np.bool_)) for v in ok):
            return np.array([float(v) if not m else np.nan for v, m in zip(lst, miss)]), miss, None, "bool"
        if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in ok):
            return np.array([float(v) if not m else np.nan for v, m in zip(lst, miss)]), miss, None, "num"
        if all(isinstance(v, str) for v in ok):
            return np.array([v if not m else "" for v, m in zip(lst, miss)], dtype=object), miss, None, "str"
    raise InvalidArgument("`fstatus` must hold numbers, logicals or strings (or be a Categorical)",
                          kind="event.type")


def _labels(x: Any, name: str, n: int) -> tuple[np.ndarray, list[str]]:
    """A factor's (codes, level labels); -1 codes a missing value."""
    if x is None or x is _NOTHING:
        return np.zeros(n, dtype=np.intp), ["1"]
    codes, levels = label_codes(x, name)
    return codes, [_lab(v) for v in levels]


def _censored(vals: np.ndarray, kind: str, cencode: Any) -> np.ndarray:
    """``d$cause == cencode`` (R compares as text when either side is text)."""
    if kind in ("num", "bool") and isinstance(cencode, (int, float, bool, np.integer, np.floating, np.bool_)):
        return vals == float(cencode)
    code = _lab(cencode)
    if kind == "num":
        return np.array([r_label(float(v)) == code for v in vals], dtype=bool)
    if kind == "bool":
        return np.array([("TRUE" if v else "FALSE") == code for v in vals], dtype=bool)
    return np.array([v == code for v in vals.tolist()], dtype=bool)


# -- cinc ------------------------------------------------------------------------------------


def _cinc(y: np.ndarray, ic: np.ndarray, icc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cincsub.f ``cinc``: the step function of one group's cumulative
    incidence for one cause and its variance. ``y`` sorted; ``ic`` 1 for any
    failure, ``icc`` 1 for a failure from the cause."""
    n = y.size
    ys = y.tolist()
    # tie blocks: [start, end) of each distinct time
    starts = np.flatnonzero(np.concatenate(([True], y[1:] != y[:-1]))).tolist()
    ends = starts[1:] + [n]
    c1 = np.concatenate(([0], np.cumsum(icc))).tolist()
    c_all = np.concatenate(([0], np.cumsum(ic))).tolist()
    xs, fs, vs = [0.0], [0.0], [0.0]
    fk = 1.0
    v1 = v2 = v3 = 0.0
    rs = float(n)
    for a, b in zip(starts, ends):
        nd1 = c1[b] - c1[a]
        nd2 = (c_all[b] - c_all[a]) - nd1
        nd = nd1 + nd2
        if nd > 0:
            fkn = fk * (rs - nd) / rs
            if nd1 > 0:
                fs.append(fs[-1])
                fs.append(fs[-1] + fk * nd1 / rs)
            # other-cause failures (cinc: only while S(t) > 0)
            if nd2 > 0 and fkn > 0:
                t5 = 1.0
                if nd2 > 1:
                    t5 = 1 - (nd2 - 1.0) / (rs - 1.0)
                t6 = fk * fk * t5 * nd2 / (rs * rs)
                t3 = 1.0 / fkn
                t4 = fs[-1] / fkn
                v1 = v1 + t4 * t4 * t6
                v2 = v2 + t3 * t4 * t6
                v3 = v3 + t3 * t3 * t6
            if nd1 > 0:
                t5 = 1.0
                if nd1 > 1:
                    t5 = 1 - (nd1 - 1.0) / (rs - 1.0)
                t6 = fk * fk * t5 * nd1 / (rs * rs)
                t3 = 1 / fkn if fkn > 0 else 0.0
                t4 = 1 + t3 * fs[-1]
                v1 = v1 + t4 * t4 * t6
                v2 = v2 + t3 * t4 * t6
                v3 = v3 + t3 * t3 * t6
                t2 = fs[-1]
                xs.extend((ys[b - 1], ys[b - 1]))
                vs.append(vs[-1])
                vs.append(v1 + t2 * t2 * v3 - 2 * t2 * v2)
            fk = fkn
        rs = float(n - b)
    xs.append(ys[n - 1])
    fs.append(fs[-1])
    vs.append(vs[-1])
    return np.array(xs), np.array(fs), np.array(vs)


# -- crst: Gray's score and variance in one stratum --------------------------------------------


def _div(a: float, b: float) -> float:
    """IEEE division (Fortran's): x/0 is +-Inf, 0/0 NaN."""
    if b == 0.0:
        if a == 0.0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _crst(y: np.ndarray, m: np.ndarray, ig: np.ndarray, ng: int, rho: float) -> tuple[list[float], list[float]]:
    """crstm.f ``crst`` for one (non-empty) stratum: scores of groups 1..ng-1
    and their variance, packed lower triangle row by row (l = i(i-1)/2 + j).
    ``m`` 0 censored, 1 the cause, 2 another cause; ``ig`` groups 0..ng-1."""
    n = y.size
    ng1 = ng - 1
    rs = np.bincount(ig, minlength=ng).tolist()
    s = [0.0] * ng1
    v = [0.0] * (ng * ng1 // 2)
    f1m = [0.0] * ng
    f1 = [0.0] * ng
    skmm = [1.0] * ng
    skm = [1.0] * ng
    v3 = [0.0] * ng
    v2 = [[0.0] * ng for _ in range(ng1)]
    c = [[0.0] * ng for _ in range(ng)]
    a = [[0.0] * ng for _ in range(ng)]
    fm = 0.0
    f = 0.0
    starts = np.flatnonzero(np.concatenate(([True], y[1:] > y[:-1]))).tolist()
    ends = starts[1:] + [n]
    # counts per block: d[k][j] censored / cause / other cause in group j
    blk = np.repeat(np.arange(len(starts)), np.diff(np.array(starts + [n])))
    cnt = np.zeros((len(starts), 3, ng), dtype=np.int64)
    np.add.at(cnt, (blk, m, ig), 1)
    cnt_l = cnt.tolist()
    leave = np.zeros((len(starts), ng), dtype=np.int64)
    np.add.at(leave, (blk, ig), 1)
    leave_l = leave.tolist()
    for bi in range(len(starts)):
        d = cnt_l[bi]
        nd1 = sum(d[1])
        nd2 = sum(d[2])
        if nd1 != 0 or nd2 != 0:
            tr = 0.0
            tq = 0.0
            for i in range(ng):
                if rs[i] <= 0:
                    continue
                td = float(d[1][i] + d[2][i])
                skm[i] = skmm[i] * (rs[i] - td) / rs[i]
                f1[i] = f1m[i] + (skmm[i] * d[1][i]) / rs[i]
                # tr = sum of h_r, tq = sum of R_r (Gray 1988's notation)
                tr = tr + rs[i] / skmm[i]
                tq = tq + rs[i] * (1 - f1m[i]) / skmm[i]
            f = fm + _div(nd1, tr)
            fb = C.power(1 - fm, rho)
            den = tr * (1 - fm)
            for i in range(ng):
                for j in range(i, ng):
                    a[i][j] = 0.0
                if rs[i] <= 0:
                    continue
                t1 = rs[i] / skmm[i]
                a[i][i] = fb * t1 * (1 - t1 / tr)
                c[i][i] = c[i][i] + _div(a[i][i] * nd1, den)
                for j in range(i + 1, ng):
                    if rs[j] <= 0:
                        continue
                    a[i][j] = -(fb * t1 * rs[j] / (skmm[j] * tr))
                    c[i][j] = c[i][j] + _div(a[i][j] * nd1, den)
            for i in range(1, ng):
                for j in range(i):
                    a[i][j] = a[j][i]
                    c[i][j] = c[j][i]
            for i in range(ng1):
                if rs[i] <= 0:
                    continue
                s[i] = s[i] + fb * (d[1][i] - _div(float(nd1 * rs[i]) * (1 - f1m[i]), skmm[i] * tq))
            if nd1 > 0:
                for k in range(ng):
                    if rs[k] <= 0:
                        continue
                    t4 = 1.0
                    if skm[k] > 0:
                        t4 = 1 - (1 - f) / skm[k]
                    t5 = 1.0
                    if nd1 > 1:
                        t5 = 1 - _div(float(nd1 - 1), tr * skmm[k] - 1)
                    t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                    v3[k] = v3[k] + t4 * t4 * t3
                    for i in range(ng1):
                        t1 = a[i][k] - t4 * c[i][k]
                        v2[i][k] = v2[i][k] + t1 * t4 * t3
                        for j in range(i + 1):
                            t2 = a[j][k] - t4 * c[j][k]
                            l = i * (i + 1) // 2 + j
                            v[l] = v[l] + t1 * t2 * t3
            if nd2 > 0:
                for k in range(ng):
                    if skm[k] <= 0 or d[2][k] <= 0:
                        continue
                    t4 = (1 - f) / skm[k]
                    t5 = 1.0
                    if d[2][k] > 1:
                        t5 = 1 - (d[2][k] - 1.0) / (rs[k] - 1.0)
                    t6 = float(rs[k])
                    t3 = t5 * ((skmm[k] * skmm[k]) * d[2][k]) / (t6 * t6)
                    v3[k] = v3[k] + t4 * t4 * t3
                    for i in range(ng1):
                        t1 = t4 * c[i][k]
                        v2[i][k] = v2[i][k] - t1 * t4 * t3
                        for j in range(i + 1):
                            t2 = t4 * c[j][k]
                            l = i * (i + 1) // 2 + j
                            v[l] = v[l] + t1 * t2 * t3
        if ends[bi] >= n:
            break
        for j in range(ng):
            rs[j] -= leave_l[bi][j]
        fm = f
        f1m = f1[:]
        skmm = skm[:]
    for i in range(ng1):
        for j in range(i + 1):
            l = i * (i + 1) // 2 + j
            for k in range(ng):
                v[l] = v[l] + c[i][k] * c[j][k] * v3[k]
                v[l] = v[l] + c[i][k] * v2[j][k]
                v[l] = v[l] + c[j][k] * v2[i][k]
    return s, v


def _crstm(y, m, ig, ist, nst: int, ng: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """crstm.f ``crstm``: crst in each stratum 1..nst, scores and variances summed.

    An empty stratum makes crst read the first row left in its scratch arrays
    (those of the last stratum processed, initially the data's first row): a
    failure from another cause there gives a NaN variance (0/0 pooled
    incidence times 1/0), anything else adds nothing."""
    ng1 = ng - 1
    s = [0.0] * ng1
    v = [0.0] * (ng * ng1 // 2)
    stale_m = int(m[0])
    for ks in range(nst):
        sel = ist == ks
        if not sel.any():
            if stale_m == 2:
                v = [math.nan] * len(v)
            continue
        st, vt = _crst(y[sel], m[sel], ig[sel], ng, rho)
        stale_m = int(m[sel][0])
        s = [a + b for a, b in zip(s, st)]
        v = [a + b for a, b in zip(v, vt)]
    vs = np.zeros((ng1, ng1))
    for i in range(ng1):
        for j in range(i + 1):
            vs[i, j] = vs[j, i] = v[i * (i + 1) // 2 + j]
    return np.array(s), vs


def _gray_stat(s: np.ndarray, vs: np.ndarray) -> float:
    """``stat <- -1; a <- qr(v); if (a$rank == ncol(a$qr)) stat <- s %*% qr.coef(a, diag) %*% s``."""
    if not np.isfinite(vs).all():
        raise ComputationError("R: Error in qr.default(z2[[10]]): NA/NaN/Inf in foreign function call (arg 1): "
                               "Gray's variance is not finite (an empty stratum level, see cuminc's docs)",
                               kind="solve.singular")
    p = vs.shape[0]
    inv = np.empty((p, p))
    for j in range(p):
        e = np.zeros(p)
        e[j] = 1.0
        fit = dqrls(vs, e, 1e-7)
        if fit.rank < p:
            return -1.0
        inv[:, j] = fit.coefficients
    # (s %*% M) %*% s with reference BLAS: sequential sums in index order
    sl = s.tolist()
    row = []
    for j in range(p):
        acc = 0.0
        for i in range(p):
            acc = acc + inv[i, j] * sl[i]
        row.append(acc)
    stat = 0.0
    for j in range(p):
        stat = stat + row[j] * sl[j]
    return stat


# -- cuminc ----------------------------------------------------------------------------------


def cuminc(ftime, fstatus, group=None, strata=None, rho: float = 0.0, cencode: Any = 0, subset=None,
           na_action: str = "omit") -> CumInc:
    """``cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode, subset, na.action)``.

    Parameters
    ----------
    ftime : array-like of numbers
        Failure or censoring times (NaN: missing; negative allowed as in R).
    fstatus : array-like or pandas Categorical
        Status codes: ``cencode`` for censored, any other value a cause.
        Numbers, logicals, strings or a Categorical (causes in level order).
    group, strata : array-like, optional
        Group and stratum labels (factors: see the module docstring for the order).
    rho : float
        Power of the weight ``(1 - F(t-))^rho`` in Gray's test (its first
        element if a sequence, as R).
    cencode : value
        The censoring code.
    subset : array-like of bool or of 0-based row numbers, optional
        Rows used (``d[subset, ]``).
    na_action : "omit" or "fail"
        ``na.omit`` (default, drops rows with a missing value) or ``na.fail``.
    """
    time = _as_time(ftime)
    n0 = time.size
    svals, smiss, slevels, skind = _status(fstatus)
    gcodes, glevels = _labels(group, "group", n0)
    scodes, slv = _labels(strata, "strata", n0)
    lens = {"ftime": n0, "fstatus": svals.size, "group": gcodes.size, "strata": scodes.size}
    if len(set(lens.values())) > 1:
        shown = ", ".join(f"len({k})={v}" for k, v in lens.items())
        raise InvalidArgument(f"arguments must have equal lengths (R: arguments imply differing number of rows); "
                              f"got {shown}", kind="lengths")
    rows = np.arange(n0)
    if subset is not None:
        sub = np.asarray(subset)
        if sub.dtype.kind == "b":
            if sub.size != n0:
                raise InvalidArgument(f"`subset` must be a mask of length {n0}; got length {sub.size}",
                                      kind="subset.value")
            rows = rows[sub]
        elif sub.dtype.kind in "iu":
            if sub.size and (sub.min() < 0 or sub.max() >= n0):
                raise InvalidArgument("`subset` row numbers must be in 0..n-1", kind="subset.value")
            rows = rows[sub]
        else:
            raise InvalidArgument("`subset` must be a logical mask or row numbers", kind="subset.value")
    tmp = rows.size
    miss = np.isnan(time[rows]) | smiss[rows] | (gcodes[rows] < 0) | (scodes[rows] < 0)
    if na_action not in ("omit", "fail"):
        raise InvalidArgument(f"`na_action` must be 'omit' or 'fail'; got na_action={show(na_action)}",
                              kind="argument.value")
    if miss.any() and na_action == "fail":
        raise InvalidArgument("R: missing values in object (na.fail)", kind="argument.missing")
    rows = rows[~miss]
    messages: tuple[str, ...] = ()
    if rows.size != tmp:
        messages = (f"{tmp - rows.size} cases omitted due to missing values",)
    no = rows.size
    if no == 0:
        raise InvalidArgument("no observations left (R's cuminc crashes on empty data)", kind="data.empty")
    t = time[rows]
    if not np.isfinite(t).all():
        raise InvalidArgument("`ftime` must be finite (R: NA/NaN/Inf in foreign function call (arg 1))",
                              kind="time.nonfinite")
    order = np.argsort(t, kind="stable")  # d[order(d$time), ]
    rows = rows[order]
    t = t[order]
    cause = svals[rows]
    g_used = gcodes[rows]
    ist = scodes[rows]
    nst = len(slv)
    # d$group <- factor(d$group, names(ugg)[ugg > 0]): empty groups dropped
    present = np.flatnonzero(np.bincount(g_used, minlength=len(glevels)) > 0)
    remap = np.full(len(glevels), -1, dtype=np.intp)
    remap[present] = np.arange(present.size)
    ig = remap[g_used]
    ugg = [glevels[i] for i in present]
    ng = len(ugg)
    cens = _censored(cause, skind, cencode)
    censind = (~cens).astype(np.int64)
    # the causes: a factor's levels with failures, else sort(unique(...))
    if skind == "factor":
        present_c = set(cause[~cens].tolist())
        uclab_vals = [lv for lv in slevels if lv in present_c]
    elif skind == "str":
        uclab_vals = sorted(set(cause[~cens].tolist()))
    else:
        uclab_vals = sorted(set(cause[~cens].tolist()))
    if not uclab_vals:
        raise InvalidArgument("every observation is censored (R: NAs in foreign function call (arg 3))",
                              kind="event.values")
    if skind == "bool":
        uclab = ["TRUE" if v else "FALSE" for v in uclab_vals]
    elif skind == "num":
        uclab = [r_label(float(v)) for v in uclab_vals]
    else:
        uclab = list(uclab_vals)
    if ng > 1:
        rho_v = _rho(rho)
    curves: list[CumIncCurve] = []
    stats: list[float] = []
    for lab_v, lab in zip(uclab_vals, uclab):
        causeind = (cause == lab_v).astype(np.int64) if skind in ("num", "bool") else \
            np.array([v == lab_v for v in cause.tolist()], dtype=np.int64)
        for jj, gl in enumerate(ugg):
            sel = ig == jj
            x, f, v = _cinc(t[sel], censind[sel], causeind[sel])
            curves.append(CumIncCurve(group=gl, cause=lab, time=x, est=f, var=v))
        if ng > 1:
            m = 2 * censind - causeind  # 0 censored, 1 the cause, 2 another cause
            s, vs = _crstm(t, m, ig, ist, nst, ng, rho_v)
            stats.append(_gray_stat(s, vs))
    tests = None
    if ng > 1:
        stat = np.array(stats)
        df = float(ng - 1)
        with np.errstate(invalid="ignore"):
            lower = np.where(stat <= 0, 0.0, special.chdtr(df, np.maximum(stat, 0.0)))
        lower = np.where(np.isnan(stat), np.nan, lower)
        tests = GrayTests(causes=tuple(uclab), stat=stat, pv=1 - lower, df=np.full(stat.size, df))
    return CumInc(curves=tuple(curves), tests=tests, n_omitted=tmp - no, messages=messages)


def _rho(rho: Any) -> float:
    """``as.double(rho)`` as crstm reads it: the first element; non-finite refused as .Fortran does."""
    if isinstance(rho, (list, tuple, np.ndarray, pd.Series)):
        vals = list(np.ravel(np.asarray(rho, dtype=object)))
        if not vals:
            raise InvalidArgument("`rho` must be a number; got an empty sequence", kind="rho.value")
        rho = vals[0]
    if isinstance(rho, (bool, np.bool_)) or not isinstance(rho, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"`rho` must be a number; got rho={show(rho)}", kind="rho.value")
    if not math.isfinite(float(rho)):
        raise InvalidArgument(f"`rho` must be finite (R: NA/NaN/Inf in foreign function call (arg 6)); "
                              f"got rho={show(rho)}", kind="rho.value")
    return float(rho)
