"""The ``rparity-study`` JSON document, version 2: write -> read -> equal, and
every other format or version refused with a message saying what it is."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

import rparity
from rparity.divergences import KnownDivergence
from rparity.study import StudyFormatError
from rparity.study import keys as K
from rparity.study.codec import decode_value, encode_value
from rparity.study.document import FORMAT, VERSION, StudyDocument, dumps, loads, read_document, to_document
from rparity.study.keys import Quantity as Q
from rparity.study.keys import Sample, Step, StepId
from rparity.study.parity import ClassifyContext, compare_results, default_registry
from rparity.study.result import COUNT, Source, StepState, StepStatus, StudyResult, StudyValue
from rparity_contract.verdicts import Classification

from .conftest import demo_run


@pytest.fixture(scope="module")
def document() -> StudyDocument:
    """The bundled study in pyimpl and in pyimpl under another name (a full,
    compared run without R), with one number perturbed so the parity has a
    new divergence and a known one."""
    import pyimpl
    from rparity.study import load_cohort, run_study
    from rparity.study.run import classify_context

    run = demo_run(("pyimpl",))
    a = run.results[0]
    cohort = load_cohort(run.cohort.source, run.spec)
    b = run_study(rparity.Engine("pyimpl2", pyimpl), cohort, run.spec)
    vals = dict(b.values)
    for s in Sample:
        key = K.logrank(s, "os", Q.CHISQ)
        vals[key] = dataclasses.replace(vals[key], value=vals[key].value * (1 + 1e-9))
    b = dataclasses.replace(b, values=vals)
    # explains the difference after matching only (a registry entry of the test, not validated: its
    # reference is not R)
    entry = KnownDivergence(id="KD-DOC", engines={"pyimpl": "*"}, reference={"pyimpl2": "*"},
                            functions=("survdiff",), quantities=("chisq",), explanation="for the test",
                            source="tests/study/test_document.py", departure="none",
                            recognise=lambda ctx: ctx.params["study_key"].sample is Sample.AFTER)
    parity = compare_results(a, b, context=classify_context(run.spec, cohort, [a, b]),
                             registry=[*default_registry(), entry])
    return to_document(run.spec, [a, b], parity, run.provenance, run.methods_notes)


def test_round_trip_gives_back_equal_typed_results(document):
    text = dumps(document)
    back = loads(text)
    assert back == document
    assert back.results[0] == document.results[0] and back.results[1] == document.results[1]
    assert back.parity == document.parity and back.published == document.published
    assert dumps(back) == text  # and writes the same bytes again
    # the comparison survives: its verdicts and classifications are the enums, recomputed the same
    bad = [r for r in back.parity.rows if r.classification.failing]
    assert [r.key for r in bad] == [K.logrank(Sample.BEFORE, "os", Q.CHISQ)]
    (known,) = [r for r in back.parity.rows if r.classification is Classification.KNOWN]
    assert known.key == K.logrank(Sample.AFTER, "os", Q.CHISQ) and known.known == "KD-DOC"
    assert [k.id for k in back.parity.known] == ["KD-DOC"] and back.parity.known[0].departure == "none"
    assert back.parity.counts() == document.parity.counts() and not back.parity.ok
    assert back.parity.by_source() == document.parity.by_source()


def test_round_trip_through_a_file(document, tmp_path):
    path = tmp_path / "study-results.json"
    path.write_text(dumps(document), encoding="utf-8")
    assert read_document(path) == document
    with pytest.raises(StudyFormatError, match=r"study results '.*nope.json' cannot be read"):
        read_document(tmp_path / "nope.json")


VALUES = [None, True, 0, 45, -3, 0.8, 1e-320, math.nan, math.inf, -math.inf, "", "named in cox.force", (),
          ("P001:P077", "P002:P078"), np.array([]), np.array([1.5, math.nan, math.inf, -math.inf, 2.0])]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_every_kind_of_value_reads_back_as_itself(value):
    from rparity.study.result import same_value

    d = json.loads(json.dumps(encode_value(value), allow_nan=False))
    back = decode_value(d)
    assert type(back) is type(value) and same_value(back, value)


def test_a_value_of_another_type_is_refused_when_written():
    with pytest.raises(TypeError, match="a study value must be"):
        encode_value([1, 2])
    with pytest.raises(TypeError, match="a study value must be"):
        encode_value(np.array([[1.0]]))


def _doc_text(document) -> dict:
    return json.loads(dumps(document))


REFUSED = [
    ("version 1", lambda d: {**d, "format": "rparity-study/1"},
     r"format 'rparity-study/1' \(version 1: numbers under dotted string keys\) cannot be read; this rparity "
     r"reads 'rparity-study' version 2"),
    ("newer version", lambda d: {**d, "version": 3},
     r"study results `version` 3 is not supported: this rparity reads 'rparity-study' version 2 only"),
    ("no version", lambda d: {k: v for k, v in d.items() if k != "version"},
     r"study results `version` None is not supported"),
    ("version as text", lambda d: {**d, "version": "2"}, r"study results `version` '2' is not supported"),
    ("other format", lambda d: {**d, "format": "rparity-check"},
     r"study results `format` must be 'rparity-study'; got format='rparity-check'"),
    ("not an object", lambda d: [d], r"study results must be a JSON object; got list"),
]


@pytest.mark.parametrize("name,mutate,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_another_format_or_version_is_refused_with_what_it_is(document, name, mutate, message):
    with pytest.raises(StudyFormatError, match=message):
        loads(json.dumps(mutate(_doc_text(document))))


def _with_first_value(d: dict, **change) -> dict:
    first = dict(d["engines"]["pyimpl"]["values"][0], **change)
    d["engines"]["pyimpl"]["values"][0] = first
    return d


MALFORMED = [
    ("unknown step", lambda d: _with_first_value(d, key={"step": "kmm", "quantity": "n"}),
     r"`engines.pyimpl.values\[0\].key` `step` must be one of cohort, table1, .*; got step='kmm'"),
    ("unknown key field", lambda d: _with_first_value(d, key={"step": "cohort", "quantity": "n", "colour": 1}),
     r"`engines.pyimpl.values\[0\].key` is not a study key: .*colour"),
    ("value of the wrong type", lambda d: _with_first_value(d, type="int", value="119"),
     r"`engines.pyimpl.values\[0\]` is not a value of type 'int'"),
    ("source missing", lambda d: _with_first_value(d, source={"function": "study"}),
     r"`engines.pyimpl.values\[0\].source.quantity` is missing"),
    ("classification unknown", lambda d: {**d, "parity": {**d["parity"], "rows": [
        dict(d["parity"]["rows"][0], classification="fine")]}},
     r"`parity.rows\[0\].classification` must be one of agrees, not provided, known divergence"),
    ("not JSON", None, r"study results are not JSON"),
]


@pytest.mark.parametrize("name,mutate,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_record_is_refused_naming_its_place(document, name, mutate, message):
    text = "{not json" if mutate is None else json.dumps(mutate(_doc_text(document)))
    with pytest.raises(StudyFormatError, match=message):
        loads(text)


def test_the_document_never_needs_a_printed_key(document):
    """Drop every printed name ("name", "label", and the recomputed summaries):
    the document still reads back equal, so nothing depends on them."""
    d = _doc_text(document)

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in ("name", "label")}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    for part in ("engines", "parity", "published"):  # (the provenance is free-form)
        d[part] = strip(d[part])
    d["parity"] = {k: v for k, v in d["parity"].items() if k not in ("ok", "counts", "by_source")}
    assert loads(json.dumps(d)) == document


def test_format_constants():
    assert (FORMAT, VERSION) == ("rparity-study", 2)


def test_a_hand_made_document_round_trips():
    key = K.cohort()
    steps = {StepId(Step.MATCHING): StepStatus(StepState.NOT_PROVIDED, "engine 'x' does not provide matchit")}
    a = StudyResult("x", {key: StudyValue(key, 10, COUNT, "a note")}, steps=steps, provenance=({"R": "4.2.2"},))
    b = StudyResult("r", {key: StudyValue(key, 11, COUNT)}, engine_version="1")
    p = compare_results(a, b, context=ClassifyContext(engines=("x", "r")))
    doc = StudyDocument(title="t", reference="", results=(a, b), parity=p)
    assert loads(dumps(doc)) == doc
    assert loads(dumps(doc)).results[0].note(key) == "a note"
    with pytest.raises(ValueError, match="holds each engine once"):
        dumps(dataclasses.replace(doc, results=(a, a)))
    assert Source("study", "count") == COUNT
