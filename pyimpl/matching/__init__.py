"""Propensity-score matching at MatchIt parity: ``glm_logit`` (R's glm.fit
iterations), ``matchit`` (nearest-neighbour, MatchIt 4.5.1 / documented),
balance summaries, and R's RNG for ``m_order="random"``."""
from .glm import GlmControl, glm_logit
from .matchit import MatchItCompatError, matchit

__all__ = ["glm_logit", "matchit", "GlmControl", "MatchItCompatError"]
