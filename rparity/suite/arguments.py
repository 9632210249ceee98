"""The arguments of a captured call as the contract's keyword arguments.

Each ``*_kwargs(c)`` reads the R arguments a script gave (evaluated, R's names:
``ties``, ``iter.max``, ``conf.type``...) and returns the engine's; an argument
the contract does not have raises :class:`Unsupported` naming it.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from rparity_contract.control import CoxControl, SurvregControl

__all__ = ["Unsupported", "KWARGS", "coxph_kwargs", "survreg_kwargs"]


class Unsupported(Exception):
    """The call needs something the contract does not have; the reason is the message."""


def _na_action(c, kw: dict | None = None) -> None:
    """R's na.action (given, or the script's options(na.action=)): na.omit is
    every engine's default; na.exclude goes to coxph (it pads residuals)."""
    na = c.args.get("na.action")
    name = None if na is None else str(na).strip('"\'')
    if name in (None, "na.omit"):
        return
    if name == "na.exclude":
        if kw is not None:
            kw["na_action"] = "na.exclude"
        return
    raise Unsupported(f"na.action = {na}")


def _subset(c, kw: dict) -> None:
    if "subset" in c.args:
        kw["subset"] = c.args["subset"]
    elif "subset_mask" in c.args:
        mask = np.asarray(c.args["subset_mask"], dtype=object)
        if any(v is None for v in mask):
            raise Unsupported("a subset vector with NA")
        kw["subset"] = mask.astype(bool)


def _take(c, allowed: Iterable[str], ignored: Iterable[str] = ()) -> None:
    extra = sorted(set(c.args) - set(allowed) - set(ignored) - {"subset", "subset_mask", "na.action"})
    if extra:
        raise Unsupported("argument " + ", ".join(f"`{a}`" for a in extra))


_CONTROL = {"eps": "eps", "iter.max": "iter_max", "toler.chol": "toler_chol", "toler.inf": "toler_inf",
            "outer.max": "outer_max", "timefix": "timefix"}


def _control(c) -> CoxControl | None:
    values: dict[str, Any] = {}
    ctl = c.args.get("control")
    if isinstance(ctl, dict):
        values.update({_CONTROL[k]: v for k, v in ctl.items() if k in _CONTROL and v is not None})
    values.update({_CONTROL[k]: c.args[k] for k in _CONTROL if k in c.args})
    if not values:
        return None
    if "iter_max" in values:
        values["iter_max"] = int(values["iter_max"])
    if "outer_max" in values:
        values["outer_max"] = int(values["outer_max"])
    if "timefix" in values:
        values["timefix"] = bool(values["timefix"])
    return CoxControl(**values)


def coxph_kwargs(c) -> dict:
    _take(c, ["ties", "method", "weights", "cluster", "id", "init", "control", "robust", "singular.ok", "nocenter",
              *_CONTROL], ignored=["model", "x", "y"])
    kw: dict[str, Any] = {"ties": c.args.get("ties", c.args.get("method", "efron"))}
    _na_action(c, kw)
    _subset(c, kw)
    for a in ("weights", "cluster", "id"):
        if a in c.args:
            kw[a] = np.atleast_1d(c.args[a])
    if "init" in c.args:
        kw["init"] = np.atleast_1d(np.asarray(c.args["init"], dtype=float))
    if "robust" in c.args:
        kw["robust"] = bool(c.args["robust"])
    if "singular.ok" in c.args:
        kw["singular_ok"] = bool(c.args["singular.ok"])
    if "nocenter" in c.args:
        kw["nocenter"] = () if c.args["nocenter"] is None else tuple(np.atleast_1d(c.args["nocenter"]))
    control = _control(c)
    if control is not None:
        kw["control"] = control
    return kw


def _survfit_kwargs(c) -> dict:
    # survfit.formula takes `error` and never reads it (survival 3.5-3)
    _take(c, ["weights", "conf.type", "conf.int", "conf.lower", "stype", "ctype", "type", "id", "cluster", "robust",
              "influence", "start.time"], ignored=["se.fit", "error"])
    if c.args.get("se.fit") is False:
        raise Unsupported("se.fit = FALSE")
    _na_action(c)
    kw: dict[str, Any] = {}
    _subset(c, kw)
    for a in ("weights", "id", "cluster"):
        if a in c.args:
            kw[a] = np.atleast_1d(c.args[a])
    for a in ("conf.type", "conf.int", "conf.lower", "type", "robust", "influence", "start.time"):
        if a in c.args:
            kw[a.replace(".", "_")] = c.args[a]
    for a in ("stype", "ctype"):
        if a in c.args:
            kw[a] = int(c.args[a])
    return kw


