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

__all__ = ["SurvFitCall", "CoxCall", "MatchItCall"]


@dataclass(frozen=True)
class SurvFitCall:
    """``survfit(time, event, weights=, conf_type=, conf_int=, conf_lower=)``."""

    time: Any
    event: Any
    weights: Any = None
    conf_type: Any = "log"
    conf_int: Any = 0.95
    conf_lower: Any = "usual"


@dataclass(frozen=True)
class CoxCall:
    """``coxph(X, time, event, ties=, weights=, strata=, cluster=, robust=, init=,
    control=, nocenter=, singular_ok=)``."""

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

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments to repeat the call: ``coxph(X, time, event, **kw)``."""
        return {k: getattr(self, k) for k in ("ties", "weights", "strata", "cluster", "robust", "init",
                                                "control", "nocenter", "singular_ok")}


@dataclass(frozen=True)
class MatchItCall:
    """``matchit(data, treat, covariates, **options)``; ``options`` holds the
    keyword arguments as given (``ratio``, ``caliper``, ``exact``...)."""

    data: Any
    treat: Any
    covariates: Any
    options: Mapping[str, Any] = field(default_factory=dict)
