"""Parametric survival regression: ``survival::survreg`` (survival 3.5-3), its ``predict`` and ``residuals``."""
from .predict import survreg_predict
from .residuals import survreg_residuals
from .survreg import survreg

__all__ = ["survreg", "survreg_predict", "survreg_residuals"]
