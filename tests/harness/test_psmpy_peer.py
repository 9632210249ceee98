"""psmpy as a peer engine for matchit: every row of its check classified, its
differences from MatchIt explained by their measured causes, its refusals named."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import rparity
from rparity.cases.matching import CASES as MATCHING_CASES
from rparity.check import run_check
from rparity.divergences import greedy_nearest_in_data_order, psmpy_logit, psmpy_rounds
from rparity_contract.verdicts import Classification

pytest.importorskip("psmpy", reason="psmpy is not installed (pip install 'rparity[peers]')")

KNOWN = {"psmpy-penalised-propensity-score", "psmpy-nearest-in-data-order", "psmpy-12n-matched-ids-row-major",
         "peer-warnings"}
#: the lalonde configurations psmpy can run (ATT, logit or its linear predictor, data order, ratio 1 with
#: caliper / replacement, ratio 2 without); each in the installed and the documented mode
RUN = {"default", "data", "ratio2", "linear-ratio2", "replace", "caliper0.1", "linear-caliper0.2"}


def _assert_classified(rep):
    assert not [(r.case, r.quantity, r.label) for r in rep.rows if r.classification.failing]
    assert {r.known for r in rep.rows if r.classification is Classification.KNOWN} == KNOWN
    rows = {(r.case, r.quantity): r for r in rep.rows}
    ran = {r.case for r in rep.rows if r.quantity == "distance"}
    assert ran == {f"matchit/{c}" for c in RUN} | {f"matchit/documented/{c}" for c in RUN}
    for case in ran:  # which units are focal, and that nothing is discarded, agree with R
        for q in ("focal", "discarded"):
            assert rows[(case, q)].classification is Classification.AGREES, (case, q)
        assert rows[(case, "distance")].known == "psmpy-penalised-propensity-score"
        assert "LogisticRegression(solver='liblinear', C=1)" in rows[(case, "distance")].evidence
    for case in ("matchit/default", "matchit/replace", "matchit/caliper0.1"):
        assert rows[(case, "match_matrix")].known == "psmpy-nearest-in-data-order", case
    for case in ("matchit/ratio2", "matchit/linear-ratio2"):
        assert rows[(case, "match_matrix")].known == "psmpy-12n-matched-ids-row-major", case
    # everything else is refused by name ("not provided"), never a failure
    others = {r.case for r in rep.rows if r.quantity == "(outcome)"}
    assert all(rows[(c, "(outcome)")].classification is Classification.NOT_PROVIDED for c in others)


def test_psmpy_against_golden_classifies_every_row():
    _assert_classified(run_check("psmpy", "golden", functions=["matchit"]))


@pytest.mark.r
def test_psmpy_against_r_classifies_every_row():
    """Live R on the configurations psmpy runs (the golden check above covers every case: the others are
    refused as not provided before any comparison)."""
    ids = {f"matchit/{c}" for c in RUN} | {f"matchit/documented/{c}" for c in RUN}
    _assert_classified(run_check("psmpy", "r", cases=[c for c in MATCHING_CASES if c.id in ids]))


def _lalonde(cfg="default"):
    case = next(c for c in MATCHING_CASES if c.id == f"matchit/{cfg}")
    return case, case.data()


def _golden(case):
    from rparity.golden import decode, golden_path

    doc = json.loads(golden_path(case).read_text())
    return {k: decode(v) for k, v in doc["values"].items()}


def test_penalised_logistic_regression_is_the_cause_of_the_score_difference():
    """psmpy's score is scikit-learn's liblinear fit (L2, C=1, intercept
    penalised) on the raw covariates, to the last bits (psmpy fits the rows
    controls first: 1 ulp apart); the unpenalised maximum
    likelihood fit is MatchIt's (R's glm, golden) to 1e-6; relaxing the penalty
    (C -> large) walks liblinear's score from psmpy's to R's."""
    from sklearn.linear_model import LogisticRegression

    from rparity_peers.psmpy_engine import design_matrix

    case, data = _lalonde()
    r = _golden(case)
    m = rparity.engine("psmpy").matchit(data, "treat", list(case.params["covariates"]))
    x = design_matrix(data, list(case.params["covariates"])).to_numpy(float)
    t = data["treat"].to_numpy()
    pen = LogisticRegression(solver="liblinear").fit(x, t).predict_proba(x)[:, 1]
    np.testing.assert_allclose(m.distance, pen, rtol=1e-14, atol=0)
    mle = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000).fit(x, t).predict_proba(x)
    np.testing.assert_allclose(mle[:, 1], r["distance"], rtol=1e-6)
    gap = [np.max(np.abs(LogisticRegression(solver="liblinear", C=c, tol=1e-10, max_iter=10000).fit(x, t)
                         .predict_proba(x)[:, 1] - r["distance"])) for c in (1.0, 1e2, 1e6)]
    assert gap[0] > 0.05 and gap[0] > gap[1] > gap[2] and gap[2] < 1e-3, gap
    # the linear predictor: psmpy's logit of its own score (log(p/1e-5) above 0.9999)
    lin = rparity.engine("psmpy").matchit(data, "treat", list(case.params["covariates"]), link="linear.logit")
    np.testing.assert_allclose(lin.distance, psmpy_logit(pen), rtol=1e-12)
    assert psmpy_logit([0.99995])[0] == pytest.approx(np.log(0.99995 / 1e-5))


