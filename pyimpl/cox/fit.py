"""Newton-Raphson fit of the Cox partial likelihood, Breslow or Efron ties:
``survival:::coxph.fit`` and ``src/coxfit6.c`` (survival 3.5-3), right-censored.

What is reproduced, and why
---------------------------
R's coefficients are within ~1e-9 of the maximiser, not at it, so agreeing
with R to 1e-9 and beyond means taking R's own steps:

* the covariates are centred at their weighted means (columns whose values all
  lie in ``nocenter`` are not) and scaled by ``sum(w) / sum(w |x - mean|)``,
  with sums in R's order; the iteration runs on that scale;
* start at ``init`` (0), score test from the first step, then Newton steps
  with survival's Cholesky (:mod:`.chol`), R's convergence test
  ``|1 - loglik_best / loglik_new| <= eps`` and its step-halving rule
  ``newbeta = (newbeta + halving * beta) / (halving + 1)``;
* the state machine of coxfit6 is mirrored state for state, quirks included:
  the "notfinite" test on the factored information, the score overwritten by
  the step, and after "Ran out of iterations" the information recomputed at
  the last accepted coefficients and inverted without a new factorisation
  (so the variance is ``diag(1/diag(I))``).

Two ways to evaluate one iteration
----------------------------------
*C order* (up to ``n p^2 <= EXACT_ORDER_LIMIT``): every running sum of the C
loop -- risk-set denominator, its covariate sums and cross-products, the
log-likelihood, score and information -- is a sequential ``cumsum`` over the
C loop's terms in the C loop's order, with the C library's ``exp`` and
``log``. Coefficients, variance and log-likelihood are then R's to the last
bit, down to a score that is exactly 0 when R's is (which decides, e.g.,
whether linear predictors tie in the concordance).

*Regrouped* (larger data): the p-dimensional sums are formed per tie group
(each group's deaths moved first) and the information as
``X' diag(r W) X - A' diag(c/denom^2) A`` (``W`` the per-subject sum of
``c/denom`` over the risk sets it belongs to), with row-blocked BLAS calls
that stay on one thread and no (n, p) temporary; :mod:`.regrouped` streams
it in one pass over the design. The log-likelihood keeps the C order of the
denominator. Measured against R (``python -m bench.cox_precision``: strong
effects, large covariate means, mixed scales, heavy and light ties, strata,
weights): at 2 x 10^4 rows coefficients within 2e-14 relative, every variance
element within 1e-14 of its scale ``sqrt(var_ii var_jj)``, log-likelihood
within 1e-14; at 2 x 10^5 rows (longer sums) within 1e-14, 4e-14 and 3e-14;
R's iteration count throughout. An element far smaller than its scale (an off-diagonal covariance
near 0) has no meaningful relative error of its own; ill-conditioned
information matrices lose more, as R's own sums do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from .. import _libm
from ._blocked import BLOCK, crossprod_about, vecmat, xtwy
from ._order import SegmentSummer, cumsum_restart
from ._rowblocks import RowSegments, row_segments
from .chol import chinv2, cholesky2, chsolve2, inverse_from_upper
from .control import CoxControl
from .regrouped import evaluate_regrouped, risk_weights

__all__ = ["CoxData", "prepare", "prepare_processing", "plan_processing", "with_design", "evaluate", "coxfit6",
           "Coxfit6Result", "scale_covariates", "gather_rows", "gather_scaled", "EXACT_ORDER_LIMIT", "vecmat", "xtwy"]


def _seqsum(v: np.ndarray) -> float:
    """``s = 0; for x in v: s += x`` (C order, double)."""
    if v.size == 0:
        return 0.0
    return float(np.cumsum(v)[-1])


def gather_rows(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x[rows]`` as a Fortran-ordered array, gathered column by column (no
    intermediate C-ordered copy)."""
    out = np.empty((rows.size, x.shape[1]), order="F")
    for j in range(x.shape[1]):
        np.take(x[:, j], rows, out=out[:, j])
    return out


