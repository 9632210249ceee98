"""The formula forms of ``survfit`` and ``survdiff``: R's model frame
(:mod:`pyimpl.formula`) turned into the arrays of the array forms.

``survdiff(Surv(time, status) ~ a + b + strata(s), data=)`` (survival's
``survdiff``): the groups are ``strata(m[term.labels])`` (the combinations
of the terms that occur, first slowest, labelled ``"a=1, b=x"``), the strata
those of the ``strata()`` terms. ``survfit(Surv(time, status) ~ 1, data=)``,
or ``~ a + b``: a curve per combination, labelled as survdiff's groups.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import one_curve
from rparity_contract.errors import InvalidArgument

from ..design import Term
from ..formula import as_series, column_or_values, combine, complete_frame, incomplete_elsewhere, model_frame
from ..formula.evaluate import labelled_factor

__all__ = ["survdiff_arrays", "survfit_arrays"]


def _labelled(t: Term, label: str) -> Term:
    """A variable as ``strata(m[label])`` labels it: ``label=level``."""
    return labelled_factor(t, label)


def _checked(function: str, frame):
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(time, event) or Surv(time) for {function}; got "
                              f"{mf.text!r}", kind="formula.response")
    return mf


def _time_event(frame, mf) -> tuple[np.ndarray, Any]:
    t = frame.response[0]
    if t.kind != "numeric":
        raise InvalidArgument(f"`formula` response time {t.name!r} must be numeric (R: 'Time variable is not "
                              "numeric')", kind="time.type")
    time = np.asarray(t.values, dtype=float).copy()
    time[incomplete_elsewhere(frame)] = np.nan
    event = None if mf.response.event is None else as_series(frame.response[1])
    return time, event


def survfit_arrays(formula: Any, data: Any, subset: Any, weights: Any
                   ) -> tuple[np.ndarray, Any, Any, pd.Series | None]:
    """(time, event, weights, group) of ``survfit(formula, data=, subset=,
    weights=)``; group None for ``~ 1``. survfit.formula's curves are
    ``strata(mf[term.labels])``: every term, ``strata()`` ones included
    (labelled ``"strata(sex)=sex=1"``), combinations that occur, first slowest."""
    frame = model_frame(formula, data, subset)
    mf = _checked("survfit", frame)
    one_curve(mf)
    if mf.offsets or mf.special_terms("cluster"):
        raise InvalidArgument(f"`formula` {mf.text!r}: offset() and cluster() in survfit's formula are not "
                              "implemented in pyimpl", kind="formula.special")
    w = column_or_values(weights, frame, "weights", data)
    frame = complete_frame(frame, [w])
    groups = []
    for k, term in enumerate(mf.terms):
        if len(term) > 1:
            raise InvalidArgument(f"`formula` term {mf.label(k)!r}: survfit's curves are variables "
                                  "(R: 'undefined columns selected' for an interaction)", kind="formula.syntax")
        groups.append(_labelled(frame.variables[term[0]], mf.label(k)))
    group = as_series(combine(groups, "groups")) if groups else None
    time, event = _time_event(frame, mf)
    return time, event, w, group


def survdiff_arrays(formula: Any, data: Any, subset: Any) -> tuple[np.ndarray, Any, pd.Series, Any]:
    """(time, event, group, strata) of ``survdiff(formula, data=, subset=)``."""
    frame = model_frame(formula, data, subset)
    mf = _checked("survdiff", frame)
    frame = complete_frame(frame, [])
    if mf.response is not None and mf.response.counting:
        raise InvalidArgument("`formula`: survdiff takes right-censored data only (R: 'Right censored data "
                              "only')", kind="formula.response")
    if mf.offsets:
        raise InvalidArgument("`formula`: survdiff's one-sample test (an offset() of survival probabilities) is "
                              "not implemented in pyimpl", kind="formula.special")
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
