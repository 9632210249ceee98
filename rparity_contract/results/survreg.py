"""Parametric survival regression: ``survival::survreg`` (survival 3.5-3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..control import SurvregControl
from ..registry import derived
from .base import Result, rfield

__all__ = ["SurvregCall", "SurvReg", "SurvRegPredict", "SurvRegResiduals", "SURVREG_RESIDUAL_TYPES"]

#: residuals.survreg's types, in R's order (``match.arg``)
SURVREG_RESIDUAL_TYPES = ("response", "deviance", "dfbeta", "dfbetas", "working", "ldcase", "ldresp", "ldshape",
                          "matrix")


@dataclass(frozen=True)
class SurvregCall:
    """The arguments of a ``survreg`` call, kept with its fit so that derived
    functions (``survreg_predict``) can run the same call again in any engine.
    ``weights``/``cluster`` name a column of ``data`` or give one value per row;
    ``subset`` is a mask, row positions or an R expression (as ``coxph``)."""

    formula: Any
    data: Any
    dist: str = "weibull"
    weights: Any = None
    subset: Any = None
    scale: float = 0.0
    init: Any = None
    control: SurvregControl | None = None
    robust: bool | None = None
    cluster: Any = None
    parms: Any = None
    na_action: str = "na.omit"  # or "na.exclude": residuals and predictions padded with NA (R's naresid)


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvReg(Result):
    """A parametric survival regression fit, as ``survival::survreg``.

    ``coef`` are the regression coefficients only (R's ``coefficients``); the
    log scales are the last rows and columns of ``var`` (R's ``fit$var``, whose
    names are ``Log(scale)``, or ``Log(scale)`` per stratum), absent when the
    scale is fixed (``scale=`` given, or ``exponential``/``rayleigh``).
    ``loglik`` is R's ``fit$loglik``: the intercept-only model's, then the
    model's, each with the Jacobian of the log transform added for the
    log-time distributions (``weibull``...), as R.

    Notes
    -----
    A coefficient whose variance is exactly 0 (a redundant column) is NaN,
    R's NA.
    """

    names: tuple[str, ...] = rfield("names(coefficients)")
    coef: np.ndarray = rfield("coefficients", doc="NaN where R has NA")
    scale: np.ndarray = rfield("scale", doc="one per stratum (fixed: the given value)")
    scale_names: tuple[str, ...] = rfield("names(scale)", doc="the strata labels; () for one scale")
    var: np.ndarray = rfield("var", doc="variance of (coefficients, log scales)")
    naive_var: np.ndarray | None = rfield("naive.var", default=None, doc="model-based variance when robust")
    loglik: np.ndarray = rfield("loglik", doc="(intercept-only model, model)")
    icoef: np.ndarray = rfield("icoef", doc="intercept and log scale(s) of the intercept-only fit")
    iterations: int = rfield("iter")
    df: int = rfield("df", doc="number of estimated parameters (log scales included)")
    idf: int = rfield("idf", doc="parameters of the intercept-only model")
    df_residual: float = rfield("df.residual")
    linear_predictors: np.ndarray = rfield("linear.predictors")
    means: np.ndarray = rfield("means", doc="column means of the model matrix")
    n: int = rfield("length(linear.predictors)", doc="observations used")
    n_dropped: int = rfield("length(na.action)")
    dist: str = rfield("dist")
    na_action: tuple[int, ...] = field(default=(), repr=False)
    call: SurvregCall | None = field(default=None, repr=False)

    def predict(self, type: str = "lp", **kwargs: Any) -> "SurvRegPredict":
        """``predict(fit, type=, p=, se.fit=, newdata=)``, computed by the engine
        that made the fit (its ``survreg_predict``)."""
        out: SurvRegPredict = derived(self, "survreg_predict")(self, type=type, **kwargs)
        return out

    def residuals(self, type: str = "response", **kwargs: Any) -> "SurvRegResiduals":
        """``residuals(fit, type=, rsigma=, collapse=, weighted=)``, computed by
        the engine that made the fit (its ``survreg_residuals``)."""
        out: SurvRegResiduals = derived(self, "survreg_residuals")(self, type=type, **kwargs)
        return out


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvRegPredict(Result):
    """``predict(<survreg>, type=, p=, se.fit=, newdata=)``: one row per
    observation (and one column per ``p`` for the quantile types, per term
    for ``type="terms"``)."""

    fit: np.ndarray = rfield("fit")
    se_fit: np.ndarray | None = rfield("se.fit", default=None)
    columns: tuple[str, ...] = rfield("colnames(fit)", default=(), doc="type='terms': the terms' labels; else ()")


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvRegResiduals(Result):
    """``residuals(<survreg>, type=, rsigma=, collapse=, weighted=)`` (survival
    3.5-3's ``residuals.survreg``).

    ``values`` is a vector for ``response``, ``deviance``, ``working``,
    ``ldcase``, ``ldresp`` and ``ldshape``; a matrix for ``dfbeta`` and
    ``dfbetas`` (a column per coefficient, then per log scale with
    ``rsigma``) and for ``matrix`` (the columns ``g, dg, ddg, ds, dds, dsg``:
    each row's log-likelihood and its derivatives in eta and log sigma). A
    matrix type keeps two dimensions here (R drops a one-column or one-row
    collapsed matrix). Rows are the fit's rows (after ``na.omit``), or the
    sorted ``collapse`` groups (NA last).
    """

    type: str = field(default="response")
    values: np.ndarray = rfield("residuals(fit, type=)", doc="(n,) or (n, k)")
    columns: tuple[str, ...] = rfield("colnames(residuals)", default=(), doc="matrix: g..dsg; else ()")
    groups: tuple[str, ...] | None = rfield("rownames(rowsum(, collapse))", default=None,
                                            doc="collapse: the groups, sorted as rowsum sorts them")
