"""Result type of design-based Cox regression: the survey package's
``svycoxph`` (survey 4.1-1)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Result, rfield

__all__ = ["SvyCoxPH"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SvyCoxPH(Result):
    """A Cox fit on a survey design: the coefficients of the weighted partial
    likelihood (weights rescaled to mean 1) with the design-based variance
    (``var``: the variance of a total of the weighted dfbeta residuals over
    the design's clusters and strata) and the model-based one (``inv_info``).
    """

    names: tuple[str, ...] = rfield("names(coef)")
    coef: np.ndarray = rfield("coef")
    var: np.ndarray = rfield("var", doc="design-based variance (svyrecvar)")
    inv_info: np.ndarray = rfield("inv.info", doc="model-based variance (the weighted fit's inverse information)")
    loglik: np.ndarray = rfield("ll", doc="log partial likelihoods (null, fitted)")
    wald: float = rfield("wald.test", doc="b' var^-1 b")
    n: int = rfield("n", doc="rows used by the fit")
    n_clusters: int = rfield("sum(design$fpc$sampsize per stratum)", default=0, doc="clusters of the design")
    n_strata: int = rfield("number of strata", default=1)
