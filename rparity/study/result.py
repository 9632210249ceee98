"""What one engine's run of the study produced: every number under a stable key.

Keys read like paths (``km.before.os.surgery.landmark.12.surv``,
``cox.after.multivariable.treatment.hr``, ``table1.before.afp.p``); each number
carries its *source*, the contract quantity it comes from
(``("survfit", "summary.surv")``, ``("coxph", "coef")``), which is what decides
its tolerance when two engines are compared. Numbers the pipeline computes
itself from the cohort (counts) have the source ``("study", ...)``.

Key scheme (``<s>`` is ``before`` or ``after``, ``<ep>`` an endpoint, ``<arm>``
an arm label, ``<v>`` ``treatment`` or a covariate name, ``<t>`` a landmark):

* ``cohort.n``, ``cohort.<arm>.n``
* ``table1.<s>.<v>.<arm>.n`` (positive level), ``table1.<s>.<arm>.total``, ``table1.<s>.<v>.p``
* ``matching.n.<arm>``, ``matching.pairs``, ``matching.distance``, ``matching.caliper``,
  ``matching.warnings``; ``balance.<s>.<row>.smd|means_treated|means_control``
* ``km.<s>.<ep>.<arm>.n|events|median|median_lower|median_upper``,
  ``km.<s>.<ep>.<arm>.landmark.<t>.surv|lower|upper|std_err|n_risk``,
  ``km.<s>.<ep>.<arm>.curve.time|surv|lower|upper|n_risk|n_event``
* ``logrank.<s>.<ep>.chisq|pvalue|df``, ``logrank.<s>.<ep>.<arm>.obs|exp``
* ``cox.<s>.univariate.<v>.coef|se|hr|lower|upper|p|warnings``,
  ``cox.<s>.multivariable.selected``, ``cox.<s>.multivariable.<v>.…``,
  ``cox.<s>.multivariable.loglik``
* ``subgroup.<s>.<cov>.<positive|negative>.hr|lower|upper|p|n|events|warnings``
* ``published_audit.table1.<s>.<cov>.<test>.p``: every Table 1 test on the
  paper's published counts (when the spec carries them)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np

__all__ = ["StudyResult", "Recorder", "landmark_key", "Source"]

Source = tuple[str, str]  # (contract function, quantity), e.g. ("survfit", "summary.surv")


def landmark_key(t: float) -> str:
    """``12.0`` -> ``"12"``; ``6.5`` -> ``"6.5"``."""
    return f"{t:g}"


@dataclass(frozen=True, eq=False)
class StudyResult:
    """One engine's numbers for the whole study.

    Attributes
    ----------
    engine : str
    values : mapping key -> value (float, int, str, tuple of str, or 1-D array)
    sources : mapping key -> (function, quantity) of the contract quantity
    notes : mapping key -> why a value is missing or special (both engines use the
        same pipeline code, so notes are the same when the inputs are)
    steps : mapping step -> "ok", "not provided: ..." or "error: ..."
    provenance : list of the provenance records of the engine's results (R
        versions and calls)
    matched_ids : the ids of the matched sample, in cohort order (empty when
        matching did not run)
    """

    engine: str
    values: Mapping[str, Any]
    sources: Mapping[str, Source]
    engine_version: str = ""
    notes: Mapping[str, str] = field(default_factory=dict)
    steps: Mapping[str, str] = field(default_factory=dict)
    provenance: tuple = ()
    matched_ids: tuple = ()
    selected: Mapping[str, tuple] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def keys(self) -> Iterator[str]:
        return iter(self.values)

    def number(self, key: str) -> float:
        """The value as a float (NaN when absent)."""
        v = self.values.get(key)
        if v is None:
            return float("nan")
        try:
            return float(v)
        except (TypeError, ValueError):
            return float("nan")

    @property
    def ok(self) -> bool:
        return all(s == "ok" for s in self.steps.values())


class Recorder:
    """Mutable builder of a :class:`StudyResult`."""

    def __init__(self, engine: str, engine_version: str = ""):
        self.engine = engine
        self.engine_version = engine_version
        self.values: dict[str, Any] = {}
        self.sources: dict[str, Source] = {}
        self.notes: dict[str, str] = {}
        self.steps: dict[str, str] = {}
        self.selected: dict[str, tuple] = {}
        self.matched_ids: tuple = ()

    def put(self, key: str, value: Any, source: Source) -> None:
        if key in self.values:  # pragma: no cover - a pipeline bug
            raise RuntimeError(f"study key {key!r} recorded twice")
        if isinstance(value, np.generic):
            value = value.item()
        self.values[key] = value
        self.sources[key] = source

    def discard(self, keys) -> None:
        """Forget ``keys`` (the partial output of a failed step)."""
        for k in keys:
            self.values.pop(k, None)
            self.sources.pop(k, None)
            self.notes.pop(k, None)

    def note(self, key: str, text: str) -> None:
        self.notes[key] = text

    def freeze(self, provenance: list) -> StudyResult:
        return StudyResult(engine=self.engine, engine_version=self.engine_version, values=dict(self.values),
                           sources=dict(self.sources),
                           notes=dict(self.notes), steps=dict(self.steps), provenance=tuple(provenance),
                           matched_ids=self.matched_ids, selected=dict(self.selected))
