"""Helpers to assert parity inside tests (used by the project's tests and by the
pytest plugin for downstream projects)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from rparity_contract.errors import ParityMismatch
from rparity_contract.verdicts import Classification, Verdict

from .compare import Outcome, QuantityDiff, compare_outcomes, outcome_of

__all__ = ["assert_outcomes_agree", "differential", "format_diffs"]


def format_diffs(rows: list[QuantityDiff]) -> str:
    lines = [f"{'quantity':<28} {'verdict':<8} {'max rel':>10} {'tolerance':<12} detail"]
    for r in rows:
        rel = "-" if r.max_rel is None else f"{r.max_rel:.2e}"
        lines.append(f"{r.quantity:<28} {r.verdict.value:<8} {rel:>10} {r.tolerance:<12} {r.detail} "
                     + (f"[{r.a!r} vs {r.b!r}]" if r.a is not None else ""))
    return "\n".join(lines)


def assert_outcomes_agree(function: str, a: Outcome, b: Outcome, *, label: str = "") -> list[QuantityDiff]:
    rows = compare_outcomes(function, label or function, None, a, b)
    bad = [r for r in rows if r.verdict is not Verdict.AGREE]
    if bad:
        raise ParityMismatch(f"{a.engine} and {b.engine} disagree on {function} {label}:\n" + format_diffs(bad))
    return rows


def differential(function: str, probe: Callable[[Any], Mapping[str, Any]], engine: Any, reference: Any,
                 *, label: str = "") -> list[QuantityDiff]:
    """Run ``probe(engine)`` and ``probe(reference)`` (each returning a flat
    quantity dict, like a case runner) and assert they agree within the tolerance
    table: both answer alike, or both refuse the input for the same reason
    (refusal kind); one refusing, or refusing for another reason, is a difference."""
    a = outcome_of(engine.name, function, lambda: probe(engine))
    b = outcome_of(reference.name, function, lambda: probe(reference))
    return assert_outcomes_agree(function, a, b, label=label)


def assert_agrees_with_r(engine: Any, functions: Any = ("survfit",), *, against: str = "r", examples: int = 50,
                         allow: Any = (), seed: int | None = 0, strategies: Mapping[str, Any] | None = None) -> list:
    """Assert that ``engine`` agrees with ``against`` (R by default) on generated
    inputs for each of ``functions``, apart from the known divergences listed in
    ``allow`` (registry ids). On failure raises :class:`ParityMismatch` with a
    table of the divergences found, each with its smallest input.

    ``strategies`` optionally maps a function to a hypothesis strategy of
    ``(data, params)`` replacing the built-in one.
    """
    from .fuzz import campaign

    if isinstance(functions, str):
        functions = (functions,)
    allowed = {f"known:{a}" for a in allow}
    problems = []
    findings = []
    for fn in functions:
        res = campaign(engine, against, fn, examples=examples, seed=seed, save=False,
                       strategy=(strategies or {}).get(fn))
        findings.extend(res.findings)
        problems.extend(f for f in res.findings if f.signature not in allowed)
    if problems:
        raise ParityMismatch(_findings_text(engine, against, problems))
    return findings


def _findings_text(engine: Any, against: str, findings: list) -> str:
    name = getattr(engine, "name", engine)
    lines = [f"{name} disagrees with {against} ({len(findings)} divergence(s) not allowed):"]
    for f in findings:
        bad = [r for r in f.rows if r.classification not in (Classification.AGREES, Classification.NOT_PROVIDED)]
        lines.append("")
        lines.append(f"== {f.function}: {f.signature} (smallest input found: {len(f.data)} rows; "
                     f"params {f.params})")
        lines.append(format_diffs(bad))
        if len(f.data) <= 20:
            lines.append(f.data.to_csv(index=False).rstrip())
    return "\n".join(lines)
