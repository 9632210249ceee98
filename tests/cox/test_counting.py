"""Counting-process Cox fits, Surv(start, stop, event): Therneau & Grambsch's
test2 by hand (survival's tests/book3.R), metamorphic properties (splitting
follow-up leaves the fit; entry at 0 is right-censored data), R's input rules
for intervals, and live R."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from rparity_contract.errors import InvalidArgument, RParityWarning


def _byhand(beta: float) -> tuple[float, float, float]:
    """book3.R's byhand(): Breslow log-likelihood, score and information of test2."""
    r = math.exp(beta)
    loglik = 4 * beta - math.log(r + 1) - math.log(r + 2) - 3 * math.log(3 * r + 2) - 2 * math.log(3 * r + 1)
    u = 1 / (r + 1) + 1 / (3 * r + 1) + 4 / (3 * r + 2) - (r / (r + 2) + 3 * r / (3 * r + 2) + 3 * r / (3 * r + 1))
    imat = (r / (r + 1) ** 2 + 2 * r / (r + 2) ** 2 + 6 * r / (3 * r + 2) ** 2 + 3 * r / (3 * r + 1) ** 2
            + 3 * r / (3 * r + 1) ** 2 + 12 * r / (3 * r + 2) ** 2)
    return loglik, u, imat


def test_test2_breslow_at_zero_by_hand():
    from rparity_contract.control import CoxControl

    fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=load("test2"), ties="breslow",
                       control=CoxControl(iter_max=0))
    loglik, u, imat = _byhand(0.0)
    assert fit.loglik[0] == pytest.approx(loglik, rel=1e-14)
    assert fit.var[0, 0] == pytest.approx(1 / imat, rel=1e-14)
    assert fit.score_test.statistic == pytest.approx(u * u / imat, rel=1e-13)


def test_test2_breslow_at_the_mle_by_hand():
    fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=load("test2"), ties="breslow")
    loglik, u, imat = _byhand(float(fit.coef[0]))
    assert abs(u) < 1e-8  # the score is 0 at the estimate
    assert fit.loglik[1] == pytest.approx(loglik, rel=1e-13)
    assert fit.var[0, 0] == pytest.approx(1 / imat, rel=1e-8)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("rhs", ["age + sex", "age + sex + strata(inst)", "ph.ecog + offset(age / 50)"])
def test_splitting_follow_up_leaves_the_fit(ties, rhs):
    whole = pyimpl.coxph(f"Surv(time, status) ~ {rhs}", data=load("lung"), ties=ties)
    split = pyimpl.coxph(f"Surv(tstart, time, status) ~ {rhs}", data=load("lung_split"), ties=ties)
    np.testing.assert_allclose(split.coef, whole.coef, rtol=1e-10)
    np.testing.assert_allclose(split.var, whole.var, rtol=1e-9)
    np.testing.assert_allclose(split.loglik, whole.loglik, rtol=1e-12)
    assert split.nevent == whole.nevent
    assert split.concordance.c == pytest.approx(whole.concordance.c, rel=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_entry_at_zero_is_right_censored_data(ties):
    lung = load("lung").assign(entry=0.0)
    a = pyimpl.coxph("Surv(entry, time, status) ~ age + ph.ecog", data=lung, ties=ties)
    b = pyimpl.coxph("Surv(time, status) ~ age + ph.ecog", data=lung, ties=ties)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-11)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-13)
    assert (a.n, a.n_dropped, a.iterations) == (b.n, b.n_dropped, b.iterations)


def _bad_interval() -> pd.DataFrame:
    d = load("test2").copy()
    d.loc[3, "start"] = d.loc[3, "stop"]  # (7, 7]: R's Surv() makes it NA, with a warning
    return d


def test_empty_interval_is_na_with_rs_warning():
    with pytest.warns(RParityWarning, match="Stop time must be > start time, NA created"):
        fit = pyimpl.coxph("Surv(start, stop, event) ~ x", data=_bad_interval())
    assert (fit.n, fit.n_dropped) == (9, 1)


def test_robust_without_cluster_refused_as_r():
    with pytest.raises(InvalidArgument, match="one of cluster or id is needed") as err:
        pyimpl.coxph("Surv(tstart, time, status) ~ age", data=load("lung_split"), robust=True)
    assert err.value.kind == "cluster.missing"


def test_robust_variance_by_subject_equals_r_by_hand():
    """The robust variance is D'D with D the per-subject sums of the dfbeta
    residuals: one subject's split rows add up (survSplit keeps a subject's
    score residual)."""
    whole = pyimpl.coxph("Surv(time, status) ~ age + sex", data=load("lung"), robust=True)
    split = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split"), cluster="id")
    np.testing.assert_allclose(split.var, whole.var, rtol=1e-9)
    np.testing.assert_allclose(split.robust_score_test.statistic, whole.robust_score_test.statistic, rtol=1e-9)


@pytest.mark.parametrize("transform", ["identity", "log"])
def test_zph_of_split_data_is_the_whole_datas(transform):
    # splitting follow-up leaves the event times and their risk sets, so the test on
    # those time scales (rank and km depend on the added censoring rows)
    whole = pyimpl.cox_zph(pyimpl.coxph("Surv(time, status) ~ age + sex", data=load("lung")), transform)
    split = pyimpl.cox_zph(pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split")),
                           transform)
    np.testing.assert_allclose(split.chisq, whole.chisq, rtol=1e-8)


