"""Result types of the contingency-table tests of a Table 1."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .base import Result, rfield

__all__ = ["FisherTest", "ChisqTest"]


@dataclass(frozen=True, kw_only=True, eq=False)
class FisherTest(Result):
    """``stats::fisher.test`` on a table.

    For a 2 x 2 table ``estimate`` is the conditional maximum-likelihood odds
    ratio and ``conf_int`` its exact interval (R's, found with R's ``uniroot``);
    both are NaN for larger tables, where R reports neither, and ``conf_int``
    is a NaN pair when R returns none (``conf_int=False``).
    """

    pvalue: float = rfield("p.value")
    estimate: float = rfield("estimate", default=float("nan"),
                             doc="conditional MLE of the odds ratio (2 x 2 only)")
    conf_int: np.ndarray = rfield("conf.int", default=None, doc="(lower, upper), length 2")
    alternative: str = field(default="two.sided")
    conf_level: float = field(default=0.95)


@dataclass(frozen=True, kw_only=True, eq=False)
class ChisqTest(Result):
    """``stats::chisq.test`` on a contingency table (Yates' correction for 2 x 2
    when ``correct=True``)."""

    statistic: float = rfield("statistic", doc="X-squared")
    df: int = rfield("parameter", doc="degrees of freedom")
    pvalue: float = rfield("p.value")
    expected: np.ndarray = rfield("expected")
    residuals: np.ndarray = rfield("residuals", doc="Pearson residuals")
    stdres: np.ndarray = rfield("stdres", doc="standardized residuals")
    correct: bool = field(default=True)
