"""Design-based analyses of the survey package (survey 4.1-1) on one-stage
designs: Kaplan-Meier curves (``svykm``), the log-rank test
(``svylogrank``) and generalised linear models (``svyglm``). Design-based
Cox regression (``svycoxph``) is in :mod:`pyimpl.cox.survey`."""
from .svyglm import svyglm
from .svykm import svykm
from .svylogrank import svylogrank

__all__ = ["svykm", "svylogrank", "svyglm"]
