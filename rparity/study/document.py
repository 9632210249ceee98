"""The machine-readable companion of the report: the ``rparity-study`` JSON
document, version 2.

One document holds every number of every engine (typed records,
:mod:`~rparity.study.codec`), the parity rows, the published-number checks,
notes on the methods and the provenance::

    {"format": "rparity-study", "version": 2,
     "title": ..., "reference": ...,
     "engines": {"pyimpl": {"engine_version": ..., "steps": [...], "values": [...],
                            "matched_ids": [...], "provenance": [...]},
                 "r": {...}},
     "parity": {"engines": ["pyimpl", "r"], "ran": true, "reason": "", "rows": [...],
                "known_divergences": [...], "ok": ..., "counts": ..., "by_source": ...},
     "published": {"engine": "pyimpl", "checks": [...]},
     "methods_notes": [...],
     "provenance": {...},
     "matchit_versions": {...}}     (only with ``rparity study --matchit``: rparity.study.versions.encode)

``engines`` lists the engines in the order they ran (the second is the
reference). ``ok``, ``counts`` and ``by_source`` of the parity, and every
``name`` and ``label``, are written for people and are recomputed, not read.
:func:`loads` reads version 2 only; any other format or version is refused
with :class:`~rparity.study.errors.StudyFormatError` saying what it is.
Version 1 (``rparity-study/1``) keyed every number by a dotted string.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .codec import Reader, decode_check, decode_parity, decode_result, encode_check, encode_parity, encode_result
from .errors import StudyFormatError
from .parity import StudyParity
from .published import PublishedCheck, check_published
from .result import StudyResult
from .spec import StudySpec

__all__ = ["FORMAT", "VERSION", "StudyDocument", "to_document", "dumps", "loads", "read_document"]

FORMAT = "rparity-study"
VERSION = 2


@dataclass(frozen=True)
class StudyDocument:
    """Everything the JSON document holds, typed."""

    title: str
    reference: str
    results: tuple[StudyResult, ...]
    parity: StudyParity
    published: tuple[PublishedCheck, ...] = ()
    published_engine: str | None = None
    methods_notes: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    matchit_versions: Mapping[str, Any] | None = None

    def result(self, engine: str) -> StudyResult:
        for r in self.results:
            if r.engine == engine:
                return r
        raise KeyError(f"no engine {engine!r} in this document; engines: {', '.join(r.engine for r in self.results)}")


def to_document(spec: StudySpec, results: Sequence[StudyResult], parity: StudyParity, provenance: Mapping,
                methods_notes: Sequence[str] = (), *, matchit_versions: Mapping[str, Any] | None = None
                ) -> StudyDocument:
    """The document of a run; the published numbers are checked against the first engine."""
    checks: tuple[PublishedCheck, ...] = ()
    if spec.published and results:
        checks = tuple(check_published(spec, results[0]))
    return StudyDocument(title=spec.title, reference=spec.reference, results=tuple(results), parity=parity,
                         published=checks, published_engine=results[0].engine if checks else None,
                         methods_notes=tuple(methods_notes), provenance=dict(provenance),
                         matchit_versions=matchit_versions)


def dumps(doc: StudyDocument) -> str:
    """The document as JSON text (strict JSON: no NaN or Infinity literals)."""
    from .._json import to_json

    engines = {r.engine: encode_result(r) for r in doc.results}
    if len(engines) != len(doc.results):
        raise ValueError(f"a study document holds each engine once; got {[r.engine for r in doc.results]}")
    out = {"format": FORMAT, "version": VERSION, "title": doc.title, "reference": doc.reference,
           "engines": engines, "parity": encode_parity(doc.parity),
           "published": {"engine": doc.published_engine, "checks": [encode_check(c) for c in doc.published]},
           "methods_notes": list(doc.methods_notes), "provenance": to_json(dict(doc.provenance))}
    if doc.matchit_versions is not None:
        out["matchit_versions"] = to_json(dict(doc.matchit_versions))
    return json.dumps(out, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def loads(text: str) -> StudyDocument:
    """Read a document written by :func:`dumps` (format ``rparity-study``, version 2)."""
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StudyFormatError(f"study results are not JSON: {exc}") from None
    rd = Reader()
    if not isinstance(d, dict):
        raise StudyFormatError(f"study results must be a JSON object; got {type(d).__name__}")
    fmt, version = d.get("format"), d.get("version")
    if fmt == "rparity-study/1":
        raise StudyFormatError("study results of format 'rparity-study/1' (version 1: numbers under dotted string "
                               f"keys) cannot be read; this rparity reads {FORMAT!r} version {VERSION}: run "
                               "`rparity study` again to write it")
    if fmt != FORMAT:
        raise StudyFormatError(f"study results `format` must be {FORMAT!r}; got format={fmt!r}")
    if version != VERSION or isinstance(version, bool):
        raise StudyFormatError(f"study results `version` {version!r} is not supported: this rparity reads "
                               f"{FORMAT!r} version {VERSION} only; got version={version!r}")
    engines = rd.field(d, "engines", "", dict)
    results = tuple(decode_result(name, e, f"engines.{name}", rd) for name, e in engines.items())
    pub = rd.field(d, "published", "", dict)
    checks = tuple(decode_check(c, f"published.checks[{i}]", rd)
                   for i, c in enumerate(rd.field(pub, "checks", "published", list)))
    notes = rd.field(d, "methods_notes", "", list)
    if not all(isinstance(n, str) for n in notes):
        raise rd.fail("methods_notes", "must be a list of strings")
    return StudyDocument(title=rd.field(d, "title", "", str), reference=rd.field(d, "reference", "", str),
                         results=results, parity=decode_parity(rd.field(d, "parity", "", dict), "parity", rd),
                         published=checks,
                         published_engine=rd.field(pub, "engine", "published", (str, type(None))),
                         methods_notes=tuple(notes), provenance=rd.field(d, "provenance", "", dict),
                         matchit_versions=rd.field(d, "matchit_versions", "", dict) if "matchit_versions" in d
                         else None)


def read_document(path: str | Path) -> StudyDocument:
    """Read the document at ``path`` (``study-results.json``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudyFormatError(f"study results {str(p)!r} cannot be read: {exc}") from None
    return loads(text)
