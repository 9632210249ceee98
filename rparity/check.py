"""``rparity check``: every case in two engines, compared against the tolerance
table, each difference classified (agrees / known divergence / not provided /
engine error / new divergence).

The reference is R: live through rbridge when R is available, otherwise (or with
``against="golden"``) the committed golden files, which were made by R.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from rparity_contract.verdicts import Classification

from ._interrupt import checkpoint
from ._io import atomic_write_text
from .cases import Case, all_cases
from .compare import Outcome, QuantityDiff, compare_outcomes, run_outcome, summarize
from .divergences import classify

__all__ = ["CheckReport", "run_check", "select_cases", "assemble_report", "aggregate", "render_table",
           "NothingChecked"]


class NothingChecked(ValueError):
    """A check that would compare nothing (no case selected)."""


def _rank(c: Classification | None) -> int:
    return 5 if c is None else c.rank


@dataclass
class CheckReport:
    engine: str
    against: str
    rows: list[QuantityDiff]
    engine_version: str = ""
    reference_versions: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    case_sizes: dict[str, int] = field(default_factory=dict)
    case_params: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Something was compared, and nothing is a new divergence or an engine
        error (known divergences and quantities an engine does not provide are
        reported, not failed)."""
        return bool(self.rows) and not any(r.classification is not None and r.classification.failing
                                           for r in self.rows)

    @property
    def all_agree(self) -> bool:
        return bool(self.rows) and all(r.classification is Classification.AGREES for r in self.rows)

    def counts(self) -> dict[str, int]:
        return dict(summarize(self.rows))

    def classification_counts(self) -> dict[str, int]:
        """Rows per label (``known divergence <id>`` counted per id)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.label] = out.get(r.label, 0) + 1
        return out

    def to_dict(self) -> dict:
        return {
            "engine": self.engine,
            "engine_version": self.engine_version,
            "against": self.against,
            "ok": self.ok,
            "all_agree": self.all_agree,
            "counts": self.counts(),
            "classifications": self.classification_counts(),
            "reference_versions": self.reference_versions,
            "notes": self.notes,
            "rows": [r.to_dict() for r in self.rows],
        }

    def write_json(self, path: str | Path) -> None:
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1, default=str) + "\n")


def _reference(against: str, r_available: Callable[[], bool] | None = None):
    """(kind, engine-or-None, note). ``r_available`` says whether R can be used
    where the reference runs (default: in this process)."""
    import rparity

    if against == "golden":
        return "golden", None, "reference: committed golden files (made by R)"
    ref = rparity.engine(against)
    if against == "r":
        import rbridge

        if not (rbridge.r_available() if r_available is None else r_available()):
            return "golden", None, ("R is not available here; reference: committed golden files "
                                    "(made by R). " + rbridge.INSTALL_HINT.splitlines()[0])
    return "engine", ref, f"reference: engine {against!r} (live)"


def run_check(engine: str = "pyimpl", against: str = "r", *, cases: Iterable[Case] | None = None,
              functions: Iterable[str] | None = None, progress=None) -> CheckReport:
    import rparity

    from .peer_matching import forget_reruns

    forget_reruns()  # a check never explains a row by an earlier check's rerun of a peer
    eng = rparity.engine(engine)
    kind, ref, note = _reference(against)
    selected = select_cases(cases, functions)
    if not selected:
        raise NothingChecked("no case selected: nothing would be compared")
    return assemble_report(eng, against, kind, note, selected,
                           lambda c: (run_outcome(c, eng), None if kind == "golden" else run_outcome(c, ref)),
                           progress=progress)


def select_cases(cases: Iterable[Case] | None = None, functions: Iterable[str] | None = None) -> list[Case]:
    """The registered cases (or ``cases``), restricted to ``functions``, in registry order.

    A function is selected with the derived functions its cases exercise
    (``survfit`` cases run ``survfit_summary``...): naming a derived function
    selects the cases of the fit it derives from."""
    from .cases import case_function

    selected = list(all_cases() if cases is None else cases)
    if functions:
        fset = {case_function(f) for f in functions}
        selected = [c for c in selected if c.function in fset]
    return selected


def assemble_report(eng, against: str, kind: str, note: str, selected: list[Case],
                    outcomes: Callable[[Case], tuple[Outcome, Outcome | None]], *, progress=None) -> CheckReport:
    """Compare and classify case by case, in the order of ``selected``.

    ``outcomes(case)`` gives (the engine's outcome, the reference's outcome);
    with ``kind == "golden"`` the reference comes from the golden file instead.
    Whoever computes the outcomes (this process, or the workers of
    :mod:`rparity.distributed`), the rows come out in the same order with the
    same classification.
    """
    from .golden import read_golden

    rows: list[QuantityDiff] = []
    versions: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    params: dict[str, Any] = {}
    for c in selected:
        checkpoint()
        a, b = outcomes(c)
        if kind == "golden":
            header, b = read_golden(c)
            if not versions and header.get("provenance"):
                versions = {k: v for k, v in header["provenance"].items() if k != "calls"}
        else:
            if not versions and b.provenance:
                versions = {k: v for k, v in b.provenance[0].items() if k != "call"}
        diff = compare_outcomes(c.function, c.id, c.dataset, a, b)
        rows.extend(classify(diff, engine=eng.identity, engine_version=eng.version, reference="r",
                             reference_versions=versions, params=c.params, data=_case_data(c)))
        sizes[c.id] = _case_size(c)
        params[c.id] = dict(c.params)
        if progress is not None:
            progress(c)
    return CheckReport(engine=eng.name, against="golden" if kind == "golden" else against, rows=rows,
                       engine_version=eng.version, reference_versions=versions, notes=[note],
                       case_sizes=sizes, case_params=params)


def _case_data(c: Case):
    try:
        return c.data()
    except Exception:  # noqa: BLE001
        return None


def _case_size(c: Case) -> int:
    try:
        d = c.data()
    except Exception:  # noqa: BLE001
        return -1
    if d is None:
        t = c.params.get("table")
        return int(sum(sum(r) for r in t)) if t else 0
    return len(d)


def aggregate(rows: list[QuantityDiff], *, by_dataset: bool = True) -> list[dict]:
    """One row per (function, [dataset,] quantity): the worst case."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        ds = (r.dataset or "-") if by_dataset else "*"
        key = (r.function, ds, r.quantity)
        g = groups.get(key)
        rel = r.max_rel if r.max_rel is not None else math.nan
        if g is None:
            groups[key] = g = {"function": r.function, "dataset": ds, "quantity": r.quantity,
                               "max_rel": rel, "max_abs": r.max_abs, "tolerance": r.tolerance,
                               "verdict": r.verdict, "classification": r.classification, "label": r.label,
                               "cases": 0, "detail": r.detail, "worst_case": r.case, "known": r.known,
                               "evidence": r.evidence}
        g["cases"] += 1
        if not math.isnan(rel) and (math.isnan(g["max_rel"]) or rel > g["max_rel"]):
            g["max_rel"], g["max_abs"] = rel, r.max_abs
            if _rank(r.classification) >= _rank(g["classification"]):
                g["worst_case"] = r.case
        if _rank(r.classification) > _rank(g["classification"]):
            g.update(classification=r.classification, label=r.label, detail=r.detail, verdict=r.verdict,
                     worst_case=r.case, known=r.known, evidence=r.evidence)
    return list(groups.values())


_STYLE = {Classification.AGREES: "green", Classification.NEW: "bold red", Classification.ENGINE_ERROR: "bold red",
          Classification.NOT_PROVIDED: "yellow", Classification.KNOWN: "cyan"}


def render_table(report: CheckReport, *, only_problems: bool = False):
    from rich.table import Table

    t = Table(title=f"rparity check: {report.engine} vs {report.against}", show_lines=False)
    for col in ("function", "dataset", "quantity", "max rel diff", "tolerance", "classification"):
        t.add_column(col, justify="right" if col == "max rel diff" else "left")
    for g in aggregate(report.rows):
        cls = g["classification"]
        if only_problems and cls is Classification.AGREES:
            continue
        rel = g["max_rel"]
        rel_s = "-" if rel is None or (isinstance(rel, float) and math.isnan(rel)) else f"{rel:.1e}"
        style = _STYLE.get(cls, "")
        shown = g["label"] + (f" ({g['detail']})" if cls is not None and cls.failing and g["detail"] else "")
        if g.get("evidence"):
            shown += f" [{g['evidence']}]"
        t.add_row(g["function"], g["dataset"], g["quantity"], rel_s, g["tolerance"], f"[{style}]{shown}[/]")
    return t
