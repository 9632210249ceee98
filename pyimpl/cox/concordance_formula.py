"""``concordance(y ~ x, data)`` on its own: survival's ``concordance.formula``
and ``concordancefit`` (survival 3.5-3, ``concordance.R``).

The model frame is R's: the response a ``Surv()`` (right-censored or
``(start, stop]``) or a plain numeric, logical or two-level/ordered factor
variable (``Surv(y)``: every row an event), one predictor column,
``strata()`` terms, a ``cluster()`` term or argument, weights, ``subset``,
rows with a missing value dropped (``na.omit``). Times are ``aeqSurv``-ed.
Each stratum is counted on its own (R's ``docount``) with ``timewt = "n"``
by the walk of :mod:`.cindex`; the counts are summed, ``somer = (concordant
- discordant) / npair``, C = (somer + 1) / 2, and the infinitesimal-jackknife
dfbeta of each row, summed by cluster, gives ``var = sum(dfbeta^2) / 4``.
``reverse`` swaps concordant and discordant; ``keepstrata`` keeps each
stratum's counts; ``influence`` 1 or 3 returns the dfbeta / 2, 2 or 3 each
row's five counts.

``timewt`` ("n", "S", "S/G", "n/G2", "I") weights each event time's
comparisons by R's fastkm.c quantities (right-censored data; on (start,
stop] data "S/G" and "n/G2" are R's refusal and "S" and "I" abort survival
3.5-3, refused in every engine); ``ymin`` raises the times below it (a
censored one is R's error), ``ymax`` gives the events after it no weight.
Several predictors: R refuses them (pyimpl too): "Only one predictor
variable allowed".
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import Concordance

from .._rmath import r_sum
from ..formula import combine
from ..formula.frame import as_series, column_or_values, complete_frame, model_frame, response_start
from ..survival.surv import read_surv
from ..survival.timefix import aeq_counting, aeq_surv
from ._order import dense_rank
from .cindex import _tied_y_rows, concordancefit
from .formula import formula_design

__all__ = ["concordance_formula"]

TIMEWT = ("n", "S", "S/G", "n/G2", "I")


def _plain_response(t, where: str) -> np.ndarray:
    """A response that is not Surv(): numbers, logicals (0/1), an ordered or
    two-level factor (its codes), as concordance.formula reads them."""
    if t.kind == "numeric":
        return np.asarray(t.values, dtype=float)
    if t.kind == "logical":
        # concordance.formula turns a logical into numbers but not into Surv(), then aeqSurv() fails
        raise InvalidArgument(f"`formula` response {where!r} is logical: R's concordance.formula fails on it "
                              "(R: 'argument is not a Surv object'); give it as numbers", kind="formula.response")
    if t.kind == "factor" and len(t.levels) == 2:
        return np.where(t.codes < 0, np.nan, t.codes + 1.0)
    raise InvalidArgument(f"`formula` response {where!r}: the left hand side must be a numeric vector, a "
                          "survival object or an orderable factor (R's error)", kind="formula.response")


def concordance_formula(formula: str, data: Any, *, weights: Any = None, subset: Any = None, cluster: Any = None,
                        timewt: str = "n", influence: int | bool = 0, ranks: bool = False, reverse: bool = False,
                        keepstrata: bool | int = 10, ymin: Any = None, ymax: Any = None) -> Concordance:
    """``concordance(formula, data, weights=, subset=, cluster=, timewt=,
    influence=, reverse=, keepstrata=)`` (see the module)."""
    if timewt not in TIMEWT:
        raise InvalidArgument(f"`timewt` must be one of {list(TIMEWT)} (R: 'arg' should be one of ...); got "
                              f"timewt={timewt!r}", kind="timewt.value")
    if ymin is not None and not _one_number(ymin):
        raise InvalidArgument(f"`ymin` must be one number (R: 'ymin must be numeric'); got ymin={ymin!r}",
                              kind="ymin.value")
    if ymax is not None and not _one_number(ymax):
        raise InvalidArgument(f"`ymax` must be one number (R: 'ymax must be numeric'); got ymax={ymax!r}",
                              kind="ymax.value")
    if not isinstance(reverse, (bool, np.bool_)):
        raise InvalidArgument(f"`reverse` must be True or False (R: 'the reverse argument must be TRUE/FALSE'); got "
                              f"reverse={reverse!r}", kind="reverse.type")
    influence = checked_options(influence, keepstrata)
    frame = model_frame(formula, data, subset)
    mf = frame.formula
    if mf.response is None:
        raise InvalidArgument("`formula` needs a response: y ~ x", kind="formula.response")
    if mf.offsets:
        raise InvalidArgument("`formula` has an offset() term (R: 'Offset terms not allowed')", kind="formula.special")
    w = column_or_values(weights, frame, "weights", data)
    given_cluster = None if mf.cluster is not None else column_or_values(cluster, frame, "cluster", data)
    frame = complete_frame(frame, [w, given_cluster])
    n0 = len(frame.data)
    design = formula_design(mf, frame.variables, n0)
    if design.x.shape[1] != 1:
        raise InvalidArgument(f"`formula` gives {design.x.shape[1]} predictor columns {list(design.names)}; "
                              "concordance takes one (R: 'Only one predictor variable allowed')",
                              kind="formula.terms")
    x = np.asarray(design.x[:, 0], dtype=float)
    start = None
    if mf.response.surv:
        start, time, status = surv_response(frame)
    else:
        time = _plain_response(frame.response[0], frame.response[0].name)
        status = np.ones(n0)
        timewt = "n"  # concordance.formula: a response that is not Surv() has no time weighting
    if start is not None:
        counting_timewt(timewt, status)
    strata = labels = None
    if mf.strata:
        st = combine([frame.variables[i] for i in mf.strata], "strata")
        strata, labels = np.asarray(st.codes), st.levels
    cl_term = frame.variables[mf.cluster] if mf.cluster is not None else None
    clus = None
    if cl_term is not None:
        clus = np.asarray(as_series(cl_term).astype(object))
    elif given_cluster is not None:
        clus = np.asarray(given_cluster, dtype=object)
    wv = None if w is None else np.asarray(w, dtype=float)
    # na.omit over everything the frame reads
    ok = ~np.isnan(time) & ~np.isnan(status) & ~np.isnan(x)
    if start is not None:
        ok &= ~np.isnan(start)
    if strata is not None:
        ok &= strata >= 0
    if wv is not None:
        ok &= ~np.isnan(wv)
    if clus is not None:
        ok &= np.array([c is not None and c == c for c in clus])
    for t in frame.unused:
        ok &= ~t.missing
    ok &= ~frame.na_rows
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        raise InvalidArgument("no rows left after removing missing values (R: 'No (non-missing) observations')",
                              kind="data.empty")
    time, status, x = time[idx], status[idx], x[idx]
    start = None if start is None else start[idx]
    strata = None if strata is None else strata[idx]
    wv = None if wv is None else wv[idx]
    clus = None if clus is None else clus[idx]
    if wv is not None and np.any(wv < 0):
        raise InvalidArgument("`weights` must be non-negative", kind="weights.negative")
    if start is not None:
        start, time = aeq_counting(start, time)
    else:
        time = aeq_surv(time)
    if ymin is not None:
        # concordancefit: a censored time below ymin is an error, every time below it becomes ymin
        low = (status == 0) & (time < ymin)
        if low.any():
            raise InvalidArgument(f"`ymin`={ymin!r} is above a censored time ({time[low].min():g}) (R: 'data has a "
                                  "censored value less than ymin')", kind="ymin.value")
        time = np.maximum(time, float(ymin))
    return _counted(time, status, x, start, strata, wv, clus, influence, bool(reverse), keepstrata, timewt,
                    bool(ranks), labels, ymax=None if ymax is None else float(ymax))


def surv_response(frame: Any, rows: Any = None) -> tuple[Any, np.ndarray, np.ndarray]:
    """(start or None, time, status) of a model frame's ``Surv()`` response,
    read as ``Surv()`` reads it (a 1/2 status is 0/1); ``rows``: some rows only."""
    start = response_start(frame)
    take = (lambda s: s) if rows is None else (lambda s: s.iloc[rows])
    sd = read_surv(take(as_series(frame.response[1 if start is not None else 0])),
                   None if frame.formula.response.event is None else take(as_series(frame.response[-1])))
    if rows is not None and start is not None:
        start = start[rows]
    return start, sd.time, sd.status


def counting_timewt(timewt: str, status: np.ndarray) -> None:
    """concordancefit's time weights on (start, stop] data: "S/G" and "n/G2"
    are R's refusal; "S" and "I" crash survival 3.5-3 (its C code, once two
    events make it compute them): both refused, the R engine's guard says the same."""
    if timewt in ("S/G", "n/G2"):
        raise InvalidArgument(f"`timewt`={timewt!r} is not defined for (start, stop] data (R: '{timewt} timewt "
                              "option not supported for (time1, time2) data')", kind="timewt.value")
    if timewt in ("S", "I") and np.nansum(status) >= 2:
        raise InvalidArgument(f"`timewt`={timewt!r} on (start, stop] data: survival 3.5-3's concordance crashes "
                              "(a fault of its C code, R aborts), so no engine answers it", kind="timewt.value")


