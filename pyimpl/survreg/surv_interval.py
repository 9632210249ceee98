"""``Surv(time, event, type = "left")``, ``Surv(time, time2, event, type =
"interval")`` and ``Surv(time, time2, type = "interval2")`` as survival
3.5-3's ``Surv`` reads them (``Surv.R``), and survreg's coding of the result.

Contract
--------
Output: :class:`SurvInterval`: ``time1``, ``time2`` (R's second column: the
upper bound where the status is 3, 1 elsewhere) and ``status`` in survreg's
coding 0 right censored, 1 exact, 2 left censored, 3 interval censored; NaN
where R has NA (the row is then dropped, as ``na.omit`` of a Surv drops a row
with any NA); ``warnings`` with R's wording.

R's reading, type by type:

* ``"left"``: the status as for right-censored data (0/1, 1/2 or logical);
  survreg then takes ``2 - status`` (an event is exact, a "censored" row left
  censored);
* ``"interval"``: the status must be numeric (R: 'Invalid status value, must
  be logical or numeric'); a value other than 0-3 becomes NA ('Status must be
  0, 1, 2 or 3; converted to NA'); with any status 3, ``time2`` must be
  numeric and a status-3 row with ``time > time2`` becomes NA ('Invalid
  interval: start > stop, NA created'); no 1/2 coding;
* ``"interval2"``: non-finite bounds are NA; NA lower bound: left censored at
  the upper (status 2); NA upper: right censored (0); equal bounds: exact
  (1); else interval (3); both NA, or lower > upper (with the warning): NA.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument

from ..survival.surv import numeric_or_nan, read_surv

__all__ = ["SurvInterval", "read_surv_typed", "BAD_INTERVAL", "BAD_STATUS"]

BAD_INTERVAL = "Invalid interval: start > stop, NA created"
BAD_STATUS = "Status must be 0, 1, 2 or 3; converted to NA"


@dataclass(frozen=True)
class SurvInterval:
    time1: np.ndarray
    time2: np.ndarray
    status: np.ndarray
    warnings: tuple[str, ...] = ()
    any_interval: bool = False  # R's y has three columns only when it holds a status 3 (after survreg's transform)


def _numeric_event(event: Any) -> np.ndarray:
    s = event if isinstance(event, pd.Series) else pd.Series(np.asarray(event))
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype) or s.dtype == object \
            and all(isinstance(v, (bool, np.bool_)) or v is None for v in s.tolist()):
        raise InvalidArgument("`formula` Surv(type = 'interval') status must be numeric, 0-3 (R: 'Invalid status "
                              "value, must be logical or numeric')", kind="event.type")
    return numeric_or_nan(s, "event", "event.type")


def read_surv_typed(stype: str, time: Any, time2: Any = None, event: Any = None) -> SurvInterval:
    """The Surv object of ``type = stype`` in survreg's status coding (see the module)."""
    t = numeric_or_nan(time, "time", "time.type")
    n = t.size
    if stype in ("right", "left"):
        sv = read_surv(t, event)
        st = sv.status if stype == "right" else 2 - sv.status  # survreg.R: Y[, 2] <- 2 - Y[, 2]
        return SurvInterval(t, np.ones(n), st, sv.warnings)
    if time2 is None:
        raise InvalidArgument(f"`formula` Surv(type = {stype!r}) needs time2", kind="formula.response")
    warns: list[str] = []
    ev = _numeric_event(event) if stype == "interval" else None
    if ev is not None and not np.any(ev == 3):
        t2 = np.ones(n)  # Surv.R: time2 is read only when a status is 3
    else:
        t2 = numeric_or_nan(time2, "time2", "time.type")
    if t2.size != n:
        raise InvalidArgument("`formula` Surv(): time and time2 are different lengths", kind="lengths")
    if stype == "interval2":
        with np.errstate(invalid="ignore"):
            backwards = ~np.isnan(t) & ~np.isnan(t2) & (t > t2)
        lo = np.where(np.isfinite(t), t, np.nan)
        hi = np.where(np.isfinite(t2), t2, np.nan)
        status = np.where(np.isnan(lo), 2.0, np.where(np.isnan(hi), 0.0, np.where(lo == hi, 1.0, 3.0)))
        time1 = np.where(status != 2, lo, hi)
        if backwards.any():
            warns.append(BAD_INTERVAL)
            status[backwards] = np.nan
        status[np.isnan(lo) & np.isnan(hi)] = np.nan
    else:  # "interval"
        assert ev is not None
        if ev.size != n:
            raise InvalidArgument("`formula` Surv(): time and status are different lengths (R: 'Time and status "
                                  "are different lengths')", kind="lengths")
        ok = np.isin(ev, (0.0, 1.0, 2.0, 3.0))
        status = np.where(ok, ev, np.nan)
        if not ok[~np.isnan(ev)].all():
            warns.append(BAD_STATUS)
        if np.any(ev == 3):
            with np.errstate(invalid="ignore"):
                bad = (status == 3) & (t > t2)
            if bad.any():
                status[bad] = np.nan
                warns.append(BAD_INTERVAL)
        time1 = t
        hi = t2
    st3 = ~np.isnan(status) & (status == 3)
    time2_col = np.where(st3, hi, 1.0)
    return SurvInterval(time1, time2_col, status, tuple(warns))
