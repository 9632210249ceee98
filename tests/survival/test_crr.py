"""cmprsk::crr (Fine-Gray regression): hand values, live comparisons with R's
cmprsk 2.2-11 (the fit, summary and predict), a differential test on random
data, crr against survival's finegray + coxph, refusals, and seeded faults
showing that the comparison can fail."""
from __future__ import annotations

import dataclasses
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyimpl
from fixtures import load
from pyimpl.survival.crr import crr, crr_predict, crr_summary
from rparity_contract.control import CoxControl
from rparity_contract.errors import ComputationError, InvalidArgument, RError
from rparity_contract.results.crr import Crr

mod = importlib.import_module("pyimpl.survival.crr")  # the module (pyimpl.survival.crr is the function)

# -- (a) by hand -------------------------------------------------------------------------------


def test_without_competing_events_or_censoring_it_is_breslow_cox_by_hand():
    # times 1..4, all failures, x = 0, 1, 0, 1: at b = 0 the risk sets hold 4, 3, 2, 1 subjects
    f = crr([1.0, 2, 3, 4], [1, 1, 1, 1], [0.0, 1, 0, 1], maxiter=0)
    assert f.converged is False and f.n == 4 and f.names == ("cov11",)
    assert f.loglik_null == pytest.approx(-math.log(24), rel=1e-15)
    # score: sum of x - risk-set mean = (0 - 1/2) + (1 - 2/3) + (0 - 1/2) + (1 - 1)
    assert f.score[0] == pytest.approx(-2 / 3, rel=1e-15)
    # information: the risk-set variances 1/4 + 2/9 + 1/4 + 0
    assert f.inf[0, 0] == pytest.approx(13 / 18, rel=1e-15)
    np.testing.assert_allclose(f.bfitj, [1 / 4, 1 / 3, 1 / 2, 1], rtol=1e-15)
    np.testing.assert_array_equal(f.uftime, [1, 2, 3, 4])


def test_a_competing_failure_stays_at_risk_with_the_censoring_weight_by_hand():
    # no censoring: G = 1, so the competing failure at 1 stays in every later risk set with weight 1
    f = crr([1.0, 2, 3], [2, 1, 1], [1.0, 0, 1], maxiter=0)
    assert f.loglik_null == pytest.approx(-math.log(3 * 2), rel=1e-15)
    # a censoring at 2.5 (G(3-) = 1/2 for the one-group KM: 2 at risk, 1 censored) halves its weight at 3
    g = crr([1.0, 2, 2.5, 3], [2, 1, 0, 1], [1.0, 0, 0, 1], maxiter=0)
    assert g.loglik_null == pytest.approx(-(math.log(4) + math.log(1 + 0.5)), rel=1e-15)
    np.testing.assert_allclose(g.bfitj, [1 / 4, 1 / 1.5], rtol=1e-15)


def test_summary_and_predict_by_their_formulas():
    d = load("pbc")
    f = crr(d.time.to_numpy(float), d.status.to_numpy(float), d[["age", "bili"]])
    s = crr_summary(f)
    se = np.sqrt(np.diag(f.var))
    np.testing.assert_allclose(s["z"], f.coef / se, rtol=1e-15)
    np.testing.assert_allclose(s["97.5%"], np.exp(f.coef + 1.959963984540054 * se), rtol=1e-14)
    assert s.attrs["logtest"][1] == 2.0
    pr = crr_predict(f, [50.0, 1.0])
    lp = 50.0 * f.coef[0] + 1.0 * f.coef[1]
    np.testing.assert_allclose(pr.cif[:, 0], 1 - np.exp(-np.cumsum(np.exp(lp) * f.bfitj)), rtol=1e-13)
    assert np.all(np.diff(pr.cif[:, 0]) > 0)


# -- (b) refusals ------------------------------------------------------------------------------

T8 = [1.0, 2, 3, 4, 5, 6, 7, 8]
S8 = [1, 2, 0, 1, 1, 2, 0, 1]
X8 = [0.3, 1.2, -0.5, 0.8, 0.1, -1.0, 2.0, 0.4]


@pytest.mark.parametrize("kw, kind", [
    ({"cov1": None}, "X.missing"),
    ({"cov2": [1.0] * 8}, "tf.missing"),
    ({"cov2": [1.0] * 8, "tf": lambda u: np.column_stack([u, u])}, "tf.shape"),
    ({"cov1": pd.DataFrame({"x": ["a"] * 8})}, "X.nonfinite"),
    ({"cov1": [np.inf] + X8[1:]}, "X.nonfinite"),
    ({"ftime": [np.inf] + T8[1:]}, "time.nonfinite"),
    ({"cov1": [np.nan] + X8[1:], "na_action": "fail"}, "argument.missing"),
    ({"na_action": "pass"}, "argument.value"),
    ({"init": [0.0, 1.0]}, "init.length"),
    ({"maxiter": -1}, "argument.value"),
    ({"failcode": 5}, "solve.singular"),
    ({"cov1": [1.0] * 8}, "solve.singular"),
    ({"ftime": [-3.0] + T8[1:]}, "time.negative"),
])
def test_bad_arguments_are_refused_with_their_kind(kw, kind):
    args = {"ftime": T8, "fstatus": S8, "cov1": X8, **kw}
    with pytest.raises((InvalidArgument, ComputationError)) as e:
        crr(**args)
    assert e.value.kind == kind


