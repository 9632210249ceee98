"""The project's small error hierarchy (house style, section 6).

Every package raises these; :mod:`rparity` re-exports them.
"""
from __future__ import annotations

__all__ = [
    "RParityError",
    "InvalidArgument",
    "RUnavailable",
    "RError",
    "ParityMismatch",
    "ComputationError",
    "RParityWarning",
    "RWarning",
]


class RParityError(Exception):
    """Base class of every error raised on purpose by rparity."""


class InvalidArgument(RParityError, ValueError):
    """An argument is malformed. The message names the argument and the problem:
    "`name` must ...; got name=value"."""


class RUnavailable(RParityError, ImportError):
    """R, rpy2 or an R package cannot be used; the message says how to install it."""


class RError(RParityError, RuntimeError):
    """R raised an error. ``r_message`` is R's own ``conditionMessage``, ``r_call``
    the deparsed call R reported (if any)."""

    def __init__(self, r_message: str, r_call: str | None = None):
        self.r_message = r_message
        self.r_call = r_call
        where = f" in {r_call}" if r_call else ""
        super().__init__(f"R error{where}: {r_message}")


class ComputationError(RParityError, ArithmeticError):
    """The data make the computation impossible where R raises an error too (a
    singular variance matrix, for instance). The message gives R's reason."""


class ParityMismatch(RParityError, AssertionError):
    """Two engines disagree beyond the tolerance table."""


class RParityWarning(UserWarning):
    """A warning from an rparity engine. pyimpl uses R's wording verbatim, so that
    the warnings of two engines can be compared."""


class RWarning(RParityWarning):
    """A warning raised inside R, carried over with R's message."""
