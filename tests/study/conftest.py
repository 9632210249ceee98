"""Shared inputs of the study tests: a small valid spec and cohort to mutate,
and one run of the bundled study per engine set (module caches keep the
end-to-end tests' runtime moderate)."""
from __future__ import annotations

import functools

import pytest

MINIMAL_SPEC = """
[study]
title = "Tiny study"
seed = 1

[cohort]
id = "pid"

[arms]
column = "arm"
treated = "A"
reference = "B"

[endpoints.os]
time = "t"
event = "d"

[[covariates]]
name = "old"
column = "age"
cut = 50

[[covariates]]
name = "male"
column = "sex"
positive_values = ["m"]
negative_values = ["f"]

[matching]
link = "linear.logit"

[km]
landmarks = [2, 4]
"""

TINY_COHORT = """pid,arm,age,sex,t,d
p1,A,60,m,1.5,1
p2,A,45,f,3,0
p3,A,52,m,5,1
p4,B,49,f,2,1
p5,B,70,m,6,0
p6,B,50,f,4.5,1
"""


@pytest.fixture
def minimal_spec_text() -> str:
    return MINIMAL_SPEC


@functools.lru_cache(maxsize=None)
def demo_run(engines: tuple[str, ...]):
    """The bundled study run once per engine set (no files written)."""
    import fixtures
    from rparity.study import bundled_spec_path, run_study_files

    return run_study_files(fixtures.path("study_cohort"), bundled_spec_path(), list(engines), out_dir=None,
                           command="pytest")
