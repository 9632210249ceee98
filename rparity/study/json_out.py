"""The machine-readable companion of the report: every number of every engine,
its source quantity, the parity rows, the published-number checks and the
provenance, as one JSON document (NaN and infinities become ``null``)."""
from __future__ import annotations

import json
from typing import Any

from .._json import to_json
from .parity import StudyParity
from .published import check_published
from .result import StudyResult
from .spec import StudySpec

__all__ = ["to_document", "dumps", "FORMAT"]

FORMAT = "rparity-study/1"


def _clean(v: Any) -> Any:
    return to_json(v)


def _engine_doc(r: StudyResult) -> dict:
    return {"steps": dict(r.steps),
            "values": {k: _clean(v) for k, v in r.values.items()},
            "sources": {k: f"{s[0]}.{s[1]}" for k, s in r.sources.items()},
            "notes": dict(r.notes),
            "matched_ids": list(r.matched_ids)}


def to_document(spec: StudySpec, results: list[StudyResult], parity: StudyParity, provenance: dict,
                methods_notes: list[str] | None = None) -> dict:
    pub = []
    if spec.published and results:
        for c in check_published(spec, results[0], results[0].notes):
            pub.append({"key": c.key, "published": c.published, "reproduced": _clean(c.reproduced),
                        "shown": c.shown, "verdict": c.verdict, "engine": results[0].engine})
    return _clean({
        "format": FORMAT,
        "title": spec.title,
        "reference": spec.reference,
        "engines": {r.engine: _engine_doc(r) for r in results},
        "parity": parity.to_dict(),
        "published": pub,
        "methods_notes": list(methods_notes or []),
        "provenance": provenance,
    })


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False, allow_nan=False) + "\n"
