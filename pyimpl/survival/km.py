"""Kaplan-Meier: ``survival::survfit(Surv(time, event) ~ groups)`` and
``survfit(Surv(start, stop, event) ~ groups)``.

Follows ``survfitKM.R`` and ``src/survfitkm.c`` of survival 3.5-3:

* rows are the unique (stop) times after ``timefix``, censored times included
  (:mod:`.km_counts`: the C code's backward pass, weighted sums in its order);
* ``S = prod (n - d)/n`` over times with an event of positive weight; Greenwood
  ``std.err = sqrt(sum d/(n(n - d)))`` is the se of ``-log S``;
  ``cumhaz = sum d/n``, ``std.chaz = sqrt(sum d/n^2)``; ``stype``/``ctype``
  choose exp(-H) and the Fleming-Harrington hazard;
* the robust (infinitesimal-jackknife) variance, ``robust=``, ``id=``,
  ``cluster=``, ``influence=`` and R's rule for when it is on (fractional
  weights, a cluster, an id with two events, influence asked for): see
  :func:`_variance_plan` and :mod:`.km_ij`;
* ``start_time``: rows ending before it are dropped (survfitKM's ``time0``).
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survfit_call
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.survival import SurvFit

from .. import _libm as libm
from .._rformat import r_label
from .._rmath import NANS_PRODUCED, qnorm
from .._validate import check_lengths, label_codes
from .confint import std_low, survfit_confint
from .inputs import km_inputs
from .km_counts import counting_counts, km_counts, survflag
from .km_ij import ij_closed_form, ij_replay
from .surv import interval_stops
from .timefix import aeq_counting, tie_codes

__all__ = ["survfit", "IJ_EXACT_LIMIT"]

#: Up to this many (subjects x event times), the robust variance replays R's
#: O(n x times) loop operation for operation (bit-for-bit parity); beyond it the
#: O(n log n) closed form is used (type 1, right-censored, each row its own
#: cluster, no influence asked), which agrees with R to ~1e-15 relative (a CI
#: bound near 1e-280 on the log-log scale can then differ at 1e-12).
IJ_EXACT_LIMIT = 30_000_000


def survfit(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
            conf_int: float = 0.95, conf_lower: str = "usual", stype: int = 1, ctype: int = 1,
            type: str | None = None, id: Any = None, cluster: Any = None, robust: Any = None,
            influence: Any = False, start_time: Any = None) -> SurvFit:
    """Kaplan-Meier estimate, as ``survfit(formula, data=, weights=, conf.type=,
    conf.int=, conf.lower=, stype=, ctype=, id=, cluster=, robust=,
    influence=, start.time=)`` in R's survival 3.5-3.

    Two forms: ``survfit("Surv(time, status) ~ sex", data=lung, subset=,
    weights=)`` (the formula form: a curve per group; the response may be
    ``Surv(start, stop, event)``, and ``cluster(x)`` a term; ``weights``,
    ``id`` and ``cluster`` may name columns) and ``survfit(time, event,
    weights=)`` (one curve of right-censored data).

    Parameters
    ----------
    time, event : array-like
        Follow-up times (any real numbers: negative and infinite times are
        time points, as in R) and the status, read as R's ``Surv()`` reads
        it: 0/1, a 1/2 coding (censored/dead), logical, or a factor; other
        values become missing with R's warning; None is R's one-argument
        ``Surv(time)``, every row an event. Rows with a missing time,
        status, weight, id or cluster are dropped (``na.omit``).
    weights : array-like, optional
        Case weights (finite, >= 0; missing drops the row). Non-integer weights
        make R use the robust (infinitesimal jackknife) variance, and so does
        this function.
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}
    conf_int : float or bool
        Confidence level (0.95). As survfitKM: any number goes into
        ``qnorm(1 - (1 - conf_int) / 2)`` (beyond 1: NaN limits and R's
        "NaNs produced"); True means 0.95, False also turns the intervals off.
    conf_lower : {"usual", "peto", "modified"}
        Rule for the standard error of the lower limit.
    stype : {1, 2}
        1: the Kaplan-Meier product; 2: ``exp(-cumulative hazard)`` (its
        standard error that of the cumulative hazard).
    ctype : {1, 2}
        Cumulative hazard: 1 Nelson-Aalen; 2 Fleming-Harrington (tied deaths
        removed one at a time).
    type : {"kaplan-meier", "fleming-harrington", "fh2"}, optional
        R's older spelling (any unique abbreviation): stype/ctype 1/1, 2/1, 2/2;
        when given, ``stype`` and ``ctype`` are ignored, as in R.
    id : array-like or column name, optional
        Subject of each row: (start, stop] rows of one subject that follow each
        other are one follow-up (a censoring only at its end), an id with two
        events turns the robust variance on, and the ids are its clusters.
    cluster : array-like or column name, optional
        Clusters of the robust variance (turns it on).
    robust : bool, optional
        The infinitesimal-jackknife variance; None: R's rule.
    influence : bool or {0, 1, 2, 3}
        Keep each cluster's influence on the survival (1), the cumulative
        hazard (2) or both (3, True): :attr:`SurvFit.influence_surv`,
        :attr:`SurvFit.influence_chaz`.
    start_time : float, optional
        Rows whose (stop) time is before it are dropped; the curve starts there.

    Returns
    -------
    SurvFit
    """
    call = survfit_call(time, event, data=data, subset=subset, weights=weights, conf_type=conf_type,
                        conf_int=conf_int, conf_lower=conf_lower, stype=stype, ctype=ctype, type=type, id=id,
                        cluster=cluster, robust=robust, influence=influence, start_time=start_time)
    survtype = _survtype(stype, ctype, type)
    start = group = None
    warns: list[str] = []
    if call.formula is not None:
        from .formula import survfit_arrays

        a = survfit_arrays(time, data, subset, weights, id, cluster)
        time, event, weights, group, start, id, cluster = a.time, a.event, a.weights, a.group, a.start, a.id, a.cluster
        warns += a.warnings
    else:
        check_lengths(np.size(time), id=id, cluster=cluster)
    missing = _label_missing(id) | _label_missing(cluster)
    if start is not None:
        start = np.asarray(start, dtype=float)
        time, found = interval_stops(start, np.asarray(time, dtype=float))
        time = np.where(np.isnan(start), np.nan, time)  # a missing start drops the row too
        warns += found
    k = km_inputs(time, event, weights, conf_type, conf_int, conf_lower, missing=missing)
    assert k.rows is not None
    warns = list(k.warnings) + warns  # Surv()'s status warnings come first
    w = np.ones(k.time.size) if k.weights is None else k.weights
    stop, e = k.time, k.event
    if start is not None:
        start, stop = aeq_counting(start[k.rows], stop)
    elif group is not None:
        tcodes, utimes = tie_codes(stop)
        stop = utimes[tcodes]  # survfit.formula's aeqSurv is the whole data's, before the split
    ids = None if id is None else label_codes(_take(id, k.rows), "id")  # as.factor(id): codes, levels
    plan = _variance_plan(w, e, ids, None if cluster is None else _take(cluster, k.rows), robust, influence,
                          start is not None)
    warns += plan.warnings
    time0 = _time0(start_time, stop)
    keep = stop >= time0
    cl = plan.cluster
    if not keep.all():
        stop, e, w = stop[keep], e[keep], w[keep]
        start = None if start is None else start[keep]
        ids = None if ids is None else (ids[0][keep], ids[1])
        cl = None if cl is None else cl[keep]
    position = None
    if start is not None and ids is not None:
        position = survflag(start, stop, ids[0])
    if group is not None:
        group = group.iloc[k.rows]
        if group.nunique() < 2:  # survfitKM: one level, one curve, and no strata (decided before start_time)
            group = None
        elif not keep.all():
            if plan.influence and group[keep].nunique() < group.nunique():
                # survfitKM.R then assigns the empty curve's NULL influence into its list, which drops an
                # element: R fails ('attempt to set 'rownames'...', or 'subscript out of bounds' for the last)
                raise InvalidArgument(f"`start_time`={start_time!r} leaves a curve without rows, and `influence` "
                                      "is asked for (R fails there)", kind="start_time.value")
            group = group[keep]
    rows = _Rows(start, stop, e, w, cl, position)
    conf = (k.conf_type, k.conf_int, k.conf_lower)
    if group is None:
        fit = _one_curve(rows, plan, survtype, conf)
    else:
        fit = _curves(rows, plan, np.asarray(group.cat.codes), list(group.cat.categories), survtype, conf)
    fit = fit.evolve(start_time=None if start_time is None else float(time0), counting=start is not None)
    warns += [m for m in fit.warnings if m not in warns]
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return fit.evolve(call=call, warnings=tuple(warns))


def _label_missing(x: Any) -> Any:
    """Rows with a missing id or cluster (model.frame's na.omit drops them)."""
    if x is None:
        return False
    return label_codes(x, "labels")[0] < 0


def _take(x: Any, rows: np.ndarray) -> Any:
    if isinstance(x, pd.Series):
        return x.iloc[rows].reset_index(drop=True)
    if isinstance(x, pd.Categorical):
        return x[rows]
    return np.asarray(x)[rows]


def _time0(start_time: Any, stop: np.ndarray) -> float:
    """survfitKM's ``time0``: ``start.time``, else ``min(0, times)``."""
    if start_time is None:
        return float(min(0.0, float(np.min(stop))))
    if isinstance(start_time, (bool, np.bool_)) or not isinstance(start_time, numbers.Real) \
            or not np.isfinite(float(start_time)):
        raise InvalidArgument(f"`start_time` must be a finite number; got start_time={start_time!r}",
                              kind="start_time.value")
    if not np.any(stop >= float(start_time)):
        # survival 3.5-3's survfitKM reads past its data then (a segfault): no R answer to match
        raise InvalidArgument(f"`start_time`={start_time!r} is after every time (the last is {float(np.max(stop))!r}): "
                              "no curve is left (survival 3.5-3 crashes on this)", kind="start_time.value")
    return float(start_time)


@dataclass(frozen=True)
class _VariancePlan:
    """survfitKM.R's decision: robust or not, each row's cluster (0..ncluster-1)
    and the clusters' names, the influence asked for."""

    robust: bool
    cluster: np.ndarray | None
    names: tuple[str, ...]
    influence: int
    each_row: bool  # the clusters are the rows themselves (1:n)
    warnings: tuple[str, ...]


def _influence_level(influence: Any) -> int:
    """``influence``: a logical (FALSE 0, TRUE 3) or one of 0..3."""
    if isinstance(influence, (bool, np.bool_)):
        return 3 if influence else 0
    if not isinstance(influence, numbers.Real):
        raise InvalidArgument(f"`influence` must be True/False or one of 0, 1, 2, 3 (R: 'influence argument must "
                              f"be numeric or logical'); got influence={influence!r}", kind="influence.value")
    if float(influence) not in (0.0, 1.0, 2.0, 3.0):
        raise InvalidArgument(f"`influence` must be True/False or one of 0, 1, 2, 3 (R: 'influence argument must "
                              f"be 0, 1, 2, or 3'); got influence={influence!r}", kind="influence.value")
    return int(influence)


def _variance_plan(w: np.ndarray, e: np.ndarray, ids: tuple[np.ndarray, list] | None, cluster: Any, robust: Any,
                   influence: Any, counting: bool) -> _VariancePlan:
    """survfitKM.R's rules, in its order. Robust by default when influence is
    asked for, a cluster is given, a weight is fractional, or an id has two
    events; its clusters are the cluster argument, else the ids (``ids``:
    their codes and levels), else the rows (right-censored data, or robust
    not asked for explicitly)."""
    n = w.size
    has_cluster, has_id = cluster is not None, ids is not None
    given_robust = robust is not None
    auto_rows = False
    if robust is None:
        if not isinstance(influence, (bool, np.bool_, numbers.Real)):
            raise InvalidArgument(f"`influence` must be True/False or one of 0, 1, 2, 3 (R: 'argument is not "
                                  f"interpretable as logical'); got influence={influence!r}", kind="influence.value")
        if influence:
            robust = True
            auto_rows = not (has_cluster or has_id)
        else:
            dup_events = has_id and bool(np.any(np.bincount(ids[0][e == 1]) > 1))  # anyDuplicated(id[status == 1])
            robust = has_cluster or bool(np.any(w != np.floor(w))) or dup_events
    if not isinstance(robust, (bool, np.bool_)):
        raise InvalidArgument(f"`robust` must be True, False or None (R: 'robust must be TRUE/FALSE'); got "
                              f"robust={robust!r}", kind="robust.type")
    warns: list[str] = []
    codes: np.ndarray | None = None
    names: tuple[str, ...] = ()
    each_row = False
    if has_cluster or auto_rows:
        if not robust:
            warns.append("cluster specified with robust=FALSE, cluster ignored")
        elif auto_rows:
            codes, names, each_row = np.arange(n), tuple(str(i + 1) for i in range(n)), True
        else:
            codes, levels = label_codes(cluster, "cluster")
            names = tuple(r_label(v) for v in levels)
    elif robust:
        if has_id:
            codes, names = ids[0], tuple(r_label(v) for v in ids[1])
        elif not counting or not given_robust:
            codes, names, each_row = np.arange(n), tuple(str(i + 1) for i in range(n)), True
        else:
            raise InvalidArgument("`robust`=True with Surv(start, stop, event) needs `id` or `cluster` (R: 'id or "
                                  "cluster option required')", kind="cluster.missing")
    level = _influence_level(influence)
    if not robust and level > 0:
        warns.append("robust=FALSE implies influence=FALSE")
        level = 0
    return _VariancePlan(bool(robust), codes, names, level, each_row, tuple(warns))


@dataclass(frozen=True)
class _Rows:
    """The rows a curve is made of (after na.omit, timefix and start_time)."""

    start: np.ndarray | None
    stop: np.ndarray
    event: np.ndarray
    w: np.ndarray
    cluster: np.ndarray | None  # global cluster codes
    position: np.ndarray | None  # survflag(), (start, stop] data with an id

    def subset(self, idx: np.ndarray) -> "_Rows":
        def cut(x):
            return None if x is None else x[idx]
        return _Rows(cut(self.start), self.stop[idx], self.event[idx], self.w[idx], cut(self.cluster),
                     cut(self.position))


@dataclass(frozen=True)
class _CurveFit:
    fit: SurvFit
    n_enter: np.ndarray | None
    influence_surv: np.ndarray | None  # local clusters x times
    influence_chaz: np.ndarray | None
    clusters: np.ndarray | None  # the global codes of the local clusters


def _one_curve(rows: _Rows, plan: _VariancePlan, survtype: int, conf: tuple) -> SurvFit:
    nid = len(plan.names)
    c = _kernel(rows, rows.cluster, nid, plan, survtype, conf)
    names = plan.names if c.clusters is not None else None
    return c.fit.evolve(n_enter=c.n_enter if (plan.robust and rows.start is not None) else None,
                        influence_surv=c.influence_surv, influence_chaz=c.influence_chaz,
                        influence_ids=names if plan.influence else None)


def _curves(rows: _Rows, plan: _VariancePlan, codes: np.ndarray, levels: list, survtype: int,
            conf: tuple) -> SurvFit:
    """One curve per group, one after another (survfitKM's strata loop, in the
    groups' level order; a group without rows has no curve). Each group's
    clusters are renumbered over the clusters it has (``sort(unique(c2))``).
    R's list of per-curve influence matrices is one block-diagonal matrix
    (:func:`_block_diagonal`), its rows named by the curves' clusters in turn."""
    parts: list[_CurveFit] = []
    labels: list[str] = []
    sizes: list[int] = []
    for j, label in enumerate(levels):
        idx = np.flatnonzero(codes == j)
        if idx.size == 0:
            continue
        sub = rows.subset(idx)
        if rows.position is not None:
            # survfitKM.R passes the whole data's survflag() to each curve's C call, which reads it by the
            # curve's own row numbers (position[i2], i2 < the curve's size): R's behaviour, replayed
            sub = replace(sub, position=rows.position[:idx.size])
        local = nid = None
        if sub.cluster is not None:
            uniq, local = np.unique(sub.cluster, return_inverse=True)
            nid = uniq.size
        part = _kernel(sub, local, nid or 0, plan, survtype, conf)
        if part.clusters is not None:
            part = replace(part, clusters=uniq)
        parts.append(part)
        labels += [str(label)] * part.fit.time.size
        sizes.append(int(idx.size))
    warns: list[str] = []
    for p in parts:
        warns += [m for m in p.fit.warnings if m not in warns]
    fields = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper", "cumhaz", "std_chaz")
    out = {f: np.concatenate([getattr(p.fit, f) for p in parts]) for f in fields}
    n_enter = None
    if plan.robust and rows.start is not None:
        n_enter = np.concatenate([p.n_enter for p in parts])
    infl = {key: _block_diagonal([getattr(p, key) for p in parts]) for key in ("influence_surv", "influence_chaz")
            if any(getattr(p, key) is not None for p in parts)}
    ids = tuple(plan.names[g] for p in parts if p.clusters is not None for g in p.clusters) if infl else None
    first = parts[0].fit
    return SurvFit(warnings=tuple(warns), **out, n=int(sum(sizes)), logse=first.logse, conf_type=first.conf_type,
                   conf_int=first.conf_int, conf_lower=first.conf_lower, strata=tuple(labels),
                   strata_n=tuple(sizes), n_enter=n_enter, influence_ids=ids, **infl)


def _block_diagonal(blocks: list) -> np.ndarray:
    """R's list of per-curve influence matrices as one matrix: each curve's
    clusters (rows) and times (columns) one block after another, 0 elsewhere."""
    rows = sum(b.shape[0] for b in blocks)
    cols = sum(b.shape[1] for b in blocks)
    out = np.zeros((rows, cols))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


def _kernel(rows: _Rows, cluster: np.ndarray | None, nid: int, plan: _VariancePlan, survtype: int,
            conf: tuple) -> _CurveFit:
    """One curve: survfitkm.c for the rows given; ``cluster`` their clusters
    numbered 0..nid-1 (None: the simple variance)."""
    conf_type, conf_int, conf_lower = conf
    t, e, w = rows.stop, rows.event, rows.w
    if rows.start is None:
        c = km_counts(t, e, w)
    else:
        c = counting_counts(rows.start, t, e, w, rows.position)
    nrisk, d1 = c.n_risk, c.n_event
    has_event = c.has_event
    with np.errstate(divide="ignore", invalid="ignore"):
        # survfitkm.c: km *= (nrisk-d1)/nrisk; v1 += d1/(nrisk*(nrisk-d1))
        surv = np.cumprod(np.where(has_event, (nrisk - d1) / nrisk, 1.0))
        std_err = np.sqrt(np.cumsum(np.where(has_event, d1 / (nrisk * (nrisk - d1)), 0.0)))
        if survtype in (1, 3):
            # Nelson-Aalen: nelson += d1/nrisk; v2 += d1/(nrisk*nrisk)
            cumhaz = np.cumsum(np.where(has_event, d1 / nrisk, 0.0))
            std_chaz = np.sqrt(np.cumsum(np.where(has_event, d1 / (nrisk * nrisk), 0.0)))
        else:
            cumhaz, std_chaz = _fleming(nrisk, d1, c.d0)
    if survtype >= 3:  # exp() survival: its se is the hazard's (survfitkm.c std[0] = std[1])
        surv = libm.exp(-cumhaz)  # C's exp, as survfitkm.c (numpy's differs in the last bit)
        std_err = std_chaz.copy()
    # survfitKM.R: logse = (ncluster == 0 || type == 2 || type == 4), the robust KM-with-Fleming-hazard type
    # included although its std.err is that of S (R's rule, reproduced)
    logse = not plan.robust or survtype in (2, 4)
    infl_s = infl_c = None
    if cluster is not None:
        closed = (survtype == 1 and rows.start is None and plan.each_row and plan.influence == 0
                  and t.size * int(has_event.sum()) > IJ_EXACT_LIMIT)
        if closed:
            # the robust loop recomputes the curve as km *= (1 - haz), haz = d/n, and that is the curve R
            # returns ((n - d)/n and 1 - d/n differ in the last bit)
            with np.errstate(divide="ignore", invalid="ignore"):
                surv = np.cumprod(np.where(has_event, 1 - d1 / nrisk, 1.0))
            std_err, std_chaz = ij_closed_form(e, w, c, surv)
        else:
            r = ij_replay(c, rows.start, e, w, cluster, nid, survtype, plan.influence)
            surv, cumhaz, std_err, std_chaz = r.surv, r.cumhaz, r.std_surv, r.std_chaz
            infl_s, infl_c = _influence(r.influence_surv, r.influence_chaz, surv, survtype, plan.influence)
    warns: list[str] = []
    if conf_type == "none":
        lower = upper = np.full(surv.size, np.nan)
    else:
        if np.isnan(qnorm(1 - (1 - conf_int) / 2)) and not np.isnan(conf_int):
            warns.append(NANS_PRODUCED)  # R's qnorm warns, once
        selow = std_low(conf_lower, std_err, surv, nrisk, c.n_event)
        lower, upper = survfit_confint(surv, std_err, logse, conf_type, conf_int, selow, warns=warns)
    fit = SurvFit(warnings=tuple(warns),
                  time=c.time, n_risk=nrisk, n_event=c.n_event, n_censor=c.n_censor, surv=surv,
                  std_err=std_err, lower=lower, upper=upper, cumhaz=cumhaz, std_chaz=std_chaz,
                  n=int(t.size), logse=logse, conf_type=conf_type, conf_int=conf_int, conf_lower=conf_lower)
    return _CurveFit(fit, c.n_enter, infl_s, infl_c, None if cluster is None else np.arange(nid))


def _influence(inf1: np.ndarray | None, inf2: np.ndarray | None, surv: np.ndarray, survtype: int,
               level: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """survfitKM.R's influence.surv and influence.chaz: the C matrices, and for
    the exp() curves (types 3, 4) the survival's as ``-inf2 * surv``."""
    if level == 0:
        return None, None
    if survtype in (1, 2):
        return (inf1 if level in (1, 3) else None), (inf2 if level in (2, 3) else None)
    assert inf2 is not None
    return ((-inf2) * surv[None, :] if level in (1, 3) else None), (inf2 if level in (2, 3) else None)


_TYPES = ("kaplan-meier", "fleming-harrington", "fh2")


def _survtype(stype: Any, ctype: Any, type: Any) -> int:
    """survfitKM's type code 2 * stype + ctype - 2; ``type`` (charmatch) wins."""
    if type is not None:
        if not isinstance(type, str):
            raise InvalidArgument(f"`type` must be a string (R: 'type argument must be character'); got "
                                  f"type={type!r}", kind="type.value")
        hits = [i for i, t in enumerate(_TYPES) if t == type] or [i for i, t in enumerate(_TYPES) if t.startswith(type)]
        if len(hits) != 1 or not type:
            raise InvalidArgument(f"`type` must be one of {', '.join(map(repr, _TYPES))} or an abbreviation "
                                  f"(R: \"invalid value for 'type'\"); got type={type!r}", kind="type.value")
        return (1, 3, 4)[hits[0]]
    if isinstance(ctype, (bool, np.bool_)) or ctype not in (1, 2):  # R checks ctype first
        raise InvalidArgument(f"`ctype` must be 1 or 2 (R: 'ctype must be 1 or 2'); got ctype={ctype!r}",
                              kind="ctype.value")
    if isinstance(stype, (bool, np.bool_)) or stype not in (1, 2):
        raise InvalidArgument(f"`stype` must be 1 or 2 (R: 'stype must be 1 or 2'); got stype={stype!r}",
                              kind="stype.value")
    return int(2 * stype + ctype - 2)


def _fleming(nrisk: np.ndarray, d1: np.ndarray, d0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """survfitkm.c's Fleming-Harrington hazard: the d0 tied deaths at a time
    leave one at a time, ``dtemp = n - j * d1 / d0``; ``nelson += d1 / (d0 *
    dtemp)``, ``v2 += d1 / (d0 * dtemp^2)`` for j = 0..d0-1, in that order."""
    nelson = v2 = 0.0
    cumhaz = np.empty(nrisk.size)
    var = np.empty(nrisk.size)
    for i in range(nrisk.size):
        nd = int(d0[i])
        for j in range(nd):
            dtemp = nrisk[i] - j * d1[i] / nd
            nelson += d1[i] / (nd * dtemp)
            v2 += d1[i] / (nd * dtemp * dtemp)
        cumhaz[i] = nelson
        var[i] = v2
    return cumhaz, np.sqrt(var)
