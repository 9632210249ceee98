"""Rendering an :class:`~.results.AuditReport` as rich tables."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .results import AuditReport, EntryResult, Verdict

__all__ = ["render", "render_text"]

_STYLE = {
    Verdict.CONSISTENT: "green",
    Verdict.INCONSISTENT: "bold red",
    Verdict.CANNOT_TELL: "yellow",
    Verdict.OTHER_TEST: "cyan",
    Verdict.UNREADABLE: "magenta",
    Verdict.NOT_APPLICABLE: "dim",
}
_MARK = {"yes": "✓", "no": "✗", "edge": "?", "undefined": "–", "unavailable": "n/a"}


def _recomputed(e: EntryResult) -> str:
    if e.kind == "contingency":
        parts = []
        for c in e.checks:
            if "test" not in c.data:  # the SMD
                parts.append(f"{c.name} {c.recomputed or ''}".strip())
                continue
            t = c.data["test"]
            star = "*" if c.data.get("claimed") else ""
            parts.append(f"{t}{star} {c.recomputed} {_MARK.get(c.data.get('match', ''), '')}")
        return "\n".join(parts)
    short = {"geometric midpoint": "midpoint", "p from CI (Altman-Bland)": "p", "n/N": "", "k/N exists": "",
             "KM value": ""}
    return "\n".join((f"{short.get(c.name, c.name)} " if short.get(c.name, c.name) else "") + c.recomputed
                     for c in e.checks if c.recomputed)


def _printed(e: EntryResult) -> str:
    if e.kind == "ratio":
        out = e.data.get("printed", "")
        p = next((c.printed for c in e.checks if c.name.startswith("p from")), None)
        return out + (f"\np = {p}" if p else "")
    return e.checks[0].printed if e.checks and e.checks[0].printed else ""


def _interval(e: EntryResult) -> str:
    seen = []
    for c in e.checks:
        if c.interval and c.interval not in seen:
            seen.append(c.interval)
    return "\n".join(seen)


def _rows(entries: list[EntryResult]):
    """Display rows: consistent percentages of one contingency row are merged."""
    out = []
    i = 0
    while i < len(entries):
        e = entries[i]
        key = e.label.split(":", 1)[0] if (e.kind == "percent" and ":" in e.label) else None
        if key is not None and e.verdict is Verdict.CONSISTENT:
            group = [e]
            j = i + 1
            while (j < len(entries) and entries[j].kind == "percent" and entries[j].verdict is Verdict.CONSISTENT
                   and entries[j].label.split(":", 1)[0] == key):
                group.append(entries[j])
                j += 1
            if len(group) > 1:
                out.append(("percent", f"{key} ({len(group)} cells)", Verdict.CONSISTENT,
                            ", ".join(g.checks[0].printed for g in group),
                            "half a unit of the last digit",
                            ", ".join(f"{g.data['n']}/{g.data['N']}" for g in group),
                            "every n/N rounds to the printed %"))
                i = j
                continue
        out.append((e.kind, e.label, e.verdict, _printed(e), _interval(e), _recomputed(e), e.message))
        i += 1
    return out


def render(report: AuditReport, console: Console | None = None) -> None:
    """Print the report: one table per audited table, its findings, and totals."""
    con = console or Console()
    head = report.title or "Audit of reported statistics"
    con.print(Text(head, style="bold"))
    if report.source:
        con.print(Text(f"source: {report.source}", style="dim"))
    if report.path:
        con.print(Text(f"file: {report.path}", style="dim"))
    by_table: dict[str, list[EntryResult]] = {}
    for e in report.entries:
        by_table.setdefault(e.table, []).append(e)
    for ts in report.tables:
        t = Table(title=f"{ts.table}" + (f" — {ts.title}" if ts.title else ""), title_justify="left",
                  show_lines=True, expand=True)
        t.add_column("kind", no_wrap=True)
        t.add_column("entry", overflow="fold", ratio=2)
        t.add_column("verdict", no_wrap=True)
        t.add_column("printed", overflow="fold", ratio=2)
        t.add_column("rounding interval", no_wrap=True)
        t.add_column("recomputed", no_wrap=True)
        t.add_column("finding", overflow="fold", ratio=6)
        for kind, label, verdict, printed, interval, recomputed, msg in _rows(by_table.get(ts.table, [])):
            t.add_row(kind, label, Text(verdict.value, style=_STYLE[verdict]), printed, interval,
                      recomputed, msg)
        con.print(t)
        counts = ", ".join(f"{k} {v}" for k, v in ts.counts.items() if v)
        con.print(Text(f"  {ts.table}: {counts}", style=_STYLE[ts.verdict]))
        for f in ts.findings:
            style = "bold red" if f.startswith("TABLE-LEVEL") else ""
            con.print(Text(f"  - {f}", style=style))
        if ts.n_contingency:
            con.print(Text("  (* = test claimed; ✓ reproduces the printed p, ✗ does not, "
                           "? on the rounding boundary, – undefined)", style="dim"))
        con.print()
    c = report.counts
    total = ", ".join(f"{k} {v}" for k, v in c.items() if v)
    con.print(Text(f"{len(report.entries)} entries: {total}", style="bold"))
    status = report.exit_status
    meaning = {0: "no inconsistency found", 1: "inconsistencies found",
               2: "some entries could not be read"}[status]
    n_other = report.count(Verdict.OTHER_TEST)
    if n_other:
        meaning += (f"; {n_other} entr{'y' if n_other == 1 else 'ies'} reproduced by another test "
                    "than the one claimed")
    con.print(Text(f"exit status {status}: {meaning}", style=_STYLE[
        Verdict.CONSISTENT if status == 0 else Verdict.INCONSISTENT if status == 1 else Verdict.UNREADABLE]))


def render_text(report: AuditReport, width: int = 160) -> str:
    """The rendered report as plain text (no colour)."""
    buf = io.StringIO()
    render(report, Console(file=buf, width=width, color_system=None, force_terminal=False))
    return buf.getvalue()

