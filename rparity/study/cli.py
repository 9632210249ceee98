"""``rparity study`` and ``rparity demo``.

``rparity study COHORT.csv --spec SPEC.toml --engines pyimpl,r [--out DIR]``
runs a study's pipeline in each engine, compares every number, and writes
``DIR/study-report.html`` and ``DIR/study-results.json``.

``rparity demo [--out DIR]`` does the same on the bundled synthetic cohort
with the bundled spec of the paper's methods, in pyimpl and R (R missing: it
says so, runs pyimpl alone and marks the parity section as not run).

Before any work, the engine names are checked (an unknown one is named with
the valid names and the closest) and so is the output directory (it must be
creatable and writable). The two files are written atomically, together, at
the end: a failed or interrupted run leaves no file behind, and a previous
report untouched.

Exit status: 0 every number agrees (or its difference is classified), or
parity was not run; 1 a new divergence or an engine error; 2 bad input (one
line naming the setting, column, row, engine or directory; no report is
written); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from rparity_contract.errors import InvalidArgument

from .errors import StudyInputError

__all__ = ["register", "run_study_cmd", "run_demo_cmd", "SYNTHETIC_NOTICE"]

SYNTHETIC_NOTICE = (
    "The cohort analysed here is SYNTHETIC (fixtures/data/study_cohort.csv, written by "
    "fixtures/synthetic_study.py from a fixed seed), not the study's data, which are not public. It has the "
    "paper's Table 1 counts before matching exactly; everything else (raw values, outcomes, hence every "
    "survival figure, hazard ratio and the matched sample) is drawn at random to be of the paper's order. "
    "The report shows the paper's analysis done twice, in two engines; it does not reproduce the paper's results.")


def register(sub) -> None:
    s = sub.add_parser("study", help="run an observational study's pipeline in one or two engines and write a report",
                       description="Run the study pipeline (Table 1, matching, Kaplan-Meier, Cox, subgroups) on "
                                   "COHORT.csv as SPEC.toml declares, in each engine, compare every number, and "
                                   "write an HTML report and a JSON file.")
    s.add_argument("cohort", help="cohort CSV, one row per patient")
    s.add_argument("--spec", required=True, help="study spec (TOML); see rparity/study/specs/paper.toml")
    s.add_argument("--engines", default="pyimpl,r",
                   help="comma-separated engines; the second is the reference (default: pyimpl,r)")
    s.add_argument("--out", default="rparity-report", help="output directory (default: ./rparity-report)")
    _version_arguments(s)
    s.set_defaults(func=run_study_cmd)

    d = sub.add_parser("demo", help="run the bundled study (the paper's methods on a synthetic cohort) in pyimpl and R",
                       description="Run the paper's methods (bundled spec) on the bundled SYNTHETIC cohort in "
                                   "pyimpl and R and write the report.")
    d.add_argument("--out", default="rparity-report-demo", help="output directory (default: ./rparity-report-demo)")
    d.add_argument("--engines", default="pyimpl,r", help="comma-separated engines (default: pyimpl,r)")
    _version_arguments(d)
    d.set_defaults(func=run_demo_cmd)


def _version_arguments(p) -> None:
    p.add_argument("--profile", default=None, metavar="NAME",
                   help="also report the numbers as another package computes them, beside R's "
                        "(spss21: SPSS 21's COXREG, CROSSTABS and KM conventions); overrides the spec's "
                        "[study] profile")
    p.add_argument("--matchit", default=None, metavar="VERSIONS",
                   help="also run the matching and everything after it once per MatchIt version "
                        "(3.0.2, 4.5.1, documented; comma-separated) and add the version matrix to the report")
    p.add_argument("--seeds", type=int, default=500,
                   help="with --matchit: seeds of the distribution of a version that draws at random (default 500)")
    p.add_argument("--workers", type=int, default=None,
                   help="with --matchit: Dask worker processes for the seeds (default: none, here)")
    p.add_argument("--no-sweep", action="store_true",
                   help="with --matchit: skip the sweep of the settings the paper does not report")


def _engines(text: str) -> list[str]:
    return [e.strip() for e in text.split(",") if e.strip()]


def _status_line(results, spec) -> str:
    from . import keys as K
    from .keys import Quantity

    a = results[0]
    matched = " + ".join(str(a.get(K.matching(Quantity.N, arm=arm), "?")) for arm in spec.arms.order)
    total = " + ".join(str(a.get(K.cohort(arm=arm), "?")) for arm in spec.arms.order)
    return f"cohort {total} -> matched {matched}  ({', '.join(r.engine for r in results)})"


def _print_run(run, console) -> int:
    from rich.markup import escape

    spec, parity = run.spec, run.parity
    console.print(f"[bold]{escape(spec.title)}[/bold]")
    for n, why in run.skipped_engines:
        console.print(f"[yellow]engine {n!r} did not run: {escape(why)}[/yellow]")
    console.print(escape(_status_line(run.results, spec)))
    for r in run.results:
        for step, status in r.steps.items():
            if not status.ok:
                console.print(f"[yellow]{r.engine}: {step} {escape(str(status))}[/yellow]")
    if not parity.ran:
        console.print(f"parity: not run ({escape(parity.reason)})")
        code = 0
    else:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(parity.counts().items()))
        style = "green" if parity.ok else "bold red"
        console.print(f"parity {parity.engines[0]} vs {parity.engines[1]}: [{style}]{escape(counts)}[/{style}]")
        failing = parity.failing()
        for row in failing[:10]:
            console.print(f"  [red]{escape(str(row.key))}[/red] ({escape(row.label)}): "
                          + escape(row.detail or f"rel diff {row.max_rel:.1e} > {row.tolerance}"))
        if len(failing) > 10:
            console.print(f"  ... and {len(failing) - 10} more (see the report's parity section)")
        code = 0 if parity.ok else 1
    if run.versions is not None:
        _print_versions(run, console)
    console.print(f"report: {run.html_path.resolve()}")
    console.print(f"json:   {run.json_path.resolve()}")
    return code


def _print_versions(run, console) -> None:
    from rich.markup import escape

    vm = run.versions
    arms = run.spec.arms.order
    for r in vm.versions:
        n = " + ".join(str(r.n.get(a, "?")) for a in arms) if r.error is None else f"fails ({r.error})"
        console.print(escape(f"MatchIt {r.version}: matched {n}, HR after matching {r.hr_after:.3f}"))
    for d in vm.seeds:
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(d.pairs_counts().items()))
        console.print(escape(f"  {d.version} over {len(d.seeds)} seeds: pairs {counts}"))
    consistent = vm.consistent_settings()
    if vm.published_pairs is not None:
        console.print(escape(f"settings giving the published {vm.published_pairs} pairs: "
                             + ("; ".join(f"{r.version} {r.link} {r.m_order} caliper "
                                          f"{'none' if r.caliper is None else r.caliper}" for r in consistent[:6])
                                or "none of those tried")
                             + (f" (+{len(consistent) - 6} more in the report)" if len(consistent) > 6 else "")))


def _run(args, cohort, spec, notices, command) -> int:
    from rich.console import Console
    from rich.markup import escape

    from rparity._interrupt import interruptible

    from .run import check_engines, check_out_dir, run_study_files
    from .versions import parse_versions

    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        with interruptible():
            # before any work: the engines exist, the output directory can be written
            names = check_engines(_engines(args.engines))
            check_out_dir(args.out)
            versions = parse_versions(args.matchit) if args.matchit is not None else ()
            run = run_study_files(cohort, spec, names, out_dir=args.out, notices=notices, command=command,
                                  matchit_versions=versions, seeds=args.seeds, workers=args.workers,
                                  sweep=not args.no_sweep, profile=args.profile)
    except (StudyInputError, InvalidArgument) as exc:
        # one line: what is wrong, and that nothing was written
        err.print(f"[bold red]rparity {args.command}: bad input:[/bold red] {escape(str(exc))} "
                  f"(no report was written)", soft_wrap=True)
        return 2
    except OSError as exc:  # writing the files failed (a full disk...): they were not moved into place
        err.print(f"[bold red]rparity {args.command}: cannot write to {escape(str(args.out))!r}:[/bold red] "
                  f"{escape(str(exc))} (no report was written)", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print(f"rparity {args.command}: interrupted (no report was written)")
        return 130
    return _print_run(run, console)


def _vflags(args) -> str:
    if args.profile is not None:
        return f" --profile {args.profile}" + _vflags(argparse.Namespace(**{**vars(args), "profile": None}))
    if args.matchit is None:
        return ""
    out = f" --matchit {args.matchit} --seeds {args.seeds}"
    if args.workers is not None:
        out += f" --workers {args.workers}"
    return out + (" --no-sweep" if args.no_sweep else "")


def run_study_cmd(args: argparse.Namespace) -> int:
    cmd = f"rparity study {args.cohort} --spec {args.spec} --engines {args.engines} --out {args.out}" + _vflags(args)
    return _run(args, args.cohort, args.spec, [], cmd)


def run_demo_cmd(args: argparse.Namespace) -> int:
    import fixtures

    from .spec import bundled_spec_path

    cohort = Path(str(fixtures.path("study_cohort")))
    cmd = f"rparity demo --out {args.out}" + _vflags(args)
    return _run(args, cohort, bundled_spec_path("paper"), [SYNTHETIC_NOTICE], cmd)
