"""Parity cases of ``survfit_ms``: competing risks curves (Aalen-Johansen) on
survival's own competing-risks data (``mgus2``: malignancy or death, as the
package's vignette builds it; ``pbc``: transplant or death), with groups,
fractional weights, every confidence-interval type, ``start_time``, a given
``p0``, no standard errors, unused states, and R's refusals (a 0/1 status,
text, a blank state, no state but censoring, a wrong ``p0``, ``start_time``
after every time, negative weights); and of ``finegray`` (the Fine-Gray data, and
the weighted Cox model of them)."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .base import Case

__all__ = ["CASES", "run_survfit_ms", "run_survfit_ms_cp", "run_finegray", "SURVFIT_MS_QUANTITIES",
           "ILLNESS_DEATH", "mgus2_multistate", "ms_quantities"]

SURVFIT_MS_QUANTITIES = ("states", "time", "n_risk", "n_event", "n_censor", "pstate", "std_err", "lower", "upper",
                         "cumhaz", "cumhaz_names", "p0", "sp0", "n", "strata", "strata_n", "start_time")


def competing(data: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """The case's ``etime`` and ``event`` (a Categorical whose first category
    is censoring) from the dataset's columns."""
    d = data.copy()
    kind = p["events"]
    if kind == "mgus2":  # survival's vignette: the first of malignancy and death
        d["etime"] = np.where(d["pstat"] == 0, d["futime"], d["ptime"])
        code = np.where(d["pstat"] == 0, 2 * d["death"], 1).astype(int)
        levels = ["censor", "pcm", "death"]
    elif kind == "pbc":  # status 0 censored, 1 transplant, 2 dead
        d["etime"] = d["time"]
        code = d["status"].astype(int).to_numpy()
        levels = ["censor", "transplant", "death"]
    else:
        raise ValueError(f"unknown events {kind!r}")
    levels = levels + list(p.get("extra_levels", ()))
    cat = pd.Categorical.from_codes(code, levels)
    if p.get("blank_state"):
        cat = cat.rename_categories([levels[0], "", *levels[2:]])
    if p.get("censor_all"):
        cat = pd.Categorical.from_codes(np.zeros(len(d), dtype=int), [levels[0]])
    d["event"] = cat
    if p.get("numeric_event"):
        d["event"] = code
    if p.get("text_event"):
        d["event"] = np.asarray(cat.astype(str), dtype=object)
    if p.get("missing_rows"):
        d.loc[list(p["missing_rows"]), "etime"] = np.nan
    return d


