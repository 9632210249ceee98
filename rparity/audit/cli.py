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

from rich.console import Console

from rparity_contract.errors import InvalidArgument

from .api import audit
from .entries import AuditSettings
from .reader import load_toml, read_settings
from .render import render

__all__ = ["main", "build_parser", "register"]

_DESCRIPTION = ("Check a paper's reported statistics for internal consistency: contingency "
                "p-values against Fisher / chi-square / G tests, n (%%) against arm sizes, "
                "ratio estimates against their CI and p-value, KM landmarks against N.")
_EPILOG = ("Format of REPORTED.toml: examples/audit/README.md. Exit status: 0 consistent, "
           "1 inconsistent, 2 usage error or unreadable input.")


def register(sub) -> None:
    """The ``audit`` subcommand of the ``rparity`` console script."""
    p = sub.add_parser("audit", help="check a paper's reported statistics for internal consistency",
                       description=_DESCRIPTION, epilog=_EPILOG)
    _add_arguments(p)
    p.set_defaults(func=_run)


def build_parser(prog: str = "rparity audit") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=_DESCRIPTION, epilog=_EPILOG)
    _add_arguments(p)
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
    return _run(args)


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
