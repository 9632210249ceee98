"""The tests and the coefficient table of ``summary.coxph`` (survival 3.5-3)."""
from __future__ import annotations


import numpy as np
import pandas as pd

from .._rmath import pchisq_upper, qnorm
from ..results.cox import CoxPH, CoxTest

__all__ = ["chisq_test", "coef_table"]


def chisq_test(statistic: float, df: int) -> CoxTest:
    return CoxTest(statistic=float(statistic), df=int(df), pvalue=float(pchisq_upper(float(statistic), int(df))))


def coef_table(fit: CoxPH, conf_int: float = 0.95) -> pd.DataFrame:
    """``summary(fit)$coefficients`` and ``$conf.int`` in one frame."""
    beta = np.asarray(fit.coef, dtype=float)
    se = np.asarray(fit.se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = beta / se
        p = np.asarray(pchisq_upper(z * z, 1), dtype=float)
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
