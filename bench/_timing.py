"""Shared timing helpers for the benchmarks."""
from __future__ import annotations

import time
from typing import Any, Callable


def best_of(fn: Callable[[], Any], reps: int = 3, clock: Callable[[], float] = time.perf_counter) -> float:
    """Best time (seconds) of ``reps`` calls: the least disturbed run. ``clock``
    is wall time by default; ``time.process_time`` gives this process's CPU
    time, steadier on a shared machine."""
    best = float("inf")
    for _ in range(reps):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def fmt(t: float | None) -> str:
    return "-" if t is None else f"{t:.4f}"


def r_session():
    """The R session, or None (saying why) when R cannot be used: the R
    columns of a benchmark are then left empty."""
    try:
        import rbridge

        return rbridge.session()
    except Exception as exc:  # noqa: BLE001 - any failure to start R
        print(f"R unavailable ({str(exc).splitlines()[0]}); R columns left empty")
        return None
