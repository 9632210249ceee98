"""R survival's own test suite, replayed in an engine (``rparity suite``).

Every call the scripts of survival 3.5-3's ``tests/`` make to ``coxph``,
``survfit`` and ``survdiff`` was captured with R's answer
(:mod:`fixtures.survival_suite`). Here each call is made again through an
engine's contract functions (formula form, the script's data) and its numbers
are compared with R's through the tolerance table, quantity by quantity.

Each call ends in one :class:`Status`; a script's counts are what the issue's
"count per script" asks. Nothing here is tuned to a script: the replay reads the
call's arguments, the comparison is the harness's.
"""
from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable

import numpy as np

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument, RParityError

from .compare import compare_values
from .refusals import r_kind, refusal_kind
from .tolerance import lookup

__all__ = ["Status", "CallVerdict", "ScriptVerdict", "replay_call", "run_suite", "render", "render_doc", "register"]


class Status(str, Enum):
    AGREE = "agree"  # every compared number within tolerance; or both refuse, same kind
    DIFFER = "differ"  # a number outside tolerance, or both refuse for different reasons
    REFUSED = "refused"  # the engine refuses what R accepts
    ACCEPTED = "accepted"  # the engine answers where R refuses
    ERROR = "engine error"  # the engine failed (not a refusal): a bug
    UNSUPPORTED = "unsupported"  # an argument or feature the contract does not have (yet)
    OUT_OF_SCOPE = "out of scope"  # a method another issue takes (frailty, tt, multi-state...)
    NOT_CAPTURED = "not captured"  # the call could not be written down as data


#: statuses that are a verdict against the engine
FAILURES = (Status.DIFFER, Status.ACCEPTED, Status.ERROR)


@dataclass(frozen=True)
class QuantityRow:
    quantity: str
    agree: bool
    max_abs: float
    max_rel: float
    detail: str = ""


@dataclass(frozen=True)
class CallVerdict:
    id: str
    function: str
    call: str
    status: Status
    reason: str = ""
    rows: tuple[QuantityRow, ...] = ()


