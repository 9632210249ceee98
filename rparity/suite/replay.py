"""Each captured call made again in an engine, and its verdict (a :class:`Status`
and the quantity rows behind it); :func:`run_suite` does it for whole scripts."""
from __future__ import annotations

import dataclasses
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable

import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityError
from rparity_contract.formula import Formula

from ..compare import compare_values
from ..refusals import r_kind, refusal_kind
from ..tolerance import lookup
from .arguments import KWARGS, Unsupported
from .quantities import QUANTITIES

__all__ = ["Status", "FAILURES", "QuantityRow", "CallVerdict", "ScriptVerdict", "replay_call", "run_suite"]


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


class _OutOfScope(Exception):
    pass


# ---- what is out of scope (issue 15 leaves these to others) ----------------
_OUT_OF_SCOPE_TERMS = [
    (re.compile(r"\b(frailty(\.\w+)?|pspline|ridge|coxme)\s*\("), "penalized or frailty terms (frailty/pspline)"),
    (re.compile(r"\btt\s*\("), "time-transform terms tt()"),
    (re.compile(r"type\s*=\s*\"mstate\""), "multi-state Surv"),
    (re.compile(r"\bSurv2\s*\("), "Surv2 multi-state data"),
]
_OUT_OF_SCOPE_ARGS = {"tt": "time-transform terms (tt)", "statedata": "multi-state models (statedata)",
                      "etype": "competing risks (etype)"}


_INTERVAL_SURV = re.compile(r"type\s*=\s*\"(interval|interval2|left)\"")


def _scope(c) -> None:
    if c.function != "survreg" and (c.formula and _INTERVAL_SURV.search(c.formula) or _INTERVAL_SURV.search(c.call)):
        raise _OutOfScope("interval or left-censored Surv (only survreg takes them)")
    for pattern, why in _OUT_OF_SCOPE_TERMS:
        if c.formula and pattern.search(c.formula) or pattern.search(c.call):
            raise _OutOfScope(why)
    for a, why in _OUT_OF_SCOPE_ARGS.items():
        if a in c.args:
            raise _OutOfScope(why)
    if c.function == "survfit" and c.result is not None and "kind" in c.result:
        raise _OutOfScope(f"R's result is a {c.result['kind']} (multi-state or competing risks)")
    if c.function == "coxph" and (c.not_captured or "").startswith("first argument of class list"):
        raise _OutOfScope("multi-state models (coxph with a list of formulas)")
    if c.function == "coxph" and c.result is not None and c.result.get("class") == "coxphms":
        raise _OutOfScope("R's result is a coxphms (a multi-state model: a factor status with id)")


#: functions of a fit: replayed on the engine's fit of the script's coxph call
_OF_FIT = {"survfit_cox", "coxph_residuals", "coxph_predict", "cox_zph", "concordance", "coxph_detail",
           "survreg_residuals", "survreg_predict"}


def _compare(function: str, ours: dict, theirs: dict) -> tuple[QuantityRow, ...]:
    rows = []
    for q, want in theirs.items():
        got = ours.get(q)
        v = compare_values(got, want, lookup(function, q))
        rows.append(QuantityRow(q, v.verdict.value == "agree", v.max_abs, v.max_rel, v.detail))
    return tuple(rows)


def _formula(c) -> Any:
    """The call's formula, with the script's own functions it calls (ns2...)."""
    if getattr(c, "functions", None):
        return Formula(c.formula, dict(c.functions))
    return c.formula


def _tmerge(engine: Any, c, kw: dict) -> Any:
    """tmerge with the record's data: data1 (an earlier result: with what R kept on it), data2, the
    terms' evaluated values."""
    from rparity_contract.results import Tmerge
    from rparity_contract.tmerge import TimeTerm

    data1: Any = c.data if c.data is not None else pd.DataFrame()
    if c.retain is not None:
        data1 = Tmerge(data=data1, engine="r", **c.retain)
    terms = [(t["name"], TimeTerm(t["kind"], t["time"], t["value"], init=t["init"], censor=t["censor"]))
             for t in c.terms]
    return engine.tmerge(data1, c.data2, c.args["id"], terms, **kw)


def _call(engine: Any, c, kw: dict, fit_of: Callable[[int], Any] | None) -> Any:
    if c.function == "tmerge":
        return _tmerge(engine, c, kw)
    if c.function not in _OF_FIT:
        return getattr(engine, c.function)(_formula(c), data=c.data, **kw)
    if fit_of is None:
        raise Unsupported(f"{c.function} on a fit needs the script's calls")
    if c.function == "survfit_cox":
        return engine.survfit_cox(fit_of(c.fit_call), _with_extractions(c.newdata, fit_of, c.fit_call), **kw)
    return getattr(engine, c.function)(fit_of(c.fit_call), **kw)


