"""Helpers shared by the peer adapters: reading the contract's arguments into
the arrays a peer library takes, and the derived values of a peer's curve.

The adapters do what a user of the peer would do; they borrow nothing from
pyimpl. Rows with a missing value are dropped (as a user would before calling
the peer, and as R's ``na.omit`` does); anything that is not numeric is
refused with a refusal kind.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvFit
from rparity_contract.values import QUANTILE_COLUMNS, SUMMARY_COLUMNS, TABLE_INDEX

__all__ = ["numeric", "status", "km_arrays", "group_arrays", "factor_status", "step_lookup", "CurveFunctions", "Curves",
           "curve_summary", "not_honoured", "treatment01", "design_matrix", "matchit_weights", "matchit_arguments"]


def not_honoured(engine: str, what: str):
    raise NotImplementedError(f"engine {engine!r} cannot honour {what}")


def numeric(x: Any, name: str) -> np.ndarray:
    """A 1-D float array (NaN where missing); a non-numeric value is refused."""
    if x is None:
        raise InvalidArgument(f"`{name}` must be an array; got None", kind="argument.type")
    s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x).reshape(-1) if np.ndim(x) else [x])
    if isinstance(s.dtype, pd.CategoricalDtype):
        raise InvalidArgument(f"`{name}` must be numeric; got a categorical", kind=f"{name}.type")
    try:
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan) if s.dtype == object else \
            s.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InvalidArgument(f"`{name}` must be numeric", kind=f"{name}.type") from None


def status(event: Any, n: int) -> np.ndarray:
    """The event indicator as R's ``Surv()`` reads a numeric status (survival's
    Surv.R: 1/2 coded when the largest value is 2, else 0/1; NA kept); None is
    the contract's (R's) one-argument ``Surv(time)``: every row an event. A peer
    given a 1/2 status as it is would count every row as an event."""
    if event is None:
        return np.ones(n)
    e = numeric(event, "event")
    ok = ~np.isnan(e)
    return e - 1.0 if ok.any() and np.max(e[ok]) == 2 else e


def km_arrays(time: Any, event: Any, weights: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(time, event, weights) of the complete rows."""
    t = numeric(time, "time")
    e = status(event, t.size)
    w = None if weights is None else numeric(weights, "weights")
    if t.size != e.size or (w is not None and w.size != t.size):
        raise InvalidArgument("`time`, `event` and `weights` must have the same length", kind="lengths")
    keep = ~np.isnan(t) & ~np.isnan(e) & (np.ones(t.size, bool) if w is None else ~np.isnan(w))
    return t[keep], e[keep], None if w is None else w[keep]


def group_arrays(time: Any, event: Any, group: Any, strata: Any):
    """(time, event, group codes, group labels, strata codes or None) of the
    complete rows; labels sorted as R's factor() sorts numbers and strings."""
    t = numeric(time, "time")
    e = status(event, t.size)
    g = pd.Series(group).reset_index(drop=True)
    s = None if strata is None else pd.Series(strata).reset_index(drop=True)
    if len(g) != t.size or (s is not None and len(s) != t.size) or e.size != t.size:
        raise InvalidArgument("`time`, `event`, `group` and `strata` must have the same length", kind="lengths")
    keep = ~np.isnan(t) & ~np.isnan(e) & g.notna().to_numpy() & (s.notna().to_numpy() if s is not None
                                                                     else np.ones(t.size, bool))
    codes, levels = pd.factorize(g[keep], sort=True)
    if len(levels) < 2:  # survdiff.R: "There is only 1 group"
        raise InvalidArgument(f"`group` must have at least 2 distinct values; got {[str(v) for v in levels]}",
                              kind="group.levels")
    scodes = None if s is None else pd.factorize(s[keep], sort=True)[0]
    return t[keep], e[keep], codes, [_label(v) for v in levels], scodes


