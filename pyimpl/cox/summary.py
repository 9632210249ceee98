"""The tests and the coefficient table of ``summary.coxph`` (survival 3.5-3)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._rmath import pchisq_upper, qnorm
from ..results.cox import CoxPH, CoxTest

__all__ = ["chisq_test", "coef_table", "pchisq_upper_r"]


def pchisq_upper_r(x: float, df: int) -> float:
    """``pchisq(x, df, lower.tail=FALSE)`` as R: 1 for x <= 0 (R's answer for a
    negative statistic, e.g. a likelihood ratio that rounding made -1e-16;
    ``_rmath.pchisq_upper`` gives NaN there), and for df = 0 (a point mass at
    0) 0 above 0."""
    if math.isnan(x):
        return float("nan")
    if x <= 0:
        return 1.0  # R: the whole distribution lies at or above 0 (a rounding-negative LR statistic)
    if df == 0:
        return 0.0
    return float(pchisq_upper(x, df))


def chisq_test(statistic: float, df: int) -> CoxTest:
    return CoxTest(statistic=float(statistic), df=int(df), pvalue=pchisq_upper_r(float(statistic), int(df)))


def coef_table(fit: CoxPH, conf_int: float = 0.95) -> pd.DataFrame:
    """``summary(fit)$coefficients`` and ``$conf.int`` in one frame."""
    beta = np.asarray(fit.coef, dtype=float)
    se = np.asarray(fit.se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = beta / se
        p = np.array([pchisq_upper_r(v * v, 1) for v in z.tolist()])
        zq = qnorm((1 + conf_int) / 2)
        lower = np.exp(beta - zq * se)
        upper = np.exp(beta + zq * se)
    cols = {"coef": beta, "exp_coef": np.exp(beta)}
    if fit.naive_var is not None:
        cols["se"] = np.sqrt(np.diag(np.asarray(fit.naive_var, dtype=float)))
        cols["robust_se"] = se
    else:
        cols["se"] = se
    cols.update({"z": z, "p": p, "lower": lower, "upper": upper})
    return pd.DataFrame(cols, index=pd.Index(list(fit.names), name="term"))
