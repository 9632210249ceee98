"""The study report: one self-contained HTML file.

Figures are SVG from :mod:`rparity.study.figures`, embedded as ``data:`` URIs;
styles and the one small script are inline; nothing is fetched from the
network, so the file reads the same offline. Tables are plain HTML (readable
without JavaScript); the full list of compared numbers sits in a
``<details>`` element. The inline script only marks ``<body>`` with
``data-figures="loaded"`` once every figure has decoded, which the
headless-browser test reads.

:func:`build_context` turns the engines' results into rows of formatted
strings; the template (``templates/report.html.j2``) only lays them out.
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from .cohort import Cohort
from .figures import forest_plot, km_figure, love_plot
from .parity import StudyParity
from .published import check_published, table1_test_verdicts
from .result import StudyResult, landmark_key
from .spec import TABLE1_TESTS, TREATMENT, StudySpec
from .steps_cox import variables

__all__ = ["build_context", "render_html", "ReportInputs", "display_order", "fmt_p", "fmt_hr", "fmt_pct"]

TEST_NAMES = {"fisher": "Fisher's exact test (fisher.test)",
              "chisq": "Pearson's chi-square with Yates' continuity correction (chisq.test)",
              "chisq_uncorrected": "Pearson's chi-square without continuity correction (chisq.test, correct = FALSE)"}


@dataclass
class ReportInputs:
    """Everything the report shows."""

    spec: StudySpec
    cohort: Cohort
    results: Sequence[StudyResult]
    parity: StudyParity
    provenance: dict
    notices: list[str] = field(default_factory=list)
    methods_notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------- formatting ---

def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_p(p: Any) -> str:
    if _nan(p):
        return "—"
    p = float(p)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_pct(n: Any, total: Any) -> str:
    if _nan(n) or _nan(total) or not total:
        return "—"
    return f"{int(n)} ({100.0 * n / total:.1f})"


def fmt_hr(hr: Any, lo: Any, hi: Any) -> str:
    if _nan(hr):
        return "—"
    if _nan(lo) or _nan(hi):
        return f"{hr:.3f}"
    return f"{hr:.3f} ({lo:.3f}–{hi:.3f})"


def fmt_surv(s: Any, lo: Any, hi: Any) -> str:
    if _nan(s):
        return "—"
    ci = "" if _nan(lo) or _nan(hi) else f" ({100 * lo:.1f}–{100 * hi:.1f})"
    return f"{100 * s:.1f}{ci}"


def fmt_time(t: Any, lo: Any = None, hi: Any = None) -> str:
    if _nan(t):
        return "not reached"
    lo_s = "NR" if _nan(lo) else f"{lo:g}"
    hi_s = "NR" if _nan(hi) else f"{hi:g}"
    return f"{t:g} ({lo_s}–{hi_s})"


def _num(x: Any) -> str:
    if _nan(x):
        return "—"
    if isinstance(x, float):
        return f"{x:.17g}"
    if isinstance(x, (tuple, list)):
        return "; ".join(map(str, x)) if x else "(none)"
    return str(x)


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@dataclass
class Cell:
    """A table cell: the first engine's text, and the others' when they print differently."""

    text: str
    others: list[tuple[str, str]] = field(default_factory=list)  # (engine, text) that differ
    same: list[str] = field(default_factory=list)  # engines printing the same text
    note: str = ""


def _cell(results: Sequence[StudyResult], fn, note_key: str | None = None) -> Cell:
    first = fn(results[0])
    c = Cell(text=first)
    for r in results[1:]:
        t = fn(r)
        if t == first:
            c.same.append(r.engine)
        else:
            c.others.append((r.engine, t))
    if note_key:
        c.note = results[0].notes.get(note_key, "")
    return c


# ------------------------------------------------------------- sections -----

def _table1(spec: StudySpec, results, sample: str) -> dict | None:
    a = results[0]
    if f"table1.{sample}.{spec.arms.treated}.total" not in a:
        return None
    totals = {arm: a.get(f"table1.{sample}.{arm}.total") for arm in spec.arms.order}
    rows = []
    for cov in spec.covariates:
        ps = [(r.engine, fmt_p(r.get(f"table1.{sample}.{cov.name}.p"))) for r in results]
        rows.append({"label": cov.label, "kind": "head", "ps": ps})
        for level, lab in (("pos", cov.positive_label), ("neg", cov.negative_label)):
            cells = []
            for arm in spec.arms.order:
                n = a.get(f"table1.{sample}.{cov.name}.{arm}.n")
                if level == "neg" and n is not None:
                    n = totals[arm] - n
                cells.append(fmt_pct(n, totals[arm]))
            rows.append({"label": lab, "kind": "level", "cells": cells})
    return {"sample": sample, "totals": [totals[a_] for a_ in spec.arms.order], "rows": rows,
            "engines": [r.engine for r in results]}


def _km_table(spec: StudySpec, results, endpoint: str, landmarks) -> dict:
    rows = []
    for sample in ("before", "after"):
        if not any(f"km.{sample}.{endpoint}.{spec.arms.treated}.n" in r for r in results):
            continue
        for arm in spec.arms.order:
            base = f"km.{sample}.{endpoint}.{arm}"
            cells = [_cell(results, lambda r, lm=lm: fmt_surv(*(r.get(f"{base}.landmark.{landmark_key(lm)}.{q}")
                                                                 for q in ("surv", "lower", "upper"))),
                           f"{base}.landmark.{landmark_key(lm)}.surv") for lm in landmarks]
            median = _cell(results, lambda r: fmt_time(r.get(f"{base}.median"), r.get(f"{base}.median_lower"),
                                                        r.get(f"{base}.median_upper")))
            rows.append({"sample": sample, "arm": spec.arms.label(arm), "n": results[0].get(f"{base}.n"),
                         "events": results[0].get(f"{base}.events"), "cells": cells, "median": median,
                         "logrank": None})
        lr = _cell(results, lambda r: fmt_p(r.get(f"logrank.{sample}.{endpoint}.pvalue")))
        chisq = _cell(results, lambda r: "—" if _nan(r.get(f"logrank.{sample}.{endpoint}.chisq"))
                      else f"{r.get(f'logrank.{sample}.{endpoint}.chisq'):.3f}")
        rows[-1]["logrank"] = {"p": lr, "chisq": chisq}
    return {"endpoint": spec.endpoints[endpoint].label, "landmarks": [f"{lm:g}" for lm in landmarks], "rows": rows}


def _var_label(spec: StudySpec, v: str) -> str:
    if v == TREATMENT:
        return f"Treatment allocation, {spec.arms.label(spec.arms.treated)}"
    c = spec.covariate(v)
    return f"{c.label}, {c.positive_label}"


def _cox_table(spec: StudySpec, results) -> dict:
    cols = [(s, m) for s in ("before", "after") for m in ("univariate", "multivariable")]
    rows = []
    for v in variables(spec):
        cells = []
        for s, m in cols:
            base = f"cox.{s}.{m}.{v}"
            if not any(f"{base}.hr" in r for r in results):
                cells += [Cell(""), Cell("")]
                continue
            cells.append(_cell(results, lambda r: fmt_hr(r.get(f"{base}.hr"), r.get(f"{base}.lower"),
                                                         r.get(f"{base}.upper")), f"{base}.hr"))
            cells.append(_cell(results, lambda r: fmt_p(r.get(f"{base}.p"))))
        rows.append({"label": _var_label(spec, v), "cells": cells})
    sel = {}
    for s in ("before", "after"):
        items = []
        for v in results[0].get(f"cox.{s}.multivariable.selected", ()) or ():
            items.append(f"{_var_label(spec, v)} ({results[0].get(f'cox.{s}.multivariable.{v}.reason', '')})")
        sel[s] = items
    return {"rows": rows, "selected": sel}


def _subgroup_table(spec: StudySpec, results, sample: str) -> list[dict]:
    rows = []
    for name in spec.subgroups.covariates:
        cov = spec.covariate(name)
        for level, lab in (("positive", cov.positive_label), ("negative", cov.negative_label)):
            key = f"subgroup.{sample}.{name}.{level}"
            a = results[0]
            rows.append({"label": f"{cov.label} {lab}", "n": a.get(f"{key}.n"), "events": a.get(f"{key}.events"),
                         "arms": [a.get(f"{key}.{arm}.n") for arm in spec.arms.order],
                         "hr": _cell(results, lambda r: fmt_hr(r.get(f"{key}.hr"), r.get(f"{key}.lower"),
                                                                r.get(f"{key}.upper")), f"{key}.hr"),
                         "p": _cell(results, lambda r: fmt_p(r.get(f"{key}.p")))})
    return rows


def _balance_table(spec: StudySpec, results) -> list[dict]:
    rows = []
    for row in ("distance", *spec.matching.covariates):
        label = "Propensity score (distance)" if row == "distance" else _var_label(spec, row)

        def smd(r, s, row=row):
            v = r.get(f"balance.{s}.{row}.smd")
            return "—" if _nan(v) else f"{v:.4f}"

        rows.append({"label": label, "before": _cell(results, lambda r: smd(r, "before")),
                     "after": _cell(results, lambda r: smd(r, "after"))})
    return rows


def _matching(spec: StudySpec, results) -> dict | None:
    a = results[0]
    if "matching.pairs" not in a:
        return None
    same_pairs = [r.engine for r in results[1:] if r.get("matching.pairs") == a.get("matching.pairs")]
    diff_pairs = [r.engine for r in results[1:] if "matching.pairs" in r and r.get("matching.pairs") != a.get("matching.pairs")]
    return {"n": [(spec.arms.label(arm), a.get(f"cohort.{arm}.n"), a.get(f"matching.n.{arm}")) for arm in spec.arms.order],
            "pairs": len(a.get("matching.pairs")), "caliper": a.get("matching.caliper"),
            "same_pairs": same_pairs, "diff_pairs": diff_pairs,
            "warnings": list(a.get("matching.warnings", ())), "balance": _balance_table(spec, results)}


def _steps_table(results) -> dict:
    """Steps that did not run everywhere: {"engines": [...], "rows": [(step, [status per engine])]}."""
    names = list(dict.fromkeys(s for r in results for s in r.steps))
    rows = [(s, [r.steps.get(s, "-") for r in results]) for s in names
            if any(r.steps.get(s, "-") != "ok" for r in results)]
    return {"engines": [r.engine for r in results], "rows": rows}


def _parity(inp: ReportInputs) -> dict:
    p = inp.parity
    rows = []
    for r in p.rows:
        rows.append({"key": r.key, "source": r.source, "a": _num(r.a), "b": _num(r.b),
                     "rel": "—" if _nan(r.max_rel) else f"{r.max_rel:.1e}", "tol": r.tolerance,
                     "cls": r.classification, "detail": r.detail})
    by_source = [{**g, "max_rel": "—" if _nan(g["max_rel"]) else f"{g['max_rel']:.1e}",
                  "max_abs": "—" if _nan(g["max_abs"]) else f"{g['max_abs']:.1e}"} for g in p.by_source()]
    return {"ran": p.ran, "reason": p.reason, "ok": p.ok, "engines": list(p.engines), "counts": p.counts(),
            "n": len(p.rows), "rows": rows, "problems": [x for x in rows if x["cls"] != "agrees"],
            "by_source": by_source, "steps": p.steps, "known": list(p.known)}


def _published(spec: StudySpec, results) -> dict | None:
    if not spec.published:
        return None
    a = results[0]
    checks = check_published(spec, a, a.notes)
    counts: dict[str, int] = {}
    groups: dict[str, dict] = {}
    for c in checks:
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
        g = groups.setdefault(_published_group(c.key), {"n": 0, "matches": 0})
        g["n"] += 1
        g["matches"] += c.verdict == "matches"
    audit = None
    if any(k.startswith("published_audit.") for k in a.keys()):
        v = table1_test_verdicts(spec, a)
        audit = [{"test": TEST_NAMES[t], "key": t, "n": v[t]["n"], "matches": v[t]["matches"],
                  "last": v[t]["last digit"], "differs": v[t]["differs"],
                  "chosen": t == spec.table1.test} for t in TABLE1_TESTS]
        rows = []
        for (chk_f, chk_c, chk_u) in zip(*(v[t]["rows"] for t in TABLE1_TESTS)):
            rows.append({"key": chk_f.key, "published": chk_f.published,
                         "tests": [(c.shown, c.verdict) for c in (chk_f, chk_c, chk_u)]})
        audit = {"tests": audit, "rows": rows}
    return {"note": spec.published_note, "checks": checks, "counts": counts, "audit": audit,
            "engine": a.engine, "groups": [(k, v["matches"], v["n"]) for k, v in groups.items()]}


def _published_group(key: str) -> str:
    """The kind of number a published key is, for the report's summary."""
    parts = key.split(".")
    when = {"before": "before matching", "after": "after matching"}
    if parts[0] == "table1":
        what = "p-values" if parts[-1] == "p" else "counts"
        return f"Table 1 {what} {when.get(parts[1], '')}".strip()
    if parts[0] == "matching":
        return "Matched sample size"
    if parts[0] in ("km", "logrank"):
        return f"Kaplan–Meier and log-rank {when.get(parts[1], '')}".strip()
    if parts[0] == "cox":
        return f"Cox models {when.get(parts[1], '')}".strip()
    return parts[0]


