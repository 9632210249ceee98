"""``survival::survSplit``: follow-up cut at given times into (start, stop] rows.

Follows ``survSplit.R`` and ``src/survsplit.c`` of survival 3.5-3: the model
frame of the formula is made with ``na.action = na.pass`` (rows with missing
values stay, unsplit); each row's interval is cut at every cut point strictly
inside it, the pieces before the last censored (status 0), the last keeping
the row's status as ``Surv()`` read it (a 1/2 coding becomes 0/1). The new
data: the formula's right-hand variables (``.``: every column but the
response's), the optional ``id`` (1..n), then the start, end and status
columns (named as the ``Surv()`` variables when they are names), then the
optional ``episode`` (the interval's number among the cuts, + 1).
"""
from __future__ import annotations

import numbers
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.formula import Name
from rparity_contract.formula.expr import r_name

from ..formula import as_series, model_frame
from .surv import interval_stops, read_surv

__all__ = ["survsplit"]


def survsplit(formula: Any = None, data: Any = None, cut: Any = None, *, start: str | None = None,
              end: str | None = None, event: str | None = None, id: str | None = None, zero: float = 0.0,
              episode: str | None = None, subset: Any = None) -> pd.DataFrame:
    """``survSplit(formula, data, cut=, start=, end=, event=, id=, zero=,
    episode=, subset=)`` of survival 3.5-3.

    Parameters
    ----------
    formula : str, optional
        ``Surv(time, status) ~ .`` or ``Surv(start, stop, status) ~ x + y``:
        the response to split and the columns to carry (names only). Without
        it (or with the data frame in its place), R's data-frame form:
        ``end`` and ``event`` name the time and status columns, ``start``
        (default ``"tstart"``) the entry column when data has it, and every
        column is carried (``Surv(start, end, event) ~ .``).
    cut : sequence of numbers
        The cut points (sorted and made unique, as R does).
    start, end, event : str, optional
        Names of the new columns. Not given: for ``Surv(time, status)``,
        ``"tstart"``, the time's and the status's names (``"tstop"`` and
        ``"event"`` when they are expressions); for ``Surv(start, stop,
        status)``, the three variables' names.
    id : str, optional
        Add a column numbering the original rows 1..n.
    zero : float
        The start of right-censored follow-up; every time must be after it.
    episode : str, optional
        Add a column with each piece's interval among the cuts (1 before the
        first cut).

    Returns
    -------
    DataFrame
        One row per piece, the original rows in order.
    """
    if formula is None or isinstance(formula, pd.DataFrame):
        data, formula, start = _data_frame_form(formula, data, start, end, event)
    frame = model_frame(formula, data, subset)
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(...) for survsplit (R: 'the model must have a Surv "
                              f"object as the response'); got {mf.text!r}", kind="formula.response")
    cut = _cuts(cut)
    counting = mf.response.counting
    resp = frame.response
    at = 1 if counting else 0
    if resp[at].kind != "numeric" or (counting and resp[0].kind != "numeric"):
        raise InvalidArgument(f"`formula` response times must be numeric (R: 'Time variable is not numeric'); got "
                              f"{mf.text!r}", kind="time.type")
    ev = None if mf.response.event is None else as_series(resp[at + 1])
    sd = read_surv(np.asarray(resp[at].values, dtype=float), ev)
    warns = list(sd.warnings)
    stop, status = sd.time.copy(), sd.status.copy()
    if counting:
        t0 = np.asarray(resp[0].values, dtype=float).copy()
        stop, found = interval_stops(t0, stop)  # Surv(): such an interval is missing
        warns += found
    else:
        if not isinstance(zero, numbers.Real) or isinstance(zero, (bool, np.bool_)):
            raise InvalidArgument(f"`zero` must be a number; got zero={zero!r}", kind="zero.value")
        t0 = np.full(stop.size, float(zero))
    ymiss = np.isnan(t0) | np.isnan(stop) | np.isnan(status)
    if not counting and np.any(stop[~ymiss] <= zero):
        i = int(np.flatnonzero(~ymiss & (stop <= zero))[0])
        raise InvalidArgument(f"`zero`={zero!r} must be less than every time (R: ''zero' parameter must be less than "
                              f"any observed times'); got time[{i}]={stop[i]!r}", kind="zero.value")
    carried = _carried(mf, frame)
    names = list(carried.columns)
    if id is not None:
        _check_name(id, "id")
        taken = set(names) | {mf.text.split("~")[0].strip()}  # names(mf): the response's and the variables'
        for candidate in (id, make_names(id)):  # survSplit.R checks the name, then its make.names()
            if candidate in taken:
                raise InvalidArgument(f"`id`={candidate!r} is already a column (R: 'the suggested id name is "
                                      "already present')", kind="name.value")
        carried[make_names(id)] = np.arange(1, len(carried) + 1)
    row, piece_start, piece_end, censor, interval = _split(t0, stop, ymiss, cut)
    out = carried.iloc[row].reset_index(drop=True)
    new_status = status[row].copy()
    new_status[censor] = 0.0
    start_name, end_name, event_name = _names(mf, counting, start, end, event)
    out[start_name] = piece_start
    out[end_name] = piece_end
    out[event_name] = new_status
    if episode is not None:
        _check_name(episode, "episode")
        out[make_names(episode)] = interval + 1
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    out.attrs["warnings"] = tuple(warns)
    return out


