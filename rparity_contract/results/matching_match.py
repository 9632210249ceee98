"""Result type of ``Matching::Match`` (Matching 4.10-8): matched pairs, the
matching estimate and its Abadie-Imbens standard error."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import Result, rfield

__all__ = ["MatchingMatch"]



def _array_field(r_name: str, dtype: type, doc: str = "") -> Any:
    """An R-mirroring array field, empty by default (R's NULL or no pairs)."""
    return field(default_factory=lambda: np.zeros(0, dtype=dtype), metadata={"r": r_name, "doc": doc})


@dataclass(frozen=True, kw_only=True, eq=False)
class MatchingMatch(Result):
    """``Match(Y, Tr, X, ...)``'s value (class ``"Match"``).

    The matched pairs are R's rows, in R's order (focal units in data order,
    each focal unit's matches in data order): ``index_treated[k]`` and
    ``index_control[k]`` are **1-based** row positions, as R returns them
    (subtract 1 for numpy), ``weights[k]`` the pair's weight (1 / the number
    of matches of its focal unit, ties included).

    ``se`` (Abadie-Imbens) and ``se_cond`` are None where R returns NULL
    (``Y = NULL``, ``ties = FALSE``, ``replace = FALSE``: Match's "fast"
    version). ``matched`` is False when R returns ``NA`` (no valid match:
    every focal unit dropped by the caliper or ``exact``); the pairs are then
    empty and the numbers NaN.
    """

    matched: bool = rfield("!is.na(<Match>)", default=True)
    est: float = rfield("est", default=math.nan)
    se: float | None = rfield("se", default=None, doc="Abadie-Imbens standard error (NULL: None)")
    est_noadj: float = rfield("est.noadj", default=math.nan)
    se_standard: float = rfield("se.standard", default=math.nan, doc="the naive (pairs i.i.d.) standard error")
    se_cond: float | None = rfield("se.cond", default=None)
    index_treated: np.ndarray = _array_field("index.treated", np.int64, "1-based, as R")
    index_control: np.ndarray = _array_field("index.control", np.int64, "1-based, as R")
    weights: np.ndarray = _array_field("weights", float)
    index_dropped: np.ndarray = _array_field("index.dropped", np.int64, "1-based; R's NULL (no caliper drop) as empty")
    orig_nobs: int = rfield("orig.nobs", default=0)
    orig_wnobs: float = rfield("orig.wnobs", default=math.nan)
    orig_treated_nobs: int = rfield("orig.treated.nobs", default=0)
    nobs: int = rfield("nobs", default=0)
    wnobs: float = rfield("wnobs", default=math.nan)
    ndrops: float = rfield("ndrops", default=math.nan)
    ndrops_matches: int = rfield("ndrops.matches", default=0)
    caliper: np.ndarray | None = rfield("caliper", default=None, doc="one per column of X, or None")
    ecaliper: np.ndarray | None = rfield("ecaliper", default=None,
                                         doc="the caliper in X's units as Match reports it (see Notes of "
                                             "pyimpl.matching.match_ai)")
    estimand: str = rfield("estimand", default="ATT")
    version: str = rfield("version", default="standard")

    def quantities(self) -> dict[str, Any]:
        """The compared values: R's NULL (None) as NaN for numbers, as an empty
        array for vectors."""
        out = dict(super().quantities())
        for k in ("se", "se_cond"):
            out[k] = math.nan if out[k] is None else float(out[k])
        for k in ("caliper", "ecaliper"):
            out[k] = np.zeros(0) if out[k] is None else np.asarray(out[k], dtype=float)
        return out

    @property
    def pairs(self) -> np.ndarray:
        """``cbind(index.treated, index.control)`` as 0-based row positions."""
        return np.column_stack([np.asarray(self.index_treated) - 1, np.asarray(self.index_control) - 1])
