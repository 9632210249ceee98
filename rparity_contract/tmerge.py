"""The time-dependent terms of ``survival::tmerge``: ``tdc``, ``cumtdc``,
``event`` and ``cumevent``, as every engine takes them.

In R they are written inside the call and evaluated in ``data2``
(``tmerge(d1, d2, id=id, death=event(futime, status))``). Here a term holds a
column name of ``data2`` or the values themselves (one per row of ``data2``),
so nothing of the caller's is ever R code. A call takes its terms as a
sequence of ``(name, term)`` pairs, since R allows the same name twice
(``x = tdc(t1, x1), x = tdc(t2, x2)``), or as a mapping.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TimeTerm", "TERM_KINDS", "tdc", "cumtdc", "event", "cumevent", "TMERGE_OPTIONS"]

#: the classes R's tmerge recognises, in its order
TERM_KINDS: tuple[str, ...] = ("tdc", "cumtdc", "event", "cumevent")

#: ``tmerge.control``'s options and R's defaults (``na.rm`` is ``na_rm`` here)
TMERGE_OPTIONS: dict[str, Any] = {"idname": "id", "tstartname": "tstart", "tstopname": "tstop", "delay": 0.0,
                                  "na_rm": True, "tdcstart": float("nan")}


@dataclass(frozen=True, eq=False)
class TimeTerm:
    """One term of a ``tmerge`` call.

    Attributes
    ----------
    kind : ``"tdc"``, ``"cumtdc"``, ``"event"`` or ``"cumevent"``
    time : a column of ``data2`` (str) or one value per row of ``data2``
    value : a column or values; ``None``: R's default (1 for an event, 0/1 for a tdc)
    init : the value before the first time (``tdc``/``cumtdc``'s ``init``);
        ``None``: the ``tdcstart`` option
    censor : ``event``/``cumevent``'s ``censor`` (survival 3.5-3 reads it and
        never uses it; kept so a call says what R's did)
    """

    kind: str
    time: Any
    value: Any = None
    init: Any = None
    censor: Any = None

    def __repr__(self) -> str:
        def show(v: Any) -> str:
            return v if isinstance(v, str) else "<values>"

        extra = "" if self.value is None else f", {show(self.value)}"
        return f"{self.kind}({show(self.time)}{extra})"


def tdc(time: Any, value: Any = None, init: Any = None) -> TimeTerm:
    """A time-dependent covariate: ``value`` from ``time`` on (0/1 without one)."""
    return TimeTerm("tdc", time, value, init=init)


def cumtdc(time: Any, value: Any = None, init: Any = None) -> TimeTerm:
    """A cumulative time-dependent covariate: the running sum of ``value`` (1 each without one)."""
    return TimeTerm("cumtdc", time, value, init=init)


def event(time: Any, value: Any = None, censor: Any = None) -> TimeTerm:
    """An event at ``time`` (``value``: its code, 1 without one)."""
    return TimeTerm("event", time, value, censor=censor)


def cumevent(time: Any, value: Any = None, censor: Any = None) -> TimeTerm:
    """A cumulative event: the running count (or sum of ``value``) at each event."""
    return TimeTerm("cumevent", time, value, censor=censor)
