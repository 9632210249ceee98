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

import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survdiff_form
from rparity_contract.errors import ComputationError, InvalidArgument, RParityWarning
from rparity_contract.results.survival import SurvDiff

from .. import _libm as C
from .._rformat import r_label
from .._rmath import NANS_PRODUCED, pchisq_upper, r_solve, r_sum
from .formula import OneSample
from .inputs import logrank_inputs
from .timefix import tie_codes

__all__ = ["survdiff"]



def survdiff(time, event=MISSING, group=MISSING, *, data=None, subset=None, strata=None,
             rho: float = 0.0) -> SurvDiff:
    """Test whether survival differs between groups, as ``survdiff(Surv(time,
    event) ~ group + strata(strata), rho=rho)``.

    Two forms: ``survdiff("Surv(time, status) ~ sex + strata(inst)",
    data=lung, subset=, rho=)`` (the formula form; groups labelled as R
    labels them, ``"sex=1"``, several terms combined ``"sex=1, ph.ecog=0"``)
    and ``survdiff(time, event, group, strata=, rho=)``.

    Parameters
    ----------
    time, event : array-like
        Follow-up times (finite; negative allowed, as in R) and the status as R's ``Surv()`` reads
        it (0/1, 1/2, logical, factor; None: ``Surv(time)``, every row an
        event); rows with a missing time, status, group or stratum are
        dropped (``na.omit``).
    group : array-like
        Group labels (at least two distinct values). Groups are ordered as a
        pandas Categorical's categories, else by sorted value.
    strata : array-like, optional
        Stratum labels; the test sums within-stratum statistics.
    rho : float
        0 gives the log-rank test, 1 the Peto-Peto modification of Gehan-Wilcoxon.
    """
    if survdiff_form(time, event, group, strata, data, subset):
        from .formula import OneSample, survdiff_arrays

        arrays = survdiff_arrays(time, data, subset)
        if isinstance(arrays, OneSample):
            return _one_sample_test(arrays, rho)
        time, event, group, strata = arrays
    k = logrank_inputs(time, event, group, strata, rho)
    return _survdiff_kernel(k.time, k.event, k.group, len(k.levels), k.strata, k.rho, tuple(k.levels), k.warnings)


def _one_sample_test(a: "OneSample", rho: float) -> SurvDiff:
    """survdiff.R's one-sample test: observed deaths against the sum of
    -log(expected survival); for rho != 0 the G-rho form of it."""
    from .surv import read_surv

    keep = ~(np.isnan(a.time) | np.isnan(a.offset))
    sd = read_surv(a.time[keep], None if a.event is None else a.event[keep])
    status, p = sd.status, a.offset[keep]
    if np.isnan(status).any():
        keep_s = ~np.isnan(status)
        status, p = status[keep_s], p[keep_s]
    if not isinstance(rho, (int, float, np.integer, np.floating)) or isinstance(rho, bool):
        raise InvalidArgument(f"`rho` must be a number; got rho={rho!r}", kind="rho.value")
    rho = float(rho)
    minus_log = -C.log(p)
    expected = r_sum(minus_log)
    observed = r_sum(status)
    if rho != 0:
        num = r_sum(1 / rho - ((1 / rho + status) * C.power(p, rho)))
        var = r_sum(1 - C.power(p, 2 * rho)) / (2 * rho)
    else:
        var = expected
        num = var - observed
    chi = num * num / var
    return SurvDiff(groups=(), n=np.array([p.size], dtype=np.int64), obs=np.array([float(observed)]),
                    exp=np.array([float(expected)]), var=np.array([[float(var)]]), chisq=float(chi), df=1,
                    pvalue=float(pchisq_upper(chi, 1)), rho=rho, warnings=tuple(sd.warnings))


