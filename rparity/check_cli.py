"""``rparity check``: compare an engine with R on every fixture."""
from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def register(sub) -> None:
    c = sub.add_parser("check", help="run every function on every fixture in two engines and compare")
    c.add_argument("--engine", default="pyimpl", help="engine under test (default pyimpl)")
    c.add_argument("--against", default="r", help="reference: r (default; golden files if R is missing) or golden")
    c.add_argument("--function", action="append", help="only this contract function (repeatable)")
    c.add_argument("--json", metavar="PATH", help="also write the full comparison as JSON")
    c.add_argument("--problems-only", action="store_true", help="print only rows that do not agree")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .check import render_table, run_check

    console = Console()
    report = run_check(args.engine, args.against, functions=args.function or None)
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
    console.print("Summary: " + ", ".join(f"{n} {k}" for k, n in sorted(report.counts().items())))
    if args.json:
        report.write_json(args.json)
        console.print(f"wrote {args.json}")
    return 0 if report.ok else 1
