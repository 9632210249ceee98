"""Engines: objects providing some of the contract's functions.

``engine("pyimpl")`` and ``engine("r")`` are built in. An engine that lacks a
function raises ``NotImplementedError`` naming the engine; the harness reports
that as "not provided", never as a pass.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Engine", "engine", "engines", "CONTRACT_FUNCTIONS", "BUILTIN"]

CONTRACT_FUNCTIONS = (
    "survfit", "survdiff", "coxph", "cox_zph", "basehaz", "glm_logit", "matchit", "fisher_test", "chisq_test",
)

BUILTIN: dict[str, str] = {"pyimpl": "pyimpl", "r": "rbridge"}


@dataclass
class Engine:
    """A named provider of contract functions.

    ``impl`` is any object (usually a module) whose attributes are the functions.
    Attribute access returns the function, or a stub that raises
    ``NotImplementedError("<engine> does not provide <function>")``.
    """

    name: str
    impl: Any = field(repr=False)
    options: dict = field(default_factory=dict, repr=False)

    def provides(self, function: str) -> bool:
        return callable(getattr(self.impl, function, None))

    def provided(self) -> list[str]:
        return [f for f in CONTRACT_FUNCTIONS if self.provides(f)]

    def recording(self, sink: list) -> "_Recording":
        """Context manager: while active, the provenance of every result a contract
        function returns is appended to ``sink``."""
        return _Recording(self, sink)

    def __getattr__(self, function: str) -> Callable:
        if function.startswith("_"):
            raise AttributeError(function)
        fn = getattr(self.impl, function, None)
        if callable(fn):
            sinks = self.__dict__.setdefault("_sinks", [])
            if not sinks:
                return fn

            def recorded(*args: Any, **kwargs: Any) -> Any:
                res = fn(*args, **kwargs)
                prov = getattr(res, "provenance", None)
                if prov:
                    for s in sinks:
                        s.append(dict(prov))
                return res

            return recorded

        def missing(*args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(f"engine {self.name!r} does not provide {function}")

        return missing


class _Recording:
    def __init__(self, eng: Engine, sink: list):
        self.eng, self.sink = eng, sink

    def __enter__(self) -> list:
        self.eng.__dict__.setdefault("_sinks", []).append(self.sink)
        return self.sink

    def __exit__(self, *exc: Any) -> None:
        self.eng.__dict__["_sinks"].remove(self.sink)


def engine(name: str) -> Engine:
    """The engine called ``name``."""
    if name in BUILTIN:
        return Engine(name, importlib.import_module(BUILTIN[name]))
    raise KeyError(f"unknown engine {name!r}; installed: {', '.join(engines())}")


def engines() -> list[str]:
    """Names of the engines installed."""
    return sorted(BUILTIN)
