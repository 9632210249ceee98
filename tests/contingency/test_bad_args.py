"""Bad arguments, one table for both functions and both engines (rbridge
validates with pyimpl's validators before R is started, so no R is needed)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import pyimpl
import rbridge
from pyimpl import InvalidArgument

GOOD = [[3, 1], [1, 3]]

# (function, kwargs, message regex)
BAD_ARGS = [
    ("fisher_test", dict(table=[[3, -1], [1, 3]]), r"`table` counts must be non-negative; got table\[0, 1\]=-1\.0"),
    ("fisher_test", dict(table=[[3, 1.5], [1, 3]]), r"`table` counts must be integers; got table\[0, 1\]=1\.5"),
    ("fisher_test", dict(table=[[3, np.nan], [1, 3]]), r"`table` must hold finite counts; got table\[0, 1\]=nan"),
    ("fisher_test", dict(table=[[3, np.inf], [1, 3]]), r"`table` must hold finite counts; got table\[0, 1\]=inf"),
    ("fisher_test", dict(table=[[3, 1, 2]]), r"`table` must have at least 2 rows and 2 columns; got shape \(1, 3\)"),
    ("fisher_test", dict(table=[3, 1, 1, 3]), r"`table` must be a 2-D table of counts; got shape \(4,\)"),
    ("fisher_test", dict(table=[["a", "b"], ["c", "d"]]), r"`table` must hold numeric counts; got dtype <U1"),
    ("fisher_test", dict(table=np.zeros((3, 3))),
     r"`table` must have at least one positive count; got all zeros in a 3 x 3 table"),
    ("fisher_test", dict(table=[[3e9, 1], [1, 3]]), r"`table` has counts too large to be integer"),
    ("fisher_test", dict(table=GOOD, alternative="two-sided"),
     r"`alternative` must be one of 'two.sided', 'less', 'greater'; got alternative='two-sided'"),
    ("fisher_test", dict(table=GOOD, alternative="l"),
     r"`alternative` must be one of 'two.sided', 'less', 'greater'; got alternative='l'"),
    ("fisher_test", dict(table=GOOD, conf_level=1.0), r"`conf_level` must be strictly between 0 and 1; got conf_level=1\.0"),
    ("fisher_test", dict(table=GOOD, conf_level=0), r"`conf_level` must be strictly between 0 and 1; got conf_level=0"),
    ("fisher_test", dict(table=GOOD, conf_level="high"),
     r"`conf_level` must be a number between 0 and 1; got conf_level='high'"),
    ("fisher_test", dict(table=GOOD, conf_level=True),
     r"`conf_level` must be a number strictly between 0 and 1; got conf_level=True"),
    ("fisher_test", dict(table=GOOD, conf_int="yes"), r"`conf_int` must be True or False; got conf_int='yes'"),
    ("fisher_test", dict(table=GOOD, or_=-1.0), r"`or_` must be a single number between 0 and Inf; got or_=-1\.0"),
    ("fisher_test", dict(table=GOOD, or_=math.nan), r"`or_` must be a single number between 0 and Inf; got or_=nan"),
    ("fisher_test", dict(table=GOOD, or_="2"), r"`or_` must be a single number between 0 and Inf; got or_='2'"),
    ("chisq_test", dict(table=[[3, -1], [1, 3]]), r"`table` counts must be non-negative; got table\[0, 1\]=-1\.0"),
    ("chisq_test", dict(table=[[3, 0.5], [1, 3]]), r"`table` counts must be integers; got table\[0, 1\]=0\.5"),
    ("chisq_test", dict(table=pd.DataFrame({"a": [1.0, np.nan], "b": [2, 3]})),
     r"`table` must hold finite counts; got table\[1, 0\]=nan"),
    ("chisq_test", dict(table=[[1], [2]]), r"`table` must have at least 2 rows and 2 columns; got shape \(2, 1\)"),
    ("chisq_test", dict(table=np.zeros((2, 2))),
     r"`table` must have at least one positive count; got all zeros in a 2 x 2 table"),
    ("chisq_test", dict(table=GOOD, correct="no"), r"`correct` must be True or False; got correct='no'"),
    ("chisq_test", dict(table=GOOD, correct=None), r"`correct` must be True or False; got correct=None"),
]


@pytest.mark.parametrize("engine", [pyimpl, rbridge], ids=["pyimpl", "r"])
@pytest.mark.parametrize("function, kwargs, message", BAD_ARGS,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_ARGS)])
def test_bad_arguments(engine, function, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        getattr(engine, function)(**kwargs)
