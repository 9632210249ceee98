"""A one-stage survey design as survey 4.1-1's ``svydesign(ids = ~1 or
~cluster, strata = ~s, weights = ~w, data)`` holds it, and the two
statistics every design-based function here is built on.

* ``prob = 1/w`` per row (``svydesign``: ``probs <- 1/as.matrix(weights)``)
  and ``weights(design) = 1/prob`` (so ``1/(1/w)``, not ``w``);
* the clusters and strata as codes in sorted order (``rowsum`` and
  ``factor`` order), and each stratum's number of clusters in the whole
  design (``fpc$sampsize``), which a row subset keeps
  (``[.survey.design2`` with ``drop = TRUE`` removes rows, not clusters);
* :func:`svytotal`: ``colSums(x/prob)`` (long double sums) and
  ``svyrecvar(x/prob)`` (the port in :mod:`pyimpl.cox.survey`: per stratum
  the cluster totals padded with zero rows to the design's count, centred,
  scaled by ``n_h/(n_h - 1)``, ``crossprod``);
* a stratum present in the rows with one cluster in the design fails at
  the variance, as ``onestrat`` does under ``survey.lonely.psu = "fail"``
  (svydesign itself accepts it: ``svykm(se = FALSE)`` never fails on it).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning

from .._rmath import r_sum
from ..cox.survey import _codes, _column, _svyrecvar

__all__ = ["Design", "read_design", "svytotal", "svyrecvar"]

NO_WEIGHTS = "No weights or probabilities supplied, assuming equal probability"


@dataclass(frozen=True)
class Design:
    """The rows of a one-stage design (all arrays one value per row)."""

    prob: np.ndarray  # 1/w (inf where w = 0)
    cluster: np.ndarray  # cluster codes, sorted order of the values
    stratum: np.ndarray  # stratum codes, sorted order of the values
    npsu: np.ndarray  # per stratum code: its clusters in the whole design
    notes: tuple[str, ...] = ()

    @property
    def weights(self) -> np.ndarray:
        """``weights(design)``: ``1/prob``."""
        return 1.0 / self.prob

    def rows(self, keep: np.ndarray) -> "Design":
        """``design[keep, ]``: the rows kept, the design's cluster counts unchanged."""
        return Design(self.prob[keep], self.cluster[keep], self.stratum[keep], self.npsu, self.notes)


def read_design(data: pd.DataFrame, weights: Any, ids: Any, strata: Any, *, stacklevel: int = 3) -> Design:
    """``svydesign(ids = ~ids or ~1, strata = ~strata, weights = ~weights,
    data = data)``: R's refusals (missing weights, missing ids or strata,
    clusters not nested in strata) and its warning without weights. A
    negative weight is accepted, as svydesign does (the model fits refuse it)."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame; got {type(data).__name__}", kind="data.type")
    n = len(data)
    notes: list[str] = []
    if weights is None:
        notes.append(NO_WEIGHTS)
        w = np.ones(n)
    else:
        raw = _column(weights, data, "weights")
        try:
            w = pd.Series(raw).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise InvalidArgument("`weights` must be numeric", kind="weights.type") from None
    if np.isnan(w).any():
        i = int(np.flatnonzero(np.isnan(w))[0])
        raise InvalidArgument(f"`weights` has a missing value at row {i} (R's svydesign: \"missing values in "
                              "`weights'\")", kind="argument.missing")
    cluster = np.arange(n) if ids is None else _column(ids, data, "ids")
    stratum = np.zeros(n, dtype=np.int64) if strata is None else _column(strata, data, "strata")
    cl_codes, _ = _codes(cluster, "ids")
    st_codes, nst = _codes(stratum, "strata")
    if strata is not None and ids is not None:
        nested = pd.DataFrame({"c": cl_codes, "s": st_codes}).groupby("c")["s"].nunique()
        if (nested > 1).any():
            raise InvalidArgument("a cluster of `ids` lies in several strata of `strata` (R's svydesign: 'Clusters "
                                  "not nested in strata at top level; you may want nest=TRUE')", kind="ids.nesting")
    npsu = np.array([np.unique(cl_codes[st_codes == h]).size for h in range(nst)])
    for msg in notes:
        warnings.warn(RParityWarning(msg), stacklevel=stacklevel)
    with np.errstate(divide="ignore"):
        prob = 1.0 / w
    return Design(prob=prob, cluster=cl_codes, stratum=st_codes, npsu=npsu, notes=tuple(notes))


def svyrecvar(x: np.ndarray, design: Design) -> np.ndarray:
    """``svyrecvar(x, design$cluster, design$strata, design$fpc)`` for a
    one-stage design without fpc; ``x`` one row per design row."""
    x = np.asarray(x, dtype=float).reshape(x.shape[0], -1)
    if x.shape[0] == 0:  # onestage: NROW(x) == 0 gives a zero matrix
        return np.zeros((x.shape[1], x.shape[1]))
    for h in np.unique(design.stratum):
        if design.npsu[h] == 1:
            raise InvalidArgument(f"stratum {h + 1} of `strata` has only one cluster (R: 'Stratum (...) has only "
                                  "one PSU at stage 1', survey.lonely.psu = \"fail\")", kind="strata.lonely")
    return _svyrecvar(x, design.cluster, design.stratum, design.npsu)


def svytotal(x: np.ndarray, design: Design) -> tuple[np.ndarray, np.ndarray]:
    """``svytotal(x, design)``: ``colSums(x/prob)`` and ``svyrecvar(x/prob)``."""
    x = np.asarray(x, dtype=float).reshape(x.shape[0], -1)
    xp = x / design.prob[:, None]
    total = np.array([r_sum(xp[:, j]) for j in range(xp.shape[1])], dtype=float)
    return total, svyrecvar(xp, design)
