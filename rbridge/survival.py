"""``survfit`` (and its summary, quantiles and table) and ``survdiff`` run in R.

The caller's arguments are converted as they are (missing values become
``NA``; nothing is checked here) and R's ``survfit``/``survdiff`` accept or
refuse them. Derived values are R's own, computed on the same call
(``summary(fit, times=)``, ``quantile(fit)``, ``summary(fit)$table``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, SurvFitCall, survdiff_form, survfit_call
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvDiff, SurvFit
from rparity_contract.values import QUANTILE_COLUMNS, SUMMARY_COLUMNS, TABLE_INDEX

from ._convert import r_literal as lit
from ._convert import scalar
from ._session import session
from .formula import FormulaArgs

__all__ = ["survfit", "survfit_summary", "survfit_quantile", "survfit_table", "survdiff", "survsplit"]


def _options(c: SurvFitCall) -> dict | None:
    """survfitKM's stype, ctype, type, robust, influence and start.time, when
    not R's defaults (R checks them)."""
    opts = {k: v for k, v in (("stype", c.stype), ("ctype", c.ctype)) if not (isinstance(v, int) and v == 1)}
    for key, value in (("type", c.type), ("robust", c.robust), ("start.time", c.start_time)):
        if value is not None:
            opts[key] = value
    if not (isinstance(c.influence, bool) and c.influence is False):
        opts["influence"] = c.influence
    return opts or None


def _formula_args(c: SurvFitCall) -> FormulaArgs | None:
    return None if c.formula is None else FormulaArgs(c.formula, c.data, c.subset)


def _args(c: SurvFitCall, fa: FormulaArgs | None = None) -> dict:
    if c.formula is not None:
        fa = fa or FormulaArgs(c.formula, c.data, c.subset)
        return dict(time=None, event=None, weights=fa.column(c.weights, c.data), conf_type=c.conf_type,
                    conf_int=c.conf_int, conf_lower=c.conf_lower, form=fa.form, options=_options(c),
                    id=fa.column(c.id, c.data), cluster=fa.column(c.cluster, c.data))
    return dict(time=c.time, event=c.event, weights=c.weights, conf_type=c.conf_type, conf_int=c.conf_int,
                conf_lower=c.conf_lower, options=_options(c), id=c.id, cluster=c.cluster)


def _call_of(fit: Any) -> SurvFitCall:
    if not isinstance(fit, SurvFit) or fit.call is None:
        raise InvalidArgument("`fit` must be a SurvFit that kept its call (from survfit() of any engine); "
                              f"got {type(fit).__name__}", kind="fit.type")
    return fit.call


def _curve_labels(fa: FormulaArgs | None, labels: list[str]) -> list[str]:
    """R's curve labels with the placeholders of the formula replaced by the
    caller's names (``v1=1`` is ``sex=1``)."""
    return labels if fa is None else [fa.names.translate(x) for x in labels]


def _call_string(c: SurvFitCall) -> str:
    if c.formula is not None:  # provenance only (never evaluated)
        return (f"survival::survfit({c.formula}, data = <data>" + (", weights = w" if c.weights is not None else "")
                + f", conf.type = {lit(c.conf_type)}, conf.int = {lit(c.conf_int)}, "
                  f"conf.lower = {lit(c.conf_lower)})")
    surv = "Surv(time)" if c.event is None else "Surv(time, event)"
    return (f"survival::survfit({surv} ~ 1" + (", weights = w" if c.weights is not None else "")
            + f", conf.type = {lit(c.conf_type)}, conf.int = {lit(c.conf_int)}, conf.lower = {lit(c.conf_lower)})")


