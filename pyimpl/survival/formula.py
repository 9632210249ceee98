"""The formula forms of ``survfit`` and ``survdiff``: R's model frame
(:mod:`pyimpl.formula`) turned into the arrays of the array forms.

``survdiff(Surv(time, status) ~ a + b + strata(s), data=)`` (survival's
``survdiff``): the groups are ``strata(m[term.labels])`` (the combinations
of the terms that occur, first slowest, labelled ``"a=1, b=x"``), the strata
those of the ``strata()`` terms. ``survfit(Surv(time, status) ~ 1, data=)``,
or ``~ a + b``: a curve per combination, labelled as survdiff's groups;
``Surv(start, stop, event)`` data, ``cluster()`` and ``id``/``cluster``
arguments as survfit.formula reads them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

from ..design import Term
from ..formula import (
    as_series,
    column_or_values,
    combine,
    complete_frame,
    incomplete_elsewhere,
    model_frame,
    response_start,
)
from ..formula.evaluate import labelled_factor

__all__ = ["survdiff_arrays", "survfit_arrays", "SurvfitArrays"]


def _labelled(t: Term, label: str) -> Term:
    """A variable as ``strata(m[label])`` labels it: ``label=level``."""
    return labelled_factor(t, label)


def _checked(function: str, frame):
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(time, event) or Surv(time) for {function}; got "
                              f"{mf.text!r}", kind="formula.response")
    return mf


def _time_event(frame, mf, at: int = 0) -> tuple[np.ndarray, Any]:
    """The (stop) time, NaN in the rows missing a value elsewhere, and the status."""
    t = frame.response[at]
    if t.kind != "numeric":
        raise InvalidArgument(f"`formula` response time {t.name!r} must be numeric (R: 'Time variable is not "
                              "numeric')", kind="time.type")
    time = np.asarray(t.values, dtype=float).copy()
    time[incomplete_elsewhere(frame)] = np.nan
    event = None if mf.response.event is None else as_series(frame.response[at + 1])
    return time, event


@dataclass(frozen=True)
class SurvfitArrays:
    """The arrays of ``survfit(formula, data=, subset=, weights=, id=,
    cluster=)``, one value per row of the model frame (missing values still
    in: the array form drops them)."""

    time: np.ndarray  # the stop times of (start, stop] data
    event: Any
    weights: Any
    group: pd.Series | None  # None for ~ 1
    start: np.ndarray | None  # (start, stop] data
    id: Any
    cluster: Any
    warnings: tuple[str, ...] = ()
    istate: Any = None  # survfit(..., istate=): multi-state data


def survfit_arrays(formula: Any, data: Any, subset: Any, weights: Any, id: Any = None,
                   cluster: Any = None, istate: Any = None) -> SurvfitArrays:
    """The arrays of ``survfit(formula, data=, subset=, weights=, id=,
    cluster=)`` (survfit.formula). The curves are ``strata(mf[term.labels])``:
    every term but ``cluster()``, ``strata()`` ones included (labelled
    ``"strata(sex)=sex=1"``), combinations that occur, first slowest. An
    ``offset()`` term is ignored with R's warning."""
    frame = model_frame(formula, data, subset)
    mf = _checked("survfit", frame)
    warns = ("Offset term ignored",) if mf.offsets else ()
    w = column_or_values(weights, frame, "weights", data)
    ids = column_or_values(id, frame, "id", data)
    given_cluster = column_or_values(cluster, frame, "cluster", data)
    ist = column_or_values(istate, frame, "istate", data)
    if mf.cluster is not None and given_cluster is not None:
        raise InvalidArgument(f"`cluster` is given both as an argument and as a term of `formula` {mf.text!r} "
                              "(R: 'cluster appears as both an argument and a model term')", kind="argument.value")
    frame = complete_frame(frame, [w, ids, given_cluster, ist])
    cluster_terms = set(mf.special_terms("cluster"))
    groups = []
    for k, term in enumerate(mf.terms):
        if k in cluster_terms:
            continue
        if len(term) > 1:
            raise InvalidArgument(f"`formula` term {mf.label(k)!r}: survfit's curves are variables "
                                  "(R: 'Interaction terms are not valid for this function')", kind="formula.syntax")
        groups.append(_labelled(frame.variables[term[0]], mf.label(k)))
    group = as_series(combine(groups, "groups")) if groups else None
    clus = as_series(frame.variables[mf.cluster]) if mf.cluster is not None else given_cluster
    start = response_start(frame)
    time, event = _time_event(frame, mf, 0 if start is None else 1)
    return SurvfitArrays(time, event, w, group, start, ids, clus, warns, ist)


@dataclass(frozen=True)
class OneSample:
    """``survdiff(Surv(time, status) ~ offset(p))``: each subject's expected
    survival probability at its time, the one-sample test's input."""

    time: np.ndarray
    event: Any
    offset: np.ndarray


def _one_sample(frame: Any, mf: Any) -> OneSample:
    """survdiff.R's offset branch: no group beside the offset; the offset a
    probability (R reads the model frame's first offset)."""
    if mf.terms:
        raise InvalidArgument(f"`formula` {mf.text!r}: an offset() (the one-sample test) and groups (R: 'Cannot "
                              "have both an offset and groups')", kind="formula.special")
    time, event = _time_event(frame, mf)
    off = np.asarray(frame.offsets[0].values, dtype=float).copy()
    off[incomplete_elsewhere(frame)] = np.nan
    present = ~np.isnan(off)
    if np.any((off[present] < 0) | (off[present] > 1)):
        raise InvalidArgument("the offset() of a one-sample survdiff must be survival probabilities, in [0, 1] "
                              "(R: 'The offset must be a survival probability')", kind="offset.value")
    return OneSample(time, event, off)


def survdiff_arrays(formula: Any, data: Any, subset: Any) -> tuple[np.ndarray, Any, pd.Series, Any] | OneSample:
    """(time, event, group, strata) of ``survdiff(formula, data=, subset=)``;
    with an ``offset()``, the one-sample test's input."""
    frame = model_frame(formula, data, subset)
    mf = _checked("survdiff", frame)
    frame = complete_frame(frame, [])
    if mf.response is not None and mf.response.counting:
        raise InvalidArgument("`formula`: survdiff takes right-censored data only (R: 'Right censored data "
                              "only')", kind="formula.response")
    if mf.offsets:
        return _one_sample(frame, mf)
    strata_terms = set(mf.special_terms("strata"))
    groups = []
    for k, term in enumerate(mf.terms):
        if k in strata_terms:
            continue
        if len(term) > 1:
            raise InvalidArgument(f"`formula` term {mf.label(k)!r}: survdiff's groups are variables "
                                  "(R: 'undefined columns selected' for an interaction)", kind="formula.syntax")
        groups.append(_labelled(frame.variables[term[0]], mf.label(k)))
    if not groups:
        raise InvalidArgument(f"`formula` {mf.text!r} has no groups to test (R: 'No groups to test')",
                              kind="group.levels")
    group = as_series(combine(groups, "groups"))
    strata = None
    if mf.strata:
        st = [frame.variables[i] for i in mf.strata]
        strata = as_series(combine(st, "strata"))
    time, event = _time_event(frame, mf)
    return time, event, group, strata
