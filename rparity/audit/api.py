"""The audit API: ``audit(reported_dict)`` and ``audit_file(path)``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rparity_contract.errors import InvalidArgument

from .contingency import check_contingency
from .entries import (
    AuditSettings,
    ContingencyEntry,
    LandmarkEntry,
    PercentEntry,
    RatioEntry,
    Unreadable,
)
from .landmark import check_landmark
from .percent import check_percent
from .ratio import check_ratio
from .reader import load_toml, read_reported
from .results import AuditReport, EntryResult, Verdict
from .summary import summarise_table

__all__ = ["audit", "audit_file", "check_entry"]


def check_entry(entry: Any, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Audit one typed entry (see :mod:`.entries`)."""
    if isinstance(entry, Unreadable):
        return EntryResult(table=entry.table, kind=entry.kind, label=entry.label,
                           verdict=Verdict.UNREADABLE, message=entry.reason, source=entry.source,
                           data={"reason": entry.reason})
    try:
        if isinstance(entry, ContingencyEntry):
            return check_contingency(entry, settings)
        if isinstance(entry, PercentEntry):
            return check_percent(entry)
        if isinstance(entry, RatioEntry):
            return check_ratio(entry)
        if isinstance(entry, LandmarkEntry):
            return check_landmark(entry, settings)
        if type(entry).__name__ == "ContinuousEntry":
            from .continuous import check_continuous

            return check_continuous(entry, settings)
        if type(entry).__name__ == "SurvivalEntry":
            from .survival import check_survival

            return check_survival(entry, settings)
    except InvalidArgument as exc:  # e.g. a table the tests refuse
        return _failed(entry, str(exc))
    except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as exc:
        # A defect of the checker, not of the input: say so, and let the rest of
        # the audit run (and its JSON be written); exit status 2, never 0.
        return _failed(entry, f"internal error while checking this entry ({type(exc).__name__}: {exc}); "
                              "the rest of the audit ran; please report it")
    raise TypeError(f"not an audit entry: {entry!r}")


def _failed(entry: Any, reason: str) -> EntryResult:
    label = getattr(entry, "row", None) or getattr(entry, "label", "?")
    return EntryResult(table=entry.table.id, kind=type(entry).__name__.replace("Entry", "").lower(),
                       label=label, verdict=Verdict.UNREADABLE, message=reason,
                       source=getattr(entry, "source", ""), data={"reason": reason})


def audit(reported: dict, *, settings: AuditSettings | None = None, source: str | None = None) -> AuditReport:
    """Audit a dict of reported statistics (the structure of the TOML format,
    ``examples/audit/README.md``).

    ``settings`` overrides the file's ``[options]``. Raises
    :class:`~rparity_contract.errors.InvalidArgument` only when the structure as a whole
    is unusable; a bad entry is reported as unreadable and the rest is audited.
    """
    rep = read_reported(reported, settings=settings)
    results: list[EntryResult] = []
    tables = []
    for spec, entries in rep.tables:
        res = [check_entry(e, rep.settings) for e in entries]
        results.extend(res)
        tables.append(summarise_table(spec, res))
    return AuditReport(title=rep.title, entries=tuple(results), tables=tuple(tables),
                       settings=rep.settings.to_dict(), source=source or rep.source or None)


def audit_file(path: str | Path, *, settings: AuditSettings | None = None) -> AuditReport:
    """Audit a TOML file of reported statistics."""
    from dataclasses import replace

    return replace(audit(load_toml(path), settings=settings), path=str(path))
