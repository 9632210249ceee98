"""``rparity faults``: run every seeded fault through ``rparity check`` and show
that each is caught (exit 0 only when all are)."""
from __future__ import annotations

import argparse
from dataclasses import dataclass

__all__ = ["register", "run", "run_faults", "FaultResult"]


@dataclass(frozen=True)
class FaultResult:
    """One fault's check: caught or not, and the first failing row."""

    fault: str
    function: str
    probes: str
    caught: bool
    failing_rows: int
    first: str


def register(sub) -> None:
    p = sub.add_parser("faults", help="prove the referee: run each seeded fault of pyimpl through the check")
    p.add_argument("--against", default="golden", choices=("golden", "r"),
                   help="reference: the golden files (default) or live R")
    p.add_argument("--only", action="append", metavar="ID", help="only this fault (repeatable)")
    p.add_argument("--list", action="store_true", help="list the faults and exit")
    p.set_defaults(func=run)


def run_faults(against: str = "golden", only=None, progress=None) -> list[FaultResult]:
    """Check every fault (or those in ``only``) against ``against``."""
    from ._interrupt import checkpoint
    from .check import run_check
    from .faults import FAULTS, by_id, fault_engine

    faults = [by_id(i) for i in only] if only else FAULTS
    out = []
    for f in faults:
        checkpoint()
        rep = run_check(fault_engine(f), against, functions=[f.function])
        bad = [r for r in rep.rows if r.classification is not None and r.classification.failing]
        first = f"{bad[0].case} {bad[0].quantity}: {bad[0].label}" if bad else ""
        out.append(FaultResult(f.id, f.function, f.probes, not rep.ok, len(bad), first))
        if progress is not None:
            progress(out[-1])
    return out


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .cli_args import UsageError
    from .faults import FAULTS

    console = Console()
    known = [f.id for f in FAULTS]
    for i in args.only or ():
        if i not in known:
            from .engines import close_match

            raise UsageError(f"--only {i!r} is not a seeded fault{close_match(i, known)}; see rparity faults --list")
    if args.list:
        t = Table(title="seeded faults of pyimpl")
        t.add_column("fault", no_wrap=True)  # an identifier: `--only` takes it
        for col in ("function", "probes", "mistake"):
            t.add_column(col)
        for f in FAULTS:
            t.add_row(f.id, f.function, f.probes, f.description)
        console.print(t)
        return 0
    results = run_faults(args.against, args.only)
    t = Table(title=f"seeded faults against {args.against}")
    t.add_column("fault", no_wrap=True)
    for col in ("function", "probes", "caught", "failing rows", "first failing row"):
        t.add_column(col)
    for r in results:
        t.add_row(r.fault, r.function, r.probes, "[green]yes[/]" if r.caught else "[bold red]NO[/]",
                  str(r.failing_rows), r.first)
    console.print(t)
    missed = [r.fault for r in results if not r.caught]
    console.print(f"{len(results) - len(missed)} of {len(results)} faults caught"
                  + (f"; missed: {', '.join(missed)}" if missed else ""))
    return 1 if missed else 0
