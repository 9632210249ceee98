"""pyimpl: the pure-Python engine (numpy, scipy, pandas only).

Each public function mirrors an R function (the contract:
:mod:`rparity_contract.functions`): validate the input, run a private kernel
that follows R's own source, return a frozen result of the contract. pyimpl
imports the contract and nothing else of the project.
"""
from rparity_contract.control import CoxControl
from rparity_contract.errors import ComputationError, InvalidArgument, RParityError, RParityWarning
from rparity_contract.results import (
                                      ChisqTest,
                                      Concordance,
                                      CoxPH,
                                      CoxTest,
                                      CoxZph,
                                      FisherTest,
                                      GlmLogit,
                                      MatchIt,
                                      MatchItSummary,
                                      SurvDiff,
                                      SurvFit,
)
from rparity_contract.tmerge import cumevent, cumtdc, event, tdc

from .contingency import chisq_test, fisher_test
from .cox import (
                                      basehaz,
                                      clogit,
                                      concordance,
                                      cox_zph,
                                      coxph,
                                      coxph_anova,
                                      coxph_detail,
                                      coxph_predict,
                                      coxph_residuals,
                                      coxph_summary,
                                      survfit_cox,
                                      svycoxph,
)
from .matching import glm_logit, match_data, matchit, matchit_summary
from .matching.match_ai import matching_match
from .survey import svyglm, svykm, svylogrank
from .survival import (
                                      crr,
                                      crr_predict,
                                      crr_summary,
                                      cuminc,
                                      finegray,
                                      survdiff,
                                      survfit,
                                      survfit_ms,
                                      survfit_quantile,
                                      survfit_summary,
                                      survfit_table,
                                      survsplit,
                                      tmerge,
)
from .survreg import survreg, survreg_predict, survreg_residuals
from .weighting import ps_weights, weighted_balance

ENGINE_NAME = "pyimpl"

#: What pyimpl cannot do (for people: ``rparity engines``).
UNSUPPORTED = {
    "matching_match": [
        "BiasAdjust=TRUE (when Match keeps it), Weight=3 / Weight.matrix, observation weights, Z, V, CommonSupport, "
        "restrict, match.out, version: not implemented",
    ],
    "matchit": [
        "method='optimal', 'full', 'quick', 'genetic', 'cardinality': not implemented (in R, optimal and full "
        "need optmatch and quick needs quickmatch, which Debian does not package)",
        "method='cem': cutpoints='fd', grouping and k2k are not reproduced",
        "min.controls/max.controls, a distance matrix: not implemented; s.weights and unit.id with "
        "compat='3.0.2': not reproduced",
        "mahvars / distance='mahalanobis' when the pooled covariance is singular (a factor among the variables, "
        "collinear variables): MatchIt's SVD generalised inverse (LAPACK dgesdd) is not replayed bit for bit",
        "distance='robust_mahalanobis': MatchIt 4.5.1 fails on it (compat='4.5.1' reproduces the failure)",
        "mahvars, antiexact, named calipers and covariate distances with method='exact', 'cem', 'subclass' or "
        "compat='3.0.2'",
        "compat='3.0.2' with a method other than 'nearest', and MatchIt 3.0.2's own summary(): not reproduced",
    ],
}

__all__ = [
    # the contract's functions
    "survfit", "survfit_ms", "cuminc", "crr", "crr_predict", "crr_summary", "finegray", "survfit_summary",
    "survfit_quantile", "survfit_table", "survdiff",
    "survsplit",
    "tmerge", "coxph", "coxph_summary", "cox_zph", "coxph_residuals", "coxph_predict", "survfit_cox", "coxph_anova",
    "coxph_detail", "basehaz", "clogit", "svycoxph", "svykm", "svylogrank", "svyglm", "survreg", "survreg_predict",
    "survreg_residuals", "matching_match",
    "concordance", "glm_logit", "matchit", "matchit_summary", "match_data", "fisher_test", "chisq_test",
    "ps_weights", "weighted_balance",
    # re-exported from the contract for convenience
    "CoxControl", "SurvFit", "SurvDiff", "FisherTest", "ChisqTest", "GlmLogit", "MatchIt", "MatchItSummary",
    "CoxPH", "CoxTest", "CoxZph", "Concordance", "InvalidArgument", "ComputationError", "RParityError",
    "RParityWarning", "tdc", "cumtdc", "event", "cumevent",
]
