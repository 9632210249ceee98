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
from fractions import Fraction

import numpy as np

from .entries import TESTS, AuditSettings, ContingencyEntry
from .gtest import g_test
from .printed import RInterval
from .results import Check, EntryResult, Verdict

__all__ = ["check_contingency", "recompute_pvalues", "compare_p", "P_DOMAIN", "P_REL_ACCURACY"]

P_DOMAIN = RInterval.closed(0, 1)
#: Relative accuracy of a recomputed p-value (R-parity tolerance of the tests).
P_REL_ACCURACY = Fraction(1, 10**12)

YES, NO, EDGE, UNDEFINED, UNAVAILABLE = "yes", "no", "edge", "undefined", "unavailable"


def _pyimpl_test(name: str):
    import pyimpl

    return getattr(pyimpl, name, None)


def recompute_pvalues(counts, settings: AuditSettings = AuditSettings()) -> dict[str, dict]:
    """p-value of every test on a table of counts.

    Returns ``{test: {"pvalue": float or None, "status": "ok" | "undefined" |
    "unavailable", "note": str}}``.
    """
    table = np.asarray(counts, dtype=float)
    out: dict[str, dict] = {}
    fisher = _pyimpl_test("fisher_test")
    chisq = _pyimpl_test("chisq_test")
    for test in TESTS:
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


def check_contingency(entry: ContingencyEntry, settings: AuditSettings = AuditSettings()) -> EntryResult:
    """Check one contingency row's printed p-value against every test."""
    pr = entry.p
    I = pr.interval.intersect(P_DOMAIN)
    rec = recompute_pvalues(entry.counts, settings)
    match: dict[str, str] = {}
    checks = []
    for test in TESTS:
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
                                  "claimed": test in entry.test, "note": r["note"]}))
    reproducing = [t for t in TESTS if match[t] == YES]
    claimed = entry.test
    rec_txt = ", ".join(f"{t} {_fmt_p(rec[t]['pvalue'])}" for t in TESTS)
    if claimed:
        cm = [match[t] for t in claimed]
        if YES in cm:
            verdict = Verdict.CONSISTENT
            msg = f"p = {pr.text} is reproduced by the claimed {_names(claimed)}"
            others = [t for t in reproducing if t not in claimed]
            if others:
                msg += f" (also by {', '.join(others)})"
        elif EDGE in cm or UNAVAILABLE in cm:
            verdict = Verdict.CANNOT_TELL
            why = ("the claimed test is not available" if UNAVAILABLE in cm
                   else "the claimed test's p lies on the rounding boundary")
            msg = f"cannot tell: {why}; reproduced by: {', '.join(reproducing) or 'none'}"
        else:
            verdict = Verdict.INCONSISTENT
            cp = "; ".join(f"{t} gives {_fmt_p(rec[t]['pvalue'])}" for t in claimed)
            msg = (f"p = {pr.text} is not what the claimed {_names(claimed)} gives ({cp}); "
                   + (f"reproduced by {', '.join(reproducing)}" if reproducing else "no test reproduces it"))
            dec = _decision_flip(pr, [rec[t]["pvalue"] for t in claimed])
            if dec:
                msg += f"; {dec}"
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
            "pvalues": {t: rec[t]["pvalue"] for t in TESTS},
            "match": match, "reproducing": reproducing}
    return EntryResult(table=entry.table.id, kind="contingency", label=entry.row, verdict=verdict,
                       message=msg, checks=tuple(checks), source=entry.source, data=data)


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

