"""Kaplan-Meier and the G-rho tests, at parity with R's survival 3.5-3."""
from .km import survfit
from .survdiff import survdiff
from .timefix import aeq_surv

__all__ = ["survfit", "survdiff", "aeq_surv"]
