"""Inverse-probability weights from a propensity model (``ps_weights``).

The score is R's ``glm(treat ~ covariates, family = binomial(link))`` fitted
values, by the project's replay of ``glm.fit`` (:func:`pyimpl.matching.glm.fit_glm`).
The weights follow WeightIt 1.5.1 (``R/functions_for_processing.R``:
``.get_w_from_ps_internal_bin``, ``stabilize_w``; ``R/trim.R``:
``.trim_weights``), operation for operation:

* ATE: ``1/ps`` for the treated, ``1/(1 - ps)`` for the controls;
* ATT: 1 for the treated, ``ps/(1 - ps)`` (the odds) for the controls;
* ATC: ``q/(1 - q)`` with ``q = 1 - ps`` for the treated (WeightIt's
  ``.p2o(1 - ps)``), 1 for the controls;
* ``stabilize`` (ATE only: WeightIt's ``weightit()`` refuses it otherwise,
  "`stabilize` can only be supplied when `estimand = "ATE"`"): each weight
  times the proportion of the unit's own arm, ``sum(t == a)/n``;
* ``trim`` (WeightIt's ``trim(w, at, lower, treat)``, ``drop = FALSE``):
  an arm whose weights are all the same (the focal arm of ATT/ATC) is left
  alone; the others' weights above the ``at`` quantile (``quantile(type =
  3)``, R's nearest even order statistic) are set to it, and with
  ``lower`` those below the ``1 - at`` quantile to that; ``at >= 1`` counts
  weights instead (the top ``at`` set to the next largest).

Effective sample sizes per arm: ``sum(w)^2 / sum(w^2)`` (R's long-double sums).
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.matching import GlmLogit
from rparity_contract.results.weighting import PSWeights

from .._rmath import r_sum
from .._validate import as_choice, show
from ..design import Term, model_matrix, read_terms
from ..matching.glm import GlmControl, fit_glm
from ..matching.matchit import binarize_treat

__all__ = ["ps_weights", "weights_from_ps", "stabilize_weights", "trim_weights", "quantile_type3", "ess",
           "read_design", "ESTIMANDS", "PS_LINKS"]

ESTIMANDS: tuple[str, ...] = ("ATE", "ATT", "ATC")
#: binomial links whose fitted values are probabilities (no "linear." scale: a weight needs a probability)
PS_LINKS: tuple[str, ...] = ("logit", "probit", "cloglog", "log", "cauchit")

ALL_SAME = "weights are all the same in each treatment group and will not be trimmed"


def read_design(data: Any, treat: Any, covariates: Any, function: str) -> tuple[np.ndarray, list[Term], list[Any]]:
    """(treatment 0/1, covariate terms, covariate names) of ``data``: the
    treatment read as MatchIt reads it for its glm (0/1, logical or a factor
    whose first level is control), covariates without missing values."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame; got {type(data).__name__}", kind="data.type")
    if len(data) == 0:
        raise InvalidArgument("`data` must have at least one row; got 0 rows", kind="data.empty")
    if not isinstance(treat, str):
        raise InvalidArgument(f"`treat` must name a column of `data`; got treat={treat!r}", kind="treat.column")
    if treat not in data.columns:
        raise InvalidArgument(f"`treat` must name a column of `data`; got treat={treat!r} "
                              f"(R: object '{treat}' not found)", kind="data.column")
    if isinstance(covariates, str):
        covariates = [covariates]
    try:
        covs = list(covariates)
    except TypeError:
        raise InvalidArgument(f"`covariates` must be a column name or a list of column names; got "
                              f"covariates={covariates!r}", kind="covariates.column") from None
    missing = [c for c in covs if c not in data.columns]
    if missing:
        raise InvalidArgument(f"`covariates` must name columns of `data`; got {missing[0]!r} (R: object "
                              f"'{missing[0]}' not found)", kind="data.column")
    if treat in covs:
        raise InvalidArgument(f"`covariates` must not include the treatment column; got {treat!r}",
                              kind="covariates.treat")
    if not covs:
        raise InvalidArgument(f"`covariates` must name at least one column for the {function} model; got []",
                              kind="covariates.empty")
    t = binarize_treat(data[treat], glm_distance=True)
    terms = read_terms(data, covs, arg="covariates")
    bad = [x.name for x in terms
           if x.missing.any() or (x.kind == "numeric" and np.isinf(np.asarray(x.values, float)).any())]
    if bad:
        raise InvalidArgument(f"`covariates` must not contain missing or non-finite values; got them in "
                              f"{', '.join(map(str, bad))}", kind="covariates.missing")
    return t, terms, covs


