"""R's ``splines::ns`` and ``splines::bs`` in a model formula (R 4.2.2).

B-splines (``splineDesign``): for each x, the knot interval is found as R's
``set_cursor`` does (the first knot above x; x on the last legitimate knot
belongs to the interval before it), then the ``ord`` non-zero basis values
come from the Cox-de Boor recursion in the order R's ``basis_funcs`` runs
it, derivatives from the differenced coefficients of R's ``evaluate`` (one
unit coefficient at a time). Written here from that description, vectorised
over x.

``bs(x, df, knots, degree = 3, intercept = FALSE, Boundary.knots)``: the
basis without its first column (unless ``intercept``); x beyond given
boundary knots from the Taylor expansion at a pivot a quarter into the
outer knot interval, with R's warning. ``ns(x, df, knots, intercept,
Boundary.knots)``: the cubic basis projected off the second derivatives at
the two boundary knots (``qr(t(const))``, ``qr.qty``, first two columns
dropped), linear beyond the boundary knots. ``df`` places ``df - 1 -
intercept`` (ns) or ``df - degree - 1 + intercept`` (bs) interior knots at
R's type-7 quantiles of the x inside. Missing values stay missing rows. The
knots and boundary knots are kept (:class:`SplineBasis`): new rows are
evaluated with them (R's ``makepredictcall``).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from rparity_contract.errors import InvalidArgument, RParityWarning

from ..matching._linpack import _dqrdc2, seq_dot

__all__ = ["SplineBasis", "spline_design", "ns", "bs"]

BEYOND_WARNING = "some 'x' values beyond boundary knots may cause ill-conditioned bases"


def _cursor(knots: np.ndarray, x: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """set_cursor: the index of the first knot > x (or, with none above, the
    last knot equal to x; 0 below none), moved to the last legitimate knot
    (``boundary``) when x sits on it."""
    nk = knots.size
    above = np.searchsorted(knots, x, side="right")
    curs = np.where(above < nk, above, np.where(knots[-1] >= x, nk - 1, 0))
    last = nk - order
    boundary = (curs > last) & (x == knots[last])
    curs = np.where(boundary, last, curs)
    return curs.astype(np.intp), boundary


def _basis_values(knots: np.ndarray, x: np.ndarray, curs: np.ndarray, order: int) -> np.ndarray:
    """basis_funcs: the ``order`` non-zero B-spline values at each x (rows)."""
    m = order - 1
    rdel = [knots[curs + i] - x for i in range(m)]
    ldel = [x - knots[curs - (i + 1)] for i in range(m)]
    b = np.zeros((x.size, order))
    b[:, 0] = 1.0
    for j in range(1, m + 1):
        saved = np.zeros(x.size)
        for r in range(j):
            term = b[:, r] / (rdel[r] + ldel[j - 1 - r])
            b[:, r] = saved + rdel[r] * term
            saved = ldel[j - 1 - r] * term
        b[:, j] = saved
    return b


def _derivative(knots: np.ndarray, x: np.ndarray, curs: np.ndarray, boundary: np.ndarray, order: int,
                coef: int, nder: int) -> np.ndarray:
    """evaluate: the nder-th derivative at x of the spline whose local
    coefficients are the unit vector ``coef`` (of ``order``)."""
    a = np.zeros((x.size, order))
    a[:, coef] = 1.0
    outer = order - 1
    ti = curs  # knots + curs
    for _ in range(nder):
        for inner in range(outer):
            lpt = ti - outer + inner
            a[:, inner] = outer * (a[:, inner + 1] - a[:, inner]) / (knots[lpt + outer] - knots[lpt])
        outer -= 1
    rdel = [knots[curs + i] - x for i in range(outer)]
    ldel = [x - knots[curs - (i + 1)] for i in range(outer)]
    while outer > 0:
        outer -= 1
        for k in range(outer + 1):  # apt = a + k, lpt = ldel + outer - k, rpt = rdel + k
            lp, rp = ldel[outer - k], rdel[k]
            a[:, k] = (a[:, k + 1] * lp + a[:, k] * rp) / (rp + lp)
    out = a[:, 0].copy()
    if nder == order - 1:
        out[boundary] = 0.0  # R: "value is arbitrary"
    return out


def spline_design(knots, x, order: int = 4, derivs=(0,)) -> np.ndarray:
    """``splineDesign(knots, x, ord, derivs)`` for x inside
    ``[knots[ord], knots[nk - degree]]`` (the callers keep it so)."""
    knots = np.sort(np.asarray(knots, dtype=float))
    x = np.asarray(x, dtype=float)
    nk = knots.size
    ncoef = nk - order
    design = np.zeros((x.size, ncoef))
    if x.size == 0:
        return design
    curs, boundary = _cursor(knots, x, order)
    d = np.resize(np.asarray(derivs, dtype=int), x.size)
    vals = np.full((x.size, order), np.nan)
    ok = (curs >= order) & (curs <= nk - order)
    plain = ok & (d == 0)
    if plain.any():
        vals[plain] = _basis_values(knots, x[plain], curs[plain], order)
    for nd in np.unique(d[ok & (d > 0)]).tolist():
        rows = ok & (d == nd)
        for ii in range(order):
            vals[rows, ii] = _derivative(knots, x[rows], curs[rows], boundary[rows], order, ii, nd)
    offsets = curs - order
    for j in range(order):
        design[np.arange(x.size), offsets + j] = vals[:, j]
    return design


def _r_quantile7(x: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """R's ``quantile(x, probs)`` (type 7): ``index = 1 + (n - 1) p``, the
    sorted values at floor and ceiling, ``(1 - h) x[lo] + h x[hi]`` where
    they differ."""
    s = np.sort(x)
    n = s.size
    index = 1 + max(n - 1, 0) * probs
    lo = np.floor(index).astype(int)
    hi = np.ceil(index).astype(int)
    qs = s[lo - 1]
    xhi = s[hi - 1]
    interp = (index > lo) & (xhi != qs)
    h = index - lo
    return np.where(interp, (1 - h) * qs + h * xhi, qs)


def _interior(x: np.ndarray, nknots: int) -> np.ndarray:
    """``quantile(x, seq.int(0, 1, length.out = k + 2)[-c(1, k + 2)])``;
    seq.int's points are ``i * (1 / (k + 1))``."""
    if nknots <= 0:
        return np.zeros(0)
    by = 1.0 / (nknots + 1)
    probs = np.arange(1, nknots + 1, dtype=float) * by
    return _r_quantile7(x, probs)


