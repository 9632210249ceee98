"""The ``spss21`` profile: the study's numbers as SPSS 21 computes them, beside R's.

The paper did its statistics in SPSS 21. Selected by ``[study] profile = "spss21"``
in the spec or ``rparity study --profile spss21``, this profile adds, for each
analysis sample, the numbers that SPSS's conventions change, under
:func:`~rparity.study.keys.spss21` keys (``spss21.before.univariate.treatment.hr``,
``spss21.before.afp.fisher_exact.p``, ``spss21.before.os.immuno.median_se``),
recorded by every engine like any other number (so the parity section compares
them), and the report's "SPSS 21 profile" section lists each convention, its
public source, R's value, the SPSS-convention value and which of the two the
paper's printed number is closer to.

The conventions (:data:`CONVENTIONS`):

* **COXREG ties**: SPSS's COXREG handles tied event times by Breslow's method
  (IBM SPSS Statistics 21 Algorithms, "COXREG Algorithms"); R's ``coxph``
  default is Efron's. Every univariate and multivariable model of the Cox step
  is refitted with ``ties = "breslow"`` (the same variables the spec's rule
  selected), in the engine, at parity with R's ``coxph(ties = "breslow")``.
* **CROSSTABS chi-square table**: for a 2 x 2 table SPSS prints Pearson
  chi-square, the continuity correction (Yates; "Computed only for a 2x2
  table"), the likelihood ratio (G), Fisher's exact test and the
  linear-by-linear association ((N - 1) r^2 with the category scores; IBM SPSS
  Statistics 21 Algorithms, "CROSSTABS Algorithms"; IBM Knowledge Center,
  "Crosstabs statistics"). Each row is computed as R computes it:
  ``chisq.test(correct = FALSE)``, ``chisq.test(correct = TRUE)``,
  ``fisher.test`` in the engine; G and linear-by-linear by the project's
  :func:`rparity.audit.gtest.g_test` and :func:`rparity.audit.trend.linear_by_linear`.
* **KM means and medians**: :func:`pyimpl.survival.spss_km.spss_km_table` on
  each engine's Kaplan-Meier fit: the mean to the largest time (R's restricted
  mean, the same number) with a symmetric interval, and the median with
  Collett's standard error and a symmetric interval (R: the inverted band of
  ``quantile(fit, 0.5)``).

Nothing here was run in SPSS: where a number follows IBM's documented
algorithm or a textbook formula without an SPSS output to compare with, the
report says so (:attr:`Convention.checked`).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from pyimpl.survival.spss_km import spss_km_table

from . import keys as K
from .cohort import Cohort
from .errors import StudyInputError
from .keys import ChiSquareRow, Model, Quantity, Sample, StudyKey
from .published import PublishedVerdict, check_number
from .result import STUDY, Recorder, Source
from .spec import PROFILES, StudySpec
from .steps_basic import table1_counts
from .steps_cox import COX_COLUMNS, _fit, _is_constant, variables

__all__ = ["Convention", "CONVENTIONS", "spss21_step", "profile_keys", "report_context", "with_profile",
           "CROSSTAB", "SPSS_KM", "ROW_LABELS", "KM_QUANTITIES"]

Q = Quantity
R_ = ChiSquareRow
CROSSTAB = Source(STUDY, "crosstab")
SPSS_KM = Source(STUDY, "spss_km")
#: SPSS's row labels, in the order SPSS prints them
ROW_LABELS: dict[ChiSquareRow, str] = {
    R_.PEARSON: "Pearson Chi-Square", R_.CONTINUITY_CORRECTION: "Continuity Correction",
    R_.LIKELIHOOD_RATIO: "Likelihood Ratio", R_.FISHER_EXACT: "Fisher's Exact Test",
    R_.LINEAR_BY_LINEAR: "Linear-by-Linear Association"}
#: how each row is computed here (R's function, or the project's code)
ROW_R: dict[ChiSquareRow, str] = {
    R_.PEARSON: "chisq.test(correct = FALSE)", R_.CONTINUITY_CORRECTION: "chisq.test(correct = TRUE)",
    R_.LIKELIHOOD_RATIO: "G = 2 Σ O ln(O/E) (rparity.audit.gtest)", R_.FISHER_EXACT: "fisher.test",
    R_.LINEAR_BY_LINEAR: "(N − 1) r² (rparity.audit.trend)"}
#: the row of each Table 1 test of the spec (``table1.test``)
TEST_ROW = {"fisher": R_.FISHER_EXACT, "chisq": R_.CONTINUITY_CORRECTION, "chisq_uncorrected": R_.PEARSON}
#: The means-and-medians quantities, in SPSS's column order.
KM_QUANTITIES: tuple[Quantity, ...] = (Q.MEAN, Q.MEAN_SE, Q.MEAN_LOWER, Q.MEAN_UPPER, Q.MEDIAN, Q.MEDIAN_SE,
                                       Q.MEDIAN_LOWER, Q.MEDIAN_UPPER)
_COX_Q = (Q.COEF, Q.HR, Q.SE, Q.LOWER, Q.UPPER, Q.P)
_NOT_CHECKED = "formula from IBM's documented algorithm; not checked against SPSS output"


@dataclass(frozen=True)
class Convention:
    """One SPSS convention: what SPSS does, what R does, the public source, and
    how far the project checked it (``checked``: said in the report verbatim)."""

    id: str
    title: str
    spss: str
    r: str
    source: str
    checked: str


CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "coxreg_ties", "COXREG: tied event times",
        "Breslow's approximation of the partial likelihood (SPSS has no Efron option).",
        "coxph's default is Efron's approximation (ties = \"efron\").",
        "IBM SPSS Statistics 21 Algorithms, \"COXREG Algorithms\" (estimation of beta: Breslow's partial likelihood "
        "for ties)",
        "The Breslow fits are R's coxph(ties = \"breslow\") (pyimpl at parity with it); that SPSS's COXREG gives the "
        f"same numbers: {_NOT_CHECKED}."),
    Convention(
        "crosstabs", "CROSSTABS: the chi-square table of a 2 x 2 table",
        "Prints Pearson chi-square, Continuity Correction (Yates; footnote \"Computed only for a 2x2 table\"), "
        "Likelihood Ratio, Fisher's Exact Test (for 2 x 2 tables in the base system; larger tables need the Exact "
        "Tests module) and Linear-by-Linear Association ((N − 1) r² with the category scores).",
        "chisq.test (correct = TRUE by default for 2 x 2), fisher.test; R has no built-in G or linear-by-linear.",
        "IBM SPSS Statistics 21 Algorithms, \"CROSSTABS Algorithms\" (chi-square statistics); IBM Knowledge "
        "Center, \"Crosstabs statistics\" (which statistics are printed for a 2 x 2 table: the help text says "
        "Fisher's test is computed when a cell has an expected count below 5 and Yates' for the other 2 x 2 "
        "tables; every row is shown here)",
        "Each row computed as R computes it (the same statistic SPSS documents); which rows SPSS 21 prints for "
        f"each table, and its exact p-values: {_NOT_CHECKED}."),
    Convention(
        "km_means_medians", "KM: Means and Medians for Survival Time",
        "Mean: area under the KM curve to the largest observed time (\"Estimation is limited to the largest "
        "survival time if it is censored\"), its standard error and mean ± 1.96 SE. Median: min{t : S(t) ≤ 0.5}, "
        "SE = se(S(median)) / f(median) (Collett's finite-difference density, ε = 0.05), and median ± 1.96 SE.",
        "print(survfit, rmean = \"individual\"): the same restricted mean and se, no interval; the median's "
        "interval inverts the log-transformed band of S (quantile(fit, 0.5)), not symmetric.",
        "IBM SPSS Statistics 21 Algorithms, \"KM Algorithms\" (mean survival time; percentiles and their standard "
        "errors) — its text was not available here; the percentile SE as in Collett (1994), Modelling Survival "
        "Data in Medical Research, §2.4, and Marques de Sá (2007), Applied Statistics Using SPSS, STATISTICA, "
        "MATLAB and R, §9.2 eqs. 9.15–9.17",
        "The mean and its SE are R's (checked against print(survfit, rmean = \"individual\")); the median's SE "
        "and both symmetric intervals are checked against hand-computed closed forms only: "
        f"{_NOT_CHECKED}."),
)


# ---------------------------------------------------------------- pipeline ---

def spss21_step(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, *,
                cluster: Any = None) -> None:
    """The profile's numbers for one analysis sample (after the sample's own steps ran)."""
    _crosstabs(eng, rec, cohort, spec, sample)
    for ep in spec.all_endpoints():
        _km(eng, rec, cohort, spec, sample, ep)
    _cox(eng, rec, cohort, spec, sample, cluster)


def _crosstabs(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample) -> None:
    from rparity.audit.gtest import g_test
    from rparity.audit.trend import linear_by_linear

    for cov in spec.covariate_names:
        tab = table1_counts(cohort, spec, cov)

        def key(row: ChiSquareRow, q: Quantity, cov: str = cov) -> StudyKey:
            return K.spss21(sample, q, variable=cov, row=row)

        for row, correct in ((R_.PEARSON, False), (R_.CONTINUITY_CORRECTION, True)):
            res = eng.chisq_test(tab, correct=correct)
            rec.put(key(row, Q.STATISTIC), float(res.statistic), Source("chisq_test", "statistic"))
            rec.put(key(row, Q.P), float(res.pvalue), Source("chisq_test", "pvalue"))
        g = g_test(tab.tolist())
        rec.put(key(R_.LIKELIHOOD_RATIO, Q.STATISTIC), float(g.statistic), CROSSTAB)
        rec.put(key(R_.LIKELIHOOD_RATIO, Q.P), float(g.pvalue), CROSSTAB)
        rec.put(key(R_.FISHER_EXACT, Q.P), float(eng.fisher_test(tab).pvalue), Source("fisher_test", "pvalue"))
        lbl = linear_by_linear(tab.tolist())
        rec.put(key(R_.LINEAR_BY_LINEAR, Q.STATISTIC), float(lbl.statistic), CROSSTAB)
        rec.put(key(R_.LINEAR_BY_LINEAR, Q.P), float(lbl.pvalue), CROSSTAB)


def _km(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, endpoint: str) -> None:
    for arm in spec.arms.order:
        m = cohort.arm_mask(arm)
        fit = eng.survfit(cohort.time[endpoint][m], cohort.event[endpoint][m], conf_type=spec.km.conf_type,
                          conf_int=spec.km.conf_int)
        tab = spss_km_table(fit, spec.km.conf_int)
        for q in KM_QUANTITIES:
            rec.put(K.spss21(sample, q, endpoint=endpoint, arm=arm), float(getattr(tab, q.value)), SPSS_KM)
        if tab.mean_limited:
            rec.note(K.spss21(sample, Q.MEAN, endpoint=endpoint, arm=arm),
                     "Estimation is limited to the largest survival time if it is censored.")
        if math.isnan(tab.median):
            rec.note(K.spss21(sample, Q.MEDIAN, endpoint=endpoint, arm=arm), "not reached")
        elif math.isnan(tab.median_se):
            rec.note(K.spss21(sample, Q.MEDIAN_SE, endpoint=endpoint, arm=arm),
                     "not estimable: the curve does not fall to 0.45 at a death time (Collett's density)")


def _cox(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, cluster: Any) -> None:
    breslow = dataclasses.replace(spec, cox=dataclasses.replace(spec.cox, ties="breslow"))
    ep = spec.primary
    fits: list[tuple[Model, list[str]]] = [(Model.UNIVARIATE, [v]) for v in variables(spec)
                                           if not _is_constant(cohort, v)]
    selected = rec.value(K.cox(sample, Model.MULTIVARIABLE, Q.SELECTED), ()) or ()
    if selected:
        fits.append((Model.MULTIVARIABLE, list(selected)))  # the model the spec's rule selected (Efron p-values)
    for model, names in fits:
        _, tab = _fit(eng, cohort, names, breslow, ep, cluster)
        for i, v in enumerate(names):
            for q in _COX_Q:
                col, src = COX_COLUMNS[q]
                rec.put(K.spss21(sample, q, model=model, variable=v), float(tab[col].to_numpy()[i]), src)


def profile_keys(spec: StudySpec) -> Iterator[StudyKey]:
    """Every key the profile can record for ``spec`` (for :mod:`~rparity.study.catalogue`)."""
    if spec.profile is None:
        return
    for s in Sample:
        for c in spec.covariate_names:
            for row in ChiSquareRow:
                if row is not R_.FISHER_EXACT:
                    yield K.spss21(s, Q.STATISTIC, variable=c, row=row)
                yield K.spss21(s, Q.P, variable=c, row=row)
        for ep in spec.all_endpoints():
            for arm in spec.arms.order:
                for q in KM_QUANTITIES:
                    yield K.spss21(s, q, endpoint=ep, arm=arm)
        for model in Model:
            for v in variables(spec):
                for q in _COX_Q:
                    yield K.spss21(s, q, model=model, variable=v)


def with_profile(spec: StudySpec, name: str | None) -> StudySpec:
    """``spec`` with the profile ``name`` (``--profile``; None keeps the spec's);
    an unknown name is bad input naming the valid ones."""
    if name is None or name == spec.profile:
        return spec
    if name not in PROFILES:
        raise StudyInputError(f"`--profile` must be one of {', '.join(map(repr, PROFILES))}; got {name!r}")
    from .catalogue import resolve_published

    out = dataclasses.replace(spec, profile=name)
    printed = {p.name: p.printed for p in spec.published}
    return dataclasses.replace(out, published=resolve_published(out, printed))


# ------------------------------------------------------------------ report ---

def _f(x: Any, fmt: str = ".3f") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(float(x), fmt)


def _p(p: Any) -> str:
    from .report import fmt_p

    return fmt_p(p)


def _closer(printed: str | None, r: float | None, spss: float | None) -> tuple[str, str, str]:
    """(R at the printed precision's verdict, SPSS's verdict, which is closer) for a published number."""
    if printed is None:
        return "", "", ""
    (_, vr), (_, vs) = check_number(printed, r), check_number(printed, spss)
    rank = {PublishedVerdict.MATCHES: 0, PublishedVerdict.LAST_DIGIT: 1, PublishedVerdict.DIFFERS: 2,
            PublishedVerdict.NOT_COMPUTED: 3}
    if rank[vr] != rank[vs]:
        return vr.value, vs.value, "R" if rank[vr] < rank[vs] else "SPSS"
    if vr is PublishedVerdict.NOT_COMPUTED or printed[:1] in "<>" or r is None or spss is None:
        return vr.value, vs.value, "equally"
    dr, ds = abs(r - float(printed)), abs(spss - float(printed))
    return vr.value, vs.value, "equally" if dr == ds else ("R" if dr < ds else "SPSS")


def _num(result: Any, key: StudyKey) -> float | None:
    v = result.get(key)
    return None if v is None else float(v)


def _cox_rows(spec: StudySpec, a: Any, label: Any) -> list[dict[str, Any]]:
    pub = spec.published_by_key
    rows = []
    for s in Sample:
        for model in Model:
            for v in variables(spec):
                sk = K.spss21(s, Q.HR, model=model, variable=v)
                if sk not in a:
                    continue
                rk = K.cox(s, model, Q.HR, variable=v)

                def hr(key_fn: Any) -> str:
                    h, lo, hi, p = (a.get(key_fn(q)) for q in (Q.HR, Q.LOWER, Q.UPPER, Q.P))
                    return f"{_f(h)} ({_f(lo)}–{_f(hi)}), p {_p(p)}"

                printed = pub.get(rk)
                vr, vs, closer = _closer(printed, _num(a, rk), _num(a, sk))
                rows.append({"sample": s.value, "model": model.value, "label": label(spec, v),
                             "key": str(sk), "r": hr(lambda q, s=s, m=model, v=v: K.cox(s, m, q, variable=v)),
                             "spss": hr(lambda q, s=s, m=model, v=v: K.spss21(s, q, model=m, variable=v)),
                             "published": printed or "", "r_verdict": vr, "spss_verdict": vs, "closer": closer})
    return rows


def _crosstab_tables(spec: StudySpec, a: Any) -> list[dict[str, Any]]:
    pub = spec.published_by_key
    out = []
    for s in Sample:
        if K.spss21(s, Q.P, variable=spec.covariate_names[0], row=R_.PEARSON) not in a:
            continue
        rows, tally = [], {row: [0, 0] for row in ChiSquareRow}
        for c in spec.covariate_names:
            printed = pub.get(K.table1(s, Q.P, variable=c))
            cells = []
            for row in ChiSquareRow:
                p = _num(a, K.spss21(s, Q.P, variable=c, row=row))
                stat = _num(a, K.spss21(s, Q.STATISTIC, variable=c, row=row))
                verdict = check_number(printed, p)[1].value if printed else ""
                if printed:
                    tally[row][1] += 1
                    tally[row][0] += verdict == PublishedVerdict.MATCHES.value
                cells.append({"p": _p(p), "stat": "" if row is R_.FISHER_EXACT else _f(stat), "verdict": verdict})
            rows.append({"label": spec.covariate(c).label, "published": printed or "", "cells": cells})
        out.append({"sample": s.value, "rows": rows,
                    "tally": [(ROW_LABELS[r], m, n) for r, (m, n) in tally.items() if n]})
    return out


def _km_rows(spec: StudySpec, a: Any) -> list[dict[str, Any]]:
    pub = spec.published_by_key
    rows = []
    for s in Sample:
        for ep in spec.all_endpoints():
            for arm in spec.arms.order:
                def sk(q: Quantity, s: Sample = s, ep: str = ep, arm: str = arm) -> StudyKey:
                    return K.spss21(s, q, endpoint=ep, arm=arm)

                def rk(q: Quantity, s: Sample = s, ep: str = ep, arm: str = arm) -> StudyKey:
                    return K.km(s, ep, arm, q)

                if sk(Q.MEAN) not in a:
                    continue
                g = {q: _num(a, sk(q)) for q in KM_QUANTITIES}
                printed = pub.get(rk(Q.MEDIAN))
                vr, vs, closer = _closer(printed, _num(a, rk(Q.MEDIAN)), g[Q.MEDIAN])
                rows.append({
                    "sample": s.value, "endpoint": spec.endpoints[ep].label, "arm": spec.arms.label(arm),
                    "r_mean": f"{_f(g[Q.MEAN], '.2f')} (se {_f(g[Q.MEAN_SE], '.2f')})",
                    "spss_mean": f"{_f(g[Q.MEAN], '.2f')} (se {_f(g[Q.MEAN_SE], '.2f')}; "
                                 f"{_f(g[Q.MEAN_LOWER], '.2f')}–{_f(g[Q.MEAN_UPPER], '.2f')})",
                    "mean_note": a.note(sk(Q.MEAN)),
                    "r_median": _median(_num(a, rk(Q.MEDIAN)), None, _num(a, rk(Q.MEDIAN_LOWER)),
                                        _num(a, rk(Q.MEDIAN_UPPER))),
                    "spss_median": _median(g[Q.MEDIAN], g[Q.MEDIAN_SE], g[Q.MEDIAN_LOWER], g[Q.MEDIAN_UPPER]),
                    "published": printed or "", "r_verdict": vr, "spss_verdict": vs, "closer": closer})
    return rows


def _median(m: float | None, se: float | None, lo: float | None, hi: float | None) -> str:
    if m is None or math.isnan(m):
        return "not reached"
    se_s = "" if se is None else f"se {_f(se, '.2f')}; "
    return f"{m:g} ({se_s}{_f(lo, '.2f').replace('—', 'NR')}–{_f(hi, '.2f').replace('—', 'NR')})"


def report_context(spec: StudySpec, results: Sequence[Any]) -> dict[str, Any] | None:
    """The template's "SPSS 21 profile" section (None without a profile), from
    the first engine's numbers (``results`` in display order)."""
    if spec.profile is None or not results:
        return None
    from .report import _var_label

    a = results[0]
    return {"name": spec.profile, "engine": a.engine, "conventions": CONVENTIONS, "ties": spec.cox.ties,
            "cox": _cox_rows(spec, a, _var_label), "crosstabs": _crosstab_tables(spec, a),
            "row_labels": [ROW_LABELS[r] for r in ChiSquareRow], "row_r": [ROW_R[r] for r in ChiSquareRow],
            "table1_row": ROW_LABELS[TEST_ROW[spec.table1.test]], "km": _km_rows(spec, a),
            "conf": f"{100 * spec.km.conf_int:g}%", "engines": [r.engine for r in results],
            "ran": any(k.step is K.Step.SPSS21 for k in a.keys())}
