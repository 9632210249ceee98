"""Running a plan on a Dask cluster, streaming records to the results store.

:func:`fuzz` and :func:`check` are what ``rparity fuzz --workers/--scheduler``
and ``rparity check --workers/--scheduler`` call. Both

1. plan their tasks (:mod:`.plan`) without touching a worker;
2. skip every task whose finished record is already in the results store
   (resume: same key, see :mod:`.plan`);
3. submit the rest (``client.submit(execute, spec, retries=..., pure=False)``)
   and write each record to the store as it arrives (``as_completed``). A task
   that raises is retried by Dask up to ``retries`` times; a task whose worker
   dies is rescheduled by Dask (up to ``distributed.scheduler.allowed-failures``
   deaths, then ``KilledWorker``). A task that still fails is recorded as failed
   with the reason, and the run goes on;
4. build the result from the store only (so a resumed run and an
   uninterrupted one give the same result).

Ctrl-C (KeyboardInterrupt) cancels what is left; what was written stays.
"""
from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from rparity_contract.errors import RParityError

from .fingerprint import code_fingerprint
from .merge import campaign_result, merge_fuzz
from .plan import TaskSpec, check_plan, fuzz_plan, new_root_seed
from .store import ResultsStore, safe_name, write_json_atomic
from .tasks import execute, failed_record, outcome_from_json
from .worker import PLUGIN_NAME, RWorkerPlugin, r_status, start_r

__all__ = ["RunStats", "FuzzRun", "fuzz", "check", "run_tasks", "dask_client", "DEFAULT_RESULTS",
           "DEFAULT_TASK_EXAMPLES", "DEFAULT_RETRIES"]

DEFAULT_RESULTS = "rparity-results"
DEFAULT_TASK_EXAMPLES = 25
DEFAULT_RETRIES = 2

log = logging.getLogger("rparity.distributed")


@dataclass
class RunStats:
    """What a run did: tasks planned, reused from the store, run now, failed."""

    planned: int = 0
    reused: int = 0
    submitted: int = 0
    done: int = 0
    failed: int = 0
    interrupted: bool = False
    store: Path | None = None


class SchedulerUnreachable(RParityError):
    """The Dask scheduler given with --scheduler does not answer."""


#: how long to wait for a scheduler named with --scheduler
SCHEDULER_TIMEOUT = "10s"


