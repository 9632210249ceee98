"""``survival::tmerge`` run in R.

The call R evaluates is ``tmerge(data1, data2, id = <id>, <name> =
tdc(<time>, <value>), ..., tstart =, tstop =, options =)`` with every column
a symbol made from its name (never parsed); values given as arrays become
columns of ``data2`` under placeholder names, single values go as values.
Nothing is checked here: R accepts or refuses. A :class:`Tmerge` made by any
engine goes back to R as R's tmerge object (its ``tm.retain`` and ``tcount``).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.results import Tmerge
from rparity_contract.tmerge import TimeTerm

from ._convert import Placeholders
from ._session import session

__all__ = ["tmerge"]


class _Args:
    """data2 with a placeholder column for each array the caller gives."""

    def __init__(self, data2: Any) -> None:
        self.data2 = data2.copy() if isinstance(data2, pd.DataFrame) else data2
        self.placeholders: dict[str, str] = {}

    def arg(self, spec: Any, what: str) -> dict[str, Any]:
        if isinstance(spec, str):
            return {"sym": spec}
        if isinstance(self.data2, pd.DataFrame) and not np.isscalar(spec) and spec is not None \
                and np.ndim(spec) == 1 and len(spec) == len(self.data2):
            name = f".rparity.{len(self.placeholders) + 1}"
            while name in self.data2.columns:
                name += "."
            self.data2[name] = spec.reset_index(drop=True) if isinstance(spec, pd.Series) else spec
            self.placeholders[name] = what
            return {"sym": name}
        return {"val": spec}  # a single value, or values of another length: R sees them as they are


def tmerge(data1: Any, data2: Any, id: Any, terms: Any = (), *, tstart: Any = None, tstop: Any = None,
           options: Mapping[str, Any] | None = None, **named: Any) -> Tmerge:
    """R's ``survival::tmerge``; see :func:`pyimpl.survival.tmerge.tmerge`."""
    items = list(terms.items()) if isinstance(terms, Mapping) else [tuple(t) for t in terms]
    items += list(named.items())
    a = _Args(data2)
    rterms = []
    for item in items:
        name, term = (item[0], item[1]) if len(item) == 2 else ("", item)
        if isinstance(term, TimeTerm):
            one: dict[str, Any] = {"name": str(name), "kind": term.kind, "time": a.arg(term.time, f"{name}: time")}
            if term.value is not None:
                one["value"] = a.arg(term.value, f"{name}: value")
            if term.init is not None:
                one["init"] = term.init
            if term.censor is not None:
                one["censor"] = term.censor
        else:
            one = {"name": str(name), "time": {"val": term}}
        rterms.append(one)
    kwargs: dict[str, Any] = {"id": a.arg(id, "id"), "terms": {str(i): t for i, t in enumerate(rterms)}}
    if tstart is not None:
        kwargs["tstart"] = a.arg(tstart, "tstart")
    if tstop is not None:
        kwargs["tstop"] = a.arg(tstop, "tstop")
    if options is not None:
        kwargs["options"] = {("na.rm" if k == "na_rm" else k): v for k, v in dict(options).items()} \
            if isinstance(options, Mapping) else options
    if isinstance(data1, Tmerge):
        kwargs["retain"] = {"idname": data1.idname, "tstartname": data1.tstartname, "tstopname": data1.tstopname,
                            "events": list(data1.events), "censors": dict(zip(data1.events, data1.censors)),
                            "tdcvars": list(data1.tdcvars), "tcount": np.asarray(data1.tcount, dtype=float),
                            "tcount_terms": list(data1.tcount_terms)}
        if len(data1.column_classes) == len(data1.data.columns):  # what pandas cannot hold (NA-only text...)
            kwargs["retain"]["classes"] = dict(zip([str(c) for c in data1.data.columns], data1.column_classes))
        data1 = data1.data
    res = session().call("rparity_tmerge", placeholders=Placeholders(a.placeholders), data1=data1, data2=a.data2,
                         **kwargs)
    return _result(res.value, tuple(res.warnings))


def _one(x: Any) -> Any:
    """A length-1 R vector as its value."""
    return x[0] if isinstance(x, (list, np.ndarray)) else x


def _column(c: Mapping[str, Any]) -> pd.Series:
    values = c["values"]
    cls = _one(c["class"])
    if cls == "factor":
        codes = np.asarray(values, dtype=float)
        codes = np.where(np.isnan(codes), -1, codes - 1).astype(np.int64)
        levels = c.get("levels") or []
        levels = [levels] if isinstance(levels, str) else list(levels)
        return pd.Series(pd.Categorical.from_codes(codes, categories=levels))
    if cls == "POSIXct":
        secs = np.asarray(values, dtype=float)
        miss = np.isnan(secs)
        out = np.where(miss, 0, np.round(secs * 1e9)).astype(np.int64).astype("datetime64[ns]")
        out[miss] = np.datetime64("NaT")
        return pd.Series(out)
    if cls == "character":
        return pd.Series([values] if isinstance(values, str) or values is None else list(values), dtype=object)
    arr = np.atleast_1d(np.asarray(values))
    if cls == "logical" and arr.dtype != bool:  # NA present
        return pd.Series([None if np.isnan(v) else bool(v) for v in arr.astype(float)], dtype=object)
    return pd.Series(arr)


def _names(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return tuple(str(x) if not isinstance(x, list) else str(x[0]) for x in v)


def _censor(c: Mapping[str, Any]) -> Any:
    v = _one(c["value"])
    cls = _one(c["class"])
    if cls == "integer":
        return int(v)
    if cls == "factor":  # a factor event's censor is its first level (a string)
        return str(v)
    if cls == "logical":
        return bool(v)
    if cls == "character":
        return str(v)
    return float(v)


def _result(v: Mapping[str, Any], warnings: tuple[str, ...]) -> Tmerge:
    cols = v["columns"]
    cols = [cols] if isinstance(cols, Mapping) else cols
    data = pd.DataFrame({str(_one(c["name"])): _column(c) for c in cols})
    terms = _names(v.get("tcount_terms"))
    tcount = np.asarray(v["tcount"] if v["tcount"] is not None else [], dtype=float).reshape(len(terms), 9)
    censors = v.get("censors") or []
    censors = [censors] if isinstance(censors, Mapping) else censors
    classes = tuple(str(_one(c["class"])) for c in cols)
    return Tmerge(data=data, tcount=tcount, tcount_terms=terms, idname=_names(v["idname"])[0],
                  column_classes=classes,
                  tstartname=_names(v["tstartname"])[0], tstopname=_names(v["tstopname"])[0],
                  events=_names(v.get("events")), censors=tuple(_censor(c) for c in censors),
                  tdcvars=_names(v.get("tdcvars")), engine="r",
                  provenance=session().provenance("survival::tmerge"), warnings=warnings)