def scale_covariates(xp: np.ndarray, wp: np.ndarray, doscale: np.ndarray, exact: bool = True):
    """coxfit6's centring and scaling, in place, on rows in *processing* order
    (the reverse of the sorted order, in which the C loop sums).

    Returns (means, scale). With ``exact`` the sums are sequential over the
    sorted rows, as the C loop makes them; otherwise BLAS dot products.
    """
    n, p = xp.shape
    means = np.zeros(p)
    scale = np.ones(p)
    ws = wp[::-1]
    if not exact:
        wsum = _seqsum(ws)
        unit = bool(np.all(wp == 1))
        for i in np.flatnonzero(doscale).tolist():
            means[i], scale[i] = _scale_column(xp[:, i], wp, ws, wsum, unit)
        return means, scale
    wsum = _seqsum(ws)
    for i in range(p):
        if not doscale[i]:
            continue
        col = xp[:, i]
        mean = _seqsum(ws * col[::-1]) / wsum
        means[i] = mean
        col -= mean
        tot = _seqsum(ws * np.abs(col[::-1]))
        sc = wsum / tot if tot > 0 else 1.0
        scale[i] = sc
        col *= sc
    return means, scale


def _scale_column(col: np.ndarray, wp: np.ndarray, ws: np.ndarray, wsum: float, unit: bool) -> tuple[float, float]:
    """One column of :func:`scale_covariates` on the large-data path, in
    place: (mean, scale). The means are reported (fit$means), so they keep
    the C loop's sequential sums; the scale only steers the iteration's
    rounding. (With unit weights the products by 1 are skipped: x * 1 == x.)"""
    mean = _seqsum(col[::-1] if unit else col[::-1] * ws) / wsum
    col -= mean
    a = np.abs(col)
    tot = float(np.sum(a if unit else wp * a))  # no BLAS: a threaded ddot spins after it returns
    sc = wsum / tot if tot > 0 else 1.0
    col *= sc
    return mean, sc


def gather_scaled(x: np.ndarray, rows: np.ndarray, wp: np.ndarray, doscale: np.ndarray):
    """:func:`gather_rows` then :func:`scale_covariates` (large-data path),
    column by column while each column is in cache: (xp, means, scale), the
    same numbers as the two steps."""
    n, p = rows.size, x.shape[1]
    out = np.empty((n, p), order="F")
    means = np.zeros(p)
    scale = np.ones(p)
    ws = wp[::-1]
    wsum = _seqsum(ws)
    unit = bool(np.all(wp == 1))
    for j in range(p):
        col = out[:, j]
        np.take(x[:, j], rows, out=col)
        if doscale[j]:
            means[j], scale[j] = _scale_column(col, wp, ws, wsum, unit)
    return out, means, scale


@dataclass
class CoxData:
    """Everything about one data set that stays fixed across iterations.

    Contract
    --------
    Persons are in *processing order*: the reverse of ``order(strata, time)``,
    i.e. the order in which coxfit6 walks them (last time first). A *group* is
    a run of equal (stratum, time); a *death group* a group with deaths; a
    *step* is one term of the partial likelihood: one per death group for
    Breslow, one per death for Efron (the k-th of d tied deaths has k/d of
    their risk in its denominator).
    """

    n: int
    p: int
    method: str
    x: np.ndarray  # (n, p) Fortran, centred & scaled, processing order
    w: np.ndarray
    offset: np.ndarray
    death_q: np.ndarray  # positions of deaths (processing order, grouped)
    w_death: np.ndarray
    x_death: np.ndarray | None  # (ndeath, p); None when the deaths lead their tie groups
    u0: np.ndarray  # sum over deaths of w x
    dgroup_of_row: np.ndarray | None  # death group of each death row (-1 otherwise), when deaths lead
    death_seg: SegmentSummer  # deaths -> death groups, sequential sums
    dstarts: np.ndarray  # first death of each death group (in death_q)
    dcount: np.ndarray  # deaths per death group (float)
    dgroups: np.ndarray  # group id of each death group
    step_dgroup: np.ndarray  # death group of each step
    step_c: np.ndarray  # deadwt (Breslow) or deadwt/d (Efron)
    step_f: np.ndarray  # fraction of the tied deaths' risk in the step's denominator
    cens_q: np.ndarray
    risk_len: int
    risk_pos_cens: np.ndarray
    risk_pos_step: np.ndarray
    risk_starts: np.ndarray  # stratum restarts in the risk sequence
    ll_len: int
    ll_pos_death: np.ndarray
    ll_pos_step: np.ndarray
    group_of: np.ndarray  # group id of each person
    gstarts: np.ndarray  # first person of each group
    group_len: np.ndarray  # persons per group
    ngroup: int
    group_stratum: np.ndarray
    gstrat_starts: np.ndarray  # restarts of the group sequence at strata
    step_group: np.ndarray  # group id of each step
    is_death: np.ndarray
    exact: bool = False  # replay the C loop's sums bit for bit (see evaluate)
    segments: RowSegments | None = None  # row blocks of the two-pass evaluation (regrouped.py)
    multi: np.ndarray | None = None  # Efron: death groups with two or more deaths (None: Breslow / none)
    multi_rows: np.ndarray | None = None  # their death rows, group by group
    multi_count: np.ndarray | None = None  # their deaths
    multi_steps: np.ndarray | None = None  # their steps, group by group
    multi_step_group: np.ndarray | None = None  # index into ``multi`` of each of those steps
    multi_one_f: np.ndarray | None = None  # 1 - f of those steps
    death_dgroup: np.ndarray | None = None  # death group of each death (intp)
    step_dcount: np.ndarray | None = None  # Efron: deaths in the step's group (float)
    rows_are_groups: bool = False  # every tie group is one row
    unit_weights: bool = False
    offset_zero: bool = False


