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

from ..test_refusal_table import Accepts, Refuses, assert_behaves, assert_refuses

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

TABLE_KINDS = {kind for *_, kind in BAD_ARGS}


def _test(function, **kwargs):
    return lambda eng: getattr(eng, function)(**kwargs)


def _chisq_one_column(eng):
    if eng is rbridge:
        # R answers (chisq.test makes a one-column matrix a vector and tests
        # goodness of fit), but rbridge cannot read that answer back (it has no
        # expected matrix, dim() is NULL: TypeError): ask R through the bridge's
        # own R function, as rbridge.chisq_test does
        return rbridge.session().call_raw("rparity_chisq_test", x=np.array([[1], [2]]), correct=True)
    return eng.chisq_test([[1], [2]])


# (function, description, call(engine), pyimpl's behaviour, R's behaviour)
ACCEPT_REFUSE_DIFFERENCES = [
    ("fisher_test", "a non-integer count", _test("fisher_test", table=[[3, 1.5], [1, 3]]),
     Refuses("table.values", r"`table` counts must be integers; got table\[0, 1\]=1\.5"),
     Accepts("R rounds the table", warning=r"'x' has been rounded to integer: Mean relative difference: 0.333")),
    ("fisher_test", "an infinite count", _test("fisher_test", table=[[3, np.inf], [1, 3]]),
     Refuses("table.values", r"`table` must hold finite counts; got table\[0, 1\]=inf"),
     Refuses("table.too_large", r"^'x' has entries too large to be integer$")),
    ("fisher_test", "a table of strings", _test("fisher_test", table=[["a", "b"], ["c", "d"]]),
     Refuses("table.type", r"`table` must hold numeric counts; got dtype <U1"),
     Refuses("table.values", r"^all entries of 'x' must be nonnegative and finite$")),
    ("fisher_test", "alternative='l' (an abbreviation)", _test("fisher_test", table=GOOD, alternative="l"),
     Refuses("alternative.value", r"`alternative` must be one of 'two.sided', 'less', 'greater'; got alternative='l'"),
     Accepts("char.expand completes it to 'less' (2 x 2 tables)")),
    ("chisq_test", "a non-integer count", _test("chisq_test", table=[[3, 0.5], [1, 3]]),
     Refuses("table.values", r"`table` counts must be integers; got table\[0, 1\]=0\.5"),
     Accepts("chisq.test takes any non-negative numbers", warning=r"Chi-squared approximation may be incorrect")),
    ("chisq_test", "a one-column table (2 x 1)", _chisq_one_column,
     Refuses("table.shape", r"`table` must have at least 2 rows and 2 columns; got shape \(2, 1\)"),
     Accepts("a goodness-of-fit test of the column against equal probabilities")),
]


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


@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[f"{d[0]}-{d[1]}" for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_pyimpl_side(function, description, call, py, r):
    """pyimpl's side of each listed difference (runs without R)."""
    assert_behaves(function, lambda: call(pyimpl), py)


@pytest.mark.r
@pytest.mark.parametrize("function,description,call,py,r", ACCEPT_REFUSE_DIFFERENCES,
                         ids=[f"{d[0]}-{d[1]}" for d in ACCEPT_REFUSE_DIFFERENCES])
def test_difference_still_there(function, description, call, py, r):
    """The difference between pyimpl and R is still there. When this fails, one
    side changed (pyimpl fixed to accept what R accepts, say): check that the
    engines now agree and move the row out of ACCEPT_REFUSE_DIFFERENCES."""
    assert_behaves(function, lambda: call(pyimpl), py)
    assert_behaves(function, lambda: call(rbridge), r)


@pytest.mark.r
def test_one_column_table_is_a_goodness_of_fit_test_in_r():
    """What R answers for the 2 x 1 table of ACCEPT_REFUSE_DIFFERENCES: the
    goodness-of-fit statistic of (1, 2) against (1.5, 1.5), no expected matrix."""
    v = _chisq_one_column(rbridge).value
    assert v["dim"] is None
    assert float(np.asarray(v["statistic"]).ravel()[0]) == pytest.approx(1 / 3, rel=1e-12)
    assert int(np.asarray(v["parameter"]).ravel()[0]) == 1
