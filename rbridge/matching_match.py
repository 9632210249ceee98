"""``Matching::Match`` run in R (Matching 4.10-8 from Debian r-cran-matching):
the caller's vectors and options go to R as values, ``set.seed(seed)`` first
when a seed is given; Match accepts, warns or refuses."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from rparity_contract.results.matching_match import MatchingMatch

from ._convert import scalar
from ._session import session

__all__ = ["matching_match"]

_SQRT_EPS = math.sqrt(np.finfo(float).eps)


def _ints(v: Any) -> np.ndarray:
    return np.zeros(0, dtype=np.int64) if v is None else np.atleast_1d(np.asarray(v, dtype=float)).astype(np.int64)


def _floats(v: Any) -> np.ndarray | None:
    return None if v is None else np.atleast_1d(np.asarray(v, dtype=float)).reshape(-1)


def _opt(v: Any) -> float | None:
    return None if v is None else scalar(v)


def matching_match(Y: Any, Tr: Any, X: Any, estimand: str = "ATT", M: float = 1, *, bias_adjust: bool = False,
                   exact: Any = None, caliper: Any = None, replace: Any = True, ties: Any = True,
                   weight: float = 1, var_calc: float = 0, sample: Any = False,
                   distance_tolerance: float = 0.00001, tolerance: float = _SQRT_EPS,
                   seed: int | None = None) -> MatchingMatch:
    """R's ``Matching::Match(Y, Tr, X, estimand, M, BiasAdjust, exact, caliper,
    replace, ties, Weight, Var.calc, sample, distance.tolerance, tolerance)``
    (``set.seed(seed)`` first when ``seed`` is given)."""
    s = session()
    s.require("Matching")
    args: dict[str, Any] = {"Y": Y, "Tr": Tr, "X": X, "estimand": estimand, "M": M, "BiasAdjust": bias_adjust,
                            "exact": exact, "caliper": caliper, "replace": replace, "ties": ties, "Weight": weight,
                            "Var.calc": var_calc, "sample": sample, "distance.tolerance": distance_tolerance,
                            "tolerance": tolerance, "seed": seed}
    res = s.call("rparity_matching_match", **args)
    v = res.value
    prov = {**s.provenance("Matching::Match(Y, Tr, X, estimand, M, BiasAdjust, exact, caliper, replace, ties, "
                           "Weight, Var.calc, sample, distance.tolerance, tolerance)"),
            "Matching": _matching_version(s)}
    if not bool(v["matched"][0] if isinstance(v["matched"], list) else v["matched"]):
        return MatchingMatch(matched=False, engine="r", provenance=prov, warnings=res.warnings,
                             **_na_fields(Tr, estimand))
    return MatchingMatch(
        matched=True, est=scalar(v["est"]), se=_opt(v["se"]), est_noadj=scalar(v["est_noadj"]),
        se_standard=scalar(v["se_standard"]), se_cond=_opt(v["se_cond"]),
        index_treated=_ints(v["index_treated"]), index_control=_ints(v["index_control"]),
        weights=np.atleast_1d(np.asarray(v["weights"], dtype=float)), index_dropped=_ints(v["index_dropped"]),
        orig_nobs=int(scalar(v["orig_nobs"])), orig_wnobs=scalar(v["orig_wnobs"]),
        orig_treated_nobs=int(scalar(v["orig_treated_nobs"])), nobs=int(scalar(v["nobs"])),
        wnobs=scalar(v["wnobs"]), ndrops=scalar(v["ndrops"]), ndrops_matches=int(scalar(v["ndrops_matches"])),
        caliper=_floats(v["caliper"]), ecaliper=_floats(v["ecaliper"]), estimand=str(_first(v["estimand"])),
        version=str(_first(v["version"])), engine="r", provenance=prov, warnings=res.warnings)


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, (list, tuple)) else v


def _matching_version(s: Any) -> str:
    try:
        return str(_first(s.call_raw("rparity_package_version", package="Matching").value))
    except Exception:  # noqa: BLE001 - provenance only
        return "unknown"


def _na_fields(Tr: Any, estimand: str) -> dict[str, Any]:
    """R returns a bare ``NA`` when nothing matched: the counts are the data's."""
    tr = np.asarray(Tr, dtype=float).reshape(-1)
    return dict(orig_nobs=int(tr.size), orig_wnobs=float(tr.size), orig_treated_nobs=int(np.sum(tr == 1)),
                nobs=int(tr.size), estimand=str(estimand))
