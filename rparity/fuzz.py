"""Fuzz campaigns: hypothesis over cohort strategies, one engine against another.

:func:`campaign` runs up to ``examples`` generated inputs through both engines,
classifies every difference (:mod:`rparity.divergences`) and, for each distinct
divergence -- a known divergence id, a new divergence of a quantity, an engine
error -- lets hypothesis shrink the input to a minimal one and saves it in the
corpus (:mod:`rparity.corpus`). The first, unshrunk occurrence is saved as soon
as it is seen and replaced by the shrunk one, so an interrupted campaign loses
nothing it had found.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .compare import Outcome, QuantityDiff, compare_outcomes
from .corpus import save_entry
from .divergences import classify
from .fuzz_targets import target

__all__ = ["Finding", "CampaignResult", "campaign", "signature_of"]

SAVED_CLASSES = ("known divergence", "new divergence", "engine error")


@dataclass
class Finding:
    signature: str
    function: str
    params: dict
    data: Any
    rows: list[QuantityDiff]
    path: Path | None = None

    @property
    def is_new(self) -> bool:
        return self.signature.startswith(("new:", "error:"))


@dataclass
class CampaignResult:
    engine: str
    against: str
    function: str
    examples_run: int = 0
    findings: list[Finding] = field(default_factory=list)
    interrupted: bool = False

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.is_new]


def signature_of(rows: list[QuantityDiff]) -> str | None:
    """The divergence an input shows: engine error first, then a new divergence
    (by its first quantity), then a known one (by id); None if all agree."""
    errs = [r for r in rows if r.classification == "engine error"]
    if errs:
        return f"error:{errs[0].quantity}"
    new = sorted(r.quantity for r in rows if r.classification == "new divergence")
    if new:
        return f"new:{new[0]}"
    known = sorted({r.known for r in rows if r.known})
    if known:
        return f"known:{known[0]}"
    return None


def _outcome(eng, runner, data, params) -> Outcome:
    import traceback

    try:
        return Outcome(eng.name, values=dict(runner(eng, data, params)))
    except NotImplementedError as exc:
        return Outcome(eng.name, error=str(exc), error_type="NotImplementedError")
    except Exception as exc:  # noqa: BLE001 - third-party engines
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=6))
        return Outcome(eng.name, error=str(exc), error_type=type(exc).__name__, traceback=tb)


def signatures_of(rows: list[QuantityDiff]) -> set[str]:
    """Every divergence an input shows (see :func:`signature_of` for the names)."""
    out = set()
    for r in rows:
        if r.classification == "engine error":
            out.add(f"error:{r.quantity}")
        elif r.classification == "new divergence":
            out.add(f"new:{r.quantity}")
        elif r.known:
            out.add(f"known:{r.known}")
    return out


def compare_once(eng, ref, function: str, runner, data, params, versions: dict) -> tuple[Outcome, Outcome, list]:
    a = _outcome(eng, runner, data, params)
    b = _outcome(ref, runner, data, params)
    rows = compare_outcomes(function, "fuzz", None, a, b)
    rows = classify(rows, engine=eng.name, engine_version=eng.version, reference=ref.name,
                    reference_versions=versions, params=params, data=data)
    return a, b, rows


def campaign(engine: str, against: str, function: str, *, examples: int = 100, corpus: str | Path | None = None,
             seed: int | None = None, on_example: Callable[[int, int], None] | None = None,
             save: bool = True, strategy=None, shrink_examples: int | None = None) -> CampaignResult:
    """Run a campaign; see the module docstring.

    Two phases. *Search*: ``examples`` generated inputs, each compared and
    classified; the first input showing each divergence is saved at once.
    *Shrink*: for each divergence seen, ``hypothesis.find`` looks for the
    smallest input that still shows it (up to ``shrink_examples`` tries,
    default ``examples``), which replaces the saved one.
    """
    import warnings

    from hypothesis import HealthCheck, Phase, find, given, settings
    from hypothesis import seed as hseed
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    import rparity

    eng, ref = rparity.engine(engine), rparity.engine(against)
    tgt = target(function)
    strat = strategy if strategy is not None else tgt.strategy()
    versions = _reference_versions(ref)
    result = CampaignResult(engine=eng.name, against=ref.name, function=function)
    seen: dict[str, Finding] = {}
    counter = {"n": 0}

    def evaluate(drawn):
        data, params = drawn
        counter["n"] += 1
        if on_example is not None:
            on_example(min(counter["n"], examples), len(seen))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compare_once(eng, ref, function, tgt.runner, data, params, versions)

    def keep(sig: str, drawn, outcomes) -> Finding:
        data, params = drawn
        f = Finding(sig, function, dict(params), data, outcomes[2])
        if save and corpus is not None:
            a, b, rows = outcomes
            f.path = save_entry(corpus, engine=eng.name, against=ref.name, function=function, signature=sig,
                                params=dict(params), data=data, a=a, b=b, rows=rows, versions=versions)
        return f

    quiet = list(HealthCheck)

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=quiet)
    @given(strat)
    def search(drawn):
        out = evaluate(drawn)
        for sig in sorted(signatures_of(out[2]) - set(seen)):
            seen[sig] = keep(sig, drawn, out)

    if seed is not None:
        search = hseed(seed)(search)
    try:
        search()
        for sig in sorted(seen, key=lambda x: (not x.startswith(("error:", "new:")), x)):
            hits: dict = {}

            def shows(drawn, sig=sig, hits=hits):
                out = evaluate(drawn)
                ok = sig in signatures_of(out[2])
                if ok:
                    hits[id(drawn)] = out
                return ok

            try:
                smallest = find(strat, shows, settings=settings(
                    max_examples=shrink_examples or examples, database=None, deadline=None,
                    suppress_health_check=quiet))
            except (NoSuchExample, Unsatisfiable):
                result.findings.append(seen[sig])
                continue
            out = hits.get(id(smallest)) or evaluate(smallest)
            f = keep(sig, smallest, out)
            if f.path is None:  # an equally small one was already saved
                f.path = seen[sig].path
            result.findings.append(f)
    except KeyboardInterrupt:
        result.interrupted = True
        done = {f.signature for f in result.findings}
        result.findings.extend(f for s, f in seen.items() if s not in done)
    result.examples_run = counter["n"]
    return result


def _reference_versions(ref) -> dict:
    if ref.name == "r":
        try:
            import rbridge

            return dict(rbridge.session().versions)
        except Exception:  # noqa: BLE001
            return {}
    return {ref.name: ref.version}


def finding_table(result: CampaignResult) -> list[dict]:
    out = []
    for f in result.findings:
        bad = [r for r in f.rows if r.classification.startswith(SAVED_CLASSES)]
        out.append({"signature": f.signature, "rows": len(f.data), "path": str(f.path) if f.path else "",
                    "quantities": sorted({r.quantity for r in bad}),
                    "worst_rel": max((r.max_rel for r in bad if r.max_rel == r.max_rel), default=float("nan")),
                    "classification": sorted({r.classification for r in bad})})
    return out


def replace_rows(rows, **kw):
    return [dataclasses.replace(r, **kw) for r in rows]
