"""``summary``, ``quantile`` and the print table of a Kaplan-Meier fit (pyimpl's
``survfit_summary``, ``survfit_quantile``, ``survfit_table``), computed from the
fit's arrays exactly as survival 3.5-3 does (``summary.survfit``,
``quantile.survfit``/``findq``, ``survmean``), including ``survfit0``'s time-0 row.
They take a fit of any engine."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from rparity_contract.calls import single_curve
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survival import SurvFit
from rparity_contract.values import SUMMARY_COLUMNS, TABLE_INDEX

from .._rmath import SQRT_EPS, r_cumsum, r_sum

__all__ = ["survfit_summary", "survfit_quantile", "survfit_table"]


def _check_fit(fit, function: str) -> SurvFit:
    if not isinstance(fit, SurvFit):
        raise InvalidArgument(f"`fit` must be a SurvFit (from survfit() of any engine); got {type(fit).__name__}",
                              kind="fit.type")
    single_curve(fit, function)
    return fit


def _survfit0(fit: SurvFit) -> dict[str, np.ndarray]:
    """survfit0(): prepend a row at time 0 (start.time = min(0, time) = 0 here):
    n.risk of row 1, no events or censorings, surv/lower/upper 1, se 0, cumhaz 0."""
    n = np.shape(fit.time)[0]
    cols = {k: (np.full(n, np.nan) if getattr(fit, k) is None else np.asarray(getattr(fit, k), dtype=float))
            for k in SUMMARY_COLUMNS}
    if fit.time.size and fit.time[0] == 0:
        return cols
    first = {"time": 0.0, "n_risk": cols["n_risk"][0] if fit.time.size else 0.0, "n_event": 0.0,
             "n_censor": 0.0, "surv": 1.0, "std_err": 0.0, "lower": 1.0, "upper": 1.0,
             "cumhaz": 0.0, "std_chaz": 0.0}
    if fit.conf_type == "none":
        first["lower"] = first["upper"] = np.nan
    return {k: np.concatenate(([first[k]], v)) for k, v in cols.items()}


def survfit_summary(fit: SurvFit, times: Sequence[float], *, extend: bool = False) -> pd.DataFrame:
    """``summary(fit, times=, extend=)``: columns ``time, n_risk, n_event,
    n_censor, surv, std_err, lower, upper, cumhaz, std_chaz``; ``std_err`` is
    the se of S; ``n_event``/``n_censor`` count over (previous time, time]."""
    fit = _check_fit(fit, "survfit_summary")
    f0 = _survfit0(fit)
    try:
        times = np.sort(np.asarray(times, dtype=float).ravel())
    except (TypeError, ValueError):
        raise InvalidArgument(f"`times` must be numeric; got times={times!r}", kind="argument.type") from None
    ptimes = times[np.isfinite(times)]
    if not extend:
        ptimes = ptimes[ptimes <= f0["time"].max()]
    if ptimes.size == 0:
        raise InvalidArgument(
            "`times` selects no points: every requested time is after the last follow-up "
            f"({f0['time'].max()!r}); pass extend=True to report them", kind="times.none")
    # findInterval(ptimes, time) and 1 + findInterval(..., left.open=TRUE)
    index1 = np.searchsorted(f0["time"], ptimes, side="right")
    index2 = np.searchsorted(f0["time"], ptimes, side="left") + 1
    pick = np.maximum(1, index1) - 1
    out = {"time": ptimes}
    for k in ("surv", "std_err", "lower", "upper", "cumhaz", "std_chaz"):
        out[k] = f0[k][pick]
    out["n_risk"] = np.append(f0["n_risk"], 0.0)[index2 - 1]
    for k in ("n_event", "n_censor"):
        # delta(): diff(c(0, c(0, cumsum(x))[indx + 1]))
        cs = np.concatenate(([0.0], r_cumsum(f0[k])))
        out[k] = np.diff(np.concatenate(([0.0], cs[index1])))
    if fit.logse:
        with np.errstate(invalid="ignore"):  # Inf * 0 = NaN where S = 0, as in R
            out["std_err"] = out["std_err"] * out["surv"]
    return pd.DataFrame({k: out[k] for k in SUMMARY_COLUMNS})


def survfit_quantile(fit: SurvFit, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
    """``quantile(fit, probs)``: index ``probs``, columns ``quantile, lower,
    upper`` (R's midpoint rule on flat stretches; NaN where R gives NA)."""
    fit = _check_fit(fit, "survfit_quantile")
    try:
        probs = np.atleast_1d(np.asarray(probs, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise InvalidArgument(f"`probs` must be numeric; got probs={probs!r}", kind="probs.value") from None
    if np.isnan(probs).any() or (probs < 0).any() or (probs > 1).any():
        raise InvalidArgument(f"`probs` must be probabilities in [0, 1]; got probs={probs.tolist()!r}",
                              kind="probs.value")
    x = np.concatenate(([0.0], fit.time))
    q = _findq(x, np.concatenate(([0.0], 1 - fit.surv)), probs)
    if fit.conf_type == "none":
        lo = hi = np.full(probs.size, np.nan)
    else:
        lo = _findq(x, np.concatenate(([0.0], 1 - fit.lower)), probs)
        hi = _findq(x, np.concatenate(([0.0], 1 - fit.upper)), probs)
    return pd.DataFrame({"quantile": q, "lower": lo, "upper": hi}, index=pd.Index(probs, name="probs"))


def survfit_table(fit: SurvFit) -> pd.Series:
    """``summary(fit)$table``: records, n_max, n_start, events, rmean,
    se_rmean, median, lcl, ucl (the median R prints)."""
    fit = _check_fit(fit, "survfit_table")
    f0 = _survfit0(fit)
    time, surv = f0["time"], f0["surv"]
    n_risk, n_event = f0["n_risk"], f0["n_event"]
    # survmean(pfun): rmean over [0, max(time)] ("common" truncation)
    end_time = time.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where((n_risk - n_event) == 0, 0.0, n_event / (n_risk * (n_risk - n_event)))
    keep = time <= end_time
    temptime = np.append(time[keep], end_time)
    tempsurv = np.append(surv[keep], surv[np.flatnonzero(keep).max()])
    hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate(([0.0], temptime)))
    rect = delta * np.concatenate(([1.0], tempsurv[:-1]))
    tail = r_cumsum(rect[1:][::-1])
    varmean = r_sum(tail * tail * hh[::-1][1:])
    mean = r_sum(rect) + 0.0
    out = {
        "records": float(fit.n),
        "n_max": float(n_risk.max()),
        "n_start": float(n_risk[0]),
        "events": r_sum(n_event),
        "rmean": mean,
        "se_rmean": float(np.sqrt(varmean)),
        "median": _minmin(surv, time),
    }
    if fit.conf_type == "none":
        out["lcl"] = out["ucl"] = np.nan
    else:
        out["lcl"] = _minmin(f0["lower"], time)
        out["ucl"] = _minmin(f0["upper"], time)
    return pd.Series(out, index=list(TABLE_INDEX), dtype=float)


def _minmin(y: np.ndarray, x: np.ndarray) -> float:
    """survmean's ``minmin``: the first time y < 0.5 + tol; when y there equals
    0.5 and drops later, the midpoint with the next drop."""
    tol = SQRT_EPS
    keep = ~np.isnan(y) & (y < 0.5 + tol)
    if not keep.any():
        return np.nan
    x, y = x[keep], y[keep]
    if abs(y[0] - 0.5) < tol and (y < y[0]).any():
        return (x[0] + x[np.flatnonzero(y < y[0])[0]]) / 2
    return float(x[0])


def _findq(x: np.ndarray, y: np.ndarray, p: np.ndarray, tol: float = SQRT_EPS) -> np.ndarray:
    """survival:::findq: quantiles of a step curve with the midpoint rule."""
    if np.all(np.isnan(y)) or np.nanmax(y) < p.min():
        return np.full(p.size, np.nan)
    xmax = x[-1]
    # duplicated(y): NA equals NA
    seen: set = set()
    keep = np.ones(y.size, dtype=bool)
    for i, v in enumerate(y.tolist()):
        key = "NA" if np.isnan(v) else v
        if key in seen:
            keep[i] = False
        seen.add(key)
    x, y = x[keep], y[keep]
    n = y.size
    idx1 = _approx_const_f1(y + tol, p)
    idx2 = _approx_const_f1(y - tol, p)
    with np.errstate(invalid="ignore"):
        quant = np.where(np.isnan(idx1) | np.isnan(idx2), np.nan,
                         (x[np.nan_to_num(idx1).astype(int)] + x[np.nan_to_num(idx2).astype(int)]) / 2)
    quant[p == 0] = x[0]
    if not np.isnan(y[n - 1]):
        last = np.abs(p - y[n - 1]) < tol
        if last.any():
            i1 = idx1[last]
            quant[last] = np.where(np.isnan(i1), np.nan, (x[np.nan_to_num(i1).astype(int)] + xmax) / 2)
    return quant


def _approx_const_f1(xv: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``approx(xv, seq_along(xv), p, method="constant", f=1)$y`` as 0-based
    positions (NaN outside the range, rule=1).

    As R's ``regularize.values``: NA pairs are dropped, the pairs are sorted by
    ``xv`` (the curve of a confidence limit need not be monotone), tied ``xv``
    get the mean of their positions; R later indexes with that value, which
    truncates a fractional position.
    """
    ok = ~np.isnan(xv)
    pos = np.flatnonzero(ok).astype(float)
    xs = xv[ok]
    out = np.full(p.size, np.nan)
    if xs.size == 0:
        return out
    o = np.argsort(xs, kind="stable")
    xs, pos = xs[o], pos[o]
    starts = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
    if starts.size < xs.size:
        counts = np.diff(np.append(starts, xs.size))
        pos = np.add.reduceat(pos, starts) / counts
        xs = xs[starts]
    inside = (p >= xs[0]) & (p <= xs[-1])
    j = np.searchsorted(xs, p[inside], side="left")  # first xs >= p: exact hit or right end
    out[inside] = np.floor(pos[j])
    return out

