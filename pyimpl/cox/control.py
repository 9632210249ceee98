"""Numerical settings of the Cox fit: ``survival::coxph.control`` in one object."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from ..errors import InvalidArgument, RParityWarning

__all__ = ["CoxControl"]

_DBL_EPS = 2.220446049250313e-16


@dataclass(frozen=True)
class CoxControl:
    """``coxph.control(eps=1e-9, toler.chol=.Machine$double.eps^0.75, iter.max=20,
    toler.inf=sqrt(eps), outer.max=10, timefix=TRUE)``, survival 3.5-3.

    Attributes
    ----------
    eps : float
        Convergence: iteration stops when ``|1 - loglik_best/loglik_new| <= eps``.
    iter_max : int
        Maximum number of Newton-Raphson iterations.
    toler_chol : float
        Tolerance of survival's own Cholesky (``cholesky2``) for declaring a
        column redundant (its coefficient becomes NaN, R's NA).
    toler_inf : float or None
        Threshold of the "coefficient may be infinite" check; ``None`` means
        R's default ``sqrt(eps)``.
    outer_max : int
        Kept for completeness (penalised models only; unused here).
    timefix : bool
        Apply R's ``aeqSurv`` to the times (merge times equal up to rounding).

    Notes
    -----
    Validation follows ``coxph.control``: ``iter_max < 0``, ``eps <= 0`` and
    ``toler_inf <= 0`` raise; ``eps <= toler_chol`` warns with R's text.
    """

    eps: float = 1e-9
    iter_max: int = 20
    toler_chol: float = _DBL_EPS ** 0.75
    toler_inf: float | None = None
    outer_max: int = 10
    timefix: bool = True

    def __post_init__(self) -> None:
        for name in ("eps", "toler_chol"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
                raise InvalidArgument(f"`{name}` must be a finite number; got {name}={v!r}")
            object.__setattr__(self, name, float(v))
        it = self.iter_max
        if isinstance(it, bool) or not isinstance(it, int) and not (isinstance(it, float) and it == int(it)):
            raise InvalidArgument(f"`iter_max` must be a whole number; got iter_max={it!r}")
        object.__setattr__(self, "iter_max", int(it))
        if self.iter_max < 0:
            raise InvalidArgument(f"`iter_max` must be >= 0 (R: 'Invalid value for iterations'); "
                                  f"got iter_max={it!r}")
        if self.eps <= 0:
            raise InvalidArgument(f"`eps` must be > 0 (R: 'Invalid convergence criteria'); got eps={self.eps!r}")
        tinf = math.sqrt(self.eps) if self.toler_inf is None else self.toler_inf
        if isinstance(tinf, bool) or not isinstance(tinf, (int, float)) or not math.isfinite(float(tinf)):
            raise InvalidArgument(f"`toler_inf` must be a finite number; got toler_inf={self.toler_inf!r}")
        if tinf <= 0:
            raise InvalidArgument(f"`toler_inf` must be > 0 (R: 'The inf.warn setting must be >0'); "
                                  f"got toler_inf={self.toler_inf!r}")
        object.__setattr__(self, "toler_inf", float(tinf))
        if not isinstance(self.timefix, bool):
            raise InvalidArgument(f"`timefix` must be True or False; got timefix={self.timefix!r}")
        if self.eps <= self.toler_chol:
            warnings.warn(RParityWarning("For numerical accuracy, tolerance should be < eps"), stacklevel=3)
