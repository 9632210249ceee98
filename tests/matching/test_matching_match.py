"""Matching::Match (matching_match): values by hand, live comparisons with R's
Matching 4.10-8 (the parity cases and random small data with deliberate ties),
the bad-argument table, and the seeded faults shown caught."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyimpl.matching.match_ai import matching_match
from rparity.cases.matching_match import CASES
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.matching_match import MatchingMatch

# 3 treated, 4 controls; one column. Treated at 0 and 2 sit half-way between two controls: ties.
TR = np.array([1, 1, 1, 0, 0, 0, 0])
X = np.array([0.0, 2, 5, -1, 1, 3, 10])
Y = np.array([10.0, 12, 20, 7, 9, 15, 30])


# -- (a) by hand --------------------------------------------------------------------------------------


def test_three_treated_four_controls_with_ties_by_hand():
    r = matching_match(Y, TR, X)
    # treated 1 (x=0) ties controls 4, 5 (x=-1, 1); treated 2 (x=2) ties 5, 6; treated 3 (x=5) has 6 alone
    np.testing.assert_array_equal(r.index_treated, [1, 1, 2, 2, 3])
    np.testing.assert_array_equal(r.index_control, [4, 5, 5, 6, 6])
    np.testing.assert_array_equal(r.weights, [0.5, 0.5, 0.5, 0.5, 1.0])
    # unit effects: 10 - (7+9)/2 = 2, 12 - (9+15)/2 = 0, 20 - 15 = 5
    assert r.est == pytest.approx(7 / 3, rel=1e-15)
    assert r.est_noadj == pytest.approx(7 / 3, rel=1e-15)
    v1 = np.array([3.0, 1, 3, -3, 5])
    assert r.se_standard == pytest.approx(math.sqrt(np.sum(r.weights * (v1 - 7 / 3) ** 2) / 9), rel=1e-14)
    # Abadie-Imbens, Var.calc = 0: sigma^2 = 0.5 sum W (tau - est)^2 / sum W = 34/9;
    # K = (1/2, 1, 3/2, 0), K' = (1/4, 1/2, 5/4, 0): sum K^2 - K' = 3/2 -> (3/2)(34/9)/9 = 17/27;
    # sum over treated (tau_i - est)^2 / 9 = (1/9 + 49/9 + 64/9)/9 = 38/27
    assert r.se == pytest.approx(math.sqrt(55 / 27), rel=1e-14)
    assert (r.nobs, r.wnobs, r.ndrops, r.ndrops_matches, r.orig_treated_nobs) == (7, 3.0, 0.0, 0, 3)
    assert r.version == "standard" and r.matched


def test_atc_reverses_the_groups_and_the_sign():
    r = matching_match(Y, TR, X, "ATC")
    # control at -1 -> treated 0; at 1 -> treated 0 and 2 (a tie); at 3 -> treated 2; at 10 -> treated 5
    np.testing.assert_array_equal(r.index_control, [4, 5, 5, 6, 7])
    np.testing.assert_array_equal(r.index_treated, [1, 1, 2, 2, 3])
    unit = [10 - 7, (10 + 12) / 2 - 9, 12 - 15, 20 - 30]
    assert r.est == pytest.approx(np.mean(unit), rel=1e-14)


def test_fewer_than_m_valid_matches_drops_the_whole_unit():
    g = np.array([0.0, 0, 1, 0, 0, 1, 0])  # treated 3 has one control of its group, M = 2 needs two
    r = matching_match(Y, TR, np.column_stack([X, g]), M=2, exact=[False, True])
    np.testing.assert_array_equal(r.index_treated, [1, 1, 2, 2])
    np.testing.assert_array_equal(r.index_control, [4, 5, 4, 5])
    assert (r.ndrops_matches, r.ndrops) == (1, 1.0)
    np.testing.assert_array_equal(r.index_dropped, [3])
    # the exact ecaliper Match reports is `tolerance`, not the distance.tolerance it matched within
    assert r.ecaliper[1] == pytest.approx(math.sqrt(np.finfo(float).eps), rel=0)


def test_y_null_is_matching_only():
    r = matching_match(None, TR, X)
    assert r.se is None and r.version == "fast" and r.est == 0.0
    assert r.quantities()["se"] != r.quantities()["se"]  # NULL compared as NaN


def test_no_valid_match_is_r_na_with_its_warning():
    with pytest.warns(RParityWarning, match="no valid matches"):
        r = matching_match(Y, TR, X, caliper=0.0)
    assert not r.matched and r.index_treated.size == 0 and math.isnan(r.est)


def test_ties_false_draws_with_the_seed_and_refuses_without_one():
    a = matching_match(Y, TR, X, ties=False, seed=1)
    assert a.weights.tolist() == [1.0, 1.0, 1.0]
    assert a.index_control.tolist() == matching_match(Y, TR, X, ties=False, seed=1).index_control.tolist()
    with pytest.raises(InvalidArgument) as err:
        matching_match(Y, TR, X, ties=False)
    assert err.value.kind == "seed.missing"
    # no tie to break: no draw, no seed needed
    assert matching_match(Y, TR, X + np.array([0, 0, 0, 0, 0.5, 0, 0]), ties=False).weights.size == 3


@pytest.mark.parametrize("kw, msg", [
    (dict(M=0), "'M' to less than 1"),
    (dict(M=1.5), "'M' to an illegal value"),
    (dict(estimand="ATX"), "'estimand' to an illegal value"),
    (dict(weight=5), "'Weight' to an illegal value"),
    (dict(var_calc=9), "'Var.calc' > the number of treated obs: 'Var.calc' reset to 3"),
    (dict(caliper=[0.1, 0.2]), "length of caliper != ncol"),
])
def test_r_resets_with_a_warning(kw, msg):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = matching_match(Y, TR, X, **kw)
    assert any(msg in str(w.message) for w in rec), [str(w.message) for w in rec]
    assert any(msg in w for w in r.warnings)


# the bad-argument table: (arguments, refusal kind); R refuses the same (see test_r_refuses_the_same)
BAD_ARGS = [
    (dict(Y=Y, Tr=TR * 2, X=X), "treat.values"),
    (dict(Y=Y, Tr=np.zeros(7), X=X), "treat.binary"),
    (dict(Y=Y, Tr=TR, X=np.where(np.arange(7) == 2, np.nan, X)), "data.missing"),
    (dict(Y=np.where(np.arange(7) == 0, np.nan, Y), Tr=TR, X=X), "data.missing"),
    (dict(Y=Y[:6], Tr=TR, X=X), "lengths"),
    (dict(Y=Y, Tr=TR, X=X[:6]), "lengths"),
]


@pytest.mark.parametrize("kw, kind", BAD_ARGS)
def test_bad_arguments(kw, kind):
    with pytest.raises(InvalidArgument) as err:
        matching_match(**kw)
    assert err.value.kind == kind


@pytest.mark.parametrize("kw, kind", [
    (dict(X=np.array(["a"] * 7)), "X.type"),
    (dict(var_calc=0.5), "argument.value"),
])
def test_pyimpl_own_refusals(kw, kind):
    with pytest.raises(InvalidArgument) as err:
        matching_match(Y, TR, kw.pop("X", X), **kw)
    assert err.value.kind == kind


@pytest.mark.parametrize("kw", [dict(weight=3), dict(bias_adjust=True)])
def test_not_implemented(kw):
    with pytest.raises(NotImplementedError):
        matching_match(Y, TR, X, **kw)


# -- (b) live comparisons with R -------------------------------------------------------------------


def _compare(a: MatchingMatch, b: MatchingMatch) -> None:
    """Every compared quantity bit for bit, and the same warnings."""
    qa, qb = a.quantities(), b.quantities()
    assert qa.keys() == qb.keys()
    for k in qa:
        va, vb = qa[k], qb[k]
        if isinstance(va, np.ndarray) or isinstance(vb, np.ndarray):
            np.testing.assert_array_equal(np.asarray(va, dtype=float), np.asarray(vb, dtype=float), err_msg=k)
        elif isinstance(va, float) and math.isnan(va):
            assert isinstance(vb, float) and math.isnan(vb), k
        else:
            assert va == vb, (k, va, vb)
    assert sorted(a.warnings) == sorted(b.warnings)


@pytest.mark.r
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cases_match_r(case):
    import pyimpl
    import rbridge
    from rparity.refusals import refusal_kind

    def run(engine):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return case.run(engine)
            except Exception as exc:  # noqa: BLE001 - the refusal, compared by kind
                return refusal_kind(exc, "matching_match") or exc

    a, b = run(pyimpl), run(rbridge)
    if isinstance(b, str) or isinstance(a, str):
        assert a == b
        return
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        elif isinstance(a[k], float) and math.isnan(a[k]):
            assert math.isnan(b[k]), k
        elif k == "warnings":
            assert sorted(a[k]) == sorted(b[k])
        else:
            assert a[k] == b[k], k


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", BAD_ARGS)
def test_r_refuses_the_same(kw, kind):
    import rbridge
    from rparity.refusals import refusal_kind
    from rparity_contract.errors import RError

    with pytest.raises(RError) as err:
        rbridge.matching_match(**kw)
    assert refusal_kind(err.value, "matching_match") == kind


def _r_or_error(*args, **kw):
    import rbridge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return rbridge.matching_match(*args, **kw)
        except Exception as exc:  # noqa: BLE001
            return exc


@pytest.mark.r
@given(data=st.data(), n=st.integers(5, 16), est=st.sampled_from(["ATT", "ATE", "ATC"]), m=st.integers(1, 3),
       replace=st.booleans(), ties=st.booleans(), var_calc=st.integers(0, 2),
       caliper=st.sampled_from([None, 0.3, 1.0]), two=st.booleans(), exact=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_small_data_match_r(data, n, est, m, replace, ties, var_calc, caliper, two, exact):
    tr = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if tr.min() == tr.max():
        tr[0] = 1 - tr[0]
    # scores from a few values: many exact ties, and near ties within distance.tolerance
    x = np.array(data.draw(st.lists(st.sampled_from([0.1, 0.2, 0.2 + 1e-7, 0.35, 0.5, 0.9]), min_size=n,
                                    max_size=n)))
    y = np.array(data.draw(st.lists(st.integers(-5, 20), min_size=n, max_size=n)), dtype=float)
    X = np.column_stack([x, np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float)]) \
        if two else x
    kw = dict(estimand=est, M=m, replace=replace, ties=ties, var_calc=var_calc, caliper=caliper, seed=11,
              exact=[False, True] if (two and exact) else None, weight=2 if (two and not exact) else 1)
    r = _r_or_error(y, tr, X, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(r, Exception):
            with pytest.raises(Exception):
                matching_match(y, tr, X, **kw)
            return
        p = matching_match(y, tr, X, **kw)
    _compare(p, r)


# -- (c) seeded faults: the comparison must fail --------------------------------------------------


@pytest.mark.parametrize("fault_id, case_id", [
    ("matching-match-tie-weights-one", "matching_match/att"),
    ("matching-match-var-calc-ignored", "matching_match/att-varcalc"),
    ("matching-match-se-without-k-term", "matching_match/ate"),
])
def test_seeded_faults_are_caught_against_the_golden_files(fault_id, case_id):
    import pyimpl
    from rparity.cases import get_case
    from rparity.compare import Outcome, compare_outcomes
    from rparity.faults import FAULTS, FaultyEngine
    from rparity.golden import read_golden
    from rparity_contract.verdicts import Verdict

    case = get_case(case_id)
    _, golden = read_golden(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        good = case.run(pyimpl)
        fault = next(f for f in FAULTS if f.id == fault_id)
        bad = case.run(FaultyEngine(fault))
    def agrees(values) -> bool:
        rows = compare_outcomes(case.function, case.id, case.dataset, Outcome("pyimpl", values=values), golden)
        return all(r.verdict == Verdict.AGREE for r in rows)

    assert agrees(good)
    assert not agrees(bad)