@dataclass(frozen=True)
class ScriptVerdict:
    script: str
    calls: tuple[CallVerdict, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def in_scope(self) -> int:
        return sum(1 for c in self.calls if c.status not in (Status.OUT_OF_SCOPE, Status.NOT_CAPTURED))


class _Unsupported(Exception):
    """The call needs something the contract does not have; the reason is the message."""


class _OutOfScope(Exception):
    pass


# ---- what is out of scope (issue 15 leaves these to others) ----------------
_OUT_OF_SCOPE_TERMS = [
    (re.compile(r"\b(frailty(\.\w+)?|pspline|ridge|coxme)\s*\("), "penalized or frailty terms (frailty/pspline)"),
    (re.compile(r"\btt\s*\("), "time-transform terms tt()"),
    (re.compile(r"type\s*=\s*\"(interval|interval2|left|mstate)\""), "interval, left or multi-state Surv"),
    (re.compile(r"\bSurv2\s*\("), "Surv2 multi-state data"),
]
_OUT_OF_SCOPE_ARGS = {"tt": "time-transform terms (tt)", "istate": "multi-state models (istate)",
                      "statedata": "multi-state models (statedata)", "etype": "competing risks (etype)"}


def _scope(c) -> None:
    for pattern, why in _OUT_OF_SCOPE_TERMS:
        if c.formula and pattern.search(c.formula) or pattern.search(c.call):
            raise _OutOfScope(why)
    for a, why in _OUT_OF_SCOPE_ARGS.items():
        if a in c.args:
            raise _OutOfScope(why)
    if c.function == "survfit" and c.result is not None and "kind" in c.result:
        raise _OutOfScope(f"R's result is a {c.result['kind']} (multi-state or competing risks)")
    if c.function == "coxph" and c.result is not None and c.result.get("class") == "coxphms":
        raise _OutOfScope("R's result is a coxphms (a multi-state model: a factor status with id)")


# ---- arguments --------------------------------------------------------------
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
    raise _Unsupported(f"na.action = {na}")


def _subset(c, kw: dict) -> None:
    if "subset" in c.args:
        kw["subset"] = c.args["subset"]
    elif "subset_mask" in c.args:
        mask = np.asarray(c.args["subset_mask"], dtype=object)
        if any(v is None for v in mask):
            raise _Unsupported("a subset vector with NA")
        kw["subset"] = mask.astype(bool)


def _take(c, allowed: Iterable[str], ignored: Iterable[str] = ()) -> None:
    extra = sorted(set(c.args) - set(allowed) - set(ignored) - {"subset", "subset_mask", "na.action"})
    if extra:
        raise _Unsupported("argument " + ", ".join(f"`{a}`" for a in extra))


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


def _coxph_kwargs(c) -> dict:
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
    _take(c, ["weights", "conf.type", "conf.int", "conf.lower", "stype", "ctype", "type"], ignored=["se.fit", "error"])
    if c.args.get("se.fit") is False:
        raise _Unsupported("se.fit = FALSE")
    _na_action(c)
    kw: dict[str, Any] = {}
    _subset(c, kw)
    if "weights" in c.args:
        kw["weights"] = np.atleast_1d(c.args["weights"])
    for a in ("conf.type", "conf.int", "conf.lower", "type"):
        if a in c.args:
            kw[a.replace(".", "_")] = c.args[a]
    for a in ("stype", "ctype"):
        if a in c.args:
            kw[a] = int(c.args[a])
    return kw


def _survfit_cox_kwargs(c) -> dict:
    _take(c, ["se.fit", "conf.int", "conf.type", "stype", "ctype", "censor"])
    kw: dict[str, Any] = {}
    for a in ("se.fit", "conf.int", "conf.type", "stype", "ctype", "censor"):
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


# ---- R's numbers and the engine's, as {quantity: value} ------------------
def _scalar(v: Any) -> float:
    return float(np.asarray(v, dtype=float).ravel()[0])


def _r_coxph(r: dict) -> dict:
    out: dict[str, Any] = {"loglik": np.atleast_1d(r["loglik"]), "n": r["n"], "nevent": r["nevent"],
                           "n_dropped": r["n_dropped"]}
    if isinstance(r.get("iter"), (int, float)):  # the null model has none
        out["iterations"] = r["iter"]
    if "coef" in r:
        names = r["names"]
        out["names"] = (names,) if isinstance(names, str) else tuple(names)
        out["coef"] = np.atleast_1d(r["coef"])
        p = out["coef"].size
        out["var"] = np.asarray(r["var"], dtype=float).reshape(p, p)
        out["means"] = np.atleast_1d(r["means"])
        if "score" in r:
            out["score_test.statistic"] = _scalar(r["score"])
        if "wald" in r:
            out["wald_test.statistic"] = _scalar(r["wald"])
        if "naive_var" in r:
            out["naive_var"] = np.asarray(r["naive_var"], dtype=float).reshape(p, p)
        if "rscore" in r:
            out["robust_score_test.statistic"] = _scalar(r["rscore"])
    if "concordance" in r:
        v = np.atleast_1d(r["concordance"])
        out.update({"concordance.concordant": v[0], "concordance.discordant": v[1], "concordance.tied_x": v[2],
                    "concordance.tied_y": v[3], "concordance.tied_xy": v[4], "concordance.c": v[5],
                    "concordance.std": v[6]})
    return out


def _engine_coxph(fit, r: dict) -> dict:
    out: dict[str, Any] = {"loglik": np.atleast_1d(fit.loglik), "n": fit.n, "nevent": fit.nevent,
                           "iterations": fit.iterations, "n_dropped": fit.n_dropped}
    if "coef" in r:
        out.update({"names": tuple(fit.names), "coef": fit.coef, "var": fit.var, "means": fit.means})
        if fit.score_test is not None:
            out["score_test.statistic"] = fit.score_test.statistic
        if fit.wald_test is not None:
            out["wald_test.statistic"] = fit.wald_test.statistic
        if fit.naive_var is not None:
            out["naive_var"] = fit.naive_var
        if fit.robust_score_test is not None:
            out["robust_score_test.statistic"] = fit.robust_score_test.statistic
    if fit.concordance is not None:
        k = fit.concordance
        out.update({"concordance.concordant": k.concordant, "concordance.discordant": k.discordant,
                    "concordance.tied_x": k.tied_x, "concordance.tied_y": k.tied_y,
                    "concordance.tied_xy": k.tied_xy, "concordance.c": k.c, "concordance.std": k.std})
    return out


_KM = ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err", "std_chaz", "lower", "upper")


def _r_survfit(r: dict) -> dict:
    out: dict[str, Any] = {k: np.atleast_1d(r[k]) for k in _KM if k in r}
    if "strata" in r:  # names(fit$strata), and each curve's number of rows
        names = (r["strata"],) if isinstance(r["strata"], str) else tuple(r["strata"])
        out["strata"] = tuple(n for n, k in zip(names, np.atleast_1d(r["strata_n"])) for _ in range(int(k)))
    return out


def _engine_survfit(fit, r: dict) -> dict:
    out: dict[str, Any] = {k: np.asarray(getattr(fit, k)) for k in _KM if k in r}
    if "strata" in r:
        out["strata"] = fit.strata
    return out


def _r_survdiff(r: dict) -> dict:
    groups = r["groups"]
    return {"groups": (groups,) if isinstance(groups, str) else tuple(groups), "n": np.atleast_1d(r["n"]),
            "obs": np.atleast_1d(r["obs"]), "exp": np.atleast_1d(r["exp"]),
            "var": np.asarray(r["var"], dtype=float), "chisq": _scalar(r["chisq"]), "pvalue": _scalar(r["pvalue"])}


def _engine_survdiff(fit, r: dict) -> dict:
    return {"groups": tuple(fit.groups), "n": np.asarray(fit.n, dtype=float), "obs": np.asarray(fit.obs),
            "exp": np.asarray(fit.exp), "var": np.asarray(fit.var), "chisq": fit.chisq, "pvalue": fit.pvalue}


_COXSURV = ("time", "n_risk", "n_event", "n_censor", "surv", "cumhaz", "std_err", "lower", "upper")


def _r_survfit_cox(r: dict) -> dict:
    t = np.atleast_1d(r["time"]).size
    out = {k: np.asarray(r[k], dtype=float) for k in _COXSURV if k in r}
    for k in ("surv", "cumhaz", "std_err", "lower", "upper"):  # one curve: R's vector is a column
        if k in out:
            out[k] = out[k].reshape(t, -1, order="F")
    if "strata" in r:
        out["strata"] = (r["strata"],) if isinstance(r["strata"], str) else tuple(r["strata"])
    return out


def _engine_survfit_cox(fit, r: dict) -> dict:
    out = {k: None if getattr(fit, k) is None else np.asarray(getattr(fit, k), dtype=float)
           for k in _COXSURV if k in r}
    if "strata" in r:
        out["strata"] = None if fit.strata is None else tuple(fit.strata)
    return out


def _shaped(values: Any, like: Any) -> np.ndarray:
    """The engine's array in R's shape (R drops a one-column matrix to a vector)."""
    v = np.asarray(values, dtype=float)
    want = np.shape(like)
    return v.reshape(want) if v.size == int(np.prod(want)) else v


def _r_residuals(r: dict) -> dict:
    return {"values": np.asarray(r["values"], dtype=float)}


def _engine_residuals(res, r: dict) -> dict:
    return {"values": _shaped(res.values, r["values"])}


def _r_predict(r: dict) -> dict:
    out = {"values": np.asarray(r["values"], dtype=float)}
    if "se" in r:
        out["se"] = np.asarray(r["se"], dtype=float)
    return out


def _engine_predict(res, r: dict) -> dict:
    out = {"values": _shaped(res.values, r["values"])}
    if "se" in r:
        out["se"] = None if res.se is None else _shaped(res.se, r["se"])
    return out


def _r_zph(r: dict) -> dict:
    terms = r["terms"]
    return {"terms": (terms,) if isinstance(terms, str) else tuple(terms),
            "chisq": np.atleast_1d(r["chisq"]), "df": np.atleast_1d(r["df"]), "p": np.atleast_1d(r["p"])}


def _engine_zph(z, r: dict) -> dict:
    return {"terms": tuple(z.terms), "chisq": np.atleast_1d(z.chisq), "df": np.atleast_1d(z.df).astype(float),
            "p": np.atleast_1d(z.p)}


def _r_concordance(r: dict) -> dict:
    k = np.atleast_1d(r["count"])
    return {"c": _scalar(r["c"]), "std": float(np.sqrt(_scalar(r["var"]))), "concordant": k[0],
            "discordant": k[1], "tied_x": k[2], "tied_y": k[3], "tied_xy": k[4]}


def _engine_concordance(c, r: dict) -> dict:
    return {"c": c.c, "std": c.std, "concordant": c.concordant, "discordant": c.discordant, "tied_x": c.tied_x,
            "tied_y": c.tied_y, "tied_xy": c.tied_xy}


_DETAIL = ("time", "nevent", "nrisk", "hazard", "varhaz", "means", "score", "imat")


def _r_detail(r: dict) -> dict:
    return {k: np.asarray(r[k], dtype=float) for k in _DETAIL}


def _engine_detail(d, r: dict) -> dict:
    out = {k: _shaped(getattr(d, k), r[k]) for k in _DETAIL if k != "imat"}
    # R's imat is (p, p, times); the contract's (times, p, p)
    imat = np.asarray(d.imat, dtype=float)
    out["imat"] = _shaped(np.moveaxis(imat, 0, -1), r["imat"])
    return out


@dataclass(frozen=True)
class _Replay:
    kwargs: Callable[[Any], dict]
    r_quantities: Callable[[dict], dict]
    engine_quantities: Callable[[Any, dict], dict]


_REPLAY: dict[str, _Replay] = {
    "coxph": _Replay(_coxph_kwargs, _r_coxph, _engine_coxph),
    "survfit": _Replay(_survfit_kwargs, _r_survfit, _engine_survfit),
    "survdiff": _Replay(_survdiff_kwargs, _r_survdiff, _engine_survdiff),
    "survfit_cox": _Replay(_survfit_cox_kwargs, _r_survfit_cox, _engine_survfit_cox),
    "coxph_residuals": _Replay(_residuals_kwargs, _r_residuals, _engine_residuals),
    "coxph_predict": _Replay(_predict_kwargs, _r_predict, _engine_predict),
    "cox_zph": _Replay(_zph_kwargs, _r_zph, _engine_zph),
    "concordance": _Replay(_no_kwargs, _r_concordance, _engine_concordance),
    "coxph_detail": _Replay(_no_kwargs, _r_detail, _engine_detail),
}

#: functions of a fit: replayed on the engine's fit of the script's coxph call
_OF_FIT = {"survfit_cox", "coxph_residuals", "coxph_predict", "cox_zph", "concordance", "coxph_detail"}


def _compare(function: str, ours: dict, theirs: dict) -> tuple[QuantityRow, ...]:
    rows = []
    for q, want in theirs.items():
        got = ours.get(q)
        v = compare_values(got, want, lookup(function, q))
        rows.append(QuantityRow(q, v.verdict.value == "agree", v.max_abs, v.max_rel, v.detail))
    return tuple(rows)


def _call(engine: Any, c, kw: dict, fit_of: Callable[[int], Any] | None) -> Any:
    if c.function not in _OF_FIT:
        return getattr(engine, c.function)(c.formula, data=c.data, **kw)
    if fit_of is None:
        raise _Unsupported(f"{c.function} on a coxph fit needs the script's calls")
    if c.function == "survfit_cox":
        return engine.survfit_cox(fit_of(c.fit_call), c.newdata, **kw)
    return getattr(engine, c.function)(fit_of(c.fit_call), **kw)


class _FitFailed(Exception):
    pass


def replay_call(engine: Any, c, fit_of: Callable[[int], Any] | None = None) -> CallVerdict:
    """Make call ``c`` (a :class:`fixtures.survival_suite.SuiteCall`) in ``engine`` and judge it.
    ``fit_of(i)`` is the engine's fit of the script's ``i``-th call (survfit on a coxph fit)."""
    def verdict(status: Status, reason: str = "", rows: tuple[QuantityRow, ...] = ()) -> CallVerdict:
        return CallVerdict(c.id, c.function, c.call, status, reason, rows)

    try:
        _scope(c)
    except _OutOfScope as exc:
        return verdict(Status.OUT_OF_SCOPE, str(exc))
    if c.not_captured:
        return verdict(Status.NOT_CAPTURED, c.not_captured)
    replay = _REPLAY.get(c.function)
    if replay is None:
        return verdict(Status.UNSUPPORTED, f"{c.function} calls are not replayed")
    try:
        kw = replay.kwargs(c)
    except _Unsupported as exc:
        return verdict(Status.UNSUPPORTED, str(exc))
    if not engine.provides(c.function):
        return verdict(Status.UNSUPPORTED, f"the engine does not provide {c.function}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # R's warnings are the engine's result here, not the user's
            fit = _call(engine, c, kw, fit_of)
    except _Unsupported as exc:
        return verdict(Status.UNSUPPORTED, str(exc))
    except _FitFailed as exc:
        return verdict(Status.UNSUPPORTED, f"its coxph fit (call #{c.fit_call}) does not replay: {exc}")
    except (InvalidArgument, RParityError, NotImplementedError, ArithmeticError) as exc:
        kind = refusal_kind(exc, c.function)
        said = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if c.error is not None:
            rk = r_kind(c.error, c.function)
            if kind == rk:
                return verdict(Status.AGREE, f"both refuse ({kind})")
            return verdict(Status.DIFFER, f"both refuse, R: {rk} ({c.error.strip()}); engine: {kind} ({said})")
        if isinstance(exc, NotImplementedError):
            return verdict(Status.UNSUPPORTED, said)
        return verdict(Status.REFUSED, f"{kind}: {said}")
    except Exception as exc:  # noqa: BLE001 - a crash of the engine is a verdict, not a harness failure
        return verdict(Status.ERROR, f"{type(exc).__name__}: {exc}")
    if c.error is not None:
        return verdict(Status.ACCEPTED, f"R refuses: {c.error.strip()}")
    ours, theirs = replay.engine_quantities(fit, c.result), replay.r_quantities(c.result)
    ours["warnings"], theirs["warnings"] = tuple(getattr(fit, "warnings", ()) or ()), tuple(c.warnings)
    rows = _compare(c.function, ours, theirs)
    bad = [r for r in rows if not r.agree]
    if bad:
        return verdict(Status.DIFFER, "; ".join(f"{r.quantity}: {r.detail or f'rel {r.max_rel:.2g}'}"
                                                for r in bad[:3]), rows)
    return verdict(Status.AGREE, "", rows)


def _fits(eng: Any, calls) -> Callable[[int], Any]:
    """The engine's fit of a script's coxph call, made once; _FitFailed when it cannot be."""
    made: dict[int, Any] = {}

    def fit_of(i: int) -> Any:
        if i not in made:
            c = calls[i - 1]
            try:
                if c.not_captured:
                    raise _Unsupported(c.not_captured)
                kw = _coxph_kwargs(c)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    made[i] = eng.coxph(c.formula, data=c.data, **kw)
            except _Unsupported as exc:
                made[i] = _FitFailed(str(exc))
            except Exception as exc:  # noqa: BLE001 - reported as the reason of the survfit call
                made[i] = _FitFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        if isinstance(made[i], _FitFailed):
            raise made[i]
        return made[i]

    return fit_of


def run_suite(engine: Any = "pyimpl", scripts: Iterable[str] | None = None) -> list[ScriptVerdict]:
    """Replay every captured call (of ``scripts``, default all) in ``engine``."""
    import fixtures.survival_suite as suite

    from .engines import engine as get_engine

    eng = get_engine(engine)
    names = list(scripts) if scripts is not None else suite.script_names()
    out = []
    for name in names:
        s = suite.load(name)
        fit_of = _fits(eng, s.calls)
        done: list[CallVerdict] = []
        for c in s.calls:
            fit = done[c.fit_call - 1] if c.fit_call else None
            if fit is not None and fit.status is Status.OUT_OF_SCOPE:  # a function of an out-of-scope fit
                done.append(CallVerdict(c.id, c.function, c.call, Status.OUT_OF_SCOPE,
                                        f"its fit (call #{c.fit_call}) is out of scope: {fit.reason}"))
            else:
                done.append(replay_call(eng, c, fit_of))
        verdicts = tuple(done)
        counts = Counter(v.status.value for v in verdicts)
        out.append(ScriptVerdict(name, verdicts, dict(counts)))
    return out


def render(results: list[ScriptVerdict], *, verbose: bool = False) -> str:
    cols = [s.value for s in Status]
    lines = ["| script | calls | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    total: Counter = Counter()
    for s in results:
        total.update(s.counts)
        lines.append(f"| {s.script} | {len(s.calls)} | " + " | ".join(str(s.counts.get(c, 0) or "")
                                                                       for c in cols) + " |")
    lines.append(f"| **all** | {sum(len(s.calls) for s in results)} | "
                 + " | ".join(str(total.get(c, 0)) for c in cols) + " |")
    if verbose:
        lines.append("")
        for s in results:
            for v in s.calls:
                if v.status is not Status.AGREE:
                    lines.append(f"- `{v.id}` {v.status.value}: {v.reason}  \n  `{v.call}`")
    return "\n".join(lines)


def render_doc(results: list[ScriptVerdict]) -> str:
    """docs/survival-suite.md: the table, then every call that does not agree,
    grouped by status and reason (with the calls' ids)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for s in results:
        for v in s.calls:
            if v.status is not Status.AGREE:
                groups.setdefault((v.status.value, v.reason), []).append(v.id)
    order = {st.value: i for i, st in enumerate(Status)}
    lines = [DOC_INTRO + render(results), "", "## Every call that does not agree, by reason", ""]
    for (status, reason), ids in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1]), kv[0][1])):
        shown = ", ".join(f"`{i}`" for i in ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        lines.append(f"- **{status}** ({len(ids)}): {reason.replace('|', '/')}  \n  {shown}")
    return "\n".join(lines) + "\n"


DOC_INTRO = """# R survival's own test suite, replayed in pyimpl

survival 3.5-3 (github:therneau/survival, commit `e9d7ca0`) ships about 100 test
scripts in `tests/`, written by the package's author, many of them checking
hand-calculated values (`book1.R` ... `book7.R`). `fixtures/survival_suite/` holds
every call those scripts make to `coxph`, `survfit`, `survdiff` and, on a `coxph`
fit, `survfit`, `residuals`, `predict`, `cox.zph`, `concordance` and `coxph.detail`:
the call as written, its data (exactly), its arguments and R's numbers, captured by
running each script under R 4.2.2 with survival 3.5-3
(`python -m fixtures.survival_suite <survival>/tests` regenerates them).
`rparity suite` makes each call again in an engine and compares every number with
R's through the tolerance table (the script's own warnings included).

Statuses: **agree** (every number within tolerance, or both refuse for the same
reason); **differ**, **accepted** (the engine answers where R refuses), **engine
error**: verdicts against the engine (none may remain); **refused** (the engine
refuses what R accepts) and **unsupported** (an argument the contract lacks): the
gaps left, each with its reason below; **out of scope** (frailty and penalized
terms, `tt()`, multi-state and interval data: other issues); **not captured** (a
formula that reaches into another object, `fit$coef`, `aml$time`; a fit the
script changed before using it; a matrix or `Surv` column).

This page is `rparity suite --doc` (a test checks that it is current).

"""


# ---- CLI -------------------------------------------------------------------
def register(sub) -> None:
    p = sub.add_parser("suite", help="replay R survival's own test suite (survival 3.5-3 tests/) in an engine")
    p.add_argument("--engine", default="pyimpl", help="engine to replay in (default pyimpl; 'r' checks rbridge)")
    p.add_argument("--script", action="append", default=None, help="only this script (repeatable): book1.R")
    p.add_argument("-v", "--verbose", action="store_true", help="list every call that does not agree, and why")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.add_argument("--doc", action="store_true", help="print docs/survival-suite.md (the table and every gap)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    import json

    import fixtures.survival_suite as suite

    if args.script:
        unknown = sorted(set(args.script) - set(suite.script_names()))
        if unknown:
            from .cli_args import UsageError

            raise UsageError(f"--script {unknown[0]!r} is not a captured script; known: "
                             + ", ".join(suite.script_names()))
    results = run_suite(args.engine, args.script)
    if args.json:
        print(json.dumps([{"script": s.script, "counts": s.counts,
                           "calls": [{"id": v.id, "function": v.function, "status": v.status.value,
                                      "reason": v.reason, "call": v.call} for v in s.calls]}
                          for s in results], indent=1))
    elif args.doc:
        print(render_doc(results))
    else:
        print(render(results, verbose=args.verbose))
    failed = [v for s in results for v in s.calls if v.status in FAILURES]
    agreed = sum(1 for s in results for v in s.calls if v.status is Status.AGREE)
    if not agreed:
        print("nothing was checked: no call agreed", flush=True)
        return 1
    return 1 if failed else 0
