"""Helpers to assert parity inside tests (used by the project's tests and by the
pytest plugin for downstream projects)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from pyimpl.errors import ParityMismatch

from .compare import Outcome, QuantityDiff, compare_outcomes

__all__ = ["assert_outcomes_agree", "differential", "format_diffs"]


def format_diffs(rows: list[QuantityDiff]) -> str:
    lines = [f"{'quantity':<28} {'verdict':<8} {'max rel':>10} {'tolerance':<12} detail"]
    for r in rows:
        rel = "-" if r.max_rel is None else f"{r.max_rel:.2e}"
        lines.append(f"{r.quantity:<28} {r.verdict:<8} {rel:>10} {r.tolerance:<12} {r.detail} "
                     + (f"[{r.a!r} vs {r.b!r}]" if r.a is not None else ""))
    return "\n".join(lines)


def assert_outcomes_agree(function: str, a: Outcome, b: Outcome, *, label: str = "") -> list[QuantityDiff]:
    rows = compare_outcomes(function, label or function, None, a, b)
    bad = [r for r in rows if r.verdict != "agree"]
    if bad:
        raise ParityMismatch(f"{a.engine} and {b.engine} disagree on {function} {label}:\n" + format_diffs(bad))
    return rows


def _outcome(engine: Any, probe: Callable[[Any], Mapping[str, Any]]) -> Outcome:
    try:
        return Outcome(engine.name, values=dict(probe(engine)))
    except NotImplementedError as exc:
        return Outcome(engine.name, error=str(exc), error_type="NotImplementedError")
    except Exception as exc:  # noqa: BLE001
        return Outcome(engine.name, error=str(exc), error_type=type(exc).__name__)


def differential(function: str, probe: Callable[[Any], Mapping[str, Any]], engine: Any, reference: Any,
                 *, label: str = "") -> list[QuantityDiff]:
    """Run ``probe(engine)`` and ``probe(reference)`` (each returning a flat
    quantity dict, like a case runner) and assert they agree within the tolerance
    table; errors in both engines count as agreement, an error in one as a
    difference."""
    return assert_outcomes_agree(function, _outcome(engine, probe), _outcome(reference, probe), label=label)
