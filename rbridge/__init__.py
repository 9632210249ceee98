"""rbridge: the contract's functions run in R through rpy2, and nothing else.

The R engine converts the caller's arguments to R objects and lets R accept
or refuse them: it runs no validation of its own and imports no other engine,
so that an input one engine refuses and R accepts shows up as a divergence.
It is the only package that imports rpy2, lazily: importing ``rbridge`` works
without R; the first call starts the embedded R (one per process) or raises
:class:`~rparity_contract.errors.RUnavailable` saying how to install it.
Results are the contract's types, with ``engine="r"`` and ``provenance``.
"""
from ._session import INSTALL_HINT, exclusive_r, r_available, session
from .cmprsk import crr, crr_predict, crr_summary, cuminc
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
)
from .matching import glm_logit, match_data, matchit, matchit302_available, matchit_summary
from .matching_match import matching_match
from .multistate import finegray, survfit_ms
from .stats import chisq_test, fisher_test
from .survey import svycoxph, svyglm, svykm, svylogrank
from .survival import survdiff, survfit, survfit_quantile, survfit_summary, survfit_table, survsplit
from .survreg import survreg, survreg_predict, survreg_residuals
from .tmerge import tmerge
from .weighting import ps_weights, weighted_balance

ENGINE_NAME = "r"

#: What this R cannot run (for people: ``rparity engines``).
UNSUPPORTED = {
    "matchit": [
        "method='optimal' and 'full': MatchIt needs optmatch, which Debian does not package; method='quick' "
        "needs quickmatch (likewise): R refuses them",
        "compat='3.0.2': needs MatchIt 3.0.2 in its private library (make matchit302); nearest-neighbour only",
    ],
}

__all__ = ["survfit", "survfit_ms", "survfit_summary", "survfit_quantile", "survfit_table", "survdiff", "survsplit",
           "tmerge",
           "coxph", "coxph_summary", "cox_zph", "coxph_residuals", "coxph_predict", "survfit_cox", "coxph_anova",
           "coxph_detail", "clogit", "survreg", "survreg_predict", "survreg_residuals",
           "basehaz", "concordance", "glm_logit", "matchit", "matchit302_available", "matchit_summary", "match_data",
           "fisher_test", "cuminc", "crr", "crr_predict", "crr_summary", "finegray", "svycoxph", "svykm", "svylogrank",
           "svyglm", "matching_match",
           "chisq_test", "ps_weights", "weighted_balance",
           "session", "r_available", "exclusive_r", "INSTALL_HINT"]