@dataclass(frozen=True)
class SplineBasis:
    """What ``ns()``/``bs()`` keep to evaluate new rows as the fit's."""

    kind: str  # "ns" or "bs"
    knots: tuple[float, ...]
    boundary: tuple[float, float]
    intercept: bool
    degree: int = 3

    def __call__(self, x: np.ndarray, where: str) -> np.ndarray:
        """The columns for new rows: the fit's knots, its boundary knots given."""
        fn = ns if self.kind == "ns" else bs
        z, _ = fn(x, where, knots=list(self.knots), boundary=self.boundary, intercept=self.intercept,
                  degree=self.degree, boundary_given=True)
        return z


def _qr_qty_drop2(const_t: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """``t(qr.qty(qr(t(const)), t(basis)))[, -(1:2)]``: dqrdc2 (tol 1e-7) of
    t(const), each basis row multiplied by Q' (dqrsl), first two dropped."""
    a = np.array(const_t, dtype=float, order="F")
    k = a.shape[0]
    qraux, _pivot, rank = _dqrdc2(a, 1e-7)
    y = basis.T.copy()  # k x n: each column one row of the basis
    for j in range(min(rank, k - 1)):
        if qraux[j] == 0.0:
            continue
        temp = a[j, j]
        a[j, j] = qraux[j]
        col = a[j:, j]
        t = -seq_dot(col, y[j:, :]) / a[j, j]
        y[j:, :] += col[:, None] * t[None, :]
        a[j, j] = temp
    return y.T[:, 2:]


def _setup(x, where, df, knots, boundary, boundary_given, nknots_of_df):
    x = np.asarray(x, dtype=float)
    nax = np.isnan(x)
    xs = x[~nax]
    if boundary_given:
        bk = tuple(sorted(float(b) for b in boundary))  # type: ignore[union-attr]
        ol, orr = xs < bk[0], xs > bk[1]
    else:
        if xs.size == 0:
            raise InvalidArgument(f"`formula` term {where!r}: no non-missing values (R: range of nothing)",
                                  kind="formula.value")
        bk = (float(np.min(xs)), float(np.max(xs))) if xs.size != 1 else (float(xs[0]) * 7 / 8, float(xs[0]) * 9 / 8)
        ol = orr = np.zeros(xs.size, dtype=bool)
    outside = ol | orr
    if df is not None and knots is None:
        nik = nknots_of_df(df)
        kn = _interior(xs[~outside], int(nik)) if nik > 0 else np.zeros(0)
    else:
        kn = np.sort(np.asarray([] if knots is None else knots, dtype=float))
    return x, nax, xs, bk, ol, orr, outside, kn


def ns(x, where: str, *, df=None, knots=None, intercept: bool = False, boundary=None, degree: int = 3,
       boundary_given: bool = False) -> tuple[np.ndarray, SplineBasis]:
    """``splines::ns`` (see the module)."""
    def nik(d):
        n_i = d - 1 - int(intercept)
        if n_i < 0:
            warnings.warn(RParityWarning(f"'df' was too small; have used {1 + int(intercept)}"), stacklevel=4)
            return 0
        return n_i

    x, nax, xs, bk, ol, orr, outside, kn = _setup(x, where, df, knots, boundary, boundary_given, nik)
    aknots = np.sort(np.concatenate((np.repeat(bk, 4), kn)))
    ncol = kn.size + 4
    basis = np.zeros((xs.size, ncol))
    inside = ~outside
    if inside.any():
        basis[inside] = spline_design(aknots, xs[inside], 4)
    for side, pivot in ((ol, bk[0]), (orr, bk[1])):
        if side.any():
            tt = spline_design(aknots, [pivot, pivot], 4, (0, 1))
            xl = np.column_stack([np.ones(int(side.sum())), xs[side] - pivot])
            basis[side] = xl @ tt
    const = spline_design(aknots, list(bk), 4, (2, 2))
    if not intercept:
        const = const[:, 1:]
        basis = basis[:, 1:]
    out = _qr_qty_drop2(const.T, basis)
    full = np.full((x.size, out.shape[1]), np.nan)
    full[~nax] = out
    return full, SplineBasis("ns", tuple(kn.tolist()), bk, bool(intercept), 3)


def bs(x, where: str, *, df=None, knots=None, intercept: bool = False, boundary=None, degree: int = 3,
       boundary_given: bool = False) -> tuple[np.ndarray, SplineBasis]:
    """``splines::bs`` (see the module)."""
    degree = int(degree)
    order = degree + 1
    if order <= 1:
        raise InvalidArgument(f"`formula` term {where!r}: 'degree' must be integer >= 1 (R's bs)",
                              kind="formula.value")

    def nik(d):
        n_i = d - order + (1 - int(intercept))
        if n_i < 0:
            warnings.warn(RParityWarning(f"'df' was too small; have used {order - (1 - int(intercept))}"),
                          stacklevel=4)
            return 0
        return n_i

    x, nax, xs, bk, ol, orr, outside, kn = _setup(x, where, df, knots, boundary, boundary_given, nik)
    aknots = np.sort(np.concatenate((np.repeat(bk, order), kn)))
    ncoef = aknots.size - order
    basis = np.zeros((xs.size, ncoef))
    if outside.any():
        warnings.warn(RParityWarning(BEYOND_WARNING), stacklevel=3)
        scalef = np.array([math.gamma(k) for k in range(1, order + 1)])
        e = 0.25
        for side, pivot in ((ol, (1 - e) * bk[0] + e * aknots[order]),
                            (orr, (1 - e) * bk[1] + e * aknots[aknots.size - order - 1])):
            if side.any():
                tt = spline_design(aknots, [pivot] * order, order, tuple(range(degree + 1)))
                d = xs[side] - pivot
                xl = np.column_stack([np.ones(d.size)] + [d ** k if k != 2 else d * d for k in range(1, degree + 1)])
                basis[side] = xl @ (tt / scalef[:, None])
    inside = ~outside
    if inside.any():
        basis[inside] = spline_design(aknots, xs[inside], order)
    if not intercept:
        basis = basis[:, 1:]
    full = np.full((x.size, basis.shape[1]), np.nan)
    full[~nax] = basis
    return full, SplineBasis("bs", tuple(kn.tolist()), bk, bool(intercept), degree)
