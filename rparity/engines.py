"""Engines: objects providing some of the contract's functions.

An engine is any object (usually a module) whose attributes are contract
functions (``survfit``, ``coxph``...). Engines come from a read-only registry of
names to dotted paths, imported lazily:

* built in: ``pyimpl``, ``r`` (rbridge), and the peer adapters ``lifelines`` and
  ``statsmodels``;
* third-party plugins: the entry point group ``rparity.engines``
  (``my_km = "mypkg.engine:ENGINE"``);
* at run time: :func:`register_engine` (``clobber=False`` by default);
* ad hoc: ``engine("mypkg.engine:ENGINE")``.

An engine is checked when it is loaded: it must provide at least one contract
function, and each must accept the contract's positional arguments; otherwise
:class:`PluginError` names the plugin and the problem. A plugin that fails to
import is listed by :func:`engine_status` with its import error.

Calls go through :class:`Engine`, which checks what the function returns (the
contract's result type, arrays of consistent length) and raises
:class:`EngineError` otherwise. An engine that lacks a function raises
``NotImplementedError`` naming the engine; the harness reports "not provided".
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Mapping

import numpy as np

from pyimpl.errors import RParityError

__all__ = ["Engine", "EngineError", "PluginError", "engine", "engines", "engine_status", "register_engine",
           "CONTRACT_FUNCTIONS", "RESULT_TYPES", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "rparity.engines"

#: contract function -> its positional parameters (api.md)
CONTRACT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "survfit": ("time", "event"),
    "survdiff": ("time", "event", "group"),
    "coxph": ("X", "time", "event"),
    "cox_zph": ("fit",),
    "basehaz": ("fit",),
    "concordance": ("fit",),
    "glm_logit": ("X", "y"),
    "matchit": ("data", "treat", "covariates"),
    "fisher_test": ("table",),
    "chisq_test": ("table",),
}

#: contract function -> name of its result type in ``pyimpl.results``
RESULT_TYPES: dict[str, str] = {
    "survfit": "SurvFit", "survdiff": "SurvDiff", "coxph": "CoxPH", "cox_zph": "CoxZph",
    "concordance": "Concordance", "glm_logit": "GlmLogit", "matchit": "MatchIt",
    "fisher_test": "FisherTest", "chisq_test": "ChisqTest",
}

_BUILTIN: dict[str, str] = {
    "pyimpl": "pyimpl",
    "r": "rbridge",
    "lifelines": "rparity.peers.lifelines_engine",
    "statsmodels": "rparity.peers.statsmodels_engine",
}
_RUNTIME: dict[str, Any] = {}


class PluginError(RParityError):
    """An engine plugin cannot be used; the message names the plugin and why."""


class EngineError(RParityError):
    """An engine returned something the contract does not allow (wrong type,
    arrays of inconsistent length)."""


@dataclass
class Engine:
    """A named provider of contract functions.

    ``impl`` is any object whose attributes are the functions. Optional
    attributes of ``impl`` the harness reads: ``VERSION`` (str) and
    ``UNSUPPORTED`` (``{function: [argument it cannot honour, ...]}``).
    """

    name: str
    impl: Any = field(repr=False)
    source: str = ""

    @property
    def version(self) -> str:
        return str(getattr(self.impl, "VERSION", "") or "")

    @property
    def unsupported(self) -> Mapping[str, list]:
        return dict(getattr(self.impl, "UNSUPPORTED", {}) or {})

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
        if not callable(fn):
            def missing(*args: Any, **kwargs: Any) -> Any:
                raise NotImplementedError(f"engine {self.name!r} does not provide {function}")

            return missing
        if function not in CONTRACT_FUNCTIONS:
            return fn
        sinks = self.__dict__.setdefault("_sinks", [])
        name = self.name

        def checked(*args: Any, **kwargs: Any) -> Any:
            res = fn(*args, **kwargs)
            _check_result(name, function, res)
            prov = getattr(res, "provenance", None)
            if prov:
                for s in sinks:
                    s.append(dict(prov))
            return res

        checked.__name__ = function
        checked.__doc__ = getattr(fn, "__doc__", None)
        return checked


class _Recording:
    def __init__(self, eng: Engine, sink: list):
        self.eng, self.sink = eng, sink

    def __enter__(self) -> list:
        self.eng.__dict__.setdefault("_sinks", []).append(self.sink)
        return self.sink

    def __exit__(self, *exc: Any) -> None:
        self.eng.__dict__["_sinks"].remove(self.sink)


def _check_result(engine_name: str, function: str, res: Any) -> None:
    """The contract's result type, with per-row arrays of one length."""
    import pandas as pd

    import pyimpl.results as results

    if function == "basehaz":
        if not isinstance(res, pd.DataFrame):
            raise EngineError(f"engine {engine_name!r}: basehaz returned {type(res).__name__}, "
                              "not a pandas DataFrame")
        return
    tname = RESULT_TYPES.get(function)
    rtype = getattr(results, tname, None) if tname else None
    if rtype is None:
        return  # result type not known in this build
    if not isinstance(res, rtype):
        raise EngineError(f"engine {engine_name!r}: {function} returned {type(res).__name__}, "
                          f"not {tname}")
    if function == "survfit":
        n = np.shape(res.time)
        bad = [k for k in ("n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper",
                           "cumhaz", "std_chaz") if getattr(res, k) is not None and np.shape(getattr(res, k)) != n]
        if bad:
            raise EngineError(f"engine {engine_name!r}: survfit arrays {bad} do not have the length of "
                              f"`time` ({n[0] if n else 0})")


