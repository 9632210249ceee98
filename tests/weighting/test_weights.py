"""ps_weights and weighted_balance: closed forms, live R, a differential test,
bad arguments, and the seeded faults.

(a) closed forms (no R); (b) live R (marked ``r``); (c) bad input; (d) faults.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl.weighting import ps_weights, weighted_balance
from pyimpl.weighting.weights import (
    _check_weights,
    ess,
    quantile_type3,
    stabilize_weights,
    trim_weights,
    weights_from_ps,
)
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.weighting import WEIGHTED_BALANCE_COLUMNS

LALONDE_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]


def _tiny() -> pd.DataFrame:
    # x = 0: 1 of 4 treated; x = 1: 3 of 4 treated. A saturated logistic model:
    # the score is the cell's proportion (0.25, 0.75) up to glm's convergence
    return pd.DataFrame({"t": [1, 0, 0, 0, 1, 1, 1, 0], "x": [0, 0, 0, 0, 1, 1, 1, 1]})


# -- (a) closed forms ------------------------------------------------------------------------------

def test_weight_formulas_on_known_scores():
    ps = np.array([0.25, 0.25, 0.75, 0.75])
    t = np.array([1, 0, 1, 0])
    np.testing.assert_array_equal(weights_from_ps(ps, t, "ATE"), [4.0, 1 / 0.75, 1 / 0.75, 4.0])
    np.testing.assert_array_equal(weights_from_ps(ps, t, "ATT"), [1.0, 0.25 / 0.75, 1.0, 3.0])
    # ATC: WeightIt's .p2o(1 - ps) = q / (1 - q), q = 1 - ps
    np.testing.assert_array_equal(weights_from_ps(ps, t, "ATC"), [0.75 / 0.25, 1.0, 0.25 / 0.75, 1.0])


def test_the_saturated_model_reproduces_the_cell_proportions():
    r = ps_weights(_tiny(), "t", ["x"])
    np.testing.assert_allclose(r.ps, [0.25] * 4 + [0.75] * 4, rtol=1e-9)
    np.testing.assert_allclose(r.weights, [4, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4 / 3, 4], rtol=1e-9)
    # ESS per arm: (sum w)^2 / sum w^2; treated (4, 4/3, 4/3, 4/3): 64 / (16 + 16/3)
    assert r.ess_treated == pytest.approx(64 / (16 + 16 / 3), rel=1e-9)
    assert r.ess_control == pytest.approx(64 / (16 + 16 / 3), rel=1e-9)
    assert (r.n_treated, r.n_control) == (4, 4)
    att = ps_weights(_tiny(), "t", ["x"], estimand="ATT")
    np.testing.assert_allclose(att.weights, [1, 1 / 3, 1 / 3, 1 / 3, 1, 1, 1, 3], rtol=1e-9)
    stab = ps_weights(_tiny(), "t", ["x"], stabilize=True)
    np.testing.assert_allclose(stab.weights, r.weights * 0.5, rtol=1e-15)


def test_stabilisation_multiplies_by_the_own_arms_proportion():
    t = np.array([1, 0, 0, 0])
    np.testing.assert_array_equal(stabilize_weights(np.ones(4), t), [0.25, 0.75, 0.75, 0.75])


def test_quantile_type3_is_the_nearest_even_order_statistic():
    x = np.arange(1.0, 11.0)
    # R: quantile(1:10, c(.25, .5, .9, 0, 1), type = 3) -> 2 5 9 1 10
    assert quantile_type3(x, [0.25, 0.5, 0.9, 0.0, 1.0]) == [2.0, 5.0, 9.0, 1.0, 10.0]
    # R: quantile(c(3, 1, 2), .5, type = 3) -> 2 (n p - 0.5 = 1, odd j: the 2nd)
    assert quantile_type3(np.array([3.0, 1.0, 2.0]), [0.5]) == [2.0]


def test_trimming_leaves_a_constant_arm_alone_and_winsorises_the_other():
    t = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    w = np.array([1.0, 1.0, 1.0, *np.arange(1.0, 11.0)])
    out, bounds, warns = trim_weights(w, t, 0.9, lower=False)
    np.testing.assert_array_equal(out[:3], 1.0)
    np.testing.assert_array_equal(out[3:], [1, 2, 3, 4, 5, 6, 7, 8, 9, 9])
    assert bounds[1] == 9.0 and np.isnan(bounds[0]) and warns == []
    out, bounds, _ = trim_weights(w, t, 2, lower=True)  # a count: the top and bottom 2
    np.testing.assert_array_equal(out[3:], [3, 3, 3, 4, 5, 6, 7, 8, 8, 8])
    assert bounds == (3.0, 8.0)
    same, _, warns = trim_weights(np.ones(13), t, 0.9, lower=False)
    assert warns == ["weights are all the same in each treatment group and will not be trimmed"]
    np.testing.assert_array_equal(same, 1.0)


def test_ess_of_equal_weights_is_the_count():
    assert ess(np.full(7, 2.5)) == pytest.approx(7.0, rel=1e-15)


def test_balance_closed_forms():
    d = pd.DataFrame({"t": [1, 1, 0, 0], "x": [1.0, 3.0, 0.0, 2.0], "b": [1, 0, 0, 0]})
    w = np.array([1.0, 3.0, 1.0, 1.0])
    tab = weighted_balance(d, "t", ["x", "b"], w, estimand="ATT").table
    # weighted treated mean (1 + 9) / 4; control mean 1; treated SD sqrt(2) (unweighted, n - 1)
    assert tab.loc["x", "means_treated"] == 2.5
    assert tab.loc["x", "sd_denom"] == pytest.approx(np.sqrt(2.0), rel=1e-15)
    assert tab.loc["x", "std_mean_diff"] == pytest.approx(1.5 / np.sqrt(2.0), rel=1e-15)
    assert tab.loc["x", "std_mean_diff_un"] == pytest.approx(1.0 / np.sqrt(2.0), rel=1e-15)
    # binary: p(1 - p) of the unweighted treated (0.5): SD 0.5; weighted treated mean 1/4
    assert tab.loc["b", "sd_denom"] == 0.5 and tab.loc["b", "std_mean_diff"] == pytest.approx(0.5)
    assert np.isnan(tab.loc["b", "var_ratio"])
    # pooled (ATE): sqrt((v1 + v0) / 2), v1 = v0 = 2
    ate = weighted_balance(d, "t", ["x"], np.ones(4), estimand="ATE").table
    assert ate.loc["x", "sd_denom"] == pytest.approx(np.sqrt(2.0), rel=1e-15)
    assert list(tab.columns) == list(WEIGHTED_BALANCE_COLUMNS)


def test_a_separating_model_warns_as_r_does():
    d = fixtures.load("lalonde")
    d = d.assign(sep=np.where(d["treat"] == 1, d["age"], -d["age"]).astype(float))
    with pytest.warns(RParityWarning, match="fitted probabilities numerically 0 or 1 occurred"):
        r = ps_weights(d, "treat", ["educ", "sep"])
    assert "glm.fit: fitted probabilities numerically 0 or 1 occurred" in r.warnings
    assert np.isfinite(r.weights).all()


# -- (c) bad input ---------------------------------------------------------------------------------

BAD_ARGS = [
    (dict(estimand="ATO"), "estimand.value", "estimand"),
    (dict(estimand="ATT", stabilize=True), "stabilize.estimand", "stabilize"),
    (dict(trim=0.3), "trim.value", "trim"),
    (dict(trim=1.0 + 0.5), "trim.value", "trim"),
    (dict(trim=float("nan")), "trim.value", "trim"),
    (dict(trim=True), "trim.value", "trim"),
    (dict(link="linear.logit"), "link.value", "link"),
    (dict(stabilize="yes"), "argument.value", "stabilize"),
    (dict(trim_lower=1), "argument.value", "trim_lower"),
]


@pytest.mark.parametrize("kw, kind, word", BAD_ARGS)
def test_bad_arguments_are_refused_naming_the_argument(kw, kind, word):
    with pytest.raises(InvalidArgument, match=word) as e:
        ps_weights(_tiny(), "t", ["x"], **kw)
    assert e.value.kind == kind


@pytest.mark.parametrize("data, treat, covs, kind", [
    (pd.DataFrame({"t": [1, 0, 2, 0], "x": [1, 2, 3, 4]}), "t", ["x"], "treat.binary"),
    (pd.DataFrame({"t": [1, 0, None, 0], "x": [1, 2, 3, 4]}), "t", ["x"], "treat.missing"),
    (pd.DataFrame({"t": [1, 0, 1, 0], "x": [1, np.nan, 3, 4]}), "t", ["x"], "covariates.missing"),
    (pd.DataFrame({"t": [1, 0, 1, 0], "x": [1, 2, 3, 4]}), "t", ["y"], "data.column"),
    (pd.DataFrame({"t": [1, 0, 1, 0], "x": [1, 2, 3, 4]}), "t", [], "covariates.empty"),
    (pd.DataFrame({"t": [1, 0, 1, 0], "x": [1, 2, 3, 4]}), "t", ["t"], "covariates.treat"),
])
def test_bad_data_is_refused(data, treat, covs, kind):
    with pytest.raises(InvalidArgument) as e:
        ps_weights(data, treat, covs)
    assert e.value.kind == kind


def test_non_finite_and_zero_arm_weights_are_refused():
    t = np.array([1, 0, 0])
    with pytest.raises(InvalidArgument, match="must be finite") as e:
        _check_weights(weights_from_ps(np.array([0.5, 1.0, 0.5]), t, "ATE"), t, "ATE")
    assert e.value.kind == "weights.nonfinite"
    with pytest.raises(InvalidArgument, match="zero for every control unit") as e:
        _check_weights(weights_from_ps(np.array([0.5, 0.0, 0.0]), t, "ATT"), t, "ATT")
    assert e.value.kind == "weights.arm"
    with pytest.raises(InvalidArgument, match="non-negative") as e:
        _check_weights(weights_from_ps(np.array([0.5, 1.5, 0.5]), t, "ATE"), t, "ATE")
    assert e.value.kind == "weights.negative"
    d = _tiny()
    with pytest.raises(InvalidArgument, match="zero for every treated unit") as e:
        weighted_balance(d, "t", ["x"], 1.0 - d["t"].to_numpy(float))
    assert e.value.kind == "weights.arm"
    with pytest.raises(InvalidArgument) as e:
        weighted_balance(d, "t", ["x"], np.ones(3))
    assert e.value.kind == "lengths"


# -- (b) live R --------------------------------------------------------------------------------------

def _both(fn_name: str, *args, **kw):
    """(pyimpl result or its refusal kind, R's result or its refusal kind)."""
    import pyimpl
    import rbridge
    from rparity.refusals import refusal_kind

    out = []
    for eng in (pyimpl, rbridge):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(getattr(eng, fn_name)(*args, **kw))
        except Exception as exc:  # noqa: BLE001 - a refusal, compared by kind
            out.append(refusal_kind(exc, fn_name))
    return out


@pytest.mark.r
@pytest.mark.parametrize("kw", [
    dict(), dict(estimand="ATT"), dict(estimand="ATC"), dict(stabilize=True), dict(link="probit", trim=0.9),
    dict(link="cloglog", trim=0.95, trim_lower=True), dict(link="cauchit", estimand="ATC"),
    dict(estimand="ATT", trim=5, trim_lower=True), dict(link="log", estimand="ATT"),
])
def test_ps_weights_are_r_s_bit_for_bit(kw):
    d = fixtures.load("lalonde")
    a, b = _both("ps_weights", d, "treat", LALONDE_COVS, **kw)
    if isinstance(a, str) or isinstance(b, str):  # the log link can leave (0, 1): both refuse alike
        assert a == b
        return
    for k, v in a.quantities().items():
        np.testing.assert_array_equal(np.asarray(v, float), np.asarray(b.quantities()[k], float), err_msg=k)
    assert a.warnings == b.warnings and a.model.names == b.model.names
    np.testing.assert_array_equal(a.trimmed_at, b.trimmed_at)


@pytest.mark.r
@pytest.mark.parametrize("estimand", ["ATE", "ATT", "ATC"])
def test_weighted_balance_is_r_s(estimand):
    d = fixtures.load("lalonde").assign(flag=lambda x: x["married"] == 1)
    w = ps_weights(d, "treat", LALONDE_COVS, estimand=estimand).weights
    a, b = _both("weighted_balance", d, "treat", [*LALONDE_COVS, "flag"], w, estimand=estimand)
    assert list(a.table.index) == list(b.table.index)
    np.testing.assert_array_equal(a.table.to_numpy(), b.table.to_numpy())


def _matchit_s_weights(d: pd.DataFrame, covs: list[str], w: np.ndarray) -> pd.DataFrame:
    """MatchIt 4.5.1: summary(matchit(treat ~ covs, data, method = NULL, distance = "glm", s.weights = w))$sum.all."""
    import rbridge

    rbridge.session()
    with rbridge.exclusive_r():
        import rpy2.robjects as ro
        from rpy2.robjects import pandas2ri
        from rpy2.robjects.conversion import localconverter

        fn = ro.r("""function(d, covs, w) {
          d$w <- w
          f <- stats::reformulate(covs, "treat")
          m <- MatchIt::matchit(f, data = d, method = NULL, distance = "glm", s.weights = ~w)
          s <- summary(m)$sum.all
          list(rows = rownames(s), tab = unname(s[, 1:4]))
        }""")
        with localconverter(ro.default_converter + pandas2ri.converter):
            rd = ro.conversion.py2rpy(d)
        out = fn(rd, ro.StrVector(covs), ro.FloatVector(w))
        res = dict(zip(out.names, out))
        return pd.DataFrame(np.asarray(res["tab"]), index=list(res["rows"]),
                            columns=["means_treated", "means_control", "smd", "var_ratio"])


@pytest.mark.r
def test_weighted_means_and_variance_ratios_are_matchit_s_with_s_weights():
    d = fixtures.load("lalonde")
    covs = ["age", "educ", "married", "nodegree", "re74", "re75"]
    w = ps_weights(d, "treat", covs, estimand="ATT").weights
    ours = weighted_balance(d, "treat", covs, w, estimand="ATT").table
    mi = _matchit_s_weights(d[["treat", *covs]], covs, w).loc[covs]
    np.testing.assert_allclose(ours["means_treated"], mi["means_treated"], rtol=1e-13)
    np.testing.assert_allclose(ours["means_control"], mi["means_control"], rtol=1e-13)
    cont = ~ours["binary"].astype(bool)
    np.testing.assert_allclose(ours["var_ratio"][cont], mi["var_ratio"][cont], rtol=1e-12)
    # MatchIt standardises by the focal group's SD computed with s.weights; the ATT's treated weights are all
    # 1, so that is the unweighted treated SD (cobalt's convention): the SMDs agree, binary columns included
    np.testing.assert_allclose(ours["std_mean_diff"], mi["smd"], rtol=1e-12)
    # with ATE weights the treated weights vary: MatchIt's (weighted) treated SD is not the unweighted one
    w_ate = ps_weights(d, "treat", covs).weights
    ate = weighted_balance(d, "treat", covs, w_ate, estimand="ATE").table
    mi_ate = _matchit_s_weights(d[["treat", *covs]], covs, w_ate).loc[covs]
    np.testing.assert_allclose(ate["means_treated"], mi_ate["means_treated"], rtol=1e-13)
    assert not np.allclose(ate["std_mean_diff"], mi_ate["smd"], rtol=1e-6)


@pytest.mark.r
@given(rows=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.floats(-3, 3, allow_nan=False, width=32),
                               st.integers(0, 2)), min_size=6, max_size=40),
       estimand=st.sampled_from(["ATE", "ATT", "ATC"]), stabilize=st.booleans(),
       trim=st.sampled_from([None, 0.8, 0.95, 1, 2]), lower=st.booleans(),
       link=st.sampled_from(["logit", "probit", "cloglog", "cauchit"]))
