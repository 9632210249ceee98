"""Refusal parity of ``fisher_test`` and ``chisq_test``: one table of tables and
options both engines refuse (pyimpl's message and the refusal kind; R's
message mapped to the same kind, marked ``r``), and the listed differences
(``ACCEPT_REFUSE_DIFFERENCES``, see :mod:`tests.test_refusal_table`)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import pyimpl
import rbridge
from pyimpl import InvalidArgument

from ..test_refusal_table import assert_refuses

GOOD = [[3, 1], [1, 3]]

# (function, kwargs, pyimpl's message, refusal kind): refused by both engines
BAD_ARGS = [
    ("fisher_test", dict(table=[[3, -1], [1, 3]]), r"`table` counts must be non-negative; got table\[0, 1\]=-1\.0",
     "table.values"),
    ("fisher_test", dict(table=[[3, np.nan], [1, 3]]), r"`table` must hold finite counts; got table\[0, 1\]=nan",
     "table.values"),
    ("fisher_test", dict(table=[[3, 1, 2]]), r"`table` must have at least 2 rows and 2 columns; got shape \(1, 3\)",
     "table.shape"),
    ("fisher_test", dict(table=[3, 1, 1, 3]), r"`table` must be a 2-D table of counts; got shape \(4,\)",
     "table.shape"),
    ("fisher_test", dict(table=np.zeros((3, 3))),
     r"`table` must have at least one positive count; got all zeros in a 3 x 3 table", "table.zero"),
    ("fisher_test", dict(table=[[3e9, 1], [1, 3]]), r"`table` has counts too large to be integer", "table.too_large"),
    ("fisher_test", dict(table=GOOD, alternative="two-sided"),
     r"`alternative` must be one of 'two.sided', 'less', 'greater'; got alternative='two-sided'", "alternative.value"),
    ("fisher_test", dict(table=GOOD, conf_level=1.0),
     r"`conf_level` must be strictly between 0 and 1; got conf_level=1\.0", "conf_level.value"),
    ("fisher_test", dict(table=GOOD, conf_level=0), r"`conf_level` must be strictly between 0 and 1; got conf_level=0",
     "conf_level.value"),
    ("fisher_test", dict(table=GOOD, conf_level="high"),
     r"`conf_level` must be a number between 0 and 1; got conf_level='high'", "conf_level.value"),
    ("fisher_test", dict(table=GOOD, conf_level=True),
     r"`conf_level` must be a number strictly between 0 and 1; got conf_level=True", "conf_level.value"),
    ("fisher_test", dict(table=GOOD, conf_int="yes"), r"`conf_int` must be True or False; got conf_int='yes'",
     "conf_int.type"),
    ("fisher_test", dict(table=GOOD, or_=-1.0), r"`or_` must be a single number between 0 and Inf; got or_=-1\.0",
     "or.value"),
    ("fisher_test", dict(table=GOOD, or_=math.nan), r"`or_` must be a single number between 0 and Inf; got or_=nan",
     "or.value"),
    ("fisher_test", dict(table=GOOD, or_="2"), r"`or_` must be a single number between 0 and Inf; got or_='2'",
     "or.value"),
    ("chisq_test", dict(table=[[3, -1], [1, 3]]), r"`table` counts must be non-negative; got table\[0, 1\]=-1\.0",
     "table.values"),
    ("chisq_test", dict(table=pd.DataFrame({"a": [1.0, np.nan], "b": [2, 3]})),
     r"`table` must hold finite counts; got table\[1, 0\]=nan", "table.values"),
    ("chisq_test", dict(table=np.zeros((2, 2))),
     r"`table` must have at least one positive count; got all zeros in a 2 x 2 table", "table.zero"),
    ("chisq_test", dict(table=GOOD, correct="no"), r"`correct` must be True or False; got correct='no'",
     "correct.type"),
    ("chisq_test", dict(table=GOOD, correct=None), r"`correct` must be True or False; got correct=None",
     "correct.type"),
]




def _test(function, **kwargs):
    return lambda eng: getattr(eng, function)(**kwargs)


# refused by both engines, pyimpl now with R's kind (R's message for each: see refusals.R_MESSAGES)
BAD_ARGS += [
    ("fisher_test", dict(table=[[3, np.inf], [1, 3]]),
     r"`table` has counts too large to be integer; got max\(table\)=inf", "table.too_large"),
    ("fisher_test", dict(table=[["a", "b"], ["c", "d"]]), r"`table` must hold numeric counts; got dtype <U1",
     "table.values"),
]

# (function, kwargs, R's warning or None): inputs R reads by its own rules, and so does pyimpl
ACCEPTED_BY_BOTH = [
    ("fisher_test", dict(table=[[3, 1.5], [1, 3]]), "'x' has been rounded to integer: Mean relative difference: "
                                                   "0.3333333"),  # rounded to [[3, 2], [1, 3]]
    ("fisher_test", dict(table=[[3, 1.5, 2.25], [1, 3, 4.5]]),
     "'x' has been rounded to integer: Mean relative difference: 0.1515152"),
    ("fisher_test", dict(table=GOOD, alternative="l"), None),  # char.expand: 'less'
    ("fisher_test", dict(table=GOOD, alternative="g"), None),
    ("chisq_test", dict(table=[[3, 0.5], [1, 3]]), "Chi-squared approximation may be incorrect"),  # not whole
    ("chisq_test", dict(table=[[1], [2]]), "Chi-squared approximation may be incorrect"),  # goodness of fit
    ("chisq_test", dict(table=[[30, 50, 40]]), None),  # one row: goodness of fit
    ("chisq_test", dict(table=np.array([12.0, 7.5, 30.0, 4.0])), None),  # a vector
]

ACCEPT_REFUSE_DIFFERENCES: list = []  # none left for these functions

TABLE_KINDS = {kind for *_, kind in BAD_ARGS}


@pytest.mark.parametrize("function,kwargs,warning", ACCEPTED_BY_BOTH, ids=[str(a[1]) for a in ACCEPTED_BY_BOTH])
def test_pyimpl_accepts_like_r(function, kwargs, warning):
    if warning:
        with pytest.warns(pyimpl.RParityWarning, match=warning.replace("(", r"\(").replace(")", r"\)")):
            res = getattr(pyimpl, function)(**kwargs)
    else:
        res = getattr(pyimpl, function)(**kwargs)
    assert res.warnings == ((warning,) if warning else ())


@pytest.mark.r
@pytest.mark.parametrize("function,kwargs,warning", ACCEPTED_BY_BOTH, ids=[str(a[1]) for a in ACCEPTED_BY_BOTH])
def test_accepted_by_both_agree(py_engine, r_engine, function, kwargs, warning):
    from rparity.testing import differential

    def probe(eng):
        res = getattr(eng, function)(**kwargs)
        return {**res.quantities(), "warnings": tuple(res.warnings)}

    rows = differential(function, probe, py_engine, r_engine)
    assert {"pvalue", "warnings"} <= {r.quantity for r in rows}


@pytest.mark.parametrize("function, kwargs, message, kind", BAD_ARGS,
                         ids=[f"{f}-{i}" for i, (f, *_) in enumerate(BAD_ARGS)])
def test_bad_arguments(function, kwargs, message, kind):
    with pytest.raises(InvalidArgument, match=message) as exc:
        getattr(pyimpl, function)(**kwargs)
    assert exc.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("function, kwargs, message, kind", BAD_ARGS,
                         ids=[f"{f}-{i}" for i, (f, *_) in enumerate(BAD_ARGS)])
def test_bad_arguments_in_r(function, kwargs, message, kind):
    assert_refuses(function, lambda: getattr(rbridge, function)(**kwargs), kind)
