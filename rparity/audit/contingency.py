"""Contingency rows: which tests reproduce a printed p-value from the counts?

For each row the p-value is recomputed from the counts with

* ``fisher``: Fisher's exact test, two-sided (``pyimpl.fisher_test``, R's
  ``fisher.test``);
* ``chisq``: Pearson's chi-square without continuity correction
  (``pyimpl.chisq_test(correct=False)``);
* ``chisq_yates``: Pearson's chi-square with Yates' correction
  (``pyimpl.chisq_test(correct=True)``; as in R it changes only 2 x 2 tables);
* ``g``: the likelihood-ratio G test (:mod:`.gtest`).

A test *reproduces* the printed value when its p lies in the printed value's
rounding interval (:mod:`.printed`). The recomputed p is a float accurate to
about 1e-12 relative (the R-parity tolerance of these tests); when it lies within
that of an end of the interval, the comparison is undecidable and reported as
"cannot tell" rather than resolved either way (:func:`compare_p`).

The row is consistent when the claimed test reproduces its p-value (or, with
no claim, when any test does), inconsistent when it does not. Which other tests
reproduce it is always reported, so that a table whose p-values all come from a
test other than the one claimed is seen as a whole (:mod:`.summary`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from .entries import CHISQ_OR_FISHER, CLAIM_ALIASES, TESTS, TREND_TESTS, AuditSettings, ContingencyEntry
from .gtest import g_test
from .printed import RInterval, fmt_fraction
from .results import Check, EntryResult, Verdict, combine
from .smd import check_smd_binary
from .trend import cochran_armitage, linear_by_linear

__all__ = ["check_contingency", "recompute_pvalues", "compare_p", "resolve_claim", "ClaimedTests",
           "expected_counts", "tests_for", "P_DOMAIN", "P_REL_ACCURACY"]

P_DOMAIN = RInterval.closed(0, 1)
#: Relative accuracy of a recomputed p-value (R-parity tolerance of the tests).
P_REL_ACCURACY = Fraction(1, 10**12)

YES, NO, EDGE, UNDEFINED, UNAVAILABLE = "yes", "no", "edge", "undefined", "unavailable"


def _pyimpl_test(name: str):
    import pyimpl

    return getattr(pyimpl, name, None)


def recompute_pvalues(counts, settings: AuditSettings = AuditSettings(),
                      tests: tuple[str, ...] = TESTS) -> dict[str, dict]:
    """p-value of every test in ``tests`` on a table of counts.

    Returns ``{test: {"pvalue": float or None, "status": "ok" | "undefined" |
    "unavailable", "note": str}}``.
    """
    table = np.asarray(counts, dtype=float)
    out: dict[str, dict] = {}
    fisher = _pyimpl_test("fisher_test")
    chisq = _pyimpl_test("chisq_test")
    for test in tests:
        note = ""
        if test == "fisher" and fisher is None:
            out[test] = {"pvalue": None, "status": UNAVAILABLE,
                         "note": "pyimpl.fisher_test is not available in this installation"}
            continue
        if test.startswith("chisq") and chisq is None:
            out[test] = {"pvalue": None, "status": UNAVAILABLE,
                         "note": "pyimpl.chisq_test is not available in this installation"}
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if test == "fisher":
                p = float(fisher(table).pvalue)
            elif test == "chisq":
                p = float(chisq(table, correct=False).pvalue)
            elif test == "chisq_yates":
                p = float(chisq(table, correct=True).pvalue)
                if table.shape != (2, 2):
                    note = "Yates' correction applies to 2 x 2 tables only (as in R): same as chisq"
            elif test == "cochran_armitage":
                p = cochran_armitage(counts).pvalue
                if table.shape[1] != 2:
                    note = "defined for 2 arms only"
            elif test == "linear_by_linear":
                p = linear_by_linear(counts).pvalue
            else:
                g = g_test(table, williams=settings.g_williams)
                p = float(g.pvalue)
                if settings.g_williams:
                    note = f"Williams' correction q = {g.q:.6g}"
        msgs = sorted({str(w.message) for w in caught})
        if msgs:
            note = "; ".join(filter(None, [note, *msgs]))
        if not np.isfinite(p):
            out[test] = {"pvalue": None, "status": UNDEFINED,
                         "note": note or "undefined for this table (a row or column total is 0)"}
        else:
            out[test] = {"pvalue": p, "status": "ok", "note": note}
    return out


def expected_counts(counts) -> list[list[Fraction]]:
    """Expected counts under independence, exactly: row total x column total / N."""
    R = [sum(r) for r in counts]
    C = [sum(col) for col in zip(*counts)]
    N = sum(R)
    return [[Fraction(R[i] * C[j], N) for j in range(len(C))] for i in range(len(R))]


@dataclass(frozen=True)
class ClaimedTests:
    """The tests a row's claim names, once a rule ("chisq_or_fisher") is applied.

    ``rule`` explains how the rule was applied ("" without a rule).
    """

    tests: tuple[str, ...]
    rule: str = ""


def resolve_claim(claimed: tuple[str, ...], counts) -> ClaimedTests:
    """Apply ``chisq_or_fisher`` to a row: Fisher's exact test when an expected
    count is below 5, else a chi-square test (any variant, as "chi-square" means).

    Two versions of the rule are in use: "any expected count < 5" and Cochran's
    (Cochran 1954; Agresti, Categorical Data Analysis, §3.5.3: more than 20 % of
    the expected counts < 5, or any < 1). Where they disagree, either test is
    what the claim allows.
    """
    if CHISQ_OR_FISHER not in claimed:
        return ClaimedTests(claimed)
    E = [e for r in expected_counts(counts) for e in r]
    emin = min(E)
    n_small = sum(1 for e in E if e < 5)
    any_rule = emin < 5
    cochran = 5 * n_small > len(E) or emin < 1
    chi = CLAIM_ALIASES["chi-square"]
    picks: list[str] = []
    if any_rule or cochran:
        picks.append("fisher")
    if not (any_rule and cochran):
        picks.extend(chi)
    if any_rule == cochran:
        why = (f"smallest expected count {fmt_fraction(emin, digits=4)}"
               + (" < 5: Fisher's exact test" if any_rule else " >= 5: chi-square"))
    else:
        why = (f"smallest expected count {fmt_fraction(emin, digits=4)}, {n_small} of {len(E)} cells below 5: "
               "the rule 'any expected count < 5' and Cochran's rule disagree, so either test")
    tests = [t for t in claimed if t != CHISQ_OR_FISHER]
    tests.extend(t for t in picks if t not in tests)
    return ClaimedTests(tuple(tests), rule=why)


def compare_p(p: float, interval: RInterval) -> str:
    """Does a recomputed p lie in a printed p's interval?

    The float ``p`` stands for the exact p-value to within :data:`P_REL_ACCURACY`
    relative (and within [0, 1]). ``"yes"`` if that whole neighbourhood lies in
    the interval, ``"no"`` if none of it does, ``"edge"`` if it straddles an end
    (e.g. an exact p of 1/10 against a printed "<0.1": floats cannot decide).
    """
    I = interval.intersect(P_DOMAIN)
    x = Fraction(p)
    near = RInterval.closed(max(Fraction(0), x * (1 - P_REL_ACCURACY)), min(Fraction(1), x * (1 + P_REL_ACCURACY)))
    inside = near.intersect(I)
    if inside.is_empty():
        return NO
    if inside == near:
        return YES
    return EDGE


def _fmt_p(p: float | None) -> str:
    if p is None:
        return "n/a"
    if p == 0:
        return "0"
    if p < 1e-4:
        return f"{p:.3g}"
    return f"{p:.5f}".rstrip("0").rstrip(".") if p < 1 else "1"


def _names(tests) -> str:
    return " or ".join(tests)


def tests_for(entry: ContingencyEntry) -> tuple[str, ...]:
    """The tests recomputed for a row: the general ones, and the trend tests for
    an ordered row or one that claims a trend test."""
    if entry.ordered or any(t in TREND_TESTS for t in entry.test):
        return (*TESTS, *TREND_TESTS)
    return TESTS


def check_contingency(entry: ContingencyEntry, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Check one contingency row: its printed p-value against every test, and its
    printed SMD (:func:`.smd.check_smd_binary`)."""
    smd_check = None
    if entry.smd is not None:
        names = entry.arm_names if len(entry.arm_names) == 2 else ("arm 1", "arm 2")
        smd_check = check_smd_binary(entry.counts, entry.smd, arm_names=names)
    if entry.p is None:
        assert smd_check is not None  # the reader refuses a row with neither
        verdict = combine([smd_check.verdict])
        return EntryResult(table=entry.table.id, kind="contingency", label=entry.row, verdict=verdict,
                           message=smd_check.detail + (
                               "; " + "; ".join(entry.notes) if entry.notes else ""),
                           checks=(smd_check,), source=entry.source,
                           data={"counts": [list(r) for r in entry.counts], "levels": list(entry.levels),
                                 "smd": smd_check.data})
    res = _check_p(entry, settings)
    if smd_check is None:
        return res
    return replace(res, verdict=combine([res.verdict, smd_check.verdict]),
                   message=f"{res.message}; {smd_check.detail}",
                   checks=(*res.checks, smd_check), data={**res.data, "smd": smd_check.data})


