"""causalml as a peer engine for matchit: every row of its check classified, its
differences from MatchIt explained by their measured causes (its calibrated
elastic-net score; its matcher taking a unit's k nearest at once), its
refusals named, and the recognisers shown to fail on a planted fault."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import rparity
from rparity.cases.matching import CASES as MATCHING_CASES
from rparity.check import run_check
from rparity.peer_matching import focal_order, greedy_nearest_match
from rparity_contract.verdicts import Classification

pytest.importorskip("causalml", reason="causalml is not installed (pip install 'rparity[peers]')")
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning",
                                        "ignore::sklearn.exceptions.ConvergenceWarning")

KNOWN = {"causalml-calibrated-elastic-net-score", "causalml-nearest-on-own-score", "peer-warnings"}
#: the lalonde configurations causalml can run (ATT and ATC, MatchIt's orders, ratio, replacement,
#: calipers, the linear predictor), each in the installed and the documented mode
RUN = {"default", "smallest", "data", "ratio2", "ratio3", "ratio3-replace", "atc", "atc-ratio2", "caliper0.1",
       "linear-caliper0.2", "linear-ratio2", "linear-caliper0.5-raw-ratio2", "replace"}


def _assert_classified(rep):
    assert not [(r.case, r.quantity, r.label) for r in rep.rows if r.classification.failing]
    assert {r.known for r in rep.rows if r.classification is Classification.KNOWN} == KNOWN
    rows = {(r.case, r.quantity): r for r in rep.rows}
    ran = {r.case for r in rep.rows if r.quantity == "distance"}
    assert ran == {f"matchit/{c}" for c in RUN} | {f"matchit/documented/{c}" for c in RUN}
    for case in ran:  # which units are focal, and that nothing is discarded, agree with R
        for q in ("focal", "discarded"):
            assert rows[(case, q)].classification is Classification.AGREES, (case, q)
        assert rows[(case, "distance")].known == "causalml-calibrated-elastic-net-score"
        assert "isotonic calibration" in rows[(case, "distance")].evidence
        assert rows[(case, "match_matrix")].known == "causalml-nearest-on-own-score", case
    others = {r.case for r in rep.rows if r.quantity == "(outcome)"}
    assert all(rows[(c, "(outcome)")].classification is Classification.NOT_PROVIDED for c in others)


def test_causalml_against_golden_classifies_every_row():
    _assert_classified(run_check("causalml", "golden", functions=["matchit"]))


@pytest.mark.r
def test_causalml_against_r_classifies_every_row():
    """Live R on the configurations causalml runs (the golden check above covers every case: the others are
    refused as not provided before any comparison)."""
    ids = {f"matchit/{c}" for c in RUN} | {f"matchit/documented/{c}" for c in RUN}
    _assert_classified(run_check("causalml", "r", cases=[c for c in MATCHING_CASES if c.id in ids]))


def _lalonde(cfg="default"):
    case = next(c for c in MATCHING_CASES if c.id == f"matchit/{cfg}")
    return case, case.data()


def _golden(case):
    from rparity.golden import decode, golden_path

    doc = json.loads(golden_path(case).read_text())
    return {k: decode(v) for k, v in doc["values"].items()}


def test_calibrated_elastic_net_is_the_cause_of_the_score_difference():
    """causalml's score is LogisticRegressionCV (elastic net) recalibrated by an
    isotonic regression: a step function with a handful of values; without the
    calibration it is a smooth penalised score; the unpenalised fit is R's."""
    from causalml.propensity import ElasticNetPropensityModel

    from rparity_peers._common import design_matrix

    case, data = _lalonde()
    r = _golden(case)
    covs = list(case.params["covariates"])
    m = rparity.engine("causalml").matchit(data, "treat", covs)
    assert np.unique(m.distance).size <= 20 < np.unique(r["distance"]).size  # calibrated: a step function
    assert m.distance.min() >= 1e-3 and m.distance.max() <= 1 - 1e-3  # clipped
    x = design_matrix(data, covs)
    mle = rparity.engine("pyimpl").glm_logit(x, data["treat"].to_numpy(float)).fitted
    assert np.max(np.abs(mle - r["distance"])) < 1e-12  # the unpenalised fit is R's glm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smooth = ElasticNetPropensityModel(calibrate=False).fit_predict(x.to_numpy(float), data["treat"])
    assert np.unique(smooth).size > 100  # the penalised fit alone is smooth: the steps are the calibration's
    assert np.max(np.abs(smooth - r["distance"])) > 0.05  # and the penalty moves it away from R's
    assert np.max(np.abs(m.distance - r["distance"])) > 0.1


