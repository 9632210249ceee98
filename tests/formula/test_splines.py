"""splines' ns() and bs() in a model formula: R's own numbers for small
vectors (printed to 17 digits), B-spline identities, the basis of new rows,
R's rules beyond the boundary knots, bad arguments, and live R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from pyimpl.formula.splines import bs, ns, spline_design
from rparity_contract.errors import InvalidArgument

_X = np.array([1.0, 2, 4, 7, 11, 3.5])

#: R 4.2.2: unclass(ns(x, df = 3))
_R_NS = np.array([[0.0, 0.0, 0.0],
                  [-0.143415340909969935, 0.36380246212326323, -0.207887121213293252],
                  [0.041725930355326957, 0.60680616250423725, -0.342282092859564124],
                  [0.469400636187884968, 0.37139851556160153, 0.025867514917180121],
                  [-0.162162162162162171, 0.37837837837837834, 0.783783783783783661],
                  [-0.076711373895259616, 0.62430570575560596, -0.356188081860346228]])
#: unclass(bs(x, df = 4))
_R_BS = np.array([[0.0, 0.0, 0.0, 0.0],
                  [0.65006761833208104, 0.08859504132231405, 0.0036363636363636364, 0.0],
                  [0.47310344827586215, 0.42882282996432830, 0.0980327196687031249, 4.1002091106646436e-05],
                  [0.08827586206896551, 0.36375743162901308, 0.4578851121407191416, 9.0081594161302223e-02],
                  [0.0, 0.0, 0.0, 1.0],
                  [0.58086025544703235, 0.36157024793388431, 0.0568181818181818232, 0.0]])
#: splineDesign(c(0,0,0,0,1,2,3,3,3,3), c(0.5, 1, 2.5, 3), 4, c(0,1,2,0))
_R_DESIGN = np.array([[0.125, 0.59375, 0.26041666666666663, 0.020833333333333332, 0.0, 0.0],
                      [0.0, -0.75, 0.25, 0.5, 0.0, 0.0],
                      [0.0, 0.0, 0.5, 0.25, -3.75, 3.0],
                      [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]])


def test_ns_equals_r():
    z, basis = ns(_X, "ns(x, df = 3)", df=3)
    np.testing.assert_allclose(z, _R_NS, rtol=1e-14, atol=1e-16)
    assert basis.knots == (3.0, 4.9999999999999991)  # R: attr(ns(x, df = 3), "knots")


def test_bs_equals_r():
    z, _ = bs(_X, "bs(x, df = 4)", df=4)
    np.testing.assert_allclose(z, _R_BS, rtol=1e-14, atol=1e-16)


def test_spline_design_values_and_derivatives_equal_r():
    d = spline_design([0, 0, 0, 0, 1, 2, 3, 3, 3, 3], [0.5, 1, 2.5, 3], 4, (0, 1, 2, 0))
    np.testing.assert_allclose(d, _R_DESIGN, rtol=1e-14, atol=1e-16)


def test_b_splines_with_intercept_sum_to_one():
    x = load("lung")["age"].to_numpy(float)
    z, _ = bs(x, "bs(age, df = 6, intercept = TRUE)", df=6, intercept=True)
    np.testing.assert_allclose(z.sum(axis=1), 1.0, atol=1e-14)


def test_ns_is_linear_beyond_the_boundary_knots():
    x = np.linspace(0, 100, 41)
    z, _ = ns(x, "ns(x)", knots=[40, 60], boundary=[30, 70], boundary_given=True)
    for side in (x <= 30, x >= 70):
        np.testing.assert_allclose(np.diff(z[side], n=2, axis=0), 0, atol=1e-12)


@pytest.mark.parametrize("fn, kw", [(ns, {"df": 4}), (bs, {"df": 5}), (bs, {"df": 4, "degree": 2})])
def test_new_rows_through_the_fit_knots_reproduce_the_fit_rows(fn, kw):
    x = load("lung")["age"].to_numpy(float)
    z, basis = fn(x, "s(age)", **kw)
    np.testing.assert_allclose(basis(x, "s(age)"), z, atol=1e-13)


def test_missing_values_stay_missing_rows():
    x = np.array([1.0, np.nan, 4, 7, 11, 3.5])
    z, _ = ns(x, "ns(x, 3)", df=3)
    assert np.isnan(z[1]).all() and not np.isnan(np.delete(z, 1, axis=0)).any()


def test_bs_beyond_given_boundary_warns_as_r():
    with pytest.warns(Warning, match="beyond boundary knots"):
        fit = pyimpl.coxph("Surv(time, status) ~ bs(age, knots = 60, Boundary.knots = c(50, 70))",
                           data=load("lung"))
    assert "some 'x' values beyond boundary knots may cause ill-conditioned bases" in fit.warnings


@pytest.mark.parametrize("formula, match", [
    ("Surv(time, status) ~ ns(age, df = 3, spar = 2)", "takes x and"),
    ("Surv(time, status) ~ ns(age, knots = sex)", "constants"),
    ("Surv(time, status) ~ bs(age, degree = 0)", "degree"),
    ("Surv(time, status) ~ factor(ns(age, 2))", "matrix-valued"),
])
def test_bad_spline_calls(formula, match):
    with pytest.raises(InvalidArgument, match=match):
        pyimpl.coxph(formula, data=load("lung"))


@pytest.mark.r
def test_spline_fits_and_predictions_against_r():
    import rbridge

    lung = load("lung")
    new = pd.DataFrame({"age": [30.0, 58, 90], "sex": [2, 1, 2]})
    for f in ("Surv(time, status) ~ ns(age, df = 4) + sex", "Surv(time, status) ~ bs(age, df = 5, degree = 2) + sex",
              "Surv(time, status) ~ ns(age, knots = c(55, 65), Boundary.knots = c(45, 75)):sex"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = pyimpl.coxph(f, data=lung), rbridge.coxph(f, data=lung)
            pa = pyimpl.coxph_predict(a, type="lp", newdata=new, se_fit=True)
            pb = rbridge.coxph_predict(b, type="lp", newdata=new, se_fit=True)
        assert a.names == b.names
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-11)
        np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-14)
        np.testing.assert_allclose(pa.values, pb.values, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(pa.se, pb.se, rtol=1e-11)
