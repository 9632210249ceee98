"""The arguments of a captured call as the contract's keyword arguments.

Each ``*_kwargs(c)`` reads the R arguments a script gave (evaluated, R's names:
``ties``, ``iter.max``, ``conf.type``...) and returns the engine's; an argument
the contract does not have raises :class:`Unsupported` naming it.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from rparity_contract.control import CoxControl

__all__ = ["Unsupported", "KWARGS", "coxph_kwargs"]


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
    """survfit on a factor status (survfitCI): the arguments survfit_ms has; id, istate, influence, cluster
    (multi-state (start, stop] data, the influence matrices) are not in the contract."""
    _take(c, ["weights", "conf.type", "conf.int", "se.fit", "start.time", "p0"], ignored=["error"])
    _na_action(c)
    kw: dict[str, Any] = {}
    _subset(c, kw)
    if "weights" in c.args:
        kw["weights"] = np.atleast_1d(c.args["weights"])
    for a in ("conf.type", "conf.int", "se.fit", "start.time"):
        if a in c.args:
            kw[a.replace(".", "_")] = c.args[a]
    if "p0" in c.args:
        kw["p0"] = np.atleast_1d(np.asarray(c.args["p0"], dtype=float))
    return kw


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


KWARGS = {"tmerge": _tmerge_kwargs, "coxph": coxph_kwargs, "survfit": _survfit_kwargs,
          "survfit_ms": _survfit_ms_kwargs, "survdiff": _survdiff_kwargs,
          "survfit_cox": _survfit_cox_kwargs, "coxph_residuals": _residuals_kwargs, "coxph_predict": _predict_kwargs,
          "cox_zph": _zph_kwargs, "concordance": _concordance_kwargs, "coxph_detail": _detail_kwargs}
