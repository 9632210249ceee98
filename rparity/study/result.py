"""What one engine's run of the study produced: typed values under typed keys.

Each number is a :class:`StudyValue`: its :class:`~rparity.study.keys.StudyKey`,
the value, its :class:`Source` (the contract quantity it comes from, e.g.
``survfit.summary.surv`` or ``coxph.coef``, which decides its tolerance when
two engines are compared, through :func:`rparity.tolerance.lookup`) and a
note (why a value is missing or special). Numbers the pipeline computes itself
from the cohort (counts, the multivariable selection) have the source
``study.count`` / ``study.selection``, held to identity by the same table.

Values are: ``int``, ``float`` (NaN where not estimable), ``str``, a tuple of
strings (warnings, pairs, selected variables), a 1-D float array (curves,
propensity scores), or ``None`` where the engine does not compute the
quantity (a peer's log-rank has no observed/expected counts).

Each pipeline step has a :class:`StepStatus` (ok, not provided, error,
skipped) under its :class:`~rparity.study.keys.StepId`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterator, Mapping

import numpy as np

from rparity import tolerance as _tol

from .keys import StepId, StudyKey

__all__ = ["StudyResult", "StudyValue", "Source", "StepState", "StepStatus", "Recorder", "same_value", "STUDY",
           "COUNT", "SELECTION"]

#: The "function" of the numbers the pipeline computes itself (same code in every engine).
STUDY = "study"


@dataclass(frozen=True)
class Source:
    """The contract quantity a number comes from: ``function`` is a contract
    function (or :data:`STUDY`), ``quantity`` a quantity of its tolerance-table
    entries (``rparity/tolerance.py``: key ``"<function>.<quantity>"``)."""

    function: str
    quantity: str

    def __str__(self) -> str:
        return f"{self.function}.{self.quantity}"

    @property
    def tolerance(self) -> _tol.Tolerance:
        """The tolerance-table entry (``KeyError`` naming the key when there is none)."""
        return _tol.lookup(self.function, self.quantity)


COUNT = Source(STUDY, "count")
SELECTION = Source(STUDY, "selection")


def same_value(a: Any, b: Any) -> bool:
    """Whether two recorded values are the same: same type, NaN equal to NaN,
    arrays elementwise (used for equality of read-back results)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return bool(a == b)


@dataclass(frozen=True, eq=False)
class StudyValue:
    """One number of the study, in one engine."""

    key: StudyKey
    value: Any
    source: Source
    note: str = ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StudyValue):
            return NotImplemented
        return (self.key == other.key and self.source == other.source and self.note == other.note
                and same_value(self.value, other.value))

    __hash__ = None  # type: ignore[assignment]  # a value may be an array


class StepState(StrEnum):
    """How a pipeline step went in an engine."""

    OK = "ok"
    NOT_PROVIDED = "not provided"
    """The engine lacks a contract function the step needs."""
    ERROR = "error"
    """The engine raised (the detail gives the exception and its first line)."""
    SKIPPED = "skipped"
    """Not run because a step it needs did not run (matching)."""


@dataclass(frozen=True)
class StepStatus:
    """The status of one step, with what went wrong (``detail``)."""

    state: StepState
    detail: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "state", StepState(self.state))
        except ValueError:
            raise ValueError(f"`state` must be one of {', '.join(s.value for s in StepState)}; "
                             f"got state={self.state!r}") from None

    @property
    def ok(self) -> bool:
        return self.state is StepState.OK

    def __str__(self) -> str:
        return self.state.value if not self.detail else f"{self.state.value}: {self.detail}"


OK = StepStatus(StepState.OK)


@dataclass(frozen=True, eq=False)
class StudyResult:
    """One engine's numbers for the whole study.

    Attributes
    ----------
    engine, engine_version : the engine that ran the pipeline
    values : key -> :class:`StudyValue`, in the order recorded
    steps : step -> :class:`StepStatus`, in the order run
    provenance : the provenance records of the engine's results (R versions
        and calls)
    matched_ids : the ids of the matched sample, in cohort order (empty when
        matching did not run)
    """

    engine: str
    values: Mapping[StudyKey, StudyValue]
    engine_version: str = ""
    steps: Mapping[StepId, StepStatus] = field(default_factory=dict)
    provenance: tuple = ()
    matched_ids: tuple = ()

    def __getitem__(self, key: StudyKey) -> Any:
        return self.values[key].value

    def get(self, key: StudyKey, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v.value

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def keys(self) -> Iterator[StudyKey]:
        return iter(self.values)

    def note(self, key: StudyKey) -> str:
        v = self.values.get(key)
        return "" if v is None else v.note

    def number(self, key: StudyKey) -> float:
        """The value as a float (NaN when absent or not a number)."""
        v = self.get(key)
        if v is None:
            return float("nan")
        try:
            return float(v)
        except (TypeError, ValueError):
            return float("nan")

    def status(self, step: StepId | None) -> StepStatus:
        """The status of ``step``; a step skipped because matching did not run
        has matching's status (not provided, or an error). ``None`` (the cohort's
        own counts, always computed) is ok."""
        if step is None:
            return OK
        st = self.steps.get(step, StepStatus(StepState.SKIPPED, "not run"))
        if st.state is StepState.SKIPPED:
            up = self.steps.get(StepId("matching"))
            if up is not None and up.state in (StepState.NOT_PROVIDED, StepState.ERROR):
                return up
        return st

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StudyResult):
            return NotImplemented
        return (self.engine == other.engine and self.engine_version == other.engine_version
                and list(self.values.items()) == list(other.values.items())
                and list(self.steps.items()) == list(other.steps.items())
                and tuple(self.provenance) == tuple(other.provenance)
                and tuple(self.matched_ids) == tuple(other.matched_ids))

    __hash__ = None  # type: ignore[assignment]


class Recorder:
    """Mutable builder of a :class:`StudyResult`."""

    def __init__(self, engine: str, engine_version: str = ""):
        self.engine = engine
        self.engine_version = engine_version
        self.values: dict[StudyKey, StudyValue] = {}
        self.steps: dict[StepId, StepStatus] = {}
        self.matched_ids: tuple = ()

    def put(self, key: StudyKey, value: Any, source: Source) -> None:
        """Record ``value`` under ``key``; its source must have a tolerance entry."""
        if key in self.values:  # pragma: no cover - a pipeline bug
            raise RuntimeError(f"study key {key} recorded twice")
        source.tolerance  # noqa: B018 - refuse, now, a number no comparison could judge (KeyError names it)
        if isinstance(value, np.generic):
            value = value.item()
        self.values[key] = StudyValue(key, value, source)

    def value(self, key: StudyKey, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v.value

    def discard(self, keys) -> None:
        """Forget ``keys`` (the partial output of a failed step)."""
        for k in keys:
            self.values.pop(k, None)

    def note(self, key: StudyKey, text: str) -> None:
        v = self.values[key]
        self.values[key] = StudyValue(v.key, v.value, v.source, text)

    def freeze(self, provenance: list) -> StudyResult:
        return StudyResult(engine=self.engine, engine_version=self.engine_version, values=dict(self.values),
                           steps=dict(self.steps), provenance=tuple(provenance), matched_ids=self.matched_ids)
