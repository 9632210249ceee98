"""Propensity-score matching (study.md step 4) and balance (step 5).

``matchit`` runs in the engine with the spec's settings; engines whose
``matchit`` takes ``compat`` (pyimpl) get the spec's ``matching.compat`` so
they reproduce the installed MatchIt build. The matched sample is the units
with weight > 0 (1:1 without replacement: weight 1).
"""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from rparity.refusals import refusal_kind
from rparity_contract.kinds import UNMAPPED

from . import keys as K
from .cohort import Cohort
from .errors import StudyInputError
from .keys import Quantity, Sample
from .result import COUNT, Recorder, Source
from .spec import TREATMENT, StudySpec

__all__ = ["match", "matchit_kwargs", "takes_compat", "BALANCE_COLUMNS"]

#: balance-table quantity -> column of ``summary(m)`` (MatchIt's ``Std. Mean Diff.``, ``Means Treated``, ...)
BALANCE_COLUMNS = {Quantity.SMD: "std_mean_diff", Quantity.MEANS_TREATED: "means_treated",
                   Quantity.MEANS_CONTROL: "means_control"}


def takes_compat(eng) -> bool:
    """Whether the engine's ``matchit`` accepts ``compat`` (pyimpl does)."""
    fn = getattr(getattr(eng, "impl", None), "matchit", None)
    if fn is None:
        return False
    try:
        return "compat" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def matchit_kwargs(spec: StudySpec, eng=None) -> dict:
    m = spec.matching
    kw = dict(distance=m.distance, link=m.link, estimand=m.estimand, ratio=m.ratio, replace=m.replace,
              caliper=m.caliper, std_caliper=m.std_caliper, m_order=m.m_order, discard=m.discard, seed=spec.seed)
    if eng is not None and takes_compat(eng):
        kw["compat"] = m.compat
    return kw


def _settings(spec: StudySpec) -> str:
    m = spec.matching
    return (f"link={m.link!r}, caliper={m.caliper!r}, std_caliper={m.std_caliper}, m_order={m.m_order!r}, "
            f"discard={m.discard!r}, compat={m.compat!r}")


def match_data_frame(cohort: Cohort, spec: StudySpec) -> pd.DataFrame:
    """The data ``matchit`` sees: ``treatment`` then the matching covariates (0/1)."""
    d = cohort.covariates[list(spec.matching.covariates)].astype(np.int64).copy()
    d.insert(0, TREATMENT, cohort.treat)
    return d


def match(eng, rec: Recorder, cohort: Cohort, spec: StudySpec, *, kwargs: dict | None = None):
    """Run ``matchit``; record the matched sample, its pairs and the balance
    tables (``eng.matchit_summary``). Returns ``(mask of matched rows, pair
    label per row)``."""
    data = match_data_frame(cohort, spec)
    kw = matchit_kwargs(spec, eng) if kwargs is None else kwargs
    try:
        m = eng.matchit(data, TREATMENT, list(spec.matching.covariates), **kw)
    except Exception as exc:
        # a refusal of these settings (MatchIt's "No units were matched", kind match.none, from
        # pyimpl's kind or R's message through rparity.refusals) is the spec's problem, in every
        # engine; anything else (an R message the table does not know included) is the engine's
        # failure, recorded by the pipeline
        if refusal_kind(exc, "matchit") in (None, UNMAPPED):
            raise
        raise StudyInputError(f"matching failed in engine {eng.name!r} with the spec's [matching] settings "
                              f"({_settings(spec)}): {exc}") from exc
    w = np.asarray(m.weights, dtype=float)
    matched = w > 0
    for arm in spec.arms.order:
        n = int((matched & cohort.arm_mask(arm)).sum())
        rec.put(K.matching(Quantity.N, arm=arm), n, COUNT)
        if n == 0:
            raise StudyInputError(
                f"matching left no patient in arm {arm!r} (engine {eng.name!r}; spec [matching]: "
                f"{_settings(spec)}): the after-matching analysis cannot run; loosen `matching.caliper` "
                f"or check the propensity model's covariates")
    # pairs "focal:matched", focal units in label order
    mm = m.match_matrix
    pairs, pair_of = [], {}
    for focal, row in zip(mm.index, mm.to_numpy(dtype=object)):
        mate = row[0]
        if mate is None or (isinstance(mate, float) and np.isnan(mate)):
            continue
        pairs.append(f"{focal}:{mate}")
        pair_of[str(focal)] = pair_of[str(mate)] = str(focal)
    rec.put(K.matching(Quantity.PAIRS), tuple(sorted(pairs)), Source("matchit", "match_matrix"))
    rec.put(K.matching(Quantity.DISTANCE), np.asarray(m.distance, dtype=float), Source("matchit", "distance"))
    if m.caliper is not None:
        rec.put(K.matching(Quantity.CALIPER), float(m.caliper), Source("matchit", "caliper"))
    rec.put(K.matching(Quantity.WARNINGS), tuple(m.warnings), Source("matchit", "warnings"))
    rec.matched_ids = tuple(str(i) for i in cohort.ids[matched])
    pair_label = np.array([pair_of.get(str(i), "") for i in cohort.ids], dtype=object)
    try:
        summ = eng.matchit_summary(m)
    except NotImplementedError:  # a MatchIt 3.0.2 match: 3.0.2's summary is not in the contract
        return matched, pair_label
    for sample, table, tab in ((Sample.BEFORE, "all", summ.all), (Sample.AFTER, "matched", summ.matched)):
        for row in tab.index:
            for q, col in BALANCE_COLUMNS.items():
                rec.put(K.balance(sample, str(row), q), float(tab.loc[row, col]),
                        Source("matchit", f"summary.{table}.{col}"))
    return matched, pair_label
