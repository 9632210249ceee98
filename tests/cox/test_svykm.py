"""Design-based Kaplan-Meier (``svykm``, survey 4.1-1): by hand, refusals, and
against R on random designs."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fixtures
import pyimpl
from rparity.testing import differential
from rparity_contract.errors import InvalidArgument, RParityWarning

_S = "Surv(time, status) ~ sex"


@pytest.fixture(scope="module")
def lung():
    d = fixtures.load("lung").dropna(subset=["inst"]).reset_index(drop=True)
    d["w"] = 1 + (d["age"] % 4) / 3
    return d


def _quiet(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RParityWarning)
        return pyimpl.svykm(**kw)


def test_unweighted_one_cluster_per_row_is_kaplan_meier(lung):
    """Weights 1, each row its own cluster: svykm.fit's curve is the KM at c(0, unique times)."""
    fit = _quiet(formula="Surv(time, status) ~ 1", data=lung)
    t = lung["time"].to_numpy(float)
    d = (lung["status"] == 2).to_numpy()
    times = np.unique(t)
    surv = np.cumprod([1 - (d & (t == u)).sum() / (t >= u).sum() for u in times])
    np.testing.assert_array_equal(fit.time, np.r_[0.0, times])
    np.testing.assert_allclose(fit.surv, np.r_[1.0, surv], rtol=1e-13)


def test_se_curve_is_exp_minus_weighted_nelson_aalen_and_varlog_the_influence_variance(lung):
    """se = TRUE, each row a cluster: surv = exp(-sum dN/Y) per event row and varlog the
    n/(n-1) variance of the hazard's influence functions (computed here row by row)."""
    fit = pyimpl.svykm("Surv(time, status) ~ 1", lung, weights="w", se=True)
    t = lung["time"].to_numpy(float)
    ev = (lung["status"] == 2).to_numpy()
    w = lung["w"].to_numpy(float)
    order = np.argsort(t[ev], kind="stable")
    et = t[ev][order]
    Y = np.array([w[t >= u].sum() for u in et])
    dn = w[ev][order]
    np.testing.assert_allclose(fit.time, et)
    np.testing.assert_allclose(fit.surv, np.exp(-np.cumsum(dn / Y)), rtol=1e-12)
    # influence of row i on H at the k-th event: sum_{j<=k} w_i (dN_ij/Y_j - 1[t_i >= t_j] dn_j/Y_j^2)
    n = t.size
    rows_ev = np.flatnonzero(ev)[order]
    infl = np.zeros((n, et.size))
    for j in range(et.size):
        infl[rows_ev[j], j] += w[rows_ev[j]] / Y[j]
        infl[:, j] -= w * (t >= et[j]) * dn[j] / Y[j] ** 2
    cum = np.cumsum(infl, axis=1)
    c = cum - cum.mean(axis=0)
    np.testing.assert_allclose(fit.varlog, (c * c).sum(axis=0) * n / (n - 1), rtol=1e-9)


def test_groups_are_the_curves_of_their_rows(lung):
    both = pyimpl.svykm(_S, lung, weights="w", ids="inst", se=True)
    assert both.groups == ("1", "2")
    one = pyimpl.svykm("Surv(time, status) ~ 1", lung[lung.sex == 1].reset_index(drop=True), weights="w",
                       se=False)
    t, s, v = pyimpl.svykm(_S, lung, weights="w").curve("1")
    np.testing.assert_array_equal(s, one.surv)
    assert v is None and both.curve(1)[2] is not None


def test_quantile_and_confint(lung):
    fit = pyimpl.svykm("Surv(time, status) ~ 1", lung, weights="w", se=True)
    q, ci = fit.quantile((0.5,), ci=True)
    assert q[0] == fit.time[np.flatnonzero(fit.surv <= 0.5)[0]]
    assert ci[0, 0] <= q[0] <= ci[0, 1]
    lim = fit.confint([300.0])
    assert lim[0, 0] < fit.surv[np.flatnonzero(fit.time <= 300)[-1]] < lim[0, 1] <= 1


def test_lonely_stratum_fails_only_for_the_variance(lung):
    d = lung.assign(s=np.where(lung.index == 0, 3, lung.sex))
    pyimpl.svykm(_S, d, weights="w", strata="s")  # se = FALSE: no variance, no refusal (as R)
    with pytest.raises(InvalidArgument) as info:
        pyimpl.svykm(_S, d, weights="w", strata="s", se=True)
    assert info.value.kind == "strata.lonely"


BAD = [
    ("missing weight", lambda d: d.assign(w=np.where(d.index == 2, np.nan, d.w)), {}, "argument.missing"),
    ("not nested", lambda d: d, {"ids": "inst", "strata": "sex"}, "ids.nesting"),
    ("unknown column", lambda d: d, {"ids": "nope"}, "argument.value"),
    ("se not boolean", lambda d: d, {"se": "yes"}, "argument.value"),
    ("no Surv response", lambda d: d, {"formula": "time ~ sex"}, "formula.response"),
    ("two groups", lambda d: d, {"formula": "Surv(time, status) ~ sex + ph.ecog"}, "formula.groups"),
]


@pytest.mark.parametrize("label,change,kw,kind", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_kind(lung, label, change, kw, kind):
    kw = {"formula": _S, **kw}
    with pytest.raises(InvalidArgument) as info:
        pyimpl.svykm(data=change(lung), weights="w", **kw)
    assert info.value.kind == kind, label


def _probe(formula, d, kw):
    def probe(engine):
        fit = engine.svykm(formula, d, **kw)
        out = dict(fit.quantities())
        out["groups"] = tuple(out["groups"])
        out["warnings"] = tuple(fit.warnings)
        return out
    return probe


@pytest.mark.r
def test_svykm_matches_r_on_lung(py_engine, r_engine, lung):
    differential("svykm", _probe(_S, lung, {"weights": "w", "ids": "inst", "se": True}), py_engine, r_engine)


@pytest.mark.r
@given(seed=st.integers(0, 2**32 - 1), nclusters=st.integers(2, 10), stratified=st.booleans(),
       se=st.booleans(), grouped=st.booleans())
@settings(max_examples=15, deadline=None)
def test_svykm_matches_r_on_random_designs(py_engine, r_engine, lung, seed, nclusters, stratified, se, grouped):
    rng = np.random.default_rng(seed)
    d = lung.iloc[rng.choice(len(lung), 80, replace=False)].reset_index(drop=True)
    d = d.assign(w=rng.uniform(0.2, 5.0, len(d)).round(3), cl=rng.integers(0, nclusters, len(d)))
    kw = {"weights": "w", "ids": "cl", "se": se}
    if stratified:
        d = d.assign(st=(d.cl % 2).astype(float))
        kw["strata"] = "st"
    f = _S if grouped else "Surv(time, status) ~ 1"
    differential("svykm", _probe(f, d, kw), py_engine, r_engine)
