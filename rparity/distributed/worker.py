"""One R per worker process, on one thread: the worker plugin and the R thread.

R's C API is not reentrant and rpy2 embeds one R per process, so each Dask
worker process owns one R, started once by :class:`RWorkerPlugin` when the
worker starts (and again by the nanny's replacement if the process dies), and
reused by every task the worker runs.

Every task body runs on a single dedicated thread of the process, the *R
thread* (:func:`on_r_thread`), which is also the thread R was started on. So R
is never called from two threads, and never from a thread other than the one
that initialised it, whatever threads Dask itself uses; workers are started
with one task thread, so tasks also never queue behind each other for R.
"""
from __future__ import annotations

import asyncio
import os
import signal
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

__all__ = ["RWorkerPlugin", "on_r_thread", "start_r", "r_status", "PLUGIN_NAME"]

PLUGIN_NAME = "rparity-r"
#: seconds a worker waits for its R to start (survival and MatchIt load in ~2 s)
R_START_TIMEOUT = 180.0
_THREAD_PREFIX = "rparity-R"

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_state: dict[str, Any] = {"started": False, "available": False, "versions": {}, "error": None, "thread": None}


def _r_thread() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_THREAD_PREFIX)
        return _executor


def _on_r_thread_now() -> bool:
    return threading.current_thread().name.startswith(_THREAD_PREFIX)


def on_r_thread(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(*args, **kwargs)`` on this process's R thread and return its result
    (exceptions propagate)."""
    if _on_r_thread_now():
        return fn(*args, **kwargs)
    return _r_thread().submit(fn, *args, **kwargs).result()


def start_r() -> dict:
    """Start this process's R on the R thread (once); return :func:`r_status`."""
    return on_r_thread(_start_r)


def _start_r() -> dict:
    if not _state["started"]:
        _state["started"] = True
        _state["thread"] = threading.get_ident()
        try:
            import rbridge

            with warnings.catch_warnings():
                # rpy2 notes that R started off the main thread cannot be
                # interrupted with Ctrl-C: a worker is stopped by its nanny
                warnings.filterwarnings("ignore", message="R is not initialized by the main thread")
                s = rbridge.session()
            _state.update(available=True, versions=dict(s.versions), error=None)
        except Exception as exc:  # noqa: BLE001 - RUnavailable, or R failing to start
            _state.update(available=False, versions={}, error=f"{type(exc).__name__}: {exc}")
    return r_status()


def r_status() -> dict:
    """Whether this process's R was started, is usable, its versions, and the pid
    (safe to call from any thread: it never touches R)."""
    return {"started": _state["started"], "available": _state["available"], "versions": dict(_state["versions"]),
            "error": _state["error"], "pid": os.getpid()}


def require_r() -> dict:
    """Start R if needed (on the R thread) and raise :class:`RUnavailable` if it
    cannot be used: a task comparing with R must fail, not report R's absence
    as a divergence."""
    from rparity_contract.errors import RUnavailable

    st = start_r()
    if not st["available"]:
        raise RUnavailable(f"R cannot be used on this worker (pid {st['pid']}): {st['error']}")
    return st


try:
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - dask is an optional extra
    _WorkerPlugin = object


class RWorkerPlugin(_WorkerPlugin):
    """Start the worker's R on its R thread when the worker starts.

    ``start_r=False`` (a campaign without R) only creates the R thread. A worker
    on which R cannot start stays up: tasks that need R fail there with the
    reason, and Dask retries them on other workers.
    """

    name = PLUGIN_NAME

    def __init__(self, start_r: bool = True) -> None:
        self.start_r = bool(start_r)

    async def setup(self, worker: Any) -> None:
        fut = _r_thread().submit(_start_r if self.start_r else r_status)
        try:  # the event loop keeps serving while R starts
            await asyncio.wait_for(asyncio.wrap_future(fut), R_START_TIMEOUT)
        except asyncio.TimeoutError:
            # seen once under heavy load: R's namespace loading spinning on the R
            # thread for minutes. A thread cannot be stopped; the process can, and
            # its nanny starts a fresh one (whose R starts afresh)
            _state.update(available=False, error=f"R did not start within {R_START_TIMEOUT:.0f} s")
            os.kill(os.getpid(), signal.SIGKILL)
