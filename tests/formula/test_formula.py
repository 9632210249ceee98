"""The formula interface: R's deparse, terms and model-matrix rules (values
printed by R 4.2.2 and survival 3.5-3, quoted beside each table), its bad
arguments, and the formula form against the array form (bit for bit)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pyimpl
from fixtures import load
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.formula import deparse, parse_expr, parse_formula

# deparse(quote(...)) in R 4.2.2
DEPARSE = [
    ("I(a/b + c*d - e^2)", "I(a/b + c * d - e^2)"),
    ("I((a+b)*c)", "I((a + b) * c)"),
    ("log(x, base=2)", "log(x, base = 2)"),
    ("I(-a - (b + c))", "I(-a - (b + c))"),
    ("I(a - (b - c))", "I(a - (b - c))"),
    ("I((-a)^2)", "I((-a)^2)"),
    ("I(k == 1 & l != 2 | !m)", "I(k == 1 & l != 2 | !m)"),
    ("I(x^2 + 1e5 + 0.001 + 2.50 + -x)", "I(x^2 + 1e+05 + 0.001 + 2.5 + -x)"),
    ("I(123456 + 0.0001 + 1e15 + 2L)", "I(123456 + 1e-04 + 1e+15 + 2)"),
    ("log(wt.loss+30)", "log(wt.loss + 30)"),
    ("as.numeric(ec)", "as.numeric(ec)"),
    ("`my var`", "`my var`"),
]


@pytest.mark.parametrize("text, expected", DEPARSE)
def test_deparse_as_r(text, expected):
    assert deparse(parse_expr(text)) == expected


# attr(terms(f), "term.labels") and attr(terms(f), "factors") in R 4.2.2
TERMS = [
    ("y ~ b:a + a + b + (c+d)^2 + c %in% a", ["a", "b", "c", "d", "b:a", "c:d", "a:c"], None),
    ("y ~ a*b - a", ["b", "a:b"], {"a:b": (1, 2)}),
    ("y ~ a + log(a) + b:log(a)", ["a", "log(a)", "log(a):b"], {"log(a):b": (2, 1)}),
    ("y ~ sexf:age + I(age^2) + ph.ecog:age", ["I(age^2)", "sexf:age", "age:ph.ecog"], {"sexf:age": (2, 2)}),
    ("y ~ a/b", ["a", "a:b"], {"a:b": (2, 1)}),
]


@pytest.mark.parametrize("text, labels, codes", TERMS)
def test_terms_as_r(text, labels, codes):
    mf = parse_formula(text)
    assert list(mf.term_labels) == labels
    for label, code in (codes or {}).items():
        assert mf.codes[mf.term_labels.index(label)] == code


def test_dot_keeps_removed_variables_in_the_frame():
    # R: coxph(Surv(time, status) ~ . - inst, lung)$n is 167: inst's NA still drops a row
    mf = parse_formula("Surv(time, status) ~ . - inst", ["time", "status", "age", "inst"])
    assert mf.term_labels == ("age",)
    assert [deparse(e) for e in mf.unused] == ["inst"]


BAD = [
    ("Surv(time, status) ~ foo(age)", "formula.function"),
    ("Surv(time, status) ~ age +", "formula.syntax"),
    ("Surv(time, status) ~ {age}", "formula.syntax"),
    ("Surv(time, status) ~ age[1]", "formula.syntax"),
    ("Surv(time, status) ~ log(strata(inst))", "formula.special"),
    ("Surv(time, status) ~ cluster(inst):age", "formula.special"),
    ("Surv(time, status) ~ cluster(inst) + cluster(sex)", "formula.special"),
    ("Surv(time, status) ~ age + agee", "data.column"),
    ("Surv(time, status) ~ I(age && sex)", "formula.syntax"),
    ("Surv(time, status) ~ I(1 < age < 3)", "formula.syntax"),
    ("age + sex", "formula.syntax"),
]


@pytest.mark.parametrize("text, kind", BAD)
def test_bad_formulas(text, kind):
    lung = load("lung")
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph(text, data=lung)
    assert err.value.kind == kind
    assert "formula" in str(err.value) or "data" in str(err.value)


BAD_CALLS = [
    (dict(time=np.ones(3)), "argument.value"),
    (dict(strata="inst"), "argument.value"),
    (dict(subset=np.array([0.5])), "subset.value"),
    (dict(subset="age - 60"), "subset.value"),  # row numbers of both signs
    (dict(subset=np.array([True, False])), "subset.value"),
    (dict(weights="nope"), "data.column"),
]


@pytest.mark.parametrize("kw, kind", BAD_CALLS)
def test_bad_formula_calls(kw, kind):
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph("Surv(time, status) ~ age", data=load("lung"), **kw)
    assert err.value.kind == kind


def test_formula_needs_data_and_array_form_needs_event():
    with pytest.raises(InvalidArgument, match="`data` is needed"):
        pyimpl.coxph("Surv(time, status) ~ age")
    lung = load("lung")
    with pytest.raises(InvalidArgument, match="`event` is missing"):
        pyimpl.coxph(lung[["age"]], lung["time"])


def _same(a, b):
    assert a.names == b.names
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.var, b.var)
    np.testing.assert_array_equal(a.loglik, b.loglik)
    assert (a.n, a.nevent, a.n_dropped, a.iterations) == (b.n, b.nevent, b.n_dropped, b.iterations)


@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_formula_equals_array_form(ties):
    lung = load("lung")
    f = pyimpl.coxph("Surv(time, status) ~ age + sex + strata(inst)", data=lung, ties=ties)
    a = pyimpl.coxph(lung[["age", "sex"]], lung["time"], lung["status"], strata=lung["inst"], ties=ties)
    _same(f, a)


def test_factor_in_formula_equals_categorical_column():
    lung = load("lung")
    f = pyimpl.coxph("Surv(time, status) ~ age + factor(ph.ecog) + cluster(inst)", data=lung)
    X = pd.DataFrame({"age": lung["age"], "factor(ph.ecog)": pd.Categorical(lung["ph.ecog"])})
    a = pyimpl.coxph(X, lung["time"], lung["status"], cluster=lung["inst"])
    _same(f, a)
    assert f.term_names == ("age", "factor(ph.ecog)") and f.assign == ((0,), (1, 2, 3))


def test_subset_expression_equals_rows_taken():
    lung = load("lung")
    f = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung, subset="age > 60")
    rows = lung[lung["age"] > 60].reset_index(drop=True)
    a = pyimpl.coxph("Surv(time, status) ~ age + sex", data=rows)
    _same(f, a)


def test_subset_na_is_a_dropped_row():
    # R: x[NA, ] is a row of NA, which na.omit drops and reports
    lung = load("lung")
    f = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung, subset="ph.ecog < 2")
    assert f.n_dropped == int(lung["ph.ecog"].isna().sum())


def test_log_of_a_negative_warns_and_drops_the_row():
    d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "d": [1, 1, 0, 1, 1, 0], "x": [1.0, 2, -1, 4, 3, 6]})
    with pytest.warns(RParityWarning, match="NaNs produced"):
        f = pyimpl.coxph("Surv(t, d) ~ log(x)", data=d)
    assert f.n_dropped == 1 and f.names == ("log(x)",)


def test_strata_interaction_labels_as_r():
    # R: coxph(Surv(time, status) ~ age + strata(sex):ph.ecog, lung) names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pyimpl.coxph("Surv(time, status) ~ age + strata(sex):ph.ecog", data=load("lung"))
    assert f.names == ("age", "strata(sex)sex=1:ph.ecog", "strata(sex)sex=2:ph.ecog")


def test_counting_process_response_reads_start_stop_event():
    d = pd.DataFrame({"a": [0.0, 0, 1, 0], "b": [1.0, 2, 3, 4], "d": [1, 0, 1, 1], "x": [1.0, 2, 3, 0]})
    fit = pyimpl.coxph("Surv(a, b, d) ~ x", data=d)
    assert fit.n == 4 and fit.nevent == 3


TRICKY = [
    "Surv(time, status) ~ `my var` + grp + relevel(factor(ph.ecog), ref = '2')",
    "Surv(time, status == 2) ~ pmax(age, 50) * sex + I(wt.loss > 5 | is_old) + strata(inst)",
    "Surv(time) ~ as.numeric(factor(ph.ecog)) + log(age, 2)",
    # the same call twice is one variable: subtracted, repeated, in an interaction (whitespace aside)
    "Surv(time, status) ~ age + log(sex) - log(sex)",
    "Surv(time, status) ~ sqrt(age) + sqrt( age ):sex + log(age) + log(age)",
]


@pytest.mark.parametrize("formula, labels", [
    ("Surv(time, status) ~ age + log(sex) - log(sex)", ("age",)),
    ("Surv(time, status) ~ sqrt(age) + sqrt( age ):sex", ("sqrt(age)", "sqrt(age):sex")),
    ("Surv(time, status) ~ log(age) + log(age)", ("log(age)",)),
    # R keeps a subtracted special's variable and still stratifies by it: the term stays in the contract
    ("Surv(time, status) ~ age + strata(sex) - strata(sex)", ("age", "strata(sex)")),
])
def test_the_same_call_is_one_variable(formula, labels):
    """R's terms() compares terms by their deparsed calls (attr(terms(f), "term.labels") in R 4.2.2)."""
    m = parse_formula(formula)
    assert m.term_labels == labels
    assert len({deparse(v) for v in m.variables}) == len(m.variables)


