"""Result type of ``cmprsk::cuminc`` (cmprsk 2.2-11): cumulative incidence
curves of competing risks and Gray's K-sample test."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .base import Result, rfield

__all__ = ["CumIncCurve", "GrayTests", "CumInc"]


@dataclass(frozen=True)
class CumIncCurve:
    """One cumulative incidence curve, as ``cuminc(...)[["<group> <cause>"]]``:
    the step function's points (``time`` from 0, each jump time twice, the
    group's last time), the estimate and its variance."""

    group: str
    cause: str
    time: np.ndarray
    est: np.ndarray
    var: np.ndarray

    @property
    def name(self) -> str:
        """The list element's name in R: ``paste(group, cause)``."""
        return f"{self.group} {self.cause}"


@dataclass(frozen=True)
class GrayTests:
    """``cuminc(...)$Tests``: one row per cause (``causes`` are the row names)."""

    causes: tuple[str, ...]
    stat: np.ndarray
    pv: np.ndarray
    df: np.ndarray


@dataclass(frozen=True, kw_only=True, eq=False)
class CumInc(Result):
    """``cuminc``'s result: the curves in R's order (cause by cause, then group),
    Gray's tests (None with a single group), the number of rows dropped for
    missing values and the lines R prints (``cat``).

    The compared quantities (:meth:`quantities`) are the curves laid end to
    end: ``names``, ``lengths``, ``time``, ``est``, ``var``, and the tests'
    ``stat``, ``pv``, ``df`` and ``causes``.
    """

    curves: tuple[CumIncCurve, ...] = field(default=())
    tests: GrayTests | None = field(default=None)
    n_omitted: int = rfield("cases omitted due to missing values", default=0)
    messages: tuple[str, ...] = field(default=(), repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """``names(cuminc(...))`` (with ``"Tests"`` last when there are tests)."""
        return tuple(c.name for c in self.curves) + (("Tests",) if self.tests is not None else ())

    def curve(self, group: Any, cause: Any) -> CumIncCurve:
        """The curve of one group and cause (labels as R prints them)."""
        g, c = str(group), str(cause)
        for cv in self.curves:
            if cv.group == g and cv.cause == c:
                return cv
        raise KeyError(f"no curve for group {g!r} and cause {c!r}; curves: {', '.join(self.names)}")

    def quantities(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "names": self.names,
            "lengths": tuple(int(c.time.size) for c in self.curves),
            "time": np.concatenate([c.time for c in self.curves]) if self.curves else np.zeros(0),
            "est": np.concatenate([c.est for c in self.curves]) if self.curves else np.zeros(0),
            "var": np.concatenate([c.var for c in self.curves]) if self.curves else np.zeros(0),
            "n_omitted": int(self.n_omitted),
        }
        if self.tests is not None:
            out.update(stat=np.asarray(self.tests.stat, dtype=float), pv=np.asarray(self.tests.pv, dtype=float),
                       df=np.asarray(self.tests.df, dtype=float), causes=tuple(self.tests.causes))
        return out
