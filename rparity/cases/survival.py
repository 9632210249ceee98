"""Parity cases for ``survfit``, ``survdiff`` and ``survsplit`` on the bundled datasets."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from rparity_contract.values import QUANTILE_COLUMNS, SUMMARY_COLUMNS, TABLE_INDEX

from .base import Case, derived_quantities

__all__ = ["CASES", "run_survfit", "run_survdiff", "run_survsplit", "prepare"]


def prepare(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """Apply a case's row filter and event coding.

    ``p["time"]``/``p["event"]`` name columns; ``p["event_value"]`` (default 1)
    is the code of an event (lung's status is 1/2); ``p["where"]`` keeps rows
    whose column equals a value; rows missing any used column are dropped, as
    R's ``na.action=na.omit`` would.
    """
    d = data.copy()
    for col, val in (p.get("where") or {}).items():
        d = d[d[col] == val]
    used = [c for c in (p.get("time"), p.get("event"), p.get("group"), p.get("strata"), p.get("weights"))
            if c]
    d = d.dropna(subset=used)
    if p.get("event"):
        d["__event"] = (d[p["event"]] == p.get("event_value", 1)).astype(float)
    return d.reset_index(drop=True)


def _event(d: pd.DataFrame, p: Mapping[str, Any]):
    """The case's event vector, or None without an event column (R's Surv(time))."""
    return d["__event"].to_numpy() if p.get("event") else None


_OPTIONAL = ("n_enter", "influence_surv", "influence_chaz", "influence_ids", "start_time")


def run_survfit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    opts = dict(conf_type=p.get("conf_type", "log"), conf_int=p.get("conf_int", 0.95),
                conf_lower=p.get("conf_lower", "usual"))
    # only when a case sets them
    opts.update({k: p[k] for k in ("stype", "ctype", "type", "id", "cluster", "robust", "influence", "start_time")
                 if k in p})
    if p.get("formula"):  # the formula form: missing values, subset and weights as R reads them
        fit = engine.survfit(p["formula"], data=data, subset=p.get("subset"), weights=p.get("weights"), **opts)
    else:
        d = prepare(data, p)
        weights = None
        if p.get("weights"):
            weights = d[p["weights"]].to_numpy(float)
            if p.get("weight_transform") == "scaled":  # non-integer weights -> robust variance
                weights = weights / 3.0
        fit = engine.survfit(d[p["time"]].to_numpy(float), _event(d, p), weights=weights, **opts)
    # survfitKM's optional values only where a case asks for them (the golden files of the others predate them)
    out = {k: v for k, v in fit.quantities().items() if v is not None or k not in _OPTIONAL}
    out.update(derived_quantities(
        "summary.", lambda: engine.survfit_summary(fit, p.get("times", [0.0]), extend=p.get("extend", False)),
        SUMMARY_COLUMNS))
    out.update(derived_quantities(
        "quantile.", lambda: engine.survfit_quantile(fit, p.get("probs", [0.25, 0.5, 0.75])), QUANTILE_COLUMNS))
    out.update(derived_quantities("table.", lambda: engine.survfit_table(fit), TABLE_INDEX))
    if "summary.strata" in out:  # several curves: each summary row's curve, as labels
        out["summary.strata"] = tuple(str(v) for v in np.asarray(out["summary.strata"]).ravel())
    out["warnings"] = tuple(fit.warnings)
    return out


def run_survdiff(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    if p.get("formula"):
        res = engine.survdiff(p["formula"], data=data, subset=p.get("subset"), rho=p.get("rho", 0.0))
    else:
        d = prepare(data, p)
        res = engine.survdiff(d[p["time"]].to_numpy(float), _event(d, p), d[p["group"]],
                              strata=None if not p.get("strata") else d[p["strata"]], rho=p.get("rho", 0.0))
    out = dict(res.quantities())
    out["groups"] = tuple(str(g) for g in res.groups)
    out["warnings"] = tuple(res.warnings)
    return out


def _km(id_: str, dataset: str, time: str, event: str | None, **extra: Any) -> Case:
    params = {"time": time, "event": event, **extra}
    return Case(f"survfit/{id_}", "survfit", dataset, params, run_survfit)


def _sd(id_: str, dataset: str, time: str, event: str | None, group: str, **extra: Any) -> Case:
    params = {"time": time, "event": event, "group": group, **extra}
    return Case(f"survdiff/{id_}", "survdiff", dataset, params, run_survdiff)


_TIMES = {"aml": [0, 5, 12, 24, 36, 48, 100], "lung": [0, 90, 180, 365, 730, 1000],
          "ovarian": [0, 100, 365, 730, 1000], "veteran": [0, 30, 90, 180, 365, 999],
          "test1": [0, 1, 2, 6, 8, 9], "testw1": [0, 1, 2, 3, 4, 5]}

CASES: list[Case] = [
    _km("aml", "aml", "time", "status", times=_TIMES["aml"]),
    _km("aml-maintained", "aml", "time", "status", where={"x": "Maintained"}, times=_TIMES["aml"]),
    _km("aml-maintained-loglog", "aml", "time", "status", where={"x": "Maintained"}, conf_type="log-log",
        times=_TIMES["aml"]),
    _km("aml-plain", "aml", "time", "status", conf_type="plain", times=_TIMES["aml"]),
    _km("aml-logit", "aml", "time", "status", conf_type="logit", times=_TIMES["aml"]),
    _km("aml-arcsin", "aml", "time", "status", conf_type="arcsin", times=_TIMES["aml"]),
    _km("aml-none", "aml", "time", "status", conf_type="none", times=_TIMES["aml"]),
    _km("aml-peto", "aml", "time", "status", conf_lower="peto", times=_TIMES["aml"]),
    _km("aml-modified-90", "aml", "time", "status", conf_lower="modified", conf_int=0.9,
        times=_TIMES["aml"]),
    _km("lung", "lung", "time", "status", event_value=2, times=_TIMES["lung"], probs=[0.1, 0.25, 0.5, 0.75]),
    _km("lung-surv-time", "lung", "time", None, times=_TIMES["lung"]),
    _km("lung-female-loglog", "lung", "time", "status", event_value=2, where={"sex": 2},
        conf_type="log-log", times=_TIMES["lung"]),
    _km("lung-ijweights", "lung", "time", "status", event_value=2, weights="ph.ecog",
        weight_transform="scaled", times=_TIMES["lung"]),
    _km("ovarian", "ovarian", "futime", "fustat", times=_TIMES["ovarian"], extend=True),
    _km("ovarian-modified", "ovarian", "futime", "fustat", conf_lower="modified", times=_TIMES["ovarian"]),
    _km("veteran", "veteran", "time", "status", times=_TIMES["veteran"]),
    _km("veteran-logit-99", "veteran", "time", "status", conf_type="logit", conf_int=0.99,
        times=_TIMES["veteran"]),
    _km("test1", "test1", "time", "status", times=_TIMES["test1"], extend=True),
    _km("test1-arcsin", "test1", "time", "status", conf_type="arcsin", times=_TIMES["test1"]),
    _km("testw1-weights", "testw1", "time", "status", weights="wt", times=_TIMES["testw1"]),
    _km("testw1-ijweights", "testw1", "time", "status", weights="wt", weight_transform="scaled",
        times=_TIMES["testw1"]),
    _sd("aml", "aml", "time", "status", "x"),
    _sd("aml-rho1", "aml", "time", "status", "x", rho=1.0),
    _sd("lung-sex", "lung", "time", "status", "sex", event_value=2),
    # R's one-argument Surv(time): every row an event
    _sd("lung-sex-surv-time", "lung", "time", None, "sex"),
    _sd("lung-sex-rho05", "lung", "time", "status", "sex", event_value=2, rho=0.5),
    _sd("lung-ecog-strata-sex", "lung", "time", "status", "ph.ecog", event_value=2, strata="sex"),
    _sd("ovarian-rx", "ovarian", "futime", "fustat", "rx"),
    _sd("ovarian-rx-strata-resid", "ovarian", "futime", "fustat", "rx", strata="resid.ds"),
    _sd("veteran-celltype", "veteran", "time", "status", "celltype"),
    _sd("veteran-trt-strata-celltype", "veteran", "time", "status", "trt", strata="celltype"),
    _sd("veteran-celltype-rho1", "veteran", "time", "status", "celltype", rho=1.0),
    _sd("test1-x", "test1", "time", "status", "x"),
    _sd("testw1-x", "testw1", "time", "status", "x"),
]

#: degenerate inputs R handles: no events, one subject, every event at one
#: time, one stratum, a group without events
EDGE_CASES: list[Case] = [
    _km("edge-no-events", "edge", "time", "status", where={"set": "no_events"}, times=[0, 5, 11]),
    _km("edge-one-subject", "edge", "time", "status", where={"set": "one_subject"}, times=[0, 5]),
    _km("edge-one-time", "edge", "time", "status", where={"set": "one_time"}, times=[0, 4]),
    _km("edge-one-time-loglog", "edge", "time", "status", where={"set": "one_time"}, conf_type="log-log",
        times=[0, 4]),
    _sd("edge-no-events", "edge", "time", "status", "g", where={"set": "no_events"}),
    _sd("edge-one-stratum", "edge", "time", "status", "g", where={"set": "basic"}, strata="s"),
    _sd("edge-group-without-events", "edge", "time", "status", "g", where={"set": "one_group_events"}),
    _sd("edge-one-group", "edge", "time", "status", "s", where={"set": "basic"}),  # R: "There is only 1 group"
]
CASES += EDGE_CASES


def _formula(function: str, id_: str, dataset: str, formula: str, **extra: Any) -> Case:
    run = run_survfit if function == "survfit" else run_survdiff
    return Case(f"{function}/formula-{id_}", function, dataset, {"formula": formula, **extra}, run)


#: the formula forms (rows with missing values passed as they are: na.omit is compared)
FORMULA_CASES: list[Case] = [
    _formula("survfit", "lung-subset", "lung", "Surv(time, status) ~ 1", subset="sex == 2", times=_TIMES["lung"]),
    _formula("survfit", "lung-weights-loglog", "lung", "Surv(time, status) ~ 1", weights="ph.ecog",
             conf_type="log-log", times=_TIMES["lung"]),
    _formula("survfit", "veteran-surv-time", "veteran", "Surv(time) ~ 1", times=_TIMES["veteran"]),
    _formula("survfit", "lung-status-expr-subset-na", "lung", "Surv(time, status == 2) ~ 1",
             subset="ph.ecog >= 1", times=_TIMES["lung"]),
    # a curve per group (R's strata labels), stype/ctype/type, robust variance of every type
    _formula("survfit", "lung-sex", "lung", "Surv(time, status) ~ sex"),
    _formula("survfit", "lung-sex-ecog-fh2", "lung", "Surv(time, status) ~ sex + ph.ecog", type="fh2"),
    _formula("survfit", "aml-x-ctype2-loglog", "aml", "Surv(time, status) ~ x", ctype=2, conf_type="log-log"),
    _formula("survfit", "lung-stype2", "lung", "Surv(time, status) ~ 1", stype=2, times=_TIMES["lung"]),
    _formula("survfit", "ovarian-rx-weights-type4", "ovarian", "Surv(futime, fustat) ~ rx", weights="age",
             stype=2, ctype=2),
    _formula("survfit", "ovarian-rx-weights-type2", "ovarian", "Surv(futime, fustat) ~ rx", weights="age", ctype=2),
    _formula("survfit", "ovarian-weights-type3", "ovarian", "Surv(futime, fustat) ~ 1", weights="age", stype=2,
             times=[0.0, 365.0, 730.0]),
    _formula("survfit", "veteran-strata-celltype", "veteran", "Surv(time, status) ~ strata(celltype)"),
    _formula("survfit", "lung-factor-subset-modified", "lung", "Surv(time, status) ~ factor(ph.ecog)",
             subset="age > 50", conf_lower="modified"),
    # (start, stop] data, id, clusters, the influence, start_time
    _formula("survfit", "lung-split-counting", "lung_split", "Surv(tstart, time, status) ~ 1"),
    _formula("survfit", "lung-split-sex-id", "lung_split", "Surv(tstart, time, status) ~ sex", id="id"),
    _formula("survfit", "lung-split-id-influence-fh", "lung_split", "Surv(tstart, time, status) ~ 1", id="id",
             influence=True, ctype=2),
    _formula("survfit", "lung-split-cluster-inst-type3", "lung_split",
             "Surv(tstart, time, status) ~ sex + cluster(inst)", stype=2, influence=2),
    _formula("survfit", "lung-split-id-robust-weights", "lung_split", "Surv(tstart, time, status) ~ 1", id="id",
             weights="ph.karno", robust=True),
    _formula("survfit", "lung-start-time-influence", "lung", "Surv(time, status) ~ sex", start_time=100.0,
             influence=1),
    _formula("survfit", "aml-robust-rows-influence", "aml", "Surv(time, status) ~ 1", robust=True, influence=3),
    _formula("survdiff", "lung-sex-strata-inst", "lung", "Surv(time, status) ~ sex + strata(inst)"),
    _formula("survdiff", "lung-two-terms-rho1", "lung", "Surv(time, status) ~ sex + ph.ecog", rho=1.0),
    _formula("survdiff", "veteran-celltype", "veteran", "Surv(time, status) ~ celltype"),
    _formula("survdiff", "lung-expr-two-strata", "lung",
             "Surv(time, status == 2) ~ I(age > 65) + strata(sex, inst)"),
    _formula("survdiff", "lung-factor-subset", "lung", "Surv(time, status) ~ factor(ph.ecog)", subset="age > 50"),
    # the one-sample test: each subject's expected survival probability at its time as an offset()
    _formula("survdiff", "lung-one-sample", "lung", "Surv(time, status) ~ offset(exp(-time / 400))"),
    _formula("survdiff", "lung-one-sample-rho1", "lung", "Surv(time, status) ~ offset(exp(-time * age / 25000))",
             rho=1.0),
    _formula("survdiff", "lung-one-sample-not-probability", "lung", "Surv(time, status) ~ offset(time / 400)"),
    _formula("survdiff", "lung-one-sample-with-groups", "lung", "Surv(time, status) ~ sex + offset(exp(-time / 400))"),
]
CASES += FORMULA_CASES


def run_survsplit(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """survSplit's new data as quantities: the column names, the numeric
    columns as one matrix, the others' labels (missing as "NA")."""
    opts = {k: p[k] for k in ("start", "end", "event", "id", "zero", "episode", "subset") if p.get(k) is not None}
    if p.get("formula") is None:  # the data-frame form: survSplit(data, cut =, end =, event =, ...)
        out = engine.survsplit(data, cut=p["cut"], **opts)
    else:
        out = engine.survsplit(p["formula"], data, p["cut"], **opts)
    numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])]
    other = [c for c in out.columns if c not in numeric]
    labels = tuple("NA" if v is None or (isinstance(v, float) and v != v) else str(v)
                   for c in other for v in out[c].tolist())
    return {"columns": tuple(str(c) for c in out.columns), "rows": float(len(out)),
            "numbers": out[numeric].to_numpy(dtype=float), "labels": labels,
            "warnings": tuple(out.attrs.get("warnings", ()))}