def _check_p(entry: ContingencyEntry, settings: AuditSettings) -> EntryResult:
    """The p-value part of :func:`check_contingency`."""
    pr = entry.p
    assert pr is not None
    I = pr.interval.intersect(P_DOMAIN)
    tests = tests_for(entry)
    rec = recompute_pvalues(entry.counts, settings, tests)
    claim = resolve_claim(entry.test, entry.counts)
    claimed = claim.tests
    match: dict[str, str] = {}
    checks = []
    for test in tests:
        r = rec[test]
        if r["status"] != "ok":
            m = r["status"]
            v = Verdict.CANNOT_TELL if m == UNAVAILABLE else Verdict.NOT_APPLICABLE
        else:
            m = compare_p(r["pvalue"], pr.interval)
            v = {YES: Verdict.CONSISTENT, NO: Verdict.INCONSISTENT, EDGE: Verdict.CANNOT_TELL}[m]
        match[test] = m
        detail = {YES: "reproduces the printed p", NO: "does not reproduce the printed p",
                  EDGE: "on the rounding boundary within numerical accuracy",
                  UNDEFINED: "undefined for this table", UNAVAILABLE: "not available"}[m]
        if r["note"]:
            detail += f" ({r['note']})"
        checks.append(Check(f"p-value ({test})", v, printed=pr.text, interval=str(I),
                            recomputed=_fmt_p(r["pvalue"]), detail=detail,
                            data={"test": test, "pvalue": r["pvalue"], "match": m,
                                  "claimed": test in claimed, "note": r["note"]}))
    reproducing = [t for t in tests if match[t] == YES]
    rec_txt = ", ".join(f"{t} {_fmt_p(rec[t]['pvalue'])}" for t in tests)
    rule = f" ({claim.rule})" if claim.rule else ""
    claimed_match = ""
    if claimed:
        cm = [match.get(t, UNDEFINED) for t in claimed]
        others = [t for t in reproducing if t not in claimed]
        if YES in cm:
            verdict = Verdict.CONSISTENT
            claimed_match = YES
            hit = [t for t in claimed if match.get(t) == YES]
            msg = f"p = {pr.text} is reproduced by the claimed {_names(hit)}{rule}"
            if others:
                msg += f" (also by {', '.join(others)})"
        elif EDGE in cm or UNAVAILABLE in cm:
            verdict = Verdict.CANNOT_TELL
            claimed_match = EDGE
            why = ("the claimed test is not available" if UNAVAILABLE in cm
                   else "the claimed test's p lies on the rounding boundary")
            msg = f"cannot tell: {why}{rule}; reproduced by: {', '.join(reproducing) or 'none'}"
        else:
            claimed_match = NO
            cp = "; ".join(f"{t} gives {_fmt_p(rec[t]['pvalue'])}" for t in claimed if t in rec)
            dec = _decision_flip(pr, [rec[t]["pvalue"] for t in claimed if t in rec])
            if others:
                # the numbers are right, the test is mislabelled
                verdict = Verdict.OTHER_TEST
                msg = (f"p = {pr.text} is what {_names(others)} {_verb(others)}, not the claimed "
                       f"{_names(claimed)}{rule} ({cp}): reproduced by another test than the one claimed"
                       + (f"; with the claimed test, {dec}" if dec else ""))
            else:
                verdict = Verdict.INCONSISTENT
                msg = (f"p = {pr.text} is not what the claimed {_names(claimed)} gives{rule} ({cp}); "
                       f"no test reproduces it ({rec_txt})" + (f"; {dec}" if dec else ""))
    else:
        if reproducing:
            verdict = Verdict.CONSISTENT
            msg = f"p = {pr.text} is reproduced by {', '.join(reproducing)} (no test claimed)"
        elif EDGE in match.values() or UNAVAILABLE in match.values():
            verdict = Verdict.CANNOT_TELL
            msg = "cannot tell: no test reproduces it clearly and some are undecided or unavailable"
        else:
            verdict = Verdict.INCONSISTENT
            msg = f"p = {pr.text} is reproduced by none of the tests ({rec_txt})"
    if entry.notes:
        msg += "; " + "; ".join(entry.notes)
    data = {"counts": [list(r) for r in entry.counts], "levels": list(entry.levels),
            "printed_p": pr.text, "interval": I.to_dict(), "claimed": list(claimed),
            "claim_as_written": list(entry.claim_text or entry.test), "claim_rule": claim.rule,
            "claimed_match": claimed_match, "tests": list(tests),
            "pvalues": {t: rec[t]["pvalue"] for t in tests},
            "match": match, "reproducing": reproducing, "notes": list(entry.notes)}
    return EntryResult(table=entry.table.id, kind="contingency", label=entry.row, verdict=verdict,
                       message=msg, checks=tuple(checks), source=entry.source, data=data)


def _verb(tests) -> str:
    return "gives" if len(tests) == 1 else "give"


def _decision_flip(pr, pvals, alpha: Fraction = Fraction(5, 100)) -> str:
    """statcheck's "decision error": printed and recomputed p on opposite sides of 0.05."""
    I = pr.interval.intersect(P_DOMAIN)
    printed_sig = I.hi is not None and (I.hi < alpha or (I.hi == alpha and not I.hi_closed))
    printed_nonsig = I.lo is not None and I.lo >= alpha
    for p in pvals:
        if p is None:
            continue
        if printed_sig and p >= 0.05:
            return "a decision error at 0.05: printed significant, recomputed not"
        if printed_nonsig and p < 0.05:
            return "a decision error at 0.05: printed not significant, recomputed significant"
    return ""

