"""Cox proportional hazards at parity with R's survival 3.5-3."""
from .control import CoxControl
from .coxph import coxph

__all__ = ["coxph", "CoxControl"]
