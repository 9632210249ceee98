"""Errors of the study pipeline: bad input, named precisely.

All derive from :class:`~pyimpl.errors.InvalidArgument`, so the CLI maps them to
exit status 2 like every other bad argument.
"""
from __future__ import annotations

from pyimpl.errors import InvalidArgument

__all__ = ["StudyInputError", "SpecError", "CohortError"]


class StudyInputError(InvalidArgument):
    """The study cannot run on this input; the message names the setting,
    column or row, and what is wrong."""


class SpecError(StudyInputError):
    """The study spec (TOML) is malformed; the message names the key."""


class CohortError(StudyInputError):
    """The cohort CSV does not fit the spec; the message names the column and row."""
