"""The study report: one self-contained HTML file.

Figures are SVG from :mod:`rparity.study.figures`, embedded as ``data:`` URIs;
styles and the one small script are inline; nothing is fetched from the
network, so the file reads the same offline. Tables are plain HTML (readable
without JavaScript); the full list of compared numbers sits in a
``<details>`` element. The inline script only marks ``<body>`` with
``data-figures="loaded"`` once every figure has decoded, which the
headless-browser test reads.

:func:`build_context` turns the engines' results into rows of formatted
strings, reading each number by its typed key (:mod:`~rparity.study.keys`)
and each classification as its enum; the template
(``templates/report.html.j2``) only lays them out. Keys appear in the parity
tables in their printed form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from rparity_contract.verdicts import Classification

from . import keys as K
from .cohort import Cohort
from .figures import forest_plot, km_figure, love_plot
from .keys import Level, Model, Quantity, Sample, Step, StudyKey, Table1Test
from .parity import StudyParity
from .published import PublishedVerdict, check_published, table1_test_verdicts
from .report_util import data_uri
from .result import StudyResult
from .spec import TREATMENT, StudySpec
from .steps_cox import variables
from .versions import context as versions_context

__all__ = ["TEST_NAMES", "TEST_SHORT_NAMES", "build_context", "render_html", "ReportInputs", "display_order", "fmt_p",
           "fmt_hr", "fmt_pct"]

TEST_NAMES = {Table1Test.FISHER: "Fisher's exact test (fisher.test)",
              Table1Test.CHISQ: "Pearson's chi-square with Yates' continuity correction (chisq.test)",
              Table1Test.CHISQ_UNCORRECTED: "Pearson's chi-square without continuity correction "
                                            "(chisq.test, correct = FALSE)"}
#: the test's name in a sentence
TEST_SHORT_NAMES = {Table1Test.FISHER: "Fisher's exact test",
                    Table1Test.CHISQ: "Pearson's chi-square with Yates' continuity correction",
                    Table1Test.CHISQ_UNCORRECTED: "Pearson's chi-square without continuity correction"}
Q = Quantity


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
    versions: Any = None  # a rparity.study.versions.VersionMatrix (``--matchit``)


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
    return data_uri(svg)


@dataclass
class Cell:
    """A table cell: the first engine's text, and the others' when they print differently."""

    text: str
    others: list[tuple[str, str]] = field(default_factory=list)  # (engine, text) that differ
    same: list[str] = field(default_factory=list)  # engines printing the same text
    note: str = ""


def _cell(results: Sequence[StudyResult], fn, note_key: StudyKey | None = None) -> Cell:
    first = fn(results[0])
    c = Cell(text=first)
    for r in results[1:]:
        t = fn(r)
        if t == first:
            c.same.append(r.engine)
        else:
            c.others.append((r.engine, t))
    if note_key is not None:
        c.note = results[0].note(note_key)
    return c


# ------------------------------------------------------------- sections -----

def _table1(spec: StudySpec, results, sample: Sample) -> dict | None:
    a = results[0]
    if K.table1(sample, Q.TOTAL, arm=spec.arms.treated) not in a:
        return None
    totals = {arm: a.get(K.table1(sample, Q.TOTAL, arm=arm)) for arm in spec.arms.order}
    rows = []
    for cov in spec.covariates:
        ps = [(r.engine, fmt_p(r.get(K.table1(sample, Q.P, variable=cov.name)))) for r in results]
        rows.append({"label": cov.label, "kind": "head", "ps": ps})
        for positive, lab in ((True, cov.positive_label), (False, cov.negative_label)):
            cells = []
            for arm in spec.arms.order:
                n = a.get(K.table1(sample, Q.N, variable=cov.name, arm=arm))
                if not positive and n is not None:
                    n = totals[arm] - n
                cells.append(fmt_pct(n, totals[arm]))
            rows.append({"label": lab, "kind": "level", "cells": cells})
    return {"sample": sample.value, "totals": [totals[a_] for a_ in spec.arms.order], "rows": rows,
            "engines": [r.engine for r in results]}


def _km_table(spec: StudySpec, results, endpoint: str, landmarks) -> dict:
    rows = []
    for sample in Sample:
        if not any(K.km(sample, endpoint, spec.arms.treated, Q.N) in r for r in results):
            continue
        for arm in spec.arms.order:
            def key(q: Quantity, landmark: float | None = None, sample=sample, arm=arm) -> StudyKey:
                return K.km(sample, endpoint, arm, q, landmark=landmark)

            def surv(r: StudyResult, lm: float, key=key) -> str:
                return fmt_surv(*(r.get(key(q, lm)) for q in (Q.SURV, Q.LOWER, Q.UPPER)))

            cells = [_cell(results, lambda r, lm=lm: surv(r, lm), key(Q.SURV, lm)) for lm in landmarks]
            median = _cell(results, lambda r: fmt_time(r.get(key(Q.MEDIAN)), r.get(key(Q.MEDIAN_LOWER)),
                                                        r.get(key(Q.MEDIAN_UPPER))))
            rows.append({"sample": sample.value, "arm": spec.arms.label(arm), "n": results[0].get(key(Q.N)),
                         "events": results[0].get(key(Q.EVENTS)), "cells": cells, "median": median,
                         "logrank": None})
        pkey, ckey = K.logrank(sample, endpoint, Q.PVALUE), K.logrank(sample, endpoint, Q.CHISQ)
        lr = _cell(results, lambda r, pkey=pkey: fmt_p(r.get(pkey)))
        chisq = _cell(results, lambda r, ckey=ckey: "—" if _nan(r.get(ckey)) else f"{r.get(ckey):.3f}")
        rows[-1]["logrank"] = {"p": lr, "chisq": chisq}
    return {"endpoint": spec.endpoints[endpoint].label, "landmarks": [f"{lm:g}" for lm in landmarks], "rows": rows}


def _var_label(spec: StudySpec, v: str) -> str:
    if v == TREATMENT:
        return f"Treatment allocation, {spec.arms.label(spec.arms.treated)}"
    c = spec.covariate(v)
    return f"{c.label}, {c.positive_label}"


def _cox_table(spec: StudySpec, results) -> dict:
    cols = [(s, m) for s in Sample for m in Model]
    rows = []
    for v in variables(spec):
        cells = []
        for s, m in cols:
            def key(q: Quantity, s=s, m=m, v=v) -> StudyKey:
                return K.cox(s, m, q, variable=v)

            if not any(key(Q.HR) in r for r in results):
                cells += [Cell(""), Cell("")]
                continue
            cells.append(_cell(results, lambda r: fmt_hr(r.get(key(Q.HR)), r.get(key(Q.LOWER)), r.get(key(Q.UPPER))),
                               key(Q.HR)))
            cells.append(_cell(results, lambda r: fmt_p(r.get(key(Q.P)))))
        rows.append({"label": _var_label(spec, v), "cells": cells})
    sel = {}
    for s in Sample:
        items = []
        for v in results[0].get(K.cox(s, Model.MULTIVARIABLE, Q.SELECTED), ()) or ():
            reason = results[0].get(K.cox(s, Model.MULTIVARIABLE, Q.REASON, variable=v), "")
            items.append(f"{_var_label(spec, v)} ({reason})")
        sel[s.value] = items
    return {"rows": rows, "selected": sel}


def _subgroup_table(spec: StudySpec, results, sample: Sample) -> list[dict]:
    rows = []
    a = results[0]
    for name in spec.subgroups.covariates:
        cov = spec.covariate(name)
        for level, lab in ((Level.POSITIVE, cov.positive_label), (Level.NEGATIVE, cov.negative_label)):
            def key(q: Quantity, arm: str | None = None, level=level, name=name) -> StudyKey:
                return K.subgroup(sample, name, level, q, arm=arm)

            rows.append({"label": f"{cov.label} {lab}", "n": a.get(key(Q.N)), "events": a.get(key(Q.EVENTS)),
                         "arms": [a.get(key(Q.N, arm)) for arm in spec.arms.order],
                         "hr": _cell(results, lambda r: fmt_hr(r.get(key(Q.HR)), r.get(key(Q.LOWER)),
                                                                r.get(key(Q.UPPER))), key(Q.HR)),
                         "p": _cell(results, lambda r: fmt_p(r.get(key(Q.P))))})
    return rows


def _balance_table(spec: StudySpec, results) -> list[dict]:
    rows = []
    for row in ("distance", *spec.matching.covariates):
        label = "Propensity score (distance)" if row == "distance" else _var_label(spec, row)

        def smd(r, s, row=row):
            v = r.get(K.balance(s, row, Q.SMD))
            return "—" if _nan(v) else f"{v:.4f}"

        rows.append({"label": label, "before": _cell(results, lambda r: smd(r, Sample.BEFORE)),
                     "after": _cell(results, lambda r: smd(r, Sample.AFTER))})
    return rows


def _matching(spec: StudySpec, results) -> dict | None:
    a = results[0]
    pairs = K.matching(Q.PAIRS)
    if pairs not in a:
        return None
    same_pairs = [r.engine for r in results[1:] if r.get(pairs) == a.get(pairs)]
    diff_pairs = [r.engine for r in results[1:] if pairs in r and r.get(pairs) != a.get(pairs)]
    return {"n": [(spec.arms.label(arm), a.get(K.cohort(arm=arm)), a.get(K.matching(Q.N, arm=arm)))
                  for arm in spec.arms.order],
            "pairs": len(a.get(pairs)), "caliper": a.get(K.matching(Q.CALIPER)),
            "same_pairs": same_pairs, "diff_pairs": diff_pairs,
            "warnings": list(a.get(K.matching(Q.WARNINGS), ())), "balance": _balance_table(spec, results)}


def _steps_table(results) -> dict:
    """Steps that did not run everywhere: {"engines": [...], "rows": [(step, [status per engine])]}."""
    names = list(dict.fromkeys(s for r in results for s in r.steps))
    rows = [(str(s), [str(r.steps[s]) if s in r.steps else "-" for r in results]) for s in names
            if any(s not in r.steps or not r.steps[s].ok for r in results)]
    return {"engines": [r.engine for r in results], "rows": rows}


def _cls(c: Classification | None) -> str:
    """The CSS class of a classification."""
    return {Classification.AGREES: "cls-agrees", Classification.NEW: "cls-new",
            Classification.NOT_PROVIDED: "cls-np", Classification.KNOWN: "cls-known"}.get(c, "cls-new")


def _parity(inp: ReportInputs) -> dict:
    p = inp.parity
    rows = []
    for r in p.rows:
        rows.append({"key": str(r.key), "source": str(r.source), "a": _num(r.a), "b": _num(r.b),
                     "rel": "—" if _nan(r.max_rel) else f"{r.max_rel:.1e}", "tol": r.tolerance,
                     "cls": r.label, "css": _cls(r.classification), "detail": r.detail, "evidence": r.evidence,
                     "agrees": r.classification is Classification.AGREES})
    by_source = [{"source": str(g.source), "n": g.n, "tolerance": g.tolerance, "cls": g.label,
                  "css": _cls(g.classification),
                  "max_rel": "—" if _nan(g.max_rel) else f"{g.max_rel:.1e}",
                  "max_abs": "—" if _nan(g.max_abs) else f"{g.max_abs:.1e}"} for g in p.by_source()]
    return {"ran": p.ran, "reason": p.reason, "ok": p.ok, "engines": list(p.engines), "counts": p.counts(),
            "n": len(p.rows), "rows": rows, "problems": [x for x in rows if not x["agrees"]],
            "all_agree": all(x["agrees"] for x in rows), "by_source": by_source, "known": list(p.known)}


def _published(spec: StudySpec, results) -> dict | None:
    if not spec.published:
        return None
    a = results[0]
    checks = check_published(spec, a)
    counts: dict[str, int] = {}
    groups: dict[str, dict] = {}
    for c in checks:
        counts[c.verdict.value] = counts.get(c.verdict.value, 0) + 1
        g = groups.setdefault(_published_group(c.key), {"n": 0, "matches": 0})
        g["n"] += 1
        g["matches"] += c.verdict is PublishedVerdict.MATCHES
    audit = None
    if any(k.step is Step.PUBLISHED_AUDIT for k in a.keys()):
        v = table1_test_verdicts(spec, a)
        tests = [{"test": TEST_NAMES[t], "key": t.value, "n": v[t].n, "matches": v[t].count(PublishedVerdict.MATCHES),
                  "last": v[t].count(PublishedVerdict.LAST_DIGIT), "differs": v[t].count(PublishedVerdict.DIFFERS),
                  "chosen": t == spec.table1.test} for t in Table1Test]
        rows = []
        for per_test in zip(*(v[t].rows for t in Table1Test)):
            rows.append({"key": per_test[0].name, "published": per_test[0].published,
                         "tests": [(c.shown, c.verdict.value) for c in per_test]})
        audit = {"tests": tests, "rows": rows}
    shown = [{"key": c.name, "published": c.published, "shown": c.shown, "verdict": c.verdict.value,
              "note": c.note} for c in checks]
    return {"note": spec.published_note, "checks": shown, "counts": counts, "audit": audit,
            "engine": a.engine, "groups": [(k, v["matches"], v["n"]) for k, v in groups.items()]}


def _published_group(key: StudyKey | None) -> str:
    """The kind of number a published key is, for the report's summary."""
    if key is None:
        return "Numbers this spec's analysis does not compute"
    when = {Sample.BEFORE: "before matching", Sample.AFTER: "after matching"}.get(key.sample, "")
    if key.step is Step.TABLE1:
        what = "p-values" if key.quantity is Q.P else "counts"
        return f"Table 1 {what} {when}".strip()
    if key.step is Step.MATCHING:
        return "Matched sample size"
    if key.step in (Step.KM, Step.LOGRANK):
        return f"Kaplan–Meier and log-rank {when}".strip()
    if key.step is Step.COX:
        return f"Cox models {when}".strip()
    return key.step.value


