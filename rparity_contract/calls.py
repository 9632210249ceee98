"""The arguments of a call, as the caller gave them, kept on its result.

A derived function (``survfit_summary``, ``cox_zph``, ``matchit_summary``...)
of an engine may need more than the fitted numbers: R recomputes from the same
call. These records hold the caller's arguments unchanged (nothing validated,
nothing converted), so that any engine can recompute from them with its own
rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .control import CoxControl

__all__ = ["ClogitCall", "clogit_call", "CLOGIT_METHODS", "SurvFitCall", "CoxCall", "MatchItCall", "MISSING",
           "is_formula", "cox_call", "check_formula_form", "survfit_call", "survdiff_form", "survfit_ms_form",
           "row_names"]


class _Missing:
    """An argument not given (``event``: None already means ``Surv(time)``)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def is_formula(x: object) -> bool:
    """The first argument is the formula form (a string with ``~``, or a parsed formula)."""
    return (isinstance(x, str) and "~" in x) or type(x).__name__ == "ModelFormula"


@dataclass(frozen=True)
class SurvFitCall:
    """``survfit(time, event, weights=, conf_type=, conf_int=, conf_lower=,
    stype=, ctype=, type=, id=, cluster=, robust=, influence=, start_time=)``."""

    time: Any
    event: Any
    weights: Any = None
    conf_type: Any = "log"
    conf_int: Any = 0.95
    conf_lower: Any = "usual"
    stype: Any = 1
    ctype: Any = 1
    type: Any = None
    formula: Any = None  # the formula form survfit(Surv(time, event) ~ 1, data=, subset=, weights=)
    data: Any = None
    subset: Any = None
    id: Any = None
    cluster: Any = None
    robust: Any = None
    influence: Any = False
    start_time: Any = None


@dataclass(frozen=True)
class CoxCall:
    """``coxph(X, time, event, ties=, weights=, strata=, cluster=, robust=, init=,
    control=, nocenter=, singular_ok=, na_action=, id=)``, or its formula form
    ``coxph(formula, data=, subset=, weights=, cluster=, ...)``."""

    X: Any
    time: Any
    event: Any
    ties: Any = "efron"
    weights: Any = None
    strata: Any = None
    cluster: Any = None
    robust: Any = None
    init: Any = None
    control: CoxControl | None = None
    nocenter: Any = (-1, 0, 1)
    singular_ok: Any = True
    formula: Any = None  # the formula form: coxph(formula, data=, subset=, ...); X, time, event are then None
    data: Any = None
    subset: Any = None
    start: Any = None  # Surv(start, stop, event): the interval starts (``time`` the stops), once resolved
    offset: Any = None  # the sum of the formula's offset() terms, once a formula call is resolved (R has no
    # offset= argument in coxph: an offset is a formula term)
    na_action: Any = "na.omit"  # "na.exclude": residuals and predictions padded with NA for the dropped rows
    id: Any = None  # subject identifiers: R's robust-by-default rule and the cluster when none is given

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments to repeat the call: ``coxph(X, time, event, **kw)``
        (formula form: ``coxph(formula, **kw)``, with ``data`` and ``subset``)."""
        keys = ["ties", "weights", "strata", "cluster", "robust", "init", "control", "nocenter", "singular_ok",
                "na_action", "id"]
        if self.formula is not None:
            keys += ["data", "subset"]
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class MatchItCall:
    """``matchit(data, treat, covariates, **options)``; ``options`` holds the
    keyword arguments as given (``ratio``, ``caliper``, ``exact``...)."""

    data: Any
    treat: Any
    covariates: Any
    options: Mapping[str, Any] = field(default_factory=dict)


def cox_call(first: Any, time: Any = None, event: Any = MISSING, *, data: Any = None, subset: Any = None,
             **kw: Any) -> CoxCall:
    """The call of ``coxph(X, time, event, **kw)`` or of its formula form
    ``coxph(formula, data=, subset=, **kw)``, checked for mixing the two."""
    from .errors import InvalidArgument

    if is_formula(first):
        if time is not None or event is not MISSING:
            raise InvalidArgument("`time` and `event` come from the formula's Surv() in the formula form; "
                                  "give either coxph(formula, data=...) or coxph(X, time, event)",
                                  kind="argument.value")
        if data is None:
            raise InvalidArgument("`data` is needed with a formula: coxph(formula, data=frame)",
                                  kind="data.type")
        return CoxCall(X=None, time=None, event=None, formula=first, data=data, subset=subset, **kw)
    if isinstance(first, str):
        raise InvalidArgument(f"`formula` needs '~' (Surv(time, status) ~ x); got {first!r}",
                              kind="formula.syntax")
    if data is not None or subset is not None:
        raise InvalidArgument("`data` and `subset` belong to the formula form coxph(formula, data=...); "
                              "the array form takes X, time and event", kind="argument.value")
    if event is MISSING:
        raise InvalidArgument("`event` is missing: give the status vector, or event=None for Surv(time) "
                              "(every row an event)", kind="argument.missing")
    return CoxCall(X=first, time=time, event=event, **kw)


CLOGIT_METHODS = ("exact", "approximate", "efron", "breslow")


@dataclass(frozen=True)
class ClogitCall:
    """What ``survival::clogit(formula, data, weights=, method=)`` hands to
    ``coxph``: ``case ~ x + strata(set)`` as ``Surv(rep(1, n), case) ~ x +
    strata(set)`` (n: the rows of data), the ties method and the weights."""

    formula: str
    ties: str
    weights: Any
    warnings: tuple[str, ...] = ()


def clogit_call(formula: Any, data: Any, method: Any = "exact", weights: Any = None) -> ClogitCall:
    """clogit.R's rewriting of the call (survival 3.5-3): every engine then
    fits the same ``coxph``. ``method``: "exact" (the conditional
    likelihood), "approximate" (Breslow), "efron", "breslow", or a unique
    abbreviation (match.arg); with "exact", weights are dropped with R's
    warning and a cluster() term is refused, as R does."""
    from .errors import InvalidArgument
    from .formula import parse_formula

    if not isinstance(formula, str) or formula.count("~") != 1 or not formula.split("~")[0].strip():
        raise InvalidArgument(f"`formula` must be 'case ~ terms' (the case indicator on the left); got {formula!r}",
                              kind="formula.syntax")
    if not hasattr(data, "columns") or not hasattr(data, "__len__"):
        raise InvalidArgument(f"`data` must be a data frame; got {type(data).__name__}", kind="data.type")
    hits = [m for m in CLOGIT_METHODS if m == method] or \
        [m for m in CLOGIT_METHODS if isinstance(method, str) and method and m.startswith(method)]
    if len(hits) != 1:
        raise InvalidArgument(f"`method` must be one of {', '.join(map(repr, CLOGIT_METHODS))} (R: \"'arg' should be "
                              f"one of ...\"); got method={method!r}", kind="ties.value")
    method = hits[0]
    lhs, rhs = formula.split("~")
    text = f"Surv(rep(1, {len(data)}), {lhs.strip()}) ~{rhs}"
    warns: tuple[str, ...] = ()
    if method == "exact":
        if parse_formula(formula, None, check_columns=False).cluster is not None:
            raise InvalidArgument("`formula` has a cluster() term: a robust variance with the exact method is not "
                                  "supported (R: 'robust variance plus the exact method is not supported')",
                                  kind="robust.exact")
        if weights is not None:
            weights, warns = None, ("weights ignored: not possible for the exact method",)
    ties = {"exact": "exact", "efron": "efron"}.get(method, "breslow")
    return ClogitCall(text, ties, weights, warns)


def check_formula_form(function: str, rest: dict[str, Any], data: Any) -> None:
    """A formula call of ``function`` has ``data`` and none of the array
    form's vectors (``rest``: name -> value, MISSING when not given)."""
    from .errors import InvalidArgument

    given = [k for k, v in rest.items() if v is not MISSING and v is not None]
    if given:
        raise InvalidArgument(f"`{given[0]}` comes from the formula in the formula form of {function}; give "
                              f"either {function}(formula, data=...) or the vectors", kind="argument.value")
    if data is None:
        raise InvalidArgument(f"`data` is needed with a formula: {function}(formula, data=frame)",
                              kind="data.type")


