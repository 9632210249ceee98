"""scikit-survival as a peer engine: every row of its check classified, its
differences from R explained by their cause, its refusals named."""
import numpy as np
import pandas as pd
import pytest

import rparity
from rparity.cases.cox import CASES as COX_CASES
from rparity.cases.cox import cox_inputs
from rparity.check import run_check
from rparity_contract.errors import InvalidArgument
from rparity_contract.verdicts import Classification

pytest.importorskip("sksurv", reason="scikit-survival is not installed (pip install 'rparity[peers]')")

FUNCTIONS = ["survfit", "survdiff", "coxph", "concordance"]

#: every difference from R has one of these explanations
KNOWN = {"sksurv-km-ci-loglog", "sksurv-ci-undefined-limits", "sksurv-cox-first-step-not-halved", "peer-warnings"}

#: what scikit-survival really cannot do: it refuses data without any event ("all samples are censored",
#: check_y_survival in compare_survival and CoxPHSurvivalAnalysis.fit) where R answers. A failure of the
#: peer is never a known divergence: the check says so.
FAILING = {("survdiff/edge-no-events", "(outcome)", Classification.ENGINE_ERROR),
           ("coxph/edge-no-events", "(outcome)", Classification.ENGINE_ERROR),
           ("concordance/edge-no-events", "(outcome)", Classification.ENGINE_ERROR)}

AML_T = np.array([9.0, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161])
AML_E = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])


def _assert_classified(rep):
    failing = {(r.case, r.quantity, r.classification) for r in rep.rows if r.classification.failing}
    assert failing == FAILING, failing
    assert all("all samples are censored" in r.detail for r in rep.rows if r.classification.failing)
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
])
def test_what_sksurv_lacks_is_not_provided(call, match):
    with pytest.raises(NotImplementedError, match=match):
        call(rparity.engine("sksurv"))


def test_one_row_is_refused_as_r_refuses_it():
    with pytest.raises(InvalidArgument) as exc:
        rparity.engine("sksurv").coxph(pd.DataFrame({"x": [1.0]}), [5.0], [1])
    assert exc.value.kind == "data.one_subject"
