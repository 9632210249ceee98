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
from .crr import Crr, CrrPredict
from .cuminc import CumInc, CumIncCurve, GrayTests
from .matching import GlmLogit, MatchIt, MatchItSummary
from .matching_match import MatchingMatch
from .multistate import SurvFitMS
from .survey import SvyCoxPH, SvyGLM, SvyKM, SvyLogrank
from .survival import SurvDiff, SurvFit
from .survreg import SurvReg, SurvregCall, SurvRegPredict, SurvRegResiduals
from .tmerge import Tmerge
from .weighting import PSWeights, WeightedBalance

__all__ = ["Result", "rfield", "SurvFit", "SurvFitMS", "CumInc", "CumIncCurve", "GrayTests", "Crr", "CrrPredict",
           "SurvDiff", "FisherTest", "ChisqTest", "GlmLogit", "MatchIt",
           "MatchItSummary", "CoxPH", "CoxTest", "CoxZph", "Concordance", "ConcordanceSet",
           "CoxResiduals", "CoxPredict", "SurvFitCox", "CoxAnova", "CoxDetail", "Tmerge",
           "SurvReg", "SurvregCall", "SurvRegPredict", "SurvRegResiduals", "SvyCoxPH", "SvyKM", "SvyLogrank", "SvyGLM",
           "MatchingMatch",
           "PSWeights", "WeightedBalance"]
