"""Refusal parity: the pieces the bad-argument tables share, and the tests of
the tables themselves.

Each bad-argument module (``tests/survival/test_bad_input.py``,
``tests/cox/test_bad_args.py``, ``tests/matching/test_matchit_bad_input.py``,
``tests/matching/test_glm.py``, ``tests/contingency/test_bad_args.py``) keeps
up to three tables:

* ``BAD_ARGS``-style rows refused by both engines, each with pyimpl's message
  (a regex naming the argument and the value) and the refusal *kind*: pyimpl's
  :class:`InvalidArgument` must carry that kind, and R's refusal (its message
  through :data:`rparity.refusals.R_MESSAGES`) must map to the same kind;
* ``ACCEPTED_BY_BOTH``: inputs that look bad but that R reads by its own
  convention (a 1/2 status, a row with a missing value dropped...) and pyimpl
  now reads the same way: both engines answer, and the answers agree;
* ``ACCEPT_REFUSE_DIFFERENCES``: ``(function, description, call,
  pyimpl_behaviour, r_behaviour)`` rows where one engine accepts what the other
  refuses, or both refuse for different reasons. These are real divergences,
  to be fixed elsewhere; their tests assert that the difference is still there,
  so that fixing one side fails the test and the row must go.

This module holds the behaviours (:class:`Accepts`, :class:`Refuses`), the
helper that checks them, and the tests of the R-message rules the tables
needed (these run without R) and of the tables' consistency.
"""
from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from rparity.refusals import R_MESSAGES, r_kind, refusal_kind
from rparity_contract.errors import InvalidArgument, RError, RParityWarning
from rparity_contract.kinds import KINDS, UNMAPPED


@dataclass(frozen=True)
class Accepts:
    """The engine answers. ``warning``: a regex one of the result's warnings
    must match (R's wording); ``note``: what the engine makes of the input."""

    note: str = ""
    warning: str | None = None

    def __str__(self) -> str:
        out = "accepts" + (f" ({self.note})" if self.note else "")
        return out + (f", warning {self.warning!r}" if self.warning else "")


@dataclass(frozen=True)
class Refuses:
    """The engine refuses with refusal kind ``kind``; ``message`` is a regex on
    its message (R's own ``conditionMessage`` for R errors)."""

    kind: str
    message: str = ""

    def __str__(self) -> str:
        return f"refuses, kind {self.kind}" + (f": {self.message!r}" if self.message else "")


Behaviour = Accepts | Refuses


def message_of(exc: BaseException) -> str:
    """R's own message for an R error, the exception's text otherwise."""
    return exc.r_message if isinstance(exc, RError) else str(exc)


def assert_refuses(function: str, thunk: Callable[[], Any], kind: str, match: str | None = None) -> BaseException:
    """``thunk()`` must be refused with refusal ``kind`` (pyimpl's ``exc.kind``,
    or R's message mapped by the refusal table); ``match`` is searched in the
    message. Returns the exception. The engines' warnings are not shown (a
    result's warnings are checked through its ``warnings``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RParityWarning)
            thunk()
    except (InvalidArgument, RError) as exc:
        got = refusal_kind(exc, function)
        assert got == kind, f"{function}: refused with kind {got!r}, expected {kind!r}; message: {message_of(exc)!r}"
        if isinstance(exc, InvalidArgument):
            assert exc.kind == kind
        if match:
            assert re.search(match, message_of(exc)), f"{message_of(exc)!r} does not match {match!r}"
        return exc
    pytest.fail(f"{function}: accepted, expected a refusal of kind {kind!r}")


def assert_behaves(function: str, thunk: Callable[[], Any], expected: Behaviour) -> Any:
    """``thunk()`` behaves as ``expected`` (see :class:`Accepts`, :class:`Refuses`)."""
    if isinstance(expected, Refuses):
        return assert_refuses(function, thunk, expected.kind, expected.message or None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RParityWarning)
            result = thunk()
    except (InvalidArgument, RError) as exc:
        pytest.fail(f"{function}: refused ({refusal_kind(exc, function)}: {message_of(exc)!r}), expected {expected}")
    if expected.warning:
        given = tuple(getattr(result, "warnings", ()) or ())
        assert any(re.search(expected.warning, w) for w in given), \
            f"{function}: no warning matching {expected.warning!r} among {given!r}"
    return result


# -- the tables ------------------------------------------------------------------

TABLE_MODULES = ("tests.survival.test_bad_input", "tests.cox.test_bad_args", "tests.matching.test_matchit_bad_input",
                 "tests.matching.test_glm", "tests.contingency.test_bad_args")


def all_differences() -> list[tuple]:
    """Every module's ``ACCEPT_REFUSE_DIFFERENCES`` (for the closing note)."""
    out: list[tuple] = []
    for name in TABLE_MODULES:
        out.extend(getattr(importlib.import_module(name), "ACCEPT_REFUSE_DIFFERENCES", []))
    return out


