"""Result objects of an audit: one :class:`EntryResult` per reported entry, one
:class:`TableSummary` per table, and the whole :class:`AuditReport`.

All are frozen dataclasses; ``to_dict()`` gives plain JSON-serialisable data
(rational interval ends as exact decimal strings).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["Verdict", "Check", "EntryResult", "TableSummary", "AuditReport", "combine"]


class Verdict(str, Enum):
    """The answer for one check or entry."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    CANNOT_TELL = "cannot tell"
    #: The printed numbers are what another test (or formula) than the one
    #: claimed gives: numbers right, method mislabelled.
    OTHER_TEST = "other test"
    UNREADABLE = "unreadable"
    NOT_APPLICABLE = "not applicable"

    def __str__(self) -> str:  # "consistent", not "Verdict.CONSISTENT"
        return self.value


def combine(verdicts: list[Verdict]) -> Verdict:
    """An entry's verdict from its checks': unreadable if any check is, else
    inconsistent if any check is, else cannot tell if any check is, else other
    test if any check is, else consistent (checks that do not apply are
    ignored; no applicable check at all gives cannot tell)."""
    vs = [v for v in verdicts if v is not Verdict.NOT_APPLICABLE]
    if not vs:
        return Verdict.CANNOT_TELL
    if Verdict.UNREADABLE in vs:
        return Verdict.UNREADABLE
    if Verdict.INCONSISTENT in vs:
        return Verdict.INCONSISTENT
    if Verdict.CANNOT_TELL in vs:
        return Verdict.CANNOT_TELL
    if Verdict.OTHER_TEST in vs:
        return Verdict.OTHER_TEST
    return Verdict.CONSISTENT


@dataclass(frozen=True)
class Check:
    """One comparison of a printed value with what it is recomputed to be.

    Attributes
    ----------
    name : str
        What is checked ("p-value (fisher)", "geometric midpoint", ...).
    verdict : Verdict
    printed : str or None
        The printed text checked.
    interval : str or None
        The rounding interval of the printed value that was used.
    recomputed : str or None
        The recomputed value (or interval of values), as shown.
    detail : str
        One sentence of explanation.
    data : dict
        The same in machine-readable form (JSON-serialisable).
    """

    name: str
    verdict: Verdict
    printed: str | None = None
    interval: str | None = None
    recomputed: str | None = None
    detail: str = ""
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"name": self.name, "verdict": self.verdict.value, "printed": self.printed,
                "interval": self.interval, "recomputed": self.recomputed,
                "detail": self.detail, "data": self.data}


@dataclass(frozen=True)
class EntryResult:
    """The audit of one reported entry.

    Attributes
    ----------
    table : str
        The id of the table the entry came from.
    kind : str
        ``"contingency"``, ``"percent"``, ``"ratio"`` or ``"landmark"``.
    label : str
        Where in the table (row, level, arm).
    verdict : Verdict
    message : str
        The finding in one or two sentences (for unreadable entries, the reason).
    checks : tuple of Check
    source : str
        Where in the paper the entry was transcribed from, as given.
    """

    table: str
    kind: str
    label: str
    verdict: Verdict
    message: str = ""
    checks: tuple[Check, ...] = ()
    source: str = ""
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"table": self.table, "kind": self.kind, "label": self.label,
                "verdict": self.verdict.value, "message": self.message,
                "source": self.source, "checks": [c.to_dict() for c in self.checks],
                "data": self.data}


@dataclass(frozen=True)
class TableSummary:
    """Verdict counts of one table and the findings that concern it as a whole.

    ``tests_reproducing`` maps each recomputed contingency test to the number
    of readable contingency rows whose printed p-value it reproduces
    (``n_contingency`` of them); ``findings`` are table-level sentences, e.g.
    that every p-value comes from a test other than the one claimed.
    """

    table: str
    title: str
    counts: dict[str, int]
    claimed_test: tuple[str, ...] = ()
    n_contingency: int = 0
    tests_reproducing: dict[str, int] = field(default_factory=dict)
    findings: tuple[str, ...] = ()
    verdict: Verdict = Verdict.CONSISTENT

    def to_dict(self) -> dict:
        return {"table": self.table, "title": self.title, "verdict": self.verdict.value,
                "counts": dict(self.counts), "claimed_test": list(self.claimed_test),
                "n_contingency": self.n_contingency,
                "tests_reproducing": dict(self.tests_reproducing),
                "findings": list(self.findings)}


@dataclass(frozen=True)
class AuditReport:
    """The audit of a file (or dict) of reported statistics.

    ``exit_status`` is the CLI's: 1 if any entry is inconsistent, else 2 if any
    entry is unreadable, else 0.
    """

    title: str
    entries: tuple[EntryResult, ...]
    tables: tuple[TableSummary, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    path: str | None = None

    def count(self, verdict: Verdict | str) -> int:
        v = Verdict(verdict)
        return sum(1 for e in self.entries if e.verdict is v)

    @property
    def counts(self) -> dict[str, int]:
        return {v.value: self.count(v) for v in Verdict if v is not Verdict.NOT_APPLICABLE}

    @property
    def inconsistent(self) -> tuple[EntryResult, ...]:
        return tuple(e for e in self.entries if e.verdict is Verdict.INCONSISTENT)

    @property
    def unreadable(self) -> tuple[EntryResult, ...]:
        return tuple(e for e in self.entries if e.verdict is Verdict.UNREADABLE)

    @property
    def exit_status(self) -> int:
        if self.inconsistent:
            return 1
        if self.unreadable:
            return 2
        return 0

    def to_dict(self) -> dict:
        return {"title": self.title, "source": self.source, "path": self.path,
                "settings": dict(self.settings),
                "counts": self.counts, "exit_status": self.exit_status,
                "tables": [t.to_dict() for t in self.tables],
                "entries": [e.to_dict() for e in self.entries]}

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)
