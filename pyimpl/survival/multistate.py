"""Competing risks curves: ``survival::survfit(Surv(time, event) ~ groups)``
with ``event`` a factor (multi-state right-censored data, Surv type
"mright"), as ``survfit.formula`` -> ``survfitCI`` -> ``docurve2`` ->
``survfitci.c`` of survival 3.5-3.

* ``Surv(time, factor)``: the first level is censoring, each other level a
  state (``"each state must have a non-blank name"``); every subject starts
  in ``"(s0)"`` (survcheck2's ``istate0``), so the states are
  ``("(s0)", *levels[1:])``.
* ``na.omit`` on the model frame, ``aeqSurv`` (timefix) on the whole data,
  then a curve per group (``strata(groups)``, the groups that occur).
* ``p0``: the weighted share of each state among the subjects at risk at the
  first event time (all in "(s0)" here), or the one given; its influence
  (``sp0``) is 0 then.
* the Aalen-Johansen loop (:mod:`.aj`) and ``survfit_confint(pstate,
  std.err, logse = FALSE)``.

R's own refusals are repeated with its words; ``Surv(start, stop, factor)``
needs an ``id`` in R ("an id statement is required for start,stop data"), an
argument this function does not have, so it is refused the same way.
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survfit_ms_form
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.multistate import SurvFitMS
from rparity_contract.values import CONF_TYPES

from .._validate import as_choice, show
from .aj import AJCurve, aalen_johansen
from .confint import survfit_confint
from .inputs import _weights
from .surv import numeric_or_nan
from .timefix import tie_codes

__all__ = ["survfit_ms"]

#: survcheck2's name of the initial state
S0 = "(s0)"


def survfit_ms(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
               conf_int: Any = 0.95, se_fit: bool = True, start_time: Any = None, p0: Any = None) -> SurvFitMS:
    """Aalen-Johansen curves of competing risks, as ``survfit(Surv(time, event)
    ~ groups, data=, subset=, weights=, conf.type=, conf.int=, se.fit=,
    start.time=, p0=)`` with ``event`` a factor (survival 3.5-3).

    Two forms: ``survfit_ms("Surv(time, status) ~ sex", data=frame)`` (a curve
    per group; ``status`` a categorical column) and ``survfit_ms(time, event,
    weights=)`` (one curve).

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
        Compute the standard errors (the infinitesimal jackknife).
    start_time : float, optional
        Rows with a time before it are dropped.
    p0 : sequence of float, optional
        Initial state probabilities, one per state, adding to 1.

    Returns
    -------
    SurvFitMS
    """
    warns: list[str] = []
    group = None
    if survfit_ms_form(time, event, data, subset):
        from .formula import survfit_arrays

        a = survfit_arrays(time, data, subset, weights)
        if a.start is not None:
            raise InvalidArgument("Surv(start, stop, event) with a factor event is multi-state (start, stop] data: "
                                  "R needs an id for it (R: 'an id statement is required for start,stop data')",
                                  kind="id.missing")
        time, event, weights, group = a.time, a.event, a.weights, a.group
        warns += a.warnings
    t = numeric_or_nan(time, "time", "time.type")
    codes, states = _factor_status(event, t.size)
    w = _weights(weights, t.size)
    keep = ~np.isnan(t) & (codes >= 0)
    if w is not None:
        keep &= ~np.isnan(w)
    if group is not None:
        keep &= ~pd.isna(group).to_numpy()
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise InvalidArgument("no rows left once those with a missing value are dropped (R: 'data set has no "
                              "non-missing observations')", kind="data.empty")
    t, status = t[rows], codes[rows]
    w = np.ones(rows.size) if w is None else w[rows]
    conf_type, conf_int = _conf(conf_type, conf_int)
    if not isinstance(se_fit, (bool, np.bool_)):
        raise InvalidArgument(f"`se_fit` must be True or False; got se_fit={se_fit!r}", kind="se_fit.type")
    tcodes, utimes = tie_codes(t)
    t = utimes[tcodes]  # aeqSurv, on the whole data before the split
    if group is not None:
        g = pd.Categorical(group.iloc[rows])
        gcodes, glevels = np.asarray(g.codes), list(g.categories)
    else:
        gcodes, glevels = np.zeros(rows.size, dtype=np.intp), ["1"]
    time0 = None
    if start_time is not None:
        time0 = _start_time(start_time)
        stay = t >= time0
        if not stay.any():
            raise InvalidArgument(f"`start_time`={show(start_time)} is after every time (R: 'start.time has "
                                  "removed all observations')", kind="start_time.value")
        t, status, w, gcodes = t[stay], status[stay], w[stay], gcodes[stay]
    present = sorted(set(gcodes.tolist()))  # strata(): the groups that occur
    if len(present) < 2:
        glevels, curves_of = ["1"], [np.arange(t.size)]
    else:
        curves_of = [np.flatnonzero(gcodes == c) for c in present]
        glevels = [glevels[c] for c in present]
    all_states = (S0, *states)
    nstate = len(all_states)
    given_p0 = None if p0 is None else _p0(p0, nstate)
    entry0 = min(0.0, float(np.min(t))) - 1  # survfitCI: t0 <- min(0, Y[, 1]); entry <- t0 - 1
    fits, p0s = [], []
    for rows_c in curves_of:
        tc, sc, wc = t[rows_c], status[rows_c], w[rows_c]
        start_p = _initial_p(tc, sc, wc, nstate) if given_p0 is None else given_p0
        m = tc.size
        # survfitCI's smap: a status k > 0 becomes the 1-based position of state k in ("(s0)", ...), k + 1
        fits.append(aalen_johansen(np.full(m, entry0), tc, np.where(sc == 0, 0, sc + 1), np.zeros(m, dtype=np.intp),
                                   wc, np.arange(m), m, start_p, np.zeros((m, nstate)), bool(se_fit)))
        p0s.append(start_p)
    trans, ckeep, cnames = _transitions(status, all_states)
    fit = _assemble(fits, p0s, glevels if len(curves_of) > 1 else None, [len(r) for r in curves_of], all_states,
                    trans, ckeep, cnames, bool(se_fit), conf_type, conf_int, time0, warns)
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return fit


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


def _initial_p(t: np.ndarray, status: np.ndarray, w: np.ndarray, nstate: int) -> np.ndarray:
    """docurve2: the weighted share of each initial state among the rows at
    risk at the first event time (every row starts in "(s0)" here);
    ``tapply(...)/wtsum``, a state with no row giving 0."""
    t0 = np.max(t) if np.all(status == 0) else np.min(t[status != 0])
    at_zero = t >= t0  # entry (< every time) < t0 always
    wsum = np.float64(_r_sum(w[at_zero]))
    p = np.zeros(nstate)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = wsum / wsum  # tapply's sum over the "(s0)" rows, which are all of them
    p[0] = 0.0 if np.isnan(share) else share
    return p


def _r_sum(x: np.ndarray) -> float:
    """R's ``sum`` of doubles: a long double accumulator, in order."""
    return float(np.cumsum(x.astype(np.longdouble))[-1]) if x.size else 0.0


