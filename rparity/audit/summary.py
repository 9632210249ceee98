"""Table-level summaries: verdict counts, and what a table's rows say together.

The point of auditing a whole table: when the printed p-values of a Table 1 are
all reproduced by, say, Pearson's chi-square while the paper claims Fisher's
exact test, that is one finding about the table (the methods section is wrong,
or the wrong column of the output was copied), not ten row-level accidents.

Rows whose printed p-value every test reproduces (typically "<0.001", or 1.000
for identical arms) cannot tell tests apart; the table-level finding is drawn
from the *discriminating* rows, those that some test fails to reproduce.
"""
from __future__ import annotations

from .entries import TESTS, TableSpec
from .results import EntryResult, TableSummary, Verdict, combine

__all__ = ["summarise_table"]


def summarise_table(spec: TableSpec, entries: list[EntryResult]) -> TableSummary:
    counts = {v.value: 0 for v in Verdict if v is not Verdict.NOT_APPLICABLE}
    for e in entries:
        counts[e.verdict.value] += 1
    findings: list[str] = []
    cont = [e for e in entries if e.kind == "contingency" and e.verdict is not Verdict.UNREADABLE
            and "match" in e.data]  # rows with a printed p
    tests = _tests_of(cont)
    tests_rep = {t: sum(1 for e in cont if t in e.data.get("reproducing", [])) for t in tests}
    if cont:
        findings.extend(_contingency_findings(cont, tests, tests_rep))
    for kind, what in (("percent", "percentages"), ("ratio", "ratio estimates"), ("landmark", "KM landmarks"),
                       ("continuous", "continuous rows"), ("survival", "survival comparisons")):
        ks = [e for e in entries if e.kind == kind]
        if not ks:
            continue
        bad = [e for e in ks if e.verdict is Verdict.INCONSISTENT]
        other = [e for e in ks if e.verdict is Verdict.OTHER_TEST]
        if bad:
            findings.append(f"{len(bad)} of {len(ks)} {what} inconsistent: "
                            + "; ".join(e.label for e in bad[:6]) + (" ..." if len(bad) > 6 else ""))
        elif all(e.verdict is Verdict.CONSISTENT for e in ks):
            findings.append(f"all {len(ks)} {what} consistent")
        if other and kind != "contingency":
            findings.append(f"{len(other)} of {len(ks)} {what} reproduced by another test than the one claimed: "
                            + "; ".join(e.label for e in other[:6]) + (" ..." if len(other) > 6 else ""))
    unread = [e for e in entries if e.verdict is Verdict.UNREADABLE]
    if unread:
        findings.append(f"{len(unread)} entr{'y' if len(unread) == 1 else 'ies'} unreadable")
    verdict = combine([e.verdict for e in entries]) if entries else Verdict.CANNOT_TELL
    return TableSummary(table=spec.id, title=spec.title, counts=counts, claimed_test=spec.test,
                        n_contingency=len(cont), tests_reproducing=tests_rep,
                        findings=tuple(findings), verdict=verdict)


def _tests_of(cont: list[EntryResult]) -> list[str]:
    """Every test recomputed for some row, in display order."""
    out = list(TESTS)
    for e in cont:
        for t in e.data.get("tests", TESTS):
            if t not in out:
                out.append(t)
    return out


def _contingency_findings(cont: list[EntryResult], tests: list[str], tests_rep: dict[str, int]) -> list[str]:
    out: list[str] = []
    n = len(cont)
    available = [t for t in tests if all(e.data["match"].get(t, "unavailable") != "unavailable" for e in cont)]
    # rows where a claimed test is undecided (on a rounding boundary) say nothing
    decided = [e for e in cont if e.data.get("claimed_match") != "edge"
               and not any(e.data["match"].get(t) in ("edge", "unavailable") for t in e.data["claimed"])]
    disc = [e for e in decided if set(e.data["reproducing"]) != _defined(e, available)]
    nd = len(disc)
    rep_disc = {t: sum(1 for e in disc if t in e.data["reproducing"]) for t in available}
    summary = ", ".join(f"{t} {tests_rep[t]}/{n}" for t in tests)
    out.append(f"p-values reproduced: {summary} ({nd} of {n} rows discriminate between tests)")
    if nd == 0:
        return out
    claimed_rows = [e for e in disc if e.data["claimed"]]
    if not claimed_rows:
        full = [t for t in available if rep_disc[t] == nd]
        if full:
            out.append(f"{' and '.join(full)} {_verb(full)} every discriminating row (no test claimed)")
        return out
    written = {tuple(e.data.get("claim_as_written", e.data["claimed"])) for e in claimed_rows}
    cl = " or ".join(next(iter(written))) if len(written) == 1 else "tests claimed row by row"
    ncl = len(claimed_rows)
    claimed_ok = sum(1 for e in claimed_rows if e.data.get("claimed_match") == "yes")
    if claimed_ok == ncl:
        out.append(f"the claimed {cl} reproduces every discriminating row" + (
            "" if ncl == nd else f" that has a claim ({ncl} of {nd})"))
        return out
    ever_claimed = {t for e in claimed_rows for t in e.data["claimed"]}
    others = sorted((t for t in available if t not in ever_claimed), key=lambda t: -rep_disc[t])
    best = [t for t in others if rep_disc[t] == rep_disc[others[0]]] if others else []
    b = rep_disc[best[0]] if best else 0
    if best and b == nd:
        out.append(
            f"TABLE-LEVEL: the claimed {cl} reproduces {claimed_ok} of {ncl} discriminating rows, "
            f"but {' and '.join(best)} {_verb(best)} all {nd}: the p-values appear to come from "
            f"{' or '.join(best)}, not the test claimed")
        return out
    if best and b > claimed_ok and 2 * b > nd:
        missed = "; ".join(
            f"not reproduced by {t}: " + ", ".join(e.label for e in disc if t not in e.data["reproducing"])
            for t in best)
        each = " each" if len(best) > 1 else ""
        out.append(
            f"TABLE-LEVEL: the claimed {cl} reproduces {claimed_ok} of {ncl} discriminating rows, "
            f"{' and '.join(best)}{each} {_verb(best)} {b} of {nd}: most p-values appear to come from "
            f"{' or '.join(best)}, not the test claimed ({missed})")
        return out
    # the claim explains most rows (or no other test does better): say which rows
    # it does not explain, and whether another test or none reproduces each
    other = [e for e in claimed_rows if e.verdict is Verdict.OTHER_TEST]
    none = [e for e in claimed_rows if e.verdict is Verdict.INCONSISTENT]
    parts = []
    if other:
        parts.append("reproduced by another test: " + ", ".join(
            f"{e.label} ({' or '.join(t for t in e.data['reproducing'])})" for e in other))
    if none:
        parts.append("reproduced by no test: " + ", ".join(e.label for e in none))
    lead = max((rep_disc[t] for t in others), default=0)
    leaders = ", ".join(t for t in others if rep_disc[t] == lead)
    cmp_txt = ("" if not others else " (more than any unclaimed test)" if claimed_ok > lead
               else f" (as many as {leaders})" if claimed_ok == lead else f" (fewer than {leaders}: {lead})")
    out.append(f"the claimed {cl} reproduces {claimed_ok} of {ncl} discriminating rows{cmp_txt}"
               + ("; " + "; ".join(parts) if parts else ""))
    return out


def _defined(e: EntryResult, tests: list[str]) -> set[str]:
    """The tests with a p-value for this row."""
    return {t for t in tests if e.data["match"].get(t, "undefined") != "undefined"}


def _verb(tests) -> str:
    return "reproduces" if len(tests) == 1 else "reproduce"
