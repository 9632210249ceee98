"""Result types of ``cmprsk::crr`` (cmprsk 2.2-11): Fine and Gray's
proportional subdistribution hazards regression, and its ``predict``.

``crr`` and survival's ``finegray`` + weighted ``coxph`` fit the same model
(Fine and Gray 1999: a Cox partial likelihood in which a subject who failed
from a competing cause stays at risk with weight G(t-)/G(T-), G the censoring
Kaplan-Meier); they differ in three places, so their coefficients agree only
where none of these applies:

* ties: crr's likelihood is Breslow's (``crrfsv``: ``twf * log(sum of risk
  weights)`` for ``twf`` tied failures), ``coxph``'s default is Efron's;
* the censoring weight at a tied time: crr evaluates G just before the
  failure time and just before the competing event's own time
  (``approx(..., xout = ftime * (1 - 100 eps), f = 0)``), finegray at the
  (start, stop] intervals it cuts at the censoring times, so a censoring at
  the competing event's time enters differently;
* convergence: crr stops at ``gtol = 1e-6`` on the scaled score, coxph at a
  relative change of the log likelihood below 1e-9.

On data without tied times, with ``gtol = 1e-12`` and coxph's
``ties = "breslow"`` and ``eps = 1e-14``, the coefficients agree to 1e-13
(tests/survival/test_crr.py); on mgus2 (times in months, many ties) they
differ by 3e-4.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import Result, rfield

__all__ = ["Crr", "CrrPredict"]


@dataclass(frozen=True, kw_only=True, eq=False)
class Crr(Result):
    """``crr``'s value: the fit at the last Newton iterate.

    ``loglik`` and ``score`` are the log pseudo-likelihood and its gradient,
    ``inf`` the information (``crrvv``), ``var`` the sandwich
    ``inf^-1 V inf^-1`` (V: the variance of the score from its influence
    functions, censoring-distribution part included), ``res`` the score
    contributions at each distinct failure time (rows) and ``bfitj`` the
    jumps of the baseline cumulative subdistribution hazard at ``uftime``.
    With ``variance=False`` R leaves ``inf``, ``var``, ``invinf`` NA and
    ``res`` NULL (here: NaN matrices and None).
    """

    names: tuple[str, ...] = rfield("names(coef)", default=())
    coef: np.ndarray = rfield("coef", default=None)
    loglik: float = rfield("loglik", default=float("nan"))
    score: np.ndarray = rfield("score", default=None)
    inf: np.ndarray = rfield("inf", default=None)
    var: np.ndarray = rfield("var", default=None)
    res: np.ndarray | None = rfield("res", default=None)
    uftime: np.ndarray = rfield("uftime", default=None)
    bfitj: np.ndarray = rfield("bfitj", default=None)
    tfs: np.ndarray = rfield("tfs", default=None)
    converged: bool = rfield("converged", default=False)
    n: int = rfield("n", default=0)
    n_missing: int = rfield("n.missing", default=0)
    loglik_null: float = rfield("loglik.null", default=float("nan"))
    invinf: np.ndarray = rfield("invinf", default=None)
    #: what R prints (``cat``): "<k> cases omitted due to missing values"
    messages: tuple[str, ...] = field(default=(), repr=False)

    def quantities(self) -> dict[str, Any]:
        out = super().quantities()
        if out["res"] is None:
            del out["res"]
        return out


@dataclass(frozen=True, kw_only=True, eq=False)
class CrrPredict(Result):
    """``predict(<crr>, cov1, cov2)``: the cumulative incidence
    ``1 - exp(-cumsum(exp(lp(t)) * bfitj))`` at each ``uftime`` (rows), one
    column per covariate row given (R's matrix: ``uftime`` then the curves)."""

    time: np.ndarray = rfield("predict.crr[, 1]", default=None)
    cif: np.ndarray = rfield("predict.crr[, -1]", default=None)