def _data_frame_form(formula: Any, data: Any, start: Any, end: Any, event: Any) -> tuple[Any, str, str]:
    """survSplit.R without a formula: ``Surv(start, end, event) ~ .`` when
    data has the ``start`` column, else ``Surv(end, event) ~ .``."""
    if data is None:
        if formula is None:
            raise InvalidArgument("`data` is required (R: 'a data frame is required')", kind="argument.type")
        data = formula
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a data frame; got {type(data).__name__}", kind="argument.type")
    if end is None or event is None:
        raise InvalidArgument("survsplit needs a formula, or `end` and `event` (R: 'either a formula or the end "
                              "and event arguments are required')", kind="formula.response")
    for value, arg in ((event, "event"), (end, "end")):
        if not isinstance(value, str) or value not in data.columns:
            raise InvalidArgument(f"`{arg}` must be a column of data (R: ''{arg}' must be a variable name in the "
                                  f"data set'); got {arg}={value!r}", kind="data.column")
    start = "tstart" if start is None else start
    if not isinstance(start, str):
        raise InvalidArgument(f"`start` must be a column name (R: ''start' must be a variable name'); got "
                              f"start={start!r}", kind="name.value")
    names = [start, end, event] if start in data.columns else [end, event]
    return data, "Surv(" + ", ".join(r_name(v) for v in names) + ") ~ .", start


_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL", "Inf",
             "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_", "in"}


def make_names(name: str) -> str:
    """R's ``make.names`` of one name (survSplit applies it to ``id`` and
    ``episode``): invalid characters become ``.``, an invalid start gets an
    ``X``, a reserved word a trailing ``.``."""
    out = re.sub(r"[^\w.]", ".", name)
    if not re.match(r"([^\W\d_]|\.(?!\d))", out):
        out = "X" + out
    return out + "." if out in _RESERVED else out


def _cuts(cut: Any) -> np.ndarray:
    try:
        c = np.asarray(cut, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`cut` must be numbers (R: 'cut must be a vector of finite numbers'); got cut={cut!r}",
                              kind="cut.value") from None
    if isinstance(cut, str) or np.asarray(cut).dtype.kind not in "iuf" or not np.all(np.isfinite(c)):
        raise InvalidArgument(f"`cut` must be finite numbers (R: 'cut must be a vector of finite numbers'); got "
                              f"cut={cut!r}", kind="cut.value")
    return np.unique(c)  # unique(sort(cut))


def _check_name(value: Any, arg: str) -> None:
    if not isinstance(value, str):
        raise InvalidArgument(f"`{arg}` must be a column name (a string); got {arg}={value!r} (R: '{arg} must be a "
                              "character string')", kind="name.value")


def _carried(mf, frame) -> pd.DataFrame:
    """The right-hand variables as the model frame has them (columns of data)."""
    cols = []
    for e in mf.variables:
        if not isinstance(e, Name):
            raise InvalidArgument(f"`formula` term {e!r}: survsplit carries columns of data; give their names "
                                  "(rparity: an expression's column is not implemented)", kind="formula.syntax")
        cols.append(e.id)
    return frame.data[cols].reset_index(drop=True).copy()


def _split(t0: np.ndarray, t1: np.ndarray, miss: np.ndarray, cut: np.ndarray):
    """survsplit.c: each row cut at the cuts strictly inside (t0, t1]; a row
    with a missing end is left whole (its interval 1)."""
    lo = np.searchsorted(cut, t0, side="right")  # cuts <= start
    hi = np.searchsorted(cut, t1, side="left")  # cuts < stop
    k = np.where(miss, 0, np.maximum(hi - lo, 0))
    row = np.repeat(np.arange(t0.size), k + 1)
    first = np.concatenate(([0], np.cumsum(k + 1)[:-1]))
    j = np.arange(row.size) - first[row]
    lo_r = np.where(miss[row], 0, lo[row])
    last = j == k[row]
    if cut.size:
        top = cut.size - 1  # a piece after the first starts at a cut, one before the last ends at one
        piece_start = np.where(j == 0, t0[row], cut[np.clip(lo_r + j - 1, 0, top)])
        piece_end = np.where(last, t1[row], cut[np.clip(lo_r + j, 0, top)])
    else:
        piece_start, piece_end = t0[row], t1[row]
    interval = np.where(miss[row], 1, lo_r + j)
    return row, piece_start, piece_end, ~last, interval


def _names(mf, counting: bool, start, end, event) -> tuple[str, str, str]:
    """survSplit.R's names: the ``Surv()`` arguments that are names, unless given."""
    args = mf.response.args

    def name(i: int) -> str | None:
        return args[i].id if len(args) > i and isinstance(args[i], Name) else None

    if counting:
        s = start if start is not None else (name(0) or "tstart")
        e = end if end is not None else (name(1) or "tstop")
        v = event if event is not None else (name(2) or "event")
    else:
        s = start if start is not None else "tstart"
        e = end if end is not None else (name(0) or "tstop")
        v = event if event is not None else (name(1) or "event")
    for value, arg in ((s, "start"), (e, "end"), (v, "event")):
        _check_name(value, arg)
    return s, e, v
