"""Parity cases for ``tmerge``: chains of calls on survival's own data sets
(the pbc/pbcseq example of R's time-dependent vignette, cgd0's infections).

A case is a list of steps; each step is one ``tmerge`` call whose ``data1`` is
the previous step's result (the first step's: the case's dataset, optionally
a subset of its rows and columns) and whose ``data2`` is a bundled dataset,
the case's own dataset, the first step's data1 (``"data1"``) or the previous
result's data (``"self"``). The last
result is compared: its data (every column and value), ``tcount`` and what R
keeps for the next call.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.tmerge import TimeTerm

from .base import Case

__all__ = ["CASES", "run_tmerge", "tmerge_quantities"]


def _labels(s: pd.Series) -> list[str]:
    out = []
    for v in s.tolist():
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            out.append("NA")
        elif isinstance(v, (bool, np.bool_)):
            out.append("TRUE" if v else "FALSE")
        else:
            out.append(str(v))
    return out


def tmerge_quantities(data: pd.DataFrame, tcount: Any, tcount_terms: Any, names: tuple[str, str, str],
                      events: Any, censors: Any, tdcvars: Any, classes: Any = None) -> dict[str, Any]:
    """A tmerge result as quantities: the column names, the numeric columns
    as one matrix, the other columns' labels (a factor by its labels, a
    logical as TRUE/FALSE, NA as "NA"), tcount and what R keeps."""
    def numeric(s: pd.Series) -> bool:
        # a column of missing values only is labels ("NA"): its class does not survive the trip to R and
        # back (an all-NA character column comes back as NA_real_)
        return (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
                and not isinstance(s.dtype, pd.CategoricalDtype) and not (len(s) and s.isna().all()))

    num = [c for c in data.columns if numeric(data[c])]
    other = [c for c in data.columns if c not in num]
    return {"columns": tuple(str(c) for c in data.columns), "rows": float(len(data)),
            "numbers": data[num].to_numpy(dtype=float, na_value=np.nan) if num else np.zeros((len(data), 0)),
            "labels": tuple(x for c in other for x in _labels(data[c])),
            "tcount": np.asarray(tcount, dtype=float).reshape(-1, 9),
            "tcount_terms": tuple(str(t) for t in tcount_terms), "names": tuple(names),
            "events": tuple(events), "censors": tuple(f"{type(c).__name__}:{c}" for c in censors),
            "tdcvars": tuple(tdcvars), **({} if classes is None else {"classes": tuple(classes)})}


def _term(spec: list) -> tuple[str, TimeTerm]:
    name, kind, time, *rest = spec
    value = rest[0] if rest else None
    extra = rest[1] if len(rest) > 1 else None
    if kind in ("tdc", "cumtdc"):
        return name, TimeTerm(kind, time, value, init=extra)
    return name, TimeTerm(kind, time, value, censor=extra)


def _data(name: str | None, case_data: pd.DataFrame | None, previous: Any) -> pd.DataFrame:
    if name == "self":
        return previous.data
    if name is None:
        assert case_data is not None
        return case_data
    import fixtures

    return fixtures.load(name)


def run_tmerge(engine: Any, data: pd.DataFrame | None, p: Mapping[str, Any]) -> dict:
    """Make the case's steps in ``engine`` and return the last result's quantities."""
    out: Any = None
    for k, step in enumerate(p["steps"]):
        if k == 0:
            d1: Any = data if data is not None else pd.DataFrame()
            if "where" in step:
                col, op, value = step["where"]
                keep = {"<=": d1[col] <= value, "==": d1[col] == value, ">": d1[col] > value}[op]
                d1 = d1[keep].reset_index(drop=True)
            if "select" in step:
                d1 = d1[list(step["select"])]
        else:
            d1 = out
        d2 = d1 if step.get("data2") == "data1" else _data(step.get("data2"), data, out)
        kw = {k2: step[k2] for k2 in ("tstart", "tstop", "options") if k2 in step}
        out = engine.tmerge(d1, d2, step["id"], [_term(t) for t in step.get("terms", ())], **kw)
    q = tmerge_quantities(out.data, out.tcount, out.tcount_terms, (out.idname, out.tstartname, out.tstopname),
                          out.events, out.censors, out.tdcvars, out.column_classes)
    q["warnings"] = tuple(out.warnings)
    return q


def _case(id_: str, dataset: str, steps: list[dict], *, description: str = "") -> Case:
    extra = sorted({s["data2"] for s in steps if s.get("data2") not in (None, "self", "data1")} - {dataset})
    params: dict[str, Any] = {"steps": steps}
    if extra:
        params["extra_datasets"] = extra
    return Case(f"tmerge/{id_}", "tmerge", dataset, params, run_tmerge, description)


_PBC = ["id", "time", "status", "trt", "age", "sex", "stage"]
_LABS = [["ascites", "tdc", "day", "ascites"], ["bili", "tdc", "day", "bili"], ["albumin", "tdc", "day", "albumin"],
         ["protime", "tdc", "day", "protime"], ["alk.phos", "tdc", "day", "alk.phos"]]

#: tmerge: the first call's span from an event or tstop, tdc/cumtdc/event/cumevent, chained calls, options,
#: ids of data2 missing from data1, values before and after the follow-up, and R's refusals
CASES: list[Case] = [
    _case("pbc-pbcseq-vignette", "pbc", [
        {"where": ["id", "<=", 312], "select": _PBC, "data2": "data1", "id": "id",
         "terms": [["endpt", "event", "time", "status"]]},
        {"data2": "pbcseq", "id": "id", "terms": _LABS}],
        description="the time-dependent covariates vignette: the lab values of every visit, carried forward"),
    _case("cgd0-infections-enum", "cgd0", [
        {"select": ["id", "center", "random", "treat", "sex", "age", "height", "weight", "inherit", "steroids",
                    "propylac", "hos.cat"], "id": "id", "tstop": "futime"},
        *[{"id": "id", "terms": [["infect", "event", f"etime{k}"]]} for k in range(1, 8)],
        {"data2": "self", "id": "id", "terms": [["enum", "cumtdc", "tstart"]]}],
        description="tmerge's help example: seven infection times per subject, one call each, then the count"),
    _case("pbc-all-ids-visits-delay", "pbc", [
        {"select": _PBC, "id": "id", "tstop": "time", "options": {"idname": "subject", "tstartname": "t0",
                                                                  "tstopname": "t1"}},
        {"data2": "pbcseq", "id": "id", "terms": [["bili", "tdc", "day", "bili", 1.0],
                                                   ["visits", "cumevent", "day"],
                                                   ["edema", "cumtdc", "day", "edema", 0.0]],
         "options": {"delay": 30.0, "tdcstart": 0.0}}],
        description="ids of data1 with no visit (313..418), new names, a 30-day delay, cumulative terms"),
    _case("pbcseq-status-events-factor", "pbc", [
        {"where": ["id", "<=", 40], "select": ["id", "time", "status", "age", "sex"], "data2": "data1", "id": "id",
         "terms": [["death", "event", "time", "status"]]},
        {"data2": "pbcseq", "id": "id", "terms": [["sex2", "tdc", "day", "sex"], ["stage", "tdc", "day", "stage"],
                                                   ["hepato", "event", "day", "hepato"]],
         "options": {"na_rm": False}}],
        description="data2 with ids data1 lacks (missid), a factor tdc, a 0/1 event, missing values kept "
                    "(na.rm = FALSE)"),
    _case("pbcseq-duplicate-ids-refused", "pbcseq", [
        {"select": ["id", "trt", "age", "sex"], "id": "id", "terms": [["death", "event", "futime", "status"]]}],
        description="tmerge3.R: data1 with several rows per id on the first call (R refuses)"),
    _case("pbc-tstart-after-tstop-refused", "pbc", [
        {"select": _PBC, "id": "id", "tstart": "time", "tstop": "age"}],
        description="tstart >= tstop on the first call (R refuses)"),
]
