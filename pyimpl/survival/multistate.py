"""Multi-state curves (Aalen-Johansen): ``survival::survfit(Surv(time, event)
~ groups)`` with ``event`` a factor (Surv type "mright": competing risks), and
``survfit(Surv(start, stop, event) ~ groups, id=, istate=)`` (type
"mcounting": subjects followed through any states), as ``survfit.formula``
-> ``survfitCI`` -> ``docurve2`` -> ``survfitci.c`` of survival 3.5-3.

* ``Surv(.., factor)``: the first level is censoring, each other level a
  state (``"each state must have a non-blank name"``); without ``istate``
  every subject starts in ``"(s0)"`` (survcheck2's ``istate0``).
* ``na.omit`` on the model frame (id, istate, cluster, weights included),
  ``aeqSurv`` (timefix) on the whole data, ``start.time``, then
  ``survcheck2`` (:mod:`.survcheck`: the states, each row's current state,
  the transitions; overlapping intervals, gaps and an istate other than the
  state the previous row ended in are R's error), the merge of censored rows
  inside a run of contiguous intervals, and a curve per group
  (``strata(groups)``, the groups that occur).
* ``docurve2``: ``p0``, the weighted share of each state among the rows at
  risk at the first event time, or the one given; with ``influence`` its
  influence ``i0`` starts the jackknife (so the standard errors then include
  it, as in R) and ``sp0 = sqrt(colSums(i0^2))``; 0 otherwise.
* the Aalen-Johansen loop (:mod:`.aj`), its jackknife grouped by ``id``
  (``cluster`` is accepted and unused, as in survfitCI; on large right-
  censored competing risks its closed form, within ~1e-13 of R), and
  ``survfit_confint(pstate, std.err, logse = FALSE)``.

R's own refusals are repeated with its words.
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survfit_ms_form
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.multistate import SurvFitMS
from rparity_contract.values import CONF_TYPES

from .._rformat import r_label
from .._validate import as_choice, check_lengths, label_codes, show
from .aj import AJCurve, aalen_johansen
from .confint import survfit_confint
from .inputs import _weights
from .surv import interval_stops, numeric_or_nan
from .survcheck import S0, Survcheck, merge_censored_runs, refuse_flags, survcheck
from .timefix import aeq_counting, tie_codes

__all__ = ["survfit_ms", "S0"]



def survfit_ms(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
               conf_int: Any = 0.95, se_fit: bool = True, start_time: Any = None, p0: Any = None, id: Any = None,
               istate: Any = None, cluster: Any = None, influence: Any = False) -> SurvFitMS:
    """Aalen-Johansen curves of multi-state data, as ``survfit(Surv(time,
    event) ~ groups, data=, subset=, weights=, id=, istate=, cluster=,
    influence=, conf.type=, conf.int=, se.fit=, start.time=, p0=)`` with
    ``event`` a factor (survival 3.5-3), or ``survfit(Surv(start, stop, event)
    ~ groups, data=, id=, istate=, ...)`` for (start, stop] data.

    Two forms: ``survfit_ms("Surv(time, status) ~ sex", data=frame)`` (a curve
    per group; ``status`` a categorical column) and ``survfit_ms(time, event,
    weights=)`` (one curve). (start, stop] data only in the formula form.

    Parameters
    ----------
    time : array-like or formula
        Follow-up times, or the formula.
    event : pandas Categorical (or a categorical Series)
        The status as R's factor: the first category is censoring, each other
        one a state entered at ``time``. A missing value drops the row.
    weights : array-like, optional
        Case weights (finite, >= 0; a missing weight drops the row).
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}
    conf_int : float or bool
        Level of the pointwise intervals; True is 0.95, False turns them off.
    se_fit : bool
        Compute the standard errors (the infinitesimal jackknife, grouped by
        ``id``).
    start_time : float, optional
        Rows with a (stop) time before it are dropped.
    p0 : sequence of float, optional
        Initial state probabilities, one per state, adding to 1.
    id : array-like or column name, optional
        Subject of each row; required for (start, stop] data.
    istate : array-like or column name, optional
        The state each row starts in (a Categorical's order gives the states'
        order); "(s0)" for every subject when not given.
    cluster : array-like or column name, optional
        Accepted and unused, as in survfitCI (its variance is grouped by id).
    influence : bool or {0, 1, 2, 3}
        Keep each subject's influence on ``pstate`` (any non-zero value):
        :attr:`SurvFitMS.influence_pstate`. It also adds the influence of the
        estimated ``p0`` to the standard errors, as R does.

    Returns
    -------
    SurvFitMS
    """
    warns: list[str] = []
    group = start = None
    if survfit_ms_form(time, event, data, subset):
        from .formula import survfit_arrays

        a = survfit_arrays(time, data, subset, weights, id, cluster, istate=istate)
        time, event, weights, group, start = a.time, a.event, a.weights, a.group, a.start
        id, cluster, istate = a.id, a.cluster, a.istate
        warns += a.warnings
    else:
        check_lengths(np.size(time), id=id, istate=istate, cluster=cluster)
    t = numeric_or_nan(time, "time", "time.type")
    codes, states = _factor_status(event, t.size)
    w = _weights(weights, t.size)
    if start is not None:
        start = np.asarray(start, dtype=float)
        t, found = interval_stops(start, t)  # Surv(): a stop not after its start is NA, with R's warning
        t = np.where(np.isnan(start), np.nan, t)
        warns += found
    keep = ~np.isnan(t) & (codes >= 0)
    if w is not None:
        keep &= ~np.isnan(w)
    if group is not None:
        keep &= ~pd.isna(group).to_numpy()
    for labels in (id, istate, cluster):  # model.frame's na.omit
        if labels is not None:
            keep &= label_codes(labels, "labels")[0] >= 0
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InvalidArgument("no rows left once those with a missing value are dropped (R: 'data set has no "
                              "non-missing observations')", kind="data.empty")
    t, status = t[rows], codes[rows]
    w = np.ones(rows.size) if w is None else w[rows]
    conf_type, conf_int = _conf(conf_type, conf_int)
    if not isinstance(se_fit, (bool, np.bool_)):
        raise InvalidArgument(f"`se_fit` must be True or False; got se_fit={se_fit!r}", kind="se_fit.type")
    infl = _influence_level(influence) > 0 and bool(se_fit)
    if start is not None:
        start, t = aeq_counting(start[rows], t)
    else:
        tcodes, utimes = tie_codes(t)
        t = utimes[tcodes]  # aeqSurv, on the whole data before the split
    if group is not None:
        g = pd.Categorical(group.iloc[rows])
        gcodes, glevels = np.asarray(g.codes), list(g.categories)
    else:
        gcodes, glevels = np.zeros(rows.size, dtype=np.intp), ["1"]
    ids = None if id is None else _take(id, rows)
    ist = None if istate is None else _take(istate, rows)
    time0 = None
    if start_time is not None:
        time0 = _start_time(start_time)
        stay = t >= time0
        if not stay.any():
            raise InvalidArgument(f"`start_time`={show(start_time)} is after every time (R: 'start.time has "
                                  "removed all observations')", kind="start_time.value")
        t, status, w, gcodes = t[stay], status[stay], w[stay], gcodes[stay]
        start = None if start is None else start[stay]
        ids = None if ids is None else _take(ids, np.flatnonzero(stay))
        ist = None if ist is None else _take(ist, np.flatnonzero(stay))
    if ids is None:
        if start is not None:
            raise InvalidArgument("Surv(start, stop, event) with a factor event is multi-state (start, stop] data: "
                                  "give `id`, the subject of each row (R: 'an id statement is required for "
                                  "start,stop data')", kind="id.missing")
        id_codes, id_labels = np.arange(t.size), [str(k + 1) for k in range(t.size)]  # id <- 1:n
    else:
        id_codes, levels = label_codes(ids, "id")  # as.factor(id)
        id_labels = [r_label(v) for v in levels]
    check = survcheck(start, t, status, states, id_codes, None if ist is None else _istate_factor(ist))
    refuse_flags(check)
    all_states = check.states
    nstate = len(all_states)
    given_p0 = None if p0 is None else _p0(p0, nstate)
    status, icur = check.status, check.istate
    if start is not None:
        merged = merge_censored_runs(start, t, status, id_codes, warns)
        if merged is not None:
            start, kept = merged
            t, status, w, gcodes, id_codes, icur = (t[kept], status[kept], w[kept], gcodes[kept], id_codes[kept],
                                                    icur[kept])
    present = sorted(set(gcodes.tolist()))  # strata(): the groups that occur
    if len(present) < 2:
        glevels, curves_of = ["1"], [np.arange(t.size)]
    else:
        curves_of = [np.flatnonzero(gcodes == c) for c in present]
        glevels = [glevels[c] for c in present]
    if start is None:
        entry = np.full(t.size, min(0.0, float(np.min(t))) - 1)  # survfitCI: t0 <- min(0, Y[, 1]); entry <- t0 - 1
    else:
        entry = start
    curves = [_docurve(entry[r], t[r], status[r], icur[r], w[r], id_codes[r], nstate, bool(se_fit), infl, given_p0,
                       start is None) for r in curves_of]
    fit = _assemble(curves, glevels if len(curves_of) > 1 else None, [len(r) for r in curves_of], all_states,
                    check, bool(se_fit), conf_type, conf_int, time0, warns, id_labels if infl else None)
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return fit


def _take(x: Any, rows: np.ndarray) -> Any:
    if isinstance(x, pd.Series):
        return x.iloc[rows].reset_index(drop=True)
    if isinstance(x, pd.Categorical):
        return x[rows]
    return np.asarray(x)[rows]


def _influence_level(influence: Any) -> int:
    """survfitCI's ``influence``: a logical (FALSE 0, TRUE 3) or one of 0..3."""
    if isinstance(influence, (bool, np.bool_)):
        return 3 if influence else 0
    if not isinstance(influence, numbers.Real):
        raise InvalidArgument(f"`influence` must be True/False or one of 0, 1, 2, 3 (R: 'influence argument must "
                              f"be numeric or logical'); got influence={influence!r}", kind="influence.value")
    if float(influence) not in (0.0, 1.0, 2.0, 3.0):
        raise InvalidArgument(f"`influence` must be True/False or one of 0, 1, 2, 3 (R: 'influence argument must "
                              f"be 0, 1, 2, or 3'); got influence={influence!r}", kind="influence.value")
    return int(float(influence))


