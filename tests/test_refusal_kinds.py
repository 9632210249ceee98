"""Refusal kinds: every refusal of pyimpl says why, in the shared vocabulary,
and R's messages map to the same vocabulary."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rparity.compare import Outcome, compare_outcomes
from rparity.refusals import R_MESSAGES, r_kind, refusal_kind
from rparity_contract.errors import InvalidArgument, RError
from rparity_contract.kinds import KINDS, UNMAPPED
from rparity_contract.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[1]


def _kinds_raised(package: str):
    """(path, line, kind or None) of every InvalidArgument/ComputationError raised."""
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("InvalidArgument",
                                                                                  "ComputationError"):
                kw = {k.arg: k.value for k in node.keywords}
                value = kw.get("kind")
                yield path, node.lineno, value


def test_every_pyimpl_refusal_names_a_listed_kind():
    # kinds built from the argument's name (or passed in by the caller), checked below
    dynamic_ok = {"pyimpl/_validate.py", "pyimpl/cox/inputs.py", "pyimpl/matching/matchit.py",
                  "pyimpl/survival/survdiff.py", "pyimpl/survival/surv.py"}
    for path, line, value in _kinds_raised("pyimpl"):
        where = f"{path.relative_to(ROOT)}:{line}"
        assert value is not None, f"{where}: a refusal without a kind"
        if isinstance(value, ast.Constant):
            assert value.value in KINDS, f"{where}: kind {value.value!r} is not in rparity_contract.kinds"
        else:
            assert str(path.relative_to(ROOT)) in dynamic_ok, f"{where}: a computed kind outside the known places"


@pytest.mark.parametrize("name,problem", [("time", "type"), ("weights", "negative"), ("conf_type", "value"),
                                          ("group", "levels"), ("strange", "value")])
def test_computed_kinds_are_listed(name, problem):
    from pyimpl._validate import _kind

    assert _kind(name, problem) in KINDS


@pytest.mark.parametrize("call", [
    lambda: __import__("pyimpl").matchit(_lalonde(), "treat", ["age"], ratio=0),
    lambda: __import__("pyimpl").matchit(_lalonde(), "treat", ["age"], replace="yes"),
    lambda: __import__("pyimpl").matchit(_lalonde(), "treat", ["age"], std_caliper=1),
    lambda: __import__("pyimpl").survfit(["a", "b"], [1, 0]),
    lambda: __import__("pyimpl").survfit([1, 2], ["x", "y"]),
    lambda: __import__("pyimpl").survfit([1, 2], [1, 0], weights=["x", "y"]),
    lambda: __import__("pyimpl").coxph(_frame(), [1, 2, 3], [1, 0, 1], weights=["x", "y", "z"]),
])
def test_computed_kinds_raised_are_listed(call):
    with pytest.raises(InvalidArgument) as exc:
        call()
    assert exc.value.kind in KINDS


def _lalonde():
    import fixtures

    return fixtures.load("lalonde")


def _frame():
    import pandas as pd

    return pd.DataFrame({"x": [1.0, 2.0, 3.0]})


def test_every_r_rule_maps_to_a_listed_kind():
    for rule in R_MESSAGES:
        assert rule.kind in KINDS, rule


@pytest.mark.parametrize("message,function,kind", [
    ("Time variable is not numeric", "survfit", "time.type"),
    ("There is only 1 group", "survdiff", "group.levels"),
    ("y values must be 0 <= y <= 1", "glm_logit", "y.values"),
    ("y values must be 0 <= y <= 1", "matchit", "treat.values"),
    ("'arg' should be one of “efron”, “breslow”, “exact”", "coxph", "ties.value"),
    ("something R never said", "coxph", UNMAPPED),
])
def test_r_messages_map_to_kinds(message, function, kind):
    assert r_kind(message, function) == kind
    assert refusal_kind(RError(message), function) == kind


def test_a_bug_is_not_a_refusal():
    assert refusal_kind(ZeroDivisionError("x"), "survfit") is None
    assert refusal_kind(InvalidArgument("bad", kind="time.type"), "survfit") == "time.type"


def _refused(engine, kind):
    return Outcome(engine, error="refused", error_type="InvalidArgument", kind=kind)


@pytest.mark.parametrize("a,b,verdict", [
    (_refused("pyimpl", "time.type"), _refused("r", "time.type"), Verdict.AGREE),
    (_refused("pyimpl", "time.type"), _refused("r", "event.type"), Verdict.DIFFER),
    (_refused("pyimpl", "time.type"), _refused("r", UNMAPPED), Verdict.DIFFER),
    (_refused("pyimpl", "time.type"), Outcome("r", values={"x": 1.0}), Verdict.DIFFER),
    (Outcome("pyimpl", values={"x": 1.0}), _refused("r", "time.type"), Verdict.DIFFER),
    (Outcome("pyimpl", error="boom", error_type="ZeroDivisionError"), _refused("r", "time.type"),
     Verdict.ENGINE_ERROR),
])
def test_both_refusing_agrees_only_for_the_same_reason(a, b, verdict):
    (row,) = compare_outcomes("survfit", "c", None, a, b)
    assert row.quantity == "(outcome)" and row.verdict is verdict
    assert row.engine_refused == a.refused
