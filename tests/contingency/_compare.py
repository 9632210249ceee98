"""Compare two engines' values with the project's tolerance table."""
from __future__ import annotations

import numpy as np

from rparity.tolerance import lookup


def rel_diff(a, b) -> float:
    """Largest relative difference (absolute where both are within 1e-300 of
    0); NaN meets NaN, infinities must be equal, else inf."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    b = np.atleast_1d(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        return np.inf
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if same.all():
        return 0.0
    a, b = a[~same], b[~same]
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return np.inf
    scale = np.maximum(np.abs(a), np.abs(b))
    d = np.abs(a - b)
    return float(np.max(np.where(scale < 1e-300, d, d / np.where(scale < 1e-300, 1.0, scale))))


def assert_parity(function: str, quantity: str, a, b) -> float:
    """Assert a and b agree within the tolerance of ``function.quantity``;
    returns the relative difference."""
    tol = lookup(function, quantity)
    if tol.kind == "warnings":
        norm = lambda ws: sorted(" ".join(str(w).split()) for w in ws)  # noqa: E731
        assert norm(a) == norm(b), f"{function}.{quantity}: {a!r} != {b!r}"
        return 0.0
    if tol.kind == "exact":
        d = rel_diff(a, b)
        assert d == 0.0, f"{function}.{quantity}: {a!r} != {b!r}"
        return d
    if tol.kind == "pvalue":
        pa, pb = np.asarray(a, float), np.asarray(b, float)
        if np.all(np.abs(pa) < 1e-300) and np.all(np.abs(pb) < 1e-300):
            return 0.0
    d = rel_diff(a, b)
    assert d <= tol.rtol, f"{function}.{quantity}: {a!r} vs {b!r}, relative difference {d:.3g} > {tol.rtol:g}"
    return d
