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

__all__ = ["CASES", "run_survfit_ms", "run_finegray", "SURVFIT_MS_QUANTITIES"]

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
