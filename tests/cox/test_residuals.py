"""Residuals and predictions of a Cox fit (``residuals.coxph``, ``predict.coxph``).

* Therneau & Grambsch's test1 by hand (survival's tests/book1.R for Breslow,
  book2.R for Efron): martingale, score and Schoenfeld residuals derived from
  the data, at beta = 0 and at the estimate;
* identities that hold whatever the data: the weighted martingale, score and
  Schoenfeld residuals sum to 0 at the estimate; expected = status - martingale;
  survival = exp(-expected); collapsing is rowsum; splitting follow-up
  (survSplit) leaves each subject's summed residuals; entry at 0 is
  right-censored data;
* the bad-argument table (each refusal kind, R's own checked live);
* generated cohorts against live R (hypothesis), every type.
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import pyimpl
from fixtures import load
from fixtures.closed_form import TEST1_BRESLOW_BETA, TEST1_EFRON_BETA
from rparity.compare import compare_values
from rparity.refusals import refusal_kind
from rparity.tolerance import lookup
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.values import PREDICT_TYPES, RESIDUAL_TYPES
from rparity_contract.verdicts import Verdict

from .strategies import cox_cohorts

# test1 without its NA row, in data order: time 9, 1, 1, 6, 6, 8; in time order (book1's
# byhand order: 1, 1, 6, 6, 8, 9) these are rows 1, 2, 3, 4, 5, 0
TIME_ORDER = [1, 2, 3, 4, 5, 0]


def _breslow_by_hand(beta: float) -> dict:
    """book1.R's byhand1(): test1 under Breslow's ties, in time order."""
    r = math.exp(beta)
    haz = np.array([1 / (3 * r + 3), 2 / (r + 3), 0.0, 1.0])  # at times 1, 6, 8, 9
    ties = [0, 0, 1, 1, 2, 3]
    wt = np.array([r, r, r, 1, 1, 1])
    status = np.array([1, 0, 1, 1, 0, 1.0])
    mart = status - wt * np.cumsum(haz)[ties]
    a, b = 3 * (r + 1) ** 2, (r + 3) ** 2
    score = np.array([(2 * r + 3) / a, -r / a, -r / a + 3 * (3 - r) / b, r / a - r * (r + 1) / b,
                      r / a + 2 * r / b, r / a + 2 * r / b])
    scho = np.array([1 / (r + 1), 1 - r / (3 + r), 0 - r / (3 + r), 0.0])  # deaths at 1, 6, 6, 9
    imat = r / (r + 1) ** 2 + 6 * r / (r + 3) ** 2
    return {"mart": mart, "score": score, "scho": scho, "imat": imat}


def _efron_by_hand(beta: float) -> dict:
    """book2.R's byhand(): test1 under Efron's ties, in time order."""
    r = math.exp(beta)
    # each subject's weight at the death times 1, 6, 6+ (the second tied death), 9
    wtmat = np.array([[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, .5, .5, 1, 1], [0, 0, 0, 0, 0, 1]]).T
    wtmat = np.diag([r, r, r, 1, 1, 1]) @ wtmat
    x = np.array([1, 1, 1, 0, 0, 0.0])
    status = np.array([1, 0, 1, 1, 0, 1.0])
    xbar = (wtmat * x[:, None]).sum(0) / wtmat.sum(0)
    haz = 1 / wtmat.sum(0)
    mart = status - (wtmat * haz[None, :]).sum(1)
    a, b, d = r + 1, r + 3, r + 5
    big = 2 * r * (177 + r * (282 + r * (182 + r * (50 + 5 * r)))) / (3 * (a * b * d) ** 2)
    score = np.array([(2 * r + 3) / (3 * a ** 2), -r / (3 * a ** 2),
                      (675 + r * (1305 + r * (756 + r * (-4 + r * (-79 - 13 * r))))) / (3 * (a * b * d) ** 2),
                      r * (1 / (3 * a ** 2) - a / (2 * b ** 2) - b / (2 * d ** 2)), big, big])
    dm = xbar[1:3].mean()
    scho = np.array([1 / (r + 1), 1 - dm, 0 - dm, 0.0])
    return {"mart": mart, "score": score, "scho": scho}


def _test1_fit(ties: str, at_zero: bool):
    kw = {"control": CoxControl(iter_max=0)} if at_zero else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyimpl.coxph("Surv(time, status) ~ x", data=load("test1"), ties=ties, **kw)


@pytest.mark.parametrize("at_zero", [True, False])
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_test1_residuals_by_hand(ties, at_zero):
    fit = _test1_fit(ties, at_zero)
    beta = 0.0 if at_zero else (TEST1_BRESLOW_BETA if ties == "breslow" else TEST1_EFRON_BETA)
    truth = (_breslow_by_hand if ties == "breslow" else _efron_by_hand)(beta)
    tol = 1e-14 if at_zero else 1e-7  # at the estimate: R's (and our) eps-converged beta
    mart = pyimpl.coxph_residuals(fit, "martingale").values
    np.testing.assert_allclose(mart[TIME_ORDER], truth["mart"], rtol=tol, atol=tol)
    score = pyimpl.coxph_residuals(fit, "score").values[:, 0]
    np.testing.assert_allclose(score[TIME_ORDER], truth["score"], rtol=tol, atol=tol)
    scho = pyimpl.coxph_residuals(fit, "schoenfeld")
    np.testing.assert_allclose(scho.values[:, 0], truth["scho"], rtol=tol, atol=tol)
    np.testing.assert_array_equal(scho.time, [1.0, 6.0, 6.0, 9.0])
    # dfbeta = score * var; scaledsch = schoenfeld * var * (number of events) + coef
    v = fit.var[0, 0]
    np.testing.assert_allclose(pyimpl.coxph_residuals(fit, "dfbeta").values[:, 0], score * v, rtol=1e-15)
    np.testing.assert_allclose(pyimpl.coxph_residuals(fit, "dfbetas").values[:, 0], score * math.sqrt(v),
                               rtol=1e-15)
    np.testing.assert_allclose(pyimpl.coxph_residuals(fit, "scaledsch").values[:, 0],
                               scho.values[:, 0] * v * 4 + fit.coef[0], rtol=1e-14)


def test_test1_efron_martingale_at_zero_is_books_fractions():
    """book2.R: resid(fit0) = (-3/4, 5/6, -1/6, 5/12, 5/12, -3/4) once the NA row is out."""
    fit = _test1_fit("efron", True)
    np.testing.assert_allclose(pyimpl.coxph_residuals(fit).values, [-3 / 4, 5 / 6, -1 / 6, 5 / 12, 5 / 12, -3 / 4],
                               rtol=1e-15)


def test_test1_breslow_score_at_zero_is_books_fractions():
    """book1.R: resid(fit0, 'score') = (5/24, 5/12, -1/12, 7/24, -1/24, 5/24) without the NA row."""
    fit = _test1_fit("breslow", True)
    np.testing.assert_allclose(pyimpl.coxph_residuals(fit, "score").values[:, 0],
                               [5 / 24, 5 / 12, -1 / 12, 7 / 24, -1 / 24, 5 / 24], rtol=1e-15)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("formula,kw", [
    ("Surv(time, status) ~ age + sex + ph.ecog", {}),
    ("Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)", {"weights": "ph.karno"}),
    ("Surv(tstart, time, status) ~ age + sex + ph.ecog", {"data": "lung_split"}),
])
def test_weighted_residuals_sum_to_zero_at_the_estimate(ties, formula, kw):
    kw = dict(kw)
    data = load(kw.pop("data", "lung"))
    fit = pyimpl.coxph(formula, data=data, ties=ties, control=CoxControl(eps=1e-11, iter_max=50), **kw)
    w = np.ones(fit.n) if "weights" not in kw else np.delete(data[kw["weights"]].to_numpy(float),
                                                             list(fit.na_action))
    mart = pyimpl.coxph_residuals(fit).values
    assert abs(np.sum(w * mart)) < 1e-10 * fit.nevent
    score = pyimpl.coxph_residuals(fit, "score", weighted=True).values
    assert np.all(np.abs(score.sum(0)) < 1e-8 * np.abs(score).sum(0))
    scho = pyimpl.coxph_residuals(fit, "schoenfeld", weighted=True).values
    assert np.all(np.abs(scho.sum(0)) < 1e-8 * np.abs(scho).sum(0))


@pytest.mark.parametrize("ties", ["efron", "breslow", "exact"])
def test_predict_identities(ties):
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex + strata(ph.ecog)", data=lung, ties=ties)
    mart = pyimpl.coxph_residuals(fit).values
    status = np.delete((lung["status"] == 2).to_numpy(float), list(fit.na_action))
    expected = pyimpl.coxph_predict(fit, "expected").values
    np.testing.assert_array_equal(expected, status - mart)
    np.testing.assert_array_equal(pyimpl.coxph_predict(fit, "survival").values, np.exp(-expected))
    lp = pyimpl.coxph_predict(fit, "lp", reference="sample")
    np.testing.assert_array_equal(lp.values, fit.linear_predictors)
    np.testing.assert_allclose(pyimpl.coxph_predict(fit, "risk", reference="sample").values,
                               np.exp(fit.linear_predictors), rtol=1e-15)
    terms = pyimpl.coxph_predict(fit, "terms", se_fit=True)
    np.testing.assert_allclose(terms.values.sum(1), fit.linear_predictors, rtol=1e-12, atol=1e-12)
    assert terms.columns == fit.term_names
    assert terms.constant == pytest.approx(float(np.sum(fit.coef * fit.means)), rel=1e-15)
    # reference "strata" (R's default with strata): centred within each stratum
    by_stratum = pyimpl.coxph_predict(fit, "lp")
    s = np.delete(lung["ph.ecog"].to_numpy(), list(fit.na_action))
    for level in np.unique(s):
        assert abs(by_stratum.values[s == level].mean()) < 1e-12


@pytest.mark.parametrize("type", ["lp", "risk", "terms"])
@pytest.mark.parametrize("reference", ["sample", "zero", "strata"])
def test_newdata_of_the_fits_own_rows_predicts_as_the_fit(type, reference):
    """predict(fit, newdata = its own data) is predict(fit), se included."""
    lung = load("lung")
    f = "Surv(time, status) ~ age + factor(ph.ecog) + strata(sex) + offset(log(ph.karno) / 3)"
    fit = pyimpl.coxph(f, data=lung)
    own = lung.drop(index=list(fit.na_action)).reset_index(drop=True)
    a = pyimpl.coxph_predict(fit, type, se_fit=True, reference=reference)
    b = pyimpl.coxph_predict(fit, type, se_fit=True, reference=reference, newdata=own)
    np.testing.assert_allclose(b.values, a.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.se, a.se, rtol=1e-12, atol=1e-14)
    assert a.columns == b.columns


def test_collapse_is_rowsum_in_sorted_groups():
    split = load("lung_split")
    fit = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=split)
    ids = np.delete(split["id"].to_numpy(), list(fit.na_action))
    for t in ("martingale", "score", "dfbeta"):
        whole = pyimpl.coxph_residuals(fit, t).values
        coll = pyimpl.coxph_residuals(fit, t, collapse=ids)
        levels = np.unique(ids)
        assert coll.groups == tuple(str(int(v)) for v in levels)
        for k, v in enumerate(levels):
            np.testing.assert_allclose(coll.values[k], whole[ids == v].sum(0), rtol=1e-13, atol=1e-15)
    pred = pyimpl.coxph_predict(fit, "lp", se_fit=True, collapse=ids)
    lp = pyimpl.coxph_predict(fit, "lp", se_fit=True)
    np.testing.assert_allclose(pred.se[0], np.sqrt(np.sum(lp.se[ids == ids.min()] ** 2)), rtol=1e-14)


def test_collapse_missing_value_is_its_own_group_with_rs_warning():
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age", data=lung)
    r = pyimpl.coxph_residuals(fit, collapse=lung["inst"].to_numpy())
    assert r.groups[-1] == "NA"
    assert r.values[-1] == pytest.approx(pyimpl.coxph_residuals(fit).values[lung["inst"].isna().to_numpy()].sum())
    assert "missing values for 'group'" in r.warnings


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_splitting_follow_up_leaves_each_subjects_residuals(ties):
    """survSplit's pieces of a subject add up to the subject's residual (martingale,
    score, dfbeta) and give the same predictions of expected events."""
    lung, split = load("lung"), load("lung_split")
    whole = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung, ties=ties)
    pieces = pyimpl.coxph("Surv(tstart, time, status) ~ age + sex", data=split, ties=ties)
    ids = np.delete(split["id"].to_numpy(), list(pieces.na_action))
    for t in ("martingale", "score", "dfbeta"):
        a = pyimpl.coxph_residuals(whole, t).values
        b = pyimpl.coxph_residuals(pieces, t, collapse=ids).values
        scale = np.abs(a).max(0)
        assert np.all(np.abs(a - b) <= 1e-9 * scale), t
    ea = pyimpl.coxph_predict(whole, "expected").values
    eb = pyimpl.coxph_predict(pieces, "expected", collapse=ids).values
    np.testing.assert_allclose(eb, ea, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_entry_at_zero_gives_right_censored_residuals(ties):
    lung = load("lung").assign(entry=0.0)
    a = pyimpl.coxph("Surv(entry, time, status) ~ age + ph.ecog", data=lung, ties=ties)
    b = pyimpl.coxph("Surv(time, status) ~ age + ph.ecog", data=lung, ties=ties)
    for t in ("martingale", "deviance", "score", "schoenfeld"):
        ra, rb = pyimpl.coxph_residuals(a, t).values, pyimpl.coxph_residuals(b, t).values
        np.testing.assert_allclose(ra, rb, rtol=1e-10, atol=1e-12 * np.abs(rb).max())
    np.testing.assert_allclose(pyimpl.coxph_predict(a, "expected", se_fit=True).se,
                               pyimpl.coxph_predict(b, "expected", se_fit=True).se, rtol=1e-9)


def test_weighted_schoenfeld_departs_from_r_3_5_3_on_purpose():
    """Each event's residual times its own weight; compat='3.5-3' reproduces
    survival 3.5-3's indexing (weights[deaths]: data-order weights picked with
    the sorted data's event mask, #339); on data sorted by time the two coincide."""
    lung = load("lung")
    fit = pyimpl.coxph("Surv(time, status) ~ age + sex", data=lung, weights="ph.karno")
    kept = lung.dropna(subset=["ph.karno"]).reset_index(drop=True)
    time, status, w = kept["time"].to_numpy(), (kept["status"] == 2).to_numpy(), kept["ph.karno"].to_numpy()
    order = np.lexsort((~status, time))  # order(time, -status)
    unw = pyimpl.coxph_residuals(fit, "schoenfeld").values
    ours = pyimpl.coxph_residuals(fit, "schoenfeld", weighted=True).values
    old = pyimpl.coxph_residuals(fit, "schoenfeld", weighted=True, compat="3.5-3").values
    np.testing.assert_array_equal(ours, unw * w[order][status[order]][:, None])
    np.testing.assert_array_equal(old, unw * w[status[order]][:, None])
    assert not np.allclose(ours, old)
    srt = kept.sort_values("time", kind="stable").reset_index(drop=True)
    srt = srt.iloc[np.lexsort((~(srt["status"] == 2).to_numpy(), srt["time"].to_numpy()))]
    fit_s = pyimpl.coxph("Surv(time, status) ~ age + sex", data=srt.reset_index(drop=True), weights="ph.karno")
    np.testing.assert_array_equal(pyimpl.coxph_residuals(fit_s, "schoenfeld", weighted=True).values,
                                  pyimpl.coxph_residuals(fit_s, "schoenfeld", weighted=True, compat="3.5-3").values)


