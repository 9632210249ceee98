"""Campaigns and checks on a Dask cluster, one R per worker process.

``rparity fuzz --workers N`` / ``--scheduler ADDRESS`` (and the same for
``rparity check``) come here. The pieces, each in its own module:

:mod:`.plan`         the tasks and their seeds (``SeedSequence`` spawned from one root seed)
:mod:`.fingerprint`  the fingerprint of the code a result was computed with
:mod:`.worker`       the worker plugin: each worker process starts its own R once, on one thread
:mod:`.tasks`        what a worker does with a task; the records it returns
:mod:`.store`        the append-only JSONL results store (resume)
:mod:`.merge`        merging a campaign's task records into its result
:mod:`.runner`       submitting, streaming, retrying; :func:`fuzz` and :func:`check`

Semantics, in short: a distributed campaign is a fixed list of independent
tasks (task ``i`` of function ``f`` = a bounded hypothesis campaign of
``task_examples`` inputs seeded from ``SeedSequence(root, spawn_key=(crc32(f),)).spawn(n)[i]``);
its merged result keeps, per divergence signature, the smallest input over all
tasks (ties to the lower task index). It is identical byte for byte for 1 or N
workers and across interruptions and resumes, but it is not the result of the
serial ``campaign(seed=...)``, which is one sequential search.

Requires the ``dask`` extra: ``pip install 'rparity[dask]'``.
"""
from __future__ import annotations

from .merge import campaign_result, merge_fuzz
from .plan import TaskSpec, check_plan, fuzz_plan
from .runner import DEFAULT_RESULTS, DEFAULT_TASK_EXAMPLES, FuzzRun, RunStats, check, dask_client, fuzz, run_tasks
from .store import ResultsStore
from .worker import RWorkerPlugin

__all__ = ["fuzz", "check", "run_tasks", "dask_client", "FuzzRun", "RunStats", "TaskSpec", "fuzz_plan",
           "check_plan", "merge_fuzz", "campaign_result", "ResultsStore", "RWorkerPlugin", "DEFAULT_RESULTS",
           "DEFAULT_TASK_EXAMPLES"]
