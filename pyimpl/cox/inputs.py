"""Validation of ``coxph`` inputs and R's ``na.omit``.

Every argument is checked here, before any arithmetic, with messages that
name the argument and show the offending value. Missing values (NaN, None,
pandas NA) in the covariates, ``time``, ``event``, ``weights``, ``strata`` or
``cluster`` drop the row, as R's default ``na.action = na.omit`` does; the
result reports how many rows were dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import CoxCall
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.values import TIES

from .._recorded import recorded
from .._rmath import r_mean
from .._validate import as_1d, as_choice, check_lengths, label_codes
from ..design import Design, as_frame, model_matrix, read_terms
from ..survival.surv import interval_stops, read_surv
from .control import as_control, check_control

__all__ = ["Prepared", "prepare_inputs", "float_with_nan", "labels_with_nan", "cox_design"]


def _show(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v.item() if hasattr(v, "item") else v)


def float_with_nan(x: Any, name: str) -> np.ndarray:
    """A float array; missing values become NaN, anything non-numeric is refused."""
    if isinstance(x, (pd.Series, pd.Index)):
        if isinstance(x.dtype, pd.CategoricalDtype):
            raise InvalidArgument(f"`{name}` must be numeric; got a categorical", kind=f"{_arg_kind(name)}.type")
        try:
            return x.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    arr = as_1d(x, name)
    if arr.dtype == bool:
        return arr.astype(float)
    try:
        return arr.astype(float)
    except (TypeError, ValueError):
        pass
    out = np.empty(arr.size)
    for i, v in enumerate(arr.tolist()):
        if v is None or v is pd.NA:
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise InvalidArgument(f"`{name}` must be numeric; got {name}[{i}]={_show(v)}",
                                  kind=f"{_arg_kind(name)}.type") from None
    return out


def _arg_kind(name: str) -> str:
    return name if name in ("time", "event", "weights") else "argument"


def cox_design(X) -> Design:
    """The Cox design: ``model.matrix`` without intercept, unused factor levels
    kept (``coxph`` does not drop them: their coefficient is NA)."""
    frame = as_frame(X)
    terms = read_terms(frame)
    return model_matrix(terms, len(frame), intercept=False, drop_unused_levels=False)


def labels_with_nan(x: Any, name: str) -> tuple[np.ndarray, list, np.ndarray]:
    """Group labels -> (codes, levels, missing mask): rows with a missing label
    are dropped later, as R's ``na.omit`` does."""
    codes, levels = label_codes(x, name)
    return codes, levels, codes < 0


@dataclass
class Prepared:
    """The rows a fit uses (after ``na.omit``) and everything validated."""

    design: Design
    x: np.ndarray  # (n, p) rows kept
    time: np.ndarray
    event: np.ndarray
    weights: np.ndarray
    has_weights: bool
    strata: np.ndarray | None  # codes 0..k-1 in level order, or None
    strata_levels: list | None
    cluster: np.ndarray | None  # codes 0..m-1
    keep: np.ndarray
    dropped: tuple[int, ...]
    ties: str
    robust: bool
    cluster_given: bool
    init: np.ndarray | None
    control: CoxControl
    nocenter: tuple
    call: CoxCall
    warnings: list[str]
    offset: np.ndarray | None = None  # centred (coxph.R), rows kept; None: no offset
    offset_raw: np.ndarray | None = None  # as given (survfit.coxph uses it), rows kept
    start: np.ndarray | None = None  # Surv(start, stop, event): the starts (``time`` the stops), rows kept
    strata_term: bool = False  # the model has strata (``strata`` is None when only one level is used)
    strata_used: list | None = None  # the strata levels in use, even when only one (then ``strata`` is None)


