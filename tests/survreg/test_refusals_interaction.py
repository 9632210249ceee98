"""survreg with ``strata()`` only inside interactions (``age:strata(sex)``,
no ``strata()`` main effect) and a robust variance (a ``cluster``, or
``robust = True``): survival 3.5-3 refuses it. survreg.R computes the robust
variance from ``residuals(fit, "dfbeta")``, whose model matrix is
``model.matrix(Terms[-untangle.specials(Terms, "strata", 1)$terms])``; the
index is ``-integer(0)`` (order 1 only), which keeps no term, so the score
(intercept + one column per stratum) does not conform to the variance (every
coefficient + one per stratum): "score %*% vv: non-conformable arguments".
The same fits without a robust variance are accepted (and their score-type
residuals refused, for the same reason)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import fixtures
from pyimpl.survreg import survreg
from pyimpl.survreg.residuals import survreg_residuals
from rparity.refusals import refusal_kind
from rparity_contract.control import SurvregControl
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
KIND = "robust.strata_interaction"

# R refuses each of these (checked in R 4.2.2, survival 3.5-3): any distribution with an estimated scale, a
# cluster() term, cluster=, or robust=TRUE, with or without an intercept, strata() with strata(), a stratum
# emptied by a subset (one scale), a fixed scale with one stratum, a fit that ran out of iterations
REFUSED = [
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "weibull"}),
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "gaussian"}),
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "loglogistic"}),
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "t"}),
    ("Surv(time, status) ~ sex + age:strata(sex)", {"dist": "lognormal", "robust": True}),
    ("Surv(time, status) ~ sex + age:strata(sex)", {"dist": "lognormal", "cluster": "inst"}),
    ("Surv(time, status) ~ age:strata(sex) - 1 + cluster(inst)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ age + strata(sex):strata(ph.ecog) + cluster(inst)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ age:strata(sex)", {"dist": "lognormal", "robust": True, "subset": "sex == 1"}),
    ("Surv(time, status) ~ age:strata(sex)", {"robust": True, "subset": "sex == 1", "scale": 1.0}),
    ("Surv(time, status) ~ age:strata(sex)", {"dist": "lognormal", "robust": True,
                                              "control": SurvregControl(iter_max=2)}),
]

# ...and accepts these: no robust variance, or a strata() main effect beside the interaction
ACCEPTED = [
    ("Surv(time, status) ~ sex + age:strata(sex)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", {"dist": "lognormal", "robust": False}),
    ("Surv(time, status) ~ age * strata(sex) + cluster(inst)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ strata(sex) + age:strata(sex) + cluster(inst)", {"dist": "lognormal"}),
    ("Surv(time, status) ~ age:strata(sex) + strata(ph.ecog)", {"dist": "lognormal", "robust": True}),
]


def _quiet_fit(formula, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return survreg(formula, LUNG, **kw)


@pytest.mark.parametrize("formula, kw", REFUSED)
def test_a_robust_variance_with_strata_only_in_an_interaction_is_refused(formula, kw):
    with pytest.raises(InvalidArgument) as err:
        _quiet_fit(formula, **kw)
    assert err.value.kind == KIND
    assert "`robust`/`cluster`" in str(err.value) and "non-conformable" in str(err.value)


def test_the_message_gives_rs_dimensions():
    with pytest.raises(InvalidArgument, match=r"1 \+ 2 columns against a variance of 4 \+ 2"):
        survreg("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", LUNG, dist="lognormal")


def test_rs_warning_comes_before_the_refusal():
    with pytest.warns(UserWarning, match="Ran out of iterations"), pytest.raises(InvalidArgument):
        survreg("Surv(time, status) ~ age:strata(sex)", LUNG, dist="lognormal", robust=True,
                control=SurvregControl(iter_max=2))


def test_an_earlier_refusal_of_r_comes_first():
    with pytest.raises(InvalidArgument) as err:
        survreg("Surv(time, status) ~ sex + age:strata(sex) + cluster(inst)", LUNG, dist="exponential")
    assert err.value.kind == "scale.strata"


@pytest.mark.parametrize("formula, kw", ACCEPTED)
def test_the_accepted_neighbours_still_fit(formula, kw):
    fit = _quiet_fit(formula, **kw)
    assert np.all(np.isfinite(fit.coef[~np.isnan(fit.coef)]))
    assert fit.var.shape[0] == fit.coef.size + fit.scale.size


def test_without_robust_the_interaction_keeps_its_columns_and_a_scale_per_stratum():
    fit = survreg("Surv(time, status) ~ sex + age:strata(sex)", LUNG, dist="lognormal")
    assert fit.names == ("(Intercept)", "sex", "age:strata(sex)sex=1", "age:strata(sex)sex=2")
    assert fit.scale.size == 2 and fit.naive_var is None


@pytest.mark.parametrize("rtype", ["dfbeta", "dfbetas", "ldcase", "ldresp", "ldshape"])
def test_score_residuals_of_such_a_fit_are_refused(rtype):
    fit = survreg("Surv(time, status) ~ sex + age:strata(sex)", LUNG, dist="lognormal")
    with pytest.raises(InvalidArgument, match="non-conformable") as err:
        survreg_residuals(fit, rtype)
    assert err.value.kind == "argument.value"


@pytest.mark.parametrize("rtype", ["response", "deviance", "working", "matrix"])
def test_residuals_without_the_model_matrix_are_given(rtype):
    fit = survreg("Surv(time, status) ~ sex + age:strata(sex)", LUNG, dist="lognormal")
    assert np.all(np.isfinite(survreg_residuals(fit, rtype).values))


@pytest.mark.r
@pytest.mark.parametrize("formula, kw", REFUSED)
def test_r_refuses_them_with_the_same_kind(r_engine, formula, kw):
    with pytest.raises(Exception) as err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r_engine.survreg(formula, LUNG, **kw)
    assert "non-conformable arguments" in str(err.value)
    assert refusal_kind(err.value, "survreg") == KIND


@pytest.mark.r
@pytest.mark.parametrize("formula, kw", ACCEPTED)
def test_r_accepts_the_neighbours_as_pyimpl_does(r_engine, formula, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fr = r_engine.survreg(formula, LUNG, **kw)
    fp = _quiet_fit(formula, **kw)
    assert fr.names == fp.names
    np.testing.assert_allclose(fp.var, fr.var, rtol=1e-8, atol=1e-14)


@pytest.mark.r
def test_r_refuses_the_score_residuals_too(r_engine):
    fit = r_engine.survreg("Surv(time, status) ~ sex + age:strata(sex)", LUNG, dist="lognormal")
    with pytest.raises(Exception) as err:
        r_engine.survreg_residuals(fit, "dfbeta")
    assert refusal_kind(err.value, "survreg_residuals") == "argument.value"
