"""A conformance check third-party engines can run (``run_conformance``).

For every contract function the engine provides, call it on small bundled
inputs and check what comes back: the contract's result type, fields present,
per-row arrays of one length, and a ``ValueError`` (rparity's
``InvalidArgument`` is one) for input the contract forbids. It checks the
*shape* of an engine, not its numbers: numbers are what ``rparity check`` and
``rparity fuzz`` compare with R.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .engines import Engine, engine as get_engine

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
    s = fit.summary([0.0, 12.0])
    if list(s["time"]) != [0.0, 12.0]:
        raise AssertionError("summary(times) must return one row per requested time")
    fit.quantile([0.5])
    _expect_value_error(lambda: eng.survfit([1.0, float("nan")], [1, 0]), "survfit with a NaN time")


def _check_survdiff(eng: Engine) -> None:
    t, e, g = _aml()
    res = eng.survdiff(t, e, g)
    if not (0 <= res.pvalue <= 1):
        raise AssertionError(f"survdiff p-value {res.pvalue!r} is not a probability")
    _expect_value_error(lambda: eng.survdiff(t, e, np.zeros(t.size)), "survdiff with one group")


def _expect_value_error(call: Callable[[], Any], what: str) -> None:
    try:
        call()
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{what} must raise ValueError; raised {type(exc).__name__}: {exc}") from None
    raise AssertionError(f"{what} must raise ValueError; it returned a result")


CHECKS: dict[str, Callable[[Engine], None]] = {
    "survfit": _check_survfit,
    "survdiff": _check_survdiff,
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
