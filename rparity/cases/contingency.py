"""Parity cases for ``fisher_test`` and ``chisq_test``: the spec's tables,
Table-1 cross-tabulations of the bundled datasets, and edge tables (zero cells,
zero margins, estimates at the ends of the support, one-sided alternatives).

A case either names a literal table (``params["table"]``, dataset ``None``) or
cross-tabulates two columns of a dataset (``params["rows"]``, ``params["cols"]``;
rows missing either are dropped, levels in the dataset's order -- R's factor
levels, or sorted values).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "crosstab", "run_fisher_test", "run_chisq_test"]


def crosstab(data: pd.DataFrame | None, p: Mapping[str, Any]) -> np.ndarray:
    """The case's table of counts."""
    if "table" in p:
        return np.asarray(p["table"], dtype=float)
    d = data.dropna(subset=[p["rows"], p["cols"]])
    r = pd.Categorical(d[p["rows"]])
    c = pd.Categorical(d[p["cols"]])
    r = r.remove_unused_categories()
    c = c.remove_unused_categories()
    out = np.zeros((len(r.categories), len(c.categories)))
    np.add.at(out, (np.asarray(r.codes), np.asarray(c.codes)), 1.0)
    return out


def run_fisher_test(engine: Any, data: pd.DataFrame | None, p: Mapping[str, Any]) -> dict:
    res = engine.fisher_test(crosstab(data, p), alternative=p.get("alternative", "two.sided"),
                             conf_int=p.get("conf_int", True), conf_level=p.get("conf_level", 0.95),
                             or_=p.get("or", 1.0))
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def run_chisq_test(engine: Any, data: pd.DataFrame | None, p: Mapping[str, Any]) -> dict:
    res = engine.chisq_test(crosstab(data, p), correct=p.get("correct", True))
    out = dict(res.quantities())
    out["warnings"] = tuple(res.warnings)
    return out


def _f(id_: str, table=None, dataset: str | None = None, **extra: Any) -> Case:
    params = dict(extra)
    if table is not None:
        params["table"] = table
    return Case(f"fisher_test/{id_}", "fisher_test", dataset, params, run_fisher_test)


def _c(id_: str, table=None, dataset: str | None = None, **extra: Any) -> Case:
    params = dict(extra)
    if table is not None:
        params["table"] = table
    return Case(f"chisq_test/{id_}", "chisq_test", dataset, params, run_chisq_test)


# Table-1 cross-tabulations of the bundled datasets: (id, dataset, rows, cols)
_XTABS = [
    ("lung-sex-status", "lung", "sex", "status"),
    ("lung-ecog-sex", "lung", "ph.ecog", "sex"),  # 4 x 2 with a zero cell
    ("lung-ecog-status", "lung", "ph.ecog", "status"),  # 4 x 2 with a zero cell
    ("veteran-celltype-trt", "veteran", "celltype", "trt"),
    ("veteran-celltype-status", "veteran", "celltype", "status"),
    ("veteran-prior-trt", "veteran", "prior", "trt"),
    ("ovarian-resid-rx", "ovarian", "resid.ds", "rx"),
    ("ovarian-ecog-fustat", "ovarian", "ecog.ps", "fustat"),
    ("lalonde-race-treat", "lalonde", "race", "treat"),  # p ~ 3e-52
    ("lalonde-married-treat", "lalonde", "married", "treat"),
    ("lalonde-nodegree-treat", "lalonde", "nodegree", "treat"),
    ("aml-x-status", "aml", "x", "status"),
]

CASES: list[Case] = [
    # the spec's tables (survival-3.5.md section 4)
    _f("spec-3-1-1-3", [[3, 1], [1, 3]]),
    _f("spec-2x4", [[1, 3, 1, 4], [3, 5, 1, 3]]),
    _f("spec-3x3", [[2, 2, 0], [7, 7, 3], [8, 1, 2]]),
    _c("spec-12-7-5-7", [[12, 7], [5, 7]]),
    _c("spec-12-7-5-7-uncorrected", [[12, 7], [5, 7]], correct=False),
    # Table-1 crosstabs
    *[_f(i, dataset=d, rows=r, cols=c) for i, d, r, c in _XTABS],
    *[_c(i, dataset=d, rows=r, cols=c) for i, d, r, c in _XTABS],
    _c("lung-sex-status-uncorrected", dataset="lung", rows="sex", cols="status", correct=False),
    # 2 x 2 edge tables
    _f("zero-cell", [[0, 5], [3, 2]]),  # x at lo: estimate 0
    _f("x-at-hi", [[5, 0], [3, 2]]),  # x at hi: estimate Inf
    _f("x-at-hi-less", [[5, 0], [3, 2]], alternative="less"),
    _f("x-at-lo-greater", [[0, 5], [3, 2]], alternative="greater"),
    _f("zero-row-2x2", [[0, 0], [3, 4]]),
    _f("all-zero-2x2", [[0, 0], [0, 0]]),
    _f("diagonal-2x2", [[7, 0], [0, 9]]),
    _f("less", [[10, 2], [3, 15]], alternative="less"),
    _f("greater", [[10, 2], [3, 15]], alternative="greater"),
    _f("two-sided-or2", [[10, 2], [3, 15]], **{"or": 2.0}),
    _f("less-or05", [[10, 2], [3, 15]], alternative="less", **{"or": 0.5}),
    _f("greater-or0", [[10, 2], [3, 15]], alternative="greater", **{"or": 0.0}),
    _f("two-sided-orinf", [[10, 2], [3, 15]], **{"or": float("inf")}),
    _f("conf-level-90", [[20, 30], [25, 15]], conf_level=0.9),
    _f("no-conf-int", [[20, 30], [25, 15]], conf_int=False),
    _f("large-2x2", [[100, 80], [60, 90]]),
    _f("mu-equals-x", [[2, 2], [2, 2]]),  # E[x] = x: estimate exactly 1
    _f("pvalue-above-one", [[3, 2], [4, 2]]),  # R: 1.0000000000000002 (2 x 2 p is not clamped)
    # r x c edge tables
    _f("zero-column-2x3", [[10, 20, 0], [30, 40, 0]]),
    _f("one-nonzero-row", [[1, 2, 3], [0, 0, 0]]),
    _f("3x4-sparse", [[3, 1, 0, 2], [1, 4, 2, 0], [0, 2, 3, 1]]),
    _f("2x6-table1", [[12, 15, 9, 20, 7, 3], [18, 10, 14, 11, 9, 8]]),
    # chi-square edge tables
    _c("zero-margin", [[1, 2, 3], [0, 0, 0]]),
    _c("zero-cell-2x2", [[0, 5], [3, 2]]),
    _c("zero-cell-2x2-uncorrected", [[0, 5], [3, 2]], correct=False),
    _c("yates-capped", [[10, 11], [11, 11]]),  # min |x - E| < 0.5: YATES = min |x - E|
    _c("yates-zero", [[10, 11], [10, 11]]),  # x == E: YATES = 0, no correction
    _c("3x3-small", [[2, 2, 0], [7, 7, 3], [8, 1, 2]]),
    # tables both engines refuse, for the same reason
    _f("all-zero-3x3", [[0, 0, 0], [0, 0, 0], [0, 0, 0]]),
    _c("all-zero-2x2", [[0, 0], [0, 0]]),
    _f("negative-count", [[3, -1], [1, 3]]),
    _c("negative-count", [[3, -1], [1, 3]]),
]
