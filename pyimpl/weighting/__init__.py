"""Weighting for confounding: inverse-probability weights from a propensity
model (``ps_weights``: WeightIt's formulas on R's glm score) and the balance
of the weighted sample (``weighted_balance``: cobalt's conventions)."""
from .balance import weighted_balance
from .weights import ps_weights

__all__ = ["ps_weights", "weighted_balance"]
