"""The Fine-Gray data: ``survival::finegray(Surv(time, <factor>) ~ x, data,
weights=, etype=, prefix=, count=, timefix=)`` of survival 3.5-3
(``finegray.R`` and ``src/finegray.c``), for right-censored competing risks.

A Cox model of the returned (start, stop] rows weighted by ``fgwt``
(``coxph(Surv(fgstart, fgstop, fgstatus) ~ x, weights = fgwt)``) is the
Fine-Gray subdistribution hazard model of the endpoint ``etype``.

How the rows are made (``finegray.R``):

* times are replaced by their rank among the unique times (0 or ``2 min - 1``
  prepended as every row's start); an event's rank is lowered by 0.2, so that
  a censoring at the same time comes after it;
* ``G``: the Kaplan-Meier curve of the censoring on that rank scale
  (``survfit(Surv(start, stop, censored) ~ strata)``), a curve per stratum;
* a subject who has a competing event is kept in the risk set after it, with
  rows from each censoring time to the next (only the intervals that hold an
  endpoint event), weighted by ``G(t) / G(time of the competing event)``;
  the others keep their one row, weight 1 (times the case weight).

With strata and case weights, R multiplies the rows of the second and later
strata by the weights of the first rows of the data, not their own (it indexes
the case weights by the row number within the stratum): reproduced, as R's
behaviour is the reference; fit with one stratum at a time to avoid it.

Rows with a missing time or status make R fail (``NAs are not allowed in
subscripted assignments``), and are refused here with that message; missing
covariates pass through (``na.action = na.pass``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning

from ..formula.frame import model_frame
from .km import survfit
from .timefix import tie_codes

__all__ = ["finegray"]


def finegray(formula: Any, data: Any, *, weights: Any = None, subset: Any = None, etype: Any = None,
             prefix: str = "fg", count: str | None = None, timefix: bool = True) -> pd.DataFrame:
    """The weighted (start, stop] data of the Fine-Gray model, as R's
    ``finegray(formula, data, weights=, subset=, etype=, prefix=, count=,
    timefix=)``: the formula's variables (not the response, not ``strata()``),
    R's ``"(weights)"`` column when weights are given, then ``<prefix>start``,
    ``<prefix>stop``, ``<prefix>status`` (1 for an ``etype`` event),
    ``<prefix>wt`` and the ``count`` column (the interval's number) when named.

    ``etype``: the endpoint, a state of the status factor (its first state
    by default; only the first of several is used, with R's warning).
    """
    import warnings

    frame = model_frame(formula, data, subset)
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument("`formula` needs a Surv() response (R: 'Response must be a survival object')",
                              kind="formula.response")
    if len(frame.response) != 2:
        raise InvalidArgument("(start, stop] data need a subject id, which this finegray() does not take (R: "
                              "'(start, stop] data requires a subject id')", kind="id.missing")
    if mf.cluster is not None:
        raise InvalidArgument("`formula` has a cluster() term (R: 'a cluster() term is not valid')",
                              kind="formula.special")
    t_term, e_term = frame.response
    if t_term.kind != "numeric":
        raise InvalidArgument("the Surv() time must be numeric (R: 'Time variable is not numeric')", kind="time.type")
    if e_term.kind != "factor":
        raise InvalidArgument("the Surv() status must be a factor: the Fine-Gray data are for competing risks "
                              "(R: 'Fine-Gray model requires a multi-state survival')", kind="event.type")
    n = t_term.values.size
    if n == 0:
        raise InvalidArgument("no rows (R: 'No (non-missing) observations')", kind="data.empty")
    time = np.asarray(t_term.values, dtype=float)
    status = np.asarray(e_term.codes, dtype=np.int64)  # -1 missing, 0 censored, k the k-th state
    states = [str(s) for s in e_term.levels[1:]]
    if np.isnan(time).any() or (status < 0).any():
        i = int(np.flatnonzero(np.isnan(time) | (status < 0))[0])
        raise InvalidArgument(f"row {i} has a missing time or status: R's finegray fails on it (R: 'NAs are not "
                              "allowed in subscripted assignments')", kind="argument.missing")
    w_user = np.ones(n)
    if weights is not None:
        w_user = _weights(weights, data, frame.rows)
    enum = 1
    if etype is not None:
        wanted = [etype] if isinstance(etype, str) else list(etype)
        idx = [states.index(e) + 1 if e in states else -1 for e in wanted]
        if -1 in idx:
            raise InvalidArgument(f"`etype`={etype!r} names no state of the status (states: {states}) (R: 'etype "
                                  "argument has a state that is not in the data')", kind="etype.value")
        enum = idx[0]
        if len(idx) > 1:
            warnings.warn(RParityWarning("only the first endpoint was used"), stacklevel=2)
    if timefix:
        codes, utimes = tie_codes(time)
        time = utimes[codes]
    strata_vars = set(mf.strata)
    istrat, nstrat = _strata(frame, strata_vars, n)
    # Y <- cbind(zero, Y): every row starts at 0, or 2 min - 1 when a time is not positive
    tmin = float(np.min(time))
    zero = 0.0 if tmin > 0 else 2 * tmin - 1
    start = np.full(n, zero)
    utime = np.unique(np.concatenate([start, time]))
    new_start = np.searchsorted(utime, start, side="right").astype(float)  # findInterval: 1-based ranks
    new_stop = np.searchsorted(utime, time, side="right").astype(float)
    new_stop[status != 0] -= 0.2
    g_frame = pd.DataFrame({"a": new_start, "b": new_stop, "c": (status == 0).astype(float), "s": istrat})
    covariates = _covariates(frame, strata_vars, weights is not None, w_user)
    pieces = []
    for i in range(1, nstrat + 1):
        keep = istrat == i
        times = np.unique(time[keep & (status == enum)])
        if times.size == 0:
            continue
        g = survfit("Surv(a, b, c) ~ 1", data=g_frame[keep].reset_index(drop=True), conf_type="none")
        censored = np.asarray(g.n_event) > 0
        ctime = utime[np.asarray(g.time)[censored].astype(np.int64) - 1]
        cprob = np.asarray(g.surv)[censored]
        maxtime = float(np.max(time[keep]))
        ct2 = np.append(ctime, maxtime)
        cp2 = np.append(1.0, cprob)
        index = np.unique(np.searchsorted(ct2, times, side="left"))  # findInterval(left.open = TRUE)
        ckeep = np.zeros(ct2.size, dtype=bool)
        ckeep[index[index > 0] - 1] = True
        expand = (status[keep] != 0) & (status[keep] != enum)
        rows, fstart, fend, wt, add = _split(start[keep], time[keep], ct2, cp2, expand,
                                             np.concatenate([[True], ckeep]))
        local = np.flatnonzero(keep)[rows]
        piece = covariates.iloc[local].reset_index(drop=True)
        piece[f"{prefix}start"] = fstart
        piece[f"{prefix}stop"] = fend
        piece[f"{prefix}status"] = (status[local] == enum).astype(float)
        # finegray.R: split$wt * user.weights[split$row], split$row counting rows *within the stratum*: from
        # the second stratum on, R takes the case weights of the first rows of the data (survival 3.5-3's
        # indexing, reproduced; the "(weights)" column has the right ones)
        piece[f"{prefix}wt"] = wt * w_user[rows]
        if count is not None:
            piece[_make_name(count)] = add
        pieces.append(piece)
    if not pieces:
        raise InvalidArgument(f"no {states[enum - 1]!r} event in the data: R's finegray has no rows to bind "
                              "(R fails)", kind="event.values")
    out = pd.concat(pieces, ignore_index=True)
    out.attrs["event"] = states[enum - 1]
    return out


def _split(tstart: np.ndarray, tstop: np.ndarray, ctime: np.ndarray, cprob: np.ndarray, extend: np.ndarray,
           keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """finegray.c: each row as it is, or, when ``extend``, carried to the end
    of its censoring interval and then once more for each later interval that
    ``keep`` marks, weighted ``cprob[j] / cprob[first]``."""
    ncut = cprob.size
    rows: list[int] = []
    start: list[float] = []
    end: list[float] = []
    wt: list[float] = []
    add: list[int] = []
    for i in range(tstart.size):
        rows.append(i)
        start.append(float(tstart[i]))
        end.append(float(tstop[i]))
        wt.append(1.0)
        add.append(0)
        if extend[i]:
            j = 0
            while j < ncut and ctime[j] < tstop[i]:
                j += 1
            end[-1] = float(ctime[j])
            tempwt = cprob[j]
            iadd = 0
            for jj in range(j + 1, ncut):
                if keep[jj]:
                    iadd += 1
                    rows.append(i)
                    start.append(float(ctime[jj - 1]))
                    end.append(float(ctime[jj]))
                    wt.append(float(cprob[jj] / tempwt))
                    add.append(iadd)
    return (np.asarray(rows, dtype=np.int64), np.asarray(start), np.asarray(end), np.asarray(wt),
            np.asarray(add, dtype=np.int64))


def _strata(frame: Any, strata_vars: set, n: int) -> tuple[np.ndarray, int]:
    """``as.numeric(strata)``: a stratum number per row (1-based)."""
    if not strata_vars:
        return np.ones(n, dtype=np.int64), 1
    cols = []
    for j in sorted(strata_vars):
        v = frame.variables[j]
        if v.kind == "numeric":
            cols.append(pd.Series(v.values))
        else:
            cols.append(pd.Series(pd.Categorical.from_codes(v.codes, list(v.levels))))
    if len(cols) == 1:
        s = cols[0]
        cat = s.cat if isinstance(s.dtype, pd.CategoricalDtype) else pd.Series(pd.Categorical(s)).cat
        codes = np.asarray(cat.codes) + 1
        return codes.astype(np.int64), int(len(cat.categories))
    combo = pd.Series(list(zip(*[c.astype(object) for c in cols])))
    uniq = sorted(set(combo.tolist()), key=lambda tup: tuple(
        (list(c.cat.categories).index(x) if isinstance(c.dtype, pd.CategoricalDtype) else x)
        for c, x in zip(cols, tup)))
    lookup = {u: k + 1 for k, u in enumerate(uniq)}
    return np.array([lookup[x] for x in combo.tolist()], dtype=np.int64), len(uniq)


def _covariates(frame: Any, strata_vars: set, weighted: bool, w_user: np.ndarray) -> pd.DataFrame:
    """``mf[, -1]``: the formula's variables by their R names, without the
    strata; R's model frame also holds ``(weights)``."""
    mf = frame.formula
    out = {}
    for j, v in enumerate(frame.variables):
        if j in strata_vars:
            continue
        if v.kind in ("numeric",):
            out[mf.variable_label(j)] = np.asarray(v.values)
        else:
            out[mf.variable_label(j)] = pd.Categorical.from_codes(np.asarray(v.codes), list(v.levels))
    if weighted:
        out["(weights)"] = w_user
    return pd.DataFrame(out)


def _weights(weights: Any, data: Any, rows: np.ndarray) -> np.ndarray:
    if isinstance(weights, str):
        if weights not in data.columns:
            raise InvalidArgument(f"`weights`={weights!r} is not a column of `data`", kind="weights.type")
        w = np.asarray(data[weights], dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
    if w.size != len(data):
        raise InvalidArgument(f"`weights` must have one value per row of `data`; got {w.size}", kind="lengths")
    return w[rows]


def _make_name(name: str) -> str:
    """R's ``make.names`` for the usual cases: invalid characters become dots,
    a leading digit or dot-digit gets an ``X``."""
    import re

    s = re.sub(r"[^A-Za-z0-9._]", ".", name)
    if not s or re.match(r"^([0-9]|\.[0-9])", s):
        s = "X" + s
    return s
