"""``fisher_test`` and ``chisq_test`` run in R (``stats::fisher.test``,
``stats::chisq.test``).

The table goes to R as the caller gave it (a matrix of whatever values it
holds) and R accepts or refuses it. R runs with its defaults otherwise
(``workspace = 200000`` for FEXACT): tables that exhaust FEXACT's workspace
raise :class:`~rparity_contract.errors.RError` with R's message.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.results import ChisqTest, FisherTest

from ._convert import r_literal as lit
from ._convert import scalar
from ._session import session

__all__ = ["fisher_test", "chisq_test"]


def _table(table: Any) -> Any:
    """A DataFrame's values (R's matrix); anything else as it is."""
    return table.to_numpy() if isinstance(table, pd.DataFrame) else table


def fisher_test(table, *, alternative: str = "two.sided", conf_int: bool = True,
                conf_level: float = 0.95, or_: float = 1.0) -> FisherTest:
    """R's ``stats::fisher.test(x, alternative=, conf.int=, conf.level=, or=)``."""
    sess = session()
    # `or` is a Python keyword: the R argument name is passed through a dict
    args = {"x": _table(table), "alternative": alternative, "conf_int": conf_int, "conf_level": conf_level,
            "or": or_}
    res = sess.call("rparity_fisher_test", **args)
    v = res.value
    call = (f"stats::fisher.test(x, alternative = {lit(alternative)}, conf.int = {lit(conf_int)}, "
            f"conf.level = {lit(conf_level)}, or = {lit(or_)})")
    return FisherTest(
        pvalue=scalar(v["p_value"]), estimate=scalar(v["estimate"]),
        conf_int=np.asarray(v["conf_int"], dtype=float).ravel(), alternative=str(v["alternative"][0]),
        conf_level=conf_level, engine="r", provenance=sess.provenance(call), warnings=res.warnings,
    )


def chisq_test(table, *, correct: bool = True) -> ChisqTest:
    """R's ``stats::chisq.test(x, correct=)`` on a matrix."""
    sess = session()
    res = sess.call("rparity_chisq_test", x=_table(table), correct=correct)
    v = res.value
    # a vector of counts (goodness of fit) comes back without dimensions
    shape = tuple(int(d) for d in np.asarray(v["dim"]).ravel()) if v["dim"] is not None else None

    def mat(key: str) -> np.ndarray:
        a = np.asarray(v[key], dtype=float)
        return a.reshape(shape, order="F") if shape else a.ravel()

    call = f"stats::chisq.test(x, correct = {lit(correct)})"
    return ChisqTest(
        statistic=scalar(v["statistic"]), df=int(scalar(v["parameter"])), pvalue=scalar(v["p_value"]),
        expected=mat("expected"), residuals=mat("residuals"), stdres=mat("stdres"), correct=bool(correct),
        engine="r", provenance=sess.provenance(call), warnings=res.warnings,
    )
