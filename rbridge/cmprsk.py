"""``cmprsk::cuminc`` run in R (cmprsk 2.2-11 from Debian): the caller's
vectors go to R as they are (a Categorical as a factor, NaN as NA) and
cuminc accepts or refuses them."""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from rparity_contract.results.cuminc import CumInc, CumIncCurve, GrayTests

from ._session import session

__all__ = ["cuminc"]

_OMITTED = re.compile(r"^(\d+) cases omitted due to missing values$")


def cuminc(ftime, fstatus, group=None, strata=None, rho: Any = 0.0, cencode: Any = 0, subset=None) -> CumInc:
    """R's ``cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode,
    subset)``; ``subset`` a logical mask or 0-based row numbers (given to R
    1-based)."""
    s = session()
    s.require("cmprsk")
    sub = None
    if subset is not None:
        arr = np.asarray(subset)
        sub = arr if arr.dtype.kind == "b" else arr.astype(np.int64) + 1
    res = s.call("rparity_cuminc", ftime=ftime, fstatus=fstatus, group=group, strata=strata, rho=rho,
                 cencode=cencode, subset=sub)
    v = res.value
    names = [str(x) for x in v["names"]]
    curve_names = [x for x in names if x != "Tests"]
    causes = None if v["causes"] is None else tuple(str(x) for x in v["causes"])
    split = _splitter(curve_names, causes)
    curves = tuple(CumIncCurve(group=g, cause=c, time=np.atleast_1d(np.asarray(t, dtype=float)),
                               est=np.atleast_1d(np.asarray(e, dtype=float)),
                               var=np.atleast_1d(np.asarray(w, dtype=float)))
                   for (g, c), t, e, w in zip(map(split, curve_names), v["time"], v["est"], v["var"]))
    tests = None
    if causes is not None:
        tests = GrayTests(causes=causes, stat=np.atleast_1d(np.asarray(v["stat"], dtype=float)),
                          pv=np.atleast_1d(np.asarray(v["pv"], dtype=float)),
                          df=np.atleast_1d(np.asarray(v["df"], dtype=float)))
    printed = tuple(str(x) for x in (v["printed"] or ()))
    omitted = [int(m.group(1)) for m in map(_OMITTED.match, printed) if m]
    return CumInc(curves=curves, tests=tests, n_omitted=omitted[0] if omitted else 0, messages=printed,
                  engine="r", provenance=s.provenance("cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode)"),
                  warnings=res.warnings)


def _splitter(names: list[str], causes: tuple[str, ...] | None):
    """(group, cause) of a curve from R's ``paste(group, cause)``: with Gray's
    tests the causes are their row names; with one group the group is the
    prefix every name shares (up to a space)."""
    if causes is not None:
        def by_cause(name: str) -> tuple[str, str]:
            for c in sorted(causes, key=len, reverse=True):
                if name.endswith(" " + c):
                    return name[: -len(c) - 1], c
            raise ValueError(f"cuminc curve {name!r} names no cause of {causes}")
        return by_cause
    spaces = [i for i, ch in enumerate(names[0]) if ch == " "]
    common = [i for i in spaces if all(len(n) > i and n[: i + 1] == names[0][: i + 1] for n in names)]
    cut = (common[-1] if len(names) > 1 else common[0]) if common else spaces[0]
    return lambda name: (name[:cut], name[cut + 1:])
