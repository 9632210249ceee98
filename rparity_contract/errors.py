"""The project's small error hierarchy (house style, section 6), shared by every
engine and the harness.

Every refusal an engine makes on purpose carries a *kind*: a short code
(``"event.values"``, ``"weights.negative"``; the vocabulary is
:data:`rparity_contract.kinds.KINDS`) saying which argument was refused and why.
Two engines agree on an input they both refuse only when the kinds are equal
(``docs/contract.md``, "Accepting and refusing input"). pyimpl sets the kind
where it raises; R's messages are mapped to kinds by one table in the harness
(:mod:`rparity.refusals`), so :class:`RError` carries R's own message and call
and no kind of its own.
"""
from __future__ import annotations

__all__ = [
    "RParityError",
    "InvalidArgument",
    "ComputationError",
    "RUnavailable",
    "RError",
    "ParityMismatch",
    "RParityWarning",
    "RWarning",
]


class RParityError(Exception):
    """Base class of every error raised on purpose by rparity.

    ``kind`` is the refusal kind (see :mod:`rparity_contract.kinds`), or None for
    errors that are not a refusal of the input (R missing, a parity mismatch).
    """

    kind: str | None = None

    def __init__(self, message: str = "", *, kind: str | None = None):
        super().__init__(message)
        if kind is not None:
            self.kind = kind


class InvalidArgument(RParityError, ValueError):
    """An argument is refused. The message names the argument and the problem
    ("`name` must ...; got name=value"); ``kind`` says which refusal it is."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message, kind=kind)


class ComputationError(RParityError, ArithmeticError):
    """The data make the computation impossible where R raises an error too (a
    singular variance matrix, for instance). The message gives R's reason."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message, kind=kind)


class RUnavailable(RParityError, ImportError):
    """R, rpy2 or an R package cannot be used; the message says how to install it."""


class RError(RParityError, RuntimeError):
    """R raised an error. ``r_message`` is R's own ``conditionMessage``, ``r_call``
    the deparsed call R reported (if any). The refusal kind is not decided here:
    the harness maps ``r_message`` to a kind through one table."""

    def __init__(self, r_message: str, r_call: str | None = None):
        self.r_message = r_message
        self.r_call = r_call
        where = f" in {r_call}" if r_call else ""
        super().__init__(f"R error{where}: {r_message}")


class ParityMismatch(RParityError, AssertionError):
    """Two engines disagree beyond the tolerance table."""


class RParityWarning(UserWarning):
    """A warning from an rparity engine. pyimpl uses R's wording verbatim, so that
    the warnings of two engines can be compared."""


class RWarning(RParityWarning):
    """A warning raised inside R, carried over with R's message."""
