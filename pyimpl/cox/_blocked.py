"""Products of tall-skinny matrices (n x p, n large) in row blocks.

Each block's BLAS call is small enough to run on one thread and in cache: a
multithreaded BLAS call on a tall-skinny product costs more in thread start-up
and spinning (which goes on after the call returns) than it saves.
"""
from __future__ import annotations

import numpy as np

__all__ = ["BLOCK", "xtwy", "vecmat", "matvec", "crossprod_about"]

BLOCK = 4096
"""Rows per block."""


def xtwy(a: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a' diag(w) b`` for tall a, b (n x p)."""
    out = np.zeros((a.shape[1], b.shape[1]))
    for i in range(0, a.shape[0], BLOCK):
        out += (a[i:i + BLOCK].T * w[i:i + BLOCK]) @ b[i:i + BLOCK]
    return out


def vecmat(v: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``v @ a`` for tall a (n x p)."""
    out = np.zeros(a.shape[1])
    for i in range(0, a.shape[0], BLOCK):
        out += v[i:i + BLOCK] @ a[i:i + BLOCK]
    return out


def matvec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for tall a (n x p) and a p-vector b."""
    out = np.empty(a.shape[0])
    for i in range(0, a.shape[0], BLOCK):
        np.dot(a[i:i + BLOCK], b, out=out[i:i + BLOCK])
    return out


def crossprod_about(y: np.ndarray, w: np.ndarray, m: np.ndarray | None = None) -> np.ndarray:
    """``sum_i w_i (y_i - m)(y_i - m)'`` (m None: 0). Non-negative weights go
    through ``(sqrt(w) Y)' (sqrt(w) Y)``; signed ones (cox.zph's time weights)
    through ``(Y' diag(w)) Y``."""
    out = np.zeros((y.shape[1], y.shape[1]))
    signed = not np.all(w >= 0)
    sw = None if signed else np.sqrt(w)
    for a in range(0, y.shape[0], BLOCK):
        Y = y[a:a + BLOCK] if m is None else y[a:a + BLOCK] - m
        if signed:
            out += (Y.T * w[a:a + BLOCK]) @ Y
        else:
            Y = Y * sw[a:a + BLOCK, None]
            out += Y.T @ Y
    return out
