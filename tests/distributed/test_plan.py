"""Task plans: seeds spawned from one root seed, keys, sizes."""
from __future__ import annotations

import zlib

import numpy as np
import pytest

from rparity.distributed.plan import check_plan, function_seeds, fuzz_plan

CODE = "c0de" * 16


def plan(examples=100, task_examples=25, function="survfit", engine="pyimpl", against="r", seed=11, code=CODE):
    return fuzz_plan(engine, against, function, examples=examples, task_examples=task_examples, root_seed=seed,
                     code=code)


def test_tasks_split_examples_with_a_remainder_task():
    assert [s.examples for s in plan(examples=95, task_examples=25)] == [25, 25, 25, 20]
    assert [s.examples for s in plan(examples=3, task_examples=25)] == [3]
    assert [s.index for s in plan(examples=95, task_examples=25)] == [0, 1, 2, 3]


def test_a_task_seed_depends_on_root_function_and_index_only():
    small, big = plan(examples=50), plan(examples=500)
    assert [s.seed for s in small] == [s.seed for s in big[:2]]
    assert [s.key for s in small] == [s.key for s in big[:2]]
    # the same cohorts for every engine under test: seeds do not depend on the engines
    assert [s.seed for s in plan(engine="lifelines")] == [s.seed for s in plan()]
    seeds = [s.seed for fn in ("survfit", "survdiff") for s in plan(function=fn, examples=500)]
    seeds += [s.seed for s in plan(seed=12, examples=500)]
    assert len(set(seeds)) == len(seeds)


def test_seeds_are_spawned_from_the_root_seed_sequence():
    children = function_seeds(11, "survdiff", 3)
    base = np.random.SeedSequence(11, spawn_key=(zlib.crc32(b"survdiff"),))
    assert [c.spawn_key for c in children] == [c.spawn_key for c in base.spawn(3)]
    expect = [int(np.random.SeedSequence(11, spawn_key=(zlib.crc32(b"survdiff"), i))
                  .generate_state(1, dtype=np.uint64)[0]) for i in range(3)]
    assert [s.seed for s in plan(function="survdiff", examples=75)] == expect


def test_keys_name_everything_a_result_depends_on():
    base = plan()[1].key
    assert "seed=11" in base and "task=1" in base and "examples=25" in base
    others = [plan(seed=12)[1].key, plan(engine="lifelines")[1].key, plan(against="pyimpl")[1].key,
              plan(function="survdiff")[1].key, plan(code="f" * 64)[1].key, plan(task_examples=26)[1].key]
    assert base not in others and len(set(others)) == len(others)


def test_check_plan_is_one_task_per_case_in_order():
    from rparity.cases import all_cases

    cases = [c for c in all_cases() if c.function == "survdiff"]
    specs = check_plan("pyimpl", "r", cases, with_reference=True, code=CODE)
    assert [s.case for s in specs] == [c.id for c in cases]
    assert [s.index for s in specs] == list(range(len(cases)))
    assert all(s.needs_r for s in specs)
    golden = check_plan("pyimpl", "r", cases, with_reference=False, code=CODE)
    assert not any(s.needs_r for s in golden)
    assert {s.key for s in golden}.isdisjoint(s.key for s in specs)


@pytest.mark.parametrize("kw, message", [
    ({"examples": 0}, r"`examples` must be a positive integer; got examples=0"),
    ({"task_examples": 0}, r"`task_examples` must be a positive integer; got task_examples=0"),
    ({"seed": -1}, r"`root_seed` must be a non-negative integer; got root_seed=-1"),
    ({"seed": 1.5}, r"`root_seed` must be a non-negative integer; got root_seed=1.5"),
])
def test_bad_plan_arguments(kw, message):
    with pytest.raises(ValueError, match=message):
        plan(**kw)