EXACT_ORDER_LIMIT = 250_000
"""Up to this many ``n * p^2`` the fit replays coxfit6's running sums term by
term (C order, C-library exp and log); above it the p-dimensional sums are
regrouped (matrix products), which is what makes 10^5 subjects fast."""


def prepare(time_sorted: np.ndarray, status_sorted: np.ndarray, x_sorted: np.ndarray,
            w_sorted: np.ndarray, strata_sorted: np.ndarray, offset_sorted: np.ndarray,
            method: str, exact: bool | None = None) -> CoxData:
    """:func:`prepare_processing` for rows sorted by (stratum, time)."""
    rev = slice(None, None, -1)
    return prepare_processing(time_sorted[rev], status_sorted[rev], np.asfortranarray(x_sorted[rev]),
                              w_sorted[rev], strata_sorted[rev], offset_sorted[rev], method, exact)


def prepare_processing(t: np.ndarray, status: np.ndarray, x: np.ndarray, w: np.ndarray, st: np.ndarray,
                       off: np.ndarray, method: str, exact: bool | None = None) -> CoxData:
    """Build :class:`CoxData` from rows in processing order (the reverse of
    ``order(strata, time)``); ``x`` is used as it is (Fortran order, not
    copied). ``exact`` None chooses by size (:data:`EXACT_ORDER_LIMIT`)."""
    return with_design(plan_processing(t, status, w, st, off, method, x.shape[1], exact), x)


def with_design(plan: CoxData, x: np.ndarray) -> CoxData:
    """``plan`` (from :func:`plan_processing`) with the design ``x`` (rows in
    processing order, centred and scaled) and the sums taken from it."""
    dead = plan.is_death
    x_death = np.asfortranarray(x[plan.death_q]) if plan.dgroup_of_row is None else None
    u0 = vecmat(plan.w_death, x_death) if x_death is not None else vecmat(np.where(dead, plan.w, 0.0), x)
    return replace(plan, x=x, x_death=x_death, u0=u0)


