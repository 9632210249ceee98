"""Ctrl-C that always stops a run.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread is,
and an exception raised inside a finaliser (an rpy2 object released by the
garbage collector, say) is printed and dropped: a campaign then runs on. While
:func:`interruptible` is active, SIGINT also sets a flag, and the loops of a
run call :func:`checkpoint` between units of work, which raises
``KeyboardInterrupt`` once the flag is set, wherever the first one went. A
KeyboardInterrupt that Python could not raise (it landed in a finaliser or a
garbage-collector callback) is not printed as an "Exception ignored"
traceback either: the flag has it.
"""
from __future__ import annotations

import contextlib
import signal
import sys
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
    hook = sys.unraisablehook

    def quiet(unraisable):  # Ctrl-C dropped inside a callback: the flag stops the run at its checkpoint
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _flag.is_set():
            return
        hook(unraisable)

    sys.unraisablehook = quiet
    try:
        yield
    finally:
        sys.unraisablehook = hook
        signal.signal(signal.SIGINT, previous)


def interrupted() -> bool:
    return _flag.is_set()


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed since the run began."""
    if _flag.is_set():
        raise KeyboardInterrupt
