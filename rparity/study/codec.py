"""Typed study records to JSON-native data and back (the records of the
``rparity-study`` format, :mod:`~rparity.study.document`).

Every record is written with its fields, never as a string to split: a key is
an object of its set fields (``{"step": "km", "sample": "before", "endpoint":
"os", "arm": "immuno", "landmark": 12.0, "quantity": "surv"}``), a source is
``{"function": "survfit", "quantity": "summary.surv"}``. Records also carry
``"name"``, the key's printed form, for people reading the file; the reader
ignores it.

A value is written with its type, so that reading gives back exactly what was
recorded::

    {"type": "float", "value": 0.8}        # NaN, Inf, -Inf as "NaN", "Inf", "-Inf"
    {"type": "int", "value": 45}
    {"type": "str", "value": "named in cox.force"}
    {"type": "strings", "value": ["P001:P077", ...]}
    {"type": "floats", "value": [1.5, 2.0, "NaN"]}
    {"type": "none", "value": null}        # the engine does not compute it

A malformed record raises :class:`~rparity.study.errors.StudyFormatError`
naming its place in the document (``engines.r.values[12].key.step``).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from rparity_contract.verdicts import Classification, Verdict

from .errors import StudyFormatError
from .keys import StepId, StudyKey
from .parity import KnownRecord, NumberDiff, StudyParity
from .published import PublishedCheck, PublishedVerdict
from .result import Source, StepStatus, StudyResult, StudyValue

__all__ = ["encode_value", "decode_value", "encode_key", "decode_key", "encode_result", "decode_result",
           "encode_parity", "decode_parity", "encode_check", "decode_check", "Reader"]

_NONFINITE = {"NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}


# ------------------------------------------------------------- values ---

def _float_out(x: float) -> float | str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return x


def encode_value(v: Any) -> dict:
    """``{"type": ..., "value": ...}`` for a recorded value (see the module docstring)."""
    if v is None:
        return {"type": "none", "value": None}
    if isinstance(v, (bool, np.bool_)):
        return {"type": "bool", "value": bool(v)}
    if isinstance(v, (int, np.integer)):
        return {"type": "int", "value": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"type": "float", "value": _float_out(float(v))}
    if isinstance(v, str):
        return {"type": "str", "value": v}
    if isinstance(v, tuple) and all(isinstance(x, str) for x in v):
        return {"type": "strings", "value": list(v)}
    if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind == "f":
        return {"type": "floats", "value": [_float_out(float(x)) for x in v]}
    raise TypeError(f"a study value must be None, a bool, int, float, str, tuple of str or 1-D float array; "
                    f"got {type(v).__name__}: {v!r:.80}")


class Reader:
    """Reads one document, naming the place of anything malformed."""

    def fail(self, where: str, problem: str) -> StudyFormatError:
        return StudyFormatError(f"study results: `{where}` {problem}")

    def field(self, d: Any, name: str, where: str, types: type | tuple, *, optional: bool = False,
              default: Any = None) -> Any:
        if not isinstance(d, Mapping):
            raise self.fail(where, f"must be an object; got {type(d).__name__}")
        if name not in d:
            if optional:
                return default
            raise self.fail(f"{where}.{name}" if where else name, "is missing")
        v = d[name]
        if not isinstance(v, types) or (isinstance(v, bool) and bool not in _as_tuple(types)):
            want = " or ".join(t.__name__ for t in _as_tuple(types))
            raise self.fail(f"{where}.{name}" if where else name, f"must be {want}; got {name}={v!r:.80}")
        return v

    def number(self, v: Any, where: str) -> float:
        if isinstance(v, str) and v in _NONFINITE:
            return _NONFINITE[v]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(where, f"must be a number (or \"NaN\", \"Inf\", \"-Inf\"); got {v!r:.80}")
        return float(v)

    def value(self, d: Any, where: str) -> Any:
        t = self.field(d, "type", where, str)
        v = d.get("value")
        if t == "none" and v is None:
            return None
        if t == "bool" and isinstance(v, bool):
            return v
        if t == "int" and isinstance(v, int) and not isinstance(v, bool):
            return v
        if t == "float":
            return self.number(v, f"{where}.value")
        if t == "str" and isinstance(v, str):
            return v
        if t == "strings" and isinstance(v, list) and all(isinstance(x, str) for x in v):
            return tuple(v)
        if t == "floats" and isinstance(v, list):
            return np.array([self.number(x, f"{where}.value[{i}]") for i, x in enumerate(v)], dtype=float)
        raise self.fail(where, f"is not a value of type {t!r} (types: none, bool, int, float, str, strings, "
                               f"floats); got value={v!r:.80}")

    def key(self, d: Any, where: str) -> StudyKey:
        if not isinstance(d, Mapping):
            raise self.fail(where, f"must be an object of the key's fields; got {d!r:.80}")
        try:
            return StudyKey(**d)
        except TypeError as exc:  # an unknown or missing field
            raise self.fail(where, f"is not a study key: {exc}") from None
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def step(self, d: Any, where: str) -> StepId:
        if not isinstance(d, Mapping):
            raise self.fail(where, f"must be an object {{\"step\": ..., \"sample\": ...}}; got {d!r:.80}")
        try:
            return StepId(**d)
        except (TypeError, ValueError) as exc:
            raise self.fail(where, f"is not a pipeline step: {exc}") from None

    def source(self, d: Any, where: str) -> Source:
        return Source(self.field(d, "function", where, str), self.field(d, "quantity", where, str))

    def enum(self, cls, v: Any, where: str):
        try:
            return cls(v)
        except ValueError:
            raise self.fail(where, f"must be one of {', '.join(m.value for m in cls)}; got {v!r}") from None


def _as_tuple(t: type | tuple) -> tuple:
    return t if isinstance(t, tuple) else (t,)


def decode_value(d: Any, where: str = "value") -> Any:
    return Reader().value(d, where)


def encode_key(k: StudyKey) -> dict:
    return k.fields()


def decode_key(d: Any, where: str = "key") -> StudyKey:
    return Reader().key(d, where)


def _source(s: Source) -> dict:
    return {"function": s.function, "quantity": s.quantity}


# ------------------------------------------------------------ results ---

def encode_result(r: StudyResult) -> dict:
    """One engine's run: its steps, values, matched ids and provenance."""
    values = []
    for v in r.values.values():
        rec = {"name": str(v.key), "key": encode_key(v.key), "source": _source(v.source), **encode_value(v.value)}
        if v.note:
            rec["note"] = v.note
        values.append(rec)
    return {"engine_version": r.engine_version,
            "steps": [{"name": str(s), "step": s.fields(), "state": st.state.value, "detail": st.detail}
                      for s, st in r.steps.items()],
            "values": values,
            "matched_ids": list(r.matched_ids),
            "provenance": [dict(p) for p in r.provenance]}


