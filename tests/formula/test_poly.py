"""poly() in a model formula: R's orthonormal polynomials (closed-form
properties and R's own numbers for a small vector), the raw powers, the
prediction of new rows by the fit's coefficients, metamorphic identities of
the Cox fit, R's refusals, and live R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from pyimpl.formula.poly import poly
from rparity_contract.errors import InvalidArgument

#: R 4.2.2: unclass(poly(c(1, 2, 4, 7, 11), 2)), attr(, "coefs") included
_X = np.array([1.0, 2, 4, 7, 11])
_R_POLY = np.array([[-0.49236596391733101, 0.475997296813150672],
                    [-0.36927447293799798, 0.079332882802191779],
                    [-0.12309149097933275, -0.449553002545753366],
                    [0.24618298195866542, -0.581774473882739507],
                    [0.73854894587599640, 0.475997296813150617]])
_R_ALPHA = (5.0, 7.0)
_R_NORM2 = (1.0, 5.0, 66.0, 514.80000000000007)


def test_small_vector_equals_r():
    z, basis = poly(_X, 2, False, "poly(x, 2)")
    np.testing.assert_array_equal(z, _R_POLY)  # bit for bit: R printed to 17 digits
    np.testing.assert_allclose(basis.alpha, _R_ALPHA, rtol=1e-14)
    np.testing.assert_allclose(basis.norm2, _R_NORM2, rtol=1e-14)


@pytest.mark.parametrize("degree", [1, 2, 4])
def test_columns_are_orthonormal_and_orthogonal_to_the_constant(degree):
    x = load("lung")["age"].to_numpy(float)
    z, _ = poly(x, degree, False, "poly(age)")
    np.testing.assert_allclose(z.T @ z, np.eye(degree), atol=1e-12)
    np.testing.assert_allclose(z.sum(axis=0), 0, atol=1e-12)


def test_new_rows_through_the_coefficients_reproduce_the_fit_rows():
    x = load("lung")["age"].to_numpy(float)
    z, basis = poly(x, 3, False, "poly(age, 3)")
    np.testing.assert_allclose(basis(x, "poly(age, 3)"), z, atol=1e-13)


def test_raw_is_the_powers():
    z, _ = poly(_X, 3, True, "poly(x, 3, raw = TRUE)")
    np.testing.assert_array_equal(z, np.column_stack([_X, _X * _X, _X ** 3]))


def test_cox_fit_with_poly_spans_the_same_model_as_the_powers():
    lung = load("lung")
    a = pyimpl.coxph("Surv(time, status) ~ poly(age, 2) + sex", data=lung)
    b = pyimpl.coxph("Surv(time, status) ~ age + I(age^2) + sex", data=lung)
    assert a.names == ("poly(age, 2)1", "poly(age, 2)2", "sex")
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-12)
    np.testing.assert_allclose(a.linear_predictors - a.linear_predictors.mean(),
                               b.linear_predictors - b.linear_predictors.mean(), atol=1e-9)
    raw = pyimpl.coxph("Surv(time, status) ~ poly(age, 2, raw = TRUE) + sex", data=lung)
    np.testing.assert_allclose(raw.coef, b.coef, rtol=1e-9)


def test_poly_of_rows_dropped_later_is_computed_on_all_rows():
    # model.frame evaluates poly() on every row, then na.omit drops some (R's anova.R)
    lung = load("lung")
    whole = pyimpl.coxph("Surv(time, status) ~ ph.ecog + poly(age, 2)", data=lung)
    kept = lung.dropna(subset=["ph.ecog"])
    refit = pyimpl.coxph("Surv(time, status) ~ ph.ecog + poly(age, 2)", data=kept)
    assert whole.n == refit.n
    assert not np.allclose(whole.coef[1:], refit.coef[1:])
    np.testing.assert_allclose(whole.loglik, refit.loglik, rtol=1e-12)


@pytest.mark.parametrize("formula, match", [
    ("Surv(time, status) ~ poly(wt.loss, 2)", "missing values are not allowed"),
    ("Surv(time, status) ~ poly(sex, 2)", "less than number of unique points"),
    ("Surv(time, status) ~ poly(age, 0)", "at least 1"),
    ("Surv(time, status) ~ poly(age, sex, 2)", "one variable"),
    ("Surv(time, status) ~ strata(poly(age, 2))", "matrix-valued"),
    ("Surv(time, status) ~ log(poly(age, 2))", "matrix-valued"),
])
def test_bad_poly_calls(formula, match):
    with pytest.raises(InvalidArgument, match=match):
        pyimpl.coxph(formula, data=load("lung"))


@pytest.mark.r
def test_poly_fits_and_predictions_against_r():
    import rbridge

    lung = load("lung")
    new = pd.DataFrame({"age": [41.0, 58, 80], "sex": [2, 1, 2]})
    for f in ("Surv(time, status) ~ poly(age, 3) + sex", "Surv(time, status) ~ poly(age, 2, raw = TRUE):sex"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = pyimpl.coxph(f, data=lung), rbridge.coxph(f, data=lung)
        assert a.names == b.names
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
        np.testing.assert_allclose(a.var, b.var, rtol=1e-12)
        pa = pyimpl.coxph_predict(a, type="risk", newdata=new, se_fit=True)
        pb = rbridge.coxph_predict(b, type="risk", newdata=new, se_fit=True)
        np.testing.assert_allclose(pa.values, pb.values, rtol=1e-12)
        np.testing.assert_allclose(pa.se, pb.se, rtol=1e-11)
