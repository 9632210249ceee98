"""scikit-survival as a peer engine: every row of its check classified, its
differences from R explained by their cause, its refusals named."""
import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import rparity
from rparity.cases.cox import CASES as COX_CASES
from rparity.cases.cox import cox_inputs
from rparity.check import run_check
from rparity_contract.errors import InvalidArgument
from rparity_contract.verdicts import Classification

pytest.importorskip("sksurv", reason="scikit-survival is not installed (pip install 'rparity[peers]')")

FUNCTIONS = ["survfit", "survdiff", "coxph", "concordance"]

#: every difference from R has one of these explanations
KNOWN = {"sksurv-km-ci-loglog", "sksurv-ci-undefined-limits", "sksurv-cox-first-step-not-halved", "peer-warnings",
         "sksurv-refuses-data-without-events"}

#: what scikit-survival really cannot do: it refuses data without any event ("all samples are censored",
#: check_y_survival in compare_survival and CoxPHSurvivalAnalysis.fit) where R answers. The adapter reports
#: it as a refusal (event.none), and the check explains it only after counting the case's events.
REFUSED = {"survdiff/edge-no-events", "coxph/edge-no-events", "concordance/edge-no-events"}


AML_T = np.array([9.0, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161])
AML_E = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
AML_STATE = pd.Categorical.from_codes([1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 0], ["censor", "a", "b"])


def _assert_classified(rep):
    failing = {(r.case, r.quantity, r.classification) for r in rep.rows if r.classification.failing}
    assert not failing, failing
    refused = {r.case for r in rep.rows if r.known == "sksurv-refuses-data-without-events"}
    assert refused == REFUSED
    assert all("have no event" in r.evidence for r in rep.rows if r.known == "sksurv-refuses-data-without-events")
    known = {r.known for r in rep.rows if r.classification is Classification.KNOWN}
    assert known == KNOWN
    # the quantities scikit-survival computes agree with R wherever no known divergence applies
    agree = {(r.function, r.quantity) for r in rep.rows if r.classification is Classification.AGREES}
    for q in [("survfit", "surv"), ("survfit", "cumhaz"), ("survfit", "n_risk"), ("survdiff", "chisq"),
              ("survdiff", "var"), ("coxph", "coef"), ("concordance", "c"), ("concordance", "tied_x")]:
        assert q in agree


def test_sksurv_against_golden_classifies_every_row():
    _assert_classified(run_check("sksurv", "golden", functions=FUNCTIONS))


@pytest.mark.r
def test_sksurv_against_r_classifies_every_row():
    _assert_classified(run_check("sksurv", "r", functions=FUNCTIONS))


def test_breslow_asked_for_is_rs_breslow_and_efron_rs_efron():
    """scikit-survival's default is Breslow; the adapter passes the ties asked
    for, so each method gives R's coefficients (test1: Therneau's closed forms)."""
    rep = run_check("sksurv", "golden", functions=["coxph"])
    for case in ("coxph/test1-breslow", "coxph/lung-breslow", "coxph/veteran-celltype-breslow", "coxph/test1-efron",
                 "coxph/lung"):
        rows = {r.quantity: r for r in rep.rows if r.case == case}
        assert rows["coef"].classification is Classification.AGREES, case
        assert rows["coef"].max_rel < 1e-12, case


def test_first_step_not_halved_is_the_cause_of_the_cox_difference():
    """lung with factor(ph.ecog): R halves its first Newton step (coxfit6.c:
    the full step lowers the log-likelihood); CoxPHSurvivalAnalysis starts
    from a loss of infinity and takes it. R's first iterate for ecog 3, from
    survival 3.5-3 (coxph.control(iter.max = 2)), is 2.539011844839979."""
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv

    case = next(c for c in COX_CASES if c.id == "coxph/lung-ecog-factor")
    X, t, e, _ = cox_inputs(case.data(), case.params)
    keep = X.notna().all(axis=1).to_numpy() & ~np.isnan(t)
    x = pd.get_dummies(X[keep], columns=["ph.ecog"], drop_first=True, dtype=float).to_numpy()
    y = Surv.from_arrays(event=e[keep].astype(bool), time=t[keep])
    with pytest.warns(Warning, match="did not converge"):
        one = CoxPHSurvivalAnalysis(alpha=0, ties="efron", n_iter=1).fit(x, y)
    assert one.coef_[3] == pytest.approx(2 * 2.539011844839979, rel=1e-9)  # the full step R halves
    rep = run_check("sksurv", "golden", functions=["coxph"])
    row = next(r for r in rep.rows if r.case == "coxph/lung-ecog-factor" and r.quantity == "summary.exp_coef")
    assert row.known == "sksurv-cox-first-step-not-halved" and row.max_rel < 1e-7