def display_order(results: Sequence[StudyResult]) -> list[StudyResult]:
    """The engine whose numbers the tables show first: the one that ran the most
    steps (a peer that lacks matching should not leave Table 1 empty); ties keep
    the command line's order."""
    return sorted(results, key=lambda r: -sum(v == "ok" for v in r.steps.values()))


def build_context(inp: ReportInputs) -> dict:
    """The template's context: formatted rows, figures as data URIs."""
    spec, results = inp.spec, display_order(inp.results)
    figs = []
    if any(f"km.before.{spec.primary}.{spec.arms.treated}.curve.time" in r for r in results):
        figs.append(("km", f"Kaplan–Meier {spec.endpoints[spec.primary].label.lower()} per arm, before and after "
                           f"matching; {' and '.join(r.engine for r in results)} overlaid "
                           f"(solid: {results[0].engine}" + (f"; black dashes: {results[1].engine})" if len(results) > 1 else ")"),
                     _data_uri(km_figure(spec, results, spec.primary))))
    sec_figs = []
    for ep in spec.secondary.endpoints:
        if ep != spec.primary and any(f"km.before.{ep}.{spec.arms.treated}.curve.time" in r for r in results):
            sec_figs.append((f"km-{ep}", f"Kaplan–Meier {spec.endpoints[ep].label} per arm",
                             _data_uri(km_figure(spec, results, ep))))
    love = _data_uri(love_plot(spec, results)) if any("balance.before.distance.smd" in r for r in results) else None
    forests = []
    for s in spec.subgroups.samples:
        if any(f"subgroup.{s}.{spec.subgroups.covariates[0]}.positive.hr" in r for r in results):
            forests.append((s, _data_uri(forest_plot(spec, results, s)),
                            _subgroup_table(spec, results, s)))
    return {
        "spec": spec,
        "title": spec.title,
        "engines": [r.engine for r in results],
        "notices": inp.notices,
        "methods_notes": inp.methods_notes,
        "test_name": TEST_NAMES[spec.table1.test],
        "arms": [spec.arms.label(a) for a in spec.arms.order],
        "covariates": spec.covariates,
        "table1": [t for t in (_table1(spec, results, "before"), _table1(spec, results, "after")) if t],
        "matching": _matching(spec, results),
        "love": love,
        "km_figures": figs,
        "km_primary": _km_table(spec, results, spec.primary, spec.km.landmarks),
        "secondary": [_km_table(spec, results, ep, spec.secondary.landmarks) for ep in spec.secondary.endpoints
                      if ep != spec.primary],
        "secondary_figures": sec_figs,
        "cox": _cox_table(spec, results),
        "forests": forests,
        "steps": _steps_table(results),
        "parity": _parity(inp),
        "published": _published(spec, results),
        "provenance": inp.provenance,
    }


def render_html(inp: ReportInputs) -> str:
    """The report as one HTML string."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("rparity.study", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["tidy"] = lambda x: f"{x:g}"
    return env.get_template("report.html.j2").render(**build_context(inp))
