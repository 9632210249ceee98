"""Merging the task records of one function's campaign into its result.

The merged result depends only on the plan and on each task's record, never on
the order records arrived in or on which worker made them:

* tasks are taken in plan order; ``examples_run`` and ``comparisons`` are sums;
* findings are grouped by signature; the one kept is the smallest input
  (fewest rows), ties broken by the lower task index, then by its position in
  the task; ``found_in`` lists every task that found the signature;
* findings are listed engine errors and new divergences first, then known
  divergences, each group by signature;
* ``versions`` are the reference versions of the lowest-index finished task;
* ``failed`` lists tasks that failed after their retries, with the reason;
  ``complete`` says every planned task finished.

It is written as indented JSON (insertion order, which is fixed) without timings or worker names, so
two runs of a campaign can be compared byte for byte.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable, Mapping

from .plan import TaskSpec

__all__ = ["merge_fuzz", "campaign_result", "FORMAT"]

FORMAT = 1


def _rank(sig: str) -> tuple:
    return (not sig.startswith(("error:", "new:")), sig)


def merge_fuzz(plan: Iterable[TaskSpec], records: Mapping[str, dict], *, task_examples: int) -> dict:
    """The merged result of one function's campaign (see the module docstring).
    ``records`` maps task keys to their finished (or failed) record."""
    plan = sorted(plan, key=lambda s: s.index)
    if not plan:
        raise ValueError("an empty plan has nothing to merge")
    first = plan[0]
    best: dict[str, tuple] = {}
    found_in: dict[str, list[int]] = {}
    tasks, failed = [], []
    examples_run = comparisons = 0
    versions = None
    for spec in plan:
        rec = records.get(spec.key)
        row = {"task": spec.index, "seed": spec.seed, "examples": spec.examples}
        if rec is None or rec.get("status") not in ("done", "failed"):
            tasks.append({**row, "status": "pending"})
            continue
        if rec["status"] == "failed":
            tasks.append({**row, "status": "failed"})
            failed.append({"task": spec.index, "key": spec.key, "error": rec.get("error", "")})
            continue
        examples_run += int(rec["examples_run"])
        comparisons += int(rec.get("comparisons", 0))
        if versions is None:
            versions = rec.get("versions") or {}
        sigs = []
        for pos, f in enumerate(rec["findings"]):
            sig = f["signature"]
            sigs.append(sig)
            found_in.setdefault(sig, []).append(spec.index)
            cand = (int(f["n_rows"]), spec.index, pos)
            if sig not in best or cand < best[sig][0]:
                best[sig] = (cand, f)
        tasks.append({**row, "status": "done", "examples_run": int(rec["examples_run"]),
                      "signatures": sorted(sigs)})
    findings = []
    for sig in sorted(best, key=_rank):
        (n_rows, task, _), f = best[sig]
        findings.append({**f, "task": task, "found_in": sorted(set(found_in[sig]))})
    planned = sum(s.examples for s in plan)
    return {
        "format": FORMAT, "kind": "fuzz", "engine": first.engine, "against": first.against,
        "function": first.function, "root_seed": first.root_seed, "code": first.code,
        "plan": {"examples": planned, "task_examples": task_examples, "tasks": len(plan)},
        "complete": all(t["status"] == "done" for t in tasks),
        "tasks_done": sum(t["status"] == "done" for t in tasks),
        "examples_run": examples_run, "comparisons": comparisons, "versions": versions or {},
        "findings": findings, "failed": failed, "tasks": tasks,
    }


def _rows(classification: list[dict]):
    from ..compare import QuantityDiff

    return [QuantityDiff.from_dict(d) for d in classification]


def campaign_result(merged: dict, *, corpus: str | Path | None = None, interrupted: bool = False):
    """A :class:`~rparity.fuzz.CampaignResult` of a merged campaign, as the serial
    ``rparity fuzz`` shows it; with ``corpus``, each finding is saved there too
    (a smaller cohort replaces a larger one, as in a serial campaign)."""
    import pandas as pd

    from ..corpus import entry_dir, save_entry
    from ..fuzz import CampaignResult, Finding
    from .tasks import outcome_from_json

    res = CampaignResult(engine=merged["engine"], against=merged["against"], function=merged["function"],
                         examples_run=merged["examples_run"], interrupted=interrupted,
                         comparisons=merged["comparisons"])
    for f in merged["findings"]:
        data = pd.read_csv(io.StringIO(f["data_csv"]))
        a, b = (outcome_from_json(f["outcomes"][k]) for k in ("engine", "reference"))
        rows = _rows(f["classification"])
        finding = Finding(f["signature"], merged["function"], dict(f["params"]), data, rows, outcomes=(a, b))
        if corpus is not None:
            path = save_entry(corpus, engine=merged["engine"], against=merged["against"],
                              function=merged["function"], signature=f["signature"], params=dict(f["params"]),
                              data=data, a=a, b=b, rows=rows, versions=merged["versions"])
            finding.path = path or entry_dir(Path(corpus), merged["engine"], merged["against"],
                                             merged["function"], f["signature"])
        res.findings.append(finding)
    return res
