"""A formula's own functions (rparity_contract.formula.Formula): the
definitions read as data and checked, the fit equal to the same formula with
the body written out (labels as written), new rows through the body's
basis, R's closure-call errors, and live R."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from rparity_contract.errors import InvalidArgument
from rparity_contract.formula import Formula, parse_formula

NS2 = ("x", "ns(x, Boundary.knots = c(35, 85), knots = c(55, 65))")


def test_definition_is_parsed_and_survives_pickling():
    f = Formula("Surv(time, status) ~ ns2(age)", functions={"ns2": NS2})
    mf = parse_formula(f, ["time", "status", "age"])
    assert list(mf.functions) == ["ns2"] and mf.functions["ns2"].params == ("x",)
    g = pickle.loads(pickle.dumps(f))
    assert g == f and g.functions["ns2"].text == NS2[1]


@pytest.mark.parametrize("functions, match", [
    ({"log": ("x", "x")}, "not a function the formula interface has"),
    ({"f": ("x", "x + y")}, "not its parameters"),
    ({"f": ("x", "system(x)")}, "does not know"),
    ({"f": ("1x", "x")}, "distinct R names"),
    ({"f": "x"}, "parameters, body"),
])
def test_bad_definitions(functions, match):
    with pytest.raises(InvalidArgument, match=match):
        Formula("Surv(time, status) ~ f(age)", functions=functions)


def test_unknown_function_is_still_refused():
    with pytest.raises(InvalidArgument, match="does not know"):
        pyimpl.coxph("Surv(time, status) ~ ns2(age)", data=load("lung"))


def test_fit_is_the_body_written_out_with_the_call_as_label():
    lung = load("lung")
    own = pyimpl.coxph(Formula("Surv(time, status) ~ ns2(age) + sex", functions={"ns2": NS2}), data=lung)
    out = pyimpl.coxph("Surv(time, status) ~ ns(age, Boundary.knots = c(35, 85), knots = c(55, 65)) + sex",
                       data=lung)
    assert own.names == ("ns2(age)1", "ns2(age)2", "ns2(age)3", "sex")
    np.testing.assert_array_equal(own.coef, out.coef)
    new = pd.DataFrame({"age": [30.0, 60, 90], "sex": [1, 2, 1]})
    np.testing.assert_array_equal(pyimpl.coxph_predict(own, type="lp", newdata=new).values,
                                  pyimpl.coxph_predict(out, type="lp", newdata=new).values)


@pytest.mark.parametrize("term, match", [("lg(age)", "missing"), ("lg(age, 1, 2)", "takes"),
                                         ("lg(age, b = 1, v = 2)", "given twice")])
def test_closure_call_errors(term, match):
    f = Formula(f"Surv(time, status) ~ {term}", functions={"lg": (("v", "b"), "log(v + b)")})
    with pytest.raises(InvalidArgument, match=match) as err:
        pyimpl.coxph(f, data=load("lung"))
    assert err.value.kind == "formula.arguments"


@pytest.mark.r
def test_own_functions_against_r():
    import rbridge

    lung = load("lung")
    f = Formula("Surv(time, status) ~ ns2(age) + lg(ph.karno, b = 1) + strata(sex)",
                functions={"ns2": NS2, "lg": (("v", "b"), "log(v + b)")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = pyimpl.coxph(f, data=lung), rbridge.coxph(f, data=lung)
    assert a.names == b.names
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.var, b.var, rtol=1e-12)
