"""``rparity fuzz``: a hypothesis campaign of one engine against another."""
from __future__ import annotations

import argparse

from .cli_args import positive_int

__all__ = ["register", "run"]

DEFAULT_CORPUS = "rparity-corpus"
DEFAULT_RESULTS = "rparity-results"  # = rparity.distributed.DEFAULT_RESULTS (not imported: dask is optional)
DEFAULT_TASK_EXAMPLES = 25


def register(sub) -> None:
    f = sub.add_parser("fuzz", help="search generated cohorts for divergences, shrink and save them")
    f.add_argument("--engine", required=True, help="engine under test (name or module:attribute)")
    f.add_argument("--against", default="r", help="reference engine (default r)")
    f.add_argument("--function", required=True, action="append", help="contract function (repeatable)")
    f.add_argument("--examples", type=positive_int, default=200, help="inputs to try per function (default 200)")
    f.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"where divergences are saved (default {DEFAULT_CORPUS})")
    f.add_argument("--seed", type=int, default=None, help="seed for a reproducible campaign")
    add_distributed_arguments(f, tasks=True)
    f.set_defaults(func=run)


def add_distributed_arguments(p, *, tasks: bool) -> None:
    """--workers / --scheduler / --results (shared with ``rparity check``)."""
    g = p.add_argument_group("distributed (Dask; needs the dask extra)")
    where = g.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, metavar="N", default=None,
                       help="run on a local Dask cluster of N single-threaded worker processes, each with its own R")
    where.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run on the existing Dask cluster at ADDRESS (e.g. tcp://host:8786)")
    g.add_argument("--results", metavar="DIR", default=DEFAULT_RESULTS,
                   help=f"where task results stream, for resuming (default {DEFAULT_RESULTS})")
    if tasks:
        g.add_argument("--task-examples", type=positive_int, metavar="K", default=DEFAULT_TASK_EXAMPLES,
                       help=f"generated inputs per task (default {DEFAULT_TASK_EXAMPLES}); part of the campaign's "
                            "identity, like --seed")


def distributed(args: argparse.Namespace) -> bool:
    """Whether ``args`` ask for a Dask run."""
    return args.workers is not None or args.scheduler is not None


def distributed_usage_error(args: argparse.Namespace) -> str | None:
    if args.workers is not None and args.workers < 1:
        return f"--workers must be at least 1; got --workers {args.workers}"
    if getattr(args, "task_examples", 1) < 1:
        return f"--task-examples must be at least 1; got --task-examples {args.task_examples}"
    return None


def _validate(args: argparse.Namespace) -> None:
    """Everything checked before any work (exit 2 with one line otherwise)."""
    from .cli_args import UsageError, check_engine, check_functions, check_output_dir, check_reference
    from .fuzz_targets import TARGETS

    check_engine(args.engine)
    if args.against == "golden":
        raise UsageError("--against golden: a fuzz campaign needs a live reference engine (r, or an engine name)")
    check_reference(args.against)
    check_functions(args.function, sorted(TARGETS))
    check_output_dir(args.corpus, "--corpus")
    err = distributed_usage_error(args) if distributed(args) else None
    if err:
        raise UsageError(err)
    if distributed(args):
        check_output_dir(args.results, "--results")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .fuzz import campaign, finding_table

    _validate(args)
    console = Console()
    if distributed(args):
        return _run_distributed(args, console)
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
        console.print(_findings_table(fn, res, finding_table))
        any_new |= bool(res.new)
        if res.interrupted:
            console.print("[yellow]interrupted: everything found so far is saved[/yellow]")
            return 130
    return 1 if any_new else 0


def _findings_table(fn, res, finding_table, *, status: str | None = None):
    from rich.table import Table

    status = status or ("interrupted" if res.interrupted else "complete")
    t = Table(title=f"{fn}: divergences found ({status})")
    sigs = [f.signature for f in res.findings] or [""]
    # a signature is an identifier: shown whole, on one line
    t.add_column("signature", no_wrap=True, min_width=max(len("signature"), *map(len, sigs)))
    for col in ("minimal rows", "quantities", "classification", "saved in"):
        t.add_column(col, overflow="fold")
    for row in finding_table(res):
        t.add_row(row["signature"], str(row["rows"]), ", ".join(row["quantities"][:6]),
                  ", ".join(row["classification"]), row["path"])
    return t


def _run_distributed(args: argparse.Namespace, console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    try:
        from .distributed import fuzz as dfuzz
        from .distributed.plan import new_root_seed
    except ImportError as exc:
        from .cli_args import UsageError

        raise UsageError(f"--workers/--scheduler need dask: pip install 'rparity[dask]' ({exc})") from None
    from .fuzz import finding_table

    seed = args.seed if args.seed is not None else new_root_seed()
    where = f"{args.workers} local worker(s)" if args.workers is not None else f"the cluster at {args.scheduler}"
    console.print(f"root seed {seed} (rerun with --seed {seed} to resume); {where}; results in {args.results}")
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[found]} divergence(s), {task.fields[failed]} failed task(s)"),
                  TimeElapsedColumn(), console=console, transient=False) as prog:
        bars = {fn: prog.add_task(f"{args.engine} vs {args.against}: {fn}", total=args.examples, found=0,
                                  failed=0) for fn in args.function}
        found: dict[str, set] = {fn: set() for fn in args.function}
        failed = dict.fromkeys(args.function, 0)

        def on_record(rec):
            fn = rec["function"]
            if rec["status"] == "done":
                found[fn] |= {f["signature"] for f in rec["findings"]}
            else:
                failed[fn] += 1
            prog.update(bars[fn], advance=rec["examples"], found=len(found[fn]), failed=failed[fn])

        run = dfuzz(args.engine, args.against, args.function, examples=args.examples, seed=seed,
                    task_examples=args.task_examples, results=args.results, corpus=args.corpus,
                    workers=args.workers, scheduler=args.scheduler, on_record=on_record)
        for fn in args.function:
            m = run.merged[fn]
            prog.update(bars[fn], completed=sum(t["examples"] for t in m["tasks"] if t["status"] != "pending"))
    st = run.stats
    console.print(f"tasks: {st.planned} planned, {st.reused} reused from {st.store}, {st.done} run now, "
                  f"{st.failed} failed")
    any_new = False
    for fn in args.function:
        m, res = run.merged[fn], run.campaigns[fn]
        status = "complete" if m["complete"] else ("interrupted" if st.interrupted else "incomplete")
        console.print(_findings_table(fn, res, finding_table, status=status))
        for f in m["failed"]:
            console.print(f"[red]task {f['task']} failed: {f['error'].splitlines()[0] if f['error'] else ''}[/red]")
        console.print(f"[dim]merged result: {run.merged_paths[fn]}[/dim]")
        any_new |= bool(res.new)
    if st.interrupted:
        console.print(f"[yellow]interrupted: finished tasks are saved; rerun with --seed {seed} to resume[/yellow]")
        return 130
    return 1 if any_new or run.failed else 0