def decode_result(engine: str, d: Any, where: str, rd: Reader | None = None) -> StudyResult:
    from .result import StepState

    rd = rd or Reader()
    steps = {}
    for i, s in enumerate(rd.field(d, "steps", where, list)):
        w = f"{where}.steps[{i}]"
        sid = rd.step(rd.field(s, "step", w, dict), f"{w}.step")
        steps[sid] = StepStatus(rd.enum(StepState, rd.field(s, "state", w, str), f"{w}.state"),
                                rd.field(s, "detail", w, str, optional=True, default=""))
    values: dict[StudyKey, StudyValue] = {}
    for i, v in enumerate(rd.field(d, "values", where, list)):
        w = f"{where}.values[{i}]"
        key = rd.key(rd.field(v, "key", w, dict), f"{w}.key")
        if key in values:
            raise rd.fail(f"{w}.key", f"repeats the key {key}")
        values[key] = StudyValue(key, rd.value(v, w), rd.source(rd.field(v, "source", w, dict), f"{w}.source"),
                                 rd.field(v, "note", w, str, optional=True, default=""))
    ids = rd.field(d, "matched_ids", where, list)
    prov = rd.field(d, "provenance", where, list)
    return StudyResult(engine=engine, engine_version=rd.field(d, "engine_version", where, str), values=values,
                       steps=steps, provenance=tuple(prov), matched_ids=tuple(str(x) for x in ids))


# ------------------------------------------------------------- parity ---

def _row(r: NumberDiff) -> dict:
    return {"name": str(r.key), "key": encode_key(r.key), "source": _source(r.source),
            "verdict": r.verdict.value,
            "classification": None if r.classification is None else r.classification.value,
            "known": r.known, "label": r.label, "evidence": r.evidence, "tolerance": r.tolerance,
            "max_abs": _float_out(r.max_abs), "max_rel": _float_out(r.max_rel),
            "a": encode_value(r.a), "b": encode_value(r.b), "detail": r.detail}


