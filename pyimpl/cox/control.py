"""The checks ``survival::coxph.control`` makes on its settings, applied to the
contract's :class:`~rparity_contract.control.CoxControl` (plain data)."""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument

__all__ = ["check_control", "as_control", "CoxControl", "EPS_WARNING"]

EPS_WARNING = "For numerical accuracy, tolerance should be < eps"
"""coxph.control's warning when ``eps <= toler.chol``."""

#: coxph.control's argument names, and the CoxControl fields they set
_R_NAMES = {"eps": "eps", "toler.chol": "toler_chol", "iter.max": "iter_max", "toler.inf": "toler_inf",
            "outer.max": "outer_max", "timefix": "timefix"}


def as_control(control: object) -> CoxControl:
    """``control`` as a :class:`CoxControl`: None is the default; a mapping
    holds ``coxph.control``'s arguments (R's names, ``iter.max``, or the
    fields' names, ``iter_max``), as ``coxph(control = coxph.control(...))``."""
    if control is None:
        return CoxControl()
    if isinstance(control, CoxControl):
        return control
    if isinstance(control, Mapping):
        fields = {f.name for f in dataclasses.fields(CoxControl)}
        kw = {}
        for key, value in control.items():
            name = _R_NAMES.get(key, key) if isinstance(key, str) else key
            if name not in fields:
                raise InvalidArgument(f"`control` has no setting {key!r} (coxph.control's arguments: "
                                      f"{', '.join(_R_NAMES)})", kind="control.value")
            kw[name] = value
        return CoxControl(**kw)
    raise InvalidArgument(f"`control` must be a CoxControl or a mapping of coxph.control's arguments; "
                          f"got {type(control).__name__}", kind="control.type")


def _number(v: object) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(float(v))


def check_control(c: CoxControl) -> tuple[CoxControl, list[str]]:
    """``coxph.control``'s validation (survival 3.5-3, ``coxph.control.R``):
    ``iter.max < 0``, ``eps <= 0`` and ``toler.inf <= 0`` stop; ``eps <=
    toler.chol`` warns with R's text. Returns the settings with ``toler_inf``
    resolved (``sqrt(eps)`` when None), ``iter_max`` truncated as R's
    ``as.integer`` does, numbers as float/int; and the warnings."""
    for name in ("eps", "toler_chol"):
        v = getattr(c, name)
        if not _number(v):
            raise InvalidArgument(f"`{name}` must be a finite number; got {name}={v!r}", kind="control.value")
    it = c.iter_max
    if not _number(it):
        raise InvalidArgument(f"`iter_max` must be a finite number; got iter_max={it!r}", kind="control.value")
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
    warns = [EPS_WARNING] if eps <= float(c.toler_chol) else []
    # as.integer(iter.max): truncation toward 0
    return dataclasses.replace(c, eps=eps, toler_chol=float(c.toler_chol), iter_max=int(it),
                               toler_inf=float(tinf)), warns
