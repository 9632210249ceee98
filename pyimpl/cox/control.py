"""The checks ``survival::coxph.control`` makes on its settings, applied to the
contract's :class:`~rparity_contract.control.CoxControl` (plain data)."""
from __future__ import annotations

import dataclasses
import math
import warnings

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument, RParityWarning

__all__ = ["check_control", "CoxControl"]


def _number(v: object) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(float(v))


def check_control(c: CoxControl) -> CoxControl:
    """``coxph.control``'s validation (survival 3.5-3, ``coxph.control.R``):
    ``iter.max < 0``, ``eps <= 0`` and ``toler.inf <= 0`` stop; ``eps <=
    toler.chol`` warns with R's text. Returns the settings with ``toler_inf``
    resolved (``sqrt(eps)`` when None) and numbers as float/int."""
    for name in ("eps", "toler_chol"):
        v = getattr(c, name)
        if not _number(v):
            raise InvalidArgument(f"`{name}` must be a finite number; got {name}={v!r}", kind="control.value")
    it = c.iter_max
    if isinstance(it, bool) or not isinstance(it, int) and not (isinstance(it, float) and it == int(it)):
        raise InvalidArgument(f"`iter_max` must be a whole number; got iter_max={it!r}", kind="control.value")
    if it < 0:
        raise InvalidArgument(f"`iter_max` must be >= 0 (R: 'Invalid value for iterations'); got iter_max={it!r}",
                              kind="control.value")
    eps = float(c.eps)
    if eps <= 0:
        raise InvalidArgument(f"`eps` must be > 0 (R: 'Invalid convergence criteria'); got eps={c.eps!r}",
                              kind="control.value")
    tinf = math.sqrt(eps) if c.toler_inf is None else c.toler_inf
    if not _number(tinf):
        raise InvalidArgument(f"`toler_inf` must be a finite number; got toler_inf={c.toler_inf!r}",
                              kind="control.value")
    if tinf <= 0:
        raise InvalidArgument(f"`toler_inf` must be > 0 (R: 'The inf.warn setting must be >0'); "
                              f"got toler_inf={c.toler_inf!r}", kind="control.value")
    if not isinstance(c.timefix, bool):
        raise InvalidArgument(f"`timefix` must be True or False; got timefix={c.timefix!r}", kind="control.value")
    if eps <= float(c.toler_chol):
        warnings.warn(RParityWarning("For numerical accuracy, tolerance should be < eps"), stacklevel=4)
    return dataclasses.replace(c, eps=eps, toler_chol=float(c.toler_chol), iter_max=int(it), toler_inf=float(tinf))
