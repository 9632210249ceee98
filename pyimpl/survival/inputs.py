"""Validated inputs of ``survfit`` and ``survdiff``, shared by every engine.

pyimpl, rbridge and the peer adapters all validate through these, so bad input
fails with the same :class:`~pyimpl.errors.InvalidArgument` in every engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import as_choice, as_event, as_labels, as_probability, as_time, as_weights, check_lengths
from ..errors import InvalidArgument
from .confint import CONF_LOWERS, CONF_TYPES

__all__ = ["KMInputs", "km_inputs", "LogrankInputs", "logrank_inputs"]


@dataclass(frozen=True)
class KMInputs:
    time: np.ndarray
    event: np.ndarray
    weights: np.ndarray | None  # None when not given
    conf_type: str
    conf_int: float
    conf_lower: str


def km_inputs(time: Any, event: Any, weights: Any = None, conf_type: str = "log", conf_int: Any = 0.95,
              conf_lower: str = "usual") -> KMInputs:
    t = as_time(time, "time")
    e = as_event(event, "event")
    check_lengths(time=t, event=e)
    w = None if weights is None else as_weights(weights, t.size, "weights")
    conf_type = as_choice(conf_type, "conf_type", CONF_TYPES)
    conf_lower = as_choice(conf_lower, "conf_lower", CONF_LOWERS)
    if isinstance(conf_int, bool):
        raise InvalidArgument(f"`conf_int` must be a number between 0 and 1; got conf_int={conf_int!r}")
    return KMInputs(t, e, w, conf_type, as_probability(conf_int, "conf_int"), conf_lower)


@dataclass(frozen=True)
class LogrankInputs:
    time: np.ndarray
    event: np.ndarray
    group: np.ndarray  # codes 0..k-1
    levels: list
    strata: np.ndarray | None  # codes, or None
    strata_levels: list | None
    rho: float


def logrank_inputs(time: Any, event: Any, group: Any, strata: Any = None, rho: Any = 0.0) -> LogrankInputs:
    t = as_time(time, "time")
    e = as_event(event, "event")
    g, levels = as_labels(group, "group", min_levels=2)
    s = s_levels = None
    if strata is not None:
        s, s_levels = as_labels(strata, "strata")
    check_lengths(time=t, event=e, group=g, strata=s)
    try:
        rho_f = float(rho)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}") from None
    if not np.isfinite(rho_f):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}")
    return LogrankInputs(t, e, g, levels, s, s_levels, rho_f)
