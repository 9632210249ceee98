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
    cont = [e for e in entries if e.kind == "contingency" and e.verdict is not Verdict.UNREADABLE]
    tests_rep = {t: sum(1 for e in cont if t in e.data.get("reproducing", [])) for t in TESTS}
    claimed = spec.test
    claims = {tuple(e.data.get("claimed", [])) for e in cont}
    if cont:
        findings.extend(_contingency_findings(cont, claimed if len(claims) <= 1 else (), tests_rep))
    for kind, what in (("percent", "percentages"), ("ratio", "ratio estimates"), ("landmark", "KM landmarks")):
        ks = [e for e in entries if e.kind == kind]
        if not ks:
            continue
        bad = [e for e in ks if e.verdict is Verdict.INCONSISTENT]
        if bad:
            findings.append(f"{len(bad)} of {len(ks)} {what} inconsistent: "
                            + "; ".join(e.label for e in bad[:6]) + (" ..." if len(bad) > 6 else ""))
        elif all(e.verdict is Verdict.CONSISTENT for e in ks):
            findings.append(f"all {len(ks)} {what} consistent")
    unread = [e for e in entries if e.verdict is Verdict.UNREADABLE]
    if unread:
        findings.append(f"{len(unread)} entr{'y' if len(unread) == 1 else 'ies'} unreadable")
    verdict = combine([e.verdict for e in entries]) if entries else Verdict.CANNOT_TELL
    return TableSummary(table=spec.id, title=spec.title, counts=counts, claimed_test=claimed,
                        n_contingency=len(cont), tests_reproducing=tests_rep,
                        findings=tuple(findings), verdict=verdict)


def _contingency_findings(cont: list[EntryResult], claimed: tuple[str, ...],
                          tests_rep: dict[str, int]) -> list[str]:
    out: list[str] = []
    n = len(cont)
    available = [t for t in TESTS if all(e.data["match"][t] not in ("unavailable",) for e in cont)]
    # rows where a claimed test is undecided (on a rounding boundary) say nothing
    decided = [e for e in cont if not any(e.data["match"][t] in ("edge", "unavailable") for t in claimed)]
    disc = [e for e in decided
            if set(e.data["reproducing"]) != {t for t in available if e.data["match"][t] != "undefined"}]
    nd = len(disc)
    rep_disc = {t: sum(1 for e in disc if t in e.data["reproducing"]) for t in available}
    summary = ", ".join(f"{t} {tests_rep[t]}/{n}" for t in TESTS)
    out.append(f"p-values reproduced: {summary} ({nd} of {n} rows discriminate between tests)")
    if nd == 0:
        return out
    full = [t for t in available if rep_disc[t] == nd]
    if claimed:
        claimed_ok = sum(1 for e in disc if set(claimed) & set(e.data["reproducing"]))
        cl = " or ".join(claimed)
        if claimed_ok == nd:
            out.append(f"the claimed {cl} reproduces every discriminating row")
            return out
        others = sorted((t for t in available if t not in claimed), key=lambda t: -rep_disc[t])
        best = [t for t in others if rep_disc[t] == rep_disc[others[0]]] if others else []
        b = rep_disc[best[0]] if best else 0
        if best and b == nd:
            out.append(
                f"TABLE-LEVEL: the claimed {cl} reproduces {claimed_ok} of {nd} discriminating rows, "
                f"but {' and '.join(best)} {_verb(best)} all {nd}: the p-values appear to come from "
                f"{' or '.join(best)}, not the test claimed")
        elif best and b > claimed_ok and 2 * b > nd:
            missed = "; ".join(
                f"not reproduced by {t}: " + ", ".join(e.label for e in disc if t not in e.data["reproducing"])
                for t in best)
            each = " each" if len(best) > 1 else ""
            out.append(
                f"TABLE-LEVEL: the claimed {cl} reproduces {claimed_ok} of {nd} discriminating rows, "
                f"{' and '.join(best)}{each} {_verb(best)} {b} of {nd}: most p-values appear to come from "
                f"{' or '.join(best)}, not the test claimed ({missed})")
        else:
            out.append(f"the claimed {cl} reproduces {claimed_ok} of {nd} discriminating rows; no single "
                       "test explains the table" + (f" (best: {best[0]}, {b} of {nd})" if best else ""))
    elif full:
        out.append(f"{' and '.join(full)} {_verb(full)} every discriminating row (no test claimed)")
    return out


def _verb(tests) -> str:
    return "reproduces" if len(tests) == 1 else "reproduce"
