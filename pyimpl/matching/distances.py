"""The covariate distances MatchIt 4.5.1 computes itself (``mahvars``, and
``distance = "mahalanobis"``, ``"scaled_euclidean"``, ``"euclidean"``): the
covariates are transformed so that the Euclidean distance between two rows is
the wanted distance (MatchIt 4.5.1 ``R/dist_functions.R``:
``transform_covariates``, ``get.covs.matrix.for.dist``, ``pooled_cov``,
``pooled_sd``, ``mahalanobize``, ``generalized_inverse``).

Mahalanobis (``transform_covariates(method = "mahalanobis")``):

1. ``X``: the model matrix of the variables with every level of a factor
   (``contrasts(x, contrasts = FALSE)/sqrt(2)``: a level's column is 0 or
   1/sqrt(2)), a logical as its ``TRUE`` column; columns without variance
   (``max - min < sqrt(eps)``) dropped (all of them: Euclidean on the first);
2. ``X <- scale(X)`` over *all* units (``colMeans``, then the SD of the
   centred column as ``sqrt(sum(v^2)/(n - 1))``);
3. the *pooled within-group* covariance of the units not discarded:
   each group centred on its mean, ``cov(X) * (n - 1)/(n - 2)``;
4. ``solve(var)`` when ``det(var) > 1e-8`` (else, or when ``solve`` fails,
   R takes the SVD generalised inverse: refused here, see below);
5. ``X %*% t(chol(inv_var, pivot = TRUE)[, order(pivot)])``.

Steps 2, 3 and 5 and the LU solve and pivoted Cholesky of step 4 are replayed
operation by operation (R's long-double sums; reference LAPACK 3.11's
``dgetrf2``/``dgetrs`` and ``dpstf2``; reference BLAS's ``dgemm`` loop order),
so the transformed covariates are R's to the last bit. Step 4's fallback, the
generalised inverse (a singular covariance: a factor among the variables, whose
levels' columns are collinear, or collinear variables), needs R's ``dgesdd``
bit for bit, because its rounding decides between controls at distances equal
in exact arithmetic; it is not replayed and such calls are refused
(``NotImplementedError``). ``scaled_euclidean`` and ``euclidean`` take factors.

With ``s.weights`` (``transform_covariates(s.weights =)``, MatchIt 4.5.1):
``scale(X)`` is still unweighted; step 3 is ``pooled_cov(X, t, w)``: each
group centred on its weighted mean ``wm`` (``sum(x * w)/sum(w)``), then
``cov.wt(X, w)$cov`` (weights over their sum, the weighted column means
(``colSums``) taken off again, rows times ``sqrt(wt)``, ``crossprod``
(reference ``dsyrk``) over ``1 - sum(wt^2)``), with no ``(n - 1)/(n - k)``
factor; ``scaled_euclidean`` divides by ``pooled_sd(X, t, w)``: a 0/1 column's
``sum_g sxi (1 - sxi/ni)/sum(w)`` (``sxi``, ``ni``: the group's weighted sum
and total weight), another's ``sum(w_ x^2)/(1 - sum(w_^2))`` of the weighted
within-group deviations, ``w_ = w/sum(w)``. ``euclidean`` ignores the weights.
``cov.wt``'s refusals are R's: a group whose weights sum to zero or that holds
an infinite weight (its weighted mean is not finite), a negative weight.
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rmath import SQRT_EPS, r_sum
from ..design import Term, model_matrix
from ._rstats import weighted_mean

__all__ = ["MATCHIT_DISTANCES", "transform_covariates", "distance_matrix_terms"]

#: ``matchit_distances()`` of MatchIt 4.5.1.
MATCHIT_DISTANCES = ("mahalanobis", "robust_mahalanobis", "euclidean", "scaled_euclidean")

_DBL_EPS = np.finfo(float).eps
_INV_SQRT2 = 1.0 / np.sqrt(2.0)  # contrasts(x, contrasts = FALSE)/sqrt(2): 1/1.4142135623730951


def distance_matrix_terms(terms: list[Term], n: int) -> np.ndarray:
    """``get.covs.matrix.for.dist``: the model matrix without intercept, every
    factor level a column of 0 and 1/sqrt(2), a logical its 0/1 ``TRUE`` column."""
    design = model_matrix(terms, n, intercept=False, contrasts=False, drop_unused_levels=False,
                          arg="mahvars")
    x = np.array(design.x, dtype=float, order="F")
    for t, cols in zip(design.terms, design.assign):
        if t.kind == "factor":
            for j in cols:
                x[:, j] = x[:, j] * _INV_SQRT2
    return x


# -- R's sums and moments ---------------------------------------------------------------
def _ld_sum(v: np.ndarray) -> np.longdouble:
    return np.cumsum(np.asarray(v, dtype=np.longdouble))[-1] if v.size else np.longdouble(0.0)


def _r_mean(x: np.ndarray) -> float:
    """``mean(x)``: long-double sum / n, then one correcting pass (``summary.c``)."""
    xl = x.astype(np.longdouble)
    s = _ld_sum(xl) / x.size
    if np.isfinite(s):
        s = s + _ld_sum(xl - s) / x.size
    return float(s)


def _scale(x: np.ndarray) -> np.ndarray:
    """``scale(X)``: ``colMeans`` (long-double sum / n), ``sweep``, then each
    column divided by ``sqrt(sum(v^2)/max(1, n - 1))`` (``sum``: long double)."""
    n = x.shape[0]
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        c = float(_ld_sum(x[:, j]) / n)
        v = x[:, j] - c
        s = np.sqrt(float(r_sum(v * v)) / max(1, n - 1))
        out[:, j] = v / s
    return out


def _cov(x: np.ndarray) -> np.ndarray:
    """``cov(X)`` (``cov.c``, ``cov_complete1``): each mean two-pass in long
    double stored as double, the cross products summed in long double, / (n - 1)."""
    n, p = x.shape
    means = [np.longdouble(_r_mean(x[:, j])) for j in range(p)]
    dev = [x[:, j].astype(np.longdouble) - means[j] for j in range(p)]
    out = np.empty((p, p))
    for i in range(p):
        for j in range(i + 1):
            out[i, j] = out[j, i] = float(_ld_sum(dev[i] * dev[j]) / (n - 1))
    return out


def _pooled_cov(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``pooled_cov`` (no s.weights): each group centred on its ``mean``, then
    ``cov(X) * (n - 1)/(n - length(unique(t)))``."""
    xc = x.copy()
    groups = list(dict.fromkeys(t.tolist()))
    for g in groups:
        rows = t == g
        for j in range(x.shape[1]):
            xc[rows, j] = x[rows, j] - _r_mean(x[rows, j])
    n = x.shape[0]
    return _cov(xc) * float(n - 1) / float(n - len(groups))


