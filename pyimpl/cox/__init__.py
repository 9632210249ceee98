"""Cox proportional hazards at parity with R's survival 3.5-3: ``coxph``,
``cox_zph``, ``basehaz`` and ``concordance``."""
from .baseline import basehaz
from .cindex import concordance
from .control import CoxControl
from .coxph import coxph
from .exact import EXACT_MAX_TIES
from .zph import cox_zph

__all__ = ["coxph", "cox_zph", "basehaz", "concordance", "CoxControl", "EXACT_MAX_TIES"]

