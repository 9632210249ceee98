"""``rparity fuzz``: a hypothesis campaign of one engine against another."""
from __future__ import annotations

import argparse

__all__ = ["register", "run"]

DEFAULT_CORPUS = "rparity-corpus"


def register(sub) -> None:
    f = sub.add_parser("fuzz", help="search generated cohorts for divergences, shrink and save them")
    f.add_argument("--engine", required=True, help="engine under test (name or module:attribute)")
    f.add_argument("--against", default="r", help="reference engine (default r)")
    f.add_argument("--function", required=True, action="append", help="contract function (repeatable)")
    f.add_argument("--examples", type=int, default=200, help="inputs to try per function (default 200)")
    f.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"where divergences are saved (default {DEFAULT_CORPUS})")
    f.add_argument("--seed", type=int, default=None, help="seed for a reproducible campaign")
    f.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from .fuzz import campaign, finding_table

    console = Console()
    any_new = False
    for fn in args.function:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[found]} divergence(s)"), TimeElapsedColumn(),
                      console=console, transient=False) as prog:
            task = prog.add_task(f"{args.engine} vs {args.against}: {fn}", total=args.examples, found=0)
            res = campaign(args.engine, args.against, fn, examples=args.examples, corpus=args.corpus,
                           seed=args.seed,
                           on_example=lambda n, k: prog.update(task, completed=min(n, args.examples), found=k))
            prog.update(task, completed=args.examples if not res.interrupted else res.examples_run)
        t = Table(title=f"{fn}: divergences found ({'interrupted' if res.interrupted else 'complete'})")
        for col in ("signature", "minimal rows", "quantities", "classification", "saved in"):
            t.add_column(col)
        for row in finding_table(res):
            t.add_row(row["signature"], str(row["rows"]), ", ".join(row["quantities"][:6]),
                      ", ".join(row["classification"]), row["path"])
        console.print(t)
        any_new |= bool(res.new)
        if res.interrupted:
            console.print("[yellow]interrupted: everything found so far is saved[/yellow]")
            return 130
    return 1 if any_new else 0
