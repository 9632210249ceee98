"""Argument checks of pyimpl's ``fisher_test`` and ``chisq_test``."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument
from rparity_contract.values import ALTERNATIVES

from .._validate import as_choice, as_count_table, as_probability

__all__ = ["fisher_args", "chisq_args"]


def _positive_table(table: Any) -> np.ndarray:
    x = as_count_table(table, "table")
    if not (x > 0).any():
        raise InvalidArgument(
            f"`table` must have at least one positive count; got all zeros in a {x.shape[0]} x {x.shape[1]} table",
            kind="table.zero")
    return x


def fisher_args(table: Any, alternative: Any, conf_int: Any, conf_level: Any, or_: Any):
    """Validated (counts as int64, alternative, conf_int, conf_level, or_).

    An all-zero 2 x 2 table is allowed (R answers p = 1, estimate 0); larger
    all-zero tables are refused (R's FEXACT stops with "All elements of TABLE
    are zero").
    """
    x = as_count_table(table, "table")
    if x.shape != (2, 2) and not (x > 0).any():
        _positive_table(x)
    if x.max() > 2147483647:
        raise InvalidArgument(f"`table` has counts too large to be integer; got max(table)={x.max()!r}",
                              kind="table.too_large")
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
    return x.astype(np.int64), alternative, bool(conf_int), conf_level, o


def chisq_args(table: Any, correct: Any):
    """Validated (counts as float64, correct)."""
    x = _positive_table(table)
    if not isinstance(correct, (bool, np.bool_)):
        raise InvalidArgument(f"`correct` must be True or False; got correct={correct!r}", kind="correct.type")
    return x, bool(correct)
