"""Cox steps: univariate and multivariable models (the paper's Table 2) and the
subgroup hazard ratios of treatment (Fig. 3); study.md steps 7 and 8.

Variables are 0/1 columns: ``treatment`` (1 = the spec's treated arm) and the
dichotomised covariates (1 = the positive level), so each hazard ratio is "the
positive level against the other", as the paper reports them.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .cohort import Cohort
from .result import Recorder
from .spec import TREATMENT, StudySpec

__all__ = ["cox_models", "subgroups", "variables", "COX_COLUMNS"]

#: (key suffix, column of ``CoxPH.summary()``, contract source)
COX_COLUMNS = (
    ("coef", "coef", ("coxph", "coef")),
    ("hr", "exp_coef", ("coxph", "summary.exp_coef")),
    ("se", "se", ("coxph", "se")),
    ("lower", "lower", ("coxph", "summary.lower")),
    ("upper", "upper", ("coxph", "summary.upper")),
    ("p", "p", ("coxph", "summary.p")),
)


def variables(spec: StudySpec) -> tuple[str, ...]:
    """Treatment, then the covariates in spec order."""
    return (TREATMENT, *spec.covariate_names)


def _column(cohort: Cohort, name: str) -> np.ndarray:
    if name == TREATMENT:
        return cohort.treat.astype(float)
    return cohort.covariates[name].to_numpy(dtype=float)


def _fit(eng, cohort: Cohort, names: list[str], spec: StudySpec, endpoint: str, cluster=None):
    X = pd.DataFrame({n: _column(cohort, n) for n in names})
    kw = {"ties": spec.cox.ties}
    if cluster is not None:
        kw.update(cluster=cluster, robust=True)
    fit = eng.coxph(X, cohort.time[endpoint], cohort.event[endpoint], **kw)
    return fit, fit.summary()


def _record_row(rec: Recorder, key: str, tab: pd.DataFrame, i: int) -> None:
    for suffix, col, src in COX_COLUMNS:
        rec.put(f"{key}.{suffix}", float(tab[col].to_numpy()[i]), src)


def _is_constant(cohort: Cohort, name: str) -> bool:
    x = _column(cohort, name)
    return bool(x.size == 0 or (x == x[0]).all())


def cox_models(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: str, *, cluster=None,
               imbalance: dict[str, float] | None = None) -> None:
    """Univariate model of every variable, then the multivariable model of the
    variables the spec's rule selects.

    ``imbalance`` maps each covariate to its imbalance measure in this sample
    (Table 1 p-value or |SMD|, per ``cox.imbalance``).
    """
    ep = spec.primary
    base = f"cox.{sample}"
    uni_p: dict[str, float] = {}
    for v in variables(spec):
        key = f"{base}.univariate.{v}"
        if _is_constant(cohort, v):
            for suffix, _, src in COX_COLUMNS:
                rec.put(f"{key}.{suffix}", float("nan"), src)
            rec.note(f"{key}.hr", "not estimable: the variable takes one value in this sample")
            uni_p[v] = float("nan")
            continue
        fit, tab = _fit(eng, cohort, [v], spec, ep, cluster)
        _record_row(rec, key, tab, 0)
        rec.put(f"{key}.warnings", tuple(fit.warnings), ("coxph", "warnings"))
        uni_p[v] = float(tab["p"].to_numpy()[0])

    selected, reasons = [], {}
    for v in variables(spec):
        why = []
        if v in spec.cox.force:
            why.append("named in cox.force")
        p = uni_p.get(v, float("nan"))
        if not math.isnan(p) and p < spec.cox.univariate_p:
            why.append(f"univariate p < {spec.cox.univariate_p:g}")
        if v != TREATMENT and imbalance is not None and spec.cox.imbalance != "none":
            m = imbalance.get(v, float("nan"))
            if spec.cox.imbalance == "table1_p" and not math.isnan(m) and m < spec.cox.imbalance_threshold:
                why.append(f"imbalanced (Table 1 p < {spec.cox.imbalance_threshold:g})")
            if spec.cox.imbalance == "smd" and not math.isnan(m) and abs(m) > spec.cox.imbalance_threshold:
                why.append(f"imbalanced (|SMD| > {spec.cox.imbalance_threshold:g})")
        if why and not _is_constant(cohort, v):
            selected.append(v)
            reasons[v] = "; ".join(why)
    rec.put(f"{base}.multivariable.selected", tuple(selected), ("study", "selection"))
    rec.selected[sample] = tuple(selected)
    for v in selected:
        rec.put(f"{base}.multivariable.{v}.reason", reasons[v], ("study", "selection"))
    if not selected:
        rec.note(f"{base}.multivariable.selected", "no variable met the selection rule")
        return
    fit, tab = _fit(eng, cohort, selected, spec, ep, cluster)
    for i, v in enumerate(selected):
        _record_row(rec, f"{base}.multivariable.{v}", tab, i)
    rec.put(f"{base}.multivariable.loglik", np.asarray(fit.loglik, dtype=float), ("coxph", "loglik"))
    rec.put(f"{base}.multivariable.warnings", tuple(fit.warnings), ("coxph", "warnings"))


def subgroups(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: str) -> None:
    """Hazard ratio of treatment within each level of each subgroup covariate."""
    ep = spec.primary
    for name in spec.subgroups.covariates:
        x = cohort.covariates[name].to_numpy()
        for level, flag in (("positive", 1), ("negative", 0)):
            key = f"subgroup.{sample}.{name}.{level}"
            sub = cohort.subset(x == flag)
            rec.put(f"{key}.n", len(sub), ("study", "count"))
            rec.put(f"{key}.events", int(sub.event[ep].sum()), ("study", "count"))
            for arm in spec.arms.order:
                rec.put(f"{key}.{arm}.n", int(sub.arm_mask(arm).sum()), ("study", "count"))
            why = None
            if any(not sub.arm_mask(a).any() for a in spec.arms.order):
                why = "not estimable: an arm has no patient in this subgroup"
            elif sub.event[ep].sum() == 0:
                why = "not estimable: no event in this subgroup"
            if why:
                for suffix, _, src in COX_COLUMNS:
                    rec.put(f"{key}.{suffix}", float("nan"), src)
                rec.note(f"{key}.hr", why)
                continue
            fit, tab = _fit(eng, sub, [TREATMENT], spec, ep)
            _record_row(rec, key, tab, 0)
            rec.put(f"{key}.warnings", tuple(fit.warnings), ("coxph", "warnings"))