@pytest.mark.r
@pytest.mark.parametrize("kw, kind", [
    ({"cov1": pd.DataFrame({"x": ["a"] * 8})}, "X.nonfinite"),
    ({"cov1": [np.inf] + X8[1:]}, "X.nonfinite"),
    ({"ftime": [np.inf] + T8[1:]}, "time.nonfinite"),
    ({"cov1": [np.nan] + X8[1:], "na_action": "fail"}, "argument.missing"),
    ({"failcode": 5}, "solve.singular"),
    ({"cov1": [1.0] * 8}, "solve.singular"),
    ({"cov2": [1.0] * 8}, "tf.missing"),
])
def test_r_refuses_the_same_with_the_same_kind(kw, kind):
    import rbridge
    from rparity.refusals import refusal_kind

    with pytest.raises(RError) as e:
        rbridge.crr(**{"ftime": T8, "fstatus": S8, "cov1": X8, **kw})
    assert refusal_kind(e.value, "crr") == kind


# -- (c) live comparisons with R ---------------------------------------------------------------


def _compare(py: Crr, r: Crr, rtol: float = 0.0):
    """Every quantity; measured identical (rtol 0) on the data below."""
    qp, qr = py.quantities(), r.quantities()
    assert qp.keys() == qr.keys()
    for k in qp:
        a, b = qp[k], qr[k]
        if isinstance(a, (np.ndarray, float)):
            np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=0, err_msg=k)
        else:
            assert a == b, k
    assert py.messages == r.messages


def _mgus2():
    d = load("mgus2")
    t = np.where(d.pstat == 0, d.futime, d.ptime).astype(float)
    s = np.where(d.pstat == 0, 2 * d.death, 1).astype(float)
    x = pd.DataFrame({"male": (d.sex == "M").astype(float), "age": d.age.astype(float), "hgb": d.hgb})
    return d, t, s, x


@pytest.mark.r
@pytest.mark.parametrize("label, kw", [
    ("sex-age", {}),
    ("death", {"failcode": 2}),
    ("cengroup text", {"cengroup": "sexlab"}),
    ("subset rows", {"subset": np.arange(0, 1384, 2)}),
    ("hgb with NA", {"cols": ["male", "age", "hgb"]}),
    ("tf log", {"cov2": ["age"], "tf": np.log}),
    ("not converged", {"maxiter": 1}),
    ("init, no iteration", {"init": [0.1, 0.01], "maxiter": 0}),
    ("tight gtol", {"gtol": 1e-12, "maxiter": 30}),
    ("no variance", {"variance": False}),
])
def test_mgus2_matches_r(label, kw):
    import rbridge

    d, t, s, x = _mgus2()
    kw = dict(kw)
    cols = kw.pop("cols", ["male", "age"])
    if kw.get("cengroup") == "sexlab":
        kw["cengroup"] = d.sex.astype(str).str.lower().to_numpy(dtype=object)
    if "cov2" in kw:
        kw["cov2"] = x[kw["cov2"]]
    _compare(crr(t, s, x[cols], **kw), rbridge.crr(t, s, x[cols], **kw))


@pytest.mark.r
def test_text_status_and_codes_match_r():
    import rbridge

    d, t, s, x = _mgus2()
    lab = np.array(["alive", "pcm", "death"], dtype=object)[s.astype(int)]
    kw = {"failcode": "death", "cencode": "alive"}
    _compare(crr(t, lab, x[["age"]], **kw), rbridge.crr(t, lab, x[["age"]], **kw))
    fac = pd.Categorical(lab, categories=["pcm", "death", "alive"])
    _compare(crr(t, fac, x[["age"]], **kw), rbridge.crr(t, fac, x[["age"]], **kw))


@pytest.mark.r
def test_summary_and_predict_match_r():
    import rbridge

    d, t, s, x = _mgus2()
    for fit in (crr(t, s, x[["male", "age"]]), crr(t, s, x[["male", "age"]], cov2=x[["age"]], tf=np.log)):
        a, b = crr_summary(fit, conf_int=0.9), rbridge.crr_summary(fit, conf_int=0.9)
        assert list(a.columns) == list(b.columns)
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
        assert a.attrs["logtest"] == pytest.approx(b.attrs["logtest"], rel=1e-15)
        rows = np.array([[1.0, 60.0], [0.0, 75.0]])
        c2 = None if fit.tfs.size <= 1 else rows[:, 1:]
        for c1, cc2 in ((rows[0], None if c2 is None else c2[0]), (rows, c2)):
            p, q = crr_predict(fit, c1, cc2), rbridge.crr_predict(fit, c1, cc2)
            np.testing.assert_array_equal(p.time, q.time)
            np.testing.assert_array_equal(p.cif, q.cif)