def _validate_impl(name: str, impl: Any) -> None:
    provided = [f for f in CONTRACT_FUNCTIONS if hasattr(impl, f)]
    if not provided:
        raise PluginError(f"engine plugin {name!r} provides none of the contract functions "
                          f"({', '.join(CONTRACT_FUNCTIONS)})")
    for f in provided:
        fn = getattr(impl, f)
        if not callable(fn):
            raise PluginError(f"engine plugin {name!r}: `{f}` is not callable (got {type(fn).__name__})")
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        try:
            sig.bind(*CONTRACT_FUNCTIONS[f])
        except TypeError as exc:
            raise PluginError(f"engine plugin {name!r}: `{f}` must accept the positional arguments "
                              f"({', '.join(CONTRACT_FUNCTIONS[f])}); {exc}") from None


def _entry_points() -> dict[str, str]:
    try:
        eps = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # pragma: no cover - broken metadata
        return {}
    return {ep.name: ep.value for ep in eps}


def _targets() -> dict[str, Any]:
    out: dict[str, Any] = dict(_BUILTIN)
    for k, v in _entry_points().items():
        out.setdefault(k, v)
    out.update(_RUNTIME)
    return out


def register_engine(name: str, target: Any, *, clobber: bool = False) -> None:
    """Register an engine under ``name``: a dotted path (``"pkg.mod:attr"``) or the
    object itself (checked now)."""
    if not clobber and name in _targets():
        raise PluginError(f"an engine named {name!r} is already registered; pass clobber=True to replace it")
    if not isinstance(target, str):
        _validate_impl(name, target)
    _RUNTIME[name] = target


def _load(name: str, target: Any) -> Engine:
    if not isinstance(target, str):
        return Engine(name, target, source="registered object")
    mod_name, _, attr = target.partition(":")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as exc:
        raise PluginError(f"engine {name!r} ({target}) cannot be imported: {exc}") from exc
    impl = mod
    if attr:
        try:
            for part in attr.split("."):
                impl = getattr(impl, part)
        except AttributeError:
            raise PluginError(f"engine {name!r}: {mod_name} has no attribute {attr!r}") from None
    _validate_impl(name, impl)
    return Engine(name, impl, source=target)


def engine(name: str) -> Engine:
    """The engine called ``name``, or the object at ``"module:attribute"``."""
    if isinstance(name, Engine):
        return name
    targets = _targets()
    if name in targets:
        return _load(name, targets[name])
    if ":" in name or "." in name:
        return _load(name, name)
    raise KeyError(f"unknown engine {name!r}; installed: {', '.join(engines())}")


def engines() -> list[str]:
    """Names of the engines that can be loaded here."""
    return [n for n, s in engine_status().items() if s is None]


def engine_status() -> dict[str, str | None]:
    """Every registered engine name -> None if it loads, else the reason it does not."""
    out: dict[str, str | None] = {}
    for name, target in sorted(_targets().items()):
        try:
            _load(name, target)
            out[name] = None
        except Exception as exc:  # noqa: BLE001 - report, never crash
            out[name] = f"{type(exc).__name__}: {exc}"
    return out