def checked_options(influence: Any, keepstrata: Any) -> Any:
    """concordancefit's influence (a number; TRUE is 1) and keepstrata
    (logical or numeric), for a fit's concordance and the formula's alike."""
    if isinstance(influence, (bool, np.bool_)):
        influence = int(influence)
    if not isinstance(influence, (int, float, np.integer, np.floating)) or np.isnan(influence):
        raise InvalidArgument(f"`influence` must be a number (R: 0, 1, 2 or 3); got influence={influence!r}",
                              kind="influence.value")
    if not isinstance(keepstrata, (bool, np.bool_, int, float, np.integer, np.floating)):
        raise InvalidArgument("`keepstrata` must be logical or numeric (R: 'keepstrat argument must be logical "
                              f"or numeric'); got keepstrata={keepstrata!r}", kind="keepstrata.value")
    return influence


def _one_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _time_weights(time: np.ndarray, status: np.ndarray, x: np.ndarray, w: np.ndarray, timewt: str) -> np.ndarray:
    """Each row's time weight (read at the events), as docount computes it
    from fastkm.c's S(t-), G(t-) and number at risk at the event times: "S"
    ``sum(w) S / nrisk``, "S/G" ``sum(w) S / (G nrisk)``, "n/G2" ``1 / G^2``,
    "I" ``1 / nrisk``. The walk is R's ``order(-time, status, x)``: running
    weights from the last time; S falls at each event time, G at each
    censoring time (after the events at that time)."""
    n = time.size
    out = np.ones(n)
    order = np.lexsort((x, status, -time))
    ts, ds, ws = time[order], status[order], w[order]
    ncount = np.cumsum(ws)
    dcount = np.zeros(n)
    ccount = np.zeros(n)
    block = np.flatnonzero(np.append(True, ts[1:] != ts[:-1]))
    ends = np.append(block[1:], n)
    for a, b in zip(block.tolist(), ends.tolist()):  # weights of deaths and censors so far in each time's block
        dcount[a:b] = np.cumsum(np.where(ds[a:b] > 0, ws[a:b], 0.0))
        ccount[a:b] = np.cumsum(np.where(ds[a:b] == 0, ws[a:b], 0.0))
    stemp = gtemp = 1.0
    tw_at: dict[float, float] = {}
    total = float(r_sum(w))
    dfirst = cfirst = True
    dtime = ctime = np.nan
    for i in range(n - 1, -1, -1):  # earliest time to last
        if ds[i] == 1 and (dfirst or ts[i] != dtime):
            dtime, dfirst = ts[i], False
            nrisk, S, G = ncount[i], stemp, gtemp
            if timewt == "S":
                tw = total * S / nrisk
            elif timewt == "S/G":
                tw = total * S / (G * nrisk)
            elif timewt == "n/G2":
                tw = 1 / (G * G)
            else:  # "I"
                tw = 1 / nrisk
            tw_at[float(dtime)] = tw
            stemp = stemp * (ncount[i] - dcount[i]) / ncount[i]
        if ds[i] == 0 and (cfirst or ts[i] != ctime):
            ctime, cfirst = ts[i], False
            gtemp = gtemp * (ncount[i] - ccount[i]) / ncount[i]
    ev = np.flatnonzero(status > 0)
    out[ev] = [tw_at[float(t)] for t in time[ev]]
    if not np.all(np.isfinite(out[ev])):
        raise InvalidArgument("the time weights are not finite (R: 'program error, notify author')",
                              kind="timewt.value")
    return out