def _istate_factor(ist: Any) -> tuple[np.ndarray, list[str]]:
    """survcheck2's ``istate[, drop = TRUE]`` (a factor) or ``as.factor(istate)``:
    codes and the level labels, unused levels dropped."""
    codes, levels = label_codes(ist, "istate")
    used = np.zeros(len(levels), dtype=bool)
    used[codes] = True
    remap = np.cumsum(used) - 1
    labels = [r_label(v) for v, u in zip(levels, used) if u]
    if any(lab == "" for lab in labels):
        raise InvalidArgument("`istate` has a blank state name (R: 'each state must have a non-blank name')",
                              kind="event.states")
    return remap[codes].astype(np.intp), labels


@dataclass(frozen=True)
class _Curve:
    fit: AJCurve
    p0: np.ndarray
    sp0: np.ndarray | None
    ids: np.ndarray  # the curve's subjects: codes of as.factor(id), sorted


def _docurve(entry: np.ndarray, etime: np.ndarray, status: np.ndarray, istate: np.ndarray, w: np.ndarray,
             idc: np.ndarray, nstate: int, se_fit: bool, influence: bool, given_p0: np.ndarray | None,
             right_censored: bool = False) -> _Curve:
    """survfitCI.R's ``docurve2`` for one curve: the subjects (sorted ids),
    each one's initial state (the istate of its first row by entry), ``p0``
    (the weighted share of each state among the rows at risk at the first
    event time, ``tapply(wt, istate, sum) / wtsum``), its influence ``i0``
    when ``influence`` (and no state has all of them), then survfitci.c
    (``right_censored``: no (start, stop] data, the closed-form std.err may
    apply, :mod:`.aj`)."""
    uid, index = np.unique(idc, return_inverse=True)
    nid = uid.size
    by_entry = np.lexsort((entry, index))  # order(id, entry)
    first = np.searchsorted(index[by_entry], np.arange(nid))
    cstate = istate[by_entry][first]
    t0 = np.max(etime) if np.all(status == 0) else np.min(etime[status != 0])
    at_zero = (entry < t0) & (etime >= t0)
    i0 = np.zeros((nid, nstate))
    if given_p0 is None:
        wtsum = _r_sum(w[at_zero])
        p = np.zeros(nstate)
        with np.errstate(divide="ignore", invalid="ignore"):
            for j in range(nstate):
                sel = at_zero & (istate == j)
                if sel.any():
                    p[j] = np.float64(_r_sum(w[sel])) / np.float64(wtsum)
        p[np.isnan(p)] = 0.0
        if influence and np.all(p < 1):
            who = index[at_zero]
            here = istate[at_zero]
            with np.errstate(divide="ignore", invalid="ignore"):
                for j in range(nstate):
                    i0[who, j] = ((here == j).astype(float) - p[j]) / wtsum
    else:
        p = given_p0
    # survfitCI's smap recode: status k > 0 is the k-th state (1-based), what survfitci.c reads
    fit = aalen_johansen(entry, etime, status, cstate, w, index, nid, p, i0, se_fit, influence, right_censored)
    sp0 = None
    if se_fit:
        sq = (i0 * i0).astype(np.longdouble)
        sp0 = np.sqrt(np.cumsum(sq, axis=0)[-1].astype(float)) if nid else np.zeros(nstate)
    return _Curve(fit, p, sp0, uid)


