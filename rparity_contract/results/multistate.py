"""Result type of multi-state curves: ``survfit`` on ``Surv(time, <factor>)``
(Aalen-Johansen), survival 3.5-3's ``survfitCI``."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .base import Result, rfield

__all__ = ["SurvFitMS"]


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvFitMS(Result):
    """Aalen-Johansen curves of competing risks (a ``survfitms`` object), as
    ``survival::survfit(Surv(time, event) ~ groups)`` with ``event`` a factor
    whose first level is censoring.

    Without ``istate`` every subject starts in state ``"(s0)"``; the other
    states are the factor's other levels, in order. With ``istate`` (subjects
    entering in any state) its levels that are not states of the status come
    first. (start, stop] data with an ``id`` follow each subject through its
    rows (transitions between any states: illness-death...). One row per unique time of a curve, the
    curves one after another (``strata`` names each row's curve). The matrices
    have a column per state (``pstate``, ``std_err``, ``n_risk``, ``n_event``)
    or per observed transition (``cumhaz``, columns named as R's "from.to",
    e.g. ``"1.2"``).

    Notes
    -----
    ``std_err`` is the infinitesimal-jackknife standard error of ``pstate``
    itself (R's ``logse = FALSE``): survfitCI's only variance. ``p0`` and
    ``sp0`` have a row per curve (R gives a vector for one curve).
    """

    states: tuple[str, ...] = rfield("states")
    time: np.ndarray = rfield("time", doc="unique times")
    n_risk: np.ndarray = rfield("n.risk", doc="number at risk in each state (rows x states)")
    n_event: np.ndarray = rfield("n.event", doc="number of transitions into each state (rows x states)")
    n_censor: np.ndarray = rfield("n.censor", doc="number censored")
    pstate: np.ndarray = rfield("pstate", doc="probability in state (rows x states)")
    std_err: np.ndarray | None = rfield("std.err", default=None, doc="se of pstate; None with se_fit=False")
    lower: np.ndarray | None = rfield("lower", default=None, doc="lower limits (NaN where R has NA)")
    upper: np.ndarray | None = rfield("upper", default=None, doc="upper limits (NaN where R has NA)")
    cumhaz: np.ndarray = rfield("cumhaz", doc="Nelson-Aalen cumulative hazard of each observed transition")
    cumhaz_names: tuple[str, ...] = rfield("colnames(cumhaz)", doc='the transitions, "from.to" state numbers')
    p0: np.ndarray = rfield("p0", doc="initial state probabilities (curves x states)")
    sp0: np.ndarray | None = rfield("sp0", default=None, doc="their standard errors (curves x states)")
    transitions: pd.DataFrame = rfield("transitions", doc="counts of transitions, from (rows) to (columns), "
                                                          "'(censored)' included, as survcheck's table")
    n: int = rfield("sum(n)", doc="observations used")
    strata: tuple[str, ...] | None = rfield("rep(names(strata), strata)", default=None,
                                            doc="each row's curve when there are groups; None for one curve")
    strata_n: tuple[int, ...] = rfield("n", default=(), doc="observations per curve when there are groups")
    conf_type: str = field(default="log")
    conf_int: float = field(default=0.95)
    start_time: float | None = rfield("start.time", default=None, doc="the start_time given")
    influence_pstate: tuple[np.ndarray, ...] | None = rfield(
        "influence.pstate", default=None, doc="influence=True: each curve's subjects x (1 + times) x states array "
                                              "(the first time slice is the influence on p0); None otherwise")
    influence_ids: tuple[tuple[str, ...], ...] | None = rfield(
        "dimnames(influence.pstate)[[1]]", default=None, doc="each curve's subjects (sorted ids) of influence_pstate")
