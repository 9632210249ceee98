"""``ps_weights`` and ``weighted_balance`` run in R (``rbridge/R/weighting.R``):
R's ``glm(family = binomial(link))`` for the score, and WeightIt's weight
formulas and cobalt's balance conventions written out in R (WeightIt and
cobalt are not packaged for Debian).

Nothing is checked here: the columns of ``data`` reach R under placeholder
names and R accepts or refuses the call (its messages carry the refusal kind
in brackets, read by :mod:`rparity.refusals`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.weighting import WEIGHTED_BALANCE_COLUMNS, PSWeights, WeightedBalance

from ._convert import Placeholders, scalar
from ._session import session
from .matching import _glm_result

__all__ = ["ps_weights", "weighted_balance"]


class _Columns:
    """Placeholder names (``v01..``) for the columns of ``data``; ``u01..`` for
    names that are not columns (R then reports them as not found)."""

    def __init__(self, data: Any):
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgument(f"`data` must be a pandas DataFrame (R's data.frame); got {type(data).__name__}",
                                  kind="data.type")
        width = len(str(len(data.columns) + 1))
        self.width = width
        self.to_ph = {c: f"v{j + 1:0{width}d}" for j, c in enumerate(data.columns)}
        self.names = {ph: str(c) for c, ph in self.to_ph.items()}
        self.extra: dict[str, str] = {}
        frame = data.set_axis(list(self.to_ph.values()), axis=1)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        self.frame = frame

    def ph(self, name: Any) -> str:
        try:
            if name in self.to_ph:
                return self.to_ph[name]
        except TypeError:
            pass
        key = repr(name)
        if key not in self.extra:
            self.extra[key] = f"u{len(self.extra) + 1:0{self.width}d}"
            self.names[self.extra[key]] = str(name)
        return self.extra[key]

    def names_of(self, cols: Any) -> list[str]:
        if isinstance(cols, str):
            cols = [cols]
        return [self.ph(c) for c in cols]

    def user_names(self, names: list[str], assign: list[int], labels: list[str]) -> tuple[str, ...]:
        """Model-matrix column names in the caller's terms (through ``assign``)."""
        out = []
        for name, a in zip(names, assign):
            if a == 0:
                out.append(name)
                continue
            term = labels[a - 1]
            user = self.names.get(term, term)
            out.append(user + name[len(term):] if name.startswith(term) else name)
        return tuple(out)

    @property
    def placeholders(self) -> Placeholders:
        return Placeholders(self.names)


def ps_weights(data: Any, treat: Any, covariates: Any, *, estimand: Any = "ATE", link: Any = "logit",
               stabilize: Any = False, trim: Any = None, trim_lower: Any = False) -> PSWeights:
    """R: ``glm(treat ~ covariates, family = binomial(link))`` and WeightIt's
    weights (``rparity_ps_weights`` in ``rbridge/R/weighting.R``)."""
    cols = _Columns(data)
    s = session()
    res = s.call("rparity_ps_weights", placeholders=cols.placeholders, data=cols.frame, treat=cols.ph(treat),
                 covariates=cols.names_of(covariates), estimand=estimand, link=link, stabilize=stabilize, trim=trim,
                 trim_lower=trim_lower)
    v = res.value
    model = _glm_result(v["model"], cols.names, warnings=res.warnings)
    t = np.asarray(v["treat"], dtype=np.int64).reshape(-1)
    bounds = tuple(float(b) for b in np.asarray(v["bounds"] if v["bounds"] is not None else [], float).reshape(-1))
    call = (f"stats::glm(treat ~ covariates, family = binomial(link = {link!r})); weights for estimand "
            f"{estimand!r}, stabilize = {stabilize}, trim = {trim!r}, lower = {trim_lower}")
    return PSWeights(ps=np.asarray(v["ps"], float).reshape(-1), weights=np.asarray(v["weights"], float).reshape(-1),
                     ess_treated=scalar(v["ess_treated"]), ess_control=scalar(v["ess_control"]),
                     n_treated=int(scalar(v["n_treated"])), n_control=int(scalar(v["n_control"])), model=model,
                     treat=t, index=data.index, estimand=str(estimand).upper(), link=str(link),
                     stabilize=bool(stabilize), trim=None if trim is None else float(trim),
                     trim_lower=bool(trim_lower), trimmed_at=bounds, warnings=res.warnings, engine="r",
                     provenance={**s.provenance(call), "placeholders": cols.names})


def weighted_balance(data: Any, treat: Any, covariates: Any, weights: Any, *, estimand: Any = "ATE") -> WeightedBalance:
    """R: weighted means, SMDs (cobalt's standardisation) and variance ratios
    (``rparity_weighted_balance`` in ``rbridge/R/weighting.R``)."""
    cols = _Columns(data)
    s = session()
    w = np.asarray(weights)
    res = s.call("rparity_weighted_balance", placeholders=cols.placeholders, data=cols.frame, treat=cols.ph(treat),
                 covariates=cols.names_of(covariates), weights=w, estimand=estimand)
    v = res.value
    names = [str(n) for n in np.atleast_1d(v["names"])]
    assign = [int(a) for a in np.asarray(v["assign"], dtype=int).reshape(-1)]
    labels = [str(x) for x in np.atleast_1d(v["term_labels"])]
    tab = np.asarray(v["table"], dtype=float).reshape(len(names), len(WEIGHTED_BALANCE_COLUMNS))
    table = pd.DataFrame(tab, columns=list(WEIGHTED_BALANCE_COLUMNS),
                         index=pd.Index(list(cols.user_names(names, assign, labels))))
    return WeightedBalance(table=table, estimand=str(estimand).upper(), engine="r", warnings=res.warnings,
                           provenance={**s.provenance("weighted balance (cobalt's conventions, in R)"),
                                       "placeholders": cols.names})
