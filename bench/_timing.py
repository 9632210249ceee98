"""Shared timing helpers for the benchmarks."""
from __future__ import annotations

import time
from typing import Any, Callable


def best_of(fn: Callable[[], Any], reps: int = 3) -> float:
    """Best wall time (seconds) of ``reps`` calls: the least disturbed run."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def fmt(t: float | None) -> str:
    return "-" if t is None else f"{t:.4f}"