def test_status_coded_1_2_is_read_as_r_reads_it():
    sk = rparity.engine("sksurv")
    a = sk.survfit(AML_T, AML_E + 1)
    b = sk.survfit(AML_T, AML_E)
    np.testing.assert_array_equal(a.surv, b.surv)
    with pytest.raises(InvalidArgument, match="`event` must be 0/1, 1/2 or logical") as exc:
        sk.survfit(AML_T, AML_E * 3)
    assert exc.value.kind == "event.values"


def test_what_sksurv_does_not_compute_is_none_and_declared():
    from rparity_peers import sksurv_engine

    sk = rparity.engine("sksurv")
    fit = sk.coxph(pd.DataFrame({"x": [0.0, 1, 1, 0, 1, 0, 1, 0]}), [1.0, 2, 3, 4, 5, 6, 7, 8],
                   [1, 1, 0, 1, 1, 0, 1, 1])
    assert fit.se is None and fit.var is None and fit.loglik is None and fit.lr_test is None
    assert fit.concordance.std is None and fit.concordance.tied_y is None
    for q in ("se", "var", "loglik", "lr_test.*", "summary.p", "concordance.std"):
        assert q in sksurv_engine.NOT_COMPUTED["coxph"]
    km = sk.survfit(AML_T, AML_E, conf_type="log-log")
    assert km.std_err is None and km.std_chaz is None and km.cumhaz is not None


@pytest.mark.parametrize("call, match", [
    (lambda sk: sk.survfit(AML_T, AML_E, weights=np.ones(11)), "weights"),
    (lambda sk: sk.survfit(AML_T, AML_E, conf_lower="peto"), "conf_lower"),
    (lambda sk: sk.survfit_quantile(sk.survfit(AML_T, AML_E)), "does not provide survfit_quantile"),
    (lambda sk: sk.survdiff(AML_T, AML_E, np.arange(11) % 2, rho=1.0), "log-rank test only"),
    (lambda sk: sk.survdiff(AML_T, AML_E, np.arange(11) % 2, strata=np.arange(11) % 3), "strata"),
    (lambda sk: sk.coxph(pd.DataFrame({"x": np.arange(11.0)}), AML_T, AML_E, ties="exact"), "ties='exact'"),
    (lambda sk: sk.coxph(pd.DataFrame({"x": np.arange(11.0)}), AML_T, AML_E, weights=np.ones(11)), "weights"),
    (lambda sk: sk.coxph(pd.DataFrame({"x": np.arange(11.0)}), AML_T, AML_E, strata=np.arange(11) % 2), "strata"),
    (lambda sk: sk.coxph(pd.DataFrame({"x": np.arange(11.0)}), AML_T, AML_E, cluster=np.arange(11) % 2), "cluster"),
    (lambda sk: sk.concordance("Surv(time, status) ~ x", pd.DataFrame()), "formula form"),
    (lambda sk: sk.cox_zph(None), "does not provide cox_zph"),
    (lambda sk: sk.survfit_ms(AML_T, AML_STATE, weights=np.ones(11)), "weights"),
    (lambda sk: sk.survfit_ms(AML_T, AML_STATE, p0=[1.0, 0.0, 0.0]), "p0"),
    (lambda sk: sk.survfit_ms(AML_T, AML_STATE, start_time=10.0), "start_time"),
    (lambda sk: sk.survfit_ms("Surv(t, s) ~ g", data=pd.DataFrame({"t": AML_T, "s": AML_STATE,
                                                                   "g": np.arange(11) % 2})), "groups"),
])
def test_what_sksurv_lacks_is_not_provided(call, match):
    with pytest.raises(NotImplementedError, match=match):
        call(rparity.engine("sksurv"))


def test_one_row_is_refused_as_r_refuses_it():
    with pytest.raises(InvalidArgument) as exc:
        rparity.engine("sksurv").coxph(pd.DataFrame({"x": [1.0]}), [5.0], [1])
    assert exc.value.kind == "data.one_subject"


# -- survfit_ms: cumulative_incidence_competing_risks ---------------------------------------------------------
def _ms_case(name):
    from rparity.cases.multistate import CASES as MS_CASES
    from rparity.cases.multistate import competing
    from rparity.golden import decode, golden_path

    case = next(c for c in MS_CASES if c.id == f"survfit_ms/{name}")
    d = competing(case.data(), case.params)
    doc = json.loads(golden_path(case).read_text())
    return d, {k: decode(v) for k, v in doc["values"].items()}


