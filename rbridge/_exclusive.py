"""One thread in R at a time, garbage collection included.

R's C API is not thread-safe, and rpy2 (cffi) releases the GIL for every call
into R. Calls made by the bridge are serialised by :data:`lock`, but one kind of
R call escapes any lock a caller takes: when Python's cyclic garbage collector
runs in *another* thread (a Dask client's event loop, a worker's heartbeat,
any thread that allocates), it finalises unreachable rpy2 objects there, and
each finaliser calls ``R_ReleaseObject``, which edits R's list of preserved
objects while the R thread may be evaluating and collecting. The process then
crashes (a segmentation fault) or R hangs, at random (seen in CI).

:func:`install_release_guard` makes rpy2's release wait for R to be idle
without ever blocking the thread that drops the object: the release is done at
once only on the thread that started R, when no other thread is in R (or
when it is itself the one in R); from any other thread it is queued and done
by the next thread that leaves R (:func:`exclusive_r`), before it lets go of
the lock. So no thread that does not otherwise call R (a pool's worker, a Dask
thread running the collector) ever enters R's C API, even while R looks idle
(a test or a user calling rpy2 directly, outside the lock, is then not
disturbed either).
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["lock", "exclusive_r", "install_release_guard"]

#: Held by whichever thread is in R (re-entrant: the bridge nests its calls).
lock = threading.RLock()
_deferred: list[Any] = []  # cdata of rpy2 objects dropped while another thread was in R
_release: Callable[[Any], None] | None = None  # rpy2's own release, once guarded
_r_thread: int | None = None  # the thread that started R


_depth = 0  # nesting of exclusive_r() on the thread that holds the lock
_gc_was_enabled = False


@contextlib.contextmanager
def exclusive_r() -> Iterator[None]:
    """Hold R for the block; releases queued meanwhile are done on the way out.
    Python's cyclic collector is paused for the outermost block (restored
    after), so that no collection, in any thread or in a callback of R's,
    finalises rpy2 objects while R evaluates."""
    global _depth, _gc_was_enabled
    with lock:
        _depth += 1
        if _depth == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0 and _gc_was_enabled:
                gc.enable()
            _drain()


def _drain() -> None:
    # called with the lock held; list.pop is atomic under the GIL, so a thread
    # queueing meanwhile loses nothing
    while _deferred and _release is not None:
        _release(_deferred.pop())


def _guarded_release(cdata: Any) -> None:
    if threading.get_ident() != _r_thread:  # never R's API from another thread: done on the next exit from R
        _deferred.append(cdata)
        return
    if lock.acquire(blocking=False):  # R idle, or this thread is the one in R
        try:
            _drain()
            if _release is not None:
                _release(cdata)
        finally:
            lock.release()
    else:
        _deferred.append(cdata)


def install_release_guard(capi: Any) -> None:
    """Route rpy2's finalisers through the guard. ``capi`` is
    ``rpy2.rinterface_lib._rinterface_capi``, whose ``SexpCapsule.__del__``
    looks its module-level ``_release`` up at each call (rpy2 3.5). Called on
    the thread that starts R."""
    global _release, _r_thread
    if _release is not None:
        return
    original = capi._release
    if not callable(original):
        raise RuntimeError("rpy2 has no _release to guard: the bridge supports rpy2 >=3.5.17,<3.6")
    _release = original
    _r_thread = threading.get_ident()
    capi._release = _guarded_release
