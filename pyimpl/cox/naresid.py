"""R's ``naresid``/``napredict`` for ``na.action = na.exclude``.

A fit made with ``na_action="na.exclude"`` gives its residuals and
predictions one row per row of the model frame (after ``subset``), NaN where a
missing value dropped the row (stats ``naresid.exclude``: the kept rows'
values in order, NA inserted at the dropped positions). With ``na.omit`` they
stay one per kept row.
"""
from __future__ import annotations

import numpy as np

from rparity_contract.results.cox import CoxPH

__all__ = ["naresid"]


def naresid(fit: CoxPH, values: np.ndarray) -> np.ndarray:
    """``values`` (rows: the fit's kept rows) padded with NaN rows at
    ``fit.na_action`` when the fit excludes rather than omits."""
    call = fit.call
    if call is None or call.na_action != "na.exclude" or not fit.na_action:
        return values
    dropped = np.asarray(fit.na_action, dtype=np.intp)
    n = values.shape[0] + dropped.size
    keep = np.ones(n, dtype=bool)
    keep[dropped] = False
    out = np.full((n,) + values.shape[1:], np.nan)
    out[keep] = values
    return out
