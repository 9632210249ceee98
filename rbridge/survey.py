"""The survey package's ``svycoxph`` run in R (survey 4.1-1 from Debian): the
design ``svydesign(ids =, strata =, weights =, data)`` and the fit are R's; the
caller's columns go as values."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survey import SvyCoxPH, SvyGLM, SvyKM, SvyLogrank

from ._convert import scalar
from ._session import session
from .formula import FormulaArgs

__all__ = ["svycoxph", "svykm", "svylogrank", "svyglm"]


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


def _design_args(data: pd.DataFrame, weights: Any, ids: Any, strata: Any) -> dict[str, Any]:
    return dict(weights=None if weights is None else _values(weights, data),
                ids=None if ids is None else _values(ids, data),
                strata=None if strata is None else _values(strata, data))


def svykm(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
          se: bool = False) -> SvyKM:
    """R's ``survey::svykm(formula, design = svydesign(...), se = se)``."""
    fa = FormulaArgs(formula, data, None)
    s = session()
    s.require("survey")
    res = s.call("rparity_svykm", form=fa.form, se=bool(se), **_design_args(data, weights, ids, strata))
    v = res.value
    return SvyKM(groups=tuple(str(g) for g in v["groups"]), lengths=np.asarray(v["lengths"], dtype=np.int64),
                 time=np.asarray(v["time"], dtype=float).reshape(-1),
                 surv=np.asarray(v["surv"], dtype=float).reshape(-1),
                 varlog=np.asarray(v["varlog"], dtype=float).reshape(-1), se=bool(se),
                 n_dropped=int(scalar(v["n_dropped"])), engine="r",
                 provenance=s.provenance("survey::svykm(formula, svydesign(ids, strata, weights, data), se)"),
                 warnings=res.warnings)


def svylogrank(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
               rho: float = 0.0, gamma: float = 0.0, method: str = "small") -> SvyLogrank:
    """R's ``survey::svylogrank(formula, design = svydesign(...), rho, gamma, method)``; with ``method =
    "score"`` also ``b`` and ``sqrt(diag(v))`` read from the two svycoxph fits R's own code makes
    (rbridge/R/survey.R ``rparity_svylogrank_score``)."""
    fa = FormulaArgs(formula, data, None)
    s = session()
    s.require("survey")
    res = s.call("rparity_svylogrank", form=fa.form, rho=float(rho), gamma=float(gamma), method=method,
                 **_design_args(data, weights, ids, strata))
    v = res.value

    def arr(k: str) -> np.ndarray:
        return np.asarray(v[k], dtype=float).reshape(-1)
    return SvyLogrank(score=arr("score"), se=arr("se"), z=arr("z"), p=arr("p"), chisq=scalar(v["chisq"]),
                      p_chisq=scalar(v["p_chisq"]), df=int(scalar(v["df"])), method=method, engine="r",
                      provenance=s.provenance("survey::svylogrank(formula, svydesign(ids, strata, weights, data), "
                                              "rho, gamma, method)"),
                      warnings=res.warnings)


def svyglm(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
           family: str = "gaussian") -> SvyGLM:
    """R's ``survey::svyglm(formula, design = svydesign(...), family = family())``."""
    fa = FormulaArgs(formula, data, None)
    s = session()
    s.require("survey")
    res = s.call("rparity_svyglm", form=fa.form, family=family, **_design_args(data, weights, ids, strata))
    v = res.value
    names = tuple(fa.user_label(str(x)) for x in v["names"])
    k = len(names)

    def arr(key: str) -> np.ndarray:
        return np.asarray(v[key], dtype=float).reshape(-1)
    return SvyGLM(names=names, coef=arr("coef"), var=np.asarray(v["var"], dtype=float).reshape(k, k),
                  naive_cov=np.asarray(v["naive_cov"], dtype=float).reshape(k, k), se=arr("se"), t=arr("t"),
                  p=arr("p"), dispersion=scalar(v["dispersion"]), dispersion_var=scalar(v["dispersion_var"]),
                  df_residual=float(scalar(v["df_residual"])), deviance=scalar(v["deviance"]),
                  null_deviance=scalar(v["null_deviance"]), iter=int(scalar(v["iter"])), n=int(scalar(v["n"])),
                  fitted=arr("fitted"), family=family, engine="r",
                  provenance=s.provenance("survey::svyglm(formula, svydesign(ids, strata, weights, data), family)"),
                  warnings=res.warnings)
