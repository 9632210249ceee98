"""Helpers shared by the peer adapters."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pyimpl._validate import as_event, as_labels, as_time, as_weights, check_lengths
from pyimpl.survival.km_methods import PYIMPL_METHODS, TABLE_INDEX

__all__ = ["validated_km_inputs", "validated_groups", "CurveMethods", "step_lookup"]


def validated_km_inputs(time, event, weights):
    """The same validation as pyimpl, so bad input fails alike in every engine."""
    t = as_time(time, "time")
    e = as_event(event, "event")
    check_lengths(time=t, event=e)
    w = None if weights is None else as_weights(weights, t.size, "weights")
    return t, e, w


def validated_groups(time, event, group, strata):
    t = as_time(time, "time")
    e = as_event(event, "event")
    g, levels = as_labels(group, "group", min_levels=2)
    s = None
    if strata is not None:
        s, _ = as_labels(strata, "strata")
    check_lengths(time=t, event=e, group=g, strata=s)
    return t, e, g, levels, s


def step_lookup(times: np.ndarray, values: np.ndarray, at: np.ndarray, before_first: float) -> np.ndarray:
    """Right-continuous step function through (times, values) evaluated at ``at``."""
    idx = np.searchsorted(times, at, side="right") - 1
    out = np.where(idx >= 0, values[np.maximum(idx, 0)], before_first)
    return out.astype(float)


class CurveMethods:
    """summary/quantile/table of a peer's curve: ``summary`` reads the peer's
    curve at the requested times (a lookup, R's rules for the counts);
    ``quantile`` and the median come from the peer's own functions, given as
    callables, because those rules are where peers differ from R."""

    def __init__(self, quantile_fn, median_fn):
        self._quantile = quantile_fn
        self._median = median_fn

    def summary(self, fit, times, extend):
        out = PYIMPL_METHODS.summary(fit, times, extend)
        for k in out.columns:  # what the peer does not compute stays "not provided"
            if k != "time" and getattr(fit, k, 0) is None:
                out[k] = None
        return out

    def quantile(self, fit, probs):
        q, lo, hi = self._quantile(np.asarray(probs, dtype=float))
        return pd.DataFrame({"quantile": q, "lower": lo, "upper": hi}, index=pd.Index(probs, name="probs"))

    def table(self, fit):
        base = PYIMPL_METHODS.table(fit)
        med, lcl, ucl = self._median()
        base["median"], base["lcl"], base["ucl"] = med, lcl, ucl
        return base.reindex(TABLE_INDEX)
