"""The published numbers: are they reproduced, and which test made Table 1?

Two checks, both driven by the spec's ``[published.values]`` (numbers as
printed in the paper, as strings, under the study's keys):

* :func:`check_published` compares each published number with the reproduced
  one at the paper's printed precision: "matches" (rounds to the printed
  value, or satisfies ``<0.001``), "last digit" (one unit away in the last
  printed digit: truncation instead of rounding, or a different rounding
  rule), "differs", or "not computed".
* :func:`audit_table1_tests` recomputes each published Table 1 p-value from the
  *published counts* with every test the pipeline knows, in an engine, so the
  report can say which test the paper's p-values come from, whatever cohort is
  analysed.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .result import Recorder
from .spec import TABLE1_TESTS, StudySpec

__all__ = ["PublishedCheck", "check_published", "audit_table1_tests", "published_table1"]

_NUM = re.compile(r"^(?P<op>[<>]?)\s*(?P<num>-?\d+(?:\.(?P<dec>\d+))?)$")


@dataclass(frozen=True)
class PublishedCheck:
    key: str
    published: str
    reproduced: float | None
    shown: str  # the reproduced value at the published precision
    verdict: str  # matches | last digit | differs | not computed
    note: str = ""


def _as_float(v) -> float | None:
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x


def check_published(spec: StudySpec, values, notes=None) -> list[PublishedCheck]:
    """Compare ``values`` (a StudyResult or mapping) with the spec's published numbers."""
    out = []
    notes = notes or {}
    for key, text in spec.published.items():
        m = _NUM.match(text)
        op, num, dec = m.group("op"), float(m.group("num")), len(m.group("dec") or "")
        x = _as_float(values.get(key)) if hasattr(values, "get") else None
        if x is None or math.isnan(x):
            out.append(PublishedCheck(key, text, x, "—", "not computed", notes.get(key, "")))
            continue
        shown = f"{x:.{dec}f}"
        if op == "<":
            verdict = "matches" if x < num else "differs"
            shown = f"<{num:.{dec}f}" if x < num else shown
        elif op == ">":
            verdict = "matches" if x > num else "differs"
            shown = f">{num:.{dec}f}" if x > num else shown
        else:
            unit = 10.0 ** -dec
            if float(shown) == num:
                verdict = "matches"
            elif abs(x - num) <= unit * 1.5:
                verdict = "last digit"
            else:
                verdict = "differs"
        out.append(PublishedCheck(key, text, x, shown, verdict, notes.get(key, "")))
    return out


def published_table1(spec: StudySpec) -> dict[tuple[str, str], np.ndarray]:
    """``{(sample, covariate): 2 x 2 table}`` from the published counts and arm
    totals (only where all four numbers are published)."""
    pub = spec.published
    out = {}
    for sample in ("before", "after"):
        totals = [pub.get(f"table1.{sample}.{arm}.total") for arm in spec.arms.order]
        if any(t is None for t in totals):
            continue
        for cov in spec.covariate_names:
            ns = [pub.get(f"table1.{sample}.{cov}.{arm}.n") for arm in spec.arms.order]
            if any(n is None for n in ns) or f"table1.{sample}.{cov}.p" not in pub:
                continue
            rows = [[int(float(n)), int(float(t)) - int(float(n))] for n, t in zip(ns, totals)]
            out[(sample, cov)] = np.array(rows, dtype=np.int64)
    return out


def audit_table1_tests(eng, rec: Recorder, spec: StudySpec) -> None:
    """p-values of every Table 1 test on the published counts, in engine ``eng``:
    keys ``published_audit.table1.<sample>.<covariate>.<test>.p``."""
    for (sample, cov), tab in published_table1(spec).items():
        for test in TABLE1_TESTS:
            key = f"published_audit.table1.{sample}.{cov}.{test}.p"
            if test == "fisher":
                rec.put(key, float(eng.fisher_test(tab).pvalue), ("fisher_test", "pvalue"))
            else:
                rec.put(key, float(eng.chisq_test(tab, correct=(test == "chisq")).pvalue), ("chisq_test", "pvalue"))