def test_data_order_is_the_cause_of_the_pair_difference():
    """psmpy's pairs are the greedy nearest-neighbour match in data order on its
    own score: MatchIt's documented algorithm (pyimpl, compat=None) given
    psmpy's score and m_order='data' gives the same pairs (up to tied controls,
    which KDTree orders its own way); in MatchIt's default
    order (largest first) it does not."""
    from pyimpl.matching.matchit import matchit as documented

    case, data = _lalonde()
    covs = list(case.params["covariates"])
    for kw in ({}, {"replace": True}, {"caliper": 0.1}):
        m = rparity.engine("psmpy").matchit(data, "treat", covs, **kw)
        assert greedy_nearest_in_data_order(m.distance, m.treat, m.match_positions, replace=m.replace,
                                            caliper=m.caliper) is None
        extra = {"caliper": m.caliper, "std_caliper": False} if m.caliper is not None else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            same = documented(data, "treat", covs, distance=m.distance, m_order="data", compat=None,
                              replace=kw.get("replace", False), **extra)
            largest = documented(data, "treat", covs, distance=m.distance, compat=None,
                                 replace=kw.get("replace", False), **extra)
        # the same pairs up to controls with the same score (lalonde has tied controls: KDTree's order
        # among them is not MatchIt's first-in-data-order)
        mp, sp = m.match_positions, same.match_positions
        np.testing.assert_array_equal(mp < 0, sp < 0)
        np.testing.assert_array_equal(m.distance[mp[mp >= 0]], m.distance[sp[sp >= 0]])
        if not kw.get("replace"):  # (with replacement the weights depend on which twin is reused)
            np.testing.assert_array_equal(np.sort(m.weights), np.sort(same.weights))
        if not kw.get("replace"):  # with replacement MatchIt matches in data order too
            assert not np.array_equal(m.match_positions, largest.match_positions)


def test_kdtree_matched_12n_lists_pairs_row_by_row():
    """psmpy 0.3.16 reshapes its round-by-round match list row by row: treated
    unit i is listed with the first-round controls of units 2i, 2i+1 (ratio 2).
    Read round by round, its table is the greedy match in data order."""
    from psmpy import PsmPy

    rng = np.random.default_rng(1)
    n1, n0 = 6, 20
    df = pd.DataFrame({"_id": np.arange(n1 + n0), "_T": [1] * n1 + [0] * n0, "x": rng.normal(size=n1 + n0)})
    psm = PsmPy(df, treatment="_T", indx="_id", exclude=[])
    psm.logistic_ps(balance=False)
    psm.kdtree_matched_12n(matcher="propensity_score", how_many=2)
    table = psm.matched_ids[["largerclass_0group", "largerclass_1group"]].to_numpy()
    pred = psm.predicted_data.set_index("_id").reindex(np.arange(n1 + n0))
    d = pred["propensity_score"].to_numpy(float)
    treat = df["_T"].to_numpy()
    # the first round alone: each treated unit in order takes its nearest unused control
    free, first = set(range(n1, n1 + n0)), []
    for i in range(n1):
        j = min(sorted(free), key=lambda c: abs(d[c] - d[i]))
        first.append(j)
        free.discard(j)
    np.testing.assert_array_equal(table[0], first[0:2])  # unit 0 listed with units 0 and 1's first matches
    np.testing.assert_array_equal(table[2], first[4:6])
    assert greedy_nearest_in_data_order(d, treat, table, replace=False, caliper=None) is not None
    assert greedy_nearest_in_data_order(d, treat, psmpy_rounds(table), replace=False, caliper=None) is None
    m = rparity.engine("psmpy").matchit(df.drop(columns="_id").rename(columns={"_T": "t"}), "t", ["x"], ratio=2)
    np.testing.assert_array_equal(m.match_positions, table)  # the adapter reports psmpy's table as it is


