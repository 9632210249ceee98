"""``survival::tmerge``: build (start, stop] data from a baseline data set and
time-dependent covariates and events, one call at a time.

Follows ``R/tmerge.R`` of survival 3.5-3 step by step: the first call sets
each subject's follow-up (``tstop=``, or the first ``event()``'s time); every
later call places each term's times on the intervals (R's ``neardate``:
early, late, gap, within, boundary, leading, trailing), splits an interval at
a time strictly inside it, and fills the term's column: a ``tdc`` carries its
value forward from the interval that starts at or after its time, a
``cumtdc`` its running sum, an ``event`` marks the interval that ends at the
time, a ``cumevent`` the running count there. What R refuses is refused with
its reason (kinds ``tmerge.*``, ``data.column``).
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results import Tmerge
from rparity_contract.results.tmerge import TCOUNT_COLUMNS
from rparity_contract.tmerge import TERM_KINDS, TMERGE_OPTIONS, TimeTerm

from .tmerge_index import cumulative, group_cumsum, neardate, tdc_index
from .tmerge_values import (
    Column,
    column_of,
    id_codes,
    is_missing,
    match_ids,
    rclass,
    same_ids,
)

__all__ = ["tmerge"]


@dataclass
class _State:
    """What R keeps on a tmerge object (``tm.retain``) and carries between calls."""

    idname: str
    tstartname: str
    tstopname: str
    events: list[str] = field(default_factory=list)
    censors: list[Any] = field(default_factory=list)
    tdcvars: list[str] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)  # each column's R class, as tmerge.R leaves it


def tmerge(data1: Any, data2: Any, id: Any, terms: Any = (), *, tstart: Any = None, tstop: Any = None,
           options: Mapping[str, Any] | None = None, **named: TimeTerm) -> Tmerge:
    """``tmerge(data1, data2, id=, ..., tstart=, tstop=, options=)`` of
    survival 3.5-3.

    Parameters
    ----------
    data1 : DataFrame or Tmerge
        The baseline data (first call: one row per subject) or the result of
        an earlier call.
    data2 : DataFrame
        The data the terms' times and values come from.
    id : str
        The subject id: a column of ``data2`` (and, on the first call, of
        ``data1``).
    terms : sequence of (name, TimeTerm) or mapping
        ``tdc``/``cumtdc``/``event``/``cumevent`` terms, each naming the
        column it makes; ``**named`` adds more after them.
    tstart, tstop : str, number or array, optional
        First call only: each ``data2`` row's follow-up (a column of
        ``data2`` or values; ``tstart`` may be one number; default 0).
    options : mapping, optional
        ``tmerge.control``: ``idname``, ``tstartname``, ``tstopname``,
        ``delay``, ``na_rm``, ``tdcstart``.

    Returns
    -------
    Tmerge
        The new data, with what the next call needs.
    """
    pairs = _terms(terms, named)
    if not isinstance(data2, pd.DataFrame):
        raise InvalidArgument(f"`data2` must be a data frame; got {type(data2).__name__}", kind="argument.type")
    first = not isinstance(data1, Tmerge)
    if first:
        if not isinstance(data1, pd.DataFrame):
            raise InvalidArgument(f"`data1` must be a data frame (R: 'data1 must be a data frame'); got "
                       f"{type(data1).__name__}", kind="argument.type")
        base = data1.reset_index(drop=True)
        state = None
        tcount_before: list[np.ndarray] = []
        tcount_names: list[str] = []
    else:
        base = data1.data.reset_index(drop=True)
        state = _State(data1.idname, data1.tstartname, data1.tstopname, list(data1.events), list(data1.censors),
                       list(data1.tdcvars), _classes(base, data1.column_classes))
        tcount_before = [np.asarray(data1.tcount, dtype=float)]
        tcount_names = list(data1.tcount_terms)
        for name in [state.idname, state.tstartname, state.tstopname, *state.events] if pairs else []:
            if name not in base.columns:  # R fails in neardate (its own check of this never fires)
                raise InvalidArgument(
                    f"`data1` is a tmerge result without its column {name!r} (R fails: 'id2 and y2 have "
                    "different lengths')",
                    kind="tmerge.modified")
    opt = _options(options, state, id if first else None)
    if not isinstance(id, str):
        raise InvalidArgument(
            f"`id` must be a column name (R, on the first call: 'id' must be a single variable name); got "
            f"id={id!r}",
            kind="tmerge.id")
    if id not in data2.columns:  # R evaluates id in data2: "object 'x' not found"
        raise InvalidArgument(
            f"`id`={id!r} is not a column of data2 (R: \"object '{id}' not found\")",
            kind="data.column")
    ids2 = data2[id]
    if is_missing(ids2).any():
        i = int(np.flatnonzero(is_missing(ids2))[0])
        raise InvalidArgument(
            f"`id` column {id!r} of data2 has a missing value (row {i}) (R: 'id variable cannot have missing "
            "values')",
            kind="tmerge.id")
    values = [(name, _evaluate(name, term, data2)) for name, term in pairs]
    if first:
        newdata, state = _first_call(base, data2, id, ids2, tstart, tstop, values, opt)
        idmatch = None
    else:
        if tstart is not None or tstop is not None:
            raise InvalidArgument(
                "`tstart` and `tstop` apply to the first call only (R: 'tstart and tstop arguments only apply "
                "to the first call')",
                kind="tmerge.arguments")
        assert state is not None
        if opt["renamed"]:
            # tmerge.R takes the new names but renames no column: a term then reads a column that is not
            # there and neardate fails; without terms the names are only kept for the next call
            if pairs:
                raise InvalidArgument(
                    "`options` cannot rename the id, tstart or tstop columns of a tmerge result (R fails: "
                    "'id2 and y2 have different lengths')",
                    kind="tmerge.modified")
            state.idname, state.tstartname, state.tstopname = opt["idname"], opt["tstartname"], opt["tstopname"]
        newdata = base
        idmatch = match_ids(ids2, newdata[state.idname]) >= 0
        if idmatch.all():
            idmatch = None
    idmiss = 0 if idmatch is None else int((~idmatch).sum())
    tcount = np.zeros((len(pairs), len(TCOUNT_COLUMNS)))
    warns: list[str] = []
    for ii, (name, (kind, etime_all, value_all, init)) in enumerate(values):
        newdata = _one_term(newdata, state, opt, ii, name, kind, etime_all, value_all, init, ids2, idmatch,
                            idmiss, tcount, warns)
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    counts = np.vstack([*tcount_before, tcount]) if tcount_before else tcount
    classes = _classes(newdata, ())
    classes.update({c: k for c, k in state.classes.items() if c in classes})
    return Tmerge(data=newdata.reset_index(drop=True), tcount=counts, column_classes=tuple(classes.values()),
                  tcount_terms=tuple(tcount_names + [n for n, _ in pairs]), idname=state.idname,
                  tstartname=state.tstartname, tstopname=state.tstopname, events=tuple(state.events),
                  censors=tuple(state.censors), tdcvars=tuple(state.tdcvars), warnings=tuple(warns))


def _terms(terms: Any, named: Mapping[str, Any]) -> list[tuple[str, TimeTerm]]:
    if isinstance(terms, Mapping):
        items = list(terms.items())
    else:
        try:
            items = [tuple(t) for t in terms]
        except TypeError:
            raise InvalidArgument(
                f"`terms` must be (name, term) pairs or a mapping; got {terms!r}",
                kind="tmerge.arguments") from None
    items += list(named.items())
    out = []
    for item in items:
        if len(item) != 2 or not isinstance(item[0], str) or not item[0]:
            raise InvalidArgument(
                f"every term must have a name (R: 'all additional argments must have a name'); got {item!r}",
                kind="tmerge.arguments")
        if not isinstance(item[1], TimeTerm) or item[1].kind not in TERM_KINDS:
            raise InvalidArgument(f"term {item[0]!r} is not tdc(), cumtdc(), event() or cumevent() (R: 'argument(s) "
                       f"{item[0]} not a recognized type'); got {item[1]!r}", kind="tmerge.arguments")
        out.append((item[0], item[1]))
    return out


def _options(options: Mapping[str, Any] | None, state: _State | None, idname: Any) -> dict[str, Any]:
    """``tmerge.control``: R's defaults, the retained names, then the given options."""
    if options is not None and not isinstance(options, Mapping):
        raise InvalidArgument(
            f"`options` must be a mapping (R: 'options must be a list'); got {options!r}",
            kind="tmerge.options")
    given = dict(options or {})
    unknown = [k for k in given if k not in TMERGE_OPTIONS]
    if unknown:
        raise InvalidArgument(f"`options` has unrecognized option(s) {', '.join(map(repr, unknown))} (R: 'unrecognized "
                   f"option(s)'); valid: {', '.join(TMERGE_OPTIONS)}", kind="tmerge.options")
    opt = dict(TMERGE_OPTIONS)
    renamed = False
    if state is not None:
        retained = {"idname": state.idname, "tstartname": state.tstartname, "tstopname": state.tstopname}
        renamed = any(k in given and given[k] != v for k, v in retained.items())
        opt.update(retained)
    elif isinstance(idname, str) and "idname" not in given:
        opt["idname"] = idname
    opt.update(given)
    for key in ("idname", "tstartname", "tstopname"):
        if not isinstance(opt[key], str) or _make_name(opt[key]) != opt[key]:
            raise InvalidArgument(
                f"`options['{key}']` must be a valid R variable name; got {opt[key]!r} (R: '{key[:-4]} option "
                "must be a valid variable name')",
                kind="tmerge.options")
    delay = opt["delay"]
    if isinstance(delay, bool) or not isinstance(delay, numbers.Real) or not delay >= 0:
        raise InvalidArgument(
            f"`options['delay']` must be a number >= 0 (R: 'delay option must be a number >= 0'); got "
            f"{delay!r}",
            kind="tmerge.options")
    if not isinstance(opt["na_rm"], (bool, np.bool_)):
        raise InvalidArgument(
            f"`options['na_rm']` must be True or False (R: 'na.rm option must be TRUE or FALSE'); got "
            f"{opt['na_rm']!r}",
            kind="tmerge.options")
    if not np.isscalar(opt["tdcstart"]) and opt["tdcstart"] is not None:
        raise InvalidArgument(
            f"`options['tdcstart']` must be a single value (R: 'tdcstart must be a single value'); got "
            f"{opt['tdcstart']!r}",
            kind="tmerge.options")
    opt["renamed"] = renamed
    return opt


