"""Competing risks curves run in R: ``survfit(Surv(time, event) ~ groups)``
with ``event`` a factor (survival's ``survfitCI``). The caller's arguments go
to R as they are; R accepts or refuses them."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, survfit_ms_form
from rparity_contract.results.multistate import SurvFitMS

from ._convert import r_literal as lit
from ._convert import scalar
from ._session import session
from .formula import FormulaArgs

__all__ = ["survfit_ms", "finegray"]


def survfit_ms(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type: str = "log",
               conf_int: Any = 0.95, se_fit: bool = True, start_time: Any = None, p0: Any = None, id: Any = None,
               istate: Any = None, cluster: Any = None, influence: Any = False) -> SurvFitMS:
    """R's ``survival::survfit(Surv(time, event) ~ 1, weights=, id=, istate=,
    cluster=, influence=, conf.type=, conf.int=, se.fit=, start.time=, p0=)``
    with ``event`` a factor, or its formula form ``survfit(formula, data=,
    subset=, weights=, ...)`` ((start, stop] data too)."""
    fa = None
    if survfit_ms_form(time, event, data, subset):
        fa = FormulaArgs(time, data, subset)
        args = dict(time=None, event=None, weights=fa.column(weights, data), form=fa.form,
                    id=fa.column(id, data), istate=fa.column(istate, data), cluster=fa.column(cluster, data))
    else:
        args = dict(time=time, event=event, weights=weights, id=id, istate=istate, cluster=cluster)
    s = session()
    res = s.call("rparity_survfit_ms", conf_type=conf_type, conf_int=conf_int, se_fit=se_fit, start_time=start_time,
                 p0=None if p0 is None else np.asarray(p0, dtype=float), influence=influence, **args)
    v = res.value
    states = tuple(str(x) for x in v["states"])

    def mat(k: str) -> np.ndarray | None:
        return None if v[k] is None else np.asarray(v[k], dtype=float).reshape(-1, len(states))

    ns = [int(x) for x in np.asarray(v["n"]).reshape(-1)]
    strata = None
    if v["strata"] is not None:
        strata = tuple(str(x) for x in v["strata"])
        if fa is not None:
            strata = tuple(fa.names.translate(x) for x in strata)
    trans = pd.DataFrame(np.asarray(v["transitions"], dtype=np.int64).reshape(len(v["transitions_from"]), -1),
                         index=pd.Index([str(x) for x in v["transitions_from"]], name="from"),
                         columns=pd.Index([str(x) for x in v["transitions_to"]], name="to"))
    names = tuple(str(x) for x in (v["cumhaz_names"] or ()))
    cumhaz = np.asarray(v["cumhaz"], dtype=float).reshape(len(np.atleast_1d(v["time"])), len(names))
    return SurvFitMS(
        states=states, time=np.asarray(v["time"], dtype=float).reshape(-1),
        n_risk=np.asarray(v["n_risk"], dtype=np.int64).reshape(-1, len(states)),
        n_event=np.asarray(v["n_event"], dtype=np.int64).reshape(-1, len(states)),
        n_censor=np.asarray(v["n_censor"], dtype=np.int64).reshape(-1),
        pstate=mat("pstate"), std_err=mat("std_err"), lower=mat("lower"), upper=mat("upper"),
        cumhaz=cumhaz, cumhaz_names=names, p0=mat("p0"), sp0=mat("sp0"), transitions=trans, n=sum(ns),
        strata=strata, strata_n=tuple(ns) if strata is not None else (),
        conf_type=str(v["conf_type"][0]) if v["conf_type"] is not None else "none",
        conf_int=scalar(v["conf_int"]) if v["conf_int"] is not None else float(conf_int),
        start_time=None if v["start_time"] is None else scalar(v["start_time"]),
        influence_pstate=_influence(v), influence_ids=None if v["influence_ids"] is None else tuple(
            tuple(str(x) for x in np.asarray(ids).reshape(-1)) for ids in v["influence_ids"]),
        engine="r", provenance=s.provenance(_call_string(time if fa else None, weights, conf_type, conf_int)),
        warnings=res.warnings,
    )


def _influence(v: Any) -> tuple[np.ndarray, ...] | None:
    """R's influence.pstate arrays (column-major, dims subjects x 1 + times x states)."""
    if v["influence"] is None:
        return None
    return tuple(np.asarray(a, dtype=float).reshape([int(x) for x in np.asarray(d).reshape(-1)], order="F")
                 for a, d in zip(v["influence"], v["influence_dim"]))


def _call_string(formula: Any, weights: Any, conf_type: Any, conf_int: Any) -> str:
    lhs = "Surv(time, event) ~ 1" if formula is None else f"{formula}, data = <data>"
    return (f"survival::survfit({lhs}" + (", weights = w" if weights is not None else "")
            + f", conf.type = {lit(conf_type)}, conf.int = {lit(conf_int)})")


def finegray(formula: Any, data: Any, *, weights: Any = None, subset: Any = None, etype: Any = None,
             prefix: str = "fg", count: str | None = None, timefix: bool = True) -> pd.DataFrame:
    """R's ``survival::finegray(formula, data, weights=, subset=, etype=,
    prefix=, count=, timefix=)``; R's names of the formula's columns come
    back as the caller's, and R's ``attr(, "event")`` as ``attrs["event"]``."""
    fa = FormulaArgs(formula, data, subset)
    res = session().call("rparity_finegray", form=fa.form, weights=fa.column(weights, data), etype=etype,
                         prefix=prefix, count=count, timefix=timefix)
    v = res.value
    out = v["frame"]
    if not isinstance(out, pd.DataFrame):  # pragma: no cover - finegray returns a data frame
        raise TypeError(f"finegray returned {type(out).__name__}")
    back = {p: name for name, p in fa.placeholders.items()}
    out.columns = [back.get(str(c), fa.names.translate(str(c))) for c in out.columns]
    out.attrs["event"] = str(v["event"][0]) if v["event"] is not None else None
    out.attrs["warnings"] = tuple(res.warnings)
    return out