def _pooled_sd(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``pooled_sd(contribution = "proportional")`` without s.weights."""
    n = x.shape[0]
    groups = list(dict.fromkeys(t.tolist()))
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        col = x[:, j]
        if np.all((col == 0) | (col == 1)):
            v = []
            for g in groups:
                sxi = float(r_sum(col[t == g]))
                ni = int((t == g).sum())
                v.append(sxi * (1 - sxi / ni) / n)
            out[j] = np.sqrt(float(r_sum(np.array(v))))
        else:
            c = col.copy()
            for g in groups:
                rows = t == g
                c[rows] = c[rows] - float(r_sum(c[rows])) / int(rows.sum())  # wm(): sum(x)/length(x)
            out[j] = np.sqrt(float(r_sum(c * c)) / (n - len(groups)))
    return out


# -- with s.weights -----------------------------------------------------------------------------
def _crossprod(a: np.ndarray) -> np.ndarray:
    """``crossprod(a)`` of finite values (``symcrossprod``: reference ``dsyrk``
    "U", "T"): C[i, j] = sum over rows, in order, of a[l, i] a[l, j] in double;
    the upper triangle mirrored."""
    p = a.shape[1]
    out = np.zeros((p, p))
    for j in range(p):
        for i in range(j + 1):
            out[i, j] = out[j, i] = np.cumsum(a[:, i] * a[:, j])[-1] if a.shape[0] else 0.0
    return out


def _cov_wt(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``cov.wt(x, wt = w)$cov`` (stats ``cov.wt``, method "unbiased"), with its
    refusals in its order."""
    if not np.isfinite(x).all():
        raise InvalidArgument("'x' must contain finite values only (stats cov.wt, in MatchIt's pooled_cov: a "
                              "treatment group whose s.weights sum to zero or hold an infinite value has no "
                              "weighted mean)", kind="s_weights.value")
    s = r_sum(w)
    if (w < 0).any() or s == 0:
        i = int(np.flatnonzero(w < 0)[0]) if (w < 0).any() else 0
        raise InvalidArgument(f"weights must be non-negative and not all zero (stats cov.wt; an s_weights value "
                              f"among the units kept: {w[i]!r})", kind="weights.negative")
    wt = w / float(s)
    center = np.array([float(r_sum(wt * x[:, j])) for j in range(x.shape[1])])  # colSums: long double
    xs = np.sqrt(wt)[:, None] * (x - center[None, :])
    return _crossprod(xs) / (1.0 - float(r_sum(wt * wt)))


def _pooled_cov_weighted(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``pooled_cov(X, t, w)``: each group (in order of appearance) centred on
    its weighted mean ``wm``, column by column, then ``cov.wt(X, w)$cov``."""
    xc = x.copy()
    for g in dict.fromkeys(t.tolist()):
        rows = t == g
        for j in range(x.shape[1]):
            xc[rows, j] = x[rows, j] - weighted_mean(x[rows, j], w[rows])
    return _cov_wt(xc, w)


def _pooled_sd_weighted(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``pooled_sd(X, t, w, contribution = "proportional")``."""
    groups = list(dict.fromkeys(t.tolist()))
    sw = r_sum(w)
    out = np.empty(x.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(x.shape[1]):
            col = x[:, j]
            if np.all((col == 0) | (col == 1)):
                v = []
                for g in groups:
                    rows = t == g
                    sxi = r_sum(col[rows] * w[rows])
                    ni = r_sum(w[rows])
                    v.append(sxi * (1 - sxi / ni) / sw)
                var = r_sum(np.array(v))
            else:
                c = col.copy()
                for g in groups:
                    rows = t == g
                    c[rows] = c[rows] - weighted_mean(c[rows], w[rows])
                w_ = w / sw
                var = r_sum(w_ * (c * c)) / (1 - r_sum(w_ * w_))
            out[j] = np.sqrt(var)  # a negative pooled variance (negative weights): NaN, as R's sqrt
    return out


# -- reference LAPACK 3.11 / BLAS, replayed ------------------------------------------------
def _dgetrf2(a: np.ndarray, piv: np.ndarray, r0: int, c0: int, m: int, n: int) -> int:
    """Recursive LU with partial pivoting (``dgetrf2``) of ``a[r0:r0+m, c0:c0+n]``
    in place; ``piv`` (0-based, relative to r0) for its first min(m, n) rows.
    Returns LAPACK's ``info`` (0, or the first zero pivot, 1-based)."""
    if m == 1:
        piv[0] = 0
        return 1 if a[r0, c0] == 0.0 else 0
    if n == 1:
        col = a[r0:r0 + m, c0]
        i = int(np.argmax(np.abs(col)))  # idamax: the first largest |x|
        piv[0] = i
        if a[r0 + i, c0] == 0.0:
            return 1
        if i != 0:
            a[r0, c0], a[r0 + i, c0] = a[r0 + i, c0], a[r0, c0]
        if abs(a[r0, c0]) >= np.finfo(float).tiny:
            a[r0 + 1:r0 + m, c0] = (1.0 / a[r0, c0]) * a[r0 + 1:r0 + m, c0]  # dscal by the reciprocal
        else:
            a[r0 + 1:r0 + m, c0] = a[r0 + 1:r0 + m, c0] / a[r0, c0]
        return 0
    n1 = min(m, n) // 2
    n2 = n - n1
    info = _dgetrf2(a, piv, r0, c0, m, n1)
    _dlaswp(a, r0, c0 + n1, n2, piv[:n1])
    # dtrsm L, L, N, U: A12 <- inv(L11) A12
    for j in range(c0 + n1, c0 + n):
        for k in range(n1):
            bkj = a[r0 + k, j]
            if bkj != 0.0:
                a[r0 + k + 1:r0 + n1, j] = a[r0 + k + 1:r0 + n1, j] - bkj * a[r0 + k + 1:r0 + n1, c0 + k]
    # dgemm N, N, alpha = -1, beta = 1: A22 <- A22 - A21 A12 (j, then l, then i)
    for j in range(c0 + n1, c0 + n):
        for l_ in range(n1):
            temp = -a[r0 + l_, j]
            a[r0 + n1:r0 + m, j] = a[r0 + n1:r0 + m, j] + temp * a[r0 + n1:r0 + m, c0 + l_]
    sub = np.zeros(min(m - n1, n2), dtype=np.int64)
    info2 = _dgetrf2(a, sub, r0 + n1, c0 + n1, m - n1, n2)
    if info == 0 and info2 > 0:
        info = info2 + n1
    piv[n1:n1 + sub.size] = sub + n1
    _dlaswp(a, r0, c0, n1, piv[n1:min(m, n)], start=n1)
    return info


def _dlaswp(a: np.ndarray, r0: int, c0: int, ncol: int, piv: np.ndarray, start: int = 0) -> None:
    """Row interchanges ``k <-> piv[k]`` for k = start, start + 1, ... on ``ncol`` columns."""
    for k, p in enumerate(piv.tolist(), start=start):
        if p != k:
            rows = [r0 + k, r0 + p]
            a[rows[::-1], c0:c0 + ncol] = a[rows, c0:c0 + ncol]


def _lu_solve_identity(var: np.ndarray) -> tuple[np.ndarray | None, float]:
    """``solve(var)`` (``La_solve``: dgesv = dgetrf + dgetrs on the identity)
    and ``det(var)`` from the same LU. None where R's solve fails (exactly or
    computationally singular: reciprocal condition number below eps)."""
    p = var.shape[0]
    lu = np.array(var, dtype=float, order="F")
    piv = np.zeros(p, dtype=np.int64)
    info = _dgetrf2(lu, piv, 0, 0, p, p)
    diag = np.diag(lu)
    sign = (-1.0) ** int(np.sum(piv != np.arange(p)))
    det = float(sign * np.prod(diag)) if info == 0 else 0.0
    if info > 0:
        return None, det
    from scipy.linalg import lapack

    rcond, _ = lapack.dgecon(lu, float(np.abs(var).sum(axis=0).max()), norm="1")
    if rcond < _DBL_EPS:
        return None, det
    b = np.eye(p, order="F")
    _dlaswp(b, 0, 0, p, piv)
    for j in range(p):  # dtrsm L, L, N, U
        for k in range(p):
            if b[k, j] != 0.0:
                b[k + 1:, j] = b[k + 1:, j] - b[k, j] * lu[k + 1:, k]
    for j in range(p):  # dtrsm L, U, N, N
        for k in range(p - 1, -1, -1):
            if b[k, j] != 0.0:
                b[k, j] = b[k, j] / lu[k, k]
                b[:k, j] = b[:k, j] - b[k, j] * lu[:k, k]
    return b, det


def _generalized_inverse(var: np.ndarray) -> np.ndarray:
    """``generalized_inverse``: V diag(1/d) U' over the singular values above
    ``1e-8 * d[1]`` (numpy's SVD in place of R's dgesdd: not bit for bit)."""
    u, d, vt = np.linalg.svd(var)
    pos = d > max(1e-08 * d[0], 0)
    return vt[pos].T @ ((d[pos] ** -1)[:, None] * u[:, pos].T)


def _chol_pivot(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``chol(a, pivot = TRUE)`` (``La_chol`` -> ``dpstrf`` -> ``dpstf2``, upper,
    ``tol = -1``): the factor with its strict lower triangle and the block
    past the rank zeroed, and the 0-based pivot."""
    n = a.shape[0]
    A = np.array(a, dtype=float, order="F")
    piv = np.arange(n)
    work = np.zeros(2 * n)
    diag = np.array([A[i, i] for i in range(n)])
    pvt = int(np.argmax(diag))  # MAXLOC: the first largest
    ajj = A[pvt, pvt]
    rank = n
    if ajj <= 0 or np.isnan(ajj):
        rank = 0
    else:
        dstop = n * (_DBL_EPS / 2) * ajj  # DLAMCH('Epsilon') is eps/2
        for j in range(n):
            for i in range(j, n):
                if j > 0:
                    work[i] = work[i] + A[j - 1, i] * A[j - 1, i]
                work[n + i] = A[i, i] - work[i]
            if j > 0:
                pvt = j + int(np.argmax(work[n + j:2 * n]))
                ajj = work[n + pvt]
                if ajj <= dstop or np.isnan(ajj):
                    A[j, j] = ajj
                    rank = j
                    break
            if j != pvt:
                A[pvt, pvt] = A[j, j]
                A[:j, [j, pvt]] = A[:j, [pvt, j]]
                if pvt < n - 1:
                    A[[j, pvt], pvt + 1:] = A[[pvt, j], pvt + 1:]
                tmp = A[j, j + 1:pvt].copy()
                A[j, j + 1:pvt] = A[j + 1:pvt, pvt]
                A[j + 1:pvt, pvt] = tmp
                work[[j, pvt]] = work[[pvt, j]]
                piv[[j, pvt]] = piv[[pvt, j]]
            ajj = np.sqrt(ajj)
            A[j, j] = ajj
            if j < n - 1:
                # dgemv T, alpha = -1, beta = 1: row j -= A[:j, j]' A[:j, j+1:] (sequential dot products)
                for c in range(j + 1, n):
                    temp = 0.0
                    for i in range(j):
                        temp = temp + A[i, c] * A[i, j]
                    A[j, c] = A[j, c] + (-1.0) * temp
                A[j, j + 1:] = (1.0 / ajj) * A[j, j + 1:]  # dscal by the reciprocal
    for j in range(rank, n):
        A[rank:j + 1, j] = 0.0
    for j in range(n):
        A[j + 1:, j] = 0.0
    return A, piv


def _mahalanobize(x: np.ndarray, inv_var: np.ndarray) -> np.ndarray:
    """``tcrossprod(X, ch[, order(pivot)])``: reference dgemm (N, T), each
    output column a sequential sum over the inner index."""
    ch, piv = _chol_pivot(inv_var)
    b = ch[:, np.argsort(piv, kind="stable")]
    out = np.zeros((x.shape[0], b.shape[0]))
    for j in range(b.shape[0]):
        acc = np.zeros(x.shape[0])
        for l_ in range(b.shape[1]):
            acc = acc + b[j, l_] * x[:, l_]
        out[:, j] = acc
    return out


def transform_covariates(x: np.ndarray, method: str, treat: np.ndarray, discarded: np.ndarray,
                         s_weights: np.ndarray | None = None) -> np.ndarray:
    """MatchIt 4.5.1 ``transform_covariates(method =, s.weights =, treat =,
    discarded =)``: rows whose Euclidean distances are the ``method``'s.

    Contract: ``x`` (n, p) from :func:`distance_matrix_terms`, finite;
    ``treat`` (n,) 0/1 (the focal indicator MatchIt passes); ``discarded``
    (n,) bool; ``s_weights`` None or (n,) without NaN (any sign, possibly
    infinite: R's refusals are raised here). ``method`` is not
    "robust_mahalanobis" (MatchIt 4.5.1 fails on it: the caller refuses it).
    A ``scaled_euclidean`` column whose weighted pooled SD is not a number
    (weights summing to zero, infinite, or a negative pooled variance) is NaN,
    as in R (then no unit is matched).
    """
    x = np.asarray(x, dtype=float)
    keep_cols = [j for j in range(x.shape[1]) if not abs(x[:, j].max() - x[:, j].min()) < SQRT_EPS]
    if not keep_cols:
        return x[:, :1].copy()  # every column constant: Euclidean on the first
    x = x[:, keep_cols]
    kept = ~np.asarray(discarded, dtype=bool)
    if method == "euclidean":
        return x.copy()
    if method == "scaled_euclidean":
        t = np.asarray(treat)[kept]
        sds = _pooled_sd(x[kept], t) if s_weights is None else _pooled_sd_weighted(x[kept], t, s_weights[kept])
        return x / sds
    if method != "mahalanobis":
        raise ValueError(f"transform_covariates: method {method!r}")
    xs = _scale(x)
    t = np.asarray(treat)[kept]
    var = _pooled_cov(xs[kept], t) if s_weights is None else _pooled_cov_weighted(xs[kept], t, s_weights[kept])
    inv, det = _lu_solve_identity(var)
    if det <= 1e-08 or inv is None:
        # R takes generalized_inverse(var) (LAPACK dgesdd), which is not replayed: its rounding decides
        # R's choice between controls at equal distances in exact arithmetic (two ages either side of the
        # focal unit's), so the pairs would not be R's. _generalized_inverse is kept for the record.
        raise NotImplementedError(
            "the pooled covariance of the Mahalanobis variables is singular (det <= 1e-8: e.g. a factor, whose "
            "every level is a column, or collinear variables); MatchIt then uses an SVD generalised inverse "
            "(LAPACK dgesdd), which pyimpl does not replay bit for bit, so matches at ties would differ: refused")
    return _mahalanobize(xs, inv)
