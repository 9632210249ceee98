"""Markdown and HTML parity reports of a :class:`~rparity.check.CheckReport`.

One row per function and quantity (over all fixtures): the worst relative
difference, the tolerance, the classification. Then, for each divergence (known
or new) and each engine error, its explanation and the smallest cohort that shows
it: the smallest fixture case, and the smallest shrunk cohort the fuzz corpus
holds for that function and quantity, if any.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rparity_contract.verdicts import Classification

from ._io import atomic_write_text
from .check import CheckReport, aggregate
from .divergences import by_id

__all__ = ["write_reports", "divergence_sections"]


@dataclass
class _Section:
    title: str
    classification: Classification
    explanation: str
    reference: str
    evidence: str
    rows: list[dict]
    smallest_case: str
    smallest_size: int
    case_params: dict
    corpus: dict | None


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        if math.isnan(x):
            return "-"
        return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"
    return str(x)


def divergence_sections(report: CheckReport, corpus_dir: str | Path | None = None) -> list[_Section]:
    from .corpus import smallest_entry

    groups: dict[str, list] = {}
    for r in report.rows:
        c = r.classification
        if c is None or c in (Classification.AGREES, Classification.NOT_PROVIDED):
            continue
        key = r.label if c is Classification.KNOWN else f"{c.value}: {r.function}.{r.quantity}"
        groups.setdefault(key, []).append(r)
    out = []
    for key, rows in sorted(groups.items()):
        first = rows[0]
        if first.known:
            k = by_id(first.known)
            expl, ref = k.explanation, k.source
            if k.departure:
                expl = f"Deliberate departure of {report.engine}: {k.departure}. {expl}"
        else:
            expl = ("Not explained by any registered divergence: a bug in the engine, or a difference to "
                    "understand and register in rparity/divergences.py.")
            ref = ""
        smallest = min(rows, key=lambda r: (report.case_sizes.get(r.case, 10**9), r.case))
        corp = None
        if corpus_dir is not None:
            corp = smallest_entry(corpus_dir, engine=report.engine, function=first.function,
                                  quantities={r.quantity for r in rows})
        out.append(_Section(
            title=key, classification=first.classification, explanation=expl, reference=ref,
            evidence="; ".join(sorted({r.evidence for r in rows if r.evidence})),
            rows=aggregate(rows, by_dataset=False), smallest_case=smallest.case,
            smallest_size=report.case_sizes.get(smallest.case, -1),
            case_params=report.case_params.get(smallest.case, {}), corpus=corp,
        ))
    return out


def _markdown(report: CheckReport, sections: list[_Section]) -> str:
    v = report.reference_versions
    lines = [f"# Parity report: {report.engine} {report.engine_version} vs {report.against}", ""]
    lines.append(f"Reference: {v.get('R', '?')}; survival {v.get('survival', '?')}; MatchIt {v.get('MatchIt', '?')}; "
                 f"BLAS {v.get('BLAS', '?')}.")
    lines.append("")
    counts = report.classification_counts()
    lines.append("Summary: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ".")
    lines.append("")
    lines.append("| function | quantity | worst rel. diff | tolerance | classification | cases |")
    lines.append("|---|---|---|---|---|---|")
    for g in aggregate(report.rows, by_dataset=False):
        lines.append(f"| {g['function']} | `{g['quantity']}` | {_fmt(g['max_rel'])} | {g['tolerance']} | "
                     f"{g['label']} | {g['cases']} |")
    lines.append("")
    if sections:
        lines.append("## Divergences")
        lines.append("")
    for s in sections:
        lines.append(f"### {s.title}")
        lines.append("")
        lines.append(s.explanation)
        if s.reference:
            lines.append("")
            lines.append(f"Reference: {s.reference}")
        if s.evidence:
            lines.append("")
            lines.append(f"Recomputed to decide: {s.evidence}")
        lines.append("")
        lines.append("Quantities: " + ", ".join(f"`{g['quantity']}` (worst {_fmt(g['max_rel'])})" for g in s.rows))
        lines.append("")
        lines.append(f"Smallest fixture case: `{s.smallest_case}` ({s.smallest_size} rows), "
                     f"params `{json.dumps(s.case_params, sort_keys=True, default=str)}`.")
        if s.corpus:
            lines.append("")
            lines.append(f"Smallest cohort found by fuzzing ({s.corpus['n']} rows, `{s.corpus['path']}`):")
            lines.append("")
            lines.append("```")
            lines.append(s.corpus["csv"].rstrip())
            lines.append("```")
        lines.append("")
    return "\n".join(lines) + "\n"


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 80em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.2em 0.5em; font-size: 90%; }}
th {{ background: #f4f4f4; }} .agrees {{ color: #176317; }} .known {{ color: #0b5c8a; }}
.new, .error {{ color: #b00020; font-weight: bold; }} .np {{ color: #8a6d0b; }}
pre {{ background: #f7f7f7; padding: 0.5em; overflow-x: auto; }} code {{ font-size: 90%; }}
</style></head><body>
{body}
</body></html>
"""