def survfit(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
            conf_int: float = 0.95, conf_lower: str = "usual", stype: int = 1, ctype: int = 1,
            type: str | None = None, id: Any = None, cluster: Any = None, robust: Any = None,
            influence: Any = False, start_time: Any = None) -> SurvFit:
    """R's ``survival::survfit(Surv(time, event) ~ 1, weights=, conf.type=,
    conf.int=, conf.lower=, stype=, ctype=, type=, id=, cluster=, robust=,
    influence=, start.time=)``, or its formula form ``survfit(formula, data=,
    subset=, weights=, ...)`` (a curve per group; (start, stop] data)."""
    c = survfit_call(time, event, data=data, subset=subset, weights=weights, conf_type=conf_type,
                     conf_int=conf_int, conf_lower=conf_lower, stype=stype, ctype=ctype, type=type, id=id,
                     cluster=cluster, robust=robust, influence=influence, start_time=start_time)
    s = session()
    fa = _formula_args(c)
    res = s.call("rparity_survfit", **_args(c, fa))
    v = res.value

    def f(k: str) -> np.ndarray:
        return np.asarray(v[k], dtype=float).reshape(-1)

    def optional(k: str) -> np.ndarray | None:
        return None if v[k] is None else np.asarray(v[k], dtype=float)

    ns = [int(x) for x in np.asarray(v["n"]).reshape(-1)]
    strata = None if v["strata"] is None else tuple(_curve_labels(fa, [str(x) for x in v["strata"]]))
    ids = None if v["influence_ids"] is None else tuple(str(x) for x in np.asarray(v["influence_ids"]).reshape(-1))
    return SurvFit(
        n_enter=None if v["n_enter"] is None else f("n_enter"), influence_surv=optional("influence_surv"),
        influence_chaz=optional("influence_chaz"), influence_ids=ids,
        start_time=None if v["start_time"] is None else scalar(v["start_time"]), counting=bool(v["counting"][0]),
        time=f("time"), n_risk=f("n_risk"), n_event=f("n_event"), n_censor=f("n_censor"),
        surv=f("surv"), std_err=f("std_err"), lower=f("lower"), upper=f("upper"),
        cumhaz=f("cumhaz"), std_chaz=f("std_chaz"), n=sum(ns), strata=strata,
        strata_n=tuple(ns) if strata is not None else (),
        logse=bool(np.asarray(v["logse"]).reshape(-1)[0]), conf_type=str(v["conf_type"][0]),
        conf_int=scalar(v["conf_int"]), conf_lower=conf_lower if isinstance(conf_lower, str) else str(conf_lower),
        engine="r", provenance=s.provenance(_call_string(c)), warnings=res.warnings, call=c,
    )


def survfit_summary(fit: SurvFit, times: Sequence[float], *, extend: bool = False) -> pd.DataFrame:
    """R's ``summary(fit, times=, extend=)`` on the fit's call, run again in R."""
    c = _call_of(fit)
    fa = _formula_args(c)
    v = session().call("rparity_survfit_summary", times=times, extend=extend, **_args(c, fa)).value
    out = pd.DataFrame({k: np.asarray(v[k], dtype=float).reshape(-1) for k in SUMMARY_COLUMNS})
    if v["strata"] is not None:
        out["strata"] = _curve_labels(fa, [str(x) for x in np.atleast_1d(v["strata"])])
    return out


