"""rparity: does this Python analysis give the same numbers as R, and where it
doesn't, why?"""
from rparity_contract.errors import (  # noqa: F401
    InvalidArgument,
    ParityMismatch,
    RError,
    RParityError,
    RParityWarning,
    RUnavailable,
    RWarning,
)
from rparity_contract.tmerge import cumevent, cumtdc, event, tdc

from .engines import Engine, engine, engines

__version__ = "0.1.0"

__all__ = ["engine", "engines", "Engine", "InvalidArgument", "ParityMismatch", "RError",
           "RParityError", "RUnavailable", "RWarning", "RParityWarning", "tdc", "cumtdc", "event", "cumevent"]