def _user_distance_frame(n=60, seed=4):
    rng = np.random.default_rng(seed)
    t = (rng.random(n) < 0.3).astype(int)
    t[:3] = 1
    return pd.DataFrame({"t": t, "x": rng.normal(size=n), "d": rng.random(n)})


@pytest.mark.parametrize("kw", [{}, {"caliper": 0.1}, {"m_order": "smallest"}, {"m_order": "data"},
                                {"estimand": "ATC", "caliper": 0.3}, {"replace": True},
                                {"replace": True, "ratio": 2, "caliper": 0.2}])
def test_on_the_same_score_causalml_pairs_are_matchits_documented_ones(kw):
    """A user distance (MatchIt's ``distance = <vector>``) is matched on as
    given by both: with ratio 1, or with replacement, causalml's pairs are
    exactly MatchIt's documented algorithm's (pyimpl), caliper included."""
    df = _user_distance_frame()
    d = df["d"].to_numpy()
    if kw.get("estimand") == "ATC":
        df = df.assign(t=1 - df["t"])  # keep the focal group the smaller one
    mc = rparity.engine("causalml").matchit(df, "t", ["x"], distance=d, **kw)
    mp = rparity.engine("pyimpl").matchit(df, "t", ["x"], distance=d, **kw)
    np.testing.assert_array_equal(mc.distance, d)
    np.testing.assert_array_equal(np.sort(mc.match_positions, axis=1), np.sort(mp.match_positions, axis=1))
    np.testing.assert_allclose(mc.weights, mp.weights, rtol=1e-15)
    if kw.get("caliper"):
        assert mc.caliper == pytest.approx(mp.caliper, rel=1e-15)


def test_ratio_k_is_taken_at_once_not_in_rounds():
    """Hand example: focal A (1.0) then B (0.9); controls 0.95, 0.89, 0.7, 0.6.
    MatchIt in rounds: A-0.95, B-0.89, then A-0.7, B-0.6. causalml: A takes its
    two nearest at once (0.95, 0.89), B gets 0.7 and 0.6."""
    df = pd.DataFrame({"t": [1, 1, 0, 0, 0, 0], "x": [0.0] * 6})
    d = np.array([1.0, 0.9, 0.95, 0.89, 0.7, 0.6])
    mc = rparity.engine("causalml").matchit(df, "t", ["x"], distance=d, ratio=2)
    mp = rparity.engine("pyimpl").matchit(df, "t", ["x"], distance=d, ratio=2)
    assert [sorted(r) for r in mc.match_positions.tolist()] == [[2, 3], [4, 5]]
    assert [sorted(r) for r in mp.match_positions.tolist()] == [[2, 4], [3, 5]]
    focal = np.array([True, True, False, False, False, False])
    order = focal_order(d, focal, "largest")
    assert greedy_nearest_match(d, focal, mc.match_positions, order, replace=False, caliper=None, at_once=True) \
        is None
    assert greedy_nearest_match(d, focal, mc.match_positions, order, replace=False, caliper=None, at_once=False) \
        is not None
    assert greedy_nearest_match(d, focal, mp.match_positions, order, replace=False, caliper=None, at_once=False) \
        is None


def test_the_pair_check_fails_on_a_planted_fault(monkeypatch):
    """A causalml engine whose pairs are shifted by one focal unit: the pair
    rows are no longer explained (new divergence), so the known divergence
    cannot cover a broken matcher."""
    from rparity_peers import causalml_engine

    real = causalml_engine._match_matrix

    def shifted(pairs, focal, ratio):
        return np.roll(real(pairs, focal, ratio), 1, axis=0)

    monkeypatch.setattr(causalml_engine, "_match_matrix", shifted)
    cases = [c for c in MATCHING_CASES if c.id in ("matchit/default", "matchit/replace")]
    rep = run_check("causalml", "golden", functions=["matchit"], cases=cases)
    bad = {(r.case, r.quantity) for r in rep.rows if r.classification.failing}
    assert ("matchit/default", "match_matrix") in bad and ("matchit/replace", "match_matrix") in bad


