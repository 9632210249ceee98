"""The registry of parity cases (functions x fixtures).

Each module of this package that holds cases lists them in ``CASES``; add the
module's name to :data:`CASE_MODULES` to register it.
"""
from __future__ import annotations

import importlib

from .base import Case, as_quantities, canonical_json

__all__ = ["Case", "all_cases", "get_case", "as_quantities", "canonical_json", "CASE_MODULES", "case_function",
           "CHECKED_IN"]

CASE_MODULES = ["survival", "multistate", "cmprsk", "contingency", "matching", "cox", "tmerge", "survreg", "survey",
                "weighting", "matching_match"]

#: Derived functions that are checked inside the cases of another function
#: (a survfit case also compares survfit_summary, survfit_quantile and
#: survfit_table of the same fit); every other function has cases of its own.
CHECKED_IN: dict[str, str] = {
    "survfit_summary": "survfit", "survfit_quantile": "survfit", "survfit_table": "survfit",
    "coxph_summary": "coxph", "matchit_summary": "matchit", "match_data": "matchit",
    "crr_summary": "crr", "crr_predict": "crr",
}


def case_function(function: str) -> str:
    """The function whose cases exercise ``function``."""
    return CHECKED_IN.get(function, function)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for name in CASE_MODULES:
        mod = importlib.import_module(f"{__name__}.{name}")
        cases.extend(mod.CASES)
    ids = [c.id for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate case ids: {sorted(dup)}")
    return cases


def get_case(case_id: str) -> Case:
    for c in all_cases():
        if c.id == case_id:
            return c
    raise KeyError(f"no case {case_id!r}")