@pytest.mark.r
@pytest.mark.parametrize("formula", TRICKY)
def test_tricky_formulas_against_r(formula):
    import rbridge

    lung = load("lung").copy()
    lung["my var"] = lung["wt.loss"]
    lung["grp"] = np.where(lung["age"] > 60, "old", "young")
    lung["is_old"] = lung["age"] > 70
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = pyimpl.coxph(formula, data=lung, subset="inst != 11")
        b = rbridge.coxph(formula, data=lung, subset="inst != 11")
    assert a.names == b.names and a.term_names == b.term_names and a.assign == b.assign
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12, atol=0)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-13)
    assert (a.n, a.n_dropped) == (b.n, b.n_dropped)


@pytest.mark.r
def test_r_reports_unknown_columns_itself():
    import rbridge
    from rparity_contract.errors import RError

    with pytest.raises(RError, match="agee"):
        rbridge.coxph("Surv(time, status) ~ agee", data=load("lung"))


def test_offset_of_zero_is_no_offset():
    lung = load("lung")
    a = pyimpl.coxph("Surv(time, status) ~ age + sex + offset(0 * age)", data=lung)
    b = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung)
    _same(a, b)
    np.testing.assert_array_equal(a.linear_predictors, b.linear_predictors)


def test_offset_is_centred_as_r():
    # coxph.R: offset - mean(offset): a constant added to the offset changes nothing but rounding
    lung = load("lung")
    a = pyimpl.coxph("Surv(time, status) ~ age + offset(log(ph.karno))", data=lung)
    b = pyimpl.coxph("Surv(time, status) ~ age + offset(log(ph.karno) + 3)", data=lung)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-13)