def _ranks(time: np.ndarray, status: np.ndarray, x: np.ndarray, w: np.ndarray, tw: np.ndarray) -> np.ndarray:
    """concordance3.c's residuals (``ranks = TRUE``): for each event, once
    the events at its time are in the risk set, ``(greater - less) / total``
    of the risk set's weight by x, the total times the time weight, and its
    case weight; rows by time, tied events in the reverse of R's walk order."""
    from .cindex import _range_dominance, _walk_order, walk_plan

    plan = walk_plan(time, status, np.zeros(time.size, dtype=np.int8))
    xr, K = dense_rank(x)
    order = _walk_order(plan, xr)
    rs = xr[order].astype(np.int32)
    ws = w[order]
    di = plan.di
    s, e = plan.sstart[di], plan.ins[di] + 1  # the risk set with the events at the time: time >= t
    less, eq = _range_dominance(rs, ws, s, e, rs[di], max(1, int(K - 1).bit_length()))
    cw = np.concatenate(([0.0], np.cumsum(ws)))
    total = cw[e] - cw[s]
    greater = total - less - eq
    rows = order[di]
    out = np.column_stack([time[rows], (greater - less) / total, total * tw[rows], w[rows]])[::-1]
    return out[out[:, 2] > 0]


def _counting_ranks(start: np.ndarray, stop: np.ndarray, status: np.ndarray, x: np.ndarray, w: np.ndarray,
                    tw: np.ndarray) -> np.ndarray:
    """concordance4.c's residuals (``ranks = TRUE``) on (start, stop] data:
    for each event, with the events at its time in the risk set (stop >= t)
    and the rows entering at or after t out of it (start >= t),
    ``(greater - less) / total`` of the risk set's weight by x, the total
    times the time weight, and its case weight; rows by time, the events at
    one time in the reverse of R's walk (``order(-stop, status, x)``)."""
    from ._order import dense_rank
    from .cindex import _range_dominance

    di = np.flatnonzero(status > 0)
    di = di[np.lexsort((x[di], -stop[di]))]  # R's walk over the events
    xr, K = dense_rank(x)
    nbits = max(1, int(K - 1).bit_length())
    o2 = np.argsort(-stop, kind="stable")
    o1 = np.argsort(-start, kind="stable")
    t = stop[di]
    e2 = np.searchsorted(-stop[o2], -t, side="right")  # the rows with stop >= t
    e1 = np.searchsorted(-start[o1], -t, side="right")  # the rows with start >= t
    zero = np.zeros(di.size, dtype=np.intp)
    less2, eq2 = _range_dominance(xr[o2], w[o2], zero, e2, xr[di], nbits)
    less1, eq1 = _range_dominance(xr[o1], w[o1], zero, e1, xr[di], nbits)
    cw2 = np.concatenate(([0.0], np.cumsum(w[o2])))
    cw1 = np.concatenate(([0.0], np.cumsum(w[o1])))
    total = cw2[e2] - cw1[e1]
    less, eq = less2 - less1, eq2 - eq1
    greater = total - less - eq
    out = np.column_stack([t, (greater - less) / total, total * tw[di], w[di]])[::-1]
    return out[out[:, 2] > 0]