def test_the_score_check_fails_on_a_planted_fault(monkeypatch):
    """An adapter whose score is off by 1 % is not covered: the recogniser
    refits causalml's model itself, not through the adapter."""
    from rparity_peers import causalml_engine

    real = causalml_engine.causalml_score
    monkeypatch.setattr(causalml_engine, "causalml_score", lambda x, t: real(x, t) * 0.99)
    rep = run_check("causalml", "golden", functions=["matchit"], cases=[_lalonde()[0]])
    row = next(r for r in rep.rows if r.quantity == "distance")
    assert row.classification.failing


def test_weights_are_matchits_for_the_matched_sets():
    from pyimpl.matching.matchit import matching_weights

    case, data = _lalonde()
    covs = list(case.params["covariates"])
    for kw in ({}, {"replace": True}, {"caliper": 0.05}, {"ratio": 2}, {"estimand": "ATC", "ratio": 2}):
        m = rparity.engine("causalml").matchit(data, "treat", covs, **kw)
        focal = (m.treat == 1) if m.estimand == "ATT" else (m.treat == 0)
        np.testing.assert_array_equal(m.weights, matching_weights(m.match_positions, focal))
        assert (m.subclass is None) == bool(kw.get("replace"))


@pytest.mark.parametrize("kw, match", [
    ({"estimand": "ATE"}, "estimand='ATE'"),
    ({"m_order": "random", "seed": 1}, "m_order='random'"),
    ({"exact": "married"}, "exact"),
    ({"mahvars": ["age"]}, "mahvars"),
    ({"antiexact": ["married"]}, "antiexact"),
    ({"discard": "both"}, "discard='both'"),
    ({"link": "probit"}, "link='probit'"),
    ({"distance": "mahalanobis"}, "distance='mahalanobis'"),
    ({"method": "subclass"}, "method='subclass'"),
    ({"method": "exact"}, "method='exact'"),
    ({"caliper": {"age": 1.0}}, "calipers on covariates"),
    ({"compat": "4.5.1"}, "compat"),
    ({"s_weights": "age"}, "s_weights"),
    ({"ratio": 0}, "ratio=0"),
    ({"caliper": -1.0}, "caliper=-1.0"),
])
def test_what_causalml_lacks_is_not_provided(kw, match):
    case, data = _lalonde()
    with pytest.raises(NotImplementedError, match=match):
        rparity.engine("causalml").matchit(data, "treat", list(case.params["covariates"]), **kw)


def test_bad_input_is_named():
    from rparity_contract.errors import InvalidArgument

    case, data = _lalonde()
    covs = list(case.params["covariates"])
    with pytest.raises(InvalidArgument, match="`treat` must name a column"):
        rparity.engine("causalml").matchit(data, "nope", covs)
    with pytest.raises(InvalidArgument, match="not columns of `data`"):
        rparity.engine("causalml").matchit(data, "treat", ["nope"])
    with pytest.raises(InvalidArgument, match="one per unit"):
        rparity.engine("causalml").matchit(data, "treat", covs, distance=np.ones(3))


def causalml_options(drawn):
    """The matching cohorts' options restricted to what causalml honours."""
    data, p = drawn
    p = {**p, "discard": "none"}
    if p.get("estimand") == "ATE":
        p["estimand"] = "ATT"
    if p.get("m_order") == "random":
        p.pop("m_order")
        p.pop("seed", None)
    return data, p


@pytest.mark.r
def test_fuzz_campaign_against_r_finds_nothing_unexplained():
    from fixtures.strategies import matching_cohorts
    from rparity.fuzz import campaign

    strat = matching_cohorts(min_n=30, max_n=80, exact=False).map(causalml_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = campaign("causalml", "r", "matchit", examples=5, seed=1, save=False, strategy=strat)
    assert res.examples_run == 5
    assert res.new == [], [(f.signature, f.params) for f in res.new]
    assert {f.signature for f in res.findings} <= {f"known:{k}" for k in KNOWN}
