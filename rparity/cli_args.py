"""Checks of command-line arguments that need the project's registries (engine
and function names), shared by the subcommands, and the errors that make a
command exit 2 with one line.

A subcommand validates everything here *before* any work: an unknown name, a
count that is not positive, an output that cannot be written. Each failure is
a :class:`UsageError` (or one of :func:`cannot_run`) whose message names the
argument, shows the value and lists the valid names with the closest one.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterable

from rparity_contract.errors import RParityError, RUnavailable
from rparity_contract.functions import FUNCTIONS

from ._io import Unwritable, check_writable
from .engines import PluginError, UnknownName, close_match

__all__ = ["UsageError", "cannot_run", "positive_int", "check_engine", "check_reference", "check_functions",
           "check_output_file", "check_output_dir"]


class UsageError(RParityError):
    """A command-line argument that cannot be used; exit status 2."""


def cannot_run() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "this command cannot run as asked": exit 2."""
    from .check import NothingChecked

    out: list[type[BaseException]] = [UsageError, Unwritable, UnknownName, PluginError, RUnavailable,
                                      NothingChecked]
    try:
        from .distributed.runner import SchedulerUnreachable
        from .distributed.store import ResultsLocked
    except ImportError:  # no dask: the distributed options report it themselves
        pass
    else:
        out += [SchedulerUnreachable, ResultsLocked]
    return tuple(out)


def positive_int(text: str) -> int:
    """argparse ``type=``: an integer >= 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {v}")
    return v


def check_engine(name: str, option: str = "--engine") -> str:
    """``name`` is a loadable engine (or ``module:attribute``)."""
    import rparity

    try:
        rparity.engine(name)
    except (UnknownName, PluginError) as exc:
        raise UsageError(f"{option} {name!r}: {exc}") from None
    return name


def check_reference(name: str) -> str:
    """``--against``: ``r``, ``golden`` or an engine."""
    if name in ("r", "golden"):
        return name
    return check_engine(name, "--against")


def check_functions(names: Iterable[str] | None, valid: Iterable[str] | None = None,
                    option: str = "--function") -> list[str]:
    """Every name is a contract function (and among ``valid`` when given)."""
    allowed = list(valid) if valid is not None else list(FUNCTIONS)
    out = []
    for n in names or ():
        if n not in allowed:
            what = "contract function" if n not in FUNCTIONS else "function this command can run"
            raise UsageError(f"{option} {n!r} is not a {what}{close_match(n, allowed)}; valid: {', '.join(allowed)}")
        out.append(n)
    return out


def check_output_file(path: str | None, option: str) -> None:
    if path:
        try:
            check_writable(path, what=option)
        except Unwritable as exc:
            raise UsageError(str(exc)) from None


def check_output_dir(path: str | Path | None, option: str) -> None:
    if path:
        try:
            check_writable(path, directory=True, what=option)
        except Unwritable as exc:
            raise UsageError(str(exc)) from None
