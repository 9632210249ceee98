"""Analysis of deviance of Cox fits (``anova.coxph``, ``anova.coxphlist``):
identities with the fits' own likelihood-ratio tests, the sequential table
against the list of nested fits, R's quirks kept (sub-models without case
weights), and R's refusals, checked live."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import pyimpl
from fixtures import load
from rparity.refusals import refusal_kind
from rparity_contract.errors import InvalidArgument

NESTED = ["Surv(time, status) ~ age", "Surv(time, status) ~ age + sex", "Surv(time, status) ~ age * sex"]


@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_one_term_is_the_fits_likelihood_ratio_test(ties):
    fit = pyimpl.coxph("Surv(time, status) ~ factor(ph.ecog)", data=load("lung"), ties=ties)
    a = pyimpl.coxph_anova(fit)
    assert a.rows == ("NULL", "factor(ph.ecog)")
    assert a.chisq[1] == pytest.approx(fit.lr_test.statistic, rel=1e-12)
    assert a.df[1] == fit.lr_test.df
    assert a.pvalue[1] == pytest.approx(fit.lr_test.pvalue, rel=1e-10)
    assert np.isnan(a.chisq[0]) and np.isnan(a.df[0]) and np.isnan(a.pvalue[0])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_sequential_table_is_the_list_of_nested_fits(ties):
    lung = load("lung")
    fits = [pyimpl.coxph(f, data=lung, ties=ties) for f in NESTED]
    seq = pyimpl.coxph_anova(fits[-1])
    nested = pyimpl.coxph_anova(*fits)
    assert seq.rows == ("NULL", "age", "sex", "age:sex") and nested.rows == ("1", "2", "3")
    np.testing.assert_allclose(seq.loglik[1:], nested.loglik, rtol=1e-13)
    np.testing.assert_allclose(seq.chisq[2:], nested.chisq[1:], rtol=1e-9)
    np.testing.assert_array_equal(seq.df[2:], nested.df[1:])
    reverse = pyimpl.coxph_anova(*fits[::-1])  # |differences|: the same statistics
    np.testing.assert_allclose(reverse.chisq[1:], nested.chisq[1:][::-1], rtol=1e-12)


def test_the_smaller_models_drop_the_case_weights_as_r():
    """R refits the smaller models without weights: the first rows are the unweighted fits'."""
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung, weights="ph.karno")
    a = pyimpl.coxph_anova(fit)
    unweighted = pyimpl.coxph("Surv(time, status) ~ age", data=lung.dropna(subset=["ph.karno"]))
    assert a.loglik[1] == pytest.approx(unweighted.loglik[1], rel=1e-13)
    assert a.loglik[2] == fit.loglik[1]


def test_strata_stay_in_the_smaller_models():
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex + strata(ph.ecog)", data=lung)
    small = pyimpl.coxph("Surv(time, status) ~ age + strata(ph.ecog)", data=lung)
    assert pyimpl.coxph_anova(fit).loglik[1] == pytest.approx(small.loglik[1], rel=1e-13)


def _fits(engine, specs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [engine.coxph(f, data=load("lung"), **kw) for f, kw in specs]


BAD = [
    ("a robust fit", [("Surv(time, status) ~ age + sex", {"robust": True})], "anova.robust"),
    ("the null model", [("Surv(time, status) ~ 1", {})], "anova.null"),
    ("an offset without strata", [("Surv(time, status) ~ age + sex + offset(log(ph.karno))", {})],
     "anova.offset"),
    ("different ties", [(NESTED[0], {}), (NESTED[1], {"ties": "breslow"})], "anova.ties"),
    ("different rows", [(NESTED[0], {}), ("Surv(time, status) ~ age + ph.ecog", {})], "anova.rows"),
]


@pytest.mark.parametrize("what,specs,kind", BAD, ids=[b[0] for b in BAD])
def test_refusals(what, specs, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph_anova(*_fits(pyimpl, specs))
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("what,specs,kind", BAD, ids=[b[0] for b in BAD])
def test_r_refuses_for_the_same_reasons(what, specs, kind):
    import rbridge

    with pytest.raises(Exception) as err:
        rbridge.coxph_anova(*_fits(rbridge, specs))
    assert refusal_kind(err.value, "coxph_anova") == kind


@pytest.mark.r
@pytest.mark.parametrize("seed", range(4))
def test_random_nested_fits_against_r(seed):
    """Generated cohorts: the sequential table and the nested list equal R's."""
    import pandas as pd

    import rbridge

    rng = np.random.default_rng(seed)
    n = 150
    d = pd.DataFrame({"t": rng.integers(1, 40, n).astype(float), "e": rng.integers(0, 2, n),
                      "x": rng.normal(size=n).round(2), "g": rng.choice(["a", "b", "c"], n),
                      "s": rng.integers(0, 2, n), "w": rng.integers(1, 4, n)})
    specs = ["Surv(t, e) ~ x", "Surv(t, e) ~ x + g", "Surv(t, e) ~ x * g + strata(s)"]
    for ties in ("efron", "breslow"):
        fa = [pyimpl.coxph(f, data=d, ties=ties, weights="w") for f in specs]
        fb = [rbridge.coxph(f, data=d, ties=ties, weights="w") for f in specs]
        for a, b in ((pyimpl.coxph_anova(fa[-1]), rbridge.coxph_anova(fb[-1])),
                     (pyimpl.coxph_anova(*fa[:2]), rbridge.coxph_anova(*fb[:2]))):
            assert a.rows == b.rows
            np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-12)
            np.testing.assert_allclose(a.chisq, b.chisq, rtol=1e-8, atol=1e-10)
            np.testing.assert_array_equal(a.df, b.df)