@settings(max_examples=40, deadline=None)
def test_random_data_match_r(rows, estimand, stabilize, trim, lower, link):
    arr = np.array(rows, dtype=float)
    d = pd.DataFrame({"t": arr[:, 0].astype(int), "b": arr[:, 1].astype(int), "x": arr[:, 2],
                      "g": pd.Categorical(np.array(["a", "b", "c"])[arr[:, 3].astype(int)])})
    kw = dict(estimand=estimand, stabilize=stabilize, trim=trim, trim_lower=lower, link=link)
    a, b = _both("ps_weights", d, "t", ["b", "x", "g"], **kw)
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=0)
    np.testing.assert_allclose([a.ess_treated, a.ess_control], [b.ess_treated, b.ess_control], rtol=1e-10)
    assert a.warnings == b.warnings
    ba, bb = _both("weighted_balance", d, "t", ["b", "x", "g"], a.weights, estimand=estimand)
    if isinstance(ba, str) or isinstance(bb, str):
        assert ba == bb
        return
    assert list(ba.table.index) == list(bb.table.index)
    np.testing.assert_allclose(ba.table.to_numpy(), bb.table.to_numpy(), rtol=1e-10, atol=1e-300)


@pytest.mark.r
def test_r_refuses_what_pyimpl_refuses():
    d = _tiny()
    for kw in (dict(estimand="ATO"), dict(estimand="ATT", stabilize=True), dict(trim=0.3), dict(trim=2.5),
               dict(link="linear.logit")):
        a, b = _both("ps_weights", d, "t", ["x"], **kw)
        assert isinstance(a, str) and a == b, kw
    a, b = _both("weighted_balance", d, "t", ["x"], 1.0 - d["t"].to_numpy(float))
    assert a == b == "weights.arm"


# -- (d) seeded faults -------------------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["ps-weights-att-without-odds", "ps-weights-stabilize-other-arm",
                                   "ps-weights-trim-quantile-type7", "weighted-balance-pooled-sd"])
def test_seeded_faults_are_caught_against_the_golden_files(fault):
    from rparity.faults_cli import run_faults

    (res,) = run_faults("golden", only=[fault])
    assert res.caught, fault
