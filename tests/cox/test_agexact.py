"""ties = "exact" on counting-process data, Surv(start, stop, event): R's
agexact.fit. Hand values (Therneau & Grambsch's test1 of survival's
tests/book7.R, entered at 0; the exact likelihood by its elementary symmetric
polynomials), book7.R's own check that entry at 0 is coxexact.fit's fit,
R's bare-list result (its residuals are martingale residuals whatever the
type; predict, survfit, cox.zph... fail), and live R."""
from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument


def _test1_counting() -> pd.DataFrame:
    """book7.R's test1 (the NA status row dropped), each subject entered at 0."""
    return pd.DataFrame({"start": 0.0, "time": [9.0, 1, 1, 6, 6, 8], "status": [1, 1, 0, 1, 1, 0],
                         "x": [0.0, 1, 1, 1, 0, 0]})


def _byhand7(beta: float) -> tuple[float, float]:
    """book7.R's byhand7(): the exact log-likelihood and information of test1."""
    r = math.exp(beta)
    return 2 * (beta - math.log(3 * r + 3)), 2 * r / (r + 1) ** 2


@pytest.mark.parametrize("beta", [0.0, 0.4, -1.3])
def test_test1_exact_loglik_and_information_by_hand(beta):
    fit = pyimpl.coxph("Surv(start, time, status) ~ x", data=_test1_counting(), ties="exact",
                       init=[beta], control=CoxControl(iter_max=0))
    loglik, imat = _byhand7(beta)
    assert fit.loglik[0] == pytest.approx(loglik, rel=1e-14)
    assert fit.var[0, 0] == pytest.approx(1 / imat, rel=1e-13)


def test_test1_one_newton_step_is_the_score_over_the_information():
    fit0 = pyimpl.coxph("Surv(start, time, status) ~ x", data=_test1_counting(), ties="exact",
                        control=CoxControl(iter_max=0))
    fit1 = pyimpl.coxph("Surv(start, time, status) ~ x", data=_test1_counting(), ties="exact",
                        control=CoxControl(iter_max=1))
    u = 2 / (1 + 1)  # byhand7's score at 0
    assert fit1.coef[0] == pytest.approx(u * fit0.var[0, 0], rel=1e-13)
    assert fit1.loglik[1] == pytest.approx(_byhand7(fit1.coef[0])[0], rel=1e-14)


def _exact_loglik(d: pd.DataFrame, beta: np.ndarray, cols: list[str]) -> float:
    """The exact partial log-likelihood by definition: at each event time t,
    sum of the deaths' eta less log e_d(risk scores of start < t <= stop), e_d
    the elementary symmetric polynomial (a coefficient of prod(1 + r z))."""
    eta = d[cols].to_numpy(float) @ beta
    r = np.exp(eta)
    total = 0.0
    ev = d["event"].to_numpy() == 1
    for t in np.unique(d["stop"][ev]):
        dead = ev & (d["stop"].to_numpy() == t)
        at_risk = (d["start"].to_numpy() < t) & (d["stop"].to_numpy() >= t)
        k = int(dead.sum())
        e_k = sum(math.prod(c) for c in itertools.combinations(r[at_risk].tolist(), k))
        total += float(eta[dead].sum()) - math.log(e_k)
    return total


@pytest.mark.parametrize("seed", range(3))
def test_loglik_is_the_exact_partial_likelihood_by_definition(seed):
    rng = np.random.default_rng(seed)
    n = 40
    start = rng.integers(0, 5, n).astype(float)
    d = pd.DataFrame({"start": start, "stop": start + rng.integers(1, 4, n), "event": rng.integers(0, 2, n),
                      "x1": rng.normal(size=n), "x2": rng.integers(0, 2, n).astype(float)})
    beta = np.array([0.3, -0.5])
    fit = pyimpl.coxph("Surv(start, stop, event) ~ x1 + x2", data=d, ties="exact", init=beta,
                       control=CoxControl(iter_max=0))
    assert fit.loglik[0] == pytest.approx(_exact_loglik(d, beta, ["x1", "x2"]), rel=1e-12)


