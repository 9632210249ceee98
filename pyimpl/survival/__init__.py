"""Kaplan-Meier, competing risks (Aalen-Johansen) and the G-rho tests, at parity with R's survival 3.5-3."""
from .crr import crr, crr_predict, crr_summary
from .cuminc import cuminc
from .finegray import finegray
from .km import survfit
from .km_methods import survfit_quantile, survfit_summary, survfit_table
from .multistate import survfit_ms
from .survdiff import survdiff
from .survsplit import survsplit
from .timefix import aeq_surv
from .tmerge import tmerge

__all__ = ["survfit", "survfit_ms", "survfit_summary", "survfit_quantile", "survfit_table", "survdiff", "survsplit",
           "tmerge",
           "aeq_surv", "cuminc", "finegray", "crr", "crr_predict", "crr_summary"]
