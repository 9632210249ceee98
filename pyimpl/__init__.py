"""pyimpl: the pure-Python engine (numpy, scipy, pandas only).

Each public function mirrors an R function (see ``shared/specs/api.md``):
validate the input, run a private kernel that follows R's own source, return a
frozen result dataclass shared by every engine.
"""
from .errors import InvalidArgument, RParityError, RParityWarning
from .results import ChisqTest, FisherTest, SurvDiff, SurvFit
from .contingency import chisq_test, fisher_test
from .survival import survdiff, survfit

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
    "InvalidArgument",
    "RParityError",
    "RParityWarning",
]