def test_offset_fixed_at_the_fitted_coefficient_leaves_the_likelihood():
    # an offset of b * x, with b the fitted coefficient of x, is that fit's final log-likelihood
    lung = load("lung").dropna(subset=["age", "sex"]).reset_index(drop=True)
    full = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung)
    lung = lung.assign(bx=full.coef[0] * lung["age"])
    part = pyimpl.coxph("Surv(time, status) ~ sex + offset(bx)", data=lung)
    np.testing.assert_allclose(part.coef, full.coef[1:], rtol=1e-7)
    np.testing.assert_allclose(part.loglik[1], full.loglik[1], rtol=1e-12)


def test_offset_overflow_refused_with_rs_reason():
    with pytest.raises(InvalidArgument) as err:
        pyimpl.coxph("Surv(time, status) ~ sex + offset(age * 20)", data=load("lung"))
    assert err.value.kind == "offset.nonfinite"


def test_survfit_formula_equals_array_form():
    lung = load("lung")
    f = pyimpl.survfit("Surv(time, status) ~ 1", data=lung, subset="sex == 2", conf_type="log-log")
    rows = lung[lung["sex"] == 2]
    a = pyimpl.survfit(rows["time"], rows["status"], conf_type="log-log")
    for k in ("time", "surv", "std_err", "lower", "upper", "n_risk"):
        np.testing.assert_array_equal(getattr(f, k), getattr(a, k))