_CSS = {Classification.AGREES: "agrees", Classification.KNOWN: "known", Classification.NOT_PROVIDED: "np",
        Classification.ENGINE_ERROR: "error", Classification.NEW: "new"}


def _cls(c: Classification | None) -> str:
    return _CSS.get(c, "new") if c is not None else "new"


def _html(report: CheckReport, sections: list[_Section]) -> str:
    e = html.escape
    v = report.reference_versions
    parts = [f"<h1>Parity report: {e(report.engine)} {e(report.engine_version)} vs {e(report.against)}</h1>",
             f"<p>Reference: {e(str(v.get('R', '?')))}; survival {e(str(v.get('survival', '?')))}; "
             f"MatchIt {e(str(v.get('MatchIt', '?')))}; BLAS {e(str(v.get('BLAS', '?')))}.</p>"]
    counts = report.classification_counts()
    parts.append("<p>Summary: " + ", ".join(f"{n} {e(k)}" for k, n in sorted(counts.items())) + ".</p>")
    parts.append("<table><tr><th>function</th><th>quantity</th><th>worst rel. diff</th><th>tolerance</th>"
                 "<th>classification</th><th>cases</th></tr>")
    for g in aggregate(report.rows, by_dataset=False):
        parts.append(f"<tr><td>{e(g['function'])}</td><td><code>{e(g['quantity'])}</code></td>"
                     f"<td>{e(_fmt(g['max_rel']))}</td><td>{e(g['tolerance'])}</td>"
                     f"<td class='{_cls(g['classification'])}'>{e(g['label'])}</td><td>{g['cases']}</td></tr>")
    parts.append("</table>")
    if sections:
        parts.append("<h2>Divergences</h2>")
    for s in sections:
        parts.append(f"<h3 class='{_cls(s.classification)}'>{e(s.title)}</h3><p>{e(s.explanation)}</p>")
        if s.reference:
            parts.append(f"<p>Reference: {e(s.reference)}</p>")
        if s.evidence:
            parts.append(f"<p>Recomputed to decide: {e(s.evidence)}</p>")
        parts.append("<p>Quantities: " + ", ".join(
            f"<code>{e(g['quantity'])}</code> (worst {e(_fmt(g['max_rel']))})" for g in s.rows) + "</p>")
        parts.append(f"<p>Smallest fixture case: <code>{e(s.smallest_case)}</code> ({s.smallest_size} rows), "
                     f"params <code>{e(json.dumps(s.case_params, sort_keys=True, default=str))}</code>.</p>")
        if s.corpus:
            parts.append(f"<p>Smallest cohort found by fuzzing ({s.corpus['n']} rows, "
                         f"<code>{e(str(s.corpus['path']))}</code>):</p><pre>{e(s.corpus['csv'])}</pre>")
    return _HTML.format(title=e(f"rparity: {report.engine} vs {report.against}"), body="\n".join(parts))


def write_reports(report: CheckReport, out_dir: str | Path, *,
                  corpus_dir: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``<engine>-vs-<against>.md`` and ``.html`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = divergence_sections(report, corpus_dir)
    stem = f"{report.engine}-vs-{report.against}".replace("/", "_").replace(":", "_")
    md, ht = out / f"{stem}.md", out / f"{stem}.html"
    atomic_write_text(md, _markdown(report, sections))
    atomic_write_text(ht, _html(report, sections))
    return md, ht
