"""Argument checks of pyimpl's ``fisher_test`` and ``chisq_test``."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.values import ALTERNATIVES

from .._rformat import r_format
from .._validate import as_choice, as_count_table, as_probability, count_values, show

__all__ = ["fisher_args", "chisq_args"]


def _positive_table(table: Any) -> np.ndarray:
    x = as_count_table(table, "table")
    if not (x > 0).any():
        raise InvalidArgument(
            f"`table` must have at least one positive count; got all zeros in a {x.shape[0]} x {x.shape[1]} table",
            kind="table.zero")
    return x


def fisher_args(table: Any, alternative: Any, conf_int: Any, conf_level: Any, or_: Any):
    """Validated (counts as int64, alternative, conf_int, conf_level, or_,
    warnings).

    As ``fisher.test``: counts that are not whole numbers are rounded, with R's
    warning (``all.equal``'s mean relative difference); a count above
    ``.Machine$integer.max`` (an infinite one included) is refused. An
    all-zero 2 x 2 table is allowed (R answers p = 1, estimate 0); larger
    all-zero tables are refused (R's FEXACT stops with "All elements of TABLE
    are zero").
    """
    xo = as_count_table(table, "table", integers=False, allow_inf=True, type_kind="table.values")
    x = np.round(xo)  # R's round(): half to even, as numpy's
    if x.max() > 2147483647:
        raise InvalidArgument(f"`table` has counts too large to be integer; got max(table)={show(x.max())}",
                              kind="table.too_large")
    warns = []
    diff = xo != x
    if diff.any():
        # all.equal(xo, x): over the cells that differ, mean |xo - x| / mean |xo|
        xy = float(np.mean(np.abs(xo[diff] - x[diff])))
        xn = float(np.mean(np.abs(xo[diff])))
        what = "relative" if xn > 1.5e-8 else "absolute"
        xy = xy / xn if what == "relative" else xy
        if xy > 1.5e-8:
            warns.append(f"'x' has been rounded to integer: Mean {what} difference: {r_format(xy)}")
    if x.shape != (2, 2) and not (x > 0).any():
        _positive_table(x)
    if isinstance(alternative, str):
        # char.expand(alternative, c("two.sided", "less", "greater")): a unique prefix is enough
        hits = [a for a in ALTERNATIVES if a.startswith(alternative)] if alternative else []
        alternative = hits[0] if len(hits) == 1 else alternative
    alternative = as_choice(alternative, "alternative", ALTERNATIVES)
    if not isinstance(conf_int, (bool, np.bool_)):
        raise InvalidArgument(f"`conf_int` must be True or False; got conf_int={conf_int!r}", kind="conf_int.type")
    if isinstance(conf_level, (bool, np.bool_)):
        raise InvalidArgument(f"`conf_level` must be a number strictly between 0 and 1; got conf_level={conf_level!r}",
                              kind="conf_level.value")
    conf_level = as_probability(conf_level, "conf_level")
    if isinstance(or_, (bool, np.bool_)) or not isinstance(or_, numbers.Real):
        raise InvalidArgument(f"`or_` must be a single number between 0 and Inf; got or_={or_!r}", kind="or.value")
    o = float(or_)
    if math.isnan(o) or o < 0:
        raise InvalidArgument(f"`or_` must be a single number between 0 and Inf; got or_={or_!r}", kind="or.value")
    return x.astype(np.int64), alternative, bool(conf_int), conf_level, o, warns


def chisq_args(table: Any, correct: Any):
    """Validated (counts as float64, correct). As ``chisq.test``, counts need
    not be whole numbers; a table with one row or one column, or a 1-D
    array, is a vector of counts (the goodness-of-fit test)."""
    if not isinstance(correct, (bool, np.bool_)):
        raise InvalidArgument(f"`correct` must be True or False; got correct={correct!r}", kind="correct.type")
    arr = table.to_numpy() if isinstance(table, pd.DataFrame) else np.asarray(table)
    if arr.ndim == 1 or (arr.ndim == 2 and min(arr.shape) == 1):
        x = count_values(arr.ravel(order="F"), "table", integers=False)
        if x.size < 2:
            raise InvalidArgument(f"`table` must have at least 2 counts (R: \"'x' must at least have 2 elements\"); "
                                  f"got {x.size}", kind="table.shape")
        if not (x > 0).any():
            raise InvalidArgument("`table` must have at least one positive count; got all zeros", kind="table.zero")
        return x, bool(correct)
    x = as_count_table(table, "table", integers=False)
    if not (x > 0).any():
        _positive_table(x)
    return x, bool(correct)