def _transitions(status: np.ndarray, states: tuple[str, ...]) -> tuple[pd.DataFrame, list, tuple[str, ...]]:
    """survcheck2's table of transitions (from "(s0)" to each state, and to
    "(censored)"), states never left nor entered dropped, empty columns
    dropped; and the (from, to) cells with a count, in R's ``which()`` order
    (column-major: by to-state, then from-state), named "from.to"."""
    nstate = len(states)
    counts = np.zeros((nstate, nstate + 1), dtype=np.int64)
    for s in status:
        counts[0, nstate if s == 0 else s] += 1
    never = counts.sum(axis=1) + counts[:, :nstate].sum(axis=0) == 0
    cols = counts.sum(axis=0) > 0
    table = pd.DataFrame(counts[~never][:, cols], index=pd.Index([states[i] for i in np.flatnonzero(~never)],
                                                                  name="from"),
                         columns=pd.Index([(*states, "(censored)")[j] for j in np.flatnonzero(cols)], name="to"))
    cells = [(fr, to) for to in range(nstate) for fr in range(nstate) if counts[fr, to] > 0]
    names = tuple(f"{fr + 1}.{to + 1}" for fr, to in cells)
    return table, [fr + to * nstate for fr, to in cells], names


def _assemble(fits: list[AJCurve], p0s: list[np.ndarray], labels: list[str] | None, sizes: list[int],
              states: tuple[str, ...], trans: pd.DataFrame, ckeep: list, cnames: tuple[str, ...], se_fit: bool,
              conf_type: str, conf_int: float, time0: float | None, warns: list[str]) -> SurvFitMS:
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
    return SurvFitMS(
        states=states,
        time=np.concatenate([f.time for f in fits]),
        n_risk=np.vstack([f.n_risk for f in fits]),
        n_event=np.vstack([f.n_event for f in fits]),
        n_censor=np.concatenate([f.n_censor for f in fits]),
        pstate=pstate, std_err=std_err, lower=lower, upper=upper,
        cumhaz=np.vstack([f.cumhaz[:, ckeep] for f in fits]),
        cumhaz_names=cnames,
        p0=np.vstack(p0s),
        sp0=np.zeros((len(fits), len(states))) if se_fit else None,
        transitions=trans,
        n=int(sum(sizes)),
        strata=strata,
        strata_n=tuple(sizes) if labels is not None else (),
        conf_type=conf_type, conf_int=conf_int, start_time=time0,
        warnings=tuple(warns),
    )

