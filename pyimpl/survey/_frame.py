"""The model frame of ``svykm`` and ``svylogrank``: ``Surv(time, status) ~
group`` on the design's data, rows with a missing value dropped (``na.omit``;
the design loses the same rows, keeping its cluster counts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rformat import r_as_character_num
from ..design import Term
from ..formula import complete_frame, model_frame, response_start

__all__ = ["SurvFrame", "surv_frame", "group_codes"]


@dataclass(frozen=True)
class SurvFrame:
    time: np.ndarray  # rows kept
    status: np.ndarray  # 0/1, rows kept
    keep: np.ndarray  # bool, per row of the data: complete
    variables: list[Term]  # the right-hand side's variables, rows kept
    formula: Any


def surv_frame(function: str, formula: Any, data: Any) -> SurvFrame:
    """``model.frame(formula, model.frame(design), na.action = na.pass)`` then
    ``na.omit``; the response must be a right-censored ``Surv(time, status)``."""
    frame = model_frame(formula, data)
    mf = frame.formula
    if mf.response is None or not mf.response.surv:
        raise InvalidArgument(f"`formula` response must be Surv(time, status) for {function}; got {mf.text!r}",
                              kind="formula.response")
    if response_start(frame) is not None or mf.response.event is None:
        raise InvalidArgument(f"`formula` {mf.text!r}: {function} needs right-censored Surv(time, status) (R: "
                              "'response must be a right-censored Surv object')", kind="formula.response")
    frame = complete_frame(frame, [])
    keep = np.ones(len(frame.data), dtype=bool)
    for t in frame.variables + frame.response + frame.unused:
        keep &= ~t.missing
    t_term, s_term = frame.response[0], frame.response[1]
    if t_term.kind != "numeric":
        raise InvalidArgument(f"`formula` response time {t_term.name!r} must be numeric (R: 'Time variable is "
                              "not numeric')", kind="time.type")
    if s_term.kind == "numeric":
        status = np.asarray(s_term.values, dtype=float)
    elif s_term.kind == "logical":
        status = (np.asarray(s_term.codes) == 1).astype(float)
    else:
        raise InvalidArgument(f"`formula` status {s_term.name!r} must be numeric or logical", kind="event.type")
    bad = keep & ~np.isin(status, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidArgument(f"`formula` status must be 0/1 (or 1/2, TRUE/FALSE); got {status[i]!r} at row {i} "
                              "(R: 'Invalid status value, must be either 0,1 or 1,2')", kind="event.values")
    variables = [v.take(np.flatnonzero(keep)) for v in frame.variables]
    return SurvFrame(time=np.asarray(t_term.values, dtype=float)[keep], status=status[keep], keep=keep,
                     variables=variables, formula=mf)


def group_codes(t: Term) -> tuple[np.ndarray, tuple[str, ...]]:
    """``as.factor(x)`` of one grouping variable (no missing values): codes
    into its levels (a factor's own levels; the sorted values of numbers,
    labelled by ``as.character``; FALSE/TRUE)."""
    if t.kind == "numeric":
        assert t.values is not None
        uniq, codes = np.unique(t.values, return_inverse=True)
        return codes.reshape(-1), tuple(r_as_character_num(float(u)) for u in uniq)
    if t.kind == "logical":
        assert t.codes is not None
        present = sorted(set(np.asarray(t.codes).tolist()))
        labels = tuple("TRUE" if c == 1 else "FALSE" for c in present)
        return np.searchsorted(present, t.codes), labels
    if t.kind == "factor":
        assert t.codes is not None
        codes = np.asarray(t.codes)
        empty = [lv for k, lv in enumerate(t.levels) if not (codes == k).any()]
        if empty:
            raise InvalidArgument(f"group {t.name!r} has levels without a row ({empty}): R's svykm makes curves of "
                                  "mismatched lengths for them", kind="group.empty")
        return codes, tuple(t.levels)
    raise InvalidArgument(f"group {t.name!r} must be one variable (numbers, logical or a factor)",
                          kind="formula.groups")
