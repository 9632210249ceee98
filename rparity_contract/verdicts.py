"""The vocabulary of comparisons: a verdict per compared quantity, then a
classification that says why.

Both are string enums, so they print and serialise as their value and compare
equal to it; code uses the members.
"""
from __future__ import annotations

from enum import Enum

__all__ = ["Verdict", "Classification", "ERROR_QUANTITY"]

#: The quantity of the row that compares whether the engines accepted or
#: refused an input (one row per case when either engine raised).
ERROR_QUANTITY = "(outcome)"


class Verdict(str, Enum):
    """What the comparison of one quantity found, before any explanation."""

    AGREE = "agree"
    """Within the tolerance table; or both engines refused with the same kind."""
    DIFFER = "differ"
    """Outside the tolerance; shapes or NaN patterns differ; one engine refused
    and the other accepted; or both refused for different reasons."""
    MISSING = "missing"
    """The engine reports a quantity the reference does not have."""
    NOT_PROVIDED = "not provided"
    """The engine does not compute this function or quantity."""
    ENGINE_ERROR = "engine error"
    """The engine under test failed (an exception that is not a refusal, or a
    result the contract does not allow)."""
    ERROR = "error"
    """The comparison itself could not be made (no tolerance entry, a value that
    is not a number where the reference has one)."""

    def __str__(self) -> str:
        return self.value


class Classification(str, Enum):
    """Why a quantity is as it is, with the rank that orders severity."""

    AGREES = "agrees"
    NOT_PROVIDED = "not provided"
    KNOWN = "known divergence"
    NEW = "new divergence"
    ENGINE_ERROR = "engine error"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 (agrees) to 4 (engine error): the worst classification of a group wins."""
        return _RANK[self]

    @property
    def failing(self) -> bool:
        """Whether ``rparity check`` exits 1 on this classification."""
        return self in (Classification.NEW, Classification.ENGINE_ERROR)

    def label(self, known: str | None = None) -> str:
        """As shown in tables: ``"known divergence <id>"`` for a known one."""
        return f"{self.value} {known}" if self is Classification.KNOWN and known else self.value


_RANK = {Classification.AGREES: 0, Classification.NOT_PROVIDED: 1, Classification.KNOWN: 2,
         Classification.NEW: 3, Classification.ENGINE_ERROR: 4}
