"""Throughput of a distributed campaign against R: cohorts checked per second
with 1 and 2 Dask workers (each with its own R), and in one process.

    python -m bench.distributed [--examples 300] [--task-examples 25]
                                [--functions survdiff survfit] [--engine pyimpl] [--seed 1]

The same campaign (same root seed, same tasks) runs three ways: in this
process one task at a time (no Dask), on a local cluster of 1 worker, and of 2
workers. For each: the cluster's start-up (processes, imports, R on every
worker) is timed apart from the campaign itself; throughput is generated
cohorts compared with R per second of campaign wall time ("comparisons"
also counts hypothesis' shrinking steps, equal when nothing diverges). "busy"
is the workers' summed task time over campaign time x workers; "cores got" the
CPU seconds the task-running processes used per second of campaign (what the
machine gave them: 2 workers can only scale if it is near 2); "cohorts/CPU-s"
the cost of a cohort, which should not depend on the number of workers. The
merged results of the three runs are compared byte for byte. On a shared
machine, read the ratio with the load average and with the "ceiling" printed
before and after: what 2 processes of pure arithmetic get over 1 right now.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def _cpu_seconds() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _cpu(client) -> float:
    """CPU seconds used so far by the processes that run the tasks."""
    if client is None:
        return _cpu_seconds()
    return sum(client.run(_cpu_seconds).values())


def _campaign(args, results: Path, client=None):
    from rparity.distributed import fuzz

    cpu0 = _cpu(client)
    t0 = time.perf_counter()
    run = fuzz(args.engine, "r", args.functions, examples=args.examples, task_examples=args.task_examples,
               seed=args.seed, results=results, client=client)
    wall = time.perf_counter() - t0
    cpu = _cpu(client) - cpu0
    cohorts = sum(m["examples_run"] for m in run.merged.values())
    comparisons = sum(m["comparisons"] for m in run.merged.values())
    merged = b"".join(run.merged_paths[fn].read_bytes() for fn in args.functions)
    assert all(m["complete"] for m in run.merged.values()), "a task failed"
    from rparity.distributed.store import ResultsStore

    busy = sum(r["seconds"] for r in ResultsStore(run.results / "tasks.jsonl").records())
    return {"wall": wall, "cohorts": cohorts, "comparisons": comparisons, "merged": merged,
            "tasks": run.stats.submitted, "busy": busy, "cpu": cpu}


def _spin(n: int) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def cpu_scaling(n: int = 10_000_000) -> float:
    """What 2 processes get over 1 on pure Python arithmetic right now: the
    ceiling for the 1 -> 2 worker ratio on this machine under its current load."""
    import multiprocessing as mp

    one = _spin(n)
    with mp.get_context("spawn").Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(_spin, [n, n])
        two = time.perf_counter() - t0
    return 2 * one / two


def run(args) -> list[dict]:
    from rparity.distributed import dask_client
    from rparity.distributed.worker import r_status

    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="rparity-bench-"))
    try:
        for workers in (1, 2):
            t0 = time.perf_counter()
            with dask_client(workers=workers, needs_r=True) as client:
                status = client.run(r_status)  # the plugin has started R on every worker
                startup = time.perf_counter() - t0
                assert all(s["available"] for s in status.values()), status
                row = _campaign(args, tmp / f"w{workers}", client)
            rows.append({"mode": f"{workers} worker(s)", "workers": workers, "startup": startup, **row})
        t0 = time.perf_counter()
        from rparity.distributed.worker import start_r

        assert start_r()["available"]
        startup = time.perf_counter() - t0
        rows.append({"mode": "in-process", "workers": 0, "startup": startup, **_campaign(args, tmp / "here")})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=300, help="generated cohorts per function (default 300)")
    ap.add_argument("--task-examples", type=int, default=25, help="cohorts per task (default 25)")
    ap.add_argument("--functions", nargs="+", default=["survdiff", "survfit"])
    ap.add_argument("--engine", default="pyimpl")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    load_before = os.getloadavg()
    ceiling_before = cpu_scaling()
    rows = run(args)
    ceiling_after = cpu_scaling()
    load_after = os.getloadavg()
    print(f"campaign: {args.engine} vs r on {', '.join(args.functions)}, {args.examples} cohorts per function "
          f"in tasks of {args.task_examples}, root seed {args.seed}; {os.cpu_count()} CPUs")
    print(f"{'mode':<14} {'start-up s':>10} {'campaign s':>10} {'cohorts':>8} {'cohorts/s':>10} "
          f"{'comparisons/s':>14} {'busy':>6} {'cores got':>9} {'cohorts/CPU-s':>13}")
    for r in rows:
        busy = r["busy"] / (r["wall"] * max(r["workers"], 1))
        print(f"{r['mode']:<14} {r['startup']:>10.2f} {r['wall']:>10.2f} {r['cohorts']:>8d} "
              f"{r['cohorts'] / r['wall']:>10.1f} {r['comparisons'] / r['wall']:>14.1f} {busy:>6.0%} "
              f"{r['cpu'] / r['wall']:>9.2f} {r['cohorts'] / r['cpu']:>13.1f}")
    rate = {r["workers"]: r["cohorts"] / r["wall"] for r in rows}
    print(f"scaling 1 -> 2 workers: {rate[2] / rate[1]:.2f}x; 1 worker vs in-process: {rate[1] / rate[0]:.2f}x")
    print(f"ceiling: 2 processes of pure arithmetic vs 1 on this machine now: {ceiling_before:.2f}x before, "
          f"{ceiling_after:.2f}x after")
    same = len({r["merged"] for r in rows}) == 1
    print(f"merged results identical across the three runs: {'yes' if same else 'NO'}")
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
        *load_before, *load_after))


if __name__ == "__main__":
    main()
