"""Shared by the peers' Cox adapters: the covariates dummy-coded as a user of
the peer would (treatment coding, columns named as R names them), complete
rows kept (as R's ``na.omit``), the state each adapter keeps per fit, and
result assembly."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import CoxCall
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.cox import CoxPH, CoxTest

from ._common import numeric, status

__all__ = ["CoxFrame", "cox_frame", "cox_result", "test_or_none", "PeerFits", "cox_arrays", "formula_arrays"]


def _label(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _dummies(X: Any) -> tuple[pd.DataFrame, list[str]]:
    """Numeric columns as they are; logical as ``<name>TRUE``; categorical and
    string columns as treatment dummies ``<name><level>`` (first level the
    reference). Missing values stay NaN."""
    if not isinstance(X, pd.DataFrame):
        arr = np.asarray(X, dtype=float)
        arr = arr.reshape(len(arr), -1)
        X = pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])
    cols: dict[str, np.ndarray] = {}
    for name in X.columns:
        s = X[name]
        if pd.api.types.is_bool_dtype(s.dtype):
            cols[f"{name}TRUE"] = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            continue
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            cat = pd.Categorical(s) if isinstance(s.dtype, pd.CategoricalDtype) else \
                pd.Categorical(s, categories=sorted(set(s.dropna().astype(str))))
            codes = np.asarray(cat.codes)
            for k, lev in enumerate(cat.categories[1:], start=1):
                v = (codes == k).astype(float)
                v[codes < 0] = np.nan
                cols[f"{name}{_label(lev)}"] = v
            continue
        cols[str(name)] = numeric(s, "X")
    frame = pd.DataFrame(cols, index=range(len(X)))
    return frame, list(cols)


class CoxFrame:
    """A numeric frame for a peer: design columns ``c0..c{p-1}``, ``T``, ``E``,
    optional ``W`` (weights), ``S`` (stratum code), ``C`` (cluster code), and the
    coefficient names."""

    def __init__(self, frame: pd.DataFrame, names: tuple[str, ...], n_dropped: int):
        self.frame = frame
        self.names = names
        self.n_dropped = n_dropped

    @property
    def covariates(self) -> list[str]:
        return [f"c{j}" for j in range(len(self.names))]


def cox_frame(X: Any, time: Any, event: Any, *, weights=None, strata=None, cluster=None) -> CoxFrame:
    design, names = _dummies(X)
    t = numeric(time, "time")
    e = status(event, t.size)
    n = len(design)
    for nm, v in (("time", t), ("event", e), ("weights", weights), ("strata", strata), ("cluster", cluster)):
        if v is not None and len(v) != n:
            raise InvalidArgument(f"`{nm}` must have one value per row of `X` ({n}); got {len(v)}", kind="lengths")
    cols = {f"c{j}": design.iloc[:, j].to_numpy(float) for j in range(design.shape[1])}
    frame = pd.DataFrame({**cols, "T": t, "E": e})
    if weights is not None:
        frame["W"] = numeric(weights, "weights")
    for col, labels in (("S", strata), ("C", cluster)):
        if labels is not None:
            codes = pd.factorize(pd.Series(labels).reset_index(drop=True), sort=True)[0].astype(float)
            frame[col] = np.where(codes < 0, np.nan, codes)  # a missing label drops the row, as na.omit
    keep = frame.notna().all(axis=1)
    return CoxFrame(frame[keep].reset_index(drop=True), tuple(names), int((~keep).sum()))


@dataclass
class PeerFit:
    """What an adapter keeps of one of its fits (the peer's model object, its
    frame, its own summary table)."""

    model: Any
    frame: CoxFrame
    summary: pd.DataFrame | None = None


class PeerFits:
    """The state of the fits one adapter made, by result (no private fields on
    the contract's results)."""

    def __init__(self, engine: str):
        self.engine = engine
        self._fits: "weakref.WeakKeyDictionary[CoxPH, PeerFit]" = weakref.WeakKeyDictionary()

    def keep(self, fit: CoxPH, state: PeerFit) -> CoxPH:
        self._fits[fit] = state
        return fit

    def state(self, fit: Any) -> PeerFit:
        if not isinstance(fit, CoxPH):
            raise InvalidArgument(f"`fit` must be a CoxPH; got {type(fit).__name__}", kind="fit.type")
        st = self._fits.get(fit)
        if st is None:
            raise NotImplementedError(f"engine {self.engine!r} can only use fits made by {self.engine}")
        return st


def cox_result(engine: str, cf: CoxFrame, call: CoxCall, *, coef, se, var, loglik, n_iter=None, score=None,
               wald=None, lr=None, concordance=None, means=None, naive_var=None, robust=False, method="efron",
               warnings=()) -> CoxPH:
    """A CoxPH from what a peer computed; what it does not compute stays None.
    Without covariates it is the contract's null model: one log-likelihood,
    no test."""
    if not cf.names:
        loglik, score, wald, lr = np.asarray(loglik, float).reshape(-1)[:1], None, None, None
    return CoxPH(
        names=cf.names, coef=np.asarray(coef, float), se=np.asarray(se, float), var=np.asarray(var, float),
        naive_var=naive_var, loglik=np.asarray(loglik, float), score_test=score, wald_test=wald, lr_test=lr,
        robust_score_test=None, concordance=concordance, n=int(len(cf.frame)),
        nevent=int(cf.frame["E"].sum()), iterations=n_iter, means=means, linear_predictors=None,
        n_dropped=cf.n_dropped, method=method, robust=robust, engine=engine, warnings=tuple(warnings), call=call,
    )


def test_or_none(statistic, df, pvalue) -> CoxTest | None:
    if statistic is None:
        return None
    return CoxTest(statistic=float(statistic), df=int(df), pvalue=float(pvalue))


def cox_arrays(engine: str, X: Any, time: Any, event: Any, data: Any, subset: Any, strata: Any, cluster: Any,
               weights: Any) -> tuple[Any, Any, Any, Any, Any, Any]:
    """(X, time, event, strata, cluster, weights) of either form of a peer's coxph."""
    from rparity_contract.calls import MISSING, is_formula

    if is_formula(X):
        if strata is not None or cluster is not None:
            raise NotImplementedError(f"engine {engine!r}: strata and cluster are formula terms in the formula form")
        X, time, event, strata, cluster = formula_arrays(engine, X, data, subset)
        if isinstance(weights, str):
            weights = data[weights]
    elif event is MISSING:
        raise InvalidArgument("`event` is missing: give the status vector, or event=None for Surv(time)",
                              kind="argument.missing")
    return X, time, event, strata, cluster, weights


def formula_arrays(engine: str, formula: Any, data: Any, subset: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The formula form for a peer, as its users write it: the columns a
    formula names, when it names only columns (``Surv(time, status) ~ a + b
    + strata(s) + cluster(id)``): (X, time, event, strata, cluster). Anything
    the peer has no formula for (transforms, interactions, ``.``, ``subset``)
    is not honoured: the peer says so."""
    from rparity_contract.formula import Call, Name, parse_formula

    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame; got {type(data).__name__}", kind="data.type")
    mf = parse_formula(formula, [str(c) for c in data.columns])
    if subset is not None:
        raise NotImplementedError(f"engine {engine!r} cannot honour subset= (select the rows of data)")
    resp = mf.response
    if resp is None or not resp.surv or resp.counting or not all(isinstance(a, Name) for a in resp.args):
        raise NotImplementedError(f"engine {engine!r} takes Surv(time, event) or Surv(time) of columns only")
    covs, strata, cluster = [], None, None
    for k, term in enumerate(mf.terms):
        e = mf.variables[term[0]]
        if len(term) == 1 and isinstance(e, Name):
            covs.append(e.id)
        elif len(term) == 1 and isinstance(e, Call) and e.fn in ("strata", "cluster") and len(e.args) == 1 \
                and isinstance(e.args[0], Name) and (strata if e.fn == "strata" else cluster) is None:
            if e.fn == "strata":
                strata = data[e.args[0].id]
            else:
                cluster = data[e.args[0].id]
        else:
            raise NotImplementedError(f"engine {engine!r} has no formula for the term {mf.label(k)!r} "
                                      "(it takes column names, strata(x) and cluster(x))")
    if mf.offsets:
        raise NotImplementedError(f"engine {engine!r} cannot honour offset()")
    names = [a.id for a in resp.args if isinstance(a, Name)]
    event = data[names[1]] if len(names) == 2 else None
    time = data[names[0]]
    if mf.unused:  # ``- x``: x stays in R's model frame, so its missing values still drop rows
        if not all(isinstance(v, Name) for v in mf.unused):
            raise NotImplementedError(f"engine {engine!r} takes column names only after '-'")
        complete = data[[v.id for v in mf.unused]].notna().all(axis=1)
        time = time.where(complete)  # a missing time: the row is dropped and counted as R's na.omit does
    return data[covs], time, event, strata, cluster
