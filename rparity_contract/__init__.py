"""rparity_contract: what every engine and the harness share, and nothing else.

The layers (checked by import-linter, ``pyproject.toml``)::

    rparity (harness)
        |
    pyimpl | rbridge | rparity_peers      (engines: independent of each other)
        |
    rparity_contract                      (this package)

Here: result types (:mod:`.results`), the arguments of a call kept on its
result (:mod:`.calls`), errors and refusal kinds (:mod:`.errors`,
:mod:`.kinds`), the value lists of the arguments (:mod:`.values`), numerical
settings (:mod:`.control`), the list of contract functions
(:mod:`.functions`), verdicts and classifications (:mod:`.verdicts`) and the
table of engines (:mod:`.registry`). This package imports no engine.
"""
from .calls import CoxCall, MatchItCall, SurvFitCall
from .control import CoxControl
from .errors import (
                     ComputationError,
                     InvalidArgument,
                     ParityMismatch,
                     RError,
                     RParityError,
                     RParityWarning,
                     RUnavailable,
                     RWarning,
)
from .functions import DERIVED_FUNCTIONS, FIT_FUNCTIONS, FUNCTION_NAMES, FUNCTIONS, FunctionSpec
from .kinds import KINDS
from .results import (
                     ChisqTest,
                     Concordance,
                     CoxPH,
                     CoxTest,
                     CoxZph,
                     FisherTest,
                     GlmLogit,
                     MatchIt,
                     MatchItSummary,
                     Result,
                     SurvDiff,
                     SurvFit,
)
from .verdicts import Classification, Verdict

__all__ = [
    "CoxCall", "MatchItCall", "SurvFitCall", "CoxControl",
    "ComputationError", "InvalidArgument", "ParityMismatch", "RError", "RParityError", "RParityWarning",
    "RUnavailable", "RWarning", "KINDS",
    "DERIVED_FUNCTIONS", "FIT_FUNCTIONS", "FUNCTION_NAMES", "FUNCTIONS", "FunctionSpec",
    "ChisqTest", "Concordance", "CoxPH", "CoxTest", "CoxZph", "FisherTest", "GlmLogit", "MatchIt",
    "MatchItSummary", "Result", "SurvDiff", "SurvFit", "Classification", "Verdict",
]
