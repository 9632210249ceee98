"""Result types shared by every engine (frozen dataclasses)."""
from .base import Result, rfield
from .contingency import ChisqTest, FisherTest
from .matching import GlmLogit, MatchIt, MatchItMethods, MatchItSummary
from .survival import SurvDiff, SurvFit, SurvFitMethods

__all__ = ["Result", "rfield", "SurvFit", "SurvFitMethods", "SurvDiff", "FisherTest", "ChisqTest",
           "GlmLogit", "MatchIt", "MatchItSummary", "MatchItMethods"]
from .cox import Concordance, CoxInputs, CoxPH, CoxTest, CoxZph  # noqa: E402

__all__ += ["CoxPH", "CoxTest", "CoxZph", "Concordance", "CoxInputs"]