def _survfit_ms_kwargs(c) -> dict:
    """survfit on a factor status (survfitCI): the arguments survfit_ms has (id, istate, cluster and influence
    of multi-state (start, stop] data included)."""
    _take(c, ["weights", "conf.type", "conf.int", "se.fit", "start.time", "p0", "id", "istate", "cluster",
              "influence"], ignored=["error"])
    _na_action(c)
    kw: dict[str, Any] = {}
    _subset(c, kw)
    if "weights" in c.args:
        kw["weights"] = np.atleast_1d(c.args["weights"])
    for a in ("id", "cluster"):
        if a in c.args:
            kw[a] = np.atleast_1d(np.asarray(list(c.args[a]) if isinstance(c.args[a], tuple) else c.args[a]))
    if "istate" in c.args:
        kw["istate"] = _factor_arg(c.args["istate"])
    if "influence" in c.args:
        kw["influence"] = c.args["influence"]
    for a in ("conf.type", "conf.int", "se.fit", "start.time"):
        if a in c.args:
            kw[a.replace(".", "_")] = c.args[a]
    if "p0" in c.args:
        kw["p0"] = np.atleast_1d(np.asarray(c.args["p0"], dtype=float))
    return kw


def _factor_arg(v: Any) -> Any:
    """A factor argument as the capture writes it ({type, levels, values}): a Categorical with R's levels."""
    if not isinstance(v, dict):
        return np.atleast_1d(np.asarray(list(v) if isinstance(v, tuple) else v))
    levels = [v["levels"]] if isinstance(v["levels"], str) else list(v["levels"])
    codes = [-1 if x is None else int(x) - 1 for x in np.atleast_1d(np.asarray(v["values"], dtype=object))]
    return pd.Categorical.from_codes(codes, levels)


def _survfit_cox_kwargs(c) -> dict:
    _take(c, ["se.fit", "conf.int", "conf.type", "stype", "ctype", "censor", "start.time", "id"])
    kw: dict[str, Any] = {}
    if "id" in c.args:  # evaluated in newdata by the capture: each row's subject
        ids = c.args["id"]
        kw["id"] = np.atleast_1d(np.asarray(list(ids) if isinstance(ids, tuple) else ids, dtype=object))
    for a in ("se.fit", "conf.int", "conf.type", "stype", "ctype", "censor", "start.time"):
        if a in c.args:
            v = c.args[a]
            kw[a.replace(".", "_")] = int(v) if a in ("stype", "ctype") else v
    return kw


def _residuals_kwargs(c) -> dict:
    _take(c, ["type", "collapse", "weighted"])
    kw: dict[str, Any] = {"type": c.args.get("type", "martingale")}
    if "collapse" in c.args:
        kw["collapse"] = np.atleast_1d(c.args["collapse"])
    if "weighted" in c.args:
        kw["weighted"] = bool(c.args["weighted"])
    return kw


def _predict_kwargs(c) -> dict:
    _take(c, ["type", "se.fit", "reference", "terms", "collapse"])
    kw: dict[str, Any] = {"type": c.args.get("type", "lp")}
    if "se.fit" in c.args:
        kw["se_fit"] = bool(c.args["se.fit"])
    if "reference" in c.args:
        kw["reference"] = c.args["reference"]
    if "terms" in c.args:
        kw["terms"] = tuple(np.atleast_1d(c.args["terms"]))
    if "collapse" in c.args:
        kw["collapse"] = np.atleast_1d(c.args["collapse"])
    if c.newdata is not None:
        kw["newdata"] = c.newdata
    return kw


def _zph_kwargs(c) -> dict:
    _take(c, ["transform", "global"])
    kw: dict[str, Any] = {"transform": c.args["transform"]} if "transform" in c.args else {}
    if "global" in c.args:
        kw["global_"] = bool(c.args["global"])
    return kw


def _no_kwargs(c) -> dict:
    _take(c, [])
    return {}


def _survdiff_kwargs(c) -> dict:
    _take(c, ["rho"])
    _na_action(c)
    kw: dict[str, Any] = {}
    _subset(c, kw)
    if "rho" in c.args:
        kw["rho"] = float(c.args["rho"])
    return kw



def _concordance_kwargs(c) -> dict:
    _take(c, ["influence", "keepstrata"])
    kw: dict[str, Any] = {}
    if "influence" in c.args:
        kw["influence"] = int(float(c.args["influence"]))
    if "keepstrata" in c.args:
        v = c.args["keepstrata"]
        kw["keepstrata"] = v if isinstance(v, bool) else float(v)
    return kw


def _detail_kwargs(c) -> dict:
    _take(c, ["riskmat", "rorder"])
    return {k: (bool(v) if k == "riskmat" else v) for k, v in c.args.items() if k in ("riskmat", "rorder")}


def _tmerge_kwargs(c) -> dict:
    """tmerge's tstart, tstop (values, from the record's term frame) and options (R's ``na.rm`` is ``na_rm``)."""
    _take(c, ["id", "tstart", "tstop", "options"])
    kw: dict[str, Any] = {}
    for k in ("tstart", "tstop"):
        if k in c.args:
            v = c.args[k]
            values = c.tm_values
            kw[k] = values[v].to_numpy() if isinstance(v, str) and values is not None and v in values else v
    opts = c.args.get("options")
    if isinstance(opts, dict):
        kw["options"] = {("na_rm" if k == "na.rm" else k): v for k, v in opts.items()}
    return kw


