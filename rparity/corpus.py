"""The corpus of divergences found by fuzz campaigns.

Layout: ``<corpus>/<engine>-vs-<against>/<function>/<signature>/`` holding

* ``cohort.csv``  -- the (shrunk) input data;
* ``call.json``   -- the function, its parameters, engines and versions;
* ``outcomes.json`` -- both engines' quantities (golden encoding, 17 digits);
* ``classification.json`` -- every compared quantity with its classification.

Entries are written atomically (a temporary directory renamed into place), and
a smaller cohort replaces a larger one with the same signature, so an
interrupted campaign loses nothing it had already found.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from rparity_contract.verdicts import Classification

from .compare import Outcome, QuantityDiff
from .golden import decode, encode

__all__ = ["CorpusEntry", "save_entry", "load_entries", "smallest_entry", "entry_dir"]


@dataclass
class CorpusEntry:
    path: Path
    engine: str
    against: str
    function: str
    signature: str
    params: dict
    data: pd.DataFrame
    classification: list[dict]
    versions: dict


def entry_dir(root: Path, engine: str, against: str, function: str, signature: str) -> Path:
    safe = lambda s: "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in s)  # noqa: E731
    return Path(root) / f"{safe(engine)}-vs-{safe(against)}" / function / safe(signature)


def _encode_outcome(o: Outcome) -> str:
    if not o.ok:
        err = {"type": o.error_type, "message": o.error, "kind": o.kind}
        if o.r_message is not None:
            err["r_message"] = o.r_message
        return json.dumps({"engine": o.engine, "error": err})
    body = ", ".join(f"{json.dumps(k)}: {encode(v)}" for k, v in o.values.items())
    return '{"engine": %s, "values": {%s}}' % (json.dumps(o.engine), body)


def save_entry(root: str | Path, *, engine: str, against: str, function: str, signature: str,
               params: dict, data: pd.DataFrame, a: Outcome, b: Outcome, rows: Iterable[QuantityDiff],
               versions: dict | None = None) -> Path | None:
    """Save (or replace with a smaller cohort) one divergence; returns its
    directory, or None when an entry at least as small already exists."""
    target = entry_dir(Path(root), engine, against, function, signature)
    if (target / "cohort.csv").exists():
        old = pd.read_csv(target / "cohort.csv")
        if len(old) <= len(data):
            return None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        data.to_csv(tmp / "cohort.csv", index=False, float_format="%.17g")
        (tmp / "call.json").write_text(json.dumps(
            {"function": function, "params": params, "engine": engine, "against": against,
             "signature": signature, "versions": versions or {}}, indent=1, sort_keys=True, default=str) + "\n")
        (tmp / "outcomes.json").write_text(
            '{"engine": %s,\n "reference": %s}\n' % (_encode_outcome(a), _encode_outcome(b)))
        (tmp / "classification.json").write_text(
            json.dumps([r.to_dict() for r in rows], indent=1, default=str) + "\n")
        if target.exists():
            old_dir = target.with_name(target.name + ".old")
            os.replace(target, old_dir)
            os.replace(tmp, target)
            shutil.rmtree(old_dir, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_entries(root: str | Path) -> list[CorpusEntry]:
    root = Path(root)
    out = []
    if not root.exists():
        return out
    for call in sorted(root.glob("*/*/*/call.json")):
        d = call.parent
        meta = json.loads(call.read_text())
        out.append(CorpusEntry(
            path=d, engine=meta["engine"], against=meta["against"], function=meta["function"],
            signature=meta["signature"], params=meta["params"], data=pd.read_csv(d / "cohort.csv"),
            classification=json.loads((d / "classification.json").read_text()),
            versions=meta.get("versions", {}),
        ))
    return out


def smallest_entry(root: str | Path, *, engine: str, function: str, quantities: set[str]) -> dict[str, Any] | None:
    """The smallest saved cohort for ``engine``/``function`` whose divergence
    involves one of ``quantities``."""
    best = None
    for e in load_entries(root):
        if e.engine != engine or e.function != function:
            continue
        qs = {r["quantity"] for r in e.classification
              if r.get("classification") not in (Classification.AGREES.value, None)}
        if not qs & quantities:
            continue
        if best is None or len(e.data) < len(best.data):
            best = e
    if best is None:
        return None
    return {"n": len(best.data), "path": str(best.path), "csv": best.data.to_csv(index=False),
            "params": best.params}


def decode_outcome(obj: dict, function: str | None = None) -> Outcome:
    """A stored outcome; an error's refusal kind is derived again from R's
    message when there is one (the table may have grown since)."""
    if "error" in obj:
        from .golden import error_outcome

        return error_outcome(obj["engine"], function or "", obj["error"])
    return Outcome(obj["engine"], values={k: decode(v) for k, v in obj["values"].items()})
