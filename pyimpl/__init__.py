"""pyimpl: the pure-Python engine (numpy, scipy, pandas only).

Each public function mirrors an R function (see ``shared/specs/api.md``):
validate the input, run a private kernel that follows R's own source, return a
frozen result dataclass shared by every engine.
"""
from .errors import InvalidArgument, RParityError, RParityWarning
from .contingency import chisq_test, fisher_test
from .matching import glm_logit, matchit
from .results import ChisqTest, FisherTest, GlmLogit, MatchIt, MatchItSummary, SurvDiff, SurvFit
from .survival import survdiff, survfit
from .cox import CoxControl, basehaz, concordance, cox_zph, coxph
from .results import Concordance, CoxPH, CoxTest, CoxZph

ENGINE_NAME = "pyimpl"

__all__ = [
    "survfit",
    "survdiff",
    "fisher_test",
    "chisq_test",
    "SurvFit",
    "SurvDiff",
    "FisherTest",
    "ChisqTest",
    "glm_logit",
    "matchit",
    "GlmLogit",
    "MatchIt",
    "MatchItSummary",
    "InvalidArgument",
    "coxph",
    "cox_zph",
    "basehaz",
    "concordance",
    "CoxControl",
    "CoxPH",
    "CoxTest",
    "CoxZph",
    "Concordance",
    "RParityError",
    "RParityWarning",
]