def _counted(time, status, x, start, strata, w, cluster, influence: float, reverse: bool, keepstrata,
             timewt: str = "n", ranks: bool = False, strata_labels=None, ymax: float | None = None) -> Concordance:
    """concordancefit from the response, predictor, strata, weights and cluster;
    ``ymax``: the events after it weigh 0 (docount's ``timewt[etime > ymax] <- 0``)."""
    from .counting import counting_concordance

    n = time.size
    codes = strata
    groups = [np.arange(n)] if codes is None else [np.flatnonzero(codes == k) for k in np.unique(codes)]
    nstrat = len(groups)
    keep = bool(keepstrata) if isinstance(keepstrata, (bool, np.bool_)) else nstrat <= float(keepstrata)
    counts = np.zeros((nstrat, 5))
    imat = np.zeros((n, 5))
    twall = np.ones(n)
    rank_parts: list[np.ndarray] = []
    rank_strata: list[int] = []
    for g, rows in enumerate(groups):
        out: dict = {}
        ws = None if w is None else w[rows]
        if status[rows].sum() == 0:  # docount: a stratum without events counts nothing
            continue
        if start is not None:
            # timewt "n" (survival 3.5-3 crashes on the others: refused before), ymax zeroes the later events
            tw = None
            if ymax is not None:
                tw = np.ones(rows.size) if tw is None else tw.copy()
                tw[(status[rows] > 0) & (time[rows] > ymax)] = 0.0
            if tw is not None:
                twall[rows] = tw
            counting_concordance(start[rows], time[rows], status[rows], x[rows], None, ws, None, rows_out=out,
                                 timewt=tw)
        else:
            # docount: with fewer than 2 events every time weighting is "n"
            tw = None if timewt == "n" or status[rows].sum() < 2 else \
                _time_weights(time[rows], status[rows], x[rows], np.ones(rows.size) if ws is None else ws, timewt)
            if ymax is not None:
                tw = np.ones(rows.size) if tw is None else tw.copy()
                tw[(status[rows] > 0) & (time[rows] > ymax)] = 0.0
            if tw is not None:
                twall[rows] = tw
            concordancefit(time[rows], status[rows], x[rows], None, ws, None, rows_out=out, timewt=tw)
        counts[g] = out["count"]
        imat[rows, :3] = out["rows"]
        if ranks:
            wr = np.ones(rows.size) if ws is None else ws
            rk = _ranks(time[rows], status[rows], x[rows], wr, twall[rows]) if start is None else \
                _counting_ranks(start[rows], time[rows], status[rows], x[rows], wr, twall[rows])
            rank_parts.append(rk)
            rank_strata += [g] * rk.shape[0]
    ty, txy = _tied_y_rows(time, status, codes, x, np.ones(n) if w is None else w,
                           None if timewt == "n" and ymax is None else twall)
    imat[:, 3], imat[:, 4] = ty, txy
    count2 = counts.sum(axis=0) if nstrat > 1 else counts[0]
    npair = r_sum(count2[:3])
    with np.errstate(divide="ignore", invalid="ignore"):
        somer = (count2[0] - count2[1]) / npair
        rowsum = (imat[:, 0] + imat[:, 1]) + imat[:, 2]
        dfbeta = (np.ones(n) if w is None else w) * ((imat[:, 0] - imat[:, 1]) / npair - (somer / npair) * rowsum)
    if cluster is not None:
        # tapply(dfbeta, cluster, sum): the groups in the order of factor(cluster)'s levels
        try:
            labels = np.asarray(cluster, dtype=float)
        except (TypeError, ValueError):
            labels = np.array([str(c) for c in cluster], dtype=object)
        _, inv = np.unique(labels, return_inverse=True)
        dfbeta = np.bincount(inv.reshape(-1), weights=dfbeta)
        dfbeta = np.where(np.isnan(dfbeta), 0.0, dfbeta)
    var = r_sum(dfbeta * dfbeta) / 4
    conc = (somer + 1) / 2
    order = [1, 0, 2, 3, 4] if reverse else [0, 1, 2, 3, 4]
    c = count2[order]
    res = Concordance(c=float(1 - conc if reverse else conc), std=float(np.sqrt(var)), concordant=float(c[0]),
                      discordant=float(c[1]), tied_x=float(c[2]), tied_y=float(c[3]), tied_xy=float(c[4]), n=n)
    extra: dict = {}
    if keep and nstrat > 1:
        extra["count_strata"] = counts[:, order]
    if influence in (1, 3):
        extra["dfbeta"] = (-(dfbeta / 2)) if reverse else dfbeta / 2
    if influence >= 2:
        extra["influence"] = imat[:, order]
    if ranks:
        rk = np.concatenate(rank_parts) if rank_parts else np.zeros((0, 4))
        if reverse:
            rk[:, 1] = -rk[:, 1]
        extra["ranks"] = rk
        if nstrat > 1:
            present = np.unique(codes)
            names = [strata_labels[int(present[g])] if strata_labels is not None else str(g) for g in rank_strata]
            extra["ranks_strata"] = tuple(names)
    return dataclasses.replace(res, **extra) if extra else res