# ---- survreg and the functions of its fit ------------------------------------------
_SURVREG_CONTROL = ("maxiter", "iter.max", "rel.tolerance", "toler.chol", "outer.max", "debug")


def _survreg_control(c) -> SurvregControl | None:
    """survreg.control's arguments (``control=`` a list, or given to survreg by ``...``): R's
    ``do.call("survreg.control", control)``, where ``iter.max`` wins over ``maxiter``; ``debug`` only prints."""
    ctl = dict(c.args["control"]) if isinstance(c.args.get("control"), dict) else {}
    ctl.update({k: c.args[k] for k in _SURVREG_CONTROL if k in c.args})
    ctl = {k: v for k, v in ctl.items() if v is not None}
    values: dict[str, Any] = {}
    if "iter.max" in ctl or "maxiter" in ctl:
        values["iter_max"] = int(ctl.get("iter.max", ctl.get("maxiter")))
    for r, ours in (("rel.tolerance", "rel_tolerance"), ("toler.chol", "toler_chol")):
        if r in ctl:
            values[ours] = float(ctl[r])
    if "outer.max" in ctl:
        values["outer_max"] = int(ctl["outer.max"])
    return SurvregControl(**values) if values else None


def survreg_kwargs(c) -> dict:
    """survreg's arguments (na.exclude: the fit's residuals and predictions padded); a user-defined distribution
    (``dist`` a list) is not in the contract."""
    _take(c, ["dist", "weights", "init", "scale", "control", "parms", "robust", "cluster", *_SURVREG_CONTROL],
          ignored=["model", "x", "y", "score"])
    dist = c.args.get("dist", "weibull")
    if isinstance(dist, dict):
        raise Unsupported("a user-defined distribution (`dist` given as a list, survreg.distributions style); "
                          "the contract's dist is one of R's named distributions")
    kw: dict[str, Any] = {"dist": dist}
    _na_action(c, kw)
    _subset(c, kw)
    for a in ("weights", "cluster"):
        if a in c.args:
            v = c.args[a]
            kw[a] = np.atleast_1d(np.asarray(list(v) if isinstance(v, tuple) else v))
    if "init" in c.args:
        kw["init"] = np.atleast_1d(np.asarray(c.args["init"], dtype=float))
    if "scale" in c.args:
        kw["scale"] = float(np.atleast_1d(np.asarray(c.args["scale"], dtype=float))[0]) \
            if np.size(c.args["scale"]) == 1 else np.asarray(c.args["scale"], dtype=float)
    if "robust" in c.args:
        kw["robust"] = bool(c.args["robust"])
    if "parms" in c.args and c.args["parms"] is not None:
        p = c.args["parms"]
        kw["parms"] = {k: float(np.asarray(v, dtype=float).ravel()[0]) for k, v in p.items()} \
            if isinstance(p, dict) else np.atleast_1d(np.asarray(p, dtype=float))
    control = _survreg_control(c)
    if control is not None:
        kw["control"] = control
    return kw


def _survreg_predict_kwargs(c) -> dict:
    _take(c, ["type", "se.fit", "p", "terms", "na.action"])
    if c.args.get("na.action", "na.pass") != "na.pass":
        raise Unsupported(f"predict(<survreg>, na.action = {c.args['na.action']}): the contract's survreg_predict "
                          "keeps every row of newdata (R's default na.pass)")
    if "terms" in c.args:
        raise Unsupported("predict(<survreg>, terms=)")
    kw: dict[str, Any] = {"type": c.args.get("type", "response")}
    if "se.fit" in c.args:
        kw["se_fit"] = bool(c.args["se.fit"])
    if "p" in c.args:
        kw["p"] = np.atleast_1d(np.asarray(c.args["p"], dtype=float))
    if c.newdata is not None:
        kw["newdata"] = c.newdata
    return kw


def _survreg_residuals_kwargs(c) -> dict:
    _take(c, ["type", "rsigma", "collapse", "weighted"])
    kw: dict[str, Any] = {"type": c.args.get("type", "response")}
    for a in ("rsigma", "weighted"):
        if a in c.args:
            kw[a] = bool(c.args[a])
    if "collapse" in c.args and c.args["collapse"] is not False:
        v = c.args["collapse"]
        kw["collapse"] = np.atleast_1d(np.asarray(list(v) if isinstance(v, tuple) else v))
    return kw


KWARGS = {"tmerge": _tmerge_kwargs, "coxph": coxph_kwargs, "survfit": _survfit_kwargs,
          "survfit_ms": _survfit_ms_kwargs, "survdiff": _survdiff_kwargs,
          "survfit_cox": _survfit_cox_kwargs, "coxph_residuals": _residuals_kwargs, "coxph_predict": _predict_kwargs,
          "cox_zph": _zph_kwargs, "concordance": _concordance_kwargs, "coxph_detail": _detail_kwargs,
          "survreg": survreg_kwargs, "survreg_predict": _survreg_predict_kwargs,
          "survreg_residuals": _survreg_residuals_kwargs}
