"""pyimpl: the pure-Python engine (numpy, scipy, pandas only).

Each public function mirrors an R function (see ``shared/specs/api.md``):
validate the input, run a private kernel that follows R's own source, return a
frozen result dataclass shared by every engine.
"""
from .errors import InvalidArgument, RParityError, RParityWarning
from .results import ChisqTest, FisherTest, SurvDiff, SurvFit
from .survival import survdiff, survfit
from .cox import CoxControl, basehaz, concordance, cox_zph, coxph
from .results import Concordance, CoxPH, CoxTest, CoxZph

ENGINE_NAME = "pyimpl"

__all__ = [
    "survfit",
    "survdiff",
    "SurvFit",
    "SurvDiff",
    "FisherTest",
    "ChisqTest",
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
