"""Parametric survival regression: ``survival::survreg`` (survival 3.5-3) and its ``predict``."""
from .predict import survreg_predict
from .survreg import survreg

__all__ = ["survreg", "survreg_predict"]