def table_kinds() -> set[str]:
    """Every refusal kind the tables use (``KINDS`` in each module lists the
    kinds of its refusal rows)."""
    kinds: set[str] = set()
    for name in TABLE_MODULES:
        kinds |= set(getattr(importlib.import_module(name), "TABLE_KINDS", ()))
    for row in all_differences():
        kinds |= {b.kind for b in row[3:5] if isinstance(b, Refuses)}
    return kinds


def test_every_table_kind_is_listed():
    kinds = table_kinds()
    assert kinds, "the tables list no kinds"
    assert not kinds - set(KINDS), sorted(kinds - set(KINDS))


def test_difference_rows_are_real_differences():
    rows = all_differences()
    descriptions = [(r[0], r[1]) for r in rows]
    assert len(descriptions) == len(set(descriptions)), "a difference is listed twice"
    for function, description, call, py, r in rows:
        assert callable(call), description
        assert isinstance(py, (Accepts, Refuses)) and isinstance(r, (Accepts, Refuses)), description
        # both accepting, or both refusing with one kind, is agreement: not a difference
        assert not (isinstance(py, Accepts) and isinstance(r, Accepts)), description
        assert not (isinstance(py, Refuses) and isinstance(r, Refuses) and py.kind == r.kind), description


# -- R messages the tables needed (survival 3.5-3, MatchIt 4.5.1, R 4.2.2 stats) --------

#: (function, R's message verbatim, kind): the rules appended to R_MESSAGES for
#: these tables, and messages the same rules must not claim for other functions.
ADDED_RULES = [
    ("survdiff", "NA/NaN/Inf in foreign function call (arg 4)", "rho.value"),
    ("coxph", "NA/NaN/Inf in foreign function call (arg 3)", "time.nonfinite"),
    ("coxph", "robust must be TRUE/FALSE", "robust.type"),
    ("coxph", "timefix must be TRUE or FALSE", "control.value"),
    ("basehaz", "invalid argument type", "centered.type"),
    ("matchit", "`caliper` must be a numeric vector.", "caliper.value"),
    ("matchit", "`ratio` must be a whole number when `max.controls` is not specified.", "ratio.value"),
    ("matchit", "`distance` must be the same length as the dataset if specified as a numeric vector.",
     "distance.value"),
    ("matchit", "Missing values are not allowed in `distance`.", "distance.value"),
    ("matchit", "`replace` must be TRUE or FALSE.", "replace.type"),
    ("fisher_test", "'x' has entries too large to be integer", "table.too_large"),
    ("fisher_test", "no match", "alternative.value"),
    ("fisher_test", "argument is not interpretable as logical", "conf_int.type"),
    ("fisher_test", "non-numeric argument to mathematical function", "or.value"),
    ("chisq_test", "invalid 'x' type in 'x && y'", "correct.type"),
]

#: generic R messages the added rules are scoped away from
NOT_CLAIMED = [
    ("survfit", "NA/NaN/Inf in foreign function call (arg 4)"),
    ("cox_zph", "NA/NaN/Inf in foreign function call (arg 3)"),
    ("coxph", "invalid argument type"),
    ("chisq_test", "no match"),
    ("survfit", "no match"),
    ("chisq_test", "argument is not interpretable as logical"),
    ("coxph", "non-numeric argument to mathematical function"),
    ("fisher_test", "invalid 'x' type in 'x && y'"),
]


@pytest.mark.parametrize("function,message,kind", ADDED_RULES, ids=[f"{f}:{m[:30]}" for f, m, _ in ADDED_RULES])
def test_added_rules_map_r_messages(function, message, kind):
    assert r_kind(message, function) == kind


@pytest.mark.parametrize("function,message", NOT_CLAIMED, ids=[f"{f}:{m[:30]}" for f, m in NOT_CLAIMED])
def test_added_rules_are_scoped(function, message):
    assert r_kind(message, function) == UNMAPPED


def test_added_rules_cite_their_source():
    added = {(f, m) for f, m, _ in ADDED_RULES}
    for rule in R_MESSAGES:
        if any(rule.matches(m, f) for f, m in added):
            assert rule.source, rule.pattern