def encode_parity(p: StudyParity) -> dict:
    """The comparison: its rows, the known divergences that classified some, and
    (for readers; recomputed when read) ``ok``, ``counts`` and ``by_source``."""
    return {"engines": list(p.engines), "ran": p.ran, "reason": p.reason, "ok": p.ok, "counts": p.counts(),
            "by_source": [{"source": _source(g.source), "name": str(g.source), "n": g.n,
                           "max_rel": _float_out(g.max_rel), "max_abs": _float_out(g.max_abs),
                           "tolerance": g.tolerance, "classification": g.classification.value, "known": g.known,
                           "label": g.label} for g in p.by_source()],
            "known_divergences": [{"id": k.id, "engines": dict(k.engines), "reference": dict(k.reference),
                                   "explanation": k.explanation, "source": k.source, "departure": k.departure}
                                  for k in p.known],
            "rows": [_row(r) for r in p.rows]}


def decode_parity(d: Any, where: str = "parity", rd: Reader | None = None) -> StudyParity:
    rd = rd or Reader()
    engines = rd.field(d, "engines", where, list)
    if len(engines) != 2 or not all(isinstance(e, str) for e in engines):
        raise rd.fail(f"{where}.engines", f"must be two engine names; got {engines!r:.80}")
    rows = []
    for i, r in enumerate(rd.field(d, "rows", where, list)):
        w = f"{where}.rows[{i}]"
        cls = rd.field(r, "classification", w, (str, type(None)))
        rows.append(NumberDiff(
            key=rd.key(rd.field(r, "key", w, dict), f"{w}.key"),
            source=rd.source(rd.field(r, "source", w, dict), f"{w}.source"),
            verdict=rd.enum(Verdict, rd.field(r, "verdict", w, str), f"{w}.verdict"),
            tolerance=rd.field(r, "tolerance", w, str),
            classification=None if cls is None else rd.enum(Classification, cls, f"{w}.classification"),
            known=rd.field(r, "known", w, (str, type(None))), evidence=rd.field(r, "evidence", w, str),
            max_abs=rd.number(rd.field(r, "max_abs", w, (int, float, str)), f"{w}.max_abs"),
            max_rel=rd.number(rd.field(r, "max_rel", w, (int, float, str)), f"{w}.max_rel"),
            a=rd.value(rd.field(r, "a", w, dict), f"{w}.a"), b=rd.value(rd.field(r, "b", w, dict), f"{w}.b"),
            detail=rd.field(r, "detail", w, str)))
    known = []
    for i, k in enumerate(rd.field(d, "known_divergences", where, list)):
        w = f"{where}.known_divergences[{i}]"
        known.append(KnownRecord(id=rd.field(k, "id", w, str), engines=rd.field(k, "engines", w, dict),
                                 reference=rd.field(k, "reference", w, dict),
                                 explanation=rd.field(k, "explanation", w, str), source=rd.field(k, "source", w, str),
                                 departure=rd.field(k, "departure", w, (str, type(None)), optional=True)))
    return StudyParity(engines=(engines[0], engines[1]), rows=tuple(rows), ran=rd.field(d, "ran", where, bool),
                       reason=rd.field(d, "reason", where, str), known=tuple(known))


# ---------------------------------------------------- published checks ---

def encode_check(c: PublishedCheck) -> dict:
    # "spec_key": the number's name as the spec writes it (data: kept even where it names no key)
    return {"spec_key": c.name, "key": None if c.key is None else encode_key(c.key), "published": c.published,
            "reproduced": None if c.reproduced is None else _float_out(c.reproduced), "shown": c.shown,
            "verdict": c.verdict.value, "note": c.note}


def decode_check(d: Any, where: str, rd: Reader | None = None) -> PublishedCheck:
    rd = rd or Reader()
    x = rd.field(d, "reproduced", where, (int, float, str, type(None)))
    key = rd.field(d, "key", where, (dict, type(None)))
    return PublishedCheck(name=rd.field(d, "spec_key", where, str),
                          key=None if key is None else rd.key(key, f"{where}.key"),
                          published=rd.field(d, "published", where, str),
                          reproduced=None if x is None else rd.number(x, f"{where}.reproduced"),
                          shown=rd.field(d, "shown", where, str),
                          verdict=rd.enum(PublishedVerdict, rd.field(d, "verdict", where, str), f"{where}.verdict"),
                          note=rd.field(d, "note", where, str, optional=True, default=""))
