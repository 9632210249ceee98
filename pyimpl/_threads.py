"""Independent pieces of one computation on two threads.

numpy releases the GIL inside its loops (arithmetic, ``cumsum``, ``take``,
scatter, BLAS), so two independent whole-array computations run side by side
on two CPUs. Callers split their work at fixed points chosen from the data
alone and combine the pieces in a fixed order, so a result never depends on
whether the pieces ran on threads or one after the other (or on the machine).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

__all__ = ["run_all", "cpus", "Background", "background", "Helpers", "Task"]

_POOLS: dict[str, tuple[int, ThreadPoolExecutor]] = {}


def cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _pool(name: str = "pyimpl", workers: int = 2) -> ThreadPoolExecutor:
    """The process's pool ``name`` (made on first use; a forked child gets its own)."""
    pid, pool = _POOLS.get(name, (-1, None))
    if pool is None or pid != os.getpid():
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        _POOLS[name] = (os.getpid(), pool)
    return pool


def run_all(tasks: list[tuple[Callable[..., Any], tuple]], parallel: bool = True) -> list:
    """``[fn(*args) for fn, args in tasks]``, the first task on this thread and
    the others on a pool of two threads when ``parallel`` and two CPUs are
    free. An exception in any task is raised here after all have finished."""
    if not parallel or len(tasks) < 2 or cpus() < 2:
        return [fn(*args) for fn, args in tasks]
    pool = _pool()
    futures = [pool.submit(fn, *args) for fn, args in tasks[1:]]
    try:
        first = tasks[0][0](*tasks[0][1])
    finally:
        rest = [f.exception() for f in futures]  # wait for all before raising
    for exc in rest:
        if exc is not None:
            raise exc
    return [first] + [f.result() for f in futures]


class Background:
    """A call started on another thread (or made at once, on one CPU);
    :meth:`result` waits for it and returns its value or raises its error."""

    def __init__(self, fn: Callable[..., Any], args: tuple, parallel: bool):
        self._future = None
        self._value: Any = None
        self._error: BaseException | None = None
        if parallel and cpus() > 1:
            self._future = _background_pool().submit(fn, *args)
        else:
            try:
                self._value = fn(*args)
            except BaseException as exc:  # re-raised by result()
                self._error = exc

    def result(self) -> Any:
        if self._future is not None:
            return self._future.result()
        if self._error is not None:
            raise self._error
        return self._value


def _background_pool() -> ThreadPoolExecutor:
    """One thread for background calls, apart from :func:`run_all`'s pool (a
    background call may itself use :func:`run_all` without waiting on itself)."""
    return _pool("pyimpl-bg", 1)


def background(fn: Callable[..., Any], *args: Any, parallel: bool = True) -> Background:
    """Start ``fn(*args)`` beside the caller (see :class:`Background`)."""
    return Background(fn, args, parallel)


class Helpers:
    """Tasks that whichever thread gets to them first runs: a computation on
    one thread posts a part here (:meth:`post`) and goes on with another; a
    second thread that has finished its own work calls :meth:`help` and takes
    the part if it has not been started. :meth:`Task.result` runs the part on
    the calling thread when nobody took it. Values never depend on who ran what."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[Task] = []
        self._closed = False

    def post(self, fn: Callable[..., Any], *args: Any) -> "Task":
        task = Task(fn, args, self)
        with self._cond:
            self._pending.append(task)
            self._cond.notify_all()
        return task

    def close(self) -> None:
        """No more tasks will be posted (the posting computation has ended)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _claim(self, task: "Task") -> bool:
        with self._cond:
            if task in self._pending:
                self._pending.remove(task)
                return True
            return False

    def help(self) -> None:
        """Run the posted tasks nobody has started, until the posting
        computation has closed (waiting for tasks to be posted meanwhile)."""
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return
                task = self._pending.pop(0)
            task._run()


class Task:
    """A part posted to :class:`Helpers`."""

    def __init__(self, fn: Callable[..., Any], args: tuple, owner: Helpers):
        self._fn, self._args, self._owner = fn, args, owner
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as exc:  # re-raised by result()
            self._error = exc
        finally:
            self._args = ()
            self._done.set()

    def result(self) -> Any:
        """The part's value: run here if nobody took it, else wait for it."""
        if self._owner._claim(self):
            self._run()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value
