"""``rparity audit REPORTED.toml``: audit a paper's reported statistics.

Exit status: 0 no entry inconsistent (and none unreadable; entries reproduced
by another test than the one claimed leave it 0); 1 some entry inconsistent; 2
usage error, unreadable file, or (with nothing inconsistent) some entry
unreadable.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from rich.console import Console

from rparity_contract.errors import InvalidArgument

from .api import audit
from .entries import AuditSettings
from .reader import load_toml, read_settings
from .render import render

__all__ = ["main", "build_parser", "build_draft_parser", "register"]

_DESCRIPTION = ("Check a paper's reported statistics for internal consistency: contingency "
                "p-values against Fisher / chi-square / G / trend tests, n (%) against arm sizes, "
                "means and SDs or medians against t / Welch / ANOVA / rank-test p-values, SMDs, "
                "ratio estimates against their CI and p-value, KM landmarks against N, log-rank "
                "p-values, medians and landmarks against the HR.")
_EPILOG = ("Format of REPORTED.toml: examples/audit/README.md. Exit status: 0 consistent, "
           "1 inconsistent, 2 usage error or unreadable input. To draft REPORTED.toml from a "
           "paper's text (.txt, .md, .html): rparity audit draft PAPER [-o OUT.toml] "
           "(see rparity audit draft --help).")
_DRAFT_DESCRIPTION = (
    "Draft the TOML of a paper's reported statistics from its text (.txt / .md / .html export): "
    "tables of n (%) and p-values, tables of HR/OR/RR (95% CI), in-text ratios, Kaplan-Meier "
    "landmarks and the claimed test. Every value is copied as printed with its source line; every "
    "guess is marked '# GUESS:' and everything not understood '# SKIPPED'. Review the draft, then "
    "run rparity audit on it.")
_DRAFT_EPILOG = ("Exit status: 0 drafted (also when nothing was recognised: the draft says so), "
                 "2 unreadable paper, existing output without --force, or usage error.")


#: Entry kinds counted in the draft's closing line.
_DRAFT_KINDS = ("contingency", "percent", "ratio", "landmark", "continuous", "survival")


class _AuditParser(argparse.ArgumentParser):
    """The ``audit`` parser: ``audit draft ...`` goes to the draft parser.

    argparse cannot have both a positional REPORTED.toml and a ``draft``
    subcommand, so the dispatch happens on the first argument; ``rparity audit
    X.toml`` is parsed exactly as before."""

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        argv = list(sys.argv[1:] if args is None else args)
        if argv and argv[0] == "draft":
            ns = build_draft_parser(f"{self.prog} draft").parse_args(argv[1:], namespace)
            ns.func = _run_draft
            return ns, []
        return super().parse_known_args(argv, namespace)


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The ``audit`` subcommand of the ``rparity`` console script."""
    p = sub.add_parser("audit", help="check a paper's reported statistics for internal consistency",
                       description=_DESCRIPTION, epilog=_EPILOG)
    p.__class__ = _AuditParser  # dispatch `audit draft` (see _AuditParser)
    _add_arguments(p)
    p.set_defaults(func=_run)


def build_parser(prog: str = "rparity audit") -> argparse.ArgumentParser:
    p = _AuditParser(prog=prog, description=_DESCRIPTION, epilog=_EPILOG)
    _add_arguments(p)
    p.set_defaults(func=_run)
    return p


def build_draft_parser(prog: str = "rparity audit draft") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=_DRAFT_DESCRIPTION, epilog=_DRAFT_EPILOG)
    p.add_argument("paper", metavar="PAPER", help="the paper's text: .txt (tab-separated tables), "
                                                  ".md (pipe tables) or .html (<table>)")
    p.add_argument("-o", "--output", metavar="OUT.toml",
                   help="write the draft to OUT.toml (default: standard output)")
    p.add_argument("--force", action="store_true", help="overwrite OUT.toml if it exists")
    return p


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("reported", metavar="REPORTED.toml", help="file of reported statistics")
    p.add_argument("--json", metavar="PATH", dest="json_path",
                   help="also write the report as JSON to PATH ('-' for standard output, "
                        "which then replaces the tables)")
    p.add_argument("--williams", action="store_true", default=None,
                   help="apply Williams' correction to the G test (overrides the file's options)")
    p.add_argument("--km-node-budget", type=int, metavar="N", default=None,
                   help="node budget of the KM landmark search (default 200000)")
    p.add_argument("--no-color", action="store_true", help="plain text output")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return int(exc.code or 0)
    return int(args.func(args))


def _run_draft(args: argparse.Namespace) -> int:
    from .draft import draft_file, write_atomically

    def fail(msg: str) -> int:
        sys.stderr.write(f"rparity audit draft: error: {msg}\n")
        return 2

    out = Path(args.output) if args.output else None
    if out is not None and out.exists() and not args.force:
        return fail(f"{str(out)!r} exists; pass --force to overwrite it")
    if out is not None and out.is_dir():
        return fail(f"{str(out)!r} is a directory")
    try:
        result = draft_file(args.paper)
    except InvalidArgument as exc:
        return fail(str(exc))
    if out is None:
        sys.stdout.write(result.toml)
    else:
        try:
            write_atomically(out, result.toml)
        except OSError as exc:
            return fail(f"cannot write {str(out)!r}: {exc.strerror}")
    d = result.draft
    if result.empty:
        sys.stderr.write(f"rparity audit draft: nothing recognised in {args.paper} (no table of n (%) or "
                         "ratio cells, no in-text statistic); the draft says so\n")
    else:
        sys.stderr.write(
            f"rparity audit draft: {len(d.tables)} tables, {d.n_entries()} entries "
            f"({', '.join(f'{d.n_entries(k)} {k}' for k in _DRAFT_KINDS if d.n_entries(k))}); "
            f"{result.guesses} GUESS markers and {result.skipped} SKIPPED lines to review"
            + (f"; written to {out}" if out else "") + "\n")
    return 0


def _run(args: argparse.Namespace) -> int:
    err = Console(stderr=True, no_color=args.no_color)
    if args.km_node_budget is not None and args.km_node_budget < 1:
        err.print("rparity audit: error: --km-node-budget must be a positive integer; "
                  f"got {args.km_node_budget}")
        return 2
    try:
        data = load_toml(args.reported)
        base = read_settings(data.get("options"))
        settings = AuditSettings(
            g_williams=base.g_williams if args.williams is None else True,
            km_node_budget=args.km_node_budget or base.km_node_budget,
        )
        report = replace(audit(data, settings=settings), path=str(args.reported))
    except InvalidArgument as exc:
        err.print(f"rparity audit: error: {exc}", markup=False, highlight=False)
        return 2
    if args.json_path == "-":
        sys.stdout.write(report.to_json() + "\n")
    else:
        out = Console(no_color=args.no_color, highlight=False)
        if not out.is_terminal:
            out = Console(no_color=args.no_color, highlight=False, width=max(out.width, 150))
        render(report, out)
        if args.json_path:
            try:
                Path(args.json_path).write_text(report.to_json() + "\n", encoding="utf-8")
            except OSError as exc:
                err.print(f"rparity audit: error: cannot write {args.json_path!r}: {exc.strerror}",
                          markup=False, highlight=False)
                return 2
    return report.exit_status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
