"""The ``rparity`` command line.

Each feature registers its own subcommands: a module listed in
:data:`SUBCOMMANDS` provides ``register(subparsers)``, which adds its parser(s)
with ``set_defaults(func=...)``; ``func(args) -> int`` is the exit status.

Exit status: 0 everything agrees / is consistent, 1 a difference was found,
2 the command could not run (a usage error, unreadable input, an output that
cannot be written, a missing optional dependency, a locked results
directory), 130 interrupted (Ctrl-C: what was finished is saved). No Python
traceback reaches the user; ``RPARITY_DEBUG=1`` shows it for a bug report.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from ._interrupt import interruptible

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

#: Modules providing ``register(subparsers)``; a module that is not present is skipped.
SUBCOMMANDS = [
    "rparity.check_cli",
    "rparity.golden",
    "rparity.audit.cli",
    "rparity.study.cli",
    "rparity.fuzz_cli",
    "rparity.faults_cli",
    "rparity.suite",
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


def _say(text: str) -> None:
    print(f"rparity: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from . import cli_args

    ap = build_parser()
    try:
        args = ap.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        with interruptible():
            return int(args.func(args))
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except cli_args.cannot_run() as exc:
        _say(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return 2
    except ImportError as exc:  # an optional dependency that is not installed
        _say(f"a package this command needs is not installed: {exc}")
        return 2
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback on request
        if os.environ.get("RPARITY_DEBUG") == "1":
            traceback.print_exc()
        _say(f"internal error: {type(exc).__name__}: {exc} (rerun with RPARITY_DEBUG=1 for the traceback, "
             "and please report it)")
        return 2


if __name__ == "__main__":
    sys.exit(main())
