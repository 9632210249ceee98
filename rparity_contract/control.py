"""Numerical settings passed to an engine: plain data, checked by each engine.

The contract does not validate these: an engine that refuses a setting says so
itself (pyimpl with :class:`~rparity_contract.errors.InvalidArgument`, R through
``coxph.control``'s own errors), so that a setting one engine accepts and
another refuses shows up as a divergence.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CoxControl", "SurvregControl", "DBL_EPSILON"]

DBL_EPSILON = 2.220446049250313e-16


@dataclass(frozen=True)
class CoxControl:
    """``coxph.control(eps=1e-9, toler.chol=.Machine$double.eps^0.75, iter.max=20,
    toler.inf=sqrt(eps), outer.max=10, timefix=TRUE)``, survival 3.5-3.

    Attributes
    ----------
    eps : float
        Convergence: iteration stops when ``|1 - loglik_best/loglik_new| <= eps``.
    iter_max : int
        Maximum number of Newton-Raphson iterations.
    toler_chol : float
        Tolerance of survival's own Cholesky (``cholesky2``) for declaring a
        column redundant (its coefficient becomes NaN, R's NA).
    toler_inf : float or None
        Threshold of the "coefficient may be infinite" check; ``None`` is R's
        default ``sqrt(eps)``.
    outer_max : int
        Kept for completeness (penalised models only; unused by the engines).
    timefix : bool
        Apply R's ``aeqSurv`` to the times (merge times equal up to rounding).
    """

    eps: float = 1e-9
    iter_max: int = 20
    toler_chol: float = DBL_EPSILON ** 0.75
    toler_inf: float | None = None
    outer_max: int = 10
    timefix: bool = True


@dataclass(frozen=True)
class SurvregControl:
    """``survreg.control(maxiter=30, rel.tolerance=1e-9, toler.chol=1e-10,
    iter.max, debug=0, outer.max=10)``, survival 3.5-3.

    Attributes
    ----------
    iter_max : int
        Maximum number of Newton-Raphson iterations of the fit (R's
        ``iter.max``, alias ``maxiter``); the preliminary intercept-only fit
        always gets 20.
    rel_tolerance : float
        Convergence: iteration stops when ``|1 - loglik_old/loglik_new| <=
        rel_tolerance`` after a full Newton step (``survreg6.c``).
    toler_chol : float
        Absolute pivot tolerance of survival's ``cholesky3`` (``cholesky2``
        for the initial values).
    outer_max : int
        Kept for completeness (penalised models only; unused by the engines).
    """

    iter_max: int = 30
    rel_tolerance: float = 1e-9
    toler_chol: float = 1e-10
    outer_max: int = 10
