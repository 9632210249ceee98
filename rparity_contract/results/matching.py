"""Result types of the propensity-score pipeline: ``glm_logit`` and ``matchit``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..calls import MatchItCall
from ..registry import derived
from ..values import BALANCE_COLUMNS, NN_ROWS
from .base import Result, rfield

__all__ = ["GlmLogit", "MatchIt", "MatchItSummary", "BALANCE_COLUMNS", "NN_ROWS"]


@dataclass(frozen=True, kw_only=True, eq=False)
class GlmLogit(Result):
    """A logistic regression, as ``stats::glm(y ~ X, family = binomial)``.

    ``coef`` is NaN for columns R reports as NA (aliased: linearly dependent on
    earlier columns, found by the same pivoting QR as R's).
    """

    names: tuple[str, ...] = field(default=())
    coef: np.ndarray = rfield("coefficients", doc="coefficients, intercept first (NaN = NA)")
    fitted: np.ndarray = rfield("fitted.values", doc="fitted probabilities")
    linear_predictor: np.ndarray = rfield("linear.predictors", doc="X beta")
    deviance: float = rfield("deviance")
    null_deviance: float = rfield("null.deviance")
    aic: float = rfield("aic")
    iterations: int = rfield("iter", doc="IRLS iterations")
    converged: bool = rfield("converged")
    rank: int = rfield("rank", doc="rank of the design (columns not aliased)")

    def coef_series(self) -> pd.Series:
        """Coefficients indexed by name."""
        return pd.Series(self.coef, index=list(self.names), name="coef")


@dataclass(frozen=True, kw_only=True, eq=False)
class MatchItSummary(Result):
    """``summary.matchit``: balance before (``all``) and after (``matched``)
    matching, and the sample sizes (``nn``).

    ``all`` and ``matched`` are indexed by ``distance`` then the covariates'
    model-matrix columns (every level of a categorical), with the columns of
    :data:`BALANCE_COLUMNS`; NaN where R shows NA. ``nn`` has the rows of
    :data:`NN_ROWS` and the columns ``control``, ``treated``.
    """

    all: pd.DataFrame = rfield("sum.all", doc="balance of the full sample")
    matched: pd.DataFrame | None = rfield("sum.matched", doc="balance of the matched sample (None after "
                                                             "method = NULL: R's NULL)")
    nn: pd.DataFrame = rfield("nn", doc="sample sizes")


@dataclass(frozen=True, kw_only=True, eq=False)
class MatchIt(Result):
    """Nearest-neighbour matching on a propensity score, as
    ``MatchIt::matchit(method = "nearest")``.

    Attributes
    ----------
    distance : ndarray or None
        ``m$distance``: the propensity score (or, with ``link="linear.logit"``,
        its linear predictor), one per row of ``data``; None (R's NULL) for
        exact matching.
    match_matrix : DataFrame or None
        ``m$match.matrix``: one row per focal unit (treated for ATT, control
        for ATC), indexed by its row label, columns ``1..ratio``; entries are
        the row labels of the matched units, ``None`` where there is no match
        (and for a treated unit MatchIt 3.0.2 discarded); None for exact matching.
    method : "nearest" or "exact".
    weights : ndarray
        ``m$weights``.
    subclass : pandas.Categorical or None
        ``m$subclass``: the matched set of each unit (labels as R numbers them);
        NaN for units in no set; ``None`` with replacement, as in R.
    discarded : ndarray of bool
        ``m$discarded``.
    caliper, caliper_covs : float or None, dict or None
        ``m$caliper``: its unnamed entry (the distance's) and its named ones
        (covariates'), after ``std.caliper`` scaling.
    treat : ndarray of int
        The treatment as the engine read it: 1 treated, 0 control.
    index : pandas.Index
        The row labels of ``data`` (the units).
    """

    distance: np.ndarray | None = rfield("distance")
    match_matrix: pd.DataFrame | None = rfield("match.matrix")
    weights: np.ndarray = rfield("weights")
    subclass: Any = rfield("subclass")
    discarded: np.ndarray = rfield("discarded")
    caliper: float | None = rfield("caliper", default=None, doc="caliper on the distance scale (abs)")
    caliper_covs: dict[str, float] | None = rfield("caliper", default=None,
                                                   doc="calipers on covariates (the named entries of m$caliper: "
                                                       "name -> caliper on the variable's scale, abs), in R's order")
    treat: np.ndarray | None = field(default=None, repr=False)
    index: pd.Index | None = field(default=None, repr=False)
    estimand: str = field(default="ATT")
    ratio: int = field(default=1)
    replace: bool = field(default=False)
    m_order: str = field(default="largest")
    compat: str | None = field(default=None)
    model: GlmLogit | None = field(default=None, repr=False)
    call: MatchItCall | None = field(default=None, repr=False)
    method: str | None = field(default="nearest")  # None: MatchIt's method = NULL (no matching)
    s_weights: np.ndarray | None = rfield("s.weights", default=None, doc="sampling weights (None: not given)")
    q_cut: np.ndarray | None = field(default=None, repr=False)  # m$q.cut (subclassification's cut points)

    @property
    def match_positions(self) -> np.ndarray:
        """``match_matrix`` as 0-based row positions in ``data`` (-1 = no match)."""
        if self.match_matrix is None:  # a subclass method (exact): no match matrix
            return np.zeros((0, 0), dtype=np.int64)
        labels = self.index if self.index is not None else range(len(self.weights))
        pos = {lab: i for i, lab in enumerate(labels)}
        mm = self.match_matrix.to_numpy(dtype=object)
        return np.array([[pos[v] if v is not None else -1 for v in row] for row in mm],
                        dtype=np.int64).reshape(mm.shape)

    def summary(self) -> MatchItSummary:
        """Balance tables and sample sizes, as ``summary(m)`` (``un = TRUE``,
        ``standardize = TRUE``, ``pair.dist = TRUE``). Computed by the engine
        that made the match (its ``matchit_summary``)."""
        out: MatchItSummary = derived(self, "matchit_summary")(self)
        return out

    def match_data(self) -> pd.DataFrame:
        """``match.data(m)``: the rows of ``data`` with weight > 0, in data
        order, with columns ``distance``, ``weights`` and (without replacement)
        ``subclass`` added. Computed by the engine that made the match (its
        ``match_data``)."""
        out: pd.DataFrame = derived(self, "match_data")(self)
        return out