@pytest.mark.r
@given(data=st.lists(st.tuples(st.integers(1, 12), st.integers(0, 2), st.floats(-2, 2, width=16),
                               st.integers(0, 1), st.integers(1, 2)), min_size=4, max_size=40),
       failcode=st.sampled_from([1, 2]), with_cg=st.booleans(), with_tf=st.booleans())
@settings(max_examples=40, deadline=None)
def test_random_data_match_r(data, failcode, with_cg, with_tf):
    import rbridge

    arr = np.array(data, dtype=float)
    t, s, x = arr[:, 0], arr[:, 1], arr[:, 2:4]
    kw = {"failcode": failcode, "cengroup": arr[:, 4] if with_cg else None}
    if with_tf:
        kw.update(cov2=arr[:, 2], tf=lambda u: np.sqrt(u))
    try:
        r = rbridge.crr(t, s, x, **kw)
    except RError:
        with pytest.raises((InvalidArgument, ComputationError)):
            crr(t, s, x, **kw)
        return
    _compare(crr(t, s, x, **kw), r)


# -- (d) crr against finegray + coxph ----------------------------------------------------------


def test_crr_is_finegray_plus_breslow_cox_without_ties():
    """The same estimator: on continuous times (no tie, so Breslow = Efron and
    G(T-) = G(T) at a competing event) the coefficients and the log
    likelihood at the optimum agree to the convergence tolerances."""
    rng = np.random.default_rng(3)
    n = 200
    x1, x2 = rng.normal(size=n), rng.integers(0, 2, n).astype(float)
    t1, t2, c = rng.exponential(1 / np.exp(0.5 * x1)), rng.exponential(1.4, n), rng.uniform(0, 3, n)
    t = np.minimum(np.minimum(t1, t2), c)
    s = np.where(c < np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    f = crr(t, s, np.column_stack([x1, x2]), gtol=1e-12, maxiter=50)
    d = pd.DataFrame({"t": t, "e": pd.Categorical.from_codes(s, ["censor", "a", "b"]), "x1": x1, "x2": x2})
    fg = pyimpl.finegray("Surv(t, e) ~ x1 + x2", d)
    cx = pyimpl.coxph("Surv(fgstart, fgstop, fgstatus) ~ x1 + x2", data=fg, weights="fgwt", ties="breslow",
                      control=CoxControl(eps=1e-11, iter_max=50))
    assert f.converged
    np.testing.assert_allclose(cx.coef, f.coef, rtol=1e-9, atol=1e-12)
    assert float(np.asarray(cx.loglik)[-1]) == pytest.approx(f.loglik, rel=1e-12)


def test_with_tied_times_crr_and_finegray_differ():
    """mgus2 (months): ties among failures (crr's Breslow against coxph's
    Efron) and censorings tied with competing events move the coefficients
    by about 3e-4 (R: -0.26004 against -0.25976 for sex)."""
    d, t, s, x = _mgus2()
    f = crr(t, s, x[["male", "age"]])
    frame = pd.DataFrame({"t": t, "e": pd.Categorical.from_codes(s.astype(int), ["censor", "pcm", "death"]),
                          "male": x.male, "age": x.age})
    fg = pyimpl.finegray("Surv(t, e) ~ male + age", frame)
    cx = pyimpl.coxph("Surv(fgstart, fgstop, fgstatus) ~ male + age", data=fg, weights="fgwt")
    diff = np.abs(np.asarray(cx.coef) - f.coef)
    assert 1e-5 < diff[0] < 1e-3 and diff[1] < 1e-4


# -- (e) seeded faults: the comparison must fail -----------------------------------------------


@pytest.mark.r
def test_censoring_weights_of_the_wrong_group_are_caught(monkeypatch):
    import rbridge

    d, t, s, x = _mgus2()
    cg = d.sex.to_numpy()
    r = rbridge.crr(t, s, x[["age"]], cengroup=cg)
    _compare(crr(t, s, x[["age"]], cengroup=cg), r)
    real = mod._censoring_km
    monkeypatch.setattr(mod, "_censoring_km", lambda *a: np.roll(real(*a), 1, axis=0))
    with pytest.raises(AssertionError):
        _compare(crr(t, s, x[["age"]], cengroup=cg), r)


@pytest.mark.r
def test_the_variance_without_the_sandwich_is_caught():
    import rbridge

    d, t, s, x = _mgus2()
    r = rbridge.crr(t, s, x[["male", "age"]])
    py = crr(t, s, x[["male", "age"]])
    _compare(py, r)
    with pytest.raises(AssertionError):
        _compare(dataclasses.replace(py, var=py.invinf), r)
