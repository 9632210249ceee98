"""The published numbers: are they reproduced, and which test made Table 1?

Two checks, both driven by the spec's ``[published.values]`` (numbers as
printed in the paper, as strings, under the keys they name):

* :func:`check_published` compares each published number with the reproduced
  one (the number recorded under the key the published name resolves to,
  :class:`~rparity.study.spec.PublishedValue`) at the paper's printed precision (:class:`PublishedVerdict`): matches
  (rounds to the printed value, or satisfies ``<0.001``), last digit (one unit
  away in the last printed digit: truncation instead of rounding, or a
  different rounding rule), differs, or not computed.
* :func:`audit_table1_tests` recomputes each published Table 1 p-value from the
  *published counts* with every test the pipeline knows, in an engine, so the
  report can say which test the paper's p-values come from, whatever cohort is
  analysed.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Mapping

import numpy as np

from . import keys as K
from .keys import Model, Quantity, Sample, StudyKey, Table1Test
from .result import Recorder, Source
from .spec import TREATMENT, StudySpec

__all__ = ["PublishedCheck", "PublishedVerdict", "check_published", "check_number", "audit_table1_tests",
           "published_table1", "table1_test_verdicts", "paper_selection_check"]

_NUM = re.compile(r"^(?P<op>[<>]?)\s*(?P<num>-?\d+(?:\.(?P<dec>\d+))?)$")


class PublishedVerdict(StrEnum):
    MATCHES = "matches"
    LAST_DIGIT = "last digit"
    DIFFERS = "differs"
    NOT_COMPUTED = "not computed"


@dataclass(frozen=True)
class PublishedCheck:
    """One published number against the reproduced one. ``name`` is the spec's
    name of the number; ``key`` the key it names (None: the pipeline records
    no such number for this spec)."""

    name: str
    key: StudyKey | None
    published: str
    reproduced: float | None
    shown: str  # the reproduced value at the published precision
    verdict: PublishedVerdict
    note: str = ""


def _as_float(v: Any) -> float | None:
    """The value as a float; None when absent, not a number, or NaN (not estimable)."""
    if v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def check_number(printed: str, x: float | None) -> tuple[str, PublishedVerdict]:
    """(``x`` at the printed precision, verdict) for a number printed as ``printed``."""
    m = _NUM.match(printed)
    op, num, dec = m.group("op"), float(m.group("num")), len(m.group("dec") or "")
    if x is None or math.isnan(x):
        return "—", PublishedVerdict.NOT_COMPUTED
    shown = f"{x:.{dec}f}"
    if op == "<":
        return (f"<{num:.{dec}f}", PublishedVerdict.MATCHES) if x < num else (shown, PublishedVerdict.DIFFERS)
    if op == ">":
        return (f">{num:.{dec}f}", PublishedVerdict.MATCHES) if x > num else (shown, PublishedVerdict.DIFFERS)
    if float(shown) == num:
        return shown, PublishedVerdict.MATCHES
    if abs(x - num) <= 10.0 ** -dec * 1.5:
        return shown, PublishedVerdict.LAST_DIGIT
    return shown, PublishedVerdict.DIFFERS


def check_published(spec: StudySpec, result) -> list[PublishedCheck]:
    """Compare ``result`` (a :class:`~rparity.study.result.StudyResult`) with the
    spec's published numbers."""
    out = []
    for p in spec.published:
        x = None if p.key is None else _as_float(result.get(p.key))
        shown, verdict = check_number(p.printed, x)
        note = "not recorded with this spec's settings" if p.key is None else result.note(p.key)
        out.append(PublishedCheck(p.name, p.key, p.printed, x, shown, verdict, note))
    return out


def published_table1(spec: StudySpec) -> dict[tuple[Sample, str], np.ndarray]:
    """``{(sample, covariate): 2 x 2 table}`` from the published counts and arm
    totals (only where all four numbers and the p-value are published)."""
    pub = spec.published_by_key
    out = {}
    for sample in Sample:
        totals = [pub.get(K.table1(sample, Quantity.TOTAL, arm=arm)) for arm in spec.arms.order]
        if any(t is None for t in totals):
            continue
        for cov in spec.covariate_names:
            ns = [pub.get(K.table1(sample, Quantity.N, variable=cov, arm=arm)) for arm in spec.arms.order]
            if any(n is None for n in ns) or K.table1(sample, Quantity.P, variable=cov) not in pub:
                continue
            rows = [[int(float(n)), int(float(t)) - int(float(n))] for n, t in zip(ns, totals)]
            out[(sample, cov)] = np.array(rows, dtype=np.int64)
    return out


