"""rbridge: the contract's functions run in R through rpy2.

This is the only package that imports rpy2, and it does so lazily: importing
``rbridge`` works without R; the first call starts the embedded R (one per
process) or raises :class:`~pyimpl.errors.RUnavailable` saying how to install it.
Results are pyimpl's result types, with ``engine="r"`` and ``provenance``.
"""
from ._session import INSTALL_HINT, r_available, session
from .matching import glm_logit, matchit
from .stats import chisq_test, fisher_test
from .survival import survdiff, survfit
from .cox import basehaz, concordance, cox_zph, coxph

ENGINE_NAME = "r"

__all__ = ["survfit", "survdiff", "glm_logit", "matchit", "fisher_test", "chisq_test", "session", "r_available",
           "INSTALL_HINT", "coxph", "cox_zph", "basehaz", "concordance"]
