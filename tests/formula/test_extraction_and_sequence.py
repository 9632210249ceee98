"""Two pieces of R's expression language the survival suite writes inside
formulas: an extraction from another object, ``aml$time`` or
``fit1$coef[2]`` (one variable of that name: a column of data so named,
deparsed as R writes it), and the sequence ``1:23`` inside a variable's
expression."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import fixtures
import pyimpl
from rparity_contract.errors import InvalidArgument
from rparity_contract.formula.expr import deparse, parse_expr

AML = fixtures.load("aml")
DOLLAR = pd.DataFrame({"aml$time": AML["time"], "aml$status": AML["status"], "aml$x": AML["x"]})


@pytest.mark.parametrize("text, back", [
    ("aml$x", "aml$x"),
    ("offset(ph.ecog * fit1$coef[2])", "offset(ph.ecog * fit1$coef[2])"),
    ("log(1:23)", "log(1:23)"),
    ("a * 1:3", "a * 1:3"),  # R: a * (1:3)
    ("-1:3", "-1:3"),  # R: (-1):3
    ("x + 1:n * 2", "x + 1:n * 2"),
    ("`a$b`", "a$b"),
])
def test_parse_and_deparse_as_r(text, back):
    assert deparse(parse_expr(text)) == back


def test_colon_binds_tighter_than_times():
    e = parse_expr("a * 1:3")
    assert e.op == "*" and e.right.op == ":"  # type: ignore[union-attr]


def test_an_extraction_is_a_variable_labelled_as_r_labels_it():
    fit = pyimpl.coxph("Surv(aml$time, aml$status) ~ aml$x", data=DOLLAR, ties="breslow")
    assert fit.names == ("aml$xNonmaintained",)
    plain = pyimpl.coxph("Surv(time, status) ~ x", data=AML, ties="breslow")
    np.testing.assert_array_equal(fit.coef, plain.coef)
    assert pyimpl.survdiff("Surv(aml$time, aml$status) ~ aml$x", data=DOLLAR).groups == \
        ("aml$x=Maintained", "aml$x=Nonmaintained")


def test_a_sequence_is_r_s_colon():
    fit = pyimpl.coxph("Surv(time, status) ~ x + offset(log(1:23))", data=AML)
    ref = pyimpl.coxph("Surv(time, status) ~ x + offset(log(k))", data=AML.assign(k=np.arange(1.0, 24)))
    np.testing.assert_array_equal(fit.coef, ref.coef)
    down = pyimpl.coxph("Surv(time, status) ~ x + offset(23:1 / 10)", data=AML)
    ref = pyimpl.coxph("Surv(time, status) ~ x + offset(k)", data=AML.assign(k=np.arange(23.0, 0, -1) / 10))
    np.testing.assert_array_equal(down.coef, ref.coef)


@pytest.mark.parametrize("formula, kind", [
    ("Surv(time, status) ~ x + offset(log(1:5))", "lengths"),
    ("Surv(time, status) ~ x + offset(time:3)", "formula.value"),
    ("Surv(time, status) ~ x[2]", "formula.syntax"),
])
def test_what_r_refuses_or_pyimpl_does_not_read(formula, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph(formula, data=AML)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("formula, data", [
    ("Surv(aml$time, aml$status) ~ aml$x", DOLLAR),
    ("Surv(time, status) ~ x + offset(log(1:23))", AML),
    ("Surv(time, status) ~ x + offset(2 * 23:1 / 10)", AML),
])
def test_r_agrees(r_engine, formula, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pyimpl.coxph(formula, data=data)
        b = r_engine.coxph(formula, data=data)
    assert a.names == b.names
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-13)
