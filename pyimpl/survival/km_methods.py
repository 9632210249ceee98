"""``summary``, ``quantile`` and the print table of a Kaplan-Meier fit (pyimpl's
``survfit_summary``, ``survfit_quantile``, ``survfit_table``), computed from the
fit's arrays exactly as survival 3.5-3 does (``summary.survfit``,
``quantile.survfit``/``findq``, ``survmean``), including ``survfit0``'s first
row at the start (``start_time``, else ``min(0, times)``). They take a fit of
any engine: one curve, or several (each curve in turn, labelled by its
stratum; the restricted mean of every curve up to the last time of all,
R's ``rmean = "common"``)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survival import SurvFit
from rparity_contract.values import SUMMARY_COLUMNS, TABLE_INDEX

from .._rmath import SQRT_EPS, r_cumsum, r_sum

__all__ = ["survfit_summary", "survfit_quantile", "survfit_table"]


def _check_fit(fit) -> SurvFit:
    if not isinstance(fit, SurvFit):
        raise InvalidArgument(f"`fit` must be a SurvFit (from survfit() of any engine); got {type(fit).__name__}",
                              kind="fit.type")
    return fit


def _start(fit: SurvFit) -> float:
    """survfit0's start: ``start.time``, else ``min(c(0, time))`` over every curve."""
    if fit.start_time is not None:
        return float(fit.start_time)
    return float(min(0.0, float(np.min(fit.time)))) if np.size(fit.time) else 0.0


def _curves(fit: SurvFit) -> list[tuple[str | None, dict[str, np.ndarray], int]]:
    """(label, columns, n) of each curve (label None for a fit of one curve)."""
    cols = {k: (np.full(np.shape(fit.time)[0], np.nan) if getattr(fit, k) is None
                else np.asarray(getattr(fit, k), dtype=float)) for k in SUMMARY_COLUMNS}
    if fit.strata is None:
        return [(None, cols, int(fit.n))]
    strata = np.asarray(fit.strata, dtype=object)
    labels = list(dict.fromkeys(fit.strata))
    sizes = list(fit.strata_n) if len(fit.strata_n) == len(labels) else [0] * len(labels)
    return [(lab, {k: v[strata == lab] for k, v in cols.items()}, int(sizes[i])) for i, lab in enumerate(labels)]


def _survfit0(cols: dict[str, np.ndarray], start: float, conf_none: bool) -> dict[str, np.ndarray]:
    """survfit0() on one curve: a first row at ``start`` unless the curve
    begins there: n.risk of row 1, no events or censorings, surv/lower/upper
    1, se 0, cumhaz 0."""
    if cols["time"].size and cols["time"][0] == start:
        return cols
    first = {"time": start, "n_risk": cols["n_risk"][0] if cols["time"].size else 0.0, "n_event": 0.0,
             "n_censor": 0.0, "surv": 1.0, "std_err": 0.0, "lower": 1.0, "upper": 1.0,
             "cumhaz": 0.0, "std_chaz": 0.0}
    if conf_none:
        first["lower"] = first["upper"] = np.nan
    return {k: np.concatenate(([first[k]], v)) for k, v in cols.items()}


def survfit_summary(fit: SurvFit, times: Sequence[float], *, extend: bool = False) -> pd.DataFrame:
    """``summary(fit, times=, extend=)``: columns ``time, n_risk, n_event,
    n_censor, surv, std_err, lower, upper, cumhaz, std_chaz`` (and ``strata``
    for several curves, each curve's rows in turn); ``std_err`` is the se of
    S; ``n_event``/``n_censor`` count over (previous time, time]. Without
    ``extend``, each curve reports the times up to its own last time."""
    fit = _check_fit(fit)
    try:
        times = np.sort(np.asarray(times, dtype=float).ravel())
    except (TypeError, ValueError):
        raise InvalidArgument(f"`times` must be numeric; got times={times!r}", kind="argument.type") from None
    start = _start(fit)
    frames = []
    for label, cols, _ in _curves(fit):
        part = _summary_one(_survfit0(cols, start, fit.conf_type == "none"), times, extend, fit.logse)
        if label is not None:
            part["strata"] = label
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _summary_one(f0: dict[str, np.ndarray], times: np.ndarray, extend: bool, logse: bool) -> pd.DataFrame:
    ptimes = times[np.isfinite(times)]
    if not extend:
        ptimes = ptimes[ptimes <= f0["time"].max()]
    if ptimes.size == 0:
        raise InvalidArgument(
            "`times` selects no points: every requested time is after the last follow-up of a curve "
            f"({float(f0['time'].max())!r}); pass extend=True to report them (R: 'no points selected for one or "
            "more curves')", kind="times.none")
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
    if logse:
        with np.errstate(invalid="ignore"):  # Inf * 0 = NaN where S = 0, as in R
            out["std_err"] = out["std_err"] * out["surv"]
    return pd.DataFrame({k: out[k] for k in SUMMARY_COLUMNS})


