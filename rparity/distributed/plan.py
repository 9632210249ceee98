"""Tasks and their seeds: what a distributed campaign or check consists of.

A distributed run is a list of independent :class:`TaskSpec`s, fixed before any
worker is asked for anything, so the work (and therefore the result) does not
depend on how many workers there are or in which order they finish.

Seeds (fuzz). From the root seed ``R`` of a campaign and a function ``f``::

    SeedSequence(R, spawn_key=(crc32(f),)).spawn(n_tasks)[i]

is the seed sequence of task ``i``; its first 64-bit word is the hypothesis
seed of that task. A spawned child depends only on ``(R, f, i)``, not on
``n_tasks``, so a campaign grown from 200 to 2000 examples reuses its first
tasks, and two engines fuzzed with the same root seed see the same cohorts.

Task ``i`` runs ``task_examples`` generated inputs (the last task the
remainder), so ``examples`` inputs in ``ceil(examples / task_examples)`` tasks.

Keys. A task's key names everything its result depends on: kind, engines,
function, root seed, task index, its number of examples (fuzz) or the case and
its fingerprint (check), and the fingerprint of the code and library versions
(:mod:`rparity.distributed.fingerprint`). A stored result is reused only under
the same key.
"""
from __future__ import annotations

import math
import secrets
import zlib
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["TaskSpec", "fuzz_plan", "check_plan", "function_seeds", "new_root_seed"]


@dataclass(frozen=True)
class TaskSpec:
    """One unit of distributed work (JSON-able; sent to a worker as is)."""

    kind: str  # "fuzz" or "check"
    engine: str
    against: str
    function: str
    index: int  # position in the plan; ties between equal findings go to the lower index
    code: str  # fingerprint of the code and versions that compute it
    root_seed: int | None = None  # fuzz: the campaign's root seed
    seed: int | None = None  # fuzz: this task's hypothesis seed
    examples: int = 0  # fuzz: generated inputs in this task
    case: str | None = None  # check: the case id
    case_fingerprint: str | None = None  # check: the case's fingerprint (params + dataset bytes)
    with_reference: bool = True  # check: False when the reference is the golden files

    @property
    def key(self) -> str:
        code = self.code[:16]
        if self.kind == "fuzz":
            return (f"fuzz/{self.engine}/{self.against}/{self.function}/seed={self.root_seed}/"
                    f"task={self.index}/examples={self.examples}/code={code}")
        ref = "live" if self.with_reference else "golden"
        return (f"check/{self.engine}/{self.against}/{self.case}/case={(self.case_fingerprint or '')[:16]}/"
                f"reference={ref}/code={code}")

    @property
    def needs_r(self) -> bool:
        if self.kind == "check" and not self.with_reference:
            return self.engine == "r"
        return "r" in (self.engine, self.against)

    def to_dict(self) -> dict:
        return {"key": self.key, **asdict(self)}


def new_root_seed() -> int:
    """A fresh root seed (128 bits), to be printed so the campaign can be resumed."""
    return secrets.randbits(128)


def function_seeds(root_seed: int, function: str, n_tasks: int) -> list[np.random.SeedSequence]:
    """The seed sequences of a function's first ``n_tasks`` tasks (see the module docstring)."""
    if not isinstance(root_seed, (int, np.integer)) or isinstance(root_seed, bool) or root_seed < 0:
        raise ValueError(f"`root_seed` must be a non-negative integer; got root_seed={root_seed!r}")
    base = np.random.SeedSequence(int(root_seed), spawn_key=(zlib.crc32(function.encode()),))
    return base.spawn(n_tasks)


def fuzz_plan(engine: str, against: str, function: str, *, examples: int, task_examples: int,
              root_seed: int, code: str) -> list[TaskSpec]:
    """The tasks of one function's campaign: ``examples`` inputs in tasks of ``task_examples``."""
    if not isinstance(examples, int) or examples < 1:
        raise ValueError(f"`examples` must be a positive integer; got examples={examples!r}")
    if not isinstance(task_examples, int) or task_examples < 1:
        raise ValueError(f"`task_examples` must be a positive integer; got task_examples={task_examples!r}")
    n = math.ceil(examples / task_examples)
    out = []
    for i, child in enumerate(function_seeds(root_seed, function, n)):
        k = task_examples if i < n - 1 else examples - task_examples * (n - 1)
        seed = int(child.generate_state(1, dtype=np.uint64)[0])
        out.append(TaskSpec(kind="fuzz", engine=engine, against=against, function=function, index=i, code=code,
                            root_seed=int(root_seed), seed=seed, examples=k))
    return out


def check_plan(engine: str, against: str, cases, *, with_reference: bool, code: str) -> list[TaskSpec]:
    """One task per case, in the order of ``cases`` (registered cases only: a
    worker finds a case by its id)."""
    return [TaskSpec(kind="check", engine=engine, against=against, function=c.function, index=i, code=code,
                     case=c.id, case_fingerprint=c.fingerprint(), with_reference=with_reference)
            for i, c in enumerate(cases)]
