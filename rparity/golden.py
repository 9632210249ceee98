"""Golden files: every parity case run in R, stored with provenance.

``python -m rparity.golden`` (or ``rparity golden``) regenerates them all from R;
``rparity golden --check`` lists stale, missing and orphaned files without R.

Layout: ``fixtures/golden/<function>/<case name>.json``. Each file records the
case (function, dataset, params), its fingerprint (sha256 of the params and the
dataset's bytes: a changed case or dataset makes the file stale), R's provenance
(R, survival, MatchIt, BLAS/LAPACK versions and every R call the case made) and
the outcome: each quantity with its dtype and shape, floats written with 17
significant digits (``%.17g``, which round-trips every double exactly); NaN, Inf
and -Inf as the strings "NaN", "Inf", "-Inf"; or R's error message.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ._interrupt import checkpoint
from ._io import atomic_write_text
from .cases import Case, all_cases
from .compare import Outcome, run_outcome

__all__ = ["GOLDEN_DIR", "golden_path", "write_golden", "read_golden", "regenerate", "stale", "encode", "decode",
           "main", "error_outcome"]

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "golden"


def golden_path(case: Case, root: Path | None = None) -> Path:
    root = GOLDEN_DIR if root is None else root
    fn, _, name = case.id.partition("/")
    return root / fn / f"{(name or fn).replace('/', '--')}.json"


# -- encoding ------------------------------------------------------------------------
def _num(x: float) -> str:
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"Inf"' if x > 0 else '"-Inf"'
    if x == 0 and math.copysign(1.0, x) < 0:
        return "-0.0"  # JSON reads "-0" as the integer 0: keep the sign of R's negative zero
    return "%.17g" % x


def encode(value: Any) -> str:
    """JSON text of a quantity value, floats at 17 significant digits."""
    if value is None:
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return json.dumps({"type": "bool", "value": bool(value)})
    if isinstance(value, (int, np.integer)):
        return json.dumps({"type": "int", "value": int(value)})
    if isinstance(value, (float, np.floating)):
        return '{"type": "float", "value": %s}' % _num(float(value))
    if isinstance(value, str):
        return json.dumps({"type": "str", "value": value})
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) or v is None for v in value):
        return json.dumps({"type": "strs", "value": list(value)})
    arr = np.asarray(value)
    if arr.dtype == bool:
        return json.dumps({"type": "array", "dtype": "bool", "shape": list(arr.shape),
                           "data": arr.ravel().tolist()})
    if arr.dtype.kind in "iu":
        return json.dumps({"type": "array", "dtype": "int", "shape": list(arr.shape),
                           "data": arr.ravel().tolist()})
    if arr.dtype.kind == "f":
        data = ", ".join(_num(float(v)) for v in arr.ravel())
        return '{"type": "array", "dtype": "float", "shape": %s, "data": [%s]}' % (
            json.dumps(list(arr.shape)), data)
    if arr.dtype.kind in "UO":
        return json.dumps({"type": "array", "dtype": "str", "shape": list(arr.shape),
                           "data": [None if v is None else str(v) for v in arr.ravel().tolist()]})
    raise TypeError(f"cannot store a value of type {type(value).__name__} in a golden file")


def _f(v: Any) -> float:
    return {"NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}[v] if isinstance(v, str) else float(v)


def decode(obj: Any) -> Any:
    if obj is None:
        return None
    t = obj["type"]
    if t == "float":
        return _f(obj["value"])
    if t in ("int", "bool", "str"):
        return obj["value"]
    if t == "strs":
        return tuple(obj["value"])
    if t == "array":
        shape = tuple(obj["shape"])
        if obj["dtype"] == "float":
            return np.array([_f(v) for v in obj["data"]], dtype=float).reshape(shape)
        if obj["dtype"] == "int":
            return np.array(obj["data"], dtype=np.int64).reshape(shape)
        if obj["dtype"] == "bool":
            return np.array(obj["data"], dtype=bool).reshape(shape)
        return np.array(obj["data"], dtype=object).reshape(shape)
    raise ValueError(f"unknown golden value type {t!r}")


def _document(case: Case, outcome: Outcome) -> str:
    head = {
        "case": case.id,
        "function": case.function,
        "dataset": case.dataset,
        "params": case.params,
        "fingerprint": case.fingerprint(),
        "provenance": _provenance(outcome),
    }
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True, default=str)},")
    if outcome.ok:
        lines.append('  "error": null,')
        lines.append('  "values": {')
        items = list(outcome.values.items())
        for i, (k, v) in enumerate(items):
            lines.append(f"    {json.dumps(k)}: {encode(v)}" + ("," if i < len(items) - 1 else ""))
        lines.append("  }")
    else:
        lines.append(f'  "error": {json.dumps(_error_record(outcome))},')
        lines.append('  "values": null')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _error_record(o: Outcome) -> dict:
    """An error as stored: its type and message, and R's own message (from
    which the harness derives the refusal kind when the file is read, so a
    better refusal table needs no new golden files)."""
    rec = {"type": o.error_type, "message": o.error}
    if o.r_message is not None:
        rec["r_message"] = o.r_message
    return rec


def error_outcome(engine: str, function: str, rec: dict) -> Outcome:
    """The outcome of a stored error (golden file, corpus), with its refusal kind."""
    from .refusals import r_kind

    r_message = rec.get("r_message")
    kind = r_kind(r_message, function) if r_message is not None else rec.get("kind")
    return Outcome(engine, error=rec["message"], error_type=rec["type"], kind=kind, r_message=r_message)


def _provenance(outcome: Outcome) -> dict:
    if not outcome.provenance:
        return {}
    versions = {k: v for k, v in outcome.provenance[0].items() if k != "call"}
    calls = list(dict.fromkeys(p.get("call", "") for p in outcome.provenance))
    return {**versions, "calls": calls}


def write_golden(case: Case, outcome: Outcome, root: Path | None = None) -> Path:
    """Write atomically (temporary file, then rename): never a half-written golden."""
    return atomic_write_text(golden_path(case, root), _document(case, outcome))


def read_golden(case: Case, root: Path | None = None) -> tuple[dict, Outcome]:
    """(header, outcome) of the case's golden file."""
    doc = json.loads(golden_path(case, root).read_text())
    if doc.get("error"):
        out = error_outcome("r (golden)", case.function, doc["error"])
    else:
        out = Outcome("r (golden)", values={k: decode(v) for k, v in doc["values"].items()})
    return doc, out


