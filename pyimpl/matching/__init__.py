"""Propensity-score matching at MatchIt parity: ``glm_logit`` (R's glm.fit
iterations), ``matchit`` (nearest-neighbour, MatchIt 4.5.1 / documented),
``matchit_summary`` and ``match_data``, and R's RNG for ``m_order="random"``."""
from .balance import matchit_summary
from .glm import GlmControl, glm_logit
from .matchit import MatchItCompatError, match_data, matchit

__all__ = ["glm_logit", "matchit", "matchit_summary", "match_data", "GlmControl", "MatchItCompatError"]
