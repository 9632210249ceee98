"""Ctrl-C that always stops a run.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread is,
and an exception raised inside a finaliser (an rpy2 object released by the
garbage collector, say) is printed and dropped: a campaign then runs on. While
:func:`interruptible` is active, SIGINT also sets a flag, and the loops of a
run call :func:`checkpoint` between units of work, which raises
``KeyboardInterrupt`` once the flag is set, wherever the first one went.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

__all__ = ["interruptible", "checkpoint", "interrupted"]

_flag = threading.Event()


def _handler(signum, frame):  # noqa: ARG001 - signal handler signature
    _flag.set()
    raise KeyboardInterrupt


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Install the SIGINT handler for the block (main thread only; elsewhere a
    no-op). The flag starts clear."""
    _flag.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupted() -> bool:
    return _flag.is_set()


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed since the run began."""
    if _flag.is_set():
        raise KeyboardInterrupt