def survfit_quantile(fit: SurvFit, probs: Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
    """R's ``quantile(fit, probs)`` on the fit's call, run again in R."""
    c = _call_of(fit)
    fa = _formula_args(c)
    v = session().call("rparity_survfit_quantile", probs=probs, **_args(c, fa)).value
    p = np.atleast_1d(np.asarray(probs, dtype=float)).ravel()
    if v["strata"] is None:
        index = pd.Index(p, name="probs")
    else:  # R's matrices (curves x probs), a curve's probs in turn
        labels = _curve_labels(fa, [str(x) for x in np.atleast_1d(v["strata"])])
        index = pd.MultiIndex.from_arrays([[lab for lab in labels for _ in p], np.tile(p, len(labels))],
                                          names=["strata", "probs"])
    return pd.DataFrame({k: np.asarray(v[k], dtype=float).reshape(-1) for k in QUANTILE_COLUMNS}, index=index)


def survfit_table(fit: SurvFit) -> pd.Series | pd.DataFrame:
    """R's ``summary(fit)$table`` on the fit's call, run again in R (a row per
    curve for several)."""
    c = _call_of(fit)
    fa = _formula_args(c)
    v = session().call("rparity_survfit_table", **_args(c, fa)).value
    if v["strata"] is None:
        return pd.Series({k: scalar(v[k]) for k in TABLE_INDEX}, index=list(TABLE_INDEX), dtype=float)
    labels = _curve_labels(fa, [str(x) for x in np.atleast_1d(v["strata"])])
    return pd.DataFrame({k: np.asarray(v[k], dtype=float).reshape(-1) for k in TABLE_INDEX},
                        index=pd.Index(labels, name="strata"), columns=list(TABLE_INDEX))


def survdiff(time, event=MISSING, group=MISSING, *, data=None, subset=None, strata=None,
             rho: float = 0.0) -> SurvDiff:
    """R's ``survival::survdiff(Surv(time, event) ~ group [+ strata(stratum)], rho=)``,
    or its formula form ``survdiff(formula, data=, subset=, rho=)``."""
    sess = session()
    fa = None
    if survdiff_form(time, event, group, strata, data, subset):
        fa = FormulaArgs(time, data, subset)
        res = sess.call("rparity_survdiff_formula", placeholders=fa.names, form=fa.form, rho=rho)
    else:
        res = sess.call("rparity_survdiff", time=time, event=event, group=group, strata=strata, rho=rho)
    v = res.value
    groups = tuple(str(g) if fa is None else fa.names.translate(str(g)) for g in (v["groups"] or ()))
    k = max(len(groups), 1)  # the one-sample test: no group, one variance
    dims = None if v["obs_dim"] is None else tuple(int(d) for d in np.asarray(v["obs_dim"]).reshape(-1))

    def table(key: str) -> np.ndarray:
        a = np.asarray(v[key], dtype=float).reshape(-1)
        return a.reshape(dims, order="F") if dims else a

    if fa is not None:
        call = f"survival::survdiff({fa.text}, data = <data>, rho = {lit(rho)})"
    else:
        surv = "Surv(time)" if event is None else "Surv(time, event)"
        call = (f"survival::survdiff({surv} ~ group" + (" + strata(stratum)" if strata is not None else "")
                + f", rho = {lit(rho)})")
    return SurvDiff(
        groups=groups, n=np.asarray(v["n"], dtype=np.int64).reshape(-1), obs=table("obs"), exp=table("exp"),
        var=np.asarray(v["var"], dtype=float).reshape(k, k, order="F"), chisq=scalar(v["chisq"]),
        df=int(scalar(v["df"])), pvalue=scalar(v["pvalue"]), rho=scalar(rho) if _is_number(rho) else rho,
        engine="r", provenance=sess.provenance(call), warnings=res.warnings,
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def survsplit(formula: Any = None, data: Any = None, cut: Any = None, *, start: str | None = None,
              end: str | None = None, event: str | None = None, id: str | None = None, zero: float = 0.0,
              episode: str | None = None, subset: Any = None) -> pd.DataFrame:
    """R's ``survival::survSplit(formula, data, cut=, start=, end=, event=, id=,
    zero=, episode=, subset=)``; the new columns' names are values, never code,
    and R's names of the formula's columns come back as the caller's. Without a
    formula (or with the data frame in its place), R's data-frame form
    ``survSplit(data, cut=, end=, event=, start=, ...)``: the names go as values."""
    if formula is None or isinstance(formula, pd.DataFrame):
        df = formula if data is None else data
        given = {k: v for k, v in (("start", start), ("end", end), ("event", event), ("id", id),
                                   ("episode", episode)) if v is not None}
        res = session().call("rparity_survsplit_df", data=df, cut=cut, zero=zero, options=given or None)
        out = res.value
        if not isinstance(out, pd.DataFrame):  # pragma: no cover - survSplit returns a data frame
            raise TypeError(f"survSplit returned {type(out).__name__}")
        out.attrs["warnings"] = tuple(res.warnings)
        return out
    fa = FormulaArgs(formula, data, subset)
    # a new column named as a column of the formula is that column's placeholder in R (R then sees the clash)
    given = {k: fa.placeholders.get(v, v) if isinstance(v, str) else v
             for k, v in (("start", start), ("end", end), ("event", event), ("id", id), ("episode", episode))
             if v is not None}
    res = session().call("rparity_survsplit", form=fa.form, cut=cut, zero=zero, options=given or None)
    out = res.value
    if not isinstance(out, pd.DataFrame):  # pragma: no cover - survSplit returns a data frame
        raise TypeError(f"survSplit returned {type(out).__name__}")
    back = {v: k for k, v in fa.placeholders.items()}
    out.columns = [back.get(str(c), str(c)) for c in out.columns]
    out.attrs["warnings"] = tuple(res.warnings)
    return out