def table1_test_verdicts(spec: StudySpec, values) -> dict[str, dict]:
    """Per test: how many published Table 1 p-values it reproduces at the
    printed precision (from :func:`audit_table1_tests`' numbers)."""
    out: dict[str, dict] = {}
    for test in TABLE1_TESTS:
        rows = []
        for (sample, cov) in published_table1(spec):
            pkey = f"table1.{sample}.{cov}.p"
            key = f"published_audit.table1.{sample}.{cov}.{test}.p"
            chk = check_published(_OneKey(spec, pkey), {pkey: values.get(key)})
            rows.extend(chk)
        n = len(rows)
        out[test] = {"n": n, "matches": sum(r.verdict == "matches" for r in rows),
                     "last digit": sum(r.verdict == "last digit" for r in rows),
                     "differs": sum(r.verdict == "differs" for r in rows), "rows": rows}
    return out


class _OneKey:
    """A spec stand-in holding one published value (for :func:`check_published`)."""

    def __init__(self, spec: StudySpec, key: str):
        self.published = {key: spec.published[key]}


def _published_float(text: str | None) -> float | None:
    if text is None:
        return None
    m = _NUM.match(text)
    x = float(m.group("num"))
    # "<0.001" is below its bound; ">x" above: either way on the same side of a threshold
    return x - 1e-12 if m.group("op") == "<" else (x + 1e-12 if m.group("op") == ">" else x)


def paper_selection_check(spec: StudySpec) -> list[str]:
    """Apply the spec's multivariable selection rule to the *published*
    univariate p-values and Table 1 p-values, and say where the paper's own
    multivariable models (the variables with a published multivariable HR)
    differ from what its stated rule selects."""
    from .steps_cox import variables

    pub = spec.published
    notes = []

    def lab(v: str) -> str:
        return "treatment" if v == "treatment" else spec.covariate(v).label

    for sample in ("before", "after"):
        shown = [v for v in variables(spec) if f"cox.{sample}.multivariable.{v}.hr" in pub]
        if not shown:
            continue
        rule = []
        for v in variables(spec):
            why = []
            if v in spec.cox.force:
                why.append("named")
            p = _published_float(pub.get(f"cox.{sample}.univariate.{v}.p"))
            if p is not None and p < spec.cox.univariate_p:
                why.append(f"univariate p {pub[f'cox.{sample}.univariate.{v}.p']}")
            if v != "treatment" and spec.cox.imbalance == "table1_p":
                q = _published_float(pub.get(f"table1.{sample}.{v}.p"))
                if q is not None and q < spec.cox.imbalance_threshold:
                    why.append(f"imbalanced, Table 1 p {pub[f'table1.{sample}.{v}.p']}")
            if why:
                rule.append((v, why))
        rule_names = [v for v, _ in rule]
        missing = [(v, w) for v, w in rule if v not in shown]
        extra = [v for v in shown if v not in rule_names]
        what = "before" if sample == "before" else "after"
        if not missing and not extra:
            notes.append(f"The paper's multivariable model {what} matching ({', '.join(map(lab, shown))}) is what its stated "
                         f"rule selects from its own published numbers.")
            continue
        parts = []
        if missing:
            parts.append("the rule also selects " + "; ".join(f"{lab(v)} ({', '.join(w)})" for v, w in missing)
                         + ", which the paper's model does not contain")
        if extra:
            parts.append("the paper's model contains " + ", ".join(map(lab, extra)) + ", which the rule does not select")
        notes.append(f"The paper's multivariable model {what} matching contains {', '.join(map(lab, shown))}; applying its "
                     f"stated rule (univariate p < {spec.cox.univariate_p:g}, named variables, imbalanced variables) "
                     f"to its own published numbers, " + "; ".join(parts) + ".")
    return notes
