"""G-rho family tests: ``survival::survdiff`` (survdiff.R, survdiff.fit.R,
src/survdiff2.c of survival 3.5-3).

Within each stratum, subjects are ordered by (time, -status); walking the death
times backwards, with weight ``w = S_KM(t-)^rho`` (pooled, unweighted,
left-continuous Kaplan-Meier of the stratum):

    obs_k += w d_k,   exp_k += w d r_k / n,
    V_jk  += w^2 d (n - d) / (n (n - 1)) (delta_jk r_j - r_j r_k / n)   (n > 1).

Every accumulation is replayed in the C code's order (sequential sums via
``np.cumsum``), so O - E is bit-identical to R's, even when it is all rounding.
"""
from __future__ import annotations

import numpy as np

import warnings

from .. import _libm as C
from .._rmath import NANS_PRODUCED, pchisq_upper, r_solve, r_sum
from .._rorder import block_starts
from .._validate import as_event, as_labels, as_time, check_lengths
from ..errors import ComputationError, InvalidArgument, RParityWarning
from ..results.survival import SurvDiff
from .timefix import aeq_surv

__all__ = ["survdiff"]



def survdiff(time, event, group, *, strata=None, rho: float = 0.0) -> SurvDiff:
    """Test whether survival differs between groups, as ``survdiff(Surv(time,
    event) ~ group + strata(strata), rho=rho)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times (finite, >= 0) and event indicators (0/1 or bool).
    group : array-like
        Group labels (at least two distinct values). Groups are ordered as a
        pandas Categorical's categories, else by sorted value.
    strata : array-like, optional
        Stratum labels; the test sums within-stratum statistics.
    rho : float
        0 gives the log-rank test, 1 the Peto-Peto modification of Gehan-Wilcoxon.
    """
    t = as_time(time, "time")
    e = as_event(event, "event")
    g, levels = as_labels(group, "group", min_levels=2)
    s = None
    if strata is not None:
        s, _ = as_labels(strata, "strata")
    check_lengths(time=t, event=e, group=g, strata=s)
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}") from None
    if not np.isfinite(rho):
        raise InvalidArgument(f"`rho` must be a finite number; got rho={rho!r}")
    return _survdiff_kernel(aeq_surv(t), e, g, len(levels), s, rho, tuple(levels))


def _survdiff_kernel(t, e, g, ngroup, s, rho, levels) -> SurvDiff:
    n = t.size
    strat = np.zeros(n, dtype=np.intp) if s is None else s
    # survdiff.fit: ord <- order(strat, y[,1], -y[,2])  (stable)
    ord_ = np.lexsort((np.arange(n), -e, t, strat))
    ts, es, gs, ss = t[ord_], e[ord_], g[ord_], strat[ord_]
    sstarts = block_starts(ss)
    send = np.append(sstarts[1:], n)
    nstrat = sstarts.size
    obs = np.zeros((ngroup, nstrat))
    exp = np.zeros((ngroup, nstrat))
    var_terms: list[np.ndarray] = []  # per (j, k) element: its additions in C order
    for si, (a, b) in enumerate(zip(sstarts, send)):
        o, x, vt = _stratum(ts[a:b], es[a:b], gs[a:b], ngroup, rho)
        obs[:, si] = o
        exp[:, si] = x
        var_terms.append(vt)
    allv = np.concatenate(var_terms, axis=0) if var_terms else np.zeros((0, ngroup, ngroup))
    var = np.cumsum(allv, axis=0)[-1] if allv.shape[0] else np.zeros((ngroup, ngroup))
    # C stores element (j, k) at j*ngroup + k and R reads it column-major, so
    # R's var[k, j] is the C loop's (j, k): transpose (it matters in the last bit)
    var = var.T + 0.0  # + 0.0: -0.0 -> 0.0
    counts = np.bincount(g, minlength=ngroup).astype(np.int64)
    if nstrat == 1:
        otmp, etmp = obs[:, 0], exp[:, 0]
        obs_out, exp_out = otmp.copy(), etmp.copy()
    else:
        # survdiff.R: apply(fit$observed, 1, sum) -- R's sum (long double)
        otmp = np.array([r_sum(row) for row in obs])
        etmp = np.array([r_sum(row) for row in exp])
        obs_out, exp_out = obs, exp
    use = etmp > 0
    if use.sum() < 2:
        chisq = 0.0
    else:
        temp2 = (otmp - etmp)[use][1:]
        vv = var[np.ix_(use, use)][1:, 1:]
        try:
            chisq = r_sum(r_solve(vv, temp2) * temp2)
        except ComputationError as exc:
            raise ComputationError(f"survdiff: solving for the test statistic, as R does: {exc}") from None
    df = int(use.sum()) - 1
    pval = float(pchisq_upper(chisq, df))
    warns: tuple[str, ...] = ()
    if df < 0:  # no events at all: R's pchisq(0, -1) gives NaN with a warning
        warnings.warn(RParityWarning(NANS_PRODUCED), stacklevel=3)
        warns = (NANS_PRODUCED,)
    return SurvDiff(
        groups=levels, n=counts, obs=obs_out, exp=exp_out, var=var, chisq=float(chisq), df=df,
        pvalue=pval, rho=rho, warnings=warns,
    )