def _make_name(name: str) -> str:
    from .survsplit import make_names

    return make_names(name)


def _evaluate(name: str, term: TimeTerm, data2: pd.DataFrame) -> tuple[str, Column, Column | None, Any]:
    """The term's time and value as columns of data2's length (R evaluates
    ``event(futime, status)`` in data2)."""
    n = len(data2)
    etime = column_of(term.time, data2, f"{name}: time")
    value = None if term.value is None else column_of(term.value, data2, f"{name}: value")
    for what, col in (("time", etime), ("value", value)):
        if col is not None and len(col) != n:
            raise InvalidArgument(
                f"term {name!r}: its {what} has {len(col)} values for {n} rows of data2 (R: 'argument {name} "
                "is not the same length as id')",
                kind="tmerge.term")
    init = term.init if term.kind in ("tdc", "cumtdc") else None
    return term.kind, etime, value, init


def _first_call(base: pd.DataFrame, data2: pd.DataFrame, idcol: str, ids2: pd.Series, tstart: Any, tstop: Any,
                values: list, opt: dict[str, Any]) -> tuple[pd.DataFrame, _State]:
    """The first call: each subject's follow-up, from ``tstop`` or the first
    term (an ``event``'s times), as tmerge.R's ``firstcall`` branch."""
    n2 = len(data2)
    stop = None if tstop is None else column_of(tstop, data2, "tstop")
    if stop is not None and len(stop) != n2:
        raise InvalidArgument(
            f"`tstop` has {len(stop)} values for {n2} rows of data2 (R: 'tstop and id must be the same "
            "length')",
            kind="tmerge.span")
    start = None
    if tstart is not None:
        start = column_of(tstart, data2, "tstart", scalar_ok=True)
        if len(start) == 1:
            start = start.repeat(n2)
        if len(start) != n2:
            raise InvalidArgument(
                f"`tstart` has {len(start)} values for {n2} rows of data2 (R: 'tstart and id must be the same "
                "length')",
                kind="tmerge.span")
        if stop is not None:
            _check_spans(start.times(), stop.times())
    if idcol not in base.columns:
        raise InvalidArgument(
            f"`id`={idcol!r} is not a column of data1 (R: 'id variable not found in data1')",
            kind="tmerge.id")
    base = base.copy()
    base[opt["idname"]] = base[idcol]
    baseid = base[idcol]
    if baseid.duplicated().any():
        raise InvalidArgument(
            f"`data1` has duplicated ids in {idcol!r}: the first call needs one row per subject (R: 'for the "
            "first call (that establishes the time range) data1 must have no duplicate identifiers')",
            kind="tmerge.id")
    if stop is None:
        if not values or values[0][1][0] != "event":
            raise InvalidArgument(
                "the first call needs `tstop` or an event() as its first term (R: 'neither a tstop argument "
                "nor an initial event argument was found')",
                kind="tmerge.arguments")
        first_rows = ~ids2.duplicated().to_numpy()  # R's `last <- !duplicated(id)`: each id's first row
        rows = _range_rows(ids2[first_rows], baseid)
        newdata = base.iloc[rows].reset_index(drop=True)
        times = values[0][1][1].take(np.flatnonzero(first_rows))
    else:
        if same_ids(baseid, ids2):
            newdata = base
        else:
            newdata = base.iloc[_range_rows(ids2, baseid)].reset_index(drop=True)
        times = stop
    stop_t = times.times()
    if np.isnan(stop_t).any():
        raise InvalidArgument(
            "the follow-up's end has a missing value (R: 'missing time value, when that variable defines the "
            "span')",
            kind="tmerge.span")
    if start is None:
        bad = np.flatnonzero(stop_t <= 0)
        if bad.size:
            raise InvalidArgument(
                f"an ending time of {stop_t[bad[0]]:g} (row {bad[0]}): the default start 0 is not before it "
                f"(R: 'found an ending time of {stop_t[bad[0]]:g}, the default starting time of 0 is invalid')",
                kind="tmerge.span")
        start = Column.numbers(np.zeros(len(times)))
    _check_spans(start.times(), stop_t)
    newdata = newdata.copy()
    newdata[opt["tstartname"]] = start.series()
    newdata[opt["tstopname"]] = times.series()
    if ids2.duplicated().any():
        if stop is None:
            raise InvalidArgument(
                "`data2` has several rows for an id and no `tstop`: the first event() cannot set the span "
                "(R fails: 'argument lengths differ')",
                kind="tmerge.span")
        order = np.lexsort((stop_t, id_codes(ids2, ids2)))  # order(match(id, unique(id)), tstop)
        newdata = newdata.iloc[order].reset_index(drop=True)
    _check_overlap(newdata, opt["idname"])
    classes = _classes(newdata, ())
    classes[opt["tstartname"]], classes[opt["tstopname"]] = rclass(start), rclass(times)
    return newdata, _State(opt["idname"], opt["tstartname"], opt["tstopname"], classes=classes)


