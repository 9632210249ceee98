"""Shared by the peers' Cox adapters: the design as R's model.matrix builds it
(pyimpl's), complete rows as R's na.omit keeps them, and result assembly."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pyimpl._validate import as_event, check_lengths
from pyimpl.cox.design import build_design
from pyimpl.results.cox import CoxPH, CoxTest

__all__ = ["CoxFrame", "cox_frame", "cox_result"]


class CoxFrame:
    """A numeric frame for a peer: design columns ``c0..c{p-1}``, ``T``, ``E``,
    optional ``W`` (weights), ``S`` (stratum code), ``C`` (cluster code), and the
    coefficient names R would give."""

    def __init__(self, frame: pd.DataFrame, names: tuple[str, ...], n_dropped: int):
        self.frame = frame
        self.names = names
        self.n_dropped = n_dropped

    @property
    def covariates(self) -> list[str]:
        return [f"c{j}" for j in range(len(self.names))]


def cox_frame(X: Any, time: Any, event: Any, *, weights=None, strata=None, cluster=None) -> CoxFrame:
    design = build_design(X)
    t = np.asarray(time, dtype=float)
    e = as_event(np.where(np.isnan(np.asarray(event, dtype=float)), 0, event), "event")
    check_lengths(X=design.x, time=t, event=e, weights=weights, strata=strata, cluster=cluster)
    cols = {f"c{j}": design.x[:, j] for j in range(design.x.shape[1])}
    frame = pd.DataFrame({**cols, "T": t, "E": e})
    if weights is not None:
        frame["W"] = np.asarray(weights, dtype=float)
    for col, labels in (("S", strata), ("C", cluster)):
        if labels is not None:
            codes = pd.factorize(pd.Series(labels), sort=True)[0].astype(float)
            frame[col] = np.where(codes < 0, np.nan, codes)  # a missing label drops the row, as na.omit
    keep = frame.notna().all(axis=1) & np.isfinite(np.asarray(event, dtype=float))
    return CoxFrame(frame[keep].reset_index(drop=True), design.names, int((~keep).sum()))


def cox_result(engine: str, cf: CoxFrame, *, coef, se, var, loglik, n_iter=None, score=None, wald=None, lr=None,
               summary: pd.DataFrame | None = None, concordance=None, means=None, naive_var=None,
               robust=False, method="efron", warnings=()) -> CoxPH:
    """A CoxPH from what a peer computed; what it does not compute stays None."""
    lp = None
    return CoxPH(
        names=cf.names, coef=np.asarray(coef, float), se=np.asarray(se, float), var=np.asarray(var, float),
        naive_var=naive_var, loglik=np.asarray(loglik, float), score_test=score, wald_test=wald, lr_test=lr,
        robust_score_test=None, concordance=concordance, n=int(len(cf.frame)),
        nevent=int(cf.frame["E"].sum()), iterations=n_iter, means=means, linear_predictors=lp,
        n_dropped=cf.n_dropped, method=method, robust=robust, engine=engine, warnings=tuple(warnings),
        summary_table=summary,
    )


def test_or_none(statistic, df, pvalue) -> CoxTest | None:
    if statistic is None:
        return None
    return CoxTest(statistic=float(statistic), df=int(df), pvalue=float(pvalue))
