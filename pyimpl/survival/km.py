"""Kaplan-Meier: ``survival::survfit(Surv(time, event) ~ 1)``.

Follows ``survfitKM.R`` and ``src/survfitkm.c`` of survival 3.5-3 (right-censored
data, one curve):

* rows are the unique times after ``timefix``, censored times included;
* counts at a time are accumulated backwards over subjects sorted by time, as the
  C loop does (``wt1 += wt[i2]``), so weighted counts agree to the last bit;
* ``S = prod (n - d)/n`` over times with an event of positive weight; Greenwood
  ``std.err = sqrt(sum d/(n(n - d)))`` is the se of ``-log S``;
  ``cumhaz = sum d/n``, ``std.chaz = sqrt(sum d/n^2)``;
* non-integer weights switch R to the infinitesimal-jackknife variance
  (``robust=TRUE``, ``logse=FALSE``): see :func:`_ij_std`.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survfit_call
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.survival import SurvFit

from .. import _libm as libm
from .._rmath import NANS_PRODUCED, qnorm
from .confint import std_low, survfit_confint
from .inputs import km_inputs
from .timefix import tie_codes

__all__ = ["survfit", "km_counts", "KMCounts", "IJ_EXACT_LIMIT"]

#: Up to this many (subjects x event times), the robust variance replays R's
#: O(n x times) loop operation for operation (bit-for-bit parity); beyond it the
#: O(n log n) closed form is used, which agrees with R to ~1e-15 relative
#: (a CI bound near 1e-280 on the log-log scale can then differ at 1e-12).
IJ_EXACT_LIMIT = 30_000_000


class KMCounts:
    """Per-unique-time counts of one curve (the ``n`` matrix of survfitkm.c).

    ``codes`` maps each subject (data order) to its row.
    """

    __slots__ = ("time", "n_risk", "n_event", "n_censor", "d0", "codes")

    def __init__(self, time, n_risk, n_event, n_censor, d0, codes):
        self.time = time
        self.n_risk = n_risk
        self.n_event = n_event
        self.n_censor = n_censor
        self.d0 = d0
        self.codes = codes

    def order(self) -> np.ndarray:
        """R's ``order(time)``: stable, so ties keep data order (a radix sort of
        the integer codes)."""
        return np.argsort(self.codes, kind="stable")


def _integral(w: np.ndarray) -> bool:
    # integer weights with a total below 2^53: every summation order is exact
    return bool(np.all(w == np.floor(w))) and float(np.abs(w).sum()) < 2.0**53


def km_counts(time: np.ndarray, event: np.ndarray, weights: np.ndarray) -> KMCounts:
    """Counts at each unique time, after ``timefix``.

    survfitkm.c accumulates backwards over subjects sorted by time: the
    weighted number at risk is one running sum ``wt1 += wt[i2]`` from the last
    subject to the first, the events and censorings of a time a sum restarted
    at 0 over its subjects, also backwards. With integer weights every order
    gives the same sums, so the counts come from ``bincount``; with fractional
    weights that exact order is replayed (``bincount`` over the reversed data
    adds each time's subjects in reverse data order, which is R's reverse
    stable-sort order).
    """
    codes, utime = tie_codes(time)
    u = utime.size
    d0 = np.bincount(codes, weights=event, minlength=u)
    if _integral(weights):
        n_event = np.bincount(codes, weights=weights * event, minlength=u)
        n_censor = np.bincount(codes, weights=weights * (1.0 - event), minlength=u)
        tot = np.bincount(codes, weights=weights, minlength=u)
        n_risk = np.cumsum(tot[::-1])[::-1]
    else:
        rc = codes[::-1]
        n_event = np.bincount(rc, weights=(weights * event)[::-1], minlength=u)
        n_censor = np.bincount(rc, weights=(weights * (1.0 - event))[::-1], minlength=u)
        order = np.argsort(codes, kind="stable")
        rev_cum = np.cumsum(weights[order][::-1])[::-1]
        starts = np.searchsorted(codes[order], np.arange(u))
        n_risk = rev_cum[starts]
    return KMCounts(utime, n_risk, n_event, n_censor, d0, codes)


def survfit(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
            conf_int: float = 0.95, conf_lower: str = "usual", stype: int = 1, ctype: int = 1,
            type: str | None = None) -> SurvFit:
    """Kaplan-Meier estimate, as ``survfit(Surv(time, event) ~ 1, weights=,
    conf.type=, conf.int=, conf.lower=)`` in R's survival 3.5-3.

    Two forms: ``survfit("Surv(time, status) ~ 1", data=lung, subset=,
    weights=)`` (the formula form: one curve; ``weights`` may name a column)
    and ``survfit(time, event, weights=)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times (any real numbers: negative and infinite times are
        time points, as in R) and the status, read as R's ``Surv()`` reads
        it: 0/1, a 1/2 coding (censored/dead), logical, or a factor; other
        values become missing with R's warning; None is R's one-argument
        ``Surv(time)``, every row an event. Rows with a missing time,
        status or weight are dropped (``na.omit``).
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

    Returns
    -------
    SurvFit
    """
    call = survfit_call(time, event, data=data, subset=subset, weights=weights, conf_type=conf_type,
                        conf_int=conf_int, conf_lower=conf_lower, stype=stype, ctype=ctype, type=type)
    survtype = _survtype(stype, ctype, type)
    group = None
    if call.formula is not None:
        from .formula import survfit_arrays

        time, event, weights, group = survfit_arrays(time, data, subset, weights)
    k = km_inputs(time, event, weights, conf_type, conf_int, conf_lower)
    w = np.ones(k.time.size) if k.weights is None else k.weights
    robust = bool(np.any(w != np.floor(w)))  # survfitKM.R: has.rwt, over every row
    if group is not None:
        assert k.rows is not None
        group = group.iloc[k.rows]
        if group.nunique() < 2:  # survfitKM: one level, one curve, and no strata
            group = None
    if group is None:
        fit = _survfit_kernel(k.time, k.event, w, k.conf_type, k.conf_int, k.conf_lower, robust, survtype)
    else:
        fit = _curves(k, w, group, robust, survtype)
    # R's order: Surv()'s invalid status values, then qnorm's NaNs
    warns = tuple(k.warnings) + tuple(fit.warnings)
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return fit.evolve(call=call, warnings=warns)


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


def _curves(k, w: np.ndarray, group: pd.Series, robust: bool, survtype: int) -> SurvFit:
    """One curve per group, one after another (survfitKM's strata loop, in the
    groups' level order; a group without rows has no curve). Status coding,
    timefix and the choice of the robust variance are the whole data's, as R
    makes them before it splits."""
    codes = np.asarray(group.cat.codes)  # survfit_arrays' strata(): a Categorical, levels in R's order
    levels = list(group.cat.categories)
    tcodes, utimes = tie_codes(k.time)
    time = utimes[tcodes]  # survfit.formula's aeqSurv is the whole data's, before the split
    parts, labels, sizes, warns = [], [], [], []
    for j, label in enumerate(levels):
        idx = np.flatnonzero(codes == j)
        if idx.size == 0:
            continue
        f = _survfit_kernel(time[idx], k.event[idx], w[idx], k.conf_type, k.conf_int, k.conf_lower, robust,
                            survtype)
        parts.append(f)
        labels += [str(label)] * f.time.size
        sizes.append(int(idx.size))
        warns += [m for m in f.warnings if m not in warns]
    fields = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper", "cumhaz", "std_chaz")
    return SurvFit(warnings=tuple(warns), **{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields},
                   n=int(sum(sizes)), logse=parts[0].logse, conf_type=k.conf_type, conf_int=k.conf_int,
                   conf_lower=k.conf_lower, strata=tuple(labels), strata_n=tuple(sizes))


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


def _survfit_kernel(t, e, w, conf_type, conf_int, conf_lower, robust: bool | None = None,
                    survtype: int = 1) -> SurvFit:
    """One curve. ``survtype`` is survfitKM's type, 2 * stype + ctype - 2."""
    c = km_counts(t, e, w)
    nrisk, d1 = c.n_risk, c.n_event
    has_event = (c.d0 > 0) & (d1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # survfitkm.c: km *= (nrisk-d1)/nrisk; v1 += d1/(nrisk*(nrisk-d1))
        factor = np.where(has_event, (nrisk - d1) / nrisk, 1.0)
        surv = np.cumprod(factor)
        green = np.where(has_event, d1 / (nrisk * (nrisk - d1)), 0.0)
        std_err = np.sqrt(np.cumsum(green))
        if survtype in (1, 3):
            # Nelson-Aalen: nelson += d1/nrisk; v2 += d1/(nrisk*nrisk)
            cumhaz = np.cumsum(np.where(has_event, d1 / nrisk, 0.0))
            std_chaz = np.sqrt(np.cumsum(np.where(has_event, d1 / (nrisk * nrisk), 0.0)))
        else:
            cumhaz, std_chaz = _fleming(nrisk, d1, c.d0)
    if survtype >= 3:  # exp() survival: its se is the hazard's (survfitkm.c std[0] = std[1])
        surv = libm.exp(-cumhaz)  # C's exp, as survfitkm.c (numpy's differs in the last bit)
        std_err = std_chaz.copy()
    if robust is None:
        robust = bool(np.any(w != np.floor(w)))  # survfitKM.R: has.rwt turns robust on
    # survfitKM.R: logse = (ncluster == 0 || type == 2 || type == 4), the robust KM-with-Fleming-hazard type
    # included although its std.err is that of S (R's rule, reproduced)
    logse = not robust or survtype in (2, 4)
    if robust:
        # survival 3.5-3's robust loop recomputes the curve as km *= (1 - haz),
        # haz = d/n, and that is the curve it returns (verified bitwise against R;
        # (n - d)/n and 1 - d/n differ in the last bit)
        with np.errstate(divide="ignore", invalid="ignore"):
            surv = np.cumprod(np.where(has_event, 1 - d1 / nrisk, 1.0))
        n_event_times = int(has_event.sum())
        if survtype != 1:
            surv, cumhaz, std_err, std_chaz = _ij_replay_types(t, e, w, c, survtype)
        elif t.size * n_event_times <= IJ_EXACT_LIMIT:
            std_err, std_chaz = _ij_replay_types(t, e, w, c, 1)[2:]
        else:
            std_err, std_chaz = _ij_std(t, e, w, c, surv)
    warns: tuple[str, ...] = ()
    if conf_type == "none":
        lower = upper = np.full(surv.size, np.nan)
    else:
        selow = std_low(conf_lower, std_err, surv, nrisk, c.n_event)
        lower, upper = survfit_confint(surv, std_err, logse, conf_type, conf_int, selow)
        if np.isnan(qnorm(1 - (1 - conf_int) / 2)) and not np.isnan(conf_int):
            warns = (NANS_PRODUCED,)  # R's qnorm warns, once
    return SurvFit(warnings=warns,
        time=c.time, n_risk=nrisk, n_event=c.n_event, n_censor=c.n_censor, surv=surv,
        std_err=std_err, lower=lower, upper=upper, cumhaz=cumhaz, std_chaz=std_chaz,
        n=int(t.size), logse=logse, conf_type=conf_type, conf_int=conf_int, conf_lower=conf_lower,
    )


def _fh_robust_terms(wr: float, wd: float, nd: int) -> tuple[float, float, float]:
    """survfitkm.c's Fleming-Harrington pieces of the robust branch at one
    time (wr at risk, wd weighted and nd counted deaths): the average
    denominator ``dtemp`` and the derivative sums ``dtemp2``, ``dtemp3``."""
    temp = wr - wd  # the weight of the non-deaths
    dtemp = dtemp2 = dtemp3 = 0.0
    for k in range(nd, 0, -1):
        frac = k / nd
        btemp = 1 / (temp + frac * wd)
        dtemp += btemp
        dtemp2 += btemp * btemp * frac
        dtemp3 += btemp * btemp
    dtemp /= nd
    if wd != nd:  # case weights
        dtemp2 *= wd / nd
        dtemp3 *= wd / nd
    return dtemp, dtemp2, dtemp3


def _ij_replay_types(t, e, w, c: KMCounts, survtype: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """survfitkm.c's infinitesimal-jackknife branch (``nid > 0``) for the four
    types (1: KM survival, Nelson-Aalen hazard; 2: KM, Fleming-Harrington; 3:
    exp(-H), Nelson-Aalen; 4: exp(-H), Fleming-Harrington), right-censored,
    each subject its own cluster (clusters in data order): (surv, cumhaz,
    std.err, std.chaz), vectorised over subjects at each event time in R's
    operation order."""
    nrisk, d1 = c.n_risk, c.n_event
    ntime = c.time.size
    order = c.order()
    ts = c.codes[order]
    gwt = w.copy()
    inf1 = np.zeros(t.size)
    inf2 = np.zeros(t.size)
    surv, cumhaz = np.zeros(ntime), np.zeros(ntime)
    std0, std1 = np.zeros(ntime), np.zeros(ntime)
    v1 = v2 = 0.0
    km, nelson = 1.0, 0.0
    km_curve = survtype in (1, 2)
    person2 = 0
    for i in range(ntime):
        stop = int(np.searchsorted(ts, i, side="left"))
        if stop > person2:
            gwt[order[person2:stop]] = 0.0
            person2 = stop
        if c.d0[i] > 0 and d1[i] > 0:
            n3 = nrisk[i]
            haz = d1[i] / n3
            stop = int(np.searchsorted(ts, i, side="right"))
            here = order[person2:stop]
            dead = here[e[here] == 1]
            if survtype in (1, 3):  # Nelson-Aalen hazard
                nelson += haz
                leave, dies = gwt * haz / n3, w[dead] / n3
            else:  # Fleming-Harrington
                dtemp, dtemp2, dtemp3 = _fh_robust_terms(n3, d1[i], int(c.d0[i]))
                nelson += d1[i] * dtemp
                leave, dies = gwt * dtemp3, w[dead] * (dtemp + dtemp3 - dtemp2)
            if km_curve:
                inf1 = inf1 * (1.0 - haz) + gwt * km * haz / n3
                inf1[dead] = inf1[dead] - km * w[dead] / n3
            inf2 = inf2 - leave
            inf2[dead] = inf2[dead] + dies
            gwt[here] = 0.0
            person2 = stop
            if km_curve:
                km *= 1 - haz
                v1 = float(np.cumsum(inf1 * inf1)[-1])  # sequential, as the C loop
            v2 = float(np.cumsum(inf2 * inf2)[-1])
        cumhaz[i] = nelson
        std1[i] = np.sqrt(v2)
        if km_curve:
            surv[i] = km
            std0[i] = np.sqrt(v1)
        else:
            surv[i] = libm.exp(np.array([-nelson]))[0]
            std0[i] = std1[i]
    return surv, cumhaz, std0, std1


def _ij_std(t, e, w, c: KMCounts, surv) -> tuple[np.ndarray, np.ndarray]:
    """Infinitesimal-jackknife standard errors of S and of the cumulative hazard,
    each subject its own cluster (survfitkm.c, ``nid > 0``, type 1).

    The C code updates every subject's influence at each event time:
    ``inf1 = inf1 (1 - h) + w Y S(t-) h / n`` and ``inf1 -= S(t-) w / n`` for the
    subjects who die there; ``inf2 -= w Y h / n``, ``inf2 += w / n`` for deaths.
    Unrolling the recursion gives, with ``a_j = h_j / (n_j (1 - h_j))``:

        inf1_k(i) = S_i w_k [ sum_{j <= i, j <= t_k} a_j - delta_k 1{t_k <= t_i} / (n (1 - h))_{t_k} ]
        inf2_k(i) = w_k [ delta_k 1{t_k <= t_i} / n_{t_k} - sum_{j <= i, j <= t_k} h_j / n_j ]

    so the variance at each time is a sum over subjects still at risk (a common
    factor) plus a cumulative sum over those who left: O(n log n) instead of the
    C loop's O(n x times). After S reaches 0 every influence is 0.
    """
    nrisk, d1 = c.n_risk, c.n_event
    has_event = (c.d0 > 0) & (d1 > 0)
    ntime = c.time.size
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(has_event, d1 / nrisk, 0.0)
        a = np.where(has_event, h / (nrisk * (1 - h)), 0.0)
        b = np.where(has_event, h / nrisk, 0.0)
    A = np.cumsum(a)  # through time i, inclusive
    B = np.cumsum(b)
    # subject k leaves at its own time index tk
    tk = c.codes
    wk = w
    dk = e
    with np.errstate(divide="ignore", invalid="ignore"):
        A_prev = A[tk] - a[tk]
        # delta=1: A(t_k-) + (h - 1)/(n(1-h)) = A(t_k-) - 1/n ; delta=0: A(t_k)
        g1 = np.where(dk == 1, A_prev - 1.0 / nrisk[tk], A[tk])
        # inf2: delta=1: 1/n - B(t_k) ; delta=0: -B(t_k)
        g2 = np.where(dk == 1, 1.0 / nrisk[tk] - B[tk], -B[tk])
    w2 = wk * wk
    # sum of w^2 over subjects still at risk after time i (t_k > t_i)
    left_at = np.bincount(tk, weights=w2, minlength=ntime)
    w2_after = np.concatenate((np.cumsum(left_at[::-1])[::-1][1:], [0.0]))
    gone1 = np.cumsum(np.bincount(tk, weights=w2 * g1 * g1, minlength=ntime))
    gone2 = np.cumsum(np.bincount(tk, weights=w2 * g2 * g2, minlength=ntime))
    with np.errstate(invalid="ignore"):
        v1 = surv * surv * (A * A * w2_after + gone1)
        v2 = B * B * w2_after + gone2
    v1 = np.where(surv == 0, 0.0, v1)
    # before the first event nothing has been updated: R reports 0
    first = np.cumsum(has_event) == 0
    v1[first] = 0.0
    v2[first] = 0.0
    return np.sqrt(v1), np.sqrt(v2)