def _classes(data: pd.DataFrame, given: tuple[str, ...]) -> dict[str, str]:
    """Each column's R class: as given (a Tmerge's), else as the column reads."""
    if len(given) == len(data.columns):
        return dict(zip([str(c) for c in data.columns], given))
    return {str(c): rclass(Column.of_series(data[c])) for c in data.columns}


def _range_rows(ids: pd.Series, baseid: pd.Series) -> np.ndarray:
    rows = match_ids(ids, baseid)
    if (rows < 0).any():
        raise InvalidArgument(
            "data2 has ids that data1 does not (R: 'setting the range, and data2 has id values not in "
            "data1')",
            kind="tmerge.id")
    if (match_ids(baseid, ids) < 0).any():
        raise InvalidArgument(
            "data1 has ids that data2 does not (R: 'setting the range, and data1 has id values not in "
            "data2')",
            kind="tmerge.id")
    return rows


def _check_spans(start: np.ndarray, stop: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        bad = start >= stop
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(
            f"tstart must be < tstop; row {i} has ({start[i]:g}, {stop[i]:g}] (R: 'tstart must be < tstop')",
            kind="tmerge.span")
    if (np.isnan(start) | np.isnan(stop)).any():  # any(tstart >= tstop) is NA in R
        raise InvalidArgument(
            "tstart or tstop has a missing value (R: 'missing value where TRUE/FALSE needed')",
            kind="tmerge.span")


def _check_overlap(newdata: pd.DataFrame, idname: str) -> None:
    # tmerge.R reads newdata$tstop and newdata$tstart by these literal names (not the options' names)
    if "tstart" not in newdata.columns or "tstop" not in newdata.columns or len(newdata) < 2:
        return
    t0 = _as_float(newdata["tstart"])
    t1 = _as_float(newdata["tstop"])
    ids = newdata[idname].to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (t1[:-1] > t0[1:]) & (ids[:-1] == ids[1:])
    if bad.any():
        raise InvalidArgument(
            "the first call made overlapping or duplicated intervals for one id (R: 'first call has created "
            "overlapping or duplicated time intervals')",
            kind="tmerge.span")


def _as_float(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return Column.of_series(s).times()
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _one_term(newdata: pd.DataFrame, state: _State, opt: dict[str, Any], ii: int, name: str, kind: str,
              etime_all: Column, value_all: Column | None, init: Any, ids2: pd.Series, idmatch: np.ndarray | None,
              idmiss: int, tcount: np.ndarray, warns: list[str]) -> pd.DataFrame:
    """One term of the loop of tmerge.R (``for (ii in seq(along.with = args))``)."""
    if etime_all.kind == "datetime":
        # neardate.R: `if (inherits(y1, "POSIXt")) if (!inherits(y2, "POSIXt")) ... else y1 <- as(y1, class(y2))`
        # converts to a class of length 2, which as() refuses: R fails on every date-time term time
        raise InvalidArgument(f"term {name!r}: its times are date-times, on which survival 3.5-3's tmerge fails (R: "
                   "'length(class2) == 1L is not TRUE', in neardate); give them as numbers (days)", kind="time.type")
    baseid = newdata[state.idname]
    dstart = _as_float(newdata[state.tstartname])
    dstop = _as_float(newdata[state.tstopname])
    keep = np.ones(len(ids2), dtype=bool) if idmatch is None else idmatch.copy()
    et = etime_all.times()
    if value_all is not None:
        keep &= ~(np.isnan(et) | value_all.missing()) if opt["na_rm"] else ~np.isnan(et)
    else:
        keep &= ~np.isnan(et)
    sel = np.flatnonzero(keep)
    idk = ids2.iloc[sel].reset_index(drop=True)
    code_base = id_codes(baseid, baseid)  # match(baseid, baseid)
    code_new = id_codes(idk, baseid)  # match(id, baseid)
    order = np.lexsort((et[sel], code_new))  # order(match(id, baseid), etime)
    sel = sel[order]
    code_new = code_new[order]
    etime = et[sel]
    yinc = None if value_all is None else value_all.take(sel)
    integer_times = etime_all.kind == "integer"
    if opt["delay"] > 0 and kind in ("tdc", "cumtdc"):
        # tapply(dstart, baseid, min): each id's first start; a time after it is delayed
        mintime = pd.Series(dstart).groupby(code_base).min()
        m = mintime.reindex(code_new).to_numpy()
        delayed = etime > m
        etime = np.where(delayed, etime + float(opt["delay"]), etime)
        # ifelse(): the delayed times are doubles, and so is the whole vector once one is
        integer_times = integer_times and not delayed.any()
    if etime.size == 0:  # neardate.R: no row of data1 has an id among the term's rows
        raise InvalidArgument(
            f"term {name!r} has no row left: every time (or value) is missing or no id is in data1 (R: 'No "
            "valid entries in data set 2', in neardate)",
            kind="tmerge.term")
    indx1 = neardate(code_new, code_base, etime, dstart, "prior")
    indx2 = neardate(code_new, code_base, etime, dstop, "after")
    itype, subtype = _types(etime, dstart, dstop, indx1, indx2)
    tcount[ii, :7] = [np.sum(itype + subtype == v) for v in (1, 2, 3, 4, 6, 7, 8)]
    tcount[ii, 7] = _tied(code_new, etime)
    tcount[ii, 8] = idmiss
    within = np.flatnonzero(itype == 4)
    if within.size:
        newdata, dstart, dstop = _split(newdata, state, dstart, dstop, indx1[within], etime[within],
                                        integer_times)
        baseid = newdata[state.idname]
        code_base = id_codes(baseid, baseid)
        code_new = id_codes(idk.iloc[order].reset_index(drop=True), baseid)
        indx1 = neardate(code_new, code_base, etime, dstart, "prior")
        indx2 = neardate(code_new, code_base, etime, dstop, "after")
        subtype[itype == 4] = 1
        itype[itype == 4] = 5
    newvar = Column.of_series(newdata[name], state.classes.get(name)) if name in newdata.columns else None
    if kind in ("tdc", "cumtdc"):
        if name in state.events:
            raise InvalidArgument(
                f"term {name!r}: {name} is an event column and cannot become a {kind} (R: 'attempt to turn "
                f"event variable {name} into a {kind}')",
                kind="tmerge.term")
        if name not in state.tdcvars:
            state.tdcvars.append(name)
            if newvar is not None and kind == "tdc":
                warns.append(f"replacement of variable '{name}'")
                newvar = None
    if kind == "tdc":
        newvar = _tdc(name, newvar, yinc, init, opt, code_base, dstart, code_new, etime, warns)
    else:
        inc = _increments(name, kind, yinc, len(etime))
        if kind == "cumtdc":
            newvar = _cumtdc(name, newvar, value_all is not None, inc, init, opt, code_base, dstart, code_new,
                             etime, itype, warns)
        else:
            # a cumevent's increments are set (1 each) before tmerge.R's event branch: its type check applies
            newvar = _event(name, kind, newvar, inc, yinc is None and kind == "event", code_new, state, indx2,
                            subtype, len(newdata))
    newdata = newdata.copy()
    newdata[name] = newvar.series()
    state.classes[name] = rclass(newvar)
    return newdata


def _types(etime: np.ndarray, dstart: np.ndarray, dstop: np.ndarray, indx1: np.ndarray,
           indx2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """tmerge.R's ``itype`` (1 early, 2 late, 3 gap, 4 within, 5 on a
    boundary) and ``subtype`` (1 between two joined intervals, 2 at a start, 3
    at an end)."""
    i1 = np.maximum(indx1, 0)
    i2 = np.maximum(indx2, 0)
    on_edge = (etime == dstart[i1]) | (etime == dstop[i2]) if dstart.size else np.zeros(etime.size, bool)
    itype = np.where(indx1 < 0, 1, np.where(indx2 < 0, 2, np.where(indx2 > indx1, 3, np.where(on_edge, 5, 4))))
    at_start = etime == dstart[i1] if dstart.size else np.zeros(etime.size, bool)
    subtype = np.where(itype != 5, 0, np.where(indx1 == indx2 + 1, 1, np.where(at_start, 2, 3)))
    return itype.astype(np.int64), subtype.astype(np.int64)


def _tied(code: np.ndarray, etime: np.ndarray) -> int:
    """``sum(tapply(etime, id, function(x) sum(duplicated(x))))``."""
    return int(pd.DataFrame({"c": code, "t": etime}).duplicated().sum())


def _split(newdata: pd.DataFrame, state: _State, dstart: np.ndarray, dstop: np.ndarray, irow: np.ndarray,
           etime: np.ndarray, integer_times: bool) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Cut each interval at the times strictly inside it (tmerge.R's ``n4 > 0``
    block): the row is repeated, the copies' ends and starts set to the
    times, and the earlier copies' events censored."""
    pairs = pd.DataFrame({"irow": irow, "etime": etime}).drop_duplicates()
    icount_row = pairs["irow"].to_numpy()
    icount_time = pairs["etime"].to_numpy()
    runs = np.flatnonzero(np.r_[True, icount_row[1:] != icount_row[:-1]])
    n_add = np.diff(np.r_[runs, icount_row.size])  # rle(icount$irow)$length
    erow = pd.unique(irow)
    irep = np.ones(len(newdata), dtype=np.int64)
    irep[erow] = 1 + n_add
    jrep = np.repeat(np.arange(len(newdata)), irep)
    iend = (np.cumsum(irep) - 1)[irep > 1]  # each split row's last copy, in row order
    newrows = np.concatenate([iend[j] - np.arange(n_add[j] - 1, -1, -1) for j in range(erow.size)])
    out = newdata.iloc[jrep].reset_index(drop=True)
    dstart = dstart[jrep].copy()
    dstop = dstop[jrep].copy()
    dstart[newrows] = icount_time
    dstop[newrows - 1] = icount_time
    out[state.tstartname] = _like(newdata[state.tstartname], dstart, integer_times)
    out[state.tstopname] = _like(newdata[state.tstopname], dstop, integer_times)
    for col in (state.tstartname, state.tstopname):  # dstart[newrows] <- etime: R's coercion
        if state.classes.get(col) == "integer" and not integer_times:
            state.classes[col] = "numeric"
    for ename, censor in zip(state.events, state.censors):
        col = out[ename].copy()
        if isinstance(col.dtype, pd.CategoricalDtype):
            col.iloc[newrows - 1] = censor
        else:
            col = col.astype(object) if isinstance(censor, str) and col.dtype != object else col
            col.iloc[newrows - 1] = censor
            if state.classes.get(ename) == "integer" and isinstance(censor, float):
                state.classes[ename] = "numeric"  # a double 0 into an integer column
        out[ename] = col
    return out, dstart, dstop


def _like(template: pd.Series, times: np.ndarray, integer_times: bool) -> pd.Series:
    """``dstart[newrows] <- etime``: the column keeps its class, an integer
    one becomes double when the times are (R's coercion)."""
    if pd.api.types.is_datetime64_any_dtype(template.dtype):
        return Column.numbers(times, datetime=True).series()
    if pd.api.types.is_integer_dtype(template.dtype) and integer_times:
        return pd.Series(times.astype(np.int64))
    return pd.Series(times)


def _as_numeric(v: Any, warns: list[str]) -> float:
    """R's ``as.numeric`` of one value: NA, with R's warning, for text that is not a number."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        warns.append("NAs introduced by coercion")
        return math.nan


def _tdc(name: str, newvar: Column | None, yinc: Column | None, init: Any, opt: dict[str, Any],
         code_base: np.ndarray, dstart: np.ndarray, code_new: np.ndarray, etime: np.ndarray,
         warns: list[str]) -> Column:
    """A tdc: each interval takes the value of the last time at or before its
    start (``Ctmerge2``), the default (``init``, else ``tdcstart``) before the first."""
    default = opt["tdcstart"] if init is None else init
    if init is not None and not np.isscalar(init):
        raise InvalidArgument(
            f"term {name!r}: init must be one value (R: 'default tdc value must be of length 1'); got "
            f"{init!r}",
            kind="tmerge.term")
    index = tdc_index(code_base, dstart, code_new, etime)
    found = index >= 0
    if newvar is None:
        if yinc is None:
            return Column.integers(found.astype(np.int64))
        out = yinc.take(np.maximum(index, 0)) if len(yinc) else yinc.empty_like(len(index))
        if (~found).any():
            if out.kind in ("integer", "numeric") and isinstance(default, str):
                default = _as_numeric(default, warns)  # newvar[index == 0] <- as.numeric(default)
            out = out.fill(~found, default)
        return out
    if yinc is None:
        v = newvar.numbers_or_none()
        if v is None or not np.all(np.isnan(v) | (v == 0) | (v == 1)):
            raise InvalidArgument(
                f"term {name!r}: tdc update does not match prior variable type: {name} (R's message)",
                kind="tmerge.term")
        return newvar.assign(found, Column.integers(np.ones(int(found.sum()), dtype=np.int64)))
    if newvar.kind == "factor" and (yinc.kind != "factor" or list(newvar.levels) != list(yinc.levels)):
        raise InvalidArgument(
            f"term {name!r}: tdc update does not match prior factor: {name} (R's message)",
            kind="tmerge.term")
    same = rclass(newvar) == rclass(yinc) or {rclass(newvar), rclass(yinc)} <= {"integer", "numeric"}
    if not same:
        raise InvalidArgument(f"term {name!r}: tdc update does not match prior variable type: {name} (R's message; "
                   f"{rclass(newvar)} and {rclass(yinc)})", kind="tmerge.term")
    return newvar.assign(found, yinc.take(index[found]))


def _increments(name: str, kind: str, yinc: Column | None, n: int) -> Column:
    if kind not in ("cumtdc", "cumevent"):
        return yinc if yinc is not None else Column.integers(np.ones(n, dtype=np.int64))
    if yinc is None:
        return Column.integers(np.ones(n, dtype=np.int64))
    if yinc.kind == "logical":
        return Column.numbers(yinc.numbers_or_none())
    if yinc.kind not in ("integer", "numeric"):
        raise InvalidArgument(
            f"term {name!r}: a {kind} needs numeric values (R: 'invalid increment for cumtdc or cumevent'); "
            f"got {yinc.kind}",
            kind="tmerge.term")
    return yinc


def _cumtdc(name: str, newvar: Column | None, has_value: bool, inc: Column, init: Any, opt: dict[str, Any],
            code_base: np.ndarray, dstart: np.ndarray, code_new: np.ndarray, etime: np.ndarray,
            itype: np.ndarray, warns: list[str]) -> Column:
    """A cumtdc: each interval's value plus the running sum of the increments
    at or before its start (``Ctmerge``); times after the follow-up are left out."""
    keep = itype != 2
    if init is None:
        default = _as_numeric(opt["tdcstart"], warns)  # as.numeric(topt$tdcstart)
    else:
        if not np.isscalar(init):
            raise InvalidArgument(
                f"term {name!r}: init must be one value (R: 'tdc initial value must be of length 1')",
                kind="tmerge.term")
        if not _is_number(init):
            raise InvalidArgument(f"term {name!r}: a cumtdc's init must be numeric (R: 'cumtdc initial value must be "
                       f"numeric'); got {init!r}", kind="tmerge.term")
        default = float(init)
    n = len(dstart)
    if newvar is None:
        start = np.zeros(n) if not has_value else np.full(n, default)
    else:
        start = newvar.numbers_or_none()
        if start is None:
            raise InvalidArgument(
                f"term {name!r}: the column {name} is not numeric (R: 'data and starting value do not agree "
                "on data type')",
                kind="tmerge.term")
    values = cumulative(code_base, dstart, start, code_new[keep], etime[keep],
                        np.asarray(inc.numbers_or_none(), dtype=float)[keep])
    return Column.numbers(values)


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _event(name: str, kind: str, newvar: Column | None, inc: Column, default_value: bool, code_new: np.ndarray,
           state: _State, indx2: np.ndarray, subtype: np.ndarray, nrow: int) -> Column:
    """An event or cumevent: the interval that ends at the time (a boundary
    between two intervals, or a trailing end) takes the value."""
    inc_class = rclass(inc)
    if kind == "cumevent":
        # unlist(tapply(yinc, id, cumsum)): with one row per id tapply simplifies to a 1-d array, whose
        # class is "array", so an existing event column never matches it below
        if code_new.size and np.all(np.diff(np.flatnonzero(np.r_[True, code_new[1:] != code_new[:-1], True])) == 1):
            inc_class = "array"
        ykeep = inc.numbers_or_none() != 0
        inc = Column.numbers(group_cumsum(code_new, inc.numbers_or_none())) if inc.kind == "numeric" else \
            Column.integers(group_cumsum(code_new, inc.numbers_or_none()).astype(np.int64))
    if newvar is not None:
        if name not in state.events:
            newvar = None
        elif not default_value:
            if rclass(newvar) != inc_class:
                raise InvalidArgument(
                    f"term {name!r}: the event column {name} is {rclass(newvar)} and the update "
                    f"{inc_class} (R: 'attempt to update an event variable with a different type')",
                    kind="tmerge.term")
            if newvar.kind == "factor" and not set(inc.levels) <= set(newvar.levels):
                raise InvalidArgument(
                    f"term {name!r}: the update's levels are not the event column's (R: 'attemp to update "
                    "an event variable and levels do not match')",
                    kind="tmerge.term")
    if newvar is None:
        newvar = inc.censored(nrow)
        if newvar is None:
            raise InvalidArgument(
                f"term {name!r}: an event's value must be numeric, a factor, text or logical (R: 'invalid "
                "value for a status variable')",
                kind="tmerge.term")
    keep = (subtype == 1) | (subtype == 3)
    if kind == "cumevent":
        keep &= ykeep
    rows = indx2[keep]
    vals = inc.take(np.flatnonzero(keep))
    # newvar[indx2[keep]] <- yinc[keep]: with a row twice, the last assignment stays
    last = np.unique(rows[::-1], return_index=True)[1]
    last = rows.size - 1 - last
    mask = np.zeros(nrow, dtype=bool)
    mask[rows[last]] = True
    order = np.argsort(rows[last], kind="stable")
    out = newvar.assign(mask, vals.take(last[order]))
    if name not in state.events:
        state.events.append(name)
        state.censors.append(inc.censor_value())
    return out
