"""Result types shared by every engine (frozen dataclasses)."""
from .base import Result, rfield
from .contingency import ChisqTest, FisherTest
from .cox import (
           Concordance,
           ConcordanceSet,
           CoxAnova,
           CoxDetail,
           CoxPH,
           CoxPredict,
           CoxResiduals,
           CoxTest,
           CoxZph,
           SurvFitCox,
)
from .cuminc import CumInc, CumIncCurve, GrayTests
from .matching import GlmLogit, MatchIt, MatchItSummary
from .matching_match import MatchingMatch
from .multistate import SurvFitMS
from .survey import SvyCoxPH
from .survival import SurvDiff, SurvFit
from .survreg import SurvReg, SurvregCall, SurvRegPredict
from .tmerge import Tmerge
from .weighting import PSWeights, WeightedBalance

__all__ = ["Result", "rfield", "SurvFit", "SurvFitMS", "CumInc", "CumIncCurve", "GrayTests",
           "SurvDiff", "FisherTest", "ChisqTest", "GlmLogit", "MatchIt",
           "MatchItSummary", "CoxPH", "CoxTest", "CoxZph", "Concordance", "ConcordanceSet",
           "CoxResiduals", "CoxPredict", "SurvFitCox", "CoxAnova", "CoxDetail", "Tmerge",
           "SurvReg", "SurvregCall", "SurvRegPredict", "SvyCoxPH", "MatchingMatch",
           "PSWeights", "WeightedBalance"]