def test_entry_at_zero_is_coxexact_fit():
    """book7.R: ``Surv(zz, time, status)`` with zz = 0 (agexact.fit) against
    ``Surv(time, status)`` (coxexact.fit), both ties = "exact"."""
    lung = load("lung").assign(zz=0.0)
    rhs = " ~ age + ph.ecog + sex"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        right = pyimpl.coxph("Surv(time, status)" + rhs, data=lung, ties="exact")
        counting = pyimpl.coxph("Surv(zz, time, status)" + rhs, data=lung, ties="exact")
    np.testing.assert_allclose(counting.loglik, right.loglik, rtol=1e-12)
    np.testing.assert_allclose(counting.var, right.var, rtol=1e-7)  # both converged to eps = 1e-9
    np.testing.assert_allclose(counting.coef, right.coef, rtol=1e-7)
    assert counting.score_test.statistic == pytest.approx(right.score_test.statistic, rel=1e-12)
    mc = pyimpl.coxph_residuals(counting).values
    mr = pyimpl.coxph_residuals(right).values
    np.testing.assert_allclose(mc, mr, atol=1e-7)


def test_r_bare_list_fit_residuals_and_refusals():
    """R returns agexact.fit's fit without the class "coxph": residuals() is
    residuals.default (the martingale residuals, any type), the coxph methods
    are not reached."""
    fit = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=load("lung_split"), ties="exact")
    mart = pyimpl.coxph_residuals(fit, type="martingale").values
    for t in ("score", "dfbeta", "schoenfeld", "deviance"):
        np.testing.assert_array_equal(pyimpl.coxph_residuals(fit, type=t).values, mart)
    for call in (lambda: pyimpl.coxph_predict(fit), lambda: pyimpl.survfit_cox(fit), lambda: pyimpl.cox_zph(fit),
                 lambda: pyimpl.basehaz(fit), lambda: pyimpl.coxph_anova(fit), lambda: pyimpl.coxph_detail(fit),
                 lambda: pyimpl.concordance(fit), lambda: pyimpl.coxph_summary(fit)):
        with pytest.raises(InvalidArgument) as err:
            call()
        assert err.value.kind == "fit.unclassed"


def test_weights_refused_and_cluster_accepted_as_r():
    split = load("lung_split")
    with pytest.raises(InvalidArgument, match="Case weights are not supported"):
        pyimpl.coxph("Surv(tstart, time, status) ~ age", data=split, ties="exact", weights="sex")
    fit = pyimpl.coxph("Surv(tstart, time, status) ~ age", data=split, ties="exact", cluster="inst", subset="inst <= 5")
    assert fit.robust and fit.naive_var is not None


@pytest.mark.r
@pytest.mark.parametrize("seed", range(4))
def test_random_counting_data_exact_against_r(seed):
    """Generated (start, stop] data with tied deaths (a few at a time), strata,
    a cluster: pyimpl's agexact equals R's, bit for bit in practice."""
    import rbridge

    rng = np.random.default_rng(100 + seed)
    n = 80
    start = rng.integers(0, 20, n).astype(float)
    d = pd.DataFrame({"start": start, "stop": start + rng.integers(1, 12, n), "event": rng.integers(0, 2, n),
                      "x": rng.normal(size=n).round(2), "z": rng.integers(0, 3, n), "s": rng.integers(0, 2, n),
                      "g": rng.integers(0, 9, n)})
    for f, kw in (("Surv(start, stop, event) ~ x + factor(z) + strata(s)", {}),
                  ("Surv(start, stop, event) ~ x + z", {"cluster": "g"})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = pyimpl.coxph(f, data=d, ties="exact", **kw)
            b = rbridge.coxph(f, data=d, ties="exact", **kw)
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-13)
        np.testing.assert_allclose(a.var, b.var, rtol=1e-13)
        np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-15)
        assert a.iterations == b.iterations
        assert a.concordance.concordant == b.concordance.concordant
        ra, rb = pyimpl.coxph_residuals(a, type="score"), rbridge.coxph_residuals(b, type="score")
        np.testing.assert_allclose(ra.values, rb.values, atol=1e-13)