@contextlib.contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None, needs_r: bool = True,
                **cluster_kwargs: Any) -> Iterator[Any]:
    """A Dask client: of a new local cluster of ``workers`` single-threaded worker
    processes, or of the cluster at ``scheduler``; with :class:`RWorkerPlugin`
    registered (each worker starts its R once)."""
    from distributed import Client, LocalCluster

    if (workers is None) == (scheduler is None):
        raise ValueError("give exactly one of `workers` and `scheduler`")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise SchedulerUnreachable(f"the Dask scheduler at {scheduler} cannot be reached within "
                                       f"{SCHEDULER_TIMEOUT}: {exc}") from None
        try:
            register_plugin(client, needs_r=needs_r)
            yield client
        finally:
            client.close()
        return
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"`workers` must be a positive integer; got workers={workers!r}")
    import dask

    kw = {"dashboard_address": ":0", "silence_logs": logging.ERROR, **cluster_kwargs}
    # one task per worker at a time, none queued on it: when a task kills its
    # worker, no other task dies with it (Dask counts every task assigned to a
    # dead worker towards its allowed failures)
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, **kw)
    try:
        client = Client(cluster)
        try:
            register_plugin(client, needs_r=needs_r)
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def register_plugin(client, *, needs_r: bool, attempts: int = 4) -> None:
    """Install the worker plugin (R started in each worker when ``needs_r``).

    A worker that dies while the plugin is being sent to it (its nanny is
    restarting it) makes Dask raise ``CommClosedError`` although the scheduler
    keeps the plugin for the workers that join; registering again, under the
    same name, once the worker is back is safe, so a few attempts are made."""
    from distributed.comm.core import CommClosedError

    for attempt in range(attempts):
        try:
            client.register_plugin(RWorkerPlugin(start_r=needs_r), name=PLUGIN_NAME)
            return
        except (CommClosedError, OSError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


@contextlib.contextmanager
def _client_for(client, workers, scheduler, needs_r) -> Iterator[Any]:
    if client is not None:
        register_plugin(client, needs_r=needs_r)
        yield client
    elif workers is not None or scheduler is not None:
        with dask_client(workers=workers, scheduler=scheduler, needs_r=needs_r) as c:
            yield c
    else:
        yield None  # in this process, one task at a time


def run_tasks(specs: Iterable[TaskSpec], store: ResultsStore, *, client=None, retries: int = DEFAULT_RETRIES,
              on_record: Callable[[dict], None] | None = None) -> RunStats:
    """Run every spec without a finished record in ``store`` and append each
    record as it arrives. ``client=None`` runs them here, one at a time (with the
    same retries). ``on_record`` sees the reused records first, then each new
    record after it is written (``RunStats`` tells how many of each)."""
    specs = list(specs)
    finished = store.finished()
    todo = [s for s in specs if s.key not in finished]
    stats = RunStats(planned=len(specs), reused=len(specs) - len(todo), store=store.path)
    if on_record is not None:
        for s in specs:
            if s.key in finished:
                on_record(finished[s.key])

    def handle(rec: dict) -> None:
        store.append(rec)
        if rec["status"] == "done":
            stats.done += 1
        else:
            stats.failed += 1
        if on_record is not None:
            on_record(rec)

    futures: dict = {}
    try:
        if client is None:
            for s in todo:
                stats.submitted += 1
                handle(_run_here(s, retries))
        else:
            from distributed import as_completed

            run = uuid.uuid4().hex[:8]
            for s in todo:
                fut = client.submit(execute, s, retries=retries, pure=False,
                                    key=f"rparity-{s.kind}-{safe_name(s.function)}-{s.index}-{run}")
                futures[fut] = s
            stats.submitted = len(futures)
            for fut in as_completed(list(futures)):
                s = futures.pop(fut)
                handle(_record_of(fut, s))
                fut.release()
    except KeyboardInterrupt:
        stats.interrupted = True
        if futures:
            client.cancel(list(futures))
    return stats


def _run_here(spec: TaskSpec, retries: int) -> dict:
    import traceback

    for attempt in range(retries + 1):
        try:
            return execute(spec)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded, like a task failing on a worker
            if attempt == retries:
                return failed_record(spec, exc, traceback.format_exc())
    raise AssertionError("unreachable")


def _record_of(fut, spec: TaskSpec) -> dict:
    import traceback

    if fut.status == "finished":
        try:
            return fut.result()
        except Exception as exc:  # noqa: BLE001 - lost between finishing and fetching
            return failed_record(spec, exc)
    if fut.status == "error":
        exc = fut.exception()
        tb = fut.traceback()
        return failed_record(spec, exc, "".join(traceback.format_tb(tb)) if tb is not None else "")
    return failed_record(spec, None)


# -- fuzz ---------------------------------------------------------------------------------
@dataclass
class FuzzRun:
    """A distributed campaign: per function its merged result (the file
    ``merged_paths[function]``) and the :class:`~rparity.fuzz.CampaignResult`
    the CLI shows."""

    root_seed: int
    results: Path
    merged: dict[str, dict] = field(default_factory=dict)
    merged_paths: dict[str, Path] = field(default_factory=dict)
    campaigns: dict[str, Any] = field(default_factory=dict)
    stats: RunStats = field(default_factory=RunStats)

    @property
    def failed(self) -> list[dict]:
        return [f for m in self.merged.values() for f in m["failed"]]


def fuzz_dir(results: str | Path, engine: str, against: str, root_seed: int) -> Path:
    return Path(results) / "fuzz" / f"{safe_name(engine)}-vs-{safe_name(against)}" / f"seed-{root_seed}"


def fuzz(engine: str, against: str, functions: Iterable[str], *, examples: int, seed: int | None = None,
         task_examples: int = DEFAULT_TASK_EXAMPLES, results: str | Path = DEFAULT_RESULTS,
         corpus: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
         client=None, retries: int = DEFAULT_RETRIES, on_record: Callable[[dict], None] | None = None) -> FuzzRun:
    """A campaign of ``engine`` against ``against`` on each function, split into
    tasks of ``task_examples`` inputs with seeds spawned from ``seed``.

    Records stream to ``<results>/fuzz/<engine>-vs-<against>/seed-<seed>/tasks.jsonl``;
    the merged result of each function is written beside it as
    ``<function>.json``. Run it again with the same seed (and code) and the
    finished tasks are reused, not recomputed. The result is the same for any
    number of workers, in-process included (``client``, ``workers`` and
    ``scheduler`` all None).
    """
    from ..fuzz_targets import target

    functions = list(dict.fromkeys(functions))
    for fn in functions:
        target(fn)  # unknown function: KeyError before anything runs
    root = new_root_seed() if seed is None else int(seed)
    code = code_fingerprint(engine, against)
    plans = {fn: fuzz_plan(engine, against, fn, examples=examples, task_examples=task_examples, root_seed=root,
                           code=code) for fn in functions}
    out = FuzzRun(root_seed=root, results=fuzz_dir(results, engine, against, root))
    store = ResultsStore(out.results / "tasks.jsonl")
    # interleave functions so that every campaign progresses from the start
    specs = [p[i] for i in range(max(len(p) for p in plans.values())) for p in plans.values() if i < len(p)]
    needs_r = "r" in (engine, against)
    with store, _client_for(client, workers, scheduler, needs_r) as cl:
        out.stats = run_tasks(specs, store, client=cl, retries=retries, on_record=on_record)
    latest = store.latest()
    for fn, plan in plans.items():
        merged = merge_fuzz(plan, latest, task_examples=task_examples)
        out.merged[fn] = merged
        out.merged_paths[fn] = write_json_atomic(out.results / f"{safe_name(fn)}.json", merged)
        out.campaigns[fn] = campaign_result(merged, corpus=corpus, interrupted=out.stats.interrupted)
    return out


# -- check --------------------------------------------------------------------------------
def check_dir(results: str | Path, engine: str, against: str) -> Path:
    return Path(results) / "check" / f"{safe_name(engine)}-vs-{safe_name(against)}"


def _r_available(client) -> bool:
    if client is None:
        return start_r()["available"]
    status = client.run(r_status)
    avail = {addr: st["available"] for addr, st in status.items()}
    if all(avail.values()):
        return True
    if not any(avail.values()):
        return False
    raise RParityError("R is available on some workers and not on others: "
                       + ", ".join(f"{a}: {'yes' if v else 'no'}" for a, v in sorted(avail.items())))


def check(engine: str = "pyimpl", against: str = "r", *, functions: Iterable[str] | None = None,
          results: str | Path = DEFAULT_RESULTS, workers: int | None = None, scheduler: str | None = None,
          client=None, retries: int = DEFAULT_RETRIES, on_record: Callable[[dict], None] | None = None):
    """``rparity check`` with one task per case; returns ``(CheckReport, RunStats)``.

    The workers compute each case's outcomes; the report is then assembled here
    in case order by the same code as the serial check, so it has the same rows
    in the same order. Whether the reference is live R or the golden files is
    decided by the workers' R (all have it, or none). A case whose task failed
    shows as an engine error with the reason.
    """
    import rparity

    from ..check import _reference, assemble_report, select_cases
    from ..compare import Outcome

    eng = rparity.engine(engine)
    selected = select_cases(None, functions)
    store = ResultsStore(check_dir(results, engine, against) / "tasks.jsonl")
    needs_r = "r" in (engine, against)
    with store, _client_for(client, workers, scheduler, needs_r) as cl:
        kind, _ref, note = _reference(against, r_available=lambda: _r_available(cl))
        live = kind == "engine"
        code = code_fingerprint(engine, against) if live else code_fingerprint(engine)
        plan = check_plan(engine, against, selected, with_reference=live, code=code)
        stats = run_tasks(plan, store, client=cl, retries=retries, on_record=on_record)
    latest = store.latest()
    by_case = {s.case: latest.get(s.key) for s in plan}

    def outcomes(c):
        rec = by_case[c.id]
        if rec is None or rec.get("status") != "done":
            why = "the task did not finish" if rec is None else rec.get("error", "failed")
            a = Outcome(eng.name, error=f"distributed task failed: {why}", error_type="TaskFailed")
            b = Outcome(against, values={})
            return a, (None if not live else b)
        o = rec["outcomes"]
        return (outcome_from_json(o["engine"]),
                None if o["reference"] is None else outcome_from_json(o["reference"]))

    report = assemble_report(eng, against, kind, note, selected, outcomes)
    return report, stats