def _split(id_: str, dataset: str, formula: str, cut: list[float], **extra: Any) -> Case:
    return Case(f"survsplit/{id_}", "survsplit", dataset, {"formula": formula, "cut": cut, **extra}, run_survsplit)


#: survSplit: right-censored and (start, stop] data, names derived or given, id, episode, zero, subset
SPLIT_CASES: list[Case] = [
    _split("lung-dot-180-365", "lung", "Surv(time, status) ~ .", [365.0, 180.0, 180.0], id="subject",
           episode="period"),
    _split("lung-split-again", "lung_split", "Surv(tstart, time, status) ~ age + sex", [90.0, 500.0]),
    _split("aml-names-zero", "aml", "Surv(time, status) ~ x", [5.0, 10.0, 20.0], zero=-1.0, start="t0",
           end="t1", event="died"),
    _split("lung-expr-status-subset", "lung", "Surv(time, status == 2) ~ sex + ph.ecog", [200.0],
           subset="age > 60"),
    # the data-frame form, right-censored and (start, stop] (data has the start column), and R's refusals
    _split("lung-data-frame-form", "lung", None, [100.0, 400.0], end="time", event="status", id="row"),
    _split("lung-split-data-frame-form-counting", "lung_split", None, [250.0], start="tstart", end="time",
           event="status", episode="ep"),
    _split("lung-data-frame-form-without-event", "lung", None, [100.0], end="time"),
    _split("lung-data-frame-form-event-not-a-column", "lung", None, [100.0], end="time", event="dead"),
]
CASES += SPLIT_CASES