_LUNG = "Surv(time, status) ~ age + sex"

BAD_ARGUMENTS = [
    # (what, fit options, function, arguments, refusal kind)
    ("unknown residual type", {}, "coxph_residuals", {"type": "pearson"}, "type.value"),
    ("collapse of the wrong length", {}, "coxph_residuals", {"collapse": [1, 2, 3]}, "collapse.length"),
    ("weighted not a logical", {}, "coxph_residuals", {"weighted": "yes"}, "weighted.type"),
    ("score residuals of an exact fit", {"ties": "exact"}, "coxph_residuals", {"type": "score"},
     "residuals.exact"),
    ("Schoenfeld residuals of an exact fit", {"ties": "exact"}, "coxph_residuals", {"type": "schoenfeld"},
     "residuals.exact"),
    ("score residuals of the null model", {"formula": "Surv(time, status) ~ 1"}, "coxph_residuals",
     {"type": "score"}, "residuals.null"),
    ("dfbeta of the null model", {"formula": "Surv(time, status) ~ 1"}, "coxph_residuals", {"type": "dfbeta"},
     "type.value"),
    ("unknown prediction type", {}, "coxph_predict", {"type": "hazard"}, "type.value"),
    ("unknown reference", {}, "coxph_predict", {"reference": "mean"}, "reference.value"),
    ("a term not in the model", {}, "coxph_predict", {"type": "terms", "terms": ["ph.ecog"]}, "terms.value"),
    ("collapse of the wrong length in predict", {}, "coxph_predict", {"collapse": [1, 2]}, "collapse.length"),
    ("terms of the null model", {"formula": "Surv(time, status) ~ 1"}, "coxph_predict", {"type": "terms"},
     "predict.null"),
    ("se of the null model", {"formula": "Surv(time, status) ~ 1"}, "coxph_predict", {"se_fit": True},
     "predict.null"),
    ("newdata without a covariate", {}, "coxph_predict", {"newdata": pd.DataFrame({"age": [50]})},
     "newdata.column"),
    ("newdata with a level the fit never saw", {"formula": "Surv(time, status) ~ factor(ph.ecog)"},
     "coxph_predict", {"newdata": pd.DataFrame({"ph.ecog": [9]})}, "newdata.level"),
    ("expected events of newdata without follow-up", {}, "coxph_predict",
     {"type": "expected", "newdata": pd.DataFrame({"age": [50], "sex": [1]})}, "newdata.column"),
    ("newdata without the strata R centres on", {"formula": "Surv(time, status) ~ age + strata(sex)"},
     "coxph_predict", {"newdata": pd.DataFrame({"age": [50]})}, "newdata.column"),
]
_R_ONLY = {"weighted not a logical"}  # R's residuals() takes any value there (no check of its own)


