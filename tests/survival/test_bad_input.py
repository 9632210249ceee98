"""Bad input gets an InvalidArgument naming the argument, in every engine
(rbridge validates before calling R, so these run without R)."""
import numpy as np
import pytest

import pyimpl
import rbridge
from pyimpl.errors import InvalidArgument

T = [1.0, 2.0, 3.0, 4.0]
E = [1, 0, 1, 1]
G = ["a", "a", "b", "b"]

SURVFIT_BAD = [
    (dict(time=[1.0, np.nan, 3.0, 4.0], event=E), r"`time` must be finite.*time\[1\]=nan"),
    (dict(time=[1.0, np.inf, 3.0, 4.0], event=E), r"`time` must be finite.*time\[1\]=inf"),
    (dict(time=[1.0, -2.0, 3.0, 4.0], event=E), r"`time` must be non-negative.*time\[1\]=-2.0"),
    (dict(time=T, event=[1, 2, 0, 1]), r"`event` must be 0/1.*event\[1\]=2.0"),
    (dict(time=T, event=[1, 0.5, 0, 1]), r"`event` must be 0/1"),
    (dict(time=T, event=["yes", "no", "no", "no"]), r"`event` must be numeric"),
    (dict(time=T, event=[1, 0, 1]), r"equal lengths.*len\(time\)=4, len\(event\)=3"),
    (dict(time=T, event=E, weights=[1, -1, 1, 1]), r"`weights` must be non-negative.*weights\[1\]=-1.0"),
    (dict(time=T, event=E, weights=[1, 1, 1]), r"equal lengths"),
    (dict(time=T, event=E, weights=[1, np.nan, 1, 1]), r"`weights` must be finite"),
    (dict(time=T, event=E, conf_type="loglog"), r"`conf_type` must be one of"),
    (dict(time=T, event=E, conf_lower="wide"), r"`conf_lower` must be one of"),
    (dict(time=T, event=E, conf_int=1.5), r"`conf_int` must be strictly between 0 and 1"),
    (dict(time=T, event=E, conf_int=True), r"`conf_int` must be a number"),
    (dict(time=[], event=[]), r"`time` must not be empty"),
    (dict(time=[[1, 2], [3, 4]], event=E), r"`time` must be 1-D"),
]

SURVDIFF_BAD = [
    (dict(time=T, event=E, group=["a", "a", "a", "a"]), r"`group` must have at least 2 distinct values"),
    (dict(time=T, event=E, group=["a", None, "b", "b"]), r"`group` must not contain missing values"),
    (dict(time=T, event=E, group=[1.0, np.nan, 2.0, 2.0]), r"`group` must not contain missing"),
    (dict(time=T, event=E, group=G[:3]), r"equal lengths"),
    (dict(time=T, event=E, group=G, strata=[1, 1, 2]), r"equal lengths"),
    (dict(time=T, event=E, group=G, rho=float("nan")), r"`rho` must be a finite number"),
    (dict(time=T, event=E, group=G, rho="one"), r"`rho` must be a finite number"),
    (dict(time=[1.0, -1, 2, 3], event=E, group=G), r"`time` must be non-negative"),
    (dict(time=T, event=[0, 1, 3, 1], group=G), r"`event` must be 0/1"),
]


@pytest.mark.parametrize("engine", [pyimpl, rbridge], ids=["pyimpl", "r"])
@pytest.mark.parametrize("kwargs,match", SURVFIT_BAD)
def test_survfit_bad_args(engine, kwargs, match):
    kwargs = dict(kwargs)
    with pytest.raises(InvalidArgument, match=match):
        engine.survfit(kwargs.pop("time"), kwargs.pop("event"), **kwargs)


@pytest.mark.parametrize("engine", [pyimpl, rbridge], ids=["pyimpl", "r"])
@pytest.mark.parametrize("kwargs,match", SURVDIFF_BAD)
def test_survdiff_bad_args(engine, kwargs, match):
    kwargs = dict(kwargs)
    with pytest.raises(InvalidArgument, match=match):
        engine.survdiff(kwargs.pop("time"), kwargs.pop("event"), kwargs.pop("group"), **kwargs)


def test_invalid_argument_is_a_value_error():
    with pytest.raises(ValueError):
        pyimpl.survfit([1, 2], [1, 5])


def test_summary_beyond_follow_up_needs_extend():
    fit = pyimpl.survfit(T, E)
    with pytest.raises(InvalidArgument, match="extend=True"):
        fit.summary([10.0])
    assert fit.summary([10.0], extend=True)["n_risk"].tolist() == [0.0]


def test_quantile_probs_must_be_probabilities():
    with pytest.raises(InvalidArgument, match="`probs` must be probabilities"):
        pyimpl.survfit(T, E).quantile([1.5])
