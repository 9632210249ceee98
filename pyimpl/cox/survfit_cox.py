"""Survival curves from a Cox fit: ``survfit(<coxph>, newdata=, se.fit=,
conf.int=, stype=, ctype=, conf.type=, censor=)`` (survival 3.5-3,
``R/survfit.coxph.R`` and ``R/coxsurvfit.R``).

Per stratum, the baseline hazard at every distinct time from ``agsurv``
(:mod:`.agsurv`) with risk scores ``exp(X beta + offset - xcenter)``,
``xcenter = sum(means * beta) + mean(offset)``; ``survtype`` is 1
(Kalbfleisch-Prentice, ``stype = 1``) or ``ctype + 1`` (2: Breslow's
cumulative hazard, 3: Efron's; ``ctype`` defaults to the fit's ties). For
each curve (a row of ``newdata``, or the covariate means) with
``r = exp(x beta + offset - xcenter)``:

* ``cumhaz = H0 * r``, ``surv = S0^r`` with ``S0 = exp(-H0)`` or the
  Kalbfleisch-Prentice product;
* ``std.err = sqrt((cumsum(varhaz) + d V d') r^2)``, ``d = H0 x - xbar``
  (the se of the cumulative hazard, ``logse``).

With strata, each curve is computed in every stratum and the pieces follow
one another; when ``newdata`` holds the strata variables, each row's curve
is its own stratum's. ``censor = FALSE`` keeps the times with an event.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, SurvFitCox
from rparity_contract.values import CONF_TYPES

from .._recorded import recorded
from .._rformat import r_label
from .._rmath import r_mean, r_sum
from .._validate import as_choice
from ..survival.confint import NUMPY_MATH, survfit_confint
from .agsurv import agsurv
from .fit import linear_predictor
from .newdata import new_rows
from .predict import _matvec
from .refit import fit_data, refuse_unclassed
from .survfit_individual import individual_curves

__all__ = ["survfit_cox"]

#: R's warning from agsurv when a stratum of (start, stop] data has a single time
NO_MIN = "no non-missing arguments to min; returning Inf"
#: R's warning for a curve at the means of a model with interactions
INTERACTION_WARNING = ("the model contains interactions; the default curve based on columm means of the X matrix "
                       "is almost certainly not useful. Consider adding a newdata argument.")


def survfit_cox(fit: CoxPH, newdata: pd.DataFrame | None = None, *, se_fit: bool = True, conf_int: float = 0.95,
                stype: int = 2, ctype: int | None = None, conf_type: str = "log",
                censor: bool = True, start_time: Any = None, id: Any = None) -> SurvFitCox:
    """Predicted survival curves of ``fit``, as ``survfit(fit, newdata=, ...)``.

    Parameters
    ----------
    fit : CoxPH
        A fit of any engine.
    newdata : DataFrame, optional
        One curve per row: the covariates as the fit was given them (the
        formula's variables, or the columns of ``X``). None: one curve at the
        covariate means (``fit.means``), as R.
    se_fit : bool
        Standard errors and confidence limits (``conf_type`` "none" otherwise).
    stype : {1, 2}
        1: the Kalbfleisch-Prentice product; 2: ``exp(-cumulative hazard)``.
    ctype : {1, 2}, optional
        Cumulative hazard: 1 Breslow (Nelson-Aalen), 2 Efron; None: the fit's
        ties (efron: 2, breslow and exact: 1).
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}
    censor : bool
        False: only the times with an event.
    start_time : float, optional
        The curves start there: the fit's rows whose (stop) time is before
        it are left out of the hazard (at least one event must remain).
    id : str or array, optional
        A column of ``newdata`` (or one value per row): the rows of one id
        are one subject's (start, stop] covariate path, and each id gets one
        curve on its time on study (R's ``id``, for a fit of (start, stop]
        data; ``newdata`` then has the response's columns too).
    """
    refuse_unclassed(fit, "survfit", "no applicable method for 'survfit' applied to an object of class \"list\"")
    if not isinstance(se_fit, (bool, np.bool_)):
        raise InvalidArgument(f"`se_fit` must be True or False; got se_fit={se_fit!r}", kind="se_fit.type")
    if not isinstance(censor, (bool, np.bool_)):
        raise InvalidArgument(f"`censor` must be True or False; got censor={censor!r}", kind="censor.type")
    if stype not in (1, 2) or isinstance(stype, bool):
        raise InvalidArgument(f"`stype` must be 1 or 2 (R: 'stype must be 1 or 2'); got stype={stype!r}",
                              kind="stype.value")
    if ctype is not None and (ctype not in (1, 2) or isinstance(ctype, bool)):
        raise InvalidArgument(f"`ctype` must be 1 or 2 (R: 'ctype must be 1 or 2'); got ctype={ctype!r}",
                              kind="ctype.value")
    conf_type = "none" if not se_fit else as_choice(conf_type, "conf_type", CONF_TYPES)
    if ctype is None:
        ctype = 2 if fit.method == "efron" else 1
    survtype = 1 if stype == 1 else ctype + 1
    fd = fit_data(fit)
    prep = fd.prep
    n, p = prep.x.shape
    warns: list[str] = []
    # the fit's data: X as model.matrix gives it (not centred), its offset and weights
    weights = prep.weights
    off = prep.offset_raw
    if off is None:
        offset_mean = 0.0
    elif prep.has_weights:
        offset_mean = float(r_sum(off * (weights / r_sum(weights))))
    else:
        offset_mean = r_mean(off)
    if p == 0:  # nothing but an offset (or nothing)
        X = np.zeros((n, 1))
        beta = np.zeros(1)
        varmat = np.zeros((1, 1))
        xcenter = offset_mean
        risk = np.exp((np.zeros(n) if off is None else off) - offset_mean)
    else:
        X = prep.x
        varmat = np.atleast_2d(np.asarray(fit.var, dtype=float))
        beta = np.where(np.isnan(fit.coef), 0.0, fit.coef)
        xcenter = float(r_sum(np.asarray(fit.means, dtype=float) * beta)) + offset_mean
        eta = linear_predictor(X, beta, np.zeros(n))
        with np.errstate(over="ignore"):
            risk = np.exp(eta - xcenter) if off is None else np.exp(eta + off - xcenter)
    interactions = any(":" in t for t in fit.term_names)
    individual = None
    if id is not None:
        individual = _individual_rows(fit, fd, newdata, id)
    if newdata is None:
        if interactions:
            warns.append(INTERACTION_WARNING)
        x2 = np.asarray(fit.means, dtype=float)[None, :] if p else np.zeros((1, 1))
        risk2 = np.ones(1)
        strata2 = None
        labels: tuple[str, ...] = ()
    else:
        with recorded() as frame_warns:  # the new rows' model frame (bs() beyond its knots...)
            rows = new_rows(fit, fd, newdata)
        warns[:0] = frame_warns
        x2 = rows.x if p else np.zeros((rows.n, 1))
        with np.errstate(over="ignore"):
            risk2 = np.exp(_matvec(x2, beta) + rows.offset - xcenter) if p else \
                np.exp(rows.offset - xcenter)
        strata2 = rows.strata
        labels = rows.labels if rows.n > 1 else ()
    start, stop = fd.times()
    status = prep.event.astype(float)
    codes = prep.strata if prep.strata is not None else np.zeros(n, dtype=np.intp)
    if start_time is not None:
        start, stop, status, weights, risk, X, codes = _from_start_time(start_time, start, stop, status, weights,
                                                                       risk, X, codes)
    levels = list(prep.strata_levels) if prep.strata is not None else [None]
    pieces = []
    baselines = []
    for k in range(len(levels)):
        idx = np.flatnonzero(codes == k)
        if start is not None and np.unique(stop[idx]).size == 1:
            warns.append(NO_MIN)  # agsurv's delta <- min(diff(time)) / 2 of a single time
        a = agsurv(stop[idx], status[idx], weights[idx], risk[idx], survtype,
                   None if start is None else start[idx], X[idx])
        baselines.append(a)
        if individual is None:
            pieces.append(_expand(a, x2, risk2, varmat, survtype, se_fit, idx.size))
    if individual is not None:
        stratum = np.zeros(len(risk2), dtype=np.intp) if strata2 is None else np.asarray(strata2, dtype=np.intp)
        counts = np.bincount(codes, minlength=len(levels))
        curves = individual_curves(baselines, stratum, individual.y2, x2, risk2, individual.ids,
                                   individual.labels, varmat, survtype, se_fit, counts)
        out = {key: np.concatenate([getattr(c, key) for c in curves]) for key in
               ("time", "n_risk", "n_event", "n_censor")}
        for key in ("surv", "cumhaz", "std_err"):
            out[key] = None if not se_fit and key == "std_err" else \
                np.concatenate([getattr(c, key) for c in curves])[:, None]
        out["strata"] = None if len(curves) == 1 else \
            tuple(c.label for c in curves for _ in range(c.time.size))
        out["n"] = tuple(c.n for c in curves)
        labels = ()
    elif strata2 is not None:  # newdata names the strata: each row's curve in its own stratum
        parts = [{**pieces[int(s)], "col": i} for i, s in enumerate(strata2)]
        row_labels = list(rows.labels)
        out = _stack(parts, single_column=True)
        out["strata"] = tuple(row_labels[i] for i, pc in enumerate(parts) for _ in range(pc["time"].size))
        out["n"] = tuple(int(pc["n"]) for pc in parts)
        labels = ()
    else:
        out = _stack(pieces, single_column=False)
        out["strata"] = None if prep.strata is None else \
            tuple(r_label(levels[k]) for k, pc in enumerate(pieces) for _ in range(pc["time"].size))
        out["n"] = tuple(int(pc["n"]) for pc in pieces)
    if not censor:
        keep = out["n_event"] > 0
        for key in ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err"):
            if out[key] is not None:
                out[key] = out[key][keep]
        if out["strata"] is not None:
            out["strata"] = tuple(s for s, kp in zip(out["strata"], keep) if kp)
    lower = upper = None
    if se_fit and conf_type != "none":
        # numpy's exp/log: the curves come from each engine's own coefficients (not bit for bit), and the C
        # library element by element would be most of the time for a thousand curves
        lower, upper = survfit_confint(out["surv"], out["std_err"], True, conf_type, conf_int, out["std_err"],
                                       math=NUMPY_MATH)
    return SurvFitCox(time=out["time"], n_risk=out["n_risk"], n_event=out["n_event"], n_censor=out["n_censor"],
                      surv=out["surv"], cumhaz=out["cumhaz"], std_err=out["std_err"] if se_fit else None,
                      lower=lower, upper=upper, strata=out["strata"], n=out["n"], curves=labels,
                      conf_type=conf_type, conf_int=float(conf_int), stype=int(stype), ctype=int(ctype),
                      start_time=None if start_time is None else float(start_time),
                      warnings=tuple(dict.fromkeys(warns)))


@dataclass(frozen=True)
class _Individual:
    """newdata's rows as subjects: each row's (start, stop] and id."""

    y2: np.ndarray  # (rows, 2)
    ids: list
    labels: list[str]


def _individual_rows(fit: CoxPH, fd: Any, newdata: Any, id: Any) -> _Individual:
    """survfit.coxph's ``individual`` branch, its checks in R's order: the
    model frame of newdata with the response (each row's (start, stop]), the
    id of each row, covariates, then the response's type."""
    from ..formula.frame import as_series, model_frame, response_start

    if newdata is None:
        raise InvalidArgument("`id` needs `newdata` (R: 'the id option only makes sense with new data')",
                              kind="id.value")
    if not isinstance(newdata, pd.DataFrame):
        raise InvalidArgument(f"`newdata` must be a pandas DataFrame; got {type(newdata).__name__}",
                              kind="newdata.type")
    call = fit.call
    if call is None or call.formula is None:
        raise InvalidArgument("`id` with an array-form fit: give the model as a formula (newdata needs the "
                              "response's columns)", kind="argument.value")
    try:
        frame = model_frame(call.formula, newdata)
    except InvalidArgument as exc:
        if exc.kind != "data.column":
            raise
        raise InvalidArgument(f"`newdata` lacks a column of the model (its response too, with `id`): {exc}",
                              kind="newdata.column") from None
    if isinstance(id, str):
        if id not in newdata.columns:
            raise InvalidArgument(f"`id`={id!r} is not a column of newdata (R: \"object '{id}' not found\")",
                                  kind="newdata.column")
        values = newdata[id].tolist()
    else:
        values = list(np.asarray(id, dtype=object).reshape(-1))
        if len(values) != len(newdata):
            raise InvalidArgument(f"`id` has {len(values)} values for {len(newdata)} rows of newdata (R: "
                                  "'variable lengths differ')", kind="lengths")
    if len(np.atleast_1d(fit.coef)) == 0:
        raise InvalidArgument("`id` with a model without covariates (R: 'Individual survival but no variables')",
                              kind="id.value")
    start = response_start(frame)
    if (start is None) != (fd.prep.start is None):
        raise InvalidArgument("newdata's response is not of the fit's type (R: 'Survival type of newdata does not "
                              "match the fitted model')", kind="id.value")
    if start is None:
        raise InvalidArgument("`id` (one subject's rows) needs a fit of (start, stop] data (R: 'Individual=TRUE "
                              "is only valid for counting process data')", kind="id.value")
    stop = np.asarray(as_series(frame.response[1]).to_numpy(dtype=float, na_value=np.nan), dtype=float)
    labels = [_id_label(v) for v in values]
    return _Individual(y2=np.column_stack([np.asarray(start, dtype=float), stop]), ids=labels, labels=labels)


def _id_label(v: Any) -> str:
    """``as.character`` of an id (R's names of the curves)."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return r_label(v) if isinstance(v, (float, np.floating)) else str(v)


def _from_start_time(start_time: Any, start, stop, status, weights, risk, X, codes) -> tuple:
    """survfit.coxph's ``start.time``: keep the rows whose (stop) time is at
    or after it; an event must remain."""
    if isinstance(start_time, (bool, np.bool_)) or not isinstance(start_time, numbers.Real):
        raise InvalidArgument(f"`start_time` must be one number (R: 'start.time must be a single numeric value'); "
                              f"got start_time={start_time!r}", kind="start_time.value")
    keep = stop >= float(start_time)
    if not np.any(status[keep] == 1):
        raise InvalidArgument(f"`start_time`={start_time!r} leaves no event (R: 'start.time argument has removed "
                              "all endpoints')", kind="start_time.value")
    return (None if start is None else start[keep], stop[keep], status[keep], weights[keep], risk[keep],
            X[keep], codes[keep])


def _expand(a, x2: np.ndarray, risk2: np.ndarray, varmat: np.ndarray, survtype: int, se_fit: bool,
            n: int) -> dict[str, Any]:
    """coxsurv.fit's ``expand``: every curve of one stratum, (times, curves)."""
    surv0 = np.cumprod(a.km) if survtype == 1 else np.exp(-a.cumhaz)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        surv = surv0[:, None] ** risk2[None, :]
    std = None
    if se_fit:
        # for every curve i at once: dt = outer(cumhaz, x2[i, ]) - xbar; (dt %*% V) as dgemm sums it (over
        # V's rows in order); rowSums into a long double; varh = (cumsum(varhaz) + that) * risk2[i]^2
        cvar = np.cumsum(a.varhaz)
        dt = a.cumhaz[None, :, None] * x2[:, None, :] - a.xbar[None, :, :]  # (curves, times, p)
        std = np.sqrt((cvar[None, :] + _quadratic(dt, varmat)) * (risk2 * risk2)[:, None]).T
    return {"time": a.time, "n_risk": a.n_risk, "n_event": a.n_event, "n_censor": a.n_censor, "surv": surv,
            "cumhaz": a.cumhaz[:, None] * risk2[None, :], "std_err": std, "n": n}


def _quadratic(dt: np.ndarray, varmat: np.ndarray) -> np.ndarray:
    """``rowSums((dt %*% V) * dt)`` for every curve at once: the product as
    dgemm sums it (over V's rows in order), the row sums into a long double."""
    dv = np.zeros_like(dt)
    for j in range(varmat.shape[0]):
        dv += dt[:, :, j:j + 1] * varmat[j][None, None, :]
    q = dv * dt
    acc = np.zeros(q.shape[:2], dtype=np.longdouble)
    for j in range(q.shape[2]):
        acc += q[:, :, j]
    return acc.astype(float)


def _stack(pieces: list[dict[str, Any]], single_column: bool) -> dict[str, Any]:
    """The strata one after another (R's unlist); ``single_column``: piece i
    contributes its column ``col`` only."""
    def cols(pc: dict[str, Any], key: str) -> np.ndarray | None:
        v = pc[key]
        if v is None:
            return None
        return v[:, [pc["col"]]] if single_column else v

    out: dict[str, Any] = {}
    for key in ("time", "n_risk", "n_event", "n_censor"):
        out[key] = np.concatenate([pc[key] for pc in pieces])
    for key in ("surv", "cumhaz", "std_err"):
        vals = [cols(pc, key) for pc in pieces]
        out[key] = None if any(v is None for v in vals) else np.concatenate(vals, axis=0)
    return out