def plan_processing(t: np.ndarray, status: np.ndarray, w: np.ndarray, st: np.ndarray, off: np.ndarray,
                    method: str, p: int, exact: bool | None = None) -> CoxData:
    """Everything of :class:`CoxData` that the design does not enter (the
    groups, steps and orders of the sums), for rows in processing order and
    ``p`` covariates; :func:`with_design` adds the design. The two can run
    side by side with the design's gathering and scaling."""
    n = t.size
    dead = status == 1
    w = np.ascontiguousarray(w, dtype=float)
    off = np.ascontiguousarray(off, dtype=float)
    newgrp = np.ones(n, dtype=bool)
    newgrp[1:] = (t[1:] != t[:-1]) | (st[1:] != st[:-1])
    group_of = np.cumsum(newgrp) - 1
    ngroup = int(group_of[-1]) + 1 if n else 0
    gstarts = np.flatnonzero(newgrp)
    group_stratum = st[gstarts]
    gs_new = np.ones(ngroup, dtype=bool)
    gs_new[1:] = group_stratum[1:] != group_stratum[:-1]

    death_q = np.flatnonzero(dead)
    ndeath = death_q.size
    dgroup = group_of[death_q]
    dnew = np.ones(ndeath, dtype=bool)
    dnew[1:] = dgroup[1:] != dgroup[:-1]
    dstarts = np.flatnonzero(dnew)
    dgroups = dgroup[dstarts]
    dcount_i = np.diff(np.append(dstarts, ndeath))
    death_seg = SegmentSummer(dstarts, ndeath)
    deadwt = death_seg(w[death_q])  # C: deadwt += weights[person]
    dcount = dcount_i.astype(float)
    if method == "efron":
        step_dgroup = np.repeat(np.arange(dgroups.size), dcount_i)
        k = np.arange(ndeath) - np.repeat(dstarts, dcount_i)
        # coxfit6 takes the Breslow branch when ndead == 1; deadwt/1 == deadwt
        step_c = deadwt[step_dgroup] / dcount[step_dgroup]
        step_f = (k + 1) / dcount[step_dgroup]
    else:
        step_dgroup = np.arange(dgroups.size)
        step_c = deadwt.copy()
        step_f = np.ones(dgroups.size)
    step_group = dgroups[step_dgroup]
    nstep = step_group.size

    # the risk-set denominator, term by term in C order: per group its
    # censored persons, then its steps
    cens_q = np.flatnonzero(~dead)
    steps_per_group = np.bincount(step_group, minlength=ngroup)
    cens_per_group = np.bincount(group_of[cens_q], minlength=ngroup)
    risk_pos_cens, risk_pos_step = _interleave(group_of[cens_q], step_group, cens_per_group, steps_per_group)
    risk_starts = _restarts_for(group_stratum, cens_per_group + steps_per_group)

    # the log-likelihood, term by term in C order: per group its deaths, then its steps
    deaths_per_group = np.bincount(dgroup, minlength=ngroup)
    ll_pos_death, ll_pos_step = _interleave(dgroup, step_group, deaths_per_group, steps_per_group)

    w_death = w[death_q]
    exact = (n * max(p, 1) ** 2 <= EXACT_ORDER_LIMIT) if exact is None else bool(exact)
    # rows ordered with each tie group's deaths first (coxph does that for large
    # data): the deaths' sums are then contiguous and no copy of their rows is kept
    dgroup_of_row = None
    if not exact and ndeath and np.array_equal(death_q, _leading(gstarts, dstarts, dcount_i, dgroups)):
        dgroup_of_row = np.full(n, -1, dtype=np.int32)
        dgroup_of_row[death_q] = np.repeat(np.arange(dgroups.size, dtype=np.int32), dcount_i)
    segments = None
    if dgroup_of_row is not None:
        snew = np.ones(n, dtype=bool)
        snew[1:] = st[1:] != st[:-1]
        segments = row_segments(n, snew, gstarts, dgroups, dcount_i, method == "efron")
    # row-length index arrays as int32 (half the memory; n < 2**31)
    i32 = (lambda a: a.astype(np.int32)) if n < 2**31 - 1 else (lambda a: a)
    group_of, death_q, cens_q = i32(group_of), i32(death_q), i32(cens_q)
    risk_pos_cens, risk_pos_step = i32(risk_pos_cens), i32(risk_pos_step)
    ll_pos_death, ll_pos_step = i32(ll_pos_death), i32(ll_pos_step)
    step_dgroup, step_group = i32(step_dgroup), i32(step_group)
    multi = multi_rows = multi_count = multi_steps = multi_step_group = multi_one_f = None
    if method == "efron" and ndeath and int(dcount_i.max()) >= 2:
        multi = np.flatnonzero(dcount_i >= 2)
        multi_count = dcount_i[multi]
        # Efron: step k of death group h is its k-th death, so steps and deaths share positions
        multi_deaths = np.repeat(dstarts[multi], multi_count) + (
            np.arange(int(multi_count.sum())) - np.repeat(np.cumsum(multi_count) - multi_count, multi_count))
        multi_rows = death_q[multi_deaths].astype(np.int32)
        multi_steps = multi_deaths.astype(np.int32)
        multi_step_group = np.repeat(np.arange(multi.size, dtype=np.int32), multi_count)
        multi_one_f = 1.0 - step_f[multi_steps]
    return CoxData(
        multi=multi, multi_rows=multi_rows, multi_count=multi_count, multi_steps=multi_steps,
        multi_step_group=multi_step_group, multi_one_f=multi_one_f,
        death_dgroup=np.repeat(np.arange(dgroups.size, dtype=np.int32), dcount_i),
        step_dcount=dcount[step_dgroup] if method == "efron" else None, rows_are_groups=ngroup == n,
        unit_weights=bool(np.all(w == 1)), offset_zero=not np.any(off),
        n=n, p=p, method=method, x=np.empty((0, p)), w=w, offset=off, death_q=death_q, w_death=w_death,
        x_death=None, u0=np.zeros(p), death_seg=death_seg, dstarts=dstarts, dcount=dcount, dgroup_of_row=dgroup_of_row,
        dgroups=dgroups, step_dgroup=step_dgroup, step_c=step_c, step_f=step_f, cens_q=cens_q,
        risk_len=cens_q.size + nstep, risk_pos_cens=risk_pos_cens, risk_pos_step=risk_pos_step,
        risk_starts=risk_starts, ll_len=ndeath + nstep, ll_pos_death=ll_pos_death,
        ll_pos_step=ll_pos_step, group_of=group_of, gstarts=gstarts, group_len=np.diff(np.append(gstarts, n)),
        ngroup=ngroup,
        group_stratum=group_stratum, gstrat_starts=np.flatnonzero(gs_new), step_group=step_group,
        is_death=dead, exact=exact, segments=segments,
    )


