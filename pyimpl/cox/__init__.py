"""Cox proportional hazards at parity with R's survival 3.5-3: ``coxph``,
``coxph_summary``, ``cox_zph``, ``basehaz`` and ``concordance``."""
from .baseline import basehaz
from .cindex import concordance
from .coxph import coxph
from .exact import EXACT_MAX_TIES
from .summary import coxph_summary
from .zph import cox_zph

__all__ = ["coxph", "coxph_summary", "cox_zph", "basehaz", "concordance", "EXACT_MAX_TIES"]