def survfit_quantile(fit: SurvFit, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
    """``quantile(fit, probs)``: index ``probs``, columns ``quantile, lower,
    upper`` (R's midpoint rule on flat stretches; NaN where R gives NA)."""
    fit = _check_fit(fit)
    try:
        probs = np.atleast_1d(np.asarray(probs, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise InvalidArgument(f"`probs` must be numeric; got probs={probs!r}", kind="probs.value") from None
    if np.isnan(probs).any() or (probs < 0).any() or (probs > 1).any():
        raise InvalidArgument(f"`probs` must be probabilities in [0, 1]; got probs={probs.tolist()!r}",
                              kind="probs.value")
    xmin = 0.0 if fit.start_time is None else float(fit.start_time)  # quantile.survfit's firstx
    frames = []
    for label, cols, _ in _curves(fit):
        x = np.concatenate(([xmin], cols["time"]))
        q = _findq(x, np.concatenate(([0.0], 1 - cols["surv"])), probs)
        if fit.conf_type == "none":
            lo = hi = np.full(probs.size, np.nan)
        else:
            lo = _findq(x, np.concatenate(([0.0], 1 - cols["lower"])), probs)
            hi = _findq(x, np.concatenate(([0.0], 1 - cols["upper"])), probs)
        index = pd.Index(probs, name="probs") if label is None else \
            pd.MultiIndex.from_arrays([[label] * probs.size, probs], names=["strata", "probs"])
        frames.append(pd.DataFrame({"quantile": q, "lower": lo, "upper": hi}, index=index))
    return pd.concat(frames)


def survfit_table(fit: SurvFit) -> pd.Series | pd.DataFrame:
    """``summary(fit)$table``: records, n_max, n_start, events, rmean,
    se_rmean, median, lcl, ucl (the median R prints); for several curves a
    DataFrame, one row per curve (index: the strata), each restricted mean up
    to the last time of all curves (R's default ``rmean = "common"``)."""
    fit = _check_fit(fit)
    start = _start(fit)
    curves = _curves(fit)
    f0s = [_survfit0(cols, start, fit.conf_type == "none") for _, cols, _ in curves]
    end_time = max(float(f0["time"].max()) for f0 in f0s)
    # survmean runs on survfit0's result, which no longer carries start.time: its start is min(0, time)
    mean_start = min(0.0, min(float(f0["time"].min()) for f0 in f0s))
    rows = [_table_one(f0, n, mean_start, end_time, fit.conf_type == "none") for f0, (_, _, n) in zip(f0s, curves)]
    if fit.strata is None:
        return pd.Series(rows[0], index=list(TABLE_INDEX), dtype=float)
    return pd.DataFrame(rows, index=pd.Index([c[0] for c in curves], name="strata"), columns=list(TABLE_INDEX),
                        dtype=float)


def _table_one(f0: dict[str, np.ndarray], n: int, start: float, end_time: float, conf_none: bool) -> dict:
    """survmean's pfun on one curve (after survfit0)."""
    time, surv = f0["time"], f0["surv"]
    n_risk, n_event = f0["n_risk"], f0["n_event"]
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where((n_risk - n_event) == 0, 0.0, n_event / (n_risk * (n_risk - n_event)))
    keep = time <= end_time
    temptime = np.append(time[keep], end_time)
    tempsurv = np.append(surv[keep], surv[np.flatnonzero(keep).max()])
    hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate(([start], temptime)))
    rect = delta * np.concatenate(([1.0], tempsurv[:-1]))
    tail = r_cumsum(rect[1:][::-1])
    varmean = r_sum(tail * tail * hh[::-1][1:])
    out = {
        "records": float(n),
        "n_max": float(n_risk.max()),
        "n_start": float(n_risk[0]),
        "events": r_sum(n_event),
        "rmean": r_sum(rect) + start,
        "se_rmean": float(np.sqrt(varmean)) if varmean >= 0 else np.nan,  # R: NaN (a sum a rounding below 0)
        "median": _minmin(surv, time),
    }
    if conf_none:
        out["lcl"] = out["ucl"] = np.nan
    else:
        out["lcl"] = _minmin(f0["lower"], time)
        out["ucl"] = _minmin(f0["upper"], time)
    return out


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