def _interleave(g1: np.ndarray, g2: np.ndarray, n1: np.ndarray, n2: np.ndarray):
    """Positions in a sequence that lists, group by group, the items of kind 1
    (group ids ``g1``, non-decreasing) then those of kind 2 (``g2``), each kind
    in its given order; ``n1``/``n2`` are the counts per group."""
    # item k of kind 1 (the j-th of its group g) sits at gstart[g] + j, where
    # gstart[g] = (kind-1 items before g) + (kind-2 items before g) and
    # j = k - (kind-1 items before g): so at k + (kind-2 items before g);
    # likewise item k of kind 2 at k + (kind-1 items up to and with g)
    c1 = np.cumsum(n1)
    c2 = np.cumsum(n2)
    return np.arange(g1.size) + (c2 - n2)[g1], np.arange(g2.size) + c1[g2]


def _restarts_for(group_stratum: np.ndarray, glen: np.ndarray) -> np.ndarray:
    """Restart positions (stratum boundaries) of a sequence made of groups of
    lengths ``glen`` (every group holds at least one term)."""
    gstart = np.cumsum(glen) - glen
    new = np.ones(group_stratum.size, dtype=bool)
    new[1:] = group_stratum[1:] != group_stratum[:-1]
    return gstart[new]


def _leading(gstarts, dstarts, dcount, dgroups) -> np.ndarray:
    """The rows the deaths would occupy if each death group's deaths came first."""
    return np.repeat(gstarts[dgroups], dcount) + (np.arange(int(dcount.sum())) - np.repeat(dstarts, dcount))