def prepare_inputs(call: CoxCall) -> Prepared:
    """Validate a call's arguments and apply R's ``na.omit`` (a formula call is
    first turned into the array form: :mod:`pyimpl.cox.formula`)."""
    original = call
    frame_warnings: list[str] = []  # filled by recorded() below
    if call.formula is not None:
        from .formula import resolve

        # the model frame's own warnings (log of a negative, bs() beyond its boundary knots) are
        # the fit's, as R's coxph() reports them; still shown as Python warnings
        with recorded() as frame_warnings:
            call = resolve(call)
    X, time, event = call.X, call.time, call.event
    weights, strata, cluster, robust, init = call.weights, call.strata, call.cluster, call.robust, call.init
    ties = as_choice(call.ties, "ties", TIES, partial=True)
    control, control_warnings = check_control(as_control(call.control))
    if robust is not None and not isinstance(robust, (bool, np.bool_)):
        raise InvalidArgument(f"`robust` must be True, False or None (R's default rule); got robust={robust!r}",
                              kind="robust.type")
    nocenter = call.nocenter
    try:
        nocenter = tuple(float(v) for v in (nocenter if nocenter is not None else ()))
    except (TypeError, ValueError):
        raise InvalidArgument(f"`nocenter` must be a sequence of numbers; got nocenter={nocenter!r}",
                              kind="nocenter.type") from None
    # a formula call arrives with its Design; no columns: the null model (coxph.fit handles it)
    design = X if isinstance(X, Design) else cox_design(X)
    xraw = design.x
    sd = read_surv(time, event)  # Surv(): 1/2 coding, logicals, factors; invalid -> NA with R's warning
    t, e = sd.time, sd.status
    start = None
    start_warnings: list[str] = []
    if call.start is not None:
        # Surv(start, stop, event): an interval that does not end after it starts is NA (R warns)
        start = float_with_nan(call.start, "start")
        t, found = interval_stops(start, t)
        start_warnings += found
    w = None if weights is None else float_with_nan(weights, "weights")
    off = None if call.offset is None else float_with_nan(call.offset, "offset")
    s_codes = s_levels = s_miss = None
    if strata is not None:
        s_codes, s_levels, s_miss = labels_with_nan(strata, "strata")
    c_codes = c_miss = None
    if cluster is not None:
        c_codes, _, c_miss = labels_with_nan(cluster, "cluster")
    i_codes = i_miss = None
    if call.id is not None:
        i_codes, _, i_miss = labels_with_nan(call.id, "id")
    check_lengths(X=xraw, time=t, event=e, weights=w, strata=s_codes, cluster=c_codes, offset=off, id=i_codes)

    x_finite = bool(np.isfinite(xraw).all())  # the usual case: one pass, no NaN or Inf to look for
    keep = ~np.isnan(t) & ~np.isnan(e)
    if start is not None:
        keep &= ~np.isnan(start)
    if not x_finite:
        keep &= ~np.isnan(xraw).any(axis=1)
    if w is not None:
        keep &= ~np.isnan(w)
    if off is not None:
        keep &= ~np.isnan(off)
    if s_miss is not None:
        keep &= ~s_miss
    if c_miss is not None:
        keep &= ~c_miss
    if i_miss is not None:
        keep &= ~i_miss
    if not keep.any():
        raise InvalidArgument("no (non-missing) observations: every row has a missing value "
                              "(R: 'No (non-missing) observations')", kind="data.empty")
    dropped = tuple(int(i) for i in np.flatnonzero(~keep))
    x = xraw if keep.all() else np.asfortranarray(xraw[keep])
    t, e = t[keep], e[keep]
    if start is not None:
        start = start[keep]
    bad = ~np.isfinite(t)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`time` must be finite; got time[{np.flatnonzero(keep)[i]}]={_show(t[i])}",
                              kind="time.nonfinite")
    if not x_finite and np.isinf(x).any():
        r, c = np.argwhere(np.isinf(x))[0]
        raise InvalidArgument(
            f"`X` must be finite (R: 'data contains an infinite predictor'); "
            f"got {design.names[c]!r}[{np.flatnonzero(keep)[r]}]={_show(x[r, c])}", kind="X.nonfinite")
    has_weights = w is not None
    offset = _centred_offset(off[keep]) if off is not None else None
    offset_raw = off[keep] if offset is not None else None
    if w is not None:
        w = w[keep]
        bad = ~np.isfinite(w)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgument(
                f"`weights` must be finite (R: 'weights must be finite'); "
                f"got weights[{np.flatnonzero(keep)[i]}]={_show(w[i])}", kind="weights.nonfinite")
    else:
        w = np.ones(t.size)
    strata_codes = None
    strata_used = None
    if s_codes is not None:
        sc = s_codes[keep]
        used = np.flatnonzero(np.bincount(sc, minlength=len(s_levels)))  # the levels in use, in order
        remap = np.full(len(s_levels), -1)
        remap[used] = np.arange(used.size)
        strata_codes = remap[sc]
        s_levels = [s_levels[i] for i in used]
        strata_used = list(s_levels)
        if len(s_levels) == 1:
            # coxph.R keeps strata only when more than one is used (fit$strata is
            # NULL otherwise): basehaz and survfit then report no strata column
            strata_codes, s_levels = None, None
    cluster_codes = None
    if c_codes is not None:
        cc = c_codes[keep]
        _, cluster_codes = np.unique(cc, return_inverse=True)
    ids = None
    if i_codes is not None:
        _, ids = np.unique(i_codes[keep], return_inverse=True)  # as.factor(id): sorted levels
    # R's rule (coxph.R): robust when a cluster is given, weights are not integers, or an id has two events
    warns: list[str] = frame_warnings + control_warnings + list(sd.warnings) + start_warnings
    has_rwt = has_weights and bool(np.any(w != np.floor(w)))
    if robust is None:
        robust = cluster_codes is not None or has_rwt or (
            ids is not None and bool(np.any(np.bincount(ids[e == 1]) > 1)))  # anyDuplicated(id[status == 1])
    robust = bool(robust)
    cluster_given = cluster_codes is not None
    if cluster_given and not robust:
        warns.append("cluster specified with robust=FALSE, cluster ignored")
    if cluster_codes is None and robust and ids is not None:  # coxph.R: the ids are the clusters
        cluster_codes, cluster_given = ids, True
    if init is not None:
        try:
            init = np.asarray(init, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InvalidArgument(f"`init` must be numeric; got init={init!r}", kind="init.type") from None
        if init.size != x.shape[1]:
            raise InvalidArgument(
                f"`init` must have one value per coefficient ({x.shape[1]}: {', '.join(design.names)}) "
                f"(R: 'wrong length for init argument'); got {init.size} values", kind="init.length")
        if not np.all(np.isfinite(init)):
            raise InvalidArgument(f"`init` must be finite; got init={init.tolist()!r}", kind="init.nonfinite")
    return Prepared(
        design=design, x=x, time=t, event=e, weights=w, has_weights=has_weights, strata=strata_codes,
        strata_levels=s_levels, cluster=cluster_codes, keep=keep, dropped=dropped, ties=ties,
        robust=robust, cluster_given=cluster_given, init=init, control=control, nocenter=nocenter,
        call=original, warnings=warns, offset=offset, offset_raw=offset_raw, start=start,
        strata_term=s_codes is not None, strata_used=strata_used,
    )


def _centred_offset(off: np.ndarray) -> np.ndarray | None:
    """coxph.R: no offset when every value is 0; an offset whose exp is not
    finite is an error; otherwise ``offset - mean(offset)``."""
    if np.all(off == 0):
        return None
    with np.errstate(over="ignore"):
        bad = ~np.isfinite(off) | ~np.isfinite(np.exp(off))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`offset` must lead to a finite risk score (R: 'offsets must lead to a finite "
                              f"risk score'); got offset[{i}]={_show(off[i])}", kind="offset.nonfinite")
    return off - r_mean(off)
