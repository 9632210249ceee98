"""R conventions the survival suite relies on: numeric ``subset=``,
``na.action = na.exclude``, abbreviated option values (``match.arg``) and
``newdata``'s row names as curve labels. Each is checked against its closed
form and, live, against R.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import fixtures
from rparity_contract.errors import InvalidArgument

LUNG = fixtures.load("lung")
F = "Surv(time, status) ~ age + wt.loss"


def _outcome(engine, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = engine.coxph(F, data=LUNG, **kw)
        except InvalidArgument as exc:
            return ("refused", exc.kind)
        except Exception as exc:  # R's error through rbridge
            from rparity.refusals import refusal_kind

            return ("refused", refusal_kind(exc, "coxph"))
    return (fit.n, fit.n_dropped, tuple("NaN" if np.isnan(c) else round(float(c), 12) for c in fit.coef))


# subset as row numbers: R's `[` rules
SUBSETS = ["-5", "(-10)", "1 - 2 * (sex == 1)", "300", "age - 60", "0", "sex", "(sex - 1) * 3 + 1", "inst"]


@pytest.mark.r
@pytest.mark.parametrize("subset", SUBSETS)
def test_numeric_subset_matches_r(py_engine, r_engine, subset):
    assert _outcome(py_engine, subset=subset) == _outcome(r_engine, subset=subset)


def test_numeric_subset_closed_form(py_engine):
    drop5 = py_engine.coxph(F, data=LUNG, subset="-5")
    by_mask = py_engine.coxph(F, data=LUNG, subset=np.arange(len(LUNG)) != 4)
    assert drop5.n == by_mask.n and np.array_equal(drop5.coef, by_mask.coef)
    # positive numbers pick rows, repeats repeat them: sex (1 or 2) picks rows 1 and 2, many times
    picked = py_engine.coxph(F, data=LUNG, subset="sex")
    rows = LUNG.iloc[LUNG["sex"].to_numpy() - 1].reset_index(drop=True)
    by_rows = py_engine.coxph(F, data=rows)
    assert picked.n == by_rows.n and np.array_equal(picked.coef, by_rows.coef, equal_nan=True)


@pytest.mark.parametrize("subset, match", [("age - 60", "mix positive"), ("300", "at most the number of rows")])
def test_numeric_subset_refusals_name_the_problem(py_engine, subset, match):
    with pytest.raises(InvalidArgument, match=match) as err:
        py_engine.coxph(F, data=LUNG, subset=subset)
    assert err.value.kind == "subset.value"


# na.action = na.exclude: residuals and predictions padded with NaN
def test_na_exclude_pads_residuals_and_predictions(py_engine):
    omit = py_engine.coxph(F, data=LUNG)
    excl = py_engine.coxph(F, data=LUNG, na_action="na.exclude")
    assert np.array_equal(omit.coef, excl.coef) and excl.n_dropped == omit.n_dropped > 0
    dropped = list(excl.na_action)
    for kind in ("martingale", "deviance", "dfbeta", "score"):
        r_o = py_engine.coxph_residuals(omit, kind).values
        r_e = py_engine.coxph_residuals(excl, kind).values
        assert r_e.shape[0] == len(LUNG)
        assert np.isnan(r_e[dropped]).all()
        keep = np.setdiff1d(np.arange(len(LUNG)), dropped)
        assert np.array_equal(r_e[keep], r_o)
    # Schoenfeld residuals are one per event: never padded
    assert py_engine.coxph_residuals(excl, "schoenfeld").values.shape == \
        py_engine.coxph_residuals(omit, "schoenfeld").values.shape
    p = py_engine.coxph_predict(excl, "lp", se_fit=True)
    assert p.values.shape == (len(LUNG),) and np.isnan(p.se[dropped]).all()
    new = py_engine.coxph_predict(excl, "lp", newdata=LUNG.iloc[:3])
    assert new.values.shape == (3,)


@pytest.mark.r
@pytest.mark.parametrize("kind", ["martingale", "deviance", "dfbetas", "partial"])
def test_na_exclude_matches_r(py_engine, r_engine, kind):
    ids = np.arange(len(LUNG)) // 3
    out = []
    for eng in (py_engine, r_engine):
        fit = eng.coxph(F, data=LUNG, na_action="na.exclude")
        res = eng.coxph_residuals(fit, kind, collapse=ids if kind == "martingale" else None).values
        pred = eng.coxph_predict(fit, "expected", se_fit=True)
        out.append((res, pred.values, pred.se))
    for a, b in zip(out[0], out[1]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        assert np.array_equal(np.isnan(a), np.isnan(b))


def test_na_action_refuses_unknown(py_engine):
    with pytest.raises(InvalidArgument, match="`na_action` must be one of"):
        py_engine.coxph(F, data=LUNG, na_action="na.fail")


# match.arg: abbreviations
@pytest.mark.parametrize("given, meant", [("schoen", "schoenfeld"), ("scor", "score"), ("dfbeta", "dfbeta"),
                                          ("mart", "martingale"), ("scaled", "scaledsch")])
def test_residual_type_abbreviations(py_engine, given, meant):
    fit = py_engine.coxph(F, data=LUNG)
    assert np.array_equal(py_engine.coxph_residuals(fit, given).values,
                          py_engine.coxph_residuals(fit, meant).values, equal_nan=True)


@pytest.mark.parametrize("given", ["d", "df", "s", ""])
def test_ambiguous_abbreviation_is_refused(py_engine, given):
    fit = py_engine.coxph(F, data=LUNG)
    with pytest.raises(InvalidArgument, match="abbreviation") as err:
        py_engine.coxph_residuals(fit, given)
    assert err.value.kind == "type.value"


def test_ties_and_predict_abbreviations(py_engine):
    assert py_engine.coxph(F, data=LUNG, ties="bres").method == "breslow"
    fit = py_engine.coxph(F, data=LUNG)
    assert np.array_equal(py_engine.coxph_predict(fit, "exp").values, py_engine.coxph_predict(fit, "expected").values)


@pytest.mark.r
@pytest.mark.parametrize("given", ["schoen", "dfb", "d"])
def test_abbreviations_match_r(py_engine, r_engine, given):
    out = []
    for eng in (py_engine, r_engine):
        fit = eng.coxph(F, data=LUNG)
        try:
            out.append(np.asarray(eng.coxph_residuals(fit, given).values))
        except Exception as exc:
            from rparity.refusals import refusal_kind

            out.append(refusal_kind(exc, "coxph_residuals"))
    if isinstance(out[0], str) or isinstance(out[1], str):
        assert out[0] == out[1]
    else:
        np.testing.assert_allclose(out[0], out[1], rtol=1e-9, atol=1e-12)


# newdata row names label survfit's curves
def test_newdata_row_names_label_curves(py_engine):
    fit = py_engine.coxph("Surv(time, status) ~ age + strata(sex)", data=LUNG)
    named = pd.DataFrame({"age": [50, 70], "sex": [1, 2]}, index=["young", "old"])
    s = py_engine.survfit_cox(fit, named)
    assert set(s.strata) == {"young", "old"}
    plain = py_engine.survfit_cox(fit, named.reset_index(drop=True))
    assert set(plain.strata) == {"1", "2"}


@pytest.mark.r
def test_newdata_row_names_match_r(py_engine, r_engine):
    named = pd.DataFrame({"age": [50, 70, 60]}, index=["a", "b", "c"])
    got = []
    for eng in (py_engine, r_engine):
        fit = eng.coxph("Surv(time, status) ~ age + strata(sex)", data=LUNG)
        s = eng.survfit_cox(fit, named.assign(sex=[1, 2, 1]))
        got.append((s.strata, s.curves))
        fit2 = eng.coxph("Surv(time, status) ~ age", data=LUNG)
        got.append(tuple(eng.survfit_cox(fit2, named).curves))
    assert got[0] == got[2] and got[1] == got[3]


# id: R's robust-by-default rule and the ids as clusters (one-state data)
SPLIT = fixtures.load("lung_split")
ID_CASES = [
    ("Surv(tstart, time, status) ~ age + sex", "split", {"id": "id"}),
    ("Surv(tstart, time, status) ~ age + sex", "split", {"id": "id", "robust": True}),
    ("Surv(tstart, time, status) ~ age + sex", "split", {"id": "id", "cluster": "inst"}),
    ("Surv(time, status) ~ age + sex", "pairs", {"id": "pid"}),
    ("Surv(time, status) ~ age + sex", "pairs", {"id": "pid", "robust": False}),
    ("Surv(time, status) ~ age + ph.ecog", "lung", {"id": "inst"}),
    ("Surv(tstart, time, status) ~ age", "split", {"robust": True}),
]
_DATA = {"split": SPLIT, "lung": LUNG, "pairs": LUNG.assign(pid=np.arange(len(LUNG)) // 2)}


def _id_outcome(engine, formula, data, kw):
    try:
        fit = engine.coxph(formula, data=_DATA[data], **kw)
    except Exception as exc:
        from rparity.refusals import refusal_kind

        return ("refused", refusal_kind(exc, "coxph"))
    return (fit.robust, fit.n, fit.coef, fit.var)


def test_id_makes_the_clusters(py_engine):
    by_id = py_engine.coxph("Surv(tstart, time, status) ~ age + sex", data=SPLIT, id="id", robust=True)
    by_cluster = py_engine.coxph("Surv(tstart, time, status) ~ age + sex", data=SPLIT, cluster="id")
    assert np.array_equal(by_id.var, by_cluster.var) and by_id.robust
    # one event per subject: not robust by default (R: anyDuplicated(id[status == 1]))
    assert not py_engine.coxph("Surv(tstart, time, status) ~ age + sex", data=SPLIT, id="id").robust
    # a missing id drops the row
    holes = LUNG.assign(pid=np.where(np.arange(len(LUNG)) % 10 == 0, np.nan, np.arange(len(LUNG)) // 2))
    assert py_engine.coxph("Surv(time, status) ~ age", data=holes, id="pid").n == len(LUNG) - 23


@pytest.mark.r
@pytest.mark.parametrize("formula, data, kw", ID_CASES, ids=[str(c[2]) for c in ID_CASES])
def test_id_matches_r(py_engine, r_engine, formula, data, kw):
    a, b = _id_outcome(py_engine, formula, data, kw), _id_outcome(r_engine, formula, data, kw)
    assert a[:2] == b[:2]
    if a[0] != "refused":
        np.testing.assert_allclose(a[2], b[2], rtol=1e-9)
        np.testing.assert_allclose(a[3], b[3], rtol=1e-9)


# a factor status is multi-state data for R's Surv(): refused, with R's reason, by every function
MULTI = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "s": pd.Categorical(list("cdcddc")), "x": [1.0, 2, 3, 1, 2, 5],
                      "g": [1, 1, 1, 2, 2, 2], "i": [1, 2, 3, 4, 5, 6]})
MULTI_CALLS = [("coxph", "Surv(t, s) ~ x", {}, "event.multistate"),
               ("coxph", "Surv(t, s) ~ x", {"id": "i"}, "event.multistate"),
               ("survfit", "Surv(t, s) ~ 1", {}, "event.multistate"),
               ("survdiff", "Surv(t, s) ~ g", {}, "formula.response")]


@pytest.mark.parametrize("function, formula, kw, kind", MULTI_CALLS, ids=[f"{c[0]}{c[2]}" for c in MULTI_CALLS])
def test_factor_status_is_refused(py_engine, function, formula, kw, kind):
    with pytest.raises(InvalidArgument, match="factor") as err:
        getattr(py_engine, function)(formula, data=MULTI, **kw)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("function, formula, kw, kind", MULTI_CALLS, ids=[f"{c[0]}{c[2]}" for c in MULTI_CALLS])
def test_r_refuses_a_factor_status_the_same_way(r_engine, function, formula, kw, kind):
    from rparity.refusals import refusal_kind

    with pytest.raises(Exception) as err:
        getattr(r_engine, function)(formula, data=MULTI, **kw)
    assert refusal_kind(err.value, function) == kind


# cox.zph(global = FALSE): the terms' rows only
def test_zph_without_global(py_engine):
    fit = py_engine.coxph("Surv(time, status) ~ age + sex + factor(ph.ecog)", data=LUNG)
    both = py_engine.cox_zph(fit, transform="log")
    terms = py_engine.cox_zph(fit, transform="log", global_=False)
    assert both.terms[-1] == "GLOBAL" and terms.terms == both.terms[:-1]
    assert np.array_equal(terms.chisq, both.chisq[:-1]) and np.array_equal(terms.p, both.p[:-1])
    with pytest.raises(InvalidArgument, match="global_"):
        py_engine.cox_zph(fit, global_="no")


@pytest.mark.r
def test_zph_without_global_matches_r(py_engine, r_engine):
    out = []
    for eng in (py_engine, r_engine):
        fit = eng.coxph("Surv(tstart, time, status) ~ age + strata(sex)", data=SPLIT)
        z = eng.cox_zph(fit, transform="identity", global_=False)
        out.append((z.terms, z.chisq))
    assert out[0][0] == out[1][0] == ("age",)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-9)


# Surv()'s 1/2 coding is the whole data's: model.frame evaluates Surv() before subset takes rows
CODING = [("coxph", "Surv(time, status) ~ age + sex", "status == 1 | age > 70"),
          ("survfit", "Surv(time, status) ~ sex", "status == 1"),
          ("survdiff", "Surv(time, status) ~ sex", "status == 1 | age > 74")]


@pytest.mark.parametrize("function, formula, subset", CODING, ids=[c[0] for c in CODING])
def test_status_coding_is_decided_before_subset(py_engine, function, formula, subset):
    whole = getattr(py_engine, function)(formula, data=LUNG, subset=subset)
    rows = getattr(py_engine, function)  # the same rows, by a mask taken before recoding
    mask = LUNG.eval(subset.replace("|", " or ")).to_numpy()
    recoded = LUNG.assign(status=LUNG["status"] - 1)  # 0/1 from the start
    same = rows(formula, data=recoded, subset=mask)
    for field in ("coef", "var", "surv", "n_event", "obs", "exp", "chisq"):
        if hasattr(whole, field):
            np.testing.assert_array_equal(getattr(whole, field), getattr(same, field))
    if function == "survfit":
        assert float(np.sum(whole.n_event)) == 0  # every row of the subset is censored, as R reads it


@pytest.mark.r
@pytest.mark.parametrize("function, formula, subset", CODING, ids=[c[0] for c in CODING])
def test_status_coding_matches_r(py_engine, r_engine, function, formula, subset):
    a = getattr(py_engine, function)(formula, data=LUNG, subset=subset)
    b = getattr(r_engine, function)(formula, data=LUNG, subset=subset)
    for field in ("coef", "surv", "n_event", "obs", "chisq"):
        if hasattr(a, field):
            np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-9)


# rep() in a formula (survival's own tests write Surv(rep(0, n), time, status)): its length must be the data's
AML = fixtures.load("aml")
REP = ["Surv(rep(0, 23), time, status) ~ x", "Surv(time, rep(1, 23)) ~ x", "Surv(time, rep(TRUE, 23)) ~ x",
       "Surv(time, status) ~ rep(x, 1)", "Surv(time, status) ~ x + rep(1, 22)", "Surv(time, status) ~ rep(x, 2)"]


def test_rep_is_a_column_of_the_data(py_engine):
    a = py_engine.coxph("Surv(rep(0, 23), time, status) ~ x", data=AML)
    b = py_engine.coxph("Surv(time, status) ~ x", data=AML)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)  # entry at 0 is right-censored data
    for f, match in [("Surv(time, status) ~ x + rep(1, 22)", "22 values for 23 rows"),
                     ("Surv(time, status) ~ rep(x, 2)", "46 values for 23 rows"),
                     ("Surv(time, status) ~ rep(x, each = 2)", "rep\\(\\) takes x and times")]:
        with pytest.raises(InvalidArgument, match=match):
            py_engine.coxph(f, data=AML)


@pytest.mark.r
@pytest.mark.parametrize("formula", REP)
def test_rep_matches_r(py_engine, r_engine, formula):
    from rparity.refusals import refusal_kind

    out = []
    for eng in (py_engine, r_engine):
        try:
            fit = eng.coxph(formula, data=AML)
            coef = tuple("NaN" if np.isnan(c) else round(float(c), 10) for c in fit.coef)
            out.append((fit.n, tuple(fit.names), coef))
        except Exception as exc:
            out.append(("refused", refusal_kind(exc, "coxph")))
    assert out[0] == out[1]
