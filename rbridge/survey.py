"""The survey package's ``svycoxph`` run in R (survey 4.1-1 from Debian): the
design ``svydesign(ids =, strata =, weights =, data)`` and the fit are R's; the
caller's columns go as values."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survey import SvyCoxPH

from ._convert import scalar
from ._session import session
from .formula import FormulaArgs

__all__ = ["svycoxph"]


def _values(x: Any, data: pd.DataFrame) -> Any:
    if isinstance(x, str):
        if x not in data.columns:
            raise InvalidArgument(f"{x!r} is not a column of `data`", kind="argument.value")
        return data[x].reset_index(drop=True)
    return x


def svycoxph(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
             ties: str = "efron") -> SvyCoxPH:
    """R's ``survey::svycoxph(formula, design = svydesign(ids = ~ids (or ~1),
    strata = ~strata, weights = ~weights, data = data), ties = ties)``."""
    fa = FormulaArgs(formula, data, None)
    s = session()
    s.require("survey")
    res = s.call("rparity_svycoxph", form=fa.form, weights=None if weights is None else _values(weights, data),
                 ids=None if ids is None else _values(ids, data),
                 strata=None if strata is None else _values(strata, data), ties=ties)
    v = res.value
    names = tuple(fa.names.translate(str(x)) for x in v["names"])
    k = len(names)
    return SvyCoxPH(names=names, coef=np.asarray(v["coef"], dtype=float).reshape(-1),
                    var=np.asarray(v["var"], dtype=float).reshape(k, k),
                    inv_info=np.asarray(v["inv_info"], dtype=float).reshape(k, k),
                    loglik=np.asarray(v["loglik"], dtype=float).reshape(-1), wald=scalar(v["wald"]),
                    n=int(scalar(v["n"])), n_clusters=int(scalar(v["n_clusters"])),
                    n_strata=int(scalar(v["n_strata"])), engine="r",
                    provenance=s.provenance("survey::svycoxph(formula, svydesign(ids, strata, weights, data))"),
                    warnings=res.warnings)