def _with_extractions(newdata: Any, fit_of: Callable[[int], Any], i: int | None) -> Any:
    """newdata with the fit's extractions from other objects (``fit1$coef[2]``):
    R finds those objects where the formula was written, whatever newdata
    holds; the capture made each a column of the fit's data (one value)."""
    calls = getattr(fit_of, "calls", None)
    if newdata is None or calls is None or i is None or calls[i - 1].data is None:
        return newdata
    data = calls[i - 1].data
    extra = {col: data[col].iloc[0] for col in data.columns
             if "$" in str(col) and col not in newdata.columns and data[col].nunique(dropna=False) == 1}
    return newdata.assign(**extra) if extra else newdata


class _FitFailed(Exception):
    pass


def replay_call(engine: Any, c, fit_of: Callable[[int], Any] | None = None) -> CallVerdict:
    """Make call ``c`` (a :class:`fixtures.survival_suite.SuiteCall`) in ``engine`` and judge it.
    ``fit_of(i)`` is the engine's fit of the script's ``i``-th call (survfit on a coxph fit)."""
    def verdict(status: Status, reason: str = "", rows: tuple[QuantityRow, ...] = ()) -> CallVerdict:
        return CallVerdict(c.id, c.function, c.call, status, reason, rows)

    if c.function == "survfit" and c.result is not None and c.result.get("kind") == "survfitms" \
            and "pstate" in c.result:
        c = dataclasses.replace(c, function="survfit_ms")  # a factor status: R's competing risks curves
    try:
        _scope(c)
    except _OutOfScope as exc:
        return verdict(Status.OUT_OF_SCOPE, str(exc))
    if c.not_captured:
        return verdict(Status.NOT_CAPTURED, c.not_captured)
    if c.function not in KWARGS:
        return verdict(Status.UNSUPPORTED, f"{c.function} calls are not replayed")
    try:
        kw = KWARGS[c.function](c)
    except Unsupported as exc:
        return verdict(Status.UNSUPPORTED, str(exc))
    if not engine.provides(c.function):
        return verdict(Status.UNSUPPORTED, f"the engine does not provide {c.function}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # R's warnings are the engine's result here, not the user's
            fit = _call(engine, c, kw, fit_of)
    except Unsupported as exc:
        return verdict(Status.UNSUPPORTED, str(exc))
    except _FitFailed as exc:
        return verdict(Status.UNSUPPORTED, f"its fit (call #{c.fit_call}) does not replay: {exc}")
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
    r_quantities, engine_quantities = QUANTITIES[c.function]
    ours, theirs = engine_quantities(fit, c.result), r_quantities(c.result)
    ours["warnings"], theirs["warnings"] = tuple(getattr(fit, "warnings", ()) or ()), tuple(c.warnings)
    rows = _compare(c.function, ours, theirs)
    bad = [r for r in rows if not r.agree]
    if bad:
        return verdict(Status.DIFFER, "; ".join(f"{r.quantity}: {r.detail or f'rel {r.max_rel:.2g}'}"
                                                for r in bad[:3]), rows)
    return verdict(Status.AGREE, "", rows)


def _fits(eng: Any, calls) -> Callable[[int], Any]:
    """The engine's fit of a script's coxph (or survreg) call, made once; _FitFailed when it cannot be."""
    made: dict[int, Any] = {}

    def fit_of(i: int) -> Any:
        if i not in made:
            c = calls[i - 1]
            try:
                if c.not_captured:
                    raise Unsupported(c.not_captured)
                kw = KWARGS[c.function](c)  # a coxph or survreg call
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    made[i] = getattr(eng, c.function)(_formula(c), data=c.data, **kw)
            except Unsupported as exc:
                made[i] = _FitFailed(str(exc))
            except Exception as exc:  # noqa: BLE001 - reported as the reason of the survfit call
                made[i] = _FitFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        if isinstance(made[i], _FitFailed):
            raise made[i]
        return made[i]

    fit_of.calls = calls  # type: ignore[attr-defined]  # the records, for what a call reads of its fit's data
    return fit_of


def run_suite(engine: Any = "pyimpl", scripts: Iterable[str] | None = None) -> list[ScriptVerdict]:
    """Replay every captured call (of ``scripts``, default all) in ``engine``."""
    import fixtures.survival_suite as suite

    from ..engines import engine as get_engine

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


