"""Result types of inverse-probability weighting: ``ps_weights`` (the weights
from a propensity model) and ``weighted_balance`` (balance of the weighted
sample).

There is no single R function mirrored: the reference is R's
``glm(treat ~ covariates, family = binomial(link))`` for the score and the
weight formulas of WeightIt (``get_w_from_ps``, ``stabilize_w``, ``trim``)
written out in R (``rbridge/R/weighting.R``); balance follows cobalt's
documented conventions (see :class:`WeightedBalance`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .base import Result, rfield
from .matching import GlmLogit

__all__ = ["PSWeights", "WeightedBalance", "WEIGHTED_BALANCE_COLUMNS"]

#: The columns of :attr:`WeightedBalance.table`, in order.
WEIGHTED_BALANCE_COLUMNS: tuple[str, ...] = (
    "binary", "means_treated", "means_control", "std_mean_diff", "var_ratio",
    "means_treated_un", "means_control_un", "std_mean_diff_un", "var_ratio_un", "sd_denom")


@dataclass(frozen=True, kw_only=True, eq=False)
class PSWeights(Result):
    """Inverse-probability weights from a propensity model.

    Attributes
    ----------
    ps : ndarray
        The propensity score: ``fitted(glm(treat ~ covariates, family =
        binomial(link)))``, one per row of ``data``.
    weights : ndarray
        The weights (WeightIt's ``get_w_from_ps``): ATE ``1/ps`` (treated),
        ``1/(1 - ps)`` (controls); ATT 1 (treated), ``ps/(1 - ps)``
        (controls); ATC ``q/(1 - q)`` with ``q = 1 - ps`` (treated), 1
        (controls); then stabilised (ATE only) and trimmed when asked.
    ess_treated, ess_control : float
        Effective sample size of each arm, ``sum(w)^2 / sum(w^2)``.
    n_treated, n_control : int
        Units per arm.
    model : GlmLogit
        The propensity model (``coef`` is compared).
    treat : ndarray of int
        The treatment as read: 1 treated, 0 control.
    estimand, link, stabilize, trim, trim_lower : the options used.
    trimmed_at : tuple of float
        The weights the trimming clamped to (lower, upper; NaN for a side not
        trimmed); empty without trimming.
    """

    ps: np.ndarray = rfield("fitted.values", doc="propensity score")
    weights: np.ndarray = rfield("w", doc="inverse-probability weights")
    ess_treated: float = rfield("sum(w[t == 1])^2 / sum(w[t == 1]^2)")
    ess_control: float = rfield("sum(w[t == 0])^2 / sum(w[t == 0]^2)")
    n_treated: int = rfield("sum(t == 1)")
    n_control: int = rfield("sum(t == 0)")
    model: GlmLogit | None = field(default=None, repr=False)
    treat: np.ndarray | None = field(default=None, repr=False)
    index: pd.Index | None = field(default=None, repr=False)
    estimand: str = field(default="ATE")
    link: str = field(default="logit")
    stabilize: bool = field(default=False)
    trim: float | None = field(default=None)
    trim_lower: bool = field(default=False)
    trimmed_at: tuple[float, ...] = field(default=(), repr=False)

    def quantities(self) -> dict[str, Any]:
        out = super().quantities()
        out["coef"] = np.zeros(0) if self.model is None else np.asarray(self.model.coef, dtype=float)
        return out

    def ess(self) -> dict[str, float]:
        """``{"treated": ..., "control": ...}``."""
        return {"treated": float(self.ess_treated), "control": float(self.ess_control)}


@dataclass(frozen=True, kw_only=True, eq=False)
class WeightedBalance(Result):
    """Covariate balance before and after weighting.

    ``table`` is indexed by the covariates' model-matrix columns (every level
    of a categorical, as MatchIt's and cobalt's balance tables), with the
    columns of :data:`WEIGHTED_BALANCE_COLUMNS`:

    * ``means_treated``, ``means_control``: weighted means ``sum(w x)/sum(w)``
      (``*_un``: unweighted);
    * ``std_mean_diff``: (weighted) mean difference divided by ``sd_denom``,
      the same factor before and after weighting (cobalt: "the standardization
      factor is the same before and after weighting"), computed in the
      *unweighted* sample: the treated group's SD for ATT, the controls' for
      ATC, ``sqrt((s1^2 + s0^2)/2)`` for ATE (cobalt's ``s.d.denom =
      "treated"``, ``"control"``, ``"pooled"``). Variances: ``p(1 - p)`` for a
      binary column, ``sum((x - m)^2)/(n - 1)`` otherwise (cobalt's
      ``col.w.v``). Binary columns are standardised too (cobalt's ``binary =
      "std"``; its default shows them raw). A difference below
      ``sqrt(.Machine$double.eps)`` is shown unstandardised (cobalt's
      ``check_if_zero``);
    * ``var_ratio``: weighted variance ratio treated/control, with
      ``wvar = sum(w (x - m)^2)/(1 - sum(w^2))`` for weights normalised to sum
      1 (cobalt's ``col.w.v``, MatchIt's ``wvar``); NaN for binary columns and
      where an arm has fewer than two nonzero weights.

    MatchIt 4.5.1's ``summary(matchit(method = NULL, s.weights = w))``
    computes the same weighted means and variance ratios, but standardises by
    the *weighted* SD of the focal group: its SMDs are not these.
    """

    table: pd.DataFrame = rfield("balance table")
    estimand: str = field(default="ATE")

    def quantities(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": tuple(str(r) for r in self.table.index)}
        for c in WEIGHTED_BALANCE_COLUMNS:
            out[c] = self.table[c].to_numpy(dtype=float)
        return out