def display_order(results: Sequence[StudyResult]) -> list[StudyResult]:
    """The engine whose numbers the tables show first: the one that ran the most
    steps (a peer that lacks matching should not leave Table 1 empty); ties keep
    the command line's order."""
    return sorted(results, key=lambda r: -sum(v.ok for v in r.steps.values()))


def build_context(inp: ReportInputs) -> dict:
    """The template's context: formatted rows, figures as data URIs."""
    spec, results = inp.spec, display_order(inp.results)
    treated = spec.arms.treated
    figs = []
    if any(K.km(Sample.BEFORE, spec.primary, treated, Q.TIME, curve=True) in r for r in results):
        second = f"; black dashes: {results[1].engine})" if len(results) > 1 else ")"
        figs.append(("km", f"Kaplan–Meier {spec.endpoints[spec.primary].label.lower()} per arm, before and after "
                           f"matching; {' and '.join(r.engine for r in results)} overlaid "
                           f"(solid: {results[0].engine}" + second,
                     _data_uri(km_figure(spec, results, spec.primary))))
    sec_figs = []
    for ep in spec.secondary.endpoints:
        if ep != spec.primary and any(K.km(Sample.BEFORE, ep, treated, Q.TIME, curve=True) in r for r in results):
            sec_figs.append((f"km-{ep}", f"Kaplan–Meier {spec.endpoints[ep].label} per arm",
                             _data_uri(km_figure(spec, results, ep))))
    love = (_data_uri(love_plot(spec, results))
            if any(K.balance(Sample.BEFORE, "distance", Q.SMD) in r for r in results) else None)
    forests = []
    for s in spec.subgroups.samples:
        s = Sample(s)
        if any(K.subgroup(s, spec.subgroups.covariates[0], Level.POSITIVE, Q.HR) in r for r in results):
            forests.append((s.value, _data_uri(forest_plot(spec, results, s)), _subgroup_table(spec, results, s)))
    return {
        "spec": spec,
        "title": spec.title,
        "engines": [r.engine for r in results],
        "notices": inp.notices,
        "methods_notes": inp.methods_notes,
        "test_name": TEST_NAMES[Table1Test(spec.table1.test)],
        "arms": [spec.arms.label(a) for a in spec.arms.order],
        "covariates": spec.covariates,
        "table1": [t for t in (_table1(spec, results, s) for s in Sample) if t],
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
        "versions": None if inp.versions is None else versions_context(inp.versions, spec),
        "weighting": _weighting_context(spec, results),
        "spss21": _profile_context(spec, results),
    }


def _profile_context(spec: StudySpec, results) -> dict | None:
    """The spec's profile section (``templates/spss21.html.j2``), or None."""
    from .profile_spss import report_context

    return report_context(spec, results)


def _weighting_context(spec: StudySpec, results) -> dict | None:
    from .report_weighting import weighting_context  # (it formats with this module's helpers)

    return weighting_context(spec, results)


def render_html(inp: ReportInputs) -> str:
    """The report as one HTML string."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("rparity.study", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["tidy"] = lambda x: f"{x:g}"
    return env.get_template("report.html.j2").render(**build_context(inp))