def _as_trim(trim: Any) -> float | None:
    if trim is None:
        return None
    if isinstance(trim, (bool, np.bool_)) or not isinstance(trim, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"`trim` must be None, a quantile in (0.5, 1) or a whole number >= 1 of weights; "
                              f"got trim={trim!r}", kind="trim.value")
    at = float(trim)
    ok = math.isfinite(at) and ((0.5 < at < 1) or (at >= 1 and at == round(at)))
    if not ok:
        raise InvalidArgument(f"`trim` must be None, a quantile in (0.5, 1) or a whole number >= 1 of weights; "
                              f"got trim={show(trim)}", kind="trim.value")
    return at


def weights_from_ps(ps: np.ndarray, treat: np.ndarray, estimand: str) -> np.ndarray:
    """WeightIt's ``.get_w_from_ps_internal_bin`` for ATE, ATT and ATC.

    Contract: ``ps`` (n,) in (0, 1); ``treat`` (n,) 0/1. Returns (n,) weights."""
    w = np.ones(ps.size)
    i0 = treat == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if estimand == "ATE":
            w[i0] = 1.0 / (1.0 - ps[i0])
            w[~i0] = 1.0 / ps[~i0]
        elif estimand == "ATT":
            w[i0] = ps[i0] / (1.0 - ps[i0])  # .p2o(ps)
        else:
            q = 1.0 - ps[~i0]
            w[~i0] = q / (1.0 - q)  # .p2o(1 - ps)
    return w


def stabilize_weights(w: np.ndarray, treat: np.ndarray) -> np.ndarray:
    """``stabilize_w``: each weight times the proportion of its own arm
    (``sum(t == a)/n``, an exact division of counts)."""
    n = treat.size
    p1 = float(np.sum(treat == 1)) / n
    p0 = float(np.sum(treat == 0)) / n
    return w * np.where(treat == 1, p1, p0)


def quantile_type3(x: np.ndarray, probs: list[float]) -> list[float]:
    """R's ``quantile(x, probs, type = 3)`` (``quantile.default``: SAS
    definition 5, the nearest even order statistic): ``nppm = n p - 0.5``,
    ``j = floor(nppm)``, the ``j``-th order statistic unless ``nppm != j``
    or ``j`` is odd, then the ``(j + 1)``-th (with ``x[0]`` and ``x[n + 1]``
    taken as the extremes)."""
    xs = np.sort(np.asarray(x, dtype=float))
    n = xs.size
    ext = np.concatenate([[xs[0], xs[0]], xs, [xs[-1], xs[-1]]])  # c(x[1], x[1], x, x[n], x[n])
    out = []
    for p in probs:
        p = max(0.0, min(1.0, p))
        nppm = n * p - 0.5
        j = math.floor(nppm)
        h = (nppm != j) or (j % 2 == 1)
        out.append(float(ext[j + 2]) if h else float(ext[j + 1]))  # R: x[j + 3L] / x[j + 2L], 1-based
    return out


def trim_weights(w: np.ndarray, treat: np.ndarray, at: float,
                 lower: bool) -> tuple[np.ndarray, tuple[float, ...], list[str]]:
    """WeightIt's ``trim.default`` then ``.trim_weights`` (``drop = FALSE``).
    Returns (weights, (lower bound, upper bound), warnings)."""
    # WeightIt all_the_same: check_if_zero(max(x) - min(x)), tolerance 1e-8
    same = {a: bool(abs(np.max(w[treat == a]) - np.min(w[treat == a])) < 1e-8) for a in (0, 1)}
    if all(same.values()):
        return w, (), [ALL_SAME]
    trimmed = np.isin(treat, [a for a, s in same.items() if not s])
    wt = w[trimmed]
    w = w.copy()
    if at < 1:
        probs = [1.0 - at, at] if lower else [0.0, at]
        lo, hi = quantile_type3(wt, probs)
    else:
        n = wt.size
        if at >= n:
            return w, (), [f"`at` must be less than {n}, the number of units whose weights are trimmed. "
                           "Weights will not be trimmed"]
        k = int(min(at, n - at))
        top = (k + 1, n - k) if lower else (1, n - k)
        srt = np.sort(wt)
        lo, hi = float(srt[top[0] - 1]), float(srt[top[1] - 1])
    w[trimmed & (w < lo)] = lo
    w[trimmed & (w > hi)] = hi
    return w, (lo if lower else float("nan"), hi), []


