"""Validated inputs of pyimpl's ``survfit`` and ``survdiff``, read as R reads them.

``Surv(time, event)`` (:mod:`.surv`: a 1/2 status, logicals, factors; invalid
statuses become NA with R's warning), then R's ``na.omit``: a row with a
missing time, status, weight, group or stratum is dropped. What R refuses is
refused with the refusal kind R's message maps to.

Departures (R accepts, pyimpl refuses; listed in the referee's note): negative
and infinite times, and ``conf_int`` outside (0, 1) (R answers NaN limits with
a warning).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.values import CONF_LOWERS, CONF_TYPES

from .._validate import as_choice, label_codes, show
from .surv import numeric_or_nan, read_surv

__all__ = ["KMInputs", "km_inputs", "LogrankInputs", "logrank_inputs"]


@dataclass(frozen=True)
class KMInputs:
    time: np.ndarray
    event: np.ndarray
    weights: np.ndarray | None  # None when not given
    conf_type: str
    conf_int: float
    conf_lower: str
    warnings: tuple[str, ...] = ()
    rows: np.ndarray | None = None  # the input rows kept (no missing time, status or weight)


def _weights(weights: Any, n: int) -> np.ndarray | None:
    """Case weights as R's survfit reads them: NaN (missing) drops the row;
    negative or infinite values are refused."""
    if weights is None:
        return None
    w = numeric_or_nan(weights, "weights", "weights.type")
    if w.size != n:
        raise InvalidArgument(f"`weights` must have one value per row; got len(weights)={w.size}, expected {n}",
                              kind="lengths")
    bad = np.isinf(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`weights` must be finite (R: 'weights must be finite'); got weights[{i}]={show(w[i])}",
                              kind="weights.nonfinite")
    bad = w < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`weights` must be non-negative (R: 'weights must be non-negative'); "
                              f"got weights[{i}]={show(w[i])}", kind="weights.negative")
    return w


def _complete_times(t: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The times of the rows kept. As R's right-censored ``Surv``: any real
    number, negative or infinite (an infinite time is a time point like any
    other; only the order of the times matters)."""
    return t[rows]


def km_inputs(time: Any, event: Any, weights: Any = None, conf_type: str = "log", conf_int: Any = 0.95,
              conf_lower: str = "usual", missing: Any = False) -> KMInputs:
    """``missing``: rows also missing an id or a cluster (dropped as well)."""
    sd = read_surv(time, event)
    w = _weights(weights, sd.time.size)
    keep = ~np.isnan(sd.time) & ~np.isnan(sd.status) & ~np.asarray(missing, dtype=bool)
    if w is not None:
        keep &= ~np.isnan(w)
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InvalidArgument("no (non-missing) observations: every row has a missing time, status or weight "
                              "(R: 'data set has no non-missing observations')", kind="data.empty")
    t = _complete_times(sd.time, rows)
    conf_type = as_choice(conf_type, "conf_type", CONF_TYPES)
    conf_lower = as_choice(conf_lower, "conf_lower", CONF_LOWERS)
    if isinstance(conf_int, (bool, np.bool_)):
        # survfitKM: a logical conf.int means 0.95, and FALSE also turns the intervals off
        if not conf_int:
            conf_type = "none"
        conf_int = 0.95
    elif isinstance(conf_int, (numbers.Real, np.floating, np.integer)):
        # any number: qnorm(1 - (1 - conf.int)/2) gives R's limits (NaN, with R's
        # "NaNs produced", beyond 1; swapped below 0)
        conf_int = float(conf_int)
    else:
        raise InvalidArgument(f"`conf_int` must be a number (the level of the intervals, 0.95) or True/False; "
                              f"got conf_int={conf_int!r}", kind="conf_int.value")
    return KMInputs(t, sd.status[rows], None if w is None else w[rows], conf_type, conf_int, conf_lower,
                    sd.warnings, rows)


@dataclass(frozen=True)
class LogrankInputs:
    time: np.ndarray
    event: np.ndarray
    group: np.ndarray  # codes 0..k-1
    levels: list
    strata: np.ndarray | None  # codes, or None
    strata_levels: list | None
    rho: float
    warnings: tuple[str, ...] = ()


def _used(codes: np.ndarray, levels: list) -> tuple[np.ndarray, list]:
    """Codes renumbered over the levels that occur (R's factor drops the rest)."""
    used = np.unique(codes)
    remap = np.full(len(levels), -1, dtype=np.intp)
    remap[used] = np.arange(used.size)
    return remap[codes], [levels[i] for i in used]


def logrank_inputs(time: Any, event: Any, group: Any, strata: Any = None, rho: Any = 0.0) -> LogrankInputs:
    try:
        sd = read_surv(time, event)
    except InvalidArgument as exc:
        if exc.kind != "event.multistate":
            raise
        # survdiff's own refusal of multi-state data
        raise InvalidArgument("`event` is a factor, multi-state data for R's Surv(): survdiff takes right-censored "
                              "data only (R: 'Right censored data only')", kind="formula.response") from None
    g, g_levels = label_codes(group, "group")
    s = s_levels = None
    if strata is not None:
        s, s_levels = label_codes(strata, "strata")
    for name, codes in (("group", g), ("strata", s)):
        if codes is not None and codes.size != sd.time.size:
            raise InvalidArgument(f"`{name}` must have one value per row; got len({name})={codes.size}, "
                                  f"expected {sd.time.size}", kind="lengths")
    try:
        rho_f = float(rho)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}", kind="rho.value") from None
    if not np.isfinite(rho_f):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}", kind="rho.value")
    keep = ~np.isnan(sd.time) & ~np.isnan(sd.status) & (g >= 0)
    if s is not None:
        keep &= s >= 0
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InvalidArgument("no (non-missing) observations", kind="data.empty")
    t = _complete_times(sd.time, rows)
    g, g_levels = _used(g[rows], g_levels)
    if len(g_levels) < 2:
        raise InvalidArgument(f"`group` must have at least 2 distinct values (R: 'There is only 1 group'); got "
                              f"only {g_levels}", kind="group.levels")
    bad = ~np.isfinite(t)
    if bad.any():
        # survdiff.fit hands the times to C, which refuses them (survfit keeps them)
        i = int(rows[np.flatnonzero(bad)[0]])
        raise InvalidArgument(f"`time` must be finite; got time[{i}]={show(t[bad][0])} "
                              f"(R: 'NA/NaN/Inf in foreign function call (arg 5)')", kind="time.nonfinite")
    if s is not None:
        s, s_levels = _used(s[rows], s_levels)
    return LogrankInputs(t, sd.status[rows], g, g_levels, s, s_levels, rho_f, sd.warnings)