def _bad_call(engine, fit_opts, function, args):
    opts = dict(fit_opts)
    formula = opts.pop("formula", _LUNG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = engine.coxph(formula, data=load("lung"), **opts)
        return getattr(engine, function)(fit, **args)


@pytest.mark.parametrize("what,fit_opts,function,args,kind", BAD_ARGUMENTS, ids=[b[0] for b in BAD_ARGUMENTS])
def test_bad_arguments_are_refused_by_name(what, fit_opts, function, args, kind):
    with pytest.raises(InvalidArgument) as err:
        _bad_call(pyimpl, fit_opts, function, args)
    assert err.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("what,fit_opts,function,args,kind",
                         [b for b in BAD_ARGUMENTS if b[0] not in _R_ONLY],
                         ids=[b[0] for b in BAD_ARGUMENTS if b[0] not in _R_ONLY])
def test_r_refuses_the_same_arguments_for_the_same_reason(what, fit_opts, function, args, kind):
    import rbridge

    with pytest.raises(Exception) as err:
        _bad_call(rbridge, fit_opts, function, args)
    assert refusal_kind(err.value, function) == kind


def _agree(function: str, q: str, a, b, noise: float = 0.0) -> None:
    """Within the tolerance table; a column whose every value is below ``noise``
    in both engines is 0 in exact arithmetic (rounding noise on both sides: a
    constant covariate's x - mean, scores when every row dies at one time)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape == b.shape and a.size:
        a2, b2 = a.reshape(a.shape[0], -1), b.reshape(b.shape[0], -1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column (dfbetas of an NA coefficient)
            noisy = (np.nanmax(np.abs(a2), axis=0) <= noise) & (np.nanmax(np.abs(b2), axis=0) <= noise)
        a, b = a2[:, ~noisy], b2[:, ~noisy]
    c = compare_values(a, b, lookup(function, q))
    assert c.verdict is Verdict.AGREE, f"{function}.{q}: max rel {c.max_rel:.2e} ({c.detail})"


def _outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except Exception as exc:  # noqa: BLE001 - compared below
            return None, exc


@pytest.mark.r
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True,
          max_examples=int(os.environ.get("RPARITY_RESIDUAL_EXAMPLES", "40")))
@given(cohort=cox_cohorts(max_n=150, max_p=3))
def test_generated_cohorts_match_r(cohort):
    """Every residual type and prediction of a generated cohort's fit equals R's,
    or both refuse for the same reason. Fits on a flat ridge (monotone
    likelihood) are left out: their coefficients are not at parity."""
    import rbridge

    X, t, e, kw = cohort
    f, ef = _outcome(lambda: pyimpl.coxph(X, t, e, **kw))
    g, eg = _outcome(lambda: rbridge.coxph(X, t, e, **kw))
    if ef is not None or eg is not None or any(("infinite" in w) or ("Ran out" in w) for w in g.warnings):
        return
    num = [np.abs(np.asarray(X[c], dtype=float)).max() for c in X.columns if X[c].dtype.kind in "fiub"]
    noise = 1e-13 * max([1.0, *num])
    for typ in RESIDUAL_TYPES:
        a, ea = _outcome(lambda: pyimpl.coxph_residuals(f, typ))
        b, eb = _outcome(lambda: rbridge.coxph_residuals(g, typ))
        if ea is not None or eb is not None:
            assert ea is not None and eb is not None, f"{typ}: pyimpl {ea!r} vs R {eb!r}"
            assert refusal_kind(ea, "coxph_residuals") == refusal_kind(eb, "coxph_residuals")
            continue
        _agree("coxph_residuals", "values", a.values, b.values, noise)
        assert (a.columns, a.strata) == (b.columns, b.strata), typ
        if a.time is not None or b.time is not None:
            _agree("coxph_residuals", "time", a.time, b.time)
    nd = X.iloc[:3].reset_index(drop=True)
    for typ, newdata in [(t, None) for t in PREDICT_TYPES] + [(t, nd) for t in ("lp", "risk", "terms")]:
        for se in (False, True):
            a, ea = _outcome(lambda: pyimpl.coxph_predict(f, typ, se_fit=se, newdata=newdata))
            b, eb = _outcome(lambda: rbridge.coxph_predict(g, typ, se_fit=se, newdata=newdata))
            if ea is not None or eb is not None:
                assert ea is not None and eb is not None, f"{typ}: pyimpl {ea!r} vs R {eb!r}"
                assert refusal_kind(ea, "coxph_predict") == refusal_kind(eb, "coxph_predict")
                continue
            _agree("coxph_predict", "values", a.values, b.values, noise)
            assert a.columns == b.columns
            if se:
                _agree("coxph_predict", "se", a.se, b.se)