def _r_loglog(p, se, level):
    """survival's survfit_confint(p, se, logse=FALSE, "log-log"): R's limits."""
    z = norm.isf((1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.log(p)
        s2 = z * se / (p * lp)
        return np.exp(lp * np.exp(-s2)), np.exp(lp * np.exp(s2))


def _rel(a, b):
    ok = np.isfinite(a) & np.isfinite(b) & (b != 0)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.abs(b[ok])))


def test_sksurv_survfit_ms_against_golden_classifies_every_row():
    rep = run_check("sksurv", "golden", functions=["survfit_ms"])
    assert not [r for r in rep.rows if r.classification.failing]
    known = {r.known for r in rep.rows if r.classification is Classification.KNOWN}
    assert known == {"sksurv-cuminc-ci-aalen-variance"}
    assert {(r.case, r.quantity) for r in rep.rows if r.classification is Classification.KNOWN} == {
        ("survfit_ms/mgus2-log-log-90", "lower"), ("survfit_ms/mgus2-log-log-90", "upper")}
    rows = {(r.case, r.quantity): r for r in rep.rows}
    for case in ("mgus2", "mgus2-missing-times", "pbc", "pbc-unused-state"):
        for q in ("time", "pstate", "cumhaz", "n_risk", "n_event", "n_censor", "transitions", "states", "p0"):
            assert rows[(f"survfit_ms/{case}", q)].classification is Classification.AGREES, (case, q)
        assert rows[(f"survfit_ms/{case}", "pstate")].max_rel < 1e-14
    # R's refusals are refused alike; what sksurv lacks is "not provided"
    for case in ("pbc-numeric-status-refused", "pbc-text-status-refused", "pbc-blank-state-refused",
                 "pbc-only-censoring-refused"):
        assert rows[(f"survfit_ms/{case}", "(outcome)")].classification is Classification.AGREES, case
    for case in ("mgus2-sex", "mgus2-start-time", "pbc-p0", "pbc-trt-weights"):
        assert rows[(f"survfit_ms/{case}", "(outcome)")].classification is Classification.NOT_PROVIDED, case
    for q in ("std_err", "sp0"):
        assert rows[("survfit_ms/pbc", q)].classification is Classification.NOT_PROVIDED


@pytest.mark.parametrize("name", ["mgus2", "pbc"])
def test_cumulative_incidence_is_rs_pstate(name):
    """cum_inc[k] is R's pstate of state k, 1 - cum_inc[0] (any cause) its
    "(s0)": the Aalen-Johansen estimate on the same grid (every distinct time)."""
    from sksurv.nonparametric import cumulative_incidence_competing_risks

    d, r = _ms_case(name)
    time, cum_inc = cumulative_incidence_competing_risks(np.asarray(d["event"].cat.codes, dtype=np.int64),
                                                         d["etime"].to_numpy(float))
    np.testing.assert_array_equal(time, r["time"])
    np.testing.assert_allclose(cum_inc[1:].T, r["pstate"][:, 1:], rtol=1e-14, atol=0)
    np.testing.assert_allclose(1 - cum_inc[0], r["pstate"][:, 0], rtol=1e-14, atol=1e-16)


def test_what_sksurv_does_not_compute_for_survfit_ms_is_none_and_declared():
    from rparity_peers import sksurv_engine

    sk = rparity.engine("sksurv")
    fit = sk.survfit_ms(AML_T, AML_STATE)
    assert fit.std_err is None and fit.sp0 is None and fit.lower is None and fit.upper is None
    assert fit.states == ("(s0)", "a", "b") and fit.cumhaz_names == ("1.2", "1.3")
    np.testing.assert_allclose(fit.pstate.sum(axis=1), 1.0)
    ll = sk.survfit_ms(AML_T, AML_STATE, conf_type="log-log")
    assert ll.lower is not None and ll.upper is not None and ll.std_err is None
    assert sk.survfit_ms(AML_T, AML_STATE, conf_type="log-log", se_fit=False).lower is None
    for q in ("std_err", "sp0", "lower", "upper"):
        assert q in sksurv_engine.NOT_COMPUTED["survfit_ms"]