def _survdiff_kernel(t, e, g, ngroup, s, rho, levels, input_warnings=()) -> SurvDiff:
    n = t.size
    tcodes, utime = tie_codes(t)
    strat = np.zeros(n, dtype=np.intp) if s is None else s
    # blocks = distinct (stratum, time) pairs in R's order: order(strat, time, ...)
    key = strat.astype(np.int64) * utime.size + tcodes
    bcodes, ukey = pd.factorize(key, sort=True)
    bstrat = (np.asarray(ukey) // utime.size).astype(np.intp)
    nb = ukey.size
    cnt = np.bincount(bcodes * ngroup + g, minlength=nb * ngroup).reshape(nb, ngroup)
    dth = np.bincount(bcodes * ngroup + g, weights=e, minlength=nb * ngroup).reshape(nb, ngroup)
    sstarts = np.flatnonzero(np.concatenate(([True], bstrat[1:] != bstrat[:-1])))
    send = np.append(sstarts[1:], nb)
    nstrat = sstarts.size
    obs = np.zeros((ngroup, nstrat))
    exp = np.zeros((ngroup, nstrat))
    var_terms: list[np.ndarray] = []
    for si, (a, b) in enumerate(zip(sstarts, send)):
        o, x, vt = _stratum(cnt[a:b], dth[a:b], rho)
        obs[:, si] = o
        exp[:, si] = x
        var_terms.append(vt)
    allv = np.concatenate(var_terms, axis=0)
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
            raise ComputationError(f"survdiff: solving for the test statistic, as R does: {exc}",
                                   kind=exc.kind or "solve.singular") from None
    df = int(use.sum()) - 1
    pval = float(pchisq_upper(chisq, df))
    warns = list(input_warnings)  # Surv(): invalid status values
    if df < 0:  # no events at all: R's pchisq(0, -1) gives NaN with a warning
        warns.append(NANS_PRODUCED)
    for w in warns:
        warnings.warn(RParityWarning(w), stacklevel=3)
    return SurvDiff(
        groups=tuple(r_label(v) for v in levels), n=counts, obs=obs_out, exp=exp_out, var=var, chisq=float(chisq),
        df=df, pvalue=pval, rho=rho, warnings=tuple(warns),
    )


def _stratum(cnt: np.ndarray, dth: np.ndarray, rho: float):
    """One stratum of survdiff2.c from its tie table.

    ``cnt[b, k]``/``dth[b, k]``: subjects/deaths of group k at the stratum's b-th
    time (ascending). Returns (obs, exp, var_additions); var_additions has shape
    (m, ngroup, ngroup): the successive additions the C loop makes to each
    variance element (zeros where it makes none), in its order.
    """
    nb, ngroup = cnt.shape
    deaths = dth.sum(axis=1)
    nsub = cnt.sum(axis=1)
    nrisk = np.cumsum(nsub[::-1])[::-1].astype(float)  # n - i at the block's first subject
    risk = np.cumsum(cnt[::-1], axis=0)[::-1].astype(float)  # group-k subjects at or after the block
    if rho != 0:
        # left-continuous KM of the stratum: kaplan[block] = km before the block;
        # survdiff2.c: km = km * (nrisk-deaths)/nrisk, i.e. (km*(n-d))/n, which
        # rounds differently from a product of ratios, hence the plain loop
        kaplan = np.empty(nb)
        km = 1.0
        for b, (nr_b, d_b) in enumerate(zip(nrisk.tolist(), deaths.tolist())):
            kaplan[b] = km
            km = km * (nr_b - d_b) / nr_b
        wt_block = C.power(kaplan, rho)  # C's pow
        # obs[k] += status*wt one subject at a time, from the last subject back
        rev = slice(None, None, -1)
        obs = np.array([
            (np.cumsum(np.repeat(wt_block[rev], dth[rev, k].astype(np.int64)))[-1]
             if dth[:, k].any() else 0.0) for k in range(ngroup)])
    else:
        wt_block = np.ones(nb)
        obs = dth.sum(axis=0)
    rev = np.arange(nb)[::-1]  # C walks the times from the last
    bi = rev[deaths[rev] > 0]
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