def _factor_status(event: Any, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Surv.R for a factor status: ``as.numeric(event) - 1`` (0 censored),
    the states ``levels(event)[-1]``; -1 marks a missing status."""
    if isinstance(event, pd.Series) and isinstance(event.dtype, pd.CategoricalDtype):
        cat = pd.Categorical(event)
    elif isinstance(event, pd.Categorical):
        cat = event
    else:
        arr = pd.Series(np.asarray(event, dtype=object) if not isinstance(event, pd.Series) else event)
        kinds = {type(v).__name__ for v in arr.tolist() if v is not None and not (isinstance(v, float) and
                                                                                    np.isnan(v))}
        if kinds & {"str", "str_"}:
            raise InvalidArgument("`event` is text: R's Surv() reads only a factor, a number or a logical (R: "
                                  "'Invalid status value, must be logical or numeric'); give a pandas Categorical "
                                  "whose first category is censoring", kind="event.type")
        raise InvalidArgument("`event` must be a factor (a pandas Categorical whose first category is censoring): "
                              "with a 0/1 status R's survfit gives a Kaplan-Meier curve, not competing risks "
                              "(use survfit)", kind="event.type")
    if len(cat) != n:
        raise InvalidArgument(f"`time` and `event` must have the same length (R: 'Time and status are different "
                              f"lengths'); got len(time)={n}, len(event)={len(cat)}", kind="lengths")
    levels = [str(c) for c in cat.categories]
    states = tuple(levels[1:])
    if not states:
        raise InvalidArgument(f"`event` has no state besides censoring (its categories: {levels!r}); R's survcheck2 "
                              "fails on it (R: ''x' must be an array of at least two dimensions')",
                              kind="event.states")
    if any(s == "" for s in states):
        raise InvalidArgument(f"`event` has a blank state name among its categories {levels!r} (R: 'each state "
                              "must have a non-blank name')", kind="event.states")
    return np.asarray(cat.codes, dtype=np.int64), states


def _conf(conf_type: Any, conf_int: Any) -> tuple[str, float]:
    conf_type = as_choice(conf_type, "conf_type", CONF_TYPES, partial=True)
    if isinstance(conf_int, (bool, np.bool_)):
        if not conf_int:  # survfitCI: a logical FALSE turns the intervals off, and means 0.95
            conf_type = "none"
        return conf_type, 0.95
    if isinstance(conf_int, (numbers.Real, np.floating, np.integer)):
        return conf_type, float(conf_int)
    raise InvalidArgument(f"`conf_int` must be a number (the level of the intervals, 0.95) or True/False; got "
                          f"conf_int={conf_int!r}", kind="conf_int.value")


def _start_time(x: Any) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.floating, np.integer)) \
            or not np.isfinite(float(x)):
        raise InvalidArgument(f"`start_time` must be one finite number (R: 'start.time must be a single numeric "
                              f"value'); got start_time={x!r}", kind="start_time.value")
    return float(x)


def _p0(p0: Any, nstate: int) -> np.ndarray:
    try:
        arr = np.asarray(p0, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`p0` must be numbers, one per state; got p0={p0!r}", kind="p0.value") from None
    if arr.size != nstate:
        raise InvalidArgument(f"`p0` must have one value per state ({nstate}); got {arr.size} (R: 'wrong length "
                              "for p0')", kind="p0.value")
    if abs(1 - np.sum(arr)) > np.sqrt(np.finfo(float).eps) or np.isnan(arr).any():
        raise InvalidArgument(f"`p0` must add to 1; got a sum of {show(float(np.sum(arr)))} (R: 'p0 must be a "
                              "numeric vector that adds to 1')", kind="p0.value")
    return arr


def _r_sum(x: np.ndarray) -> float:
    """R's ``sum`` of doubles: a long double accumulator, in order."""
    return float(np.cumsum(x.astype(np.longdouble))[-1]) if x.size else 0.0


def _assemble(curves: list[_Curve], labels: list[str] | None, sizes: list[int], states: tuple[str, ...],
              check: Survcheck, se_fit: bool, conf_type: str, conf_int: float, time0: float | None,
              warns: list[str], id_labels: list[str] | None) -> SurvFitMS:
    fits = [c.fit for c in curves]
    pstate = np.vstack([f.pstate for f in fits])
    std_err = np.vstack([f.std_err for f in fits if f.std_err is not None]) if se_fit else None
    lower = upper = None
    if se_fit and conf_type != "none":
        assert std_err is not None
        lower, upper = survfit_confint(pstate, std_err, False, conf_type, conf_int, np.zeros_like(std_err),
                                       warns=warns)
    strata = None
    if labels is not None:
        strata = tuple(lab for lab, f in zip(labels, fits) for _ in range(f.time.size))
    infl = ids = None
    if id_labels is not None:
        infl = tuple(f.influence for f in fits if f.influence is not None)
        ids = tuple(tuple(id_labels[k] for k in c.ids) for c in curves)
    return SurvFitMS(
        states=states,
        time=np.concatenate([f.time for f in fits]),
        n_risk=np.vstack([f.n_risk for f in fits]),
        n_event=np.vstack([f.n_event for f in fits]),
        n_censor=np.concatenate([f.n_censor for f in fits]),
        pstate=pstate, std_err=std_err, lower=lower, upper=upper,
        cumhaz=np.vstack([f.cumhaz[:, check.cells] for f in fits]),
        cumhaz_names=check.cell_names,
        p0=np.vstack([c.p0 for c in curves]),
        sp0=np.vstack([c.sp0 for c in curves if c.sp0 is not None]) if se_fit else None,
        transitions=check.transitions,
        n=int(sum(sizes)),
        strata=strata,
        strata_n=tuple(sizes) if labels is not None else (),
        conf_type=conf_type, conf_int=conf_int, start_time=time0,
        influence_pstate=infl, influence_ids=ids,
        warnings=tuple(warns),
    )
