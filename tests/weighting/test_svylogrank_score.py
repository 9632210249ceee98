"""svylogrank(method = "score") (survey 4.1-1): the one-step svycoxph score
test, and expandlogrank with rho/gamma.

(a) closed forms (no R); (b) bad input, R's refusals; (c) live R (marked
``r``): every value identical to R's, R's refusals with the same kinds, a
differential test on random designs; (d) the seeded fault is caught.
"""
from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
from pyimpl.survey.svylogrank import svylogrank
from rparity.cases.survey import _other_design
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument

mod = importlib.import_module("pyimpl.survey.svylogrank")  # the module (the name is the function)


def _lung(**p: Any) -> pd.DataFrame:
    return _other_design("lung", fixtures.load("lung"), p)


def _two_groups() -> pd.DataFrame:
    # no tied times: Efron is Breslow; every weight 1 (rescaled weights 1)
    return pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6, 7, 8], "d": [1, 1, 0, 1, 1, 0, 1, 1],
                         "g": [1, 0, 1, 1, 0, 1, 0, 0], "w": [1.0] * 8})


# -- (a) closed forms ------------------------------------------------------------------------------

def test_one_newton_step_and_the_null_variance_by_hand() -> None:
    d = _two_groups()
    t, e, g = d["t"].to_numpy(), d["d"].to_numpy(), d["g"].to_numpy(float)
    u = info = 0.0
    resid = np.zeros(8)  # score residuals at beta = 0 (Breslow, no ties)
    for j in np.flatnonzero(e == 1):
        risk = t >= t[j]
        m = g[risk].mean()
        u += g[j] - m
        info += g[risk].var()
        resid[j] += g[j] - m
        resid[risk] -= (g[risk] - m) / risk.sum()
    b = u / info  # one Newton step from 0
    dfbeta = resid / info
    v = 8 / 7 * np.sum((dfbeta - dfbeta.mean()) ** 2)  # each row its own cluster
    r = svylogrank("Surv(t, d) ~ g", d, weights="w", method="score")
    assert r.method == "score" and r.df == 1 and r.p.size == 0
    np.testing.assert_allclose(r.score, [b], rtol=1e-13)
    np.testing.assert_allclose(r.se, [np.sqrt(v)], rtol=1e-13)
    np.testing.assert_allclose(r.z, r.score / r.se, rtol=0)
    assert r.chisq == pytest.approx(r.z[0] ** 2, rel=1e-13)
    from scipy.stats import chi2
    assert r.p_chisq == pytest.approx(chi2.sf(r.chisq, 1), rel=1e-12)


def test_the_labels_of_a_two_valued_group_do_not_matter() -> None:
    d = _two_groups()
    a = svylogrank("Surv(t, d) ~ g", d, weights="w", method="score")
    d2 = d.assign(g=np.where(d["g"] == 1, 7.0, 3.0))
    b = svylogrank("Surv(t, d) ~ g", d2, weights="w", method="score")
    # the group coded 3/7: b scales by 1/4, v by 1/16; z and chisq are the same
    np.testing.assert_allclose(b.z, a.z, rtol=1e-12)
    assert b.chisq == pytest.approx(a.chisq, rel=1e-12)


def test_rho_gamma_zero_is_not_the_expanded_data_and_rho_changes_the_test() -> None:
    d = _lung()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = svylogrank("Surv(time, status) ~ sex", d, weights="w", method="score")
        b = svylogrank("Surv(time, status) ~ sex", d, weights="w", method="score", rho=1)
    assert a.chisq != b.chisq and a.df == b.df == 1


def test_a_counting_response_is_taken_without_rho() -> None:
    d = _two_groups().assign(s=0.0)
    r = svylogrank("Surv(s, t, d) ~ g", d, weights="w", method="score")
    ref = svylogrank("Surv(t, d) ~ g", d, weights="w", method="score")
    np.testing.assert_array_equal(r.z, ref.z)


# -- (b) bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("formula, kw, kind", [
    ("Surv(time, status) ~ ph.ecog", {}, "group.type"),
    ("Surv(time, status) ~ age + sex", {}, "formula.terms"),
    ("Surv(time, status) ~ age + sex", {"rho": 1, "complete": True}, "formula.terms"),
    ("Surv(time, status) ~ 1", {}, "group.levels"),
    ("Surv(time, status) ~ factor(ph.ecog)", {"rho": 1}, "argument.missing"),
    ("Surv(time, status) ~ sex + strata(ph.ecog)", {"gamma": 1, "complete": True}, "weights.nonpositive"),
    ("Surv(start, time, status) ~ sex", {"gamma": 1}, "formula.response"),
])
def test_refusals(formula: str, kw: dict[str, Any], kind: str) -> None:
    d = _lung().assign(start=0.0)
    if kw.pop("complete", False):
        d = d.dropna(subset=["ph.ecog"]).reset_index(drop=True)
    with pytest.raises(InvalidArgument) as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        svylogrank(formula, d, weights="w", method="score", **kw)
    assert ei.value.kind == kind


def test_negative_weight_refused_by_svycoxph() -> None:
    with pytest.raises(InvalidArgument) as ei:
        svylogrank("Surv(time, status) ~ sex", _lung(negative_weight=True), weights="w", method="score")
    assert ei.value.kind == "weights.negative"


