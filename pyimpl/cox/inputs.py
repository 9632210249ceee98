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

from .._validate import as_1d, as_choice, check_lengths, label_codes
from ..errors import InvalidArgument
from ..results.cox import CoxInputs
from .control import CoxControl
from .design import Design, build_design

__all__ = ["Prepared", "prepare_inputs", "TIES", "float_with_nan", "labels_with_nan"]

TIES = ("efron", "breslow", "exact")


def _show(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v.item() if hasattr(v, "item") else v)


def float_with_nan(x: Any, name: str) -> np.ndarray:
    """A float array; missing values become NaN, anything non-numeric is refused."""
    if isinstance(x, (pd.Series, pd.Index)):
        if isinstance(x.dtype, pd.CategoricalDtype):
            raise InvalidArgument(f"`{name}` must be numeric; got a categorical")
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
            raise InvalidArgument(f"`{name}` must be numeric; got {name}[{i}]={_show(v)}") from None
    return out


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
    inputs: CoxInputs
    warnings: list[str]


def prepare_inputs(X, time, event, *, ties, weights, strata, cluster, robust, init, control,
                   nocenter) -> Prepared:
    ties = as_choice(ties, "ties", TIES)
    robust_arg = robust
    if control is None:
        control = CoxControl()
    elif not isinstance(control, CoxControl):
        raise InvalidArgument(f"`control` must be a CoxControl; got control={control!r}")
    if robust is not None and not isinstance(robust, (bool, np.bool_)):
        raise InvalidArgument(f"`robust` must be True, False or None (R's default rule); got robust={robust!r}")
    try:
        nocenter = tuple(float(v) for v in (nocenter if nocenter is not None else ()))
    except (TypeError, ValueError):
        raise InvalidArgument(f"`nocenter` must be a sequence of numbers; got nocenter={nocenter!r}") from None
    design = build_design(X)
    xraw = design.x
    t = float_with_nan(time, "time")
    e = float_with_nan(event, "event")
    w = None if weights is None else float_with_nan(weights, "weights")
    s_codes = s_levels = s_miss = None
    if strata is not None:
        s_codes, s_levels, s_miss = labels_with_nan(strata, "strata")
    c_codes = c_miss = None
    if cluster is not None:
        c_codes, _, c_miss = labels_with_nan(cluster, "cluster")
    check_lengths(X=xraw, time=t, event=e, weights=w, strata=s_codes, cluster=c_codes)

    keep = ~np.isnan(t) & ~np.isnan(e) & ~np.isnan(xraw).any(axis=1)
    if w is not None:
        keep &= ~np.isnan(w)
    if s_miss is not None:
        keep &= ~s_miss
    if c_miss is not None:
        keep &= ~c_miss
    if not keep.any():
        raise InvalidArgument("no (non-missing) observations: every row has a missing value "
                              "(R: 'No (non-missing) observations')")
    dropped = tuple(int(i) for i in np.flatnonzero(~keep))
    x = xraw if keep.all() else np.asfortranarray(xraw[keep])
    t, e = t[keep], e[keep]
    bad = ~np.isfinite(t)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`time` must be finite; got time[{np.flatnonzero(keep)[i]}]={_show(t[i])}")
    bad = t < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`time` must be non-negative; got time[{np.flatnonzero(keep)[i]}]={_show(t[i])}")
    bad = (e != 0) & (e != 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(
            f"`event` must be 0/1 or False/True (1 = event); got event[{np.flatnonzero(keep)[i]}]={_show(e[i])}")
    if np.isinf(x).any():
        r, c = np.argwhere(np.isinf(x))[0]
        raise InvalidArgument(
            f"`X` must be finite (R: 'data contains an infinite predictor'); "
            f"got {design.names[c]!r}[{np.flatnonzero(keep)[r]}]={_show(x[r, c])}")
    has_weights = w is not None
    if w is not None:
        w = w[keep]
        bad = ~np.isfinite(w)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidArgument(
                f"`weights` must be finite (R: 'weights must be finite'); "
                f"got weights[{np.flatnonzero(keep)[i]}]={_show(w[i])}")
    else:
        w = np.ones(t.size)
    strata_codes = None
    if s_codes is not None:
        sc = s_codes[keep]
        used = np.unique(sc)
        remap = np.full(len(s_levels), -1)
        remap[used] = np.arange(used.size)
        strata_codes = remap[sc]
        s_levels = [s_levels[i] for i in used]
    cluster_codes = None
    if c_codes is not None:
        cc = c_codes[keep]
        _, cluster_codes = np.unique(cc, return_inverse=True)
    # R's rule (coxph.R): robust when a cluster is given or weights are not integers
    warns: list[str] = []
    has_rwt = has_weights and bool(np.any(w != np.floor(w)))
    if robust is None:
        robust = cluster_codes is not None or has_rwt
    robust = bool(robust)
    cluster_given = cluster_codes is not None
    if cluster_given and not robust:
        warns.append("cluster specified with robust=FALSE, cluster ignored")
    if init is not None:
        try:
            init = np.asarray(init, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InvalidArgument(f"`init` must be numeric; got init={init!r}") from None
        if init.size != x.shape[1]:
            raise InvalidArgument(
                f"`init` must have one value per coefficient ({x.shape[1]}: {', '.join(design.names)}) "
                f"(R: 'wrong length for init argument'); got {init.size} values")
        if not np.all(np.isfinite(init)):
            raise InvalidArgument(f"`init` must be finite; got init={init.tolist()!r}")
    inputs = CoxInputs(
        x=X if isinstance(X, pd.DataFrame) else pd.DataFrame(design.x, columns=list(design.names)),
        time=np.asarray(time), event=np.asarray(event),
        weights=None if weights is None else np.asarray(weights), strata=strata, cluster=cluster,
        ties=ties, robust=robust_arg, init=init, control=control, nocenter=nocenter,
    )
    return Prepared(
        design=design, x=x, time=t, event=e, weights=w, has_weights=has_weights, strata=strata_codes,
        strata_levels=s_levels, cluster=cluster_codes, keep=keep, dropped=dropped, ties=ties,
        robust=robust, cluster_given=cluster_given, init=init, control=control, nocenter=nocenter,
        inputs=inputs, warnings=warns,
    )
