"""The weighted analysis (``[weighting]``): inverse-probability weights from the
matching's propensity model, the weighted balance, weighted Kaplan-Meier
curves and a weighted Cox model of treatment with a robust variance, on the
whole cohort, beside the matched analysis.

* weights: ``eng.ps_weights(data, "treatment", matching covariates, estimand,
  link, stabilize, trim, trim_lower)``; the matching's link on the
  probability scale (``linear.logit`` -> ``logit``): the same glm as the
  matching's distance (R's ``glm(family = binomial(link))``);
* balance: ``eng.weighted_balance`` (cobalt's conventions: SMDs standardised
  by the unweighted SD of the estimand's focal arm, pooled for ATE);
* Kaplan-Meier: ``eng.survfit(time, event, weights=w)`` per arm (R's
  ``survfit(Surv(t, e) ~ 1, weights = w)``: weighted counts, the usual
  Greenwood-type variance of the weighted estimate);
* Cox: ``eng.coxph(treatment, time, event, weights=w, robust=True)`` (R's
  ``coxph(..., weights = w, robust = TRUE)``): the HR's interval and p from the
  robust (sandwich) variance, as the weighted analysis needs.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import keys as K
from .cohort import Cohort
from .keys import CURVE_QUANTITIES, SUMMARY_QUANTITIES, Quantity
from .result import COUNT, Recorder, Source
from .spec import TREATMENT, StudySpec
from .steps_basic import landmark_defined
from .steps_matching import match_data_frame

__all__ = ["ps_weights", "weighted_km", "weighted_cox", "BALANCE_SOURCES", "COX_SOURCES"]

Q = Quantity

#: balance quantity -> column of ``weighted_balance(...).table``
BALANCE_SOURCES: dict[Quantity, str] = {Q.SMD: "std_mean_diff", Q.SMD_UNWEIGHTED: "std_mean_diff_un",
                                        Q.VAR_RATIO: "var_ratio", Q.MEANS_TREATED: "means_treated",
                                        Q.MEANS_CONTROL: "means_control"}
#: Cox quantity -> column of ``coxph_summary(fit)``
COX_SOURCES: dict[Quantity, str] = {Q.COEF: "coef", Q.HR: "exp_coef", Q.SE: "se", Q.ROBUST_SE: "robust_se",
                                    Q.LOWER: "lower", Q.UPPER: "upper", Q.P: "p"}


def ps_weights(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec) -> np.ndarray:
    """Weights, ESS per arm and the weighted balance. Returns the weights (one per cohort row)."""
    ws = spec.weighting
    if ws is None:
        raise ValueError("the spec has no [weighting] table: the weighted analysis does not run")
    data = match_data_frame(cohort, spec)
    covs = list(spec.matching.covariates)
    res = eng.ps_weights(data, TREATMENT, covs, estimand=ws.estimand,
                         link=spec.matching.link.removeprefix("linear."), stabilize=ws.stabilize, trim=ws.trim,
                         trim_lower=ws.trim_lower)
    w = np.asarray(res.weights, dtype=float)
    rec.put(K.weighting(Q.WEIGHTS), w, Source("ps_weights", "weights"))
    rec.put(K.weighting(Q.PS), np.asarray(res.ps, dtype=float), Source("ps_weights", "ps"))
    for arm in spec.arms.order:
        treated = arm == spec.arms.treated
        rec.put(K.weighting(Q.N, arm=arm), int(((w > 0) & cohort.arm_mask(arm)).sum()), COUNT)
        rec.put(K.weighting(Q.ESS, arm=arm), float(res.ess_treated if treated else res.ess_control),
                Source("ps_weights", "ess_treated" if treated else "ess_control"))
    rec.put(K.weighting(Q.WARNINGS), tuple(res.warnings), Source("ps_weights", "warnings"))
    bal = eng.weighted_balance(data, TREATMENT, covs, w, estimand=ws.estimand)
    for row in bal.table.index:
        for q, col in BALANCE_SOURCES.items():
            rec.put(K.weighting(q, variable=str(row)), float(bal.table.loc[row, col]),
                    Source("weighted_balance", col))
    return w


def weighted_km(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, w: np.ndarray) -> None:
    """Per endpoint and arm: the weighted curve, its landmarks and median."""
    for ep in spec.all_endpoints():
        landmarks = spec.km.landmarks if ep == spec.primary else spec.secondary.landmarks
        for arm in spec.arms.order:
            m = cohort.arm_mask(arm)
            t, e = cohort.time[ep][m], cohort.event[ep][m]

            def key(q: Quantity, arm: str = arm, ep: str = ep, **kw: Any) -> K.StudyKey:
                return K.weighted_km(ep, arm, q, **kw)

            fit = eng.survfit(t, e, weights=w[m], conf_type=spec.km.conf_type, conf_int=spec.km.conf_int)
            for q in CURVE_QUANTITIES:
                v = getattr(fit, q.value)
                rec.put(key(q, curve=True), None if v is None else np.asarray(v, dtype=float),
                        Source("survfit", q.value))
            summ = eng.survfit_summary(fit, list(landmarks), extend=True)
            for i, lm in enumerate(landmarks):
                ok = landmark_defined(t, e, lm)
                for q in SUMMARY_QUANTITIES:
                    v = float(summ[q.value].to_numpy()[i]) if ok else float("nan")
                    rec.put(key(q, landmark=lm), v, Source("survfit", f"summary.{q.value}"))
            rec.put(key(Q.MEDIAN), float(eng.survfit_table(fit)["median"]), Source("survfit", "table.median"))
            rec.put(key(Q.WARNINGS), tuple(fit.warnings), Source("survfit", "warnings"))


def weighted_cox(eng: Any, rec: Recorder, cohort: Cohort, spec: StudySpec, w: np.ndarray) -> None:
    """The weighted Cox model of treatment on the primary endpoint, robust variance."""
    ep = spec.primary
    X = pd.DataFrame({TREATMENT: cohort.treat.astype(float)})
    fit = eng.coxph(X, cohort.time[ep], cohort.event[ep], ties=spec.cox.ties, weights=w, robust=True)
    tab = eng.coxph_summary(fit)
    for q, col in COX_SOURCES.items():
        rec.put(K.weighted_cox(q), float(tab[col].to_numpy()[0]), Source("coxph", f"summary.{col}"))
    rec.put(K.weighted_cox(Q.WARNINGS), tuple(fit.warnings), Source("coxph", "warnings"))