@pytest.mark.parametrize("message, kind", [
    ("Only one grouping variable allowed", "formula.terms"),
    ("Grouping variable with more than 2 levels must be a factor", "group.type"),
    ("subscript out of bounds", "group.levels"),
    ("replacement has 227 rows, data has 228", "argument.missing"),
    ("argument lengths differ", "weights.nonpositive"),
    ("'zero' parameter must be less than any observed times", "zero.value"),
    ("response must be a right-censored Surv object", "formula.response"),
])
def test_r_messages_map_to_the_kinds(message: str, kind: str) -> None:
    from rparity_contract.errors import RError
    assert refusal_kind(RError(message), "svylogrank") == kind


# -- (c) live R ------------------------------------------------------------------------------------

def _both(data: pd.DataFrame, formula: str, **kw: Any) -> list[Any]:
    import rbridge
    out: list[Any] = []
    for fn in (svylogrank, rbridge.svylogrank):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out.append(fn(formula, data, method="score", **kw))
            except Exception as exc:  # noqa: BLE001 - both engines' refusals, compared
                out.append(exc)
    return out


def _agree(py: Any, r: Any) -> None:
    if isinstance(r, Exception) or isinstance(py, Exception):
        kind = refusal_kind(py, "svylogrank") if isinstance(py, Exception) else None
        assert kind is not None and refusal_kind(r, "svylogrank") == kind, (py, r)
        return
    for k in ("score", "se", "z"):
        np.testing.assert_array_equal(getattr(py, k), getattr(r, k), err_msg=k)
    assert py.chisq == r.chisq and py.df == r.df and py.p.size == r.p.size == 0
    assert py.p_chisq == pytest.approx(r.p_chisq, rel=1e-13, abs=1e-300)
    assert py.warnings == r.warnings


LIVE = [
    ("lung", "Surv(time, status) ~ sex", {}),
    ("lung", "Surv(time, status) ~ sex + strata(ph.ecog)", {"ids": "inst0"}),
    ("lung", "Surv(time, status) ~ factor(ph.ecog)", {}),  # a level of one row: R's one step is 0
    ("pbc", "Surv(time, status == 2) ~ factor(stage)", {"ids": "cl", "strata": "trt0"}),
    ("study_cohort", "Surv(os_months, os_death) ~ factor(t_stage)", {"ids": "cl"}),
    ("study_cohort", "Surv(os_months, os_death) ~ arm", {"rho": 1, "ids": "cl"}),
    ("lung", "Surv(time, status) ~ sex", {"gamma": 1}),
    ("lung", "Surv(time, status) ~ sex", {"rho": 0.5, "gamma": 2, "ids": "inst_sex", "strata": "sex"}),
    ("lung", "Surv(time, status) ~ ph.ecog", {}),
    ("lung", "Surv(time, status) ~ 1", {}),
]


@pytest.mark.r
@pytest.mark.parametrize("dataset, formula, kw", LIVE)
def test_matches_r(dataset: str, formula: str, kw: dict[str, Any]) -> None:
    d = _other_design(dataset, fixtures.load(dataset), {})
    _agree(*_both(d, formula, weights="w", **kw))


@pytest.mark.r
def test_zero_weights_follow_survey_s_model_frame() -> None:
    # weight 0: svycoxph's subset drops the rows, residuals.coxph pairs the kept rows with the first rows of
    # the whole model matrix (model.frame.svycoxph): R's value, not the aligned one
    d = _lung()
    d.loc[[3, 10, 50], "w"] = 0.0
    py, r = _both(d, "Surv(time, status) ~ sex", weights="w", ids="inst0")
    _agree(py, r)
    d2 = d.assign(sex=d["sex"].astype(str).map({"1": "m", "2": "f"}))
    _agree(*_both(d2, "Surv(time, status) ~ sex", weights="w"))
    d3 = d.assign(grp=np.array(["a", "b", "c"], dtype=object)[np.arange(len(d)) % 3])
    _agree(*_both(d3, "Surv(time, status) ~ grp", weights="w"))  # 3 strings: not a factor in R


@pytest.mark.r
@given(seed=st.integers(0, 10_000), n=st.integers(8, 40), ngroup=st.sampled_from([2, 3]),
       rho=st.sampled_from([0.0, 0.0, 1.0]), gamma=st.sampled_from([0.0, 1.0]), clusters=st.booleans())
@settings(max_examples=15, deadline=None)
def test_random_designs_match_r(seed: int, n: int, ngroup: int, rho: float, gamma: float, clusters: bool) -> None:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"t": rng.integers(1, 12, n).astype(float), "e": rng.integers(0, 2, n),
                      "g": rng.integers(0, ngroup, n), "w": rng.choice([1.0, 2.0, 3.5], n),
                      "cl": rng.integers(0, 4, n)})
    formula = "Surv(t, e) ~ factor(g)" if ngroup == 3 else "Surv(t, e) ~ g"
    _agree(*_both(d, formula, weights="w", ids="cl" if clusters else None, rho=rho, gamma=gamma))


# -- (d) the seeded fault --------------------------------------------------------------------------

@pytest.mark.r
def test_the_variance_at_the_one_step_fit_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    d = _lung()
    py, r = _both(d, "Surv(time, status) ~ sex", weights="w", ids="inst0")
    _agree(py, r)
    real = mod._svycoxph_at
    monkeypatch.setattr(mod, "_svycoxph_at", lambda f, data, design, iter_max: real(f, data, design, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = svylogrank("Surv(time, status) ~ sex", d, weights="w", ids="inst0", method="score")
    with pytest.raises(AssertionError):
        _agree(bad, r)
