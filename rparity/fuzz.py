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

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rparity_contract.verdicts import Classification

from ._interrupt import checkpoint
from .compare import Outcome, QuantityDiff, compare_outcomes, outcome_of
from .corpus import save_entry
from .divergences import classify
from .fuzz_targets import target

__all__ = ["Finding", "CampaignResult", "campaign", "signatures_of", "compare_once", "finding_table",
           "fixed_hypothesis_constants"]

#: classifications a campaign saves an input for
SAVED_CLASSES = (Classification.KNOWN, Classification.NEW, Classification.ENGINE_ERROR)


@dataclass
class Finding:
    signature: str
    function: str
    params: dict
    data: Any
    rows: list[QuantityDiff]
    path: Path | None = None
    #: both engines' outcomes for ``data`` (engine, reference), kept so that a
    #: caller other than the corpus (rparity.distributed) can store them
    outcomes: tuple[Outcome, Outcome] | None = field(default=None, repr=False)

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
    #: inputs compared, shrinking steps included (``examples_run`` counts generated inputs only)
    comparisons: int = 0

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if f.is_new]


def signatures_of(rows: list[QuantityDiff]) -> set[str]:
    """The divergences an input shows: one per engine error and one per new
    divergence (each named by its first quantity, in the runner's order, so the
    many quantities one cause disturbs count once), one per known divergence id."""
    out = set()
    err = next((r.quantity for r in rows if r.classification is Classification.ENGINE_ERROR), None)
    if err is not None:
        out.add(f"error:{err}")
    new = next((r.quantity for r in rows if r.classification is Classification.NEW), None)
    if new is not None:
        out.add(f"new:{new}")
    out.update(f"known:{r.known}" for r in rows if r.known)
    return out


def compare_once(eng, ref, function: str, runner, data, params, versions: dict) -> tuple[Outcome, Outcome, list]:
    a = outcome_of(eng.name, function, lambda: runner(eng, data, params))
    b = outcome_of(ref.name, function, lambda: runner(ref, data, params))
    rows = compare_outcomes(function, "fuzz", None, a, b)
    rows = classify(rows, engine=eng.identity, engine_version=eng.version, reference=ref.name,
                    reference_versions=versions, params=params, data=data)
    return a, b, rows


class _Found(Exception):
    """Raised inside the property so that hypothesis shrinks the input."""


def campaign(engine: str, against: str, function: str, *, examples: int = 100, corpus: str | Path | None = None,
             seed: int | None = None, on_example: Callable[[int, int], None] | None = None,
             save: bool = True, strategy=None) -> CampaignResult:
    """Run a campaign; see the module docstring.

    Rounds of hypothesis: each round generates inputs until one shows a
    divergence not yet found; that input is saved at once, then hypothesis'
    shrinker reduces it while it still shows *that* divergence, and the
    smallest is saved in its place. The next round looks for the next
    divergence. ``examples`` bounds the generated inputs over all rounds
    (shrinking steps are not counted).
    """
    import warnings

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    import rparity

    eng, ref = rparity.engine(engine), rparity.engine(against)
    tgt = target(function)
    strat = strategy if strategy is not None else tgt.strategy()
    versions = _reference_versions(ref)
    result = CampaignResult(engine=eng.name, against=ref.name, function=function)
    found: set[str] = set()
    generated = {"n": 0}
    calls = {"n": 0}

    def evaluate(drawn):
        data, params = drawn
        calls["n"] += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compare_once(eng, ref, function, tgt.runner, data, params, versions)

    def keep(sig: str, drawn, outcomes) -> Finding:
        data, params = drawn
        f = Finding(sig, function, dict(params), data, outcomes[2], outcomes=(outcomes[0], outcomes[1]))
        if save and corpus is not None:
            a, b, rows = outcomes
            f.path = save_entry(corpus, engine=eng.name, against=ref.name, function=function, signature=sig,
                                params=dict(params), data=data, a=a, b=b, rows=rows, versions=versions)
        return f

    def rounds() -> None:
        rnd = 0
        while generated["n"] < examples:
            state: dict[str, Any] = {"target": None, "best": None}

            def prop(drawn):
                checkpoint()
                if state["target"] is None:
                    generated["n"] += 1
                    if on_example is not None:
                        on_example(min(generated["n"], examples), len(found))
                out = evaluate(drawn)
                sigs = signatures_of(out[2])
                if state["target"] is None:
                    fresh = sorted(sigs - found, key=lambda x: (not x.startswith(("error:", "new:")), x))
                    if not fresh:
                        return
                    state["target"] = fresh[0]
                    state["first"] = keep(fresh[0], drawn, out)
                if state["target"] in sigs:  # one raise site: hypothesis shrinks for this failure
                    if state["best"] is None or len(drawn[0]) <= len(state["best"][0][0]):
                        state["best"] = (drawn, out)
                    raise _Found(state["target"])

            run = settings(max_examples=max(1, examples - generated["n"]), database=None, deadline=None,
                           phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False,
                           suppress_health_check=list(HealthCheck))(given(strat)(prop))
            if seed is not None:
                run = hseed(seed + rnd)(run)
            rnd += 1
            try:
                run()
            except (_Found, ExceptionGroup):  # ExceptionGroup: hypothesis' Flaky* wrappers
                pass
            if state["target"] is None:
                break  # the remaining budget showed nothing new
            sig = state["target"]
            found.add(sig)
            drawn, out = state["best"]
            f = keep(sig, drawn, out)
            if f.path is None:
                f.path = state["first"].path
            result.findings.append(f)

    try:
        with fixed_hypothesis_constants():
            rounds()
    except KeyboardInterrupt:
        result.interrupted = True
    result.examples_run = generated["n"]
    result.comparisons = calls["n"]
    return result


@contextlib.contextmanager
def fixed_hypothesis_constants():
    """Empty hypothesis' pool of constants harvested from loaded local modules
    for the duration of the block.

    Besides its seed, hypothesis draws "local constants" found in whichever
    project modules happen to be imported, so one seed gave different cohorts in
    two processes with different imports (5 of 40 identical). With the pool
    empty a campaign's inputs depend on its seed only, in any process.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    harvest = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if harvest is None or cache is None or not hasattr(providers, "Constants"):
        yield  # a hypothesis without local constants: nothing to fix
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = harvest
        cache.cache.clear()


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
        bad = [r for r in f.rows if r.classification in SAVED_CLASSES]
        out.append({"signature": f.signature, "rows": len(f.data), "path": str(f.path) if f.path else "",
                    "quantities": sorted({r.quantity for r in bad}),
                    "worst_rel": max((r.max_rel for r in bad if r.max_rel == r.max_rel), default=float("nan")),
                    "classification": sorted({r.label for r in bad})})
    return out