def test_survdiff_formula_equals_array_form_with_rs_labels():
    lung = load("lung")
    f = pyimpl.survdiff("Surv(time, status) ~ sex + strata(inst)", data=lung)
    a = pyimpl.survdiff(lung["time"], lung["status"], lung["sex"], strata=lung["inst"])
    assert f.groups == ("sex=1", "sex=2")
    assert f.chisq == a.chisq
    np.testing.assert_array_equal(f.obs, a.obs)


BAD_SURVIVAL = [
    (lambda: pyimpl.survfit("Surv(time, status) ~ sex:ph.ecog", data=load("lung")), "formula.syntax"),
    (lambda: pyimpl.survfit("Surv(time, status) ~ 1", data=load("lung"), influence=7), "influence.value"),
    (lambda: pyimpl.survfit("Surv(time, status) ~ 1", load("lung")["status"], data=load("lung")), "argument.value"),
    (lambda: pyimpl.survfit("Surv(time, status) ~ 1"), "data.type"),
    (lambda: pyimpl.survdiff("Surv(time, status) ~ strata(inst)", data=load("lung")), "group.levels"),
    (lambda: pyimpl.survdiff("Surv(time, status) ~ sex:ph.ecog", data=load("lung")), "formula.syntax"),
    (lambda: pyimpl.survdiff("Surv(time, status) ~ sex", data=load("lung"), strata=load("lung")["inst"]),
     "argument.value"),
]


@pytest.mark.parametrize("call, kind", BAD_SURVIVAL)
def test_bad_survival_formula_calls(call, kind):
    with pytest.raises(InvalidArgument) as err:
        call()
    assert err.value.kind == kind


@pytest.mark.r
def test_survdiff_formula_groups_against_r():
    import rbridge

    lung = load("lung")
    for f in ("Surv(time, status) ~ sex + ph.ecog + strata(inst)", "Surv(time, status) ~ factor(ph.ecog)"):
        a, b = pyimpl.survdiff(f, data=lung, rho=0.5), rbridge.survdiff(f, data=lung, rho=0.5)
        assert a.groups == b.groups
        np.testing.assert_allclose(a.chisq, b.chisq, rtol=1e-12)
        np.testing.assert_array_equal(a.n, b.n)


@pytest.mark.r
def test_counting_survfit_in_both_engines():
    # Surv(start, stop, event) ~ 1: delayed entry and split follow-up, the same curve in both engines
    import rbridge

    data = load("lung_split")
    a, b = (eng.survfit("Surv(tstart, time, status) ~ 1", data=data, id="id") for eng in (pyimpl, rbridge))
    assert a.counting and b.counting
    np.testing.assert_array_equal(a.n_risk, b.n_risk)
    np.testing.assert_array_equal(a.n_censor, b.n_censor)
    np.testing.assert_array_equal(a.surv, b.surv)
