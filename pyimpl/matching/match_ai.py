"""``Matching::Match`` (Matching 4.10-8, Debian r-cran-matching): multivariate or
propensity-score matching with replacement and ties, and the Abadie-Imbens
(2006) standard error of the matching estimator.

What is replayed (R/Matching.R ``Match``, ``RmatchLoop``; R/GenMatching.R
``MatchGenoudStage1caliper``; src/matching.cc ``MatchLoopCfast``, ``EstFuncC``,
``VarCalcMatchC``; the kernels are in :mod:`._match_loop`):

1. ``Match``'s checks, with R's errors (``Match(): input includes NAs``...) and
   R's warnings where it resets an argument (``M`` not a whole number >= 1,
   ``estimand`` unknown, ``Weight`` not 1, 2 or 3...).
2. X standardised (``(x - mean) / sd``, the sd from raw moments times
   ``sqrt(N/(N-1))``); the metric ``Weight = 1`` (inverse variances) or ``2``
   (Mahalanobis: ``chol(solve(t(X) X / N))``).
3. For each focal unit (treated for ATT; control for ATC, on the reversed
   treatment; every unit for ATE) the M-th smallest *squared* standardised
   distance among the other group; every unit of the other group within
   ``distance.tolerance`` of it is a match (a tie): the pair weight is
   1/#matches. ``caliper`` (in SDs of each column of X, the SD with divisor
   N) and ``exact`` (a caliper of ``distance.tolerance`` on X's own scale)
   set a violating distance to ``DBL_MAX``; a focal unit with fewer than M
   valid matches is dropped (all of them, not only the missing ones).
4. ``est = sum(W * (Yt - Yc)) / sum(W)`` (sign reversed for ATC);
   ``se`` by Abadie and Imbens (2006, Theorem 6 and section 4.1):
   ``var = sum(sigma^2 * (K^2 - K'))/SN^2 + sum_focal (tau_i - est)^2 / SN^2``
   (``+ 2 K`` in the first sum for ATE), K the number of times a unit is used
   as a match weighted by 1/#ties, K' the same with 1/#ties^2, SN the number
   of focal units *including those the caliper dropped* (their tau_i is 0);
   ``sigma^2`` is, for ``Var.calc = 0``, one homoskedastic value from the
   pairs, ``0.5 * sum(W (tau - est)^2) / sum(W)``, and for ``Var.calc = J > 0``
   each unit's own variance of Y among itself and its J nearest units of its
   own group (matching within the treatment group).
5. ``est.noadj`` and ``se.standard``: the weighted mean of the pair differences
   and its i.i.d. standard error.

Notes
-----
* ``ties = FALSE`` (forced by ``replace = FALSE``) breaks ties with R's
  ``unif_rand``: give ``seed`` (R's ``set.seed(seed)`` just before ``Match``);
  without a seed pyimpl refuses only when a tie actually has to be broken
  (kind ``seed.missing``).
* The ``ecaliper`` Match returns is not the one it matches with when
  ``exact`` is given: Match reports ``tolerance`` (``sqrt(eps)``) for exact
  columns, ``MatchGenoudStage1caliper`` matches within ``distance.tolerance``
  (1e-5), and likewise ``max(X) - min(X) + 100 * (tolerance | distance.tolerance)``
  for the other columns when there is no caliper. Both are reproduced.
* Not implemented (``NotImplementedError``): ``BiasAdjust = TRUE`` when it
  survives Match's own resets, ``Weight = 3`` / ``Weight.matrix``, observation
  ``weights``, ``Z``, ``V``, ``CommonSupport``, ``restrict``, ``match.out``,
  ``version``.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.matching_match import MatchingMatch

from .._rmath import r_sum
from ._match_loop import est_func, match_loop, standardize, var_calc_sigs, weight_root
from .rng import RRandom

__all__ = ["matching_match"]

_SQRT_EPS = math.sqrt(np.finfo(float).eps)
_ESTIMANDS = {"ATT": 0, "ATE": 1, "ATC": 2}


def _as_matrix(X: Any) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
        if bad:
            raise InvalidArgument(f"`X` must be numeric; column {bad[0]!r} has dtype {X[bad[0]].dtype}",
                                  kind="X.type")
        return np.asarray(X.to_numpy(dtype=float, na_value=np.nan))
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise InvalidArgument(f"`X` must be numeric; got dtype {arr.dtype}", kind="X.type")
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 1:
        return arr[:, None]
    if arr.ndim != 2:
        raise InvalidArgument(f"`X` must be 1-D or 2-D; got shape {arr.shape}", kind="argument.shape")
    return arr


def _as_vector(v: Any, name: str) -> np.ndarray:
    if isinstance(v, pd.Series) and (pd.api.types.is_numeric_dtype(v) or pd.api.types.is_bool_dtype(v)):
        v = v.to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(v)
    if arr.dtype.kind not in "biuf":
        if name == "Tr":
            raise InvalidArgument(f"`Tr` must be numeric or logical; got dtype {arr.dtype}", kind="treat.values")
        raise InvalidArgument(f"`{name}` must be numeric or logical; got dtype {arr.dtype}", kind="argument.type")
    return arr.astype(float).reshape(-1)


def _flag(v: Any) -> float:
    """``as.double(v)`` of a scalar option."""
    try:
        return float(v)
    except (TypeError, ValueError):
        raise InvalidArgument(f"an option must be a number or TRUE/FALSE; got {v!r}", kind="argument.value") from None


def matching_match(Y: Any, Tr: Any, X: Any, estimand: str = "ATT", M: float = 1, *, bias_adjust: bool = False,
                   exact: Any = None, caliper: Any = None, replace: Any = True, ties: Any = True,
                   weight: float = 1, var_calc: float = 0, sample: Any = False,
                   distance_tolerance: float = 0.00001, tolerance: float = _SQRT_EPS,
                   seed: int | None = None) -> MatchingMatch:
    """R's ``Matching::Match(Y, Tr, X, estimand, M, BiasAdjust = bias_adjust,
    exact, caliper, replace, ties, Weight = weight, Var.calc = var_calc, sample,
    distance.tolerance, tolerance)``, after ``set.seed(seed)`` when ``seed`` is
    given.

    ``Y`` may be None (matching only: R's "fast" version, no standard error);
    ``X`` one column (a propensity score or its linear predictor) or several.
    The result's pair indices are 1-based, as R's (see
    :class:`~rparity_contract.results.matching_match.MatchingMatch`).
    """
    warns: list[str] = []
    warn = warns.append
    bias = _flag(bias_adjust)
    samp = _flag(sample)
    if bias != 0 and bias != 1:
        warn("User set 'BiasAdjust' to a non-logical value.  Resetting to the default which is FALSE.")
        bias = 0.0
    version = "standard"
    tr = _as_vector(Tr, "Tr")
    if Y is None:
        y = np.zeros(tr.size)
        version = "fast"
        if bias:
            warn("'BiasAdjust' set to FALSE because Y is NULL")
            bias = 0.0
    else:
        y = _as_vector(Y, "Y")
    x = _as_matrix(X)
    n = y.size
    if tr.size != n:
        raise InvalidArgument("length(Y) != length(Tr)", kind="lengths")
    if tr.size != x.shape[0]:
        raise InvalidArgument("length(Tr) != nrow(X)", kind="lengths")
    if np.isnan(y).any() or np.isnan(tr).any() or np.isnan(x).any():
        raise InvalidArgument("Match(): input includes NAs", kind="data.missing")
    if np.any((tr != 1) & (tr != 0)):
        raise InvalidArgument("Treatment indicator ('Tr') must be a logical variable---i.e., TRUE (1) or FALSE (0)",
                              kind="treat.values")
    if n < 2:
        raise InvalidArgument("missing value where TRUE/FALSE needed (var(Tr) of one observation)",
                              kind="treat.binary")
    if np.all(tr == tr[0]):
        raise InvalidArgument("Treatment indicator ('Tr') must contain both treatment and control observations",
                              kind="treat.binary")
    cdd = float(distance_tolerance)
    if cdd < 0:
        warn("User set 'distance.tolerance' to less than 0.  Resetting to the default which is 0.00001.")
        cdd = 0.00001
    ccc = float(tolerance)
    if ccc < 0:
        warn("User set 'tolerance' to less than 0.  Resetting to the default which is 0.00001.")
        ccc = 0.00001
    m = _flag(M)
    if m < 1:
        warn("User set 'M' to less than 1.  Resetting to the default which is 1.")
        m = 1.0
    if m != round(m):
        warn("User set 'M' to an illegal value.  Resetting to the default which is 1.")
        m = 1.0
    vc = _flag(var_calc)
    if vc < 0:
        warn("User set 'Var.calc' to less than 0.  Resetting to the default which is 0.")
        vc = 0.0
    if 0 < vc < 1:
        raise InvalidArgument(f"`var_calc` between 0 and 1 makes Matching's C code read out of bounds "
                              f"(as.integer(Var.calc) = 0); got var_calc={var_calc!r}", kind="argument.value")
    if samp != 0 and samp != 1:
        warn("User set 'sample' to a non-logical value.  Resetting to the default which is FALSE.")
        samp = 0.0
    wgt = _flag(weight)
    if wgt not in (1, 2, 3):
        warn("User set 'Weight' to an illegal value.  Resetting to the default which is 1.")
        wgt = 1.0
    if wgt == 3:
        raise NotImplementedError("Weight = 3 (a user Weight.matrix) is not implemented in pyimpl's matching_match")
    if vc != 0 and version == "fast":
        warn("Var.calc cannot be estimate when version=='fast'")
        vc = 0.0
    rep = _flag(replace)
    if rep != 0 and rep != 1:
        warn("'replace' must be TRUE or FALSE.  Setting to TRUE")
        rep = 1.0
    tie = _flag(ties)
    if rep == 0:
        tie = 0.0
        version = "fast"
    if tie != 0 and tie != 1:
        warn("'ties' must be TRUE or FALSE.  Setting to TRUE")
        tie = 1.0
    if tie == 0:
        version = "fast"
        if _flag(bias_adjust) == 1:
            warn("Bias Adjustment can only be estimated when ties==TRUE and replace=TRUE.  Setting BiasAdjust=FALSE")
            bias = 0.0
    n_tr = int(np.sum(tr == 1))
    n_co = int(np.sum(tr == 0))
    kx = x.shape[1]
    if estimand in _ESTIMANDS:
        est_code = _ESTIMANDS[estimand]
        need = {0: n_tr, 1: n, 2: n_co}[est_code]
        if bias == 1 and need < kx:
            warn({0: "Fewer treated obs than variables in 'Z': BiasAdjust set to FALSE",
                  1: "Fewer obs than variables in 'Z': BiasAdjust set to FALSE",
                  2: "Fewer control obs than variables in 'Z': BiasAdjust set to FALSE"}[est_code])
            bias = 0.0
    else:
        est_code = 0
        warn("User set 'estimand' to an illegal value.  Resetting to the default which is 'ATT'")
    if bias == 1:
        raise NotImplementedError("BiasAdjust = TRUE (the regression bias adjustment) is not implemented in "
                                  "pyimpl's matching_match")
    if vc > n_tr:
        warn(f"'Var.calc' > the number of treated obs: 'Var.calc' reset to {n_tr}")
        vc = float(n_tr)
    if vc > n_co:
        warn(f"'Var.calc' > the number of control obs: 'Var.calc' reset to {n_co}")
        vc = float(n_co)
    if n > 20000 and version != "fast":
        warn("The version='fast' option is recommended for large datasets if speed is desired.  For additional "
             "speed, you may also consider using the ties=FALSE option.")
    ex, cal = _exact_caliper(exact, caliper, kx, warn)
    ecal_out = _ecaliper(x, ex, cal, ccc)   # what Match reports
    ecal_use = _ecaliper(x, ex, cal, cdd)   # what MatchGenoudStage1caliper matches with
    if rep == 0:
        if est_code in (0, 1) and n_tr > n_co:
            warn("replace==FALSE, but there are more (weighted) treated obs than control obs.  Some treated obs "
                 "will not be matched.  You may want to estimate ATC instead.")
        if est_code == 1 and n_tr < n_co:
            warn("replace==FALSE, but there are more (weighted) control obs than treated obs.  Some control obs "
                 "will not be matched.  You may want to estimate ATT instead.")
        if est_code == 2 and n_tr < n_co:
            warn("replace==FALSE, but there are more (weighted) control obs than treated obs.  Some obs will be "
                 "dropped.  You may want to estimate ATC instead")
    res = _match(y, tr, x, est_code, int(m), int(vc), samp == 1, cdd, ccc, ecal_use, rep == 1, tie == 1,
                 int(wgt), version, seed, warns, estimand in _ESTIMANDS)
    for w in warns:
        warnings.warn(RParityWarning(w), stacklevel=2)
    out = dict(orig_nobs=n, orig_wnobs=float(n), orig_treated_nobs=n_tr, nobs=n,
               caliper=cal, ecaliper=ecal_out, estimand=estimand, version=version)
    if res is None:  # R returns a bare NA: only the data's counts are known
        return MatchingMatch(matched=False, orig_nobs=n, orig_wnobs=float(n), orig_treated_nobs=n_tr, nobs=n,
                             estimand=estimand, warnings=tuple(warns))
    return MatchingMatch(**res, **out, warnings=tuple(warns))  # type: ignore[arg-type]


def _exact_caliper(exact: Any, caliper: Any, kx: int,
                   warn: Callable[[str], None]) -> tuple[np.ndarray | None, np.ndarray | None]:
    ex = None
    if exact is not None:
        ex = np.asarray(exact, dtype=float).reshape(-1)
        if ex.size > 1 and ex.size != kx:
            warn("length of exact != ncol(X). Ignoring exact option")
            ex = None
        elif ex.size == 1 and kx > 1:
            ex = np.repeat(ex, kx)
        if ex is not None and np.isnan(ex).any():
            raise InvalidArgument("missing value where TRUE/FALSE needed (an NA in exact)", kind="argument.missing")
    cal = None
    if caliper is not None:
        cal = np.asarray(caliper, dtype=float).reshape(-1)
        if cal.size > 1 and cal.size != kx:
            warn("length of caliper != ncol(X). Ignoring caliper option")
            cal = None
        elif cal.size == 1 and kx > 1:
            cal = np.repeat(cal, kx)
    return ex, cal


def _ecaliper(x: np.ndarray, ex: np.ndarray | None, cal: np.ndarray | None, tol: float) -> np.ndarray | None:
    """``ecaliper``: ``caliper * sd`` (sd with divisor N); with ``exact``, ``tol``
    on exact columns and, without a caliper, ``|max(X) - min(X) + 100 tol|`` on
    the others."""
    n = x.shape[0]
    ecal = None
    if cal is not None:
        ecal = np.empty(x.shape[1])
        for c in range(x.shape[1]):
            mean = float(r_sum(x[:, c])) / n
            dev = x[:, c] - mean
            ecal[c] = cal[c] * math.sqrt(float(r_sum(dev * dev)) / n)
    if ex is not None:
        if ecal is None:
            ecal = np.full(x.shape[1], abs(float(np.max(x)) - float(np.min(x)) + tol * 100))
        ecal = np.where(ex != 0, tol, ecal)
    return ecal


def _match(y: np.ndarray, tr: np.ndarray, x: np.ndarray, est_code: int, m: int, vc: int, sample: bool, cdd: float,
           ccc: float, ecal: np.ndarray | None, replace: bool, ties: bool, wgt: int, version: str, seed: int | None,
           warns: list[str], known_estimand: bool) -> dict[str, Any] | None:
    """``RmatchLoop`` and the rest of ``Match``: None where R returns NA."""
    n = tr.size
    trm = 1 - tr if est_code == 2 else tr
    if est_code == 1:
        m = min(m, min(int(np.sum(trm)), int(np.sum(1 - trm))))
    else:
        m = min(m, int(np.sum(1 - trm)))
    xs = standardize(x, ccc)
    ww, diag = weight_root(xs, wgt, ccc)
    stream = RRandom(seed) if seed is not None else None

    def unif() -> float:
        if stream is None:
            raise InvalidArgument("ties=FALSE (or replace=FALSE) breaks a tie at random with R's RNG: give `seed` "
                      "(set.seed(seed) before Match) to reproduce it; got seed=None", kind="seed.missing")
        return float(stream.unif_rand()[0])

    lo = match_loop(xs, x, trm, est_code, m, cdd, ecal, replace, ties, ww, diag, not replace, unif)
    for _ in range(lo.memory_warnings):
        warns.append("Increasing memory because of ties.  I would be faster with the ties=FALSE option.")
    drops = lo.drops if ecal is not None else 0
    if lo.I[0] == 0:
        warns.append("'Match' object contains no valid matches (probably because of the caliper or the exact "
                     "option)." if drops > 0 else "'Match' object contains no valid matches")
        return None
    I, IM, W = lo.I, lo.IM, lo.W  # noqa: E741
    col4, col5 = (lo.IM2, lo.I2) if est_code == 2 else (lo.I2, lo.IM2)  # RmatchLoop swaps them back for ATC
    tau = y[col4 - 1] - y[col5 - 1]
    sum_w = float(r_sum(W))
    acc = 0.0
    for t_, w_ in zip(tau.tolist(), W.tolist()):  # t(W) %*% Tau.i: reference dgemv
        acc = acc + t_ * w_
    est = acc / sum_w
    se = se_cond = None
    if version == "standard":
        ycaus, kcount, kkcount = est_func(n, est_code, y, trm, I, IM, W)
        if vc > 0:
            sigs = var_calc_sigs(xs, x, trm, vc, cdd, ecal, ww, diag, y)
        else:
            eps = tau - est
            eps_sq = eps * eps
            s = 0.0
            for e_, w_ in zip(eps_sq.tolist(), W.tolist()):
                s = s + w_ * e_
            sigs = np.full(n, 0.5 * s / sum_w)
        if est_code == 1:
            iot_t, iot_c = np.ones(n), np.ones(n)
        else:
            iot_t, iot_c = trm * 1.0, 1 - trm
        sn = float(r_sum(iot_t))
        sn2 = sn * sn
        a = iot_t + iot_c * kcount
        var_sample = float(r_sum((sigs * a * a) / sn2))
        if est_code == 1:
            var_pop = float(r_sum((sigs * (iot_c * kcount * kcount + 2 * iot_c * kcount - iot_c * kkcount)) / sn2))
        else:
            var_pop = float(r_sum((sigs * (iot_c * kcount * kcount - iot_c * kkcount)) / sn2))
        d = ycaus - est
        var_pop = var_pop + float(r_sum(iot_t * d * d)) / sn2
        var = var_sample if sample else var_pop
        se = math.sqrt(var)
        se_cond = math.sqrt(max(var_sample, var_pop) - var_sample)
    if est_code == 2:
        est = -1 * est
    # Match(): the pairs with the treated unit first
    if est_code == 1:
        trt = tr[I - 1] == 1
        it, ic = np.where(trt, I, IM), np.where(trt, IM, I)
    elif est_code == 2:
        it, ic = IM, I
    else:
        it, ic = I, IM
    v1 = y[it - 1] - y[ic - 1]
    mest = float(r_sum(v1 * W)) / sum_w
    dv = v1 - mest
    se_standard = math.sqrt(float(r_sum(dv * dv * W)) / (sum_w * sum_w))
    wnobs = sum_w
    n_tr = float(np.sum(tr == 1))
    ndrops = {0: n_tr - wnobs, 1: float(n) - wnobs, 2: (float(n) - n_tr) - wnobs}[est_code]
    dropped = np.zeros(0, dtype=np.int64)
    if drops > 0:
        if not known_estimand:
            raise InvalidArgument("object 'matched.index' not found (Match with an unknown estimand and caliper "
                                  "drops)", kind="estimand.value")
        cand = {0: np.flatnonzero(tr == 1) + 1, 2: np.flatnonzero(tr == 0) + 1, 1: np.arange(1, n + 1)}[est_code]
        seen = {0: it, 2: ic, 1: np.concatenate([it, ic])}[est_code]
        dropped = cand[~np.isin(cand, seen)]
    return dict(est=float(est), se=se, est_noadj=mest, se_standard=se_standard, se_cond=se_cond,
                index_treated=it.astype(np.int64), index_control=ic.astype(np.int64), weights=W,
                index_dropped=dropped, wnobs=wnobs, ndrops=ndrops, ndrops_matches=int(drops))
