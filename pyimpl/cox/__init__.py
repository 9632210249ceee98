"""Cox proportional hazards at parity with R's survival 3.5-3: ``coxph``,
``coxph_summary``, ``cox_zph``, ``basehaz``, ``concordance``, ``coxph_residuals``,
``coxph_predict``, ``survfit_cox``, ``coxph_anova`` and ``coxph_detail``."""
from .anova import coxph_anova
from .baseline import basehaz
from .cindex import concordance
from .clogit import clogit
from .coxph import coxph
from .detail import coxph_detail
from .exact import EXACT_MAX_TIES
from .predict import coxph_predict
from .residuals import coxph_residuals
from .summary import coxph_summary
from .survey import svycoxph
from .survfit_cox import survfit_cox
from .zph import cox_zph

__all__ = ["coxph", "coxph_summary", "cox_zph", "basehaz", "concordance", "coxph_residuals", "coxph_predict",
           "survfit_cox", "coxph_anova", "coxph_detail", "clogit", "svycoxph", "EXACT_MAX_TIES"]