def factor_status(event: Any, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """A competing-risks status as R's ``Surv(time, <factor>)`` reads it (Surv.R:
    ``as.numeric(event) - 1``, 0 censored; the states ``levels(event)[-1]``):
    the codes (-1 where missing) and the state names. A number or text is
    refused as R refuses it (a 0/1 status is a Kaplan-Meier curve in R, text
    no status at all), and so is a factor with no state or a blank one."""
    if isinstance(event, pd.Series) and isinstance(event.dtype, pd.CategoricalDtype):
        cat = pd.Categorical(event)
    elif isinstance(event, pd.Categorical):
        cat = event
    else:
        vals = pd.Series(event).dropna().tolist() if np.ndim(event) else [event]
        if any(isinstance(v, (str, np.str_)) for v in vals):
            raise InvalidArgument("`event` is text: R's Surv() reads only a factor, a number or a logical; give a "
                                  "pandas Categorical whose first category is censoring", kind="event.type")
        raise InvalidArgument("`event` must be a factor (a pandas Categorical whose first category is censoring): "
                              "with a 0/1 status R's survfit gives a Kaplan-Meier curve, not competing risks",
                              kind="event.type")
    if len(cat) != n:
        raise InvalidArgument(f"`time` and `event` must have the same length; got {n} and {len(cat)}",
                              kind="lengths")
    levels = [str(c) for c in cat.categories]
    states = tuple(levels[1:])
    if not states:
        raise InvalidArgument(f"`event` has no state besides censoring (its categories: {levels!r})",
                              kind="event.states")
    if any(s == "" for s in states):
        raise InvalidArgument(f"`event` has a blank state name among its categories {levels!r} (R: 'each state "
                              "must have a non-blank name')", kind="event.states")
    return np.asarray(cat.codes, dtype=np.int64), states


def _label(v: Any) -> str:
    """A group label as R prints it: ``1`` for the number 1.0."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def step_lookup(times: np.ndarray, values: np.ndarray, at: np.ndarray, before_first: float) -> np.ndarray:
    """Right-continuous step function through (times, values) evaluated at ``at``."""
    idx = np.searchsorted(times, at, side="right") - 1
    out = np.where(idx >= 0, values[np.maximum(idx, 0)], before_first)
    return out.astype(float)


def curve_summary(fit: SurvFit, times: Sequence[float], extend: bool) -> pd.DataFrame:
    """A peer's curve read at ``times``: the values of the last time at or
    before each requested time, the number at risk at the first time at or
    after it, events and censorings counted since the previous requested time.
    What the peer does not compute stays None ("not provided")."""
    t = np.asarray(fit.time, dtype=float)
    req = np.sort(np.asarray(times, dtype=float).ravel())
    if not extend:
        req = req[req <= (t.max() if t.size else 0.0)]
    if req.size == 0:
        raise InvalidArgument("`times` selects no points within the follow-up; pass extend=True",
                              kind="times.none")
    out: dict[str, Any] = {"time": req}
    for k, first in (("surv", 1.0), ("std_err", 0.0), ("lower", 1.0), ("upper", 1.0), ("cumhaz", 0.0),
                     ("std_chaz", 0.0)):
        v = getattr(fit, k)
        out[k] = None if v is None else step_lookup(t, np.asarray(v, float), req, first)
    nr = np.asarray(fit.n_risk, float)
    j = np.searchsorted(t, req, side="left")
    out["n_risk"] = np.where(j < t.size, nr[np.minimum(j, t.size - 1)], 0.0)
    upto = np.searchsorted(t, req, side="right")
    for k in ("n_event", "n_censor"):
        cs = np.concatenate(([0.0], np.cumsum(np.asarray(getattr(fit, k), float))))
        out[k] = np.diff(np.concatenate(([0.0], cs[upto])))
    if out["std_err"] is not None and fit.logse and out["surv"] is not None:
        out["std_err"] = out["std_err"] * out["surv"]
    return pd.DataFrame({k: out[k] if out[k] is not None else [None] * req.size for k in SUMMARY_COLUMNS})


class CurveFunctions:
    """The quantile and table functions of one peer's fitted curve (the
    peer's own rules: where they differ from R's is what the divergence
    registry explains)."""

    def __init__(self, quantile: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
                 median: Callable[[], tuple[float, float, float]], rmean: Callable[[], float | None]):
        self.quantile = quantile
        self.median = median
        self.rmean = rmean

    def quantile_frame(self, probs: Sequence[float]) -> pd.DataFrame:
        p = np.atleast_1d(np.asarray(probs, dtype=float)).ravel()
        q, lo, hi = self.quantile(p)
        return pd.DataFrame(dict(zip(QUANTILE_COLUMNS, (q, lo, hi))), index=pd.Index(p, name="probs"))

    def table(self, fit: SurvFit) -> pd.Series:
        nr = np.asarray(fit.n_risk, float)
        med, lcl, ucl = self.median()
        vals = {"records": float(fit.n), "n_max": float(nr.max()) if nr.size else 0.0,
                "n_start": float(nr[0]) if nr.size else 0.0, "events": float(np.sum(fit.n_event)),
                "rmean": self.rmean(), "se_rmean": None, "median": med, "lcl": lcl, "ucl": ucl}
        return pd.Series(vals, index=list(TABLE_INDEX), dtype=object)


class Curves:
    """The curve functions of each fit a peer's ``survfit`` made, by fit (weak
    keys: no private state on the result). A fit made by another engine is
    refitted with the peer from its call."""

    def __init__(self, engine: str, survfit: Callable[..., SurvFit]):
        self.engine = engine
        self.survfit = survfit
        self._by_fit: weakref.WeakKeyDictionary[SurvFit, CurveFunctions] = weakref.WeakKeyDictionary()

    def keep(self, fit: SurvFit, functions: CurveFunctions) -> None:
        self._by_fit[fit] = functions

    def of(self, fit: SurvFit) -> CurveFunctions:
        if not isinstance(fit, SurvFit):
            raise InvalidArgument(f"`fit` must be a SurvFit; got {type(fit).__name__}", kind="fit.type")
        if fit not in self._by_fit:
            if fit.call is None:
                not_honoured(self.engine, "a fit without its call")
            c = fit.call
            fit = self.survfit(c.time, c.event, weights=c.weights, conf_type=c.conf_type, conf_int=c.conf_int,
                               conf_lower=c.conf_lower)
        return self._by_fit[fit]


def treatment01(x: pd.Series) -> np.ndarray:
    """The treatment as MatchIt's glm reads it: 0/1 numbers, a logical, or a
    factor whose second used level is treated."""
    s = pd.Series(x).reset_index(drop=True)
    if s.isna().any():
        raise InvalidArgument("`treat` must not contain missing values (MatchIt: Missing values are not "
                              "allowed in the treatment.)", kind="treat.missing")
    if isinstance(s.dtype, pd.CategoricalDtype):
        used = [c for c in s.cat.categories if (s == c).any()]
        if len(used) != 2:
            raise InvalidArgument(f"`treat` must be a binary variable (two distinct values); got {len(used)}",
                                  kind="treat.binary")
        return (s == used[1]).to_numpy().astype(np.int64)
    vals = s.to_numpy()
    uniq = pd.unique(vals)
    if len(uniq) != 2:
        raise InvalidArgument(f"`treat` must be a binary variable (two distinct values); got {len(uniq)}",
                              kind="treat.binary")
    if vals.dtype == bool:
        return vals.astype(np.int64)
    if vals.dtype.kind in "iuf" and np.all(np.isin(vals, (0, 1))):
        return vals.astype(np.int64)
    raise InvalidArgument("`treat` must be numeric 0/1, logical or a factor (R's glm: 'y values must be "
                          f"0 <= y <= 1'); got values {sorted(str(v) for v in uniq)}", kind="treat.values")


def design_matrix(data: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """The covariates as R's model.matrix codes them, without the intercept
    (scikit-learn fits its own): numbers as they are, logicals 0/1, a factor
    or text as indicators of every level but the first (levels sorted)."""
    cols: dict[str, np.ndarray] = {}
    for c in covariates:
        s = data[c].reset_index(drop=True)
        if s.isna().any():
            raise InvalidArgument("Missing values are not allowed in the covariates (MatchIt).",
                                  kind="covariates.missing")
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            levels = [lv for lv in cat.cat.categories if (cat == lv).any()]
            for lv in levels[1:]:
                cols[f"{c}{lv}"] = (cat == lv).to_numpy(dtype=float)
        elif s.dtype == bool:
            cols[c] = s.to_numpy(dtype=float)
        else:
            cols[c] = s.to_numpy(dtype=float)
    return pd.DataFrame(cols)


def matchit_weights(mm: np.ndarray, focal: np.ndarray) -> np.ndarray:
    """MatchIt's weights of a match (weights.matrix, ATT): a matched treated
    unit 1; a control 1/(matches of its treated unit) per appearance, the
    control weights then scaled to sum to the number of controls used. ``mm``:
    focal units (rows, in data order) x ratio, row positions, -1 none;
    ``focal``: the focal group (treated for ATT, controls for ATC)."""
    w = np.zeros(focal.size)
    frows = np.flatnonzero(focal)
    got = mm >= 0
    cnt = got.sum(axis=1)
    for r in range(mm.shape[0]):
        for j in range(mm.shape[1]):
            if got[r, j]:
                w[mm[r, j]] += 1.0 / cnt[r]
    w[frows[cnt > 0]] = 1.0
    ctrl = np.flatnonzero(~focal)
    cw = w[ctrl]
    total = float(np.cumsum(cw)[-1]) if cw.size else 0.0
    if total > 0:
        w[ctrl] = cw * float((cw > 0).sum()) / total
    return w


def matchit_arguments(engine: str, data: Any, treat: str, covariates: Any, ratio: Any, caliper: Any,
                      std_caliper: Any) -> tuple[list[str], int]:
    """What every matching peer checks first: ``data`` a DataFrame holding
    ``treat`` and the covariates (refused with a kind, as MatchIt does), and
    the options a peer can only honour as whole numbers and one non-negative
    caliper on the score (else not provided). Returns (covariates, ratio)."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a DataFrame; got {type(data).__name__}", kind="data.type")
    if treat not in data.columns:
        raise InvalidArgument(f"`treat` must name a column of `data`; got treat={treat!r}", kind="treat.column")
    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    missing = [c for c in covs if c not in data.columns]
    if missing:
        raise InvalidArgument(f"covariates {missing} are not columns of `data`", kind="covariates.column")
    if isinstance(ratio, bool) or not float(ratio).is_integer() or ratio < 1:
        not_honoured(engine, f"ratio={ratio!r} ({engine}: a whole number of matches)")
    if caliper is not None and not isinstance(caliper, dict) and (not np.isfinite(caliper) or caliper < 0):
        not_honoured(engine, f"caliper={caliper!r} ({engine}: a non-negative caliper)")
    if not isinstance(std_caliper, (bool, np.bool_)):
        not_honoured(engine, f"std_caliper={std_caliper!r} (one caliper, on the score)")
    return covs, int(ratio)
