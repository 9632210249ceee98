"""``rparity check``: every case in two engines, compared against the tolerance table.

The reference is R: live through rbridge when R is available, otherwise (or with
``--against golden``) the committed golden files, which were made by R.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .cases import Case, all_cases
from .compare import Outcome, QuantityDiff, compare_outcomes, run_outcome, summarize

__all__ = ["CheckReport", "run_check", "aggregate", "render_table"]

VERDICT_ORDER = {"agree": 0, "not provided": 1, "missing": 2, "differ": 3, "error": 4}


@dataclass
class CheckReport:
    engine: str
    against: str
    rows: list[QuantityDiff]
    reference_versions: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.verdict == "agree" for r in self.rows)

    def counts(self) -> dict[str, int]:
        return dict(summarize(self.rows))

    def to_dict(self) -> dict:
        return {
            "engine": self.engine,
            "against": self.against,
            "ok": self.ok,
            "counts": self.counts(),
            "reference_versions": self.reference_versions,
            "notes": self.notes,
            "rows": [r.to_dict() for r in self.rows],
        }

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, default=str) + "\n")


def _reference(against: str):
    """(kind, engine-or-None, note)."""
    import rparity

    if against == "golden":
        return "golden", None, "reference: committed golden files (made by R)"
    ref = rparity.engine(against)
    if against == "r":
        import rbridge

        if not rbridge.r_available():
            return "golden", None, ("R is not available here; reference: committed golden files "
                                    "(made by R). " + rbridge.INSTALL_HINT.splitlines()[0])
    return "engine", ref, f"reference: engine {against!r} (live)"


def run_check(engine: str = "pyimpl", against: str = "r", *, cases: Iterable[Case] | None = None,
              functions: Iterable[str] | None = None, progress=None) -> CheckReport:
    import rparity

    from .golden import read_golden

    eng = rparity.engine(engine)
    kind, ref, note = _reference(against)
    selected = list(all_cases() if cases is None else cases)
    if functions:
        fset = set(functions)
        selected = [c for c in selected if c.function in fset]
    rows: list[QuantityDiff] = []
    versions: dict[str, Any] = {}
    for c in selected:
        a = run_outcome(c, eng)
        if kind == "golden":
            header, b = read_golden(c)
            if not versions and header.get("provenance"):
                versions = {k: v for k, v in header["provenance"].items() if k != "calls"}
        else:
            b = run_outcome(c, ref)
            if not versions and b.provenance:
                versions = {k: v for k, v in b.provenance[0].items() if k != "call"}
        rows.extend(compare_outcomes(c.function, c.id, c.dataset, a, b))
        if progress is not None:
            progress(c)
    return CheckReport(engine=engine, against="golden" if kind == "golden" else against, rows=rows,
                       reference_versions=versions, notes=[note])


def aggregate(rows: list[QuantityDiff]) -> list[dict]:
    """One row per (function, dataset, quantity): the worst case."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        key = (r.function, r.dataset or "-", r.quantity)
        g = groups.get(key)
        rel = r.max_rel if r.max_rel is not None else math.nan
        if g is None:
            groups[key] = g = {"function": r.function, "dataset": r.dataset or "-", "quantity": r.quantity,
                               "max_rel": rel, "tolerance": r.tolerance, "verdict": r.verdict, "cases": 0,
                               "detail": r.detail}
        g["cases"] += 1
        if not math.isnan(rel) and (math.isnan(g["max_rel"]) or rel > g["max_rel"]):
            g["max_rel"] = rel
        if VERDICT_ORDER.get(r.verdict, 5) > VERDICT_ORDER.get(g["verdict"], 5):
            g["verdict"], g["detail"] = r.verdict, r.detail
    return list(groups.values())


def render_table(report: CheckReport, *, only_problems: bool = False):
    from rich.table import Table

    t = Table(title=f"rparity check: {report.engine} vs {report.against}", show_lines=False)
    for col in ("function", "dataset", "quantity", "max rel diff", "tolerance", "verdict"):
        t.add_column(col, justify="right" if col == "max rel diff" else "left")
    for g in aggregate(report.rows):
        if only_problems and g["verdict"] == "agree":
            continue
        rel = g["max_rel"]
        rel_s = "-" if rel is None or (isinstance(rel, float) and math.isnan(rel)) else f"{rel:.1e}"
        style = {"agree": "green", "differ": "bold red", "error": "bold red", "missing": "yellow",
                 "not provided": "yellow"}.get(g["verdict"], "")
        verdict = g["verdict"] + (f" ({g['detail']})" if g["verdict"] != "agree" and g["detail"] else "")
        t.add_row(g["function"], g["dataset"], g["quantity"], rel_s, g["tolerance"], f"[{style}]{verdict}[/]")
    return t
