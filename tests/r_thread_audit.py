"""R's C API is only ever called on the thread that started R: the invariant
:mod:`rbridge._exclusive` keeps, checked in every test of the suite's process.

Once R has started, rpy2's handle on R's library (``openrlib.rlib``, which
rpy2 looks up at each call) is put behind a view that records each function of
R's API fetched on any other thread, with the stack that fetched it. The
suite's autouse fixture (``tests/conftest.py``) fails the test during which
such a call was made: a call into R from a second thread is the kind of fault
that crashes the process at random (a collector's finaliser releasing an R
object beside an evaluation did, in CI) and would otherwise show only as a
rare crash.
"""
from __future__ import annotations

import sys
import threading
import traceback
from dataclasses import dataclass
from typing import Any

__all__ = ["OffThreadCall", "calls", "install", "install_if_started"]


@dataclass(frozen=True)
class OffThreadCall:
    """A function of R's API fetched off R's thread."""

    function: str
    thread: str
    stack: str


#: every off-thread call recorded in this process, oldest first
calls: list[OffThreadCall] = []


class _AuditedLib:
    """R's library as rpy2 sees it, recording the functions fetched off R's thread."""

    __slots__ = ("_lib", "_r_thread")

    def __init__(self, lib: Any, r_thread: int) -> None:
        object.__setattr__(self, "_lib", lib)
        object.__setattr__(self, "_r_thread", r_thread)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._lib, name)
        if threading.get_ident() != self._r_thread and callable(value):
            calls.append(OffThreadCall(name, threading.current_thread().name,
                                       "".join(traceback.format_stack(limit=25)[:-1])))
        return value

    def __setattr__(self, name: str, value: Any) -> None:  # rpy2 sets R's globals through it
        setattr(self._lib, name, value)


def install() -> None:
    """Put the audit in front of rpy2's R library (once; R must have started)."""
    from rpy2.rinterface_lib import openrlib

    from rbridge import _exclusive

    if isinstance(openrlib.rlib, _AuditedLib):
        return
    if _exclusive._r_thread is None:
        raise RuntimeError("R has not started in this process")
    openrlib.rlib = _AuditedLib(openrlib.rlib, _exclusive._r_thread)


def install_if_started() -> None:
    """:func:`install` if this process's R has started (without starting it)."""
    session = sys.modules.get("rbridge._session")
    if session is not None and getattr(session, "_session", None) is not None:
        install()
