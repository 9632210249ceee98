"""Differential properties: pyimpl equals R (through rbridge) within the
tolerance table on generated cohorts."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.strategies import survival_cohorts
from rparity.cases.survival import run_survdiff, run_survfit
from rparity.testing import differential

pytestmark = pytest.mark.r


def _probe_survfit(df, conf_type, conf_lower, weighted):
    times = sorted(set(np.quantile(df.time, [0, 0.3, 0.6, 1.0]).tolist()) | {0.0})
    params = {"time": "time", "event": "event", "conf_type": conf_type, "conf_lower": conf_lower,
              "times": times, "probs": [0.1, 0.25, 0.5, 0.75, 0.9]}
    if weighted:
        params["weights"] = "weights"
    return lambda eng: run_survfit(eng, df, params)


@given(df=survival_cohorts(weights="any"),
       conf_type=st.sampled_from(["log", "log-log", "plain", "logit", "arcsin", "none"]),
       conf_lower=st.sampled_from(["usual", "peto", "modified"]),
       weighted=st.booleans())
def test_survfit_matches_r(py_engine, r_engine, df, conf_type, conf_lower, weighted):
    differential("survfit", _probe_survfit(df, conf_type, conf_lower, weighted), py_engine, r_engine)


@given(df=survival_cohorts(min_n=2, groups=(2, 4), strata=True),
       rho=st.sampled_from([0.0, 0.0, 1.0, 0.5, 2.0]), use_strata=st.booleans())
def test_survdiff_matches_r(py_engine, r_engine, df, rho, use_strata):
    params = {"time": "time", "event": "event", "group": "group", "rho": rho}
    if use_strata:
        params["strata"] = "strata"
    differential("survdiff", lambda eng: run_survdiff(eng, df, params), py_engine, r_engine)


def test_single_subject(py_engine, r_engine):
    import pandas as pd

    df = pd.DataFrame({"time": [3.0], "event": [1.0]})
    differential("survfit", _probe_survfit(df, "log", "usual", False), py_engine, r_engine)