def linear_predictor(x: np.ndarray, beta: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``zbeta = offset; zbeta += beta[i] * x[, i]`` for i in order (coxfit6)."""
    eta = np.array(offset, dtype=float, copy=True)
    for i in range(x.shape[1]):
        eta += beta[i] * x[:, i]
    return eta


def evaluate(d: CoxData, beta: np.ndarray):
    """Log partial likelihood, score and information at ``beta`` (scaled).

    Contract: ``beta`` has length ``d.p``; returns ``(loglik, u (p,), imat (p, p))``
    on the scaled covariates, as one call of ``coxfit6_iter``. The
    log-likelihood is always accumulated term by term in the C loop's order;
    the score and information too when ``d.exact``, otherwise they are
    regrouped per tie group (see the module docstring).
    """
    if d.exact:
        return _evaluate_c_order(d, linear_predictor(d.x, beta, d.offset))
    if d.segments is not None:
        return evaluate_regrouped(d, beta)
    eta = linear_predictor(d.x, beta, d.offset)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = np.exp(eta) * d.w
        rs = risk_sums(d, r)
        loglik = float(np.sum(d.w_death * eta[d.death_q])) - float(np.sum(d.step_c * np.log(rs.denom)))
        u, imat = score_information(d, rs)
    return loglik, u, imat


def _loglik(d: CoxData, eta: np.ndarray, log_denom: np.ndarray) -> float:
    # loglik: += w*zbeta per death, -= c*log(denom) per step, in C order
    sll = np.empty(d.ll_len)
    sll[d.ll_pos_death] = d.w_death * eta[d.death_q]
    sll[d.ll_pos_step] = -(d.step_c * log_denom)
    return float(np.cumsum(sll)[-1]) if sll.size else 0.0


def _evaluate_c_order(d: CoxData, eta: np.ndarray):
    """coxfit6_iter term by term: every running sum (denominator, a, cmat,
    loglik, u, imat) is a sequential cumsum over the C loop's terms in its
    order, with the C library's exp and log, so the results carry R's
    rounding -- down to a score that is exactly 0 when R's is (which decides,
    for instance, whether linear predictors tie in the concordance)."""
    p = d.p
    jj, kk = np.tril_indices(p)  # (i, j) pairs with j <= i, the C loop's cmat[i][j]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        r = _libm.exp(eta) * d.w
        rx = d.x * r[:, None]  # risk*covar[i]
        rxx = rx[:, jj] * d.x[:, kk]  # risk*covar[i]*covar[j]
        vals = np.column_stack((r, rx, rxx))
        tied = d.death_seg(vals[d.death_q])  # denom2, a2, cmat2: sequential within the tie group
        steps = tied[d.step_dgroup] / d.dcount[d.step_dgroup, None] if d.method == "efron" else tied
        seq = np.empty((d.risk_len, vals.shape[1]))
        seq[d.risk_pos_cens] = vals[d.cens_q]
        seq[d.risk_pos_step] = steps
        run = cumsum_restart(seq, d.risk_starts)[d.risk_pos_step]
        denom = run[:, 0]
        a = run[:, 1:p + 1]
        cmat = run[:, p + 1:]
        loglik = _loglik(d, eta, _libm.log(denom))
        c = d.step_c
        temp2 = a / denom[:, None]
        su = np.empty((d.ll_len, p))
        su[d.ll_pos_death] = d.w_death[:, None] * d.x_death
        su[d.ll_pos_step] = -(c[:, None] * temp2)
        u = np.cumsum(su, axis=0)[-1] if su.shape[0] else np.zeros(p)
        # imat[j][i] += c*(cmat[i][j] - temp2[i]*a[j])/denom, step after step
        terms = (c[:, None] * (cmat - temp2[:, jj] * a[:, kk])) / denom[:, None]
        tot = np.cumsum(terms, axis=0)[-1] if terms.shape[0] else np.zeros(jj.size)
    imat = np.zeros((p, p))
    imat[jj, kk] = tot
    imat[kk, jj] = tot
    return loglik, u, imat


@dataclass
class RiskSums:
    """Risk-set sums at given risk scores: per step the denominator; per death
    group the covariate sums over the whole risk set (A, tied deaths
    included) and over the tied deaths (D)."""

    r: np.ndarray
    denom: np.ndarray
    A: np.ndarray
    D: np.ndarray
    Atot: np.ndarray  # per death group: sum of r over its whole risk set (A's weight)
    Dtot: np.ndarray  # per death group: sum of r over its deaths (D's weight)


def risk_sums(d: CoxData, r: np.ndarray) -> RiskSums:
    """Contract: ``r`` = exp(eta) * w in processing order, length ``d.n``."""
    r_death = r[d.death_q]
    # denominator in C order: censored added one by one, tied deaths as denom2
    # (their sum) added whole (Breslow) or in d parts of denom2/d (Efron); the
    # tied deaths' sum itself is pairwise here (the C-order path is _evaluate_c_order)
    denom2 = np.add.reduceat(r_death, d.dstarts) if r_death.size else np.zeros(0)
    sv = denom2[d.step_dgroup] / d.dcount[d.step_dgroup] if d.method == "efron" else denom2
    seq = np.empty(d.risk_len)
    seq[d.risk_pos_cens] = r[d.cens_q]
    seq[d.risk_pos_step] = sv
    denom = cumsum_restart(seq, d.risk_starts)[d.risk_pos_step]
    Gr = np.add.reduceat(r, d.gstarts) if d.n else np.zeros(0)
    G, D = _group_sums(d, r, r_death)
    A = cumsum_restart(G, d.gstrat_starts)[d.dgroups]
    Atot = cumsum_restart(Gr, d.gstrat_starts)[d.dgroups]
    return RiskSums(r=r, denom=denom, A=A, D=D, Atot=Atot, Dtot=denom2)


def _group_sums(d: CoxData, r: np.ndarray, r_death: np.ndarray):
    """Per tie group, sum of r x over the group (G) and over its deaths (D),
    in row blocks so that no (n, p) temporary is ever made."""
    G = np.zeros((d.ngroup, d.p))
    D = np.zeros((d.dgroups.size, d.p)) if d.dgroup_of_row is not None else None
    for a in range(0, d.n, BLOCK):
        b = min(d.n, a + BLOCK)
        blk = d.x[a:b] * r[a:b, None]
        g = d.group_of[a:b]
        first = np.flatnonzero(np.append(True, g[1:] != g[:-1]))
        G[g[first]] += np.add.reduceat(blk, first, axis=0)  # groups are contiguous: distinct ids
        if D is not None:
            dg = d.dgroup_of_row[a:b]
            m = dg >= 0
            if m.any():
                dgs = dg[m]
                first = np.flatnonzero(np.append(True, dgs[1:] != dgs[:-1]))
                D[dgs[first]] += np.add.reduceat(blk[m], first, axis=0)
    if D is None:
        D = np.add.reduceat(d.x_death * r_death[:, None], d.dstarts, axis=0) if r_death.size \
            else np.zeros((0, d.p))
    return G, D


def score_information(d: CoxData, rs: RiskSums, step_weight: np.ndarray | None = None,
                      death_weight: np.ndarray | None = None):
    """Score and information from :func:`risk_sums`; with ``step_weight`` (one
    value per step, constant within a death group) every step's contribution
    is multiplied by it (the time-weighted blocks of ``cox.zph``), and the
    deaths' own term by ``death_weight``."""
    denom, A, D = rs.denom, rs.A, rs.D
    q = d.step_c / denom
    if step_weight is not None:
        q = q * step_weight
    s = q / denom
    one_f = 1.0 - d.step_f
    H = A.shape[0]
    Qh = np.bincount(d.step_dgroup, weights=q, minlength=H)
    Rh = np.bincount(d.step_dgroup, weights=q * one_f, minlength=H)
    if death_weight is None:
        u0 = d.u0
    else:
        wd = np.zeros(d.n)
        wd[d.death_q] = d.w_death * death_weight
        u0 = vecmat(wd, d.x)
    u = u0 - (vecmat(Qh, A) - vecmat(Rh, D))
    # the information does not change when every x moves by the same vector;
    # moving it to the average risk-set mean m keeps the two regrouped terms
    # small, so their difference loses few digits (the C loop subtracts step
    # by step, where the terms are small anyway)
    q0 = d.step_c / denom
    m = (vecmat(np.bincount(d.step_dgroup, weights=q0, minlength=H), A)
         - vecmat(np.bincount(d.step_dgroup, weights=q0 * one_f, minlength=H), D)) / np.sum(d.step_c)
    A = A - rs.Atot[:, None] * m
    D = D - rs.Dtot[:, None] * m
    alpha = np.bincount(d.step_dgroup, weights=s, minlength=H)
    beta_ = np.bincount(d.step_dgroup, weights=s * one_f, minlength=H)
    gamma = np.bincount(d.step_dgroup, weights=s * one_f * one_f, minlength=H)
    cross = xtwy(A, beta_, D)
    term2 = xtwy(A, alpha, A) - cross - cross.T + xtwy(D, gamma, D)
    term1 = _weighted_crossprod(d, rs.r, q, m)
    imat = term1 - term2
    return u, (imat + imat.T) / 2


