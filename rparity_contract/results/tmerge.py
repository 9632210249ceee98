"""The result of ``survival::tmerge``: the new (start, stop] data and what R
keeps on it for the next call (its ``tm.retain`` and ``tcount`` attributes)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .base import Result, rfield

__all__ = ["Tmerge", "TCOUNT_COLUMNS"]

#: the columns of R's ``attr(x, "tcount")``, in R's order
TCOUNT_COLUMNS: tuple[str, ...] = ("early", "late", "gap", "within", "boundary", "leading", "trailing", "tied",
                                   "missid")


@dataclass(frozen=True, kw_only=True, eq=False)
class Tmerge(Result):
    """A ``tmerge`` data set: pass it as ``data1`` of the next call, as R's
    ``tmerge`` object is, to add more terms.

    ``data`` has R's rows and columns in R's order (row names reset); a
    numeric column R holds as integer may be float here when it has missing
    values. ``tcount`` has one row per term of every call so far (R's
    ``rbind`` of them), columns :data:`TCOUNT_COLUMNS`: where each term's
    times fell relative to the intervals.
    """

    data: pd.DataFrame = rfield("as.data.frame(x)", doc="the new data, one row per (tstart, tstop] interval")
    tcount: np.ndarray = rfield("attr(x, 'tcount')", doc="terms x 9 counts: early, late, gap, within, boundary, "
                                "leading, trailing, tied, missid")
    tcount_terms: tuple[str, ...] = rfield("rownames(attr(x, 'tcount'))", doc="the term of each row of tcount")
    idname: str = rfield("tm.retain$tname$idname", doc="the id column")
    tstartname: str = rfield("tm.retain$tname$tstartname", doc="the interval start column")
    tstopname: str = rfield("tm.retain$tname$tstopname", doc="the interval end column")
    events: tuple[str, ...] = rfield("tm.retain$tevent$name", default=(), doc="the event columns so far")
    censors: tuple[Any, ...] = rfield("tm.retain$tevent$censor", default=(),
                                      doc="each event column's censoring value (0, FALSE, '' or the first level)")
    tdcvars: tuple[str, ...] = rfield("tm.retain$tdcvar", default=(), doc="the time-dependent covariates so far")
    column_classes: tuple[str, ...] = rfield(
        "sapply(x, function(v) class(v)[1])", default=(),
        doc="each column's R class (integer, numeric, logical, character, factor, POSIXct): what a column of "
            "missing values only, or an integer one with NA, is in R (pandas cannot say); () when unknown")

    def __repr__(self) -> str:
        return (f"Tmerge({len(self.data)} rows, id={self.idname!r}, ({self.tstartname}, {self.tstopname}], "
                f"events={list(self.events)}, tdc={list(self.tdcvars)})")
