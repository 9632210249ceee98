"""What a worker does with a :class:`~rparity.distributed.plan.TaskSpec`.

:func:`execute` is the function submitted to Dask. It runs the task on the
worker's R thread and returns a JSON-able record (the task's key and spec,
``status: "done"``, its result, and where and how long it ran). Any exception
propagates, so Dask retries the task; engines' own errors are not exceptions
here, they are outcomes (``engine error`` rows).

fuzz task
    A bounded campaign (:func:`rparity.fuzz.campaign`, corpus off) of
    ``spec.examples`` generated inputs with the task's hypothesis seed; each
    divergence it finds is shrunk within the task and returned with its
    minimal input (CSV, 17 significant digits), parameters, classification
    rows and both engines' outcomes.
check task
    One parity case in the engine (and in the reference unless the reference
    is the golden files); returns both outcomes. The driver compares and
    classifies, in case order, exactly as the serial ``rparity check``.

Determinism. Hypothesis' generation also draws "local constants" harvested
from the project modules loaded in the process, so with a fixed seed it
depends on what happened to be imported before. A task runs hypothesis with
that pool emptied (:func:`_fixed_hypothesis_constants`), so its inputs depend
only on its seed, on every worker.

Fault injection (tests only): when the environment variable
``RPARITY_DISTRIBUTED_FAULTS`` names a directory, a file
``<dir>/<fault_id(key)>.<kind>`` makes the task with that key ``crash-once``
(the worker process exits on the first attempt; the file is renamed
``.fired``), ``crash`` (exits on every attempt), ``raise`` (raises) or
``hold`` (writes its pid to ``.running`` and waits while the file exists, so
that a test can kill the worker in the middle of the task).
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

from .._json import to_json
from .fingerprint import code_fingerprint
from .plan import TaskSpec
from .worker import on_r_thread, r_status, require_r

__all__ = ["execute", "failed_record", "outcome_to_json", "outcome_from_json", "fault_id", "FAULTS_ENV"]

FAULTS_ENV = "RPARITY_DISTRIBUTED_FAULTS"


def execute(spec: TaskSpec) -> dict:
    """Run ``spec`` on this process's R thread; its record (see the module docstring)."""
    return on_r_thread(_execute, spec)


def _execute(spec: TaskSpec) -> dict:
    _inject_fault(spec)
    engines = (spec.engine,) if spec.kind == "check" and not spec.with_reference else (spec.engine, spec.against)
    here = code_fingerprint(*engines)
    if here != spec.code:
        raise RuntimeError(f"this worker's code or library versions differ from the client's "
                           f"(fingerprint {here[:16]} vs {spec.code[:16]}); install the same rparity "
                           "and libraries on the workers")
    status = require_r() if spec.needs_r else r_status()
    t0 = time.perf_counter()
    body = _fuzz(spec) if spec.kind == "fuzz" else _check(spec)
    return {**spec.to_dict(), "status": "done", **body,
            "worker": {"pid": os.getpid(), "host": os.uname().nodename, "address": _worker_address(),
                       "r": status["versions"].get("R", "")},
            "seconds": round(time.perf_counter() - t0, 6)}


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except Exception:  # noqa: BLE001 - not in a Dask worker (in-process run)
        return "in-process"


# -- fuzz ---------------------------------------------------------------------------
def _fuzz(spec: TaskSpec) -> dict:
    import rparity

    from ..fuzz import _reference_versions, campaign

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = campaign(spec.engine, spec.against, spec.function, examples=spec.examples, seed=spec.seed,
                       save=False, corpus=None)
    if res.interrupted:
        raise KeyboardInterrupt("the campaign was interrupted on the worker")
    return {"examples_run": res.examples_run, "comparisons": res.comparisons,
            "versions": plain(_reference_versions(rparity.engine(spec.against))),
            "findings": [_finding_record(f) for f in res.findings]}


def _finding_record(f) -> dict:
    a, b = f.outcomes
    return {"signature": f.signature, "n_rows": int(len(f.data)), "params": plain(f.params),
            "data_csv": f.data.to_csv(index=False, float_format="%.17g"),
            "classification": [r.to_dict() for r in f.rows],
            "outcomes": {"engine": outcome_to_json(a), "reference": outcome_to_json(b)}}


# -- check --------------------------------------------------------------------------
_CASES: dict[str, Any] = {}


def _case(case_id: str):
    if not _CASES:
        from ..cases import all_cases

        _CASES.update({c.id: c for c in all_cases()})
    try:
        return _CASES[case_id]
    except KeyError:
        raise KeyError(f"no case {case_id!r} on this worker") from None


def _check(spec: TaskSpec) -> dict:
    import rparity

    from ..compare import run_outcome

    case = _case(spec.case)
    if case.fingerprint() != spec.case_fingerprint:
        raise RuntimeError(f"case {spec.case!r} differs on this worker (its parameters or dataset changed)")
    a = run_outcome(case, rparity.engine(spec.engine))
    b = run_outcome(case, rparity.engine(spec.against)) if spec.with_reference else None
    return {"outcomes": {"engine": outcome_to_json(a), "reference": None if b is None else outcome_to_json(b)}}


# -- encoding -----------------------------------------------------------------------
def plain(v: Any) -> Any:
    """``v`` with numpy scalars and arrays, tuples and sets made JSON-native."""
    return to_json(v, nonfinite="keep")


def outcome_to_json(o) -> dict:
    """An :class:`~rparity.compare.Outcome` as JSON-able data; values in the golden
    files' encoding (17 significant digits), so :func:`outcome_from_json` gives
    back the same numbers."""
    from ..golden import encode

    return {"engine": o.engine, "error": o.error, "error_type": o.error_type, "kind": o.kind,
            "r_message": o.r_message, "traceback": o.traceback,
            "values": None if o.values is None else {k: json.loads(encode(v)) for k, v in o.values.items()},
            "provenance": plain(o.provenance)}


def outcome_from_json(d: dict):
    from ..compare import Outcome
    from ..golden import decode

    values = None if d["values"] is None else {k: decode(v) for k, v in d["values"].items()}
    return Outcome(d["engine"], values=values, error=d["error"], error_type=d["error_type"], kind=d.get("kind"),
                   r_message=d.get("r_message"), traceback=d["traceback"], provenance=list(d.get("provenance") or []))


def failed_record(spec: TaskSpec, exc: BaseException | None, tb: str = "") -> dict:
    """The record of a task that failed after its retries (or was lost)."""
    err = f"{type(exc).__name__}: {exc}" if exc is not None else "lost: no result and no exception"
    return {**spec.to_dict(), "status": "failed", "error": err[:4000], "traceback": tb[-4000:]}


# -- fault injection (tests) ------------------------------------------------------------
def fault_id(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def _inject_fault(spec: TaskSpec) -> None:
    d = os.environ.get(FAULTS_ENV)
    if not d:
        return
    base = Path(d) / fault_id(spec.key)
    once = base.with_suffix(".crash-once")
    if once.exists():
        try:
            os.replace(once, base.with_suffix(".fired"))
        except FileNotFoundError:
            return  # another attempt fired it
        os._exit(70)
    if base.with_suffix(".crash").exists():
        base.with_suffix(".fired").touch()
        os._exit(70)
    if base.with_suffix(".raise").exists():
        raise RuntimeError(f"injected failure for task {spec.index}")
    hold = base.with_suffix(".hold")
    if hold.exists():
        base.with_suffix(".running").write_text(str(os.getpid()))
        while hold.exists():
            time.sleep(0.05)
