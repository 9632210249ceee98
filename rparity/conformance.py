"""A conformance check third-party engines can run (``run_conformance``).

For every contract function the engine provides, call it on small bundled
inputs and check what comes back: the contract's result type, fields present,
per-row arrays of one length, and, for input R refuses, a refusal that says why
(an :class:`~rparity_contract.errors.InvalidArgument` with the refusal kind R's
message maps to). It checks the *shape* of an engine, not its numbers: numbers
are what ``rparity check`` and ``rparity fuzz`` compare with R.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .engines import Engine
from .engines import engine as get_engine
from .refusals import refusal_kind

__all__ = ["ConformanceReport", "run_conformance"]


@dataclass
class ConformanceReport:
    engine: str
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        lines = [f"conformance of engine {self.engine!r}: {len(self.passed)} passed, "
                 f"{len(self.failed)} failed, {len(self.skipped)} not provided"]
        lines += [f"  FAIL {name}: {why}" for name, why in self.failed]
        return "\n".join(lines)


def _aml():
    import fixtures

    d = fixtures.load("aml")
    return d.time.to_numpy(float), d.status.to_numpy(float), d.x


def _check_survfit(eng: Engine) -> None:
    t, e, _ = _aml()
    fit = eng.survfit(t, e)
    q = fit.quantities()
    missing = [k for k in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper",
                           "cumhaz", "std_chaz") if k not in q]
    if missing:
        raise AssertionError(f"survfit result lacks {missing}")
    if not np.all(np.diff(fit.time) > 0):
        raise AssertionError("survfit times must be strictly increasing")
    if eng.provides("survfit_summary"):
        s = eng.survfit_summary(fit, [0.0, 12.0])
        if list(s["time"]) != [0.0, 12.0]:
            raise AssertionError("survfit_summary(times) must return one row per requested time")
    if eng.provides("survfit_quantile"):
        eng.survfit_quantile(fit, [0.5])
    _expect_refusal(lambda: eng.survfit(["a", "b"], [1, 0]), "survfit with text times", "time.type", "survfit")


def _check_survdiff(eng: Engine) -> None:
    t, e, g = _aml()
    res = eng.survdiff(t, e, g)
    if not (0 <= res.pvalue <= 1):
        raise AssertionError(f"survdiff p-value {res.pvalue!r} is not a probability")
    _expect_refusal(lambda: eng.survdiff(t, e, np.zeros(t.size)), "survdiff with one group", "group.levels",
                    "survdiff")


def _check_fisher(eng: Engine) -> None:
    res = eng.fisher_test([[3, 1], [1, 3]])
    if not (0 <= res.pvalue <= 1):
        raise AssertionError(f"fisher_test p-value {res.pvalue!r} is not a probability")
    eng.fisher_test([[2, 2, 0], [7, 7, 3], [8, 1, 2]])
    _expect_refusal(lambda: eng.fisher_test([[3, -1], [1, 3]]), "fisher_test with a negative count", "table.values",
                    "fisher_test")


def _check_chisq(eng: Engine) -> None:
    res = eng.chisq_test([[12, 7], [5, 7]])
    if np.shape(res.expected) != (2, 2):
        raise AssertionError("chisq_test expected counts must have the table's shape")
    _expect_refusal(lambda: eng.chisq_test([[-1, 2], [3, 4]]), "chisq_test with a negative count", "table.values",
                    "chisq_test")


def _lalonde():
    import fixtures

    return fixtures.load("lalonde")


def _check_glm(eng: Engine) -> None:
    d = _lalonde()
    fit = eng.glm_logit(d[["age", "educ", "married"]], d["treat"])
    if np.shape(fit.fitted) != (len(d),):
        raise AssertionError("glm_logit fitted values must have one value per row")
    _expect_refusal(lambda: eng.glm_logit(d[["age"]], d["age"]), "glm_logit with a response outside [0, 1]",
                    "y.values", "glm_logit")


def _check_matchit(eng: Engine) -> None:
    d = _lalonde()
    m = eng.matchit(d, "treat", ["age", "educ", "married"])
    if np.shape(m.distance) != (len(d),):
        raise AssertionError("matchit distance must have one value per row")
    if eng.provides("matchit_summary"):
        eng.matchit_summary(m)
    _expect_refusal(lambda: eng.matchit(d, "age", ["educ"]), "matchit with a non-binary treatment", "treat.binary",
                    "matchit")


def _expect_refusal(call: Callable[[], Any], what: str, kind: str, function: str) -> None:
    """R refuses this input with refusal kind ``kind``: so must the engine."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        got = refusal_kind(exc, function)
        if got == kind:
            return
        raise AssertionError(f"{what} must be refused as R refuses it (kind {kind!r}); raised "
                             f"{type(exc).__name__} of kind {got!r}: {exc}") from None
    raise AssertionError(f"{what} must be refused as R refuses it (kind {kind!r}); it returned a result")


CHECKS: dict[str, Callable[[Engine], None]] = {
    "survfit": _check_survfit,
    "survdiff": _check_survdiff,
    "fisher_test": _check_fisher,
    "chisq_test": _check_chisq,
    "glm_logit": _check_glm,
    "matchit": _check_matchit,
}


def run_conformance(engine: Any) -> ConformanceReport:
    """Check engine (a name, ``"module:attribute"`` or an :class:`Engine`)."""
    eng = get_engine(engine) if not isinstance(engine, Engine) else engine
    rep = ConformanceReport(eng.name)
    for fn, check in CHECKS.items():
        if not eng.provides(fn):
            rep.skipped.append(fn)
            continue
        try:
            check(eng)
        except Exception as exc:  # noqa: BLE001
            msg = f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, AssertionError):
                msg += " | " + traceback.format_exc(limit=3).strip().splitlines()[-1]
            rep.failed.append((fn, msg))
        else:
            rep.passed.append(fn)
    return rep
