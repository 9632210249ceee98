"""The report's "Weighting (IPW)" section: the weighted analysis beside the
matched one (sample sizes and ESS per arm, the weighted balance, weighted
Kaplan-Meier landmarks, the treatment HR with its robust interval next to the
HR after matching). Rows of formatted strings, read by typed keys, as the rest
of :mod:`~rparity.study.report`."""
from __future__ import annotations

from typing import Any, Sequence

from . import keys as K
from .keys import Model, Quantity, Sample
from .report import _cell, _nan, _var_label, fmt_hr, fmt_p, fmt_surv
from .result import StudyResult
from .spec import TREATMENT, StudySpec

__all__ = ["weighting_context"]

Q = Quantity


def _f(v: Any, digits: int = 3) -> str:
    return "—" if _nan(v) else f"{float(v):.{digits}f}"


def weighting_context(spec: StudySpec, results: Sequence[StudyResult]) -> dict[str, Any] | None:
    """The section's rows, or None when the spec has no ``[weighting]`` (or it did not run)."""
    if spec.weighting is None:
        return None
    a = results[0]
    if K.weighting(Q.WEIGHTS) not in a:
        return None
    ws = spec.weighting
    arms = []
    for arm in spec.arms.order:
        arms.append({"label": spec.arms.label(arm), "n": a.get(K.cohort(arm=arm)),
                     "matched": a.get(K.matching(Q.N, arm=arm)), "weighted": a.get(K.weighting(Q.N, arm=arm)),
                     "ess": _cell(results, lambda r, arm=arm: _f(r.get(K.weighting(Q.ESS, arm=arm)), 1))})
    balance = []
    for row in spec.matching.covariates:
        def val(r: StudyResult, q: Quantity, row: str = row, digits: int = 3) -> str:
            return _f(r.get(K.weighting(q, variable=row)), digits)

        balance.append({"label": _var_label(spec, row),
                        "before": _cell(results, lambda r, val=val: val(r, Q.SMD_UNWEIGHTED)),
                        "matched": _cell(results, lambda r, row=row: _f(r.get(K.balance(Sample.AFTER, row, Q.SMD)))),
                        "weighted": _cell(results, lambda r, val=val: val(r, Q.SMD)),
                        "var_ratio": _cell(results, lambda r, val=val: val(r, Q.VAR_RATIO))})

    def hr(key: Any) -> object:
        return _cell(results, lambda r: fmt_hr(r.get(key(Q.HR)), r.get(key(Q.LOWER)), r.get(key(Q.UPPER))), key(Q.HR))

    def matched_key(q: Quantity) -> K.StudyKey:
        return K.cox(Sample.AFTER, Model.UNIVARIATE, q, variable=TREATMENT)

    def before_key(q: Quantity) -> K.StudyKey:
        return K.cox(Sample.BEFORE, Model.UNIVARIATE, q, variable=TREATMENT)

    def weighted_key(q: Quantity) -> K.StudyKey:
        return K.weighted_cox(q)

    cox = [{"label": "Before matching (unadjusted)", "hr": hr(before_key),
            "p": _cell(results, lambda r: fmt_p(r.get(before_key(Q.P))))},
           {"label": "After matching", "hr": hr(matched_key),
            "p": _cell(results, lambda r: fmt_p(r.get(matched_key(Q.P))))},
           {"label": f"Weighted ({ws.estimand}), robust variance", "hr": hr(weighted_key),
            "p": _cell(results, lambda r: fmt_p(r.get(weighted_key(Q.P))))}]
    km = []
    ep = spec.primary
    for arm in spec.arms.order:
        def surv(r: StudyResult, lm: float, arm: str = arm) -> str:
            return fmt_surv(*(r.get(K.weighted_km(ep, arm, q, landmark=lm)) for q in (Q.SURV, Q.LOWER, Q.UPPER)))

        km.append({"arm": spec.arms.label(arm),
                   "cells": [_cell(results, lambda r, lm=lm, surv=surv: surv(r, lm)) for lm in spec.km.landmarks]})
    settings = f"estimand {ws.estimand}" + (", stabilised" if ws.stabilize else "") + (
        "" if ws.trim is None else f", trimmed at {ws.trim:g}" + (" (both tails)" if ws.trim_lower else ""))
    return {"settings": settings, "arms": arms, "balance": balance, "cox": cox, "km": km,
            "landmarks": [f"{lm:g}" for lm in spec.km.landmarks], "endpoint": spec.endpoints[ep].label,
            "link": spec.matching.link.removeprefix("linear."),
            "warnings": list(a.get(K.weighting(Q.WARNINGS), ()) or ())}