def test_cuminc_limits_differ_from_rs_by_their_variance_and_level():
    """The cause of sksurv-cuminc-ci-aalen-variance, measured on mgus2 at
    conf_int=0.9: R's limits are the log-log transform of R's own std.err
    (the infinitesimal jackknife); scikit-survival's are the same transform of
    Aalen's variance (Pintilie eq. 4.5, computed here from its formula) for
    each cause, and of R's se at 95% (not 90%) for the probability of no event."""
    d, r = _ms_case("mgus2-log-log-90")
    t, codes = d["etime"].to_numpy(float), np.asarray(d["event"].cat.codes)
    fit = rparity.engine("sksurv").survfit_ms(t, d["event"], conf_type="log-log", conf_int=0.9)
    p, se = r["pstate"], r["std_err"]
    for j in range(3):  # R: the transform of its own se, at the level asked
        lo, up = _r_loglog(p[:, j], se[:, j], 0.9)
        assert _rel(lo, r["lower"][:, j]) < 1e-13 and _rel(up, r["upper"][:, j]) < 1e-13
    # "(s0)": R's se (Greenwood's, here) at 95% gives scikit-survival's limits; at 90% R's
    lo95, up95 = _r_loglog(p[:, 0], se[:, 0], 0.95)
    assert _rel(fit.lower[:, 0], lo95) < 1e-13 and _rel(fit.upper[:, 0], up95) < 1e-13
    assert _rel(fit.lower[:, 0], r["lower"][:, 0]) > 0.1
    # the causes: Aalen's variance from its formula, on the unique times
    grid, inv = np.unique(t, return_inverse=True)
    n = t.size - np.concatenate(([0], np.cumsum(np.bincount(inv))[:-1])).astype(float)
    d_any = np.bincount(inv, weights=codes > 0).astype(float)
    surv = np.cumprod(1 - d_any / n)
    s_before = np.concatenate(([1.0], surv[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where((n - 1) * (n - d_any) > 0, d_any / ((n - 1) * (n - d_any)), 0.0)
    for j in (1, 2):
        dk = np.bincount(inv, weights=codes == j).astype(float)
        f = np.cumsum(dk / n * s_before)
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where((n - 1) * n > 0, s_before ** 2 * dk * (n - dk) / ((n - 1) * n ** 2), 0.0)
            c = np.where(n * (n - d_any) * (n - 1) > 0, s_before * dk * (n - dk) / (n * (n - d_any) * (n - 1)), 0.0)
        var = np.array([np.sum((f[i] - f[:i + 1]) ** 2 * a[:i + 1] + b[:i + 1] - 2 * (f[i] - f[:i + 1]) * c[:i + 1])
                        for i in range(grid.size)])
        lo, up = _r_loglog(f, np.sqrt(var), 0.9)
        assert _rel(fit.lower[:, j], lo) < 1e-10 and _rel(fit.upper[:, j], up) < 1e-10, j
        ratio = np.sqrt(var)[se[:, j] > 0] / se[se[:, j] > 0, j]
        assert abs(np.median(ratio) - 1) < 1e-3 and ratio.max() > 1.1, j  # close, not R's
        assert _rel(fit.lower[:, j], r["lower"][:, j]) > 1e-3, j
    # where R's interval is undefined (p = 0 or 1) R has NA, scikit-survival 0
    undefined = np.isnan(r["lower"]) & ~np.isnan(fit.lower)
    assert undefined.any() and np.all(fit.lower[undefined] == 0) and np.all(p[undefined] == 0)


def test_a_refusal_of_data_with_events_is_never_explained(monkeypatch):
    """Planted fault: an adapter refusing every Cox fit as 'no events'. Where
    the case's data have events the refusal stays a new divergence: the entry
    counts the events itself, it does not trust the engine's kind."""
    from rparity_peers import sksurv_engine

    def refuse(*args, **kwargs):
        raise InvalidArgument("scikit-survival refuses data without events (planted)", kind="event.none")

    monkeypatch.setattr(sksurv_engine, "coxph", refuse)
    cases = [c for c in COX_CASES if c.id in ("coxph/lung", "coxph/edge-no-events")]
    rep = run_check("sksurv", "golden", cases=cases)
    rows = {r.case: r for r in rep.rows if r.quantity == "(outcome)"}
    assert rows["coxph/lung"].classification is Classification.NEW
    assert rows["coxph/edge-no-events"].known == "sksurv-refuses-data-without-events"


def test_refusal_entries_never_cover_pyimpl_or_r():
    from rparity.divergences import InvalidDivergence, KnownDivergence, validate_entry

    for eng in ("pyimpl", "r"):
        entry = KnownDivergence(id="x-refusal", engines={eng: "*"}, functions=("coxph",), quantities=("(outcome)",),
                                explanation="e", source="s", departure="d", peer_refusal=True)
        with pytest.raises(InvalidDivergence, match="not pyimpl's or R's"):
            validate_entry(entry)