def test_basehaz_of_split_data_is_the_whole_datas():
    # survSplit leaves the risk sets, so the baseline hazard at every event time (at
    # covariates 0: centred, it is at the column means, which count a subject's rows)
    whole = pyimpl.basehaz(pyimpl.coxph("Surv(time, status) ~ age + sex", data=load("lung")), centered=False)
    split = pyimpl.basehaz(pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split")),
                           centered=False)
    merged = split.merge(whole, on="time", suffixes=("_split", "_whole"))
    assert len(merged) == len(whole)
    np.testing.assert_allclose(merged["hazard_split"], merged["hazard_whole"], rtol=1e-9)


@pytest.mark.r
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_bad_interval_against_r(ties):
    import rbridge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pyimpl.coxph("Surv(start, stop, event) ~ x", data=_bad_interval(), ties=ties)
        b = rbridge.coxph("Surv(start, stop, event) ~ x", data=_bad_interval(), ties=ties)
    assert (a.n, a.n_dropped) == (b.n, b.n_dropped)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.loglik, b.loglik)
    assert any("Stop time must be > start time" in w for w in a.warnings)


@pytest.mark.r
@pytest.mark.parametrize("seed", range(4))
def test_random_counting_data_against_r(seed):
    """Generated (start, stop] data with ties, strata and weights: pyimpl equals R."""
    import rbridge

    rng = np.random.default_rng(seed)
    n = 120
    start = rng.integers(0, 10, n).astype(float)
    stop = start + rng.integers(1, 8, n)
    d = pd.DataFrame({"start": start, "stop": stop, "event": rng.integers(0, 2, n),
                      "x": rng.normal(size=n).round(2), "z": rng.integers(0, 3, n),
                      "s": rng.integers(0, 2, n), "w": rng.integers(1, 4, n)})
    for ties in ("efron", "breslow"):
        kw = dict(data=d, ties=ties, weights="w")
        f = "Surv(start, stop, event) ~ x + factor(z) + strata(s)"
        a, b = pyimpl.coxph(f, **kw), rbridge.coxph(f, **kw)
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
        np.testing.assert_allclose(a.var, b.var, rtol=1e-12)
        np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-14)
        assert a.iterations == b.iterations
        assert a.concordance.concordant == b.concordance.concordant
        assert a.concordance.std == pytest.approx(b.concordance.std, rel=1e-12)


def _random_intervals(rng, n_min: int, n_max: int, t_max: int, length_max: int):
    """(start, stop, event) of n_min..n_max integer intervals: ties, gaps (the
    risk set empties); None when no event was drawn."""
    n = int(rng.integers(n_min, n_max))
    start = rng.integers(0, t_max, n).astype(float)
    stop = start + rng.integers(1, length_max, n)
    ev = rng.integers(0, 2, n).astype(float)
    return None if ev.sum() == 0 else (start, stop, ev)


@pytest.mark.parametrize("efron", [True, False])
def test_array_pass_is_the_loop_bit_for_bit(efron):
    """agfit4's pass laid out as cumsums (_pass_fast) against the direct port of its
    loop (_pass), on data with ties, gaps (the risk set empties: exact resets), strata
    and weights."""
    from pyimpl.cox import agreg

    rng = np.random.default_rng(11)
    for _ in range(60):
        drawn = _random_intervals(rng, 5, 60, 20, 6)
        if drawn is None:
            continue
        start, stop, ev = drawn
        n = start.size
        x = rng.normal(size=(n, 2)).round(1)
        strata = rng.integers(0, int(rng.integers(1, 4)), n)
        w = rng.integers(1, 4, n).astype(float)
        s1, s2, nused = agreg.agreg_order(start, stop, ev, strata)
        beta = rng.normal(size=2)
        slow = agreg._pass(x, beta, start, stop, ev, strata.tolist(), w.tolist(), np.zeros(n), s1, s2, nused,
                           efron, [0] * 4)
        walk = agreg._walk(start, stop, ev, strata, s1, s2, nused, efron)
        fast = agreg._pass_fast(x, beta, np.zeros(n), w, walk, efron)
        assert slow[0] == fast[0]
        np.testing.assert_array_equal(slow[1], fast[1])
        np.testing.assert_array_equal(np.triu(slow[2]), np.triu(fast[2]))


@pytest.mark.parametrize("weighted", [False, True])
def test_counting_concordance_is_its_definition(weighted):
    """The dominance-count concordance of (start, stop] data against the
    definition (each event time's events against the rows at risk, directly)."""
    from pyimpl.cox.counting import counting_concordance

    from .reference import counting_concordance_direct

    rng = np.random.default_rng(3)
    for _ in range(40):
        drawn = _random_intervals(rng, 4, 80, 15, 5)
        if drawn is None:
            continue
        start, stop, ev = drawn
        n = start.size
        x = rng.integers(0, 6, n).astype(float)  # ties in x
        strata = rng.integers(0, int(rng.integers(1, 3)), n)
        w = rng.integers(1, 4, n).astype(float) * 0.5 if weighted else None
        a = counting_concordance(start, stop, ev, x, strata, w)
        b = counting_concordance_direct(start, stop, ev, x, strata, w)
        for k in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy"):
            assert getattr(a, k) == pytest.approx(getattr(b, k), rel=1e-13), k
        assert a.c == pytest.approx(b.c, rel=1e-13, nan_ok=True)
        assert a.std == pytest.approx(b.std, rel=1e-10, nan_ok=True)