def _weighted_crossprod(d: CoxData, r: np.ndarray, q: np.ndarray, m: np.ndarray) -> np.ndarray:
    """sum over steps e of c_e cmat_e / denom_e = X' diag(r W) X about m, W
    the risk weights of :func:`.regrouped.risk_weights`."""
    return crossprod_about(d.x, r * risk_weights(d, q), m)


def _converged(best: float, new: float, eps: float) -> bool:
    """``fabs(1 - (best/new)) <= eps`` with C's IEEE semantics (0/0 is NaN, so
    a zero log-likelihood never converges)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return bool(abs(1 - (np.float64(best) / np.float64(new))) <= eps)


@dataclass
class Coxfit6Result:
    """What ``.Call(Ccoxfit6, ...)`` returns (original scale)."""

    coef: np.ndarray
    means: np.ndarray
    u: np.ndarray
    imat: np.ndarray
    loglik: np.ndarray
    sctest: float
    iter: int
    flag: int


def coxfit6(d: CoxData, init: np.ndarray, scale: np.ndarray, means: np.ndarray,
            control: CoxControl, maxiter: int, ahead: Callable[[np.ndarray], None] | None = None) -> Coxfit6Result:
    """coxfit6's iteration, state for state (see the module docstring).

    ``ahead``, if given, is told the coefficients (unscaled) about to be
    evaluated when the Newton step's predicted gain in log-likelihood,
    ``u' I^-1 u / 2``, is already within the convergence tolerance: they are
    then most likely the fit's result, and the caller may start work that
    depends on them beside the evaluation. It never changes the iteration."""
    eps = control.eps
    toler = control.toler_chol
    beta = np.asarray(init, dtype=float) / scale
    ll0, u, info = evaluate(d, beta)
    loglik = [ll0, ll0]
    fac, flag = cholesky2(info, toler)
    a = chsolve2(fac, u)
    sctest = 0.0
    for ui, ai in zip(u.tolist(), a.tolist()):
        sctest += ui * ai
    gain = sctest / 2

    def finish(beta_s, u_s, var_s, it, flg):
        var = var_s * np.outer(scale, scale)
        return Coxfit6Result(coef=beta_s * scale, means=means, u=u_s / scale, imat=var,
                             loglik=np.array(loglik), sctest=sctest, iter=it, flag=flg)

    if maxiter == 0 or not math.isfinite(ll0):
        return finish(beta, u, chinv2(fac), 0, flag)

    newbeta = beta + a
    halving = 0
    it = 1
    while it <= maxiter:
        if ahead is not None and not halving and abs(gain) <= eps * abs(loglik[1]):
            ahead(newbeta * scale)
        newlk, u, info = evaluate(d, newbeta)
        fac, flag = cholesky2(info, toler)
        # C tests the matrix *after* cholesky2, which has zeroed non-finite pivots
        notfinite = (not np.all(np.isfinite(u))) or (not np.all(np.isfinite(fac))) or \
            (not math.isfinite(newlk))
        if not notfinite and _converged(loglik[1], newlk, eps):
            loglik[1] = newlk
            return finish(newbeta, u, chinv2(fac), it, -2 if halving else flag)
        if notfinite or newlk < loglik[1]:
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            loglik[1] = newlk
            score = u
            u = chsolve2(fac, u)  # coxfit6 overwrites u with the step
            gain = float(score @ u) / 2
            beta = newbeta
            newbeta = newbeta + u
        it += 1
    # ran out of iterations: recompute at the last accepted beta (maxiter > 1)
    if maxiter > 1:
        loglik[1], u, info = evaluate(d, beta)
        var_s = inverse_from_upper(info)
    else:
        var_s = chinv2(fac)
    return finish(beta, u, var_s, it, 1000)