def audit_table1_tests(eng, rec: Recorder, spec: StudySpec) -> None:
    """p-values of every Table 1 test on the published counts, in engine ``eng``
    (keys :func:`~rparity.study.keys.published_audit`)."""
    for (sample, cov), tab in published_table1(spec).items():
        for test in Table1Test:
            key = K.published_audit(sample, cov, test)
            if test is Table1Test.FISHER:
                rec.put(key, float(eng.fisher_test(tab).pvalue), Source("fisher_test", "pvalue"))
            else:
                res = eng.chisq_test(tab, correct=(test is Table1Test.CHISQ))
                rec.put(key, float(res.pvalue), Source("chisq_test", "pvalue"))


@dataclass(frozen=True)
class Table1Tally:
    """How many published Table 1 p-values one test reproduces at the printed precision."""

    test: Table1Test
    rows: tuple[PublishedCheck, ...]

    @property
    def n(self) -> int:
        return len(self.rows)

    def count(self, verdict: PublishedVerdict) -> int:
        return sum(r.verdict is verdict for r in self.rows)


def table1_test_verdicts(spec: StudySpec, result) -> dict[Table1Test, Table1Tally]:
    """Per test: the published Table 1 p-values checked against that test's
    p-value on the published counts (from :func:`audit_table1_tests`)."""
    out = {}
    pub = spec.published_by_key
    for test in Table1Test:
        rows = []
        for (sample, cov) in published_table1(spec):
            pkey = K.table1(sample, Quantity.P, variable=cov)
            x = _as_float(result.get(K.published_audit(sample, cov, test)))
            shown, verdict = check_number(pub[pkey], x)
            rows.append(PublishedCheck(str(pkey), pkey, pub[pkey], x, shown, verdict))
        out[test] = Table1Tally(test, tuple(rows))
    return out


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

    pub: Mapping[StudyKey, str] = spec.published_by_key
    notes = []

    def lab(v: str) -> str:
        return "treatment" if v == TREATMENT else spec.covariate(v).label

    for sample in Sample:
        shown = [v for v in variables(spec) if K.cox(sample, Model.MULTIVARIABLE, Quantity.HR, variable=v) in pub]
        if not shown:
            continue
        rule = []
        for v in variables(spec):
            why = []
            if v in spec.cox.force:
                why.append("named")
            uni = K.cox(sample, Model.UNIVARIATE, Quantity.P, variable=v)
            p = _published_float(pub.get(uni))
            if p is not None and p < spec.cox.univariate_p:
                why.append(f"univariate p {pub[uni]}")
            if v != TREATMENT and spec.cox.imbalance == "table1_p":
                t1 = K.table1(sample, Quantity.P, variable=v)
                q = _published_float(pub.get(t1))
                if q is not None and q < spec.cox.imbalance_threshold:
                    why.append(f"imbalanced, Table 1 p {pub[t1]}")
            if why:
                rule.append((v, why))
        rule_names = [v for v, _ in rule]
        missing = [(v, w) for v, w in rule if v not in shown]
        extra = [v for v in shown if v not in rule_names]
        what = sample.value
        if not missing and not extra:
            notes.append(f"The paper's multivariable model {what} matching ({', '.join(map(lab, shown))}) is what "
                         f"its stated rule selects from its own published numbers.")
            continue
        parts = []
        if missing:
            parts.append("the rule also selects " + "; ".join(f"{lab(v)} ({', '.join(w)})" for v, w in missing)
                         + ", which the paper's model does not contain")
        if extra:
            parts.append("the paper's model contains " + ", ".join(map(lab, extra))
                         + ", which the rule does not select")
        notes.append(f"The paper's multivariable model {what} matching contains {', '.join(map(lab, shown))}; "
                     f"applying its stated rule (univariate p < {spec.cox.univariate_p:g}, named variables, "
                     f"imbalanced variables) to its own published numbers, " + "; ".join(parts) + ".")
    return notes