def run_survfit_ms(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    d = competing(data, p)
    kw: dict[str, Any] = {k: p[k] for k in ("conf_type", "conf_int", "se_fit", "start_time", "p0") if k in p}
    weights = None
    if p.get("weights") == "scaled-age":  # fractional case weights
        weights = d["age"].to_numpy(float) / 50.0
    elif p.get("weights") == "negative":
        weights = np.where(np.arange(len(d)) == 3, -1.0, 1.0)
    if p.get("formula"):
        fit = engine.survfit_ms(p["formula"], data=d, subset=p.get("subset"),
                                weights=None if weights is None else pd.Series(weights, index=d.index), **kw)
    else:
        fit = engine.survfit_ms(d["etime"].to_numpy(float), d["event"], weights=weights, **kw)
    out = {k: getattr(fit, k) for k in SURVFIT_MS_QUANTITIES if getattr(fit, k) is not None}
    out["states"] = tuple(out["states"])
    out["cumhaz_names"] = tuple(out["cumhaz_names"])
    if "strata" in out:
        out["strata"] = tuple(out["strata"])
    out["strata_n"] = tuple(int(x) for x in fit.strata_n)
    out["transitions"] = fit.transitions.to_numpy(dtype=np.int64)
    out["transitions_from"] = tuple(str(x) for x in fit.transitions.index)
    out["transitions_to"] = tuple(str(x) for x in fit.transitions.columns)
    out["warnings"] = tuple(fit.warnings)
    return out


def _case(id_: str, dataset: str, events: str, **extra: Any) -> Case:
    return Case(f"survfit_ms/{id_}", "survfit_ms", dataset, {"events": events, **extra}, run_survfit_ms)


CASES = [
    _case("mgus2", "mgus2", "mgus2"),
    _case("mgus2-sex", "mgus2", "mgus2", formula="Surv(etime, event) ~ sex"),
    _case("mgus2-sex-weights-fractional", "mgus2", "mgus2", formula="Surv(etime, event) ~ sex", weights="scaled-age"),
    _case("mgus2-log-log-90", "mgus2", "mgus2", conf_type="log-log", conf_int=0.9),
    _case("mgus2-plain", "mgus2", "mgus2", conf_type="plain"),
    _case("mgus2-logit", "mgus2", "mgus2", conf_type="logit"),
    _case("mgus2-arcsin", "mgus2", "mgus2", conf_type="arcsin"),
    _case("mgus2-no-intervals", "mgus2", "mgus2", conf_int=False),
    _case("mgus2-no-se", "mgus2", "mgus2", se_fit=False),
    _case("mgus2-subset-age", "mgus2", "mgus2", formula="Surv(etime, event) ~ sex", subset="age >= 70"),
    _case("mgus2-start-time", "mgus2", "mgus2", formula="Surv(etime, event) ~ sex", start_time=12.0),
    _case("mgus2-missing-times", "mgus2", "mgus2", missing_rows=[0, 5, 17]),
    _case("pbc", "pbc", "pbc"),
    _case("pbc-trt-weights", "pbc", "pbc", formula="Surv(etime, event) ~ trt", weights="scaled-age"),
    _case("pbc-p0", "pbc", "pbc", p0=[0.8, 0.05, 0.15]),
    _case("pbc-unused-state", "pbc", "pbc", extra_levels=["relapse"]),
    _case("pbc-stage-sex", "pbc", "pbc", formula="Surv(etime, event) ~ stage + sex"),
    # R's refusals
    _case("pbc-numeric-status-refused", "pbc", "pbc", numeric_event=True),
    _case("pbc-text-status-refused", "pbc", "pbc", text_event=True),
    _case("pbc-blank-state-refused", "pbc", "pbc", blank_state=True),
    _case("pbc-only-censoring-refused", "pbc", "pbc", censor_all=True),
    _case("pbc-p0-length-refused", "pbc", "pbc", p0=[0.5, 0.5]),
    _case("pbc-p0-sum-refused", "pbc", "pbc", p0=[0.5, 0.2, 0.2]),
    _case("pbc-start-time-refused", "pbc", "pbc", start_time=1e6),
    _case("pbc-weights-negative-refused", "pbc", "pbc", weights="negative"),
]


# -- (start, stop] multi-state data ----------------------------------------------------------------
#: a hand-built illness-death data set (rows in id, time order): health -> ill -> death, health -> death,
#: recovery ill -> health, late entry (id 6, 11), entry in "ill" (istate), a censored row inside a run of
#: contiguous rows (id 7, merged by survfitCI, with a weight that changes from row to row), a "move" to the
#: state a subject is already in (id 9: ill -> ill), tied times
ILLNESS_DEATH = pd.DataFrame({
    "id": [1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7, 7, 8, 9, 10, 10, 11, 12],
    "t1": [0, 2, 0, 0, 3, 6, 0, 0, 1, 1, 0, 2, 4, 0, 0.5, 0, 5, 2, 0],
    "t2": [2, 5, 4, 3, 6, 9, 7, 1, 8, 5, 2, 4, 7, 3, 6, 5, 9, 9, 6],
    "st": [1, 2, 0, 1, 3, 0, 2, 1, 2, 0, 0, 0, 2, 2, 1, 1, 2, 0, 2],  # 0 censor, 1 ill, 2 death, 3 health
    "ist": [0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0],  # 0 health, 1 ill
    "w": [1, 1, 2, 0.5, 0.5, 0.5, 1.5, 1, 1, 3, 1, 2, 1.5, 1, 0.25, 2, 2, 1, 1],
    "g": ["a", "a", "b", "a", "a", "a", "b", "b", "b", "a", "b", "b", "b", "a", "a", "b", "b", "a", "b"],
}).astype({"t1": float, "t2": float})


def illness_death(p: Mapping[str, Any]) -> pd.DataFrame:
    d = ILLNESS_DEATH.copy()
    d["event"] = pd.Categorical.from_codes(d.pop("st"), ["censor", "ill", "death", "health"])
    d["istate"] = pd.Categorical.from_codes(d.pop("ist"), ["health", "ill"])
    fault = p.get("fault")
    if fault == "overlap":  # id 1's second row starts before its first ends
        d.loc[1, "t1"] = 1.0
    elif fault == "gap":  # id 3's second row starts after its first ends
        d.loc[4, "t1"] = 4.0
    elif fault == "teleport":  # id 1's second row says "health", its first row ended in "ill"
        d.loc[1, "istate"] = "health"
    return d


def mgus2_multistate(data: pd.DataFrame) -> pd.DataFrame:
    """survival's "compete" vignette: ``tmerge(mgus2, mgus2, id = id, death =
    event(futime, death), pcm = event(ptemp, pstat))`` with ``ptemp`` the
    progression time moved 0.1 earlier when it equals the last follow-up,
    ``event`` death if any, else pcm: a subject with a progression has a row
    (0, ptemp] ending in "pcm" and a row (ptemp, futime]; the others one row.
    (Every pstat = 0 subject has ptime = futime in mgus2.)"""
    m = data.reset_index(drop=True)
    ptemp = np.where((m["ptime"] == m["futime"]) & (m["pstat"] == 1), m["ptime"] - 0.1, m["ptime"])
    rows = []
    for k in range(len(m)):
        r = m.iloc[k]
        if r["pstat"] == 1:
            rows.append((k, 0.0, float(ptemp[k]), 1))
            rows.append((k, float(ptemp[k]), float(r["futime"]), 2 if r["death"] == 1 else 0))
        else:
            rows.append((k, 0.0, float(r["futime"]), 2 if r["death"] == 1 else 0))
    idx, t1, t2, ev = (np.asarray(x) for x in zip(*rows))
    out = m.iloc[idx].reset_index(drop=True)
    out["tstart"], out["tstop"] = t1, t2
    out["event"] = pd.Categorical.from_codes(ev.astype(int), ["censor", "pcm", "death"])
    return out


def run_survfit_ms_cp(engine: Any, data: pd.DataFrame | None, p: Mapping[str, Any]) -> dict:
    """survfit(Surv(start, stop, event) ~ groups, data, id = id, istate =, weights =, influence =, ...)."""
    if p["ms"] == "mgus2":
        assert data is not None
        d = mgus2_multistate(data)
        form = p.get("formula", "Surv(tstart, tstop, event) ~ 1")
    else:
        d = illness_death(p)
        form = p.get("formula", "Surv(t1, t2, event) ~ 1")
    kw: dict[str, Any] = {k: p[k] for k in ("conf_type", "conf_int", "se_fit", "start_time", "p0", "influence")
                          if k in p}
    if not p.get("no_id"):
        kw["id"] = "id"
    if p.get("istate"):
        kw["istate"] = "istate"
    if p.get("weights") == "w":
        kw["weights"] = "w"
    elif p.get("weights") == "scaled-age":
        kw["weights"] = pd.Series(d["age"].to_numpy(float) / 50.0, index=d.index)
    return ms_quantities(engine.survfit_ms(form, data=d, **kw))


def ms_quantities(fit: Any) -> dict:
    """A SurvFitMS as quantities (the influence arrays of every curve in turn, flattened)."""
    out = {k: getattr(fit, k) for k in SURVFIT_MS_QUANTITIES if getattr(fit, k) is not None}
    for k in ("states", "cumhaz_names", "strata"):
        if k in out:
            out[k] = tuple(out[k])
    out["strata_n"] = tuple(int(x) for x in fit.strata_n)
    out["transitions"] = fit.transitions.to_numpy(dtype=np.int64)
    out["transitions_from"] = tuple(str(x) for x in fit.transitions.index)
    out["transitions_to"] = tuple(str(x) for x in fit.transitions.columns)
    if fit.influence_pstate is not None:
        out["influence_pstate"] = np.concatenate([a.reshape(-1) for a in fit.influence_pstate])
        out["influence_ids"] = tuple(i for ids in (fit.influence_ids or ()) for i in ids)
    out["warnings"] = tuple(fit.warnings)
    return out


def _cp(id_: str, ms: str, **extra: Any) -> Case:
    return Case(f"survfit_ms/{id_}", "survfit_ms", "mgus2" if ms == "mgus2" else None, {"ms": ms, **extra},
                run_survfit_ms_cp)


CASES += [
    _cp("mgus2-ms", "mgus2"),
    _cp("mgus2-ms-sex", "mgus2", formula="Surv(tstart, tstop, event) ~ sex"),
    _cp("mgus2-ms-sex-influence-weights", "mgus2", formula="Surv(tstart, tstop, event) ~ sex", influence=True,
        weights="scaled-age"),
    _cp("mgus2-ms-start-time", "mgus2", start_time=60.0, conf_type="log-log"),
    _cp("illness-death", "illness-death"),
    _cp("illness-death-istate", "illness-death", istate=True),
    _cp("illness-death-istate-influence", "illness-death", istate=True, influence=True),
    _cp("illness-death-weights-groups", "illness-death", istate=True, weights="w", influence=1,
        formula="Surv(t1, t2, event) ~ g"),
    _cp("illness-death-start-time", "illness-death", istate=True, weights="w", start_time=2.5, conf_type="plain"),
    _cp("illness-death-p0", "illness-death", istate=True, p0=[0.7, 0.1, 0.2], influence=True),
    _cp("illness-death-no-se", "illness-death", istate=True, se_fit=False, influence=True),
    # R's refusals
    _cp("illness-death-no-id-refused", "illness-death", no_id=True),
    _cp("illness-death-overlap-refused", "illness-death", fault="overlap"),
    _cp("illness-death-gap-refused", "illness-death", fault="gap"),
    _cp("illness-death-istate-inconsistent-refused", "illness-death", istate=True, fault="teleport"),
    _cp("illness-death-influence-refused", "illness-death", influence=5),
]


def run_finegray(engine: Any, data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """finegray's data as quantities (column names, the numeric columns but the
    weights as one matrix, the weights, the others' labels), and the Fine-Gray
    model: the engine's weighted Cox fit of its own finegray data."""
    d = competing(data, p)
    kw: dict[str, Any] = {k: p[k] for k in ("etype", "count", "prefix", "subset") if p.get(k) is not None}
    if p.get("weights") == "scaled-age":
        d["w"] = d["age"].to_numpy(float) / 50.0
        kw["weights"] = "w"
    fg = engine.finegray(p["formula"], d, **kw)
    prefix = p.get("prefix", "fg")
    wcol = f"{prefix}wt"
    numeric = [c for c in fg.columns if pd.api.types.is_numeric_dtype(fg[c]) and c != wcol]
    other = [c for c in fg.columns if c not in numeric and c != wcol]
    out: dict[str, Any] = {
        "columns": tuple(str(c) for c in fg.columns), "rows": float(len(fg)),
        "numbers": fg[numeric].to_numpy(dtype=float), "weights": fg[wcol].to_numpy(dtype=float),
        "labels": tuple("NA" if v is None or (isinstance(v, float) and v != v) else str(v)
                        for c in other for v in fg[c].tolist()),
        "event": str(fg.attrs.get("event")),
        "warnings": tuple(fg.attrs.get("warnings", ())),
    }
    if p.get("cox"):
        fit = engine.coxph(f"Surv({prefix}start, {prefix}stop, {prefix}status) ~ {p['cox']}", data=fg,
                           weights=fg[wcol].to_numpy(dtype=float))
        out["cox.coef"] = np.asarray(fit.coef, dtype=float)
        out["cox.var"] = np.asarray(fit.var, dtype=float)
        out["cox.loglik"] = np.asarray(fit.loglik, dtype=float)
    return out


def _fg(id_: str, dataset: str, events: str, formula: str, **extra: Any) -> Case:
    return Case(f"finegray/{id_}", "finegray", dataset, {"events": events, "formula": formula, **extra},
                run_finegray)


CASES += [
    _fg("mgus2-pcm-cox", "mgus2", "mgus2", "Surv(etime, event) ~ age + sex", cox="age + sex"),
    _fg("mgus2-death-subset-cox", "mgus2", "mgus2", "Surv(etime, event) ~ age + sex + hgb", etype="death",
        subset="dxyr >= 1985", cox="age + sex + hgb"),
    _fg("mgus2-weights-subset-cox", "mgus2", "mgus2", "Surv(etime, event) ~ age + sex", weights="scaled-age",
        subset="age >= 80", cox="age + sex"),
    _fg("mgus2-strata-count", "mgus2", "mgus2", "Surv(etime, event) ~ age + log(hgb) + strata(sex)",
        etype="death", count="interval", prefix="z"),
    _fg("pbc-transplant-cox", "pbc", "pbc", "Surv(etime, event) ~ age + bili + trt", cox="age + log(bili)"),
    _fg("pbc-death-strata", "pbc", "pbc", "Surv(etime, event) ~ age + strata(edema)", etype="death"),
    # R's refusals
    _fg("pbc-etype-unknown-refused", "pbc", "pbc", "Surv(etime, event) ~ age", etype="relapse"),
    _fg("pbc-numeric-status-refused", "pbc", "pbc", "Surv(etime, event) ~ age", numeric_event=True),
    _fg("mgus2-missing-time-refused", "mgus2", "mgus2", "Surv(etime, event) ~ age", missing_rows=[4]),
]