def stale(cases: Iterable[Case] | None = None, root: Path | None = None) -> dict[str, list[str]]:
    """Golden files that are missing, out of date (fingerprint) or orphaned."""
    root = GOLDEN_DIR if root is None else root
    cases = list(all_cases() if cases is None else cases)
    missing, outdated = [], []
    expected = set()
    for c in cases:
        p = golden_path(c, root)
        expected.add(p.resolve())
        if not p.exists():
            missing.append(c.id)
            continue
        doc = json.loads(p.read_text())
        if doc.get("fingerprint") != c.fingerprint():
            outdated.append(c.id)
    orphans = sorted(str(p.relative_to(root)) for p in root.glob("*/*.json") if p.resolve() not in expected)
    return {"missing": missing, "outdated": outdated, "orphaned": orphans}


def regenerate(cases: Iterable[Case] | None = None, root: Path | None = None, *, prune: bool = True,
               progress: bool = True) -> list[Path]:
    """Run every case in R and write its golden file; remove orphans when pruning."""
    import rparity

    r = rparity.engine("r")
    root = GOLDEN_DIR if root is None else root
    selected = list(all_cases() if cases is None else cases)
    written = []
    for i, c in enumerate(selected, 1):
        checkpoint()
        out = run_outcome(c, r)
        if not out.ok and out.error_type in ("RUnavailable",):
            raise RuntimeError(f"R is not available: {out.error}")
        if out.failed:
            raise RuntimeError(f"{c.id}: R's engine failed, which no golden file may record: "
                               f"{out.error_type}: {out.error}")
        if not out.provenance:  # R refused: record the versions that refused it
            import rbridge

            out.provenance = [rbridge.session().provenance(f"refused: {out.r_message or out.error}")]
        written.append(write_golden(c, out, root))
        if progress:
            print(f"[{i}/{len(selected)}] {c.id}" + ("" if out.ok else f"  (R error: {out.error})"),
                  file=sys.stderr)
    if prune and cases is None:
        for rel in stale(selected, root)["orphaned"]:
            (root / rel).unlink()
    return written


def _add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--check", action="store_true", help="only report stale/missing/orphaned files (no R)")
    ap.add_argument("--only", default=None, help="regenerate only cases whose id contains this text")


def register(sub) -> None:
    g = sub.add_parser("golden", help="regenerate every golden file from R (--check: list stale ones)")
    _add_arguments(g)
    g.set_defaults(func=_run)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="rparity golden", description=__doc__.split("\n\n")[0])
    _add_arguments(ap)
    return _run(ap.parse_args(argv))


def _run(args: argparse.Namespace) -> int:
    if args.check:
        s = stale()
        bad = sum(len(v) for v in s.values())
        for k, v in s.items():
            for x in v:
                print(f"{k}: {x}")
        print("golden files up to date" if not bad else f"{bad} golden file(s) need regenerating: rparity golden")
        return 1 if bad else 0
    cases = None
    if args.only:
        cases = [c for c in all_cases() if args.only in c.id]
        if not cases:
            from .cli_args import UsageError

            raise UsageError(f"--only {args.only!r} matches no case id (ids look like 'survfit/aml')")
    import rbridge

    if not rbridge.r_available():
        from rparity_contract.errors import RUnavailable

        raise RUnavailable("golden files are made by R, which is not available here: "
                           + rbridge.INSTALL_HINT.splitlines()[0])
    regenerate(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