def survfit_call(time: Any, event: Any = MISSING, *, data: Any = None, subset: Any = None,
                 **kw: Any) -> SurvFitCall:
    """The call of ``survfit(time, event, **kw)`` or ``survfit(formula, data=, subset=, **kw)``."""
    from .errors import InvalidArgument

    if is_formula(time):
        check_formula_form("survfit", {"event": event}, data)
        return SurvFitCall(time=None, event=None, formula=time, data=data, subset=subset, **kw)
    if event is MISSING:
        raise InvalidArgument("`event` is missing: give the status vector, or event=None for Surv(time)",
                              kind="argument.missing")
    if data is not None or subset is not None:
        raise InvalidArgument("`data` and `subset` belong to the formula form survfit(formula, data=...)",
                              kind="argument.value")
    return SurvFitCall(time=time, event=event, **kw)


def survfit_ms_form(time: Any, event: Any, data: Any, subset: Any) -> bool:
    """Whether ``survfit_ms(...)`` is the formula form, checked for mixing the two."""
    from .errors import InvalidArgument

    if is_formula(time):
        check_formula_form("survfit_ms", {"event": event}, data)
        return True
    if event is MISSING:
        raise InvalidArgument("`event` is missing: give the status factor", kind="argument.missing")
    if data is not None or subset is not None:
        raise InvalidArgument("`data` and `subset` belong to the formula form survfit_ms(formula, data=...)",
                              kind="argument.value")
    return False


def survdiff_form(time: Any, event: Any, group: Any, strata: Any, data: Any, subset: Any) -> bool:
    """Whether ``survdiff(...)`` is the formula form, checked for mixing the two."""
    from .errors import InvalidArgument

    if is_formula(time):
        check_formula_form("survdiff", {"event": event, "group": group, "strata": strata}, data)
        return True
    if event is MISSING or group is MISSING:
        raise InvalidArgument("`event` and `group` are needed in the array form survdiff(time, event, group)",
                              kind="argument.missing")
    if data is not None or subset is not None:
        raise InvalidArgument("`data` and `subset` belong to the formula form survdiff(formula, data=...)",
                              kind="argument.value")
    return False


def row_names(frame: Any) -> tuple[str, ...]:
    """R's ``row.names`` of a ``newdata`` frame: the index's labels when they
    are strings, else R's automatic ``"1".."k"`` (a pandas number index is
    positions, not names). They label the curves of ``survfit`` on a Cox fit."""
    index = getattr(frame, "index", None)
    n = len(frame)
    if index is not None and n and all(isinstance(v, str) for v in index):
        return tuple(index)
    return tuple(str(i + 1) for i in range(n))
