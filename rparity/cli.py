"""The ``rparity`` command line.

Each feature registers its own subcommands: a module listed in
:data:`SUBCOMMANDS` provides ``register(subparsers)``, which adds its parser(s)
with ``set_defaults(func=...)``; ``func(args) -> int`` is the exit status.

Exit status: 0 everything agrees / is consistent, 1 a difference was found,
2 usage error or unreadable input.
"""
from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

#: Modules providing ``register(subparsers)``; a module that is not present is skipped.
SUBCOMMANDS = [
    "rparity.check_cli",
    "rparity.golden",
    "rparity.audit.cli",
    "rparity.study.cli",
    "rparity.fuzz_cli",
]


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rparity", description="R-parity validation harness")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        register = getattr(mod, "register", None)
        if register is not None:
            register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    try:
        args = ap.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