def ess(w: np.ndarray) -> float:
    """``sum(w)^2 / sum(w^2)`` (R's ``^2`` is ``x * x``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        s = r_sum(w)
        return float(s * s / r_sum(w * w))


def _check_weights(w: np.ndarray, treat: np.ndarray, estimand: str) -> None:
    bad = ~np.isfinite(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"the {estimand} weights must be finite; got weights[{i}]={show(w[i])} "
                              f"(propensity score at 0 or 1)", kind="weights.nonfinite")
    neg = w < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InvalidArgument(f"the {estimand} weights must be non-negative; got weights[{i}]={show(w[i])} "
                              f"(a propensity score outside (0, 1): the link leaves the unit interval)",
                              kind="weights.negative")
    for a, name in ((1, "treated"), (0, "control")):
        if not np.any(w[treat == a] > 0):
            raise InvalidArgument(f"the {estimand} weights are zero for every {name} unit: the weighted "
                                  f"{name} arm is empty", kind="weights.arm")


def ps_weights(data: pd.DataFrame, treat: str, covariates: Any, *, estimand: str = "ATE", link: str = "logit",
               stabilize: bool = False, trim: float | None = None, trim_lower: bool = False) -> PSWeights:
    """Inverse-probability weights from a propensity model.

    Parameters
    ----------
    data : DataFrame
    treat : str
        The treatment column: 0/1, logical, or a factor whose first level is
        control (as R's binomial glm reads its response).
    covariates : str or list of str
        The propensity model's covariates (categoricals expand to treatment
        contrasts, as ``model.matrix``); no missing values.
    estimand : "ATE", "ATT" or "ATC"
    link : "logit", "probit", "cloglog", "log" or "cauchit"
        The binomial link of the propensity model.
    stabilize : bool
        Multiply each weight by the proportion of its arm (ATE only, as
        WeightIt; refused otherwise: for ATT/ATC the focal arm's weights are
        already 1 and the other arm's are odds, whose stabilisation WeightIt
        does not define).
    trim : None, a quantile in (0.5, 1), or a whole number >= 1
        WeightIt's ``trim(at = trim, lower = trim_lower)``: winsorise the
        weights of the arms whose weights vary at R's ``quantile(type = 3)``
        (or the top ``trim`` weights at the next largest).
    trim_lower : bool
        Also trim at the ``1 - trim`` quantile (or the bottom weights).

    Notes
    -----
    The model is ``glm(family = binomial(link))``, so a model that separates
    the arms gives R's warning "glm.fit: fitted probabilities numerically 0
    or 1 occurred" (a :class:`RParityWarning`). Non-finite or negative
    weights, and an arm whose weights are all zero, are refused. WeightIt
    maps ``at`` below 0.5 to ``1 - at`` and truncates a fractional count;
    both are refused here.
    """
    t, terms, _ = read_design(data, treat, covariates, "propensity")
    est = estimand.upper() if isinstance(estimand, str) else estimand
    est = as_choice(est, "estimand", ESTIMANDS)
    link = as_choice(link, "link", PS_LINKS)
    if not isinstance(stabilize, (bool, np.bool_)):
        raise InvalidArgument(f"`stabilize` must be True or False; got stabilize={stabilize!r}",
                              kind="argument.value")
    if stabilize and est != "ATE":
        raise InvalidArgument(f"`stabilize` can only be used with estimand \"ATE\" (WeightIt: '`stabilize` can "
                              f"only be supplied when `estimand = \"ATE\"`'); got estimand={est!r}",
                              kind="stabilize.estimand")
    at = _as_trim(trim)
    if not isinstance(trim_lower, (bool, np.bool_)):
        raise InvalidArgument(f"`trim_lower` must be True or False; got trim_lower={trim_lower!r}",
                              kind="argument.value")
    n = t.size
    design = model_matrix(terms, n, intercept=True, drop_unused_levels=True, arg="covariates")
    fit = fit_glm(design.x, t.astype(float), np.ones(n), link, GlmControl(), family="binomial")
    warns = list(fit["warnings"])
    model = GlmLogit(names=tuple(design.names), coef=fit["coef"], fitted=fit["fitted"],
                     linear_predictor=fit["linear_predictor"], deviance=fit["deviance"],
                     null_deviance=fit["null_deviance"], aic=fit["aic"], iterations=fit["iterations"],
                     converged=fit["converged"], rank=fit["rank"], warnings=tuple(fit["warnings"]))
    ps = np.asarray(fit["fitted"], dtype=float)
    w = weights_from_ps(ps, t, est)
    _check_weights(w, t, est)
    if stabilize:
        w = stabilize_weights(w, t)
    bounds: tuple[float, ...] = ()
    if at is not None:
        w, bounds, tw = trim_weights(w, t, at, bool(trim_lower))
        warns.extend(tw)
    for msg in warns:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return PSWeights(ps=ps, weights=w, ess_treated=ess(w[t == 1]), ess_control=ess(w[t == 0]),
                     n_treated=int((t == 1).sum()), n_control=int((t == 0).sum()), model=model, treat=t,
                     index=data.index, estimand=est, link=link, stabilize=bool(stabilize), trim=at,
                     trim_lower=bool(trim_lower), trimmed_at=bounds, warnings=tuple(warns), engine="pyimpl")
