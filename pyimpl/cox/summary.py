"""The tests and the coefficient table of ``summary.coxph`` (survival 3.5-3):
pyimpl's ``coxph_summary``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, CoxTest

from .._rmath import pchisq_upper, qnorm
from .refit import refuse_unclassed

__all__ = ["chisq_test", "coxph_summary"]


def chisq_test(statistic: float, df: int) -> CoxTest:
    return CoxTest(statistic=float(statistic), df=int(df), pvalue=float(pchisq_upper(float(statistic), int(df))))


def coxph_summary(fit: CoxPH, *, conf_int: float = 0.95) -> pd.DataFrame:
    """``summary(fit, conf.int=)``: ``$coefficients`` and ``$conf.int`` in one
    frame (columns ``coef, exp_coef, se, [robust_se,] z, p, lower, upper``),
    from the fit's coefficients and variances (a fit of any engine)."""
    refuse_unclassed(fit, "summary", "summary.default: no coefficient table")
    if not isinstance(fit, CoxPH):
        raise InvalidArgument(f"`fit` must be a CoxPH (from coxph() of any engine); got {type(fit).__name__}",
                              kind="fit.type")
    if isinstance(conf_int, bool) or not isinstance(conf_int, (int, float)) or not 0 < conf_int < 1:
        raise InvalidArgument(f"`conf_int` must be a level strictly between 0 and 1; got conf_int={conf_int!r}",
                              kind="conf_int.value")
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
