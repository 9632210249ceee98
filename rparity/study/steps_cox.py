"""Cox steps: univariate and multivariable models (the paper's Table 2) and the
subgroup hazard ratios of treatment (Fig. 3); study.md steps 7 and 8.

Variables are 0/1 columns: ``treatment`` (1 = the spec's treated arm) and the
dichotomised covariates (1 = the positive level), so each hazard ratio is "the
positive level against the other", as the paper reports them. The coefficient
table is the engine's ``coxph_summary(fit)`` (R's ``summary(fit)``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import keys as K
from .cohort import Cohort
from .keys import Level, Model, Quantity, Sample
from .result import COUNT, SELECTION, Recorder, Source
from .spec import TREATMENT, StudySpec

__all__ = ["cox_models", "subgroups", "variables", "COX_COLUMNS"]

Q = Quantity

#: quantity -> (column of ``coxph_summary(fit)``, contract source)
COX_COLUMNS: dict[Quantity, tuple[str, Source]] = {
    Q.COEF: ("coef", Source("coxph", "coef")),
    Q.HR: ("exp_coef", Source("coxph", "summary.exp_coef")),
    Q.SE: ("se", Source("coxph", "se")),
    Q.LOWER: ("lower", Source("coxph", "summary.lower")),
    Q.UPPER: ("upper", Source("coxph", "summary.upper")),
    Q.P: ("p", Source("coxph", "summary.p")),
}


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
    return fit, eng.coxph_summary(fit)


def _record_row(rec: Recorder, key, tab: pd.DataFrame | None, i: int) -> None:
    """The row ``i`` of the coefficient table under ``key(quantity)`` (NaN without a table)."""
    for q, (col, src) in COX_COLUMNS.items():
        rec.put(key(q), float("nan") if tab is None else float(tab[col].to_numpy()[i]), src)


def _is_constant(cohort: Cohort, name: str) -> bool:
    x = _column(cohort, name)
    return bool(x.size == 0 or (x == x[0]).all())


def cox_models(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample, *, cluster=None,
               imbalance: dict[str, float] | None = None) -> None:
    """Univariate model of every variable, then the multivariable model of the
    variables the spec's rule selects.

    ``imbalance`` maps each covariate to its imbalance measure in this sample
    (Table 1 p-value or |SMD|, per ``cox.imbalance``).
    """
    ep = spec.primary
    uni_p: dict[str, float] = {}
    for v in variables(spec):
        def key(q: Quantity, v=v) -> K.StudyKey:
            return K.cox(sample, Model.UNIVARIATE, q, variable=v)

        if _is_constant(cohort, v):
            _record_row(rec, key, None, 0)
            rec.note(key(Q.HR), "not estimable: the variable takes one value in this sample")
            uni_p[v] = float("nan")
            continue
        fit, tab = _fit(eng, cohort, [v], spec, ep, cluster)
        _record_row(rec, key, tab, 0)
        rec.put(key(Q.WARNINGS), tuple(fit.warnings), Source("coxph", "warnings"))
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
    sel_key = K.cox(sample, Model.MULTIVARIABLE, Q.SELECTED)
    rec.put(sel_key, tuple(selected), SELECTION)
    for v in selected:
        rec.put(K.cox(sample, Model.MULTIVARIABLE, Q.REASON, variable=v), reasons[v], SELECTION)
    if not selected:
        rec.note(sel_key, "no variable met the selection rule")
        return
    fit, tab = _fit(eng, cohort, selected, spec, ep, cluster)
    for i, v in enumerate(selected):
        _record_row(rec, lambda q, v=v: K.cox(sample, Model.MULTIVARIABLE, q, variable=v), tab, i)
    rec.put(K.cox(sample, Model.MULTIVARIABLE, Q.LOGLIK), np.asarray(fit.loglik, dtype=float),
            Source("coxph", "loglik"))
    rec.put(K.cox(sample, Model.MULTIVARIABLE, Q.WARNINGS), tuple(fit.warnings), Source("coxph", "warnings"))


def subgroups(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, sample: Sample) -> None:
    """Hazard ratio of treatment within each level of each subgroup covariate."""
    ep = spec.primary
    for name in spec.subgroups.covariates:
        x = cohort.covariates[name].to_numpy()
        for level, flag in ((Level.POSITIVE, 1), (Level.NEGATIVE, 0)):
            def key(q: Quantity, arm: str | None = None, level=level, name=name) -> K.StudyKey:
                return K.subgroup(sample, name, level, q, arm=arm)

            sub = cohort.subset(x == flag)
            rec.put(key(Q.N), len(sub), COUNT)
            rec.put(key(Q.EVENTS), int(sub.event[ep].sum()), COUNT)
            for arm in spec.arms.order:
                rec.put(key(Q.N, arm), int(sub.arm_mask(arm).sum()), COUNT)
            why = None
            if any(not sub.arm_mask(a).any() for a in spec.arms.order):
                why = "not estimable: an arm has no patient in this subgroup"
            elif sub.event[ep].sum() == 0:
                why = "not estimable: no event in this subgroup"
            if why:
                _record_row(rec, key, None, 0)
                rec.note(key(Q.HR), why)
                continue
            fit, tab = _fit(eng, sub, [TREATMENT], spec, ep)
            _record_row(rec, key, tab, 0)
            rec.put(key(Q.WARNINGS), tuple(fit.warnings), Source("coxph", "warnings"))
