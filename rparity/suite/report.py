"""The suite's reports and command: the per-script table, docs/survival-suite.md,
``rparity suite``."""
from __future__ import annotations

from collections import Counter

from .replay import FAILURES, ScriptVerdict, Status, run_suite

__all__ = ["render", "render_doc", "DOC_INTRO", "register"]


def render(results: list[ScriptVerdict], *, verbose: bool = False) -> str:
    cols = [s.value for s in Status]
    lines = ["| script | calls | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    total: Counter = Counter()
    for s in results:
        total.update(s.counts)
        lines.append(f"| {s.script} | {len(s.calls)} | " + " | ".join(str(s.counts.get(c, 0) or "")
                                                                       for c in cols) + " |")
    lines.append(f"| **all** | {sum(len(s.calls) for s in results)} | "
                 + " | ".join(str(total.get(c, 0)) for c in cols) + " |")
    if verbose:
        lines.append("")
        for s in results:
            for v in s.calls:
                if v.status is not Status.AGREE:
                    lines.append(f"- `{v.id}` {v.status.value}: {v.reason}  \n  `{v.call}`")
    return "\n".join(lines)


def render_doc(results: list[ScriptVerdict]) -> str:
    """docs/survival-suite.md: the table, then every call that does not agree,
    grouped by status and reason (with the calls' ids)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for s in results:
        for v in s.calls:
            if v.status is not Status.AGREE:
                groups.setdefault((v.status.value, v.reason), []).append(v.id)
    order = {st.value: i for i, st in enumerate(Status)}
    lines = [DOC_INTRO + render(results), "", "## Every call that does not agree, by reason", ""]
    for (status, reason), ids in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1]), kv[0][1])):
        shown = ", ".join(f"`{i}`" for i in ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        lines.append(f"- **{status}** ({len(ids)}): {reason.replace('|', '/')}  \n  {shown}")
    return "\n".join(lines) + "\n"


DOC_INTRO = """# R survival's own test suite, replayed in pyimpl

survival 3.5-3 (github:therneau/survival, commit `e9d7ca0`) ships about 100 test
scripts in `tests/`, written by the package's author, many of them checking
hand-calculated values (`book1.R` ... `book7.R`). `fixtures/survival_suite/` holds
every call those scripts make to `coxph`, `survfit`, `survdiff`, `survreg`, `tmerge` and, on a
`coxph` fit, `survfit`, `residuals`, `predict`, `cox.zph`, `concordance` and `coxph.detail`
(on a `survreg` fit, `residuals` and `predict`):
the call as written, its data (exactly), its arguments and R's numbers, captured by
running each script under R 4.2.2 with survival 3.5-3
(`python -m fixtures.survival_suite <survival>/tests` regenerates them).
`rparity suite` makes each call again in an engine and compares every number with
R's through the tolerance table (the script's own warnings included). An
extraction in a formula (`aml$time`, `fit1$coef[2]`) is captured as a column so
named, evaluated where the script wrote it; `survfit(fit, newdata, id=)`'s id
and `tmerge`'s terms are evaluated in their data, as R evaluates them.

Statuses: **agree** (every number within tolerance, or both refuse for the same
reason); **differ**, **accepted** (the engine answers where R refuses), **engine
error**: verdicts against the engine (none may remain); **refused** (the engine
refuses what R accepts) and **unsupported** (an argument the contract lacks): the
gaps left, each with its reason below; **out of scope** (frailty and penalized
terms, `tt()`, multi-state Cox models (coxphms), interval-censored curves (Turnbull): not in the contract);
**not captured** (a variable that is a list, a matrix or a `Surv` column, or a
`Date`; a fit the script changed before using it).

This page is `rparity suite --doc` (a test checks that it is current).

"""


# ---- CLI -------------------------------------------------------------------
def register(sub) -> None:
    p = sub.add_parser("suite", help="replay R survival's own test suite (survival 3.5-3 tests/) in an engine")
    p.add_argument("--engine", default="pyimpl", help="engine to replay in (default pyimpl; 'r' checks rbridge)")
    p.add_argument("--script", action="append", default=None, help="only this script (repeatable): book1.R")
    p.add_argument("-v", "--verbose", action="store_true", help="list every call that does not agree, and why")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.add_argument("--doc", action="store_true", help="print docs/survival-suite.md (the table and every gap)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    import json

    import fixtures.survival_suite as suite

    if args.script:
        unknown = sorted(set(args.script) - set(suite.script_names()))
        if unknown:
            from ..cli_args import UsageError

            raise UsageError(f"--script {unknown[0]!r} is not a captured script; known: "
                             + ", ".join(suite.script_names()))
    results = run_suite(args.engine, args.script)
    if args.json:
        print(json.dumps([{"script": s.script, "counts": s.counts,
                           "calls": [{"id": v.id, "function": v.function, "status": v.status.value,
                                      "reason": v.reason, "call": v.call} for v in s.calls]}
                          for s in results], indent=1))
    elif args.doc:
        print(render_doc(results))
    else:
        print(render(results, verbose=args.verbose))
    failed = [v for s in results for v in s.calls if v.status in FAILURES]
    agreed = sum(1 for s in results for v in s.calls if v.status is Status.AGREE)
    if not agreed:
        print("nothing was checked: no call agreed", flush=True)
        return 1
    return 1 if failed else 0

