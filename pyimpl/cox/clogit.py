"""Conditional logistic regression: ``survival::clogit`` (survival 3.5-3).

clogit.R fits ``coxph(Surv(rep(1, n), case) ~ terms, method=)``: every subject
"dies" at time 1 when a case, so each ``strata(set)`` is one risk set and the
exact partial likelihood is the conditional likelihood of the matched sets.
The rewriting is the contract's (:func:`rparity_contract.calls.clogit_call`),
the fit pyimpl's ``coxph``.
"""
from __future__ import annotations

import warnings
from typing import Any

from rparity_contract.calls import clogit_call
from rparity_contract.errors import RParityWarning
from rparity_contract.results.cox import CoxPH

from .coxph import coxph

__all__ = ["clogit"]


def clogit(formula: str, data: Any, *, weights: Any = None, subset: Any = None, method: str = "exact",
           **kwargs: Any) -> CoxPH:
    """``clogit(case ~ x + strata(set), data, weights=, subset=, method=, ...)``.

    ``method``: "exact" (R's default: the conditional likelihood; weights are
    then ignored with R's warning), "approximate" or "breslow" (Breslow),
    "efron". Other keyword arguments go to :func:`coxph` (``init``,
    ``control``...). The result is the ``coxph`` fit of the rewritten call.
    """
    c = clogit_call(formula, data, method, weights)
    for msg in c.warnings:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    fit = coxph(c.formula, data=data, subset=subset, weights=c.weights, ties=c.ties, **kwargs)
    return fit.evolve(warnings=c.warnings + tuple(fit.warnings))
