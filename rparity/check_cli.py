"""``rparity check`` (compare an engine with R on every fixture) and
``rparity engines`` (list engines and why some cannot load)."""
from __future__ import annotations

import argparse

from .fuzz_cli import add_distributed_arguments, distributed, distributed_usage_error

__all__ = ["register", "run", "run_engines"]

DEFAULT_REPORT_DIR = "rparity-report"


def register(sub) -> None:
    c = sub.add_parser("check", help="run every function on every fixture in two engines and compare")
    c.add_argument("--engine", default="pyimpl", help="engine under test: a name or module:attribute (default pyimpl)")
    c.add_argument("--against", default="r", help="reference: r (default; golden files if R is missing) or golden")
    c.add_argument("--function", action="append", help="only this contract function (repeatable)")
    c.add_argument("--json", metavar="PATH", help="also write the full comparison as JSON")
    c.add_argument("--report", metavar="DIR", default=DEFAULT_REPORT_DIR,
                   help=f"write Markdown and HTML parity reports here (default {DEFAULT_REPORT_DIR}; '' for none)")
    c.add_argument("--corpus", metavar="DIR", default=None,
                   help="a fuzz corpus whose shrunk cohorts the report should show")
    c.add_argument("--problems-only", action="store_true", help="print only rows that do not agree")
    c.add_argument("--strict", action="store_true",
                   help="exit 1 on known divergences too (default: only new divergences and engine errors fail)")
    add_distributed_arguments(c, tasks=False)
    c.set_defaults(func=run)
    e = sub.add_parser("engines", help="list the engines, where they come from, and import errors")
    e.set_defaults(func=run_engines)


def _validate(args: argparse.Namespace) -> None:
    """Everything checked before any work (exit 2 with one line otherwise)."""
    from pathlib import Path

    from .cases import CHECKED_IN, all_cases
    from .cli_args import (
        UsageError,
        check_engine,
        check_functions,
        check_output_dir,
        check_output_file,
        check_reference,
    )

    check_engine(args.engine)
    check_reference(args.against)
    with_cases = sorted({c.function for c in all_cases()} | {f for f, parent in CHECKED_IN.items()})
    check_functions(args.function, with_cases)
    check_output_file(args.json, "--json")
    check_output_dir(args.report, "--report")
    if args.corpus and not Path(args.corpus).is_dir():
        raise UsageError(f"--corpus {args.corpus!r} is not a directory (a fuzz corpus, from rparity fuzz --corpus)")
    err = distributed_usage_error(args) if distributed(args) else None
    if err:
        raise UsageError(err)
    if distributed(args):
        check_output_dir(args.results, "--results")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .check import render_table, run_check
    from .parity_report import write_reports

    _validate(args)
    console = Console()
    if distributed(args):
        try:
            from .distributed import check as dcheck
        except ImportError as exc:
            from .cli_args import UsageError

            raise UsageError(f"--workers/--scheduler need dask: pip install 'rparity[dask]' ({exc})") from None
        report, st = dcheck(args.engine, args.against, functions=args.function or None, results=args.results,
                            workers=args.workers, scheduler=args.scheduler)
        console.print(f"[dim]cases: {st.planned} planned, {st.reused} reused from {st.store}, {st.done} run now, "
                      f"{st.failed} failed[/dim]")
        if st.interrupted:
            console.print("[yellow]interrupted: finished cases are saved; rerun to resume[/yellow]")
            return 130
    else:
        report = run_check(args.engine, args.against, functions=args.function or None)
    if not report.rows:  # pragma: no cover - select_cases refuses an empty selection first
        from .check import NothingChecked

        raise NothingChecked("nothing was compared")
    for n in report.notes:
        console.print(f"[dim]{n}[/dim]")
    if report.reference_versions:
        v = report.reference_versions
        parts = [v["R"]] if v.get("R") else []
        parts += [f"{k} {v[k]}" for k in ("survival", "MatchIt") if v.get(k)]
        parts += [f"BLAS {v['BLAS']}" if v.get("BLAS") else "",
                  f"LAPACK {v['LAPACK_version']}" if v.get("LAPACK_version") else ""]
        console.print("Compared against " + ", ".join(p for p in parts if p), soft_wrap=True)
    console.print(render_table(report, only_problems=args.problems_only))
    console.print("Summary: " + ", ".join(f"{n} {k}" for k, n in sorted(report.classification_counts().items())))
    if args.json:
        report.write_json(args.json)
        console.print(f"wrote {args.json}")
    if args.report:
        md, html = write_reports(report, args.report, corpus_dir=args.corpus)
        console.print(f"wrote {md} and {html}")
    if args.strict:
        return 0 if report.all_agree else 1
    return 0 if report.ok else 1


def run_engines(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from rparity_contract import registry

    from .engines import engine_status

    status = engine_status()
    targets = registry.targets()
    t = Table(title="rparity engines")
    for col in ("engine", "source", "status", "provides", "cannot"):
        t.add_column(col)
    import rparity

    for name, err in status.items():
        provides = cannot = ""
        if err is None:
            eng = rparity.engine(name)
            provides = ", ".join(eng.provided())
            cannot = "\n".join(f"{f}: {escape(str(a))}" for f, args in eng.unsupported.items() for a in args)
        src = targets[name] if isinstance(targets[name], str) else "registered object"
        t.add_row(name, src, "ok" if err is None else f"[red]{escape(err)}[/red]", provides, cannot)
    Console().print(t)
    return 0
