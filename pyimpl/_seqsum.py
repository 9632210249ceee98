"""Sums over rows of per-row products, accumulated as a C loop does it:
``out[j] = 0; for r in rows: out[j] += a[r][j] * s[r]`` (each product
rounded, then added, in row order).

``np.einsum("ij,i->j", a, s)`` runs that loop: the output starts at 0 and
each row's products are added to it in turn, the inner loop over ``j``
(numpy's ``sum_of_products`` "muladd" kernel, a multiply then an add). It
is several times faster than forming the products and adding the rows
(:func:`pyimpl.matching._linpack._colsums`), because it makes no (rows x
columns) temporary. It is used only once :func:`_einsum_is_sequential` has
checked on this machine, on data where another order or a fused
multiply-add changes the last bits, that it gives the loop's answer bit for
bit, and only for arrays laid out by row with at least two columns (a
single column, or columns of consecutive rows, would let numpy's iterator
make the rows the inner loop, summed in another order); otherwise the
products are formed a block of rows at a time and added down the rows.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .matching._linpack import _colsums

__all__ = ["ordered_sums", "row_dot", "row_squares", "SEQUENTIAL_EINSUM", "SEQUENTIAL_EINSUM_SQUARES"]

_BLOCK = 4096


def ordered_sums(n: int, k: int, fill: Callable[[np.ndarray, int, int], None], *, block: int = _BLOCK,
                 total: np.ndarray | None = None) -> np.ndarray:
    """``out[j] = total[j]`` (or 0); ``out[j] += t[r, j]`` over the rows r of
    (n, k) per-row quantities in order, where ``fill(t, lo, hi)`` writes rows
    lo..hi-1 into ``t``: a block of rows at a time under the running total
    (the block's first row), added down the rows by ``np.add.reduce``, which
    adds the rows of a C-ordered array one after the other
    (:func:`pyimpl.matching._linpack._colsums`)."""
    out = np.zeros(k) if total is None else np.array(total, dtype=float)
    if n == 0 or k == 0:
        return out
    m = max(1, min(block, n))
    buf = np.empty((m + 1, k))
    for lo in range(0, n, m):
        hi = min(n, lo + m)
        blk = buf[:hi - lo + 1]
        blk[0] = out
        fill(blk[1:], lo, hi)
        out = np.atleast_1d(_colsums(blk))
    return out


def _blocked(a: np.ndarray, s: np.ndarray, total: np.ndarray | None) -> np.ndarray:
    """The loop by blocks: each block's products under the running total,
    added down the rows in order."""

    def fill(t: np.ndarray, lo: int, hi: int) -> None:
        np.multiply(a[lo:hi], s[lo:hi, None], out=t)

    return ordered_sums(a.shape[0], a.shape[1], fill, total=total)


def _by_row(a: np.ndarray) -> bool:
    return a.ndim == 2 and a.shape[1] >= 2 and a.strides[1] == a.itemsize \
        and a.strides[0] >= a.shape[1] * a.itemsize


def _einsum_is_sequential() -> bool:
    """Whether ``einsum("ij,i->j")`` equals the blocked loop here, on
    contiguous and column-sliced arrays of random values (where pairwise or
    unrolled sums and fused multiply-adds differ from the loop in the last
    bits of most columns)."""
    rng = np.random.default_rng(20261205)
    a = rng.standard_normal((6000, 7)) * np.exp(rng.uniform(-20, 20, (6000, 1)))
    s = rng.standard_normal(6000)
    try:
        for arr in (a, a[:, :3], a[:, 2:6]):
            got = np.einsum("ij,i->j", arr, s, optimize=False)
            if not np.array_equal(got.view(np.int64), _blocked(arr, s, None).view(np.int64)):
                return False
    except Exception:  # noqa: BLE001 - any failure: keep the blocked loop
        return False
    return True


#: numpy's einsum runs the C loop's sums here (checked at import)
SEQUENTIAL_EINSUM = _einsum_is_sequential()


def row_dot(a: np.ndarray, s: np.ndarray, total: np.ndarray | None = None) -> np.ndarray:
    """``out[j] = total[j] (or 0); out[j] += a[r, j] * s[r]`` for the rows r
    of ``a`` in order (``a * s`` and ``s * a`` are the same product)."""
    a = np.asarray(a, dtype=float)
    s = np.ascontiguousarray(s, dtype=float)  # (a strided vector would make einsum buffer)
    if SEQUENTIAL_EINSUM and _by_row(a) and a.shape[0] > 0:
        if total is None:
            return np.einsum("ij,i->j", a, s, optimize=False)
        # the running total as a first row times 1 (exact): the loop goes on from it
        return np.einsum("ij,i->j", np.vstack([np.asarray(total, dtype=float)[None, :], a]),
                         np.concatenate([[1.0], s]), optimize=False)
    return _blocked(a, s, total)


def _squares_blocked(g: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """``out[j] += (w[r] * g[r, j]) * g[r, j]`` (or ``g * g``) by blocks of
    rows: the products formed, then added down the rows in order."""

    def fill(t: np.ndarray, lo: int, hi: int) -> None:
        if w is None:
            np.multiply(g[lo:hi], g[lo:hi], out=t)
        else:
            np.multiply(w[lo:hi, None], g[lo:hi], out=t)
            t *= g[lo:hi]

    return ordered_sums(g.shape[0], g.shape[1], fill)


def _einsum_squares_are_sequential() -> bool:
    """Whether ``einsum("ij,ij->j", g, g)`` and ``einsum("i,ij,ij->j", w, g,
    g)`` are the loops of :func:`_squares_blocked` here (the three-operand
    product formed left to right, the rows added in order), on data where
    another order changes the bits."""
    rng = np.random.default_rng(20261206)
    g = rng.standard_normal((6000, 3)) * np.exp(rng.uniform(-20, 20, (6000, 1)))
    w = rng.uniform(0.1, 5, 6000) ** 2
    try:
        a = np.einsum("ij,ij->j", g, g, optimize=False)
        b = np.einsum("i,ij,ij->j", w, g, g, optimize=False)
    except Exception:  # noqa: BLE001 - any failure: keep the blocked loop
        return False
    return bool(np.array_equal(a, _squares_blocked(g, None)) and np.array_equal(b, _squares_blocked(g, w)))


#: numpy's einsum runs :func:`row_squares`'s loops here (checked at import)
SEQUENTIAL_EINSUM_SQUARES = _einsum_squares_are_sequential()


def row_squares(g: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """``out[j] = 0; out[j] += w[r] * g[r, j] * g[r, j]`` over the rows r in
    order (``g * g`` without ``w``), the C loop ``temp += w * u * u`` for
    each column at once."""
    g = np.asarray(g, dtype=float)
    if SEQUENTIAL_EINSUM_SQUARES and _by_row(g) and g.shape[0] > 0:
        if w is None:
            return np.einsum("ij,ij->j", g, g, optimize=False)
        return np.einsum("i,ij,ij->j", np.ascontiguousarray(w, dtype=float), g, g, optimize=False)
    return _squares_blocked(g, None if w is None else np.asarray(w, dtype=float))
