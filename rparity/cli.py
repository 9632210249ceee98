"""The ``rparity`` command line.

Exit status: 0 everything agrees / is consistent, 1 a difference was found,
2 usage error or unreadable input.
"""
from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .check import render_table, run_check

    console = Console(stderr=False)
    functions = args.function or None
    report = run_check(args.engine, args.against, functions=functions)
    for n in report.notes:
        console.print(f"[dim]{n}[/dim]")
    if report.reference_versions:
        v = report.reference_versions
        parts = [v["R"]] if v.get("R") else []
        parts += [f"{k} {v[k]}" for k in ("survival", "MatchIt") if v.get(k)]
        parts += [f"BLAS {v['BLAS']}" if v.get("BLAS") else "", f"LAPACK {v['LAPACK_version']}"
                  if v.get("LAPACK_version") else ""]
        console.print("Compared against " + ", ".join(p for p in parts if p), soft_wrap=True)
    console.print(render_table(report, only_problems=args.problems_only))
    counts = report.counts()
    console.print("Summary: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    if args.json:
        report.write_json(args.json)
        console.print(f"wrote {args.json}")
    return 0 if report.ok else 1


def _cmd_golden(args: argparse.Namespace) -> int:  # pragma: no cover - dispatched in main()
    from .golden import main as golden_main

    return golden_main([])


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rparity", description="R-parity validation harness")
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run every function on every fixture in two engines and compare")
    c.add_argument("--engine", default="pyimpl", help="engine under test (default pyimpl)")
    c.add_argument("--against", default="r", help="reference: r (default; golden files if R is missing) or golden")
    c.add_argument("--function", action="append", help="only this contract function (repeatable)")
    c.add_argument("--json", metavar="PATH", help="also write the full comparison as JSON")
    c.add_argument("--problems-only", action="store_true", help="print only rows that do not agree")
    c.set_defaults(func=_cmd_check)
    g = sub.add_parser("golden", help="regenerate golden files from R (--check: list stale ones)",
                       add_help=False)
    g.set_defaults(func=_cmd_golden)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["golden"]:  # its own parser takes the rest
        from .golden import main as golden_main

        return golden_main(argv[1:])
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