def test_weights_are_matchits_for_the_matched_sets():
    from pyimpl.matching.matchit import matching_weights

    case, data = _lalonde()
    covs = list(case.params["covariates"])
    for kw in ({}, {"replace": True}, {"caliper": 0.05}, {"ratio": 2}):
        m = rparity.engine("psmpy").matchit(data, "treat", covs, **kw)
        np.testing.assert_array_equal(m.weights, matching_weights(m.match_positions, m.treat == 1))
        assert (m.subclass is None) == bool(kw.get("replace"))
    m = rparity.engine("psmpy").matchit(data, "treat", covs, replace=True)
    assert len(set(m.match_positions[:, 0])) < 185  # controls reused
    m = rparity.engine("psmpy").matchit(data, "treat", covs, caliper=0.05)
    assert m.caliper == pytest.approx(0.05 * np.std(m.distance, ddof=1), rel=1e-15)
    assert (m.match_positions[:, 0] < 0).any() and m.warnings  # psmpy's "Some values do not have a match"


def test_what_psmpy_does_not_compute_is_none_and_declared():
    from rparity_peers import psmpy_engine

    case, data = _lalonde()
    m = rparity.engine("psmpy").matchit(data, "treat", list(case.params["covariates"]))
    assert m.model is None and m.m_order == "data" and m.estimand == "ATT" and not m.discarded.any()
    assert psmpy_engine.NOT_COMPUTED["matchit"] == ()
    eng = rparity.engine("psmpy")
    assert eng.provided() == ["matchit"]
    with pytest.raises(NotImplementedError, match="does not provide matchit_summary"):
        eng.matchit_summary(m)


@pytest.mark.parametrize("kw, match", [
    ({"estimand": "ATC"}, "estimand='ATC'"),
    ({"m_order": "largest"}, "m_order='largest'"),
    ({"m_order": "random", "seed": 1}, "m_order='random'"),
    ({"exact": "married"}, "exact"),
    ({"mahvars": ["age"]}, "mahvars"),
    ({"discard": "both"}, "discard='both'"),
    ({"link": "probit"}, "link='probit'"),
    ({"distance": "mahalanobis"}, "distance='mahalanobis'"),
    ({"method": "subclass"}, "method='subclass'"),
    ({"method": "cem"}, "method='cem'"),
    ({"caliper": {"age": 1.0}}, "calipers on covariates"),
    ({"ratio": 2, "caliper": 0.1}, "ratio > 1"),
    ({"ratio": 2, "replace": True}, "ratio > 1"),
    ({"ratio": 3}, "runs out of controls"),
    ({"compat": "4.5.1"}, "compat"),
    ({"s_weights": "age"}, "s_weights"),
])
def test_what_psmpy_lacks_is_not_provided(kw, match):
    case, data = _lalonde()
    with pytest.raises(NotImplementedError, match=match):
        rparity.engine("psmpy").matchit(data, "treat", list(case.params["covariates"]), **kw)


def test_more_treated_than_controls_is_not_att_for_psmpy():
    """psmpy matches the smaller group (the controls when the groups are equal)."""
    df = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "x": [0.1, 0.5, 0.9, 0.2, 0.4, 0.8]})
    with pytest.raises(NotImplementedError, match="smaller group"):
        rparity.engine("psmpy").matchit(df, "t", ["x"])


def psmpy_options(drawn):
    """The matching cohorts' options restricted to what psmpy honours."""
    data, p = drawn
    p = {**p, "estimand": "ATT", "discard": "none"}
    p.pop("m_order", None)
    p.pop("seed", None)
    if p.get("ratio", 1) > 1:
        p.pop("caliper", None)
        p.pop("std_caliper", None)
        p["replace"] = False
    return data, p


@pytest.mark.r
def test_fuzz_campaign_against_r_finds_nothing_unexplained():
    from fixtures.strategies import matching_cohorts
    from rparity.fuzz import campaign

    strat = matching_cohorts(min_n=20, max_n=80, exact=False).map(psmpy_options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = campaign("psmpy", "r", "matchit", examples=10, seed=1, save=False, strategy=strat)
    assert res.examples_run == 10
    assert res.new == [], [(f.signature, f.params) for f in res.new]
    assert {f.signature for f in res.findings} <= {f"known:{k}" for k in KNOWN}