def _stratum(ts, es, gs, ngroup, rho):
    """One stratum of survdiff2.c; subjects sorted by (time, -status).

    Returns (obs, exp, var_additions) where var_additions has shape
    (m, ngroup, ngroup): the m successive additions the C loop makes to each
    variance element (zeros where it makes none), in its order.
    """
    m = ts.size
    starts = block_starts(ts)
    ends = np.append(starts[1:], m)
    nb = starts.size
    deaths = np.add.reduceat(es, starts)
    nrisk = (m - starts).astype(float)  # n - i at the first subject of the block
    if rho != 0:
        # left-continuous KM: kaplan[block] = km before the block
        factor = (nrisk - deaths) / nrisk
        km_before = np.concatenate(([1.0], np.cumprod(factor)[:-1]))
        wt_block = C.power(km_before, rho)  # C's pow, as survdiff2.c
    else:
        wt_block = np.ones(nb)
    # obs[k] += status[j]*wt, j from the last subject to the first
    wt_subj = np.repeat(wt_block, ends - starts)
    obs = np.zeros(ngroup)
    for k in range(ngroup):
        contrib = (es * wt_subj)[gs == k][::-1]
        obs[k] = np.cumsum(contrib)[-1] if contrib.size else 0.0
    # risk[k] at block b: group-k subjects at or after the block start
    onehot = np.zeros((m, ngroup))
    onehot[np.arange(m), gs] = 1.0
    risk = np.cumsum(onehot[::-1], axis=0)[::-1][starts]  # (nb, ngroup)
    rev = np.arange(nb)[::-1]  # C walks blocks from the last
    dmask = deaths[rev] > 0
    bi = rev[dmask]
    w, d, nr, rk = wt_block[bi], deaths[bi], nrisk[bi], risk[bi]
    # exp[k] += wt*deaths*risk[k]/nrisk
    exp_terms = ((w * d)[:, None] * rk) / nr[:, None]
    exp = np.cumsum(exp_terms, axis=0)[-1] if bi.size else np.zeros(ngroup)
    # variance: skipped when nrisk == 1
    vm = nr != 1
    w2, d, nr, rk = (w * w)[vm], d[vm], nr[vm], rk[vm]
    tmp = (((w2 * d)[:, None] * rk) * (nr - d)[:, None]) / (nr * (nr - 1))[:, None]  # (q, ngroup)
    sub = (tmp[:, :, None] * rk[:, None, :]) / nr[:, None, None]  # tmp_j * risk_k / nrisk
    q = tmp.shape[0]
    adds = np.zeros((2 * q, ngroup, ngroup))
    idx = np.arange(ngroup)
    # the C loop: var[j,j] += tmp_j, then var[j,k] -= tmp_j*risk_k/nrisk for k = 0..
    adds[0::2][:, idx, idx] = tmp
    adds[1::2] = -sub
    return obs, exp, adds
