"""Errors of the study pipeline: bad input, named precisely.

A study's input is a spec and a cohort, not the arguments of a contract
function, so its errors are not refusals with a kind
(:data:`rparity_contract.kinds.KINDS`, which two engines compare): they are
their own class, an :class:`~rparity_contract.errors.RParityError` and a
``ValueError``, which the command line maps to exit status 2.
"""
from __future__ import annotations

from rparity_contract.errors import RParityError

__all__ = ["StudyInputError", "SpecError", "CohortError", "StudyFormatError"]


class StudyInputError(RParityError, ValueError):
    """The study cannot run on this input; the message names the setting,
    column or row, and what is wrong."""


class SpecError(StudyInputError):
    """The study spec (TOML) is malformed; the message names the key."""


class CohortError(StudyInputError):
    """The cohort CSV does not fit the spec; the message names the column and row."""


class StudyFormatError(RParityError, ValueError):
    """A study-results JSON document that this version cannot read (another
    format or version, or a malformed record); the message names the field."""
