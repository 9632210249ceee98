"""Engines: objects providing some of the contract's functions, checked.

Engines are found through the contract's registry
(:mod:`rparity_contract.registry`: built-ins, the ``rparity.engines`` entry
points, run-time registrations, or ``"module:attribute"``). An engine is
checked when it is loaded: it must provide at least one contract function, and
each must accept the contract's positional arguments; otherwise
:class:`PluginError` names the plugin and the problem. A plugin that fails to
import is listed by :func:`engine_status` with its import error.

Calls go through :class:`Engine`, which checks what the function returns (the
contract's result type, arrays of consistent length) and raises
:class:`EngineError` otherwise. Only contract functions can be called on an
:class:`Engine`: a misspelt name is an ``AttributeError`` naming the close
match; a contract function the engine lacks raises ``NotImplementedError``
naming the engine (reported as "not provided").
"""
from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from rparity_contract import registry
from rparity_contract.errors import RParityError
from rparity_contract.functions import FUNCTIONS, spec

__all__ = ["Engine", "EngineError", "PluginError", "UnknownName", "engine", "engines", "engine_status",
           "register_engine", "ENTRY_POINT_GROUP", "close_match"]

ENTRY_POINT_GROUP = registry.ENTRY_POINT_GROUP


class PluginError(RParityError):
    """An engine plugin cannot be used; the message names the plugin and why."""


class EngineError(RParityError):
    """An engine returned something the contract does not allow (wrong type,
    arrays of inconsistent length)."""


class UnknownName(RParityError, KeyError):
    """A name (engine, function) that is not known; the message lists the valid
    names and the closest one."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def close_match(name: str, valid: list[str] | tuple[str, ...]) -> str:
    """``" (did you mean 'x'?)"`` for the closest valid name, or ``""``."""
    m = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
    return f" (did you mean {m[0]!r}?)" if m else ""


@dataclass
class Engine:
    """A named provider of contract functions.

    ``impl`` is any object whose attributes are the functions. Optional
    attributes of ``impl`` the harness reads: ``VERSION`` (str),
    ``UNSUPPORTED`` (``{function: [argument it cannot honour, ...]}``, for
    people), ``NOT_COMPUTED`` (``{function: (quantity glob, ...)}``: values it
    leaves empty, reported as "not provided") and ``CLASSIFY_AS`` (see
    :attr:`identity`).
    """

    name: str
    impl: Any = field(repr=False)
    source: str = ""
    _sinks: list = field(default_factory=list, repr=False)

    @property
    def version(self) -> str:
        return str(getattr(self.impl, "VERSION", "") or "")

    @property
    def identity(self) -> str:
        """The engine whose known divergences and ``NOT_COMPUTED`` apply: the
        impl's ``CLASSIFY_AS`` (an engine wrapping another, such as a seeded
        fault of pyimpl) or the engine's own name."""
        return str(getattr(self.impl, "CLASSIFY_AS", "") or self.name)

    @property
    def unsupported(self) -> Mapping[str, list]:
        return dict(getattr(self.impl, "UNSUPPORTED", {}) or {})

    def provides(self, function: str) -> bool:
        return callable(getattr(self.impl, function, None))

    def provided(self) -> list[str]:
        return [f for f in FUNCTIONS if self.provides(f)]

    def recording(self, sink: list) -> "_Recording":
        """Context manager: while active, the provenance of every result a contract
        function returns is appended to ``sink``."""
        return _Recording(self, sink)

    def function(self, name: str) -> Callable:
        """Contract function ``name`` of this engine, checked."""
        if name not in FUNCTIONS:
            raise AttributeError(f"{name!r} is not a contract function{close_match(name, tuple(FUNCTIONS))}; "
                                 f"valid: {', '.join(FUNCTIONS)}")
        fn = getattr(self.impl, name, None)
        engine_name = self.name
        if not callable(fn):
            def missing(*args: Any, **kwargs: Any) -> Any:
                raise NotImplementedError(f"engine {engine_name!r} does not provide {name}")

            missing.__name__ = name
            return missing
        sinks = self._sinks

        def checked(*args: Any, **kwargs: Any) -> Any:
            res = fn(*args, **kwargs)
            _check_result(engine_name, name, res)
            prov = getattr(res, "provenance", None)
            if prov:
                for s in sinks:
                    s.append(dict(prov))
            return res

        checked.__name__ = name
        checked.__doc__ = getattr(fn, "__doc__", None)
        checked.__wrapped__ = fn  # type: ignore[attr-defined]  # inspect.signature shows the engine's own
        return checked

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.function(name)


class _Recording:
    def __init__(self, eng: Engine, sink: list):
        self.eng, self.sink = eng, sink

    def __enter__(self) -> list:
        self.eng._sinks.append(self.sink)
        return self.sink

    def __exit__(self, *exc: Any) -> None:
        self.eng._sinks.remove(self.sink)


_ROW_ARRAYS = ("n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper", "cumhaz", "std_chaz")


def _check_result(engine_name: str, function: str, res: Any) -> None:
    """The contract's result type, with per-row arrays of one length."""
    rtype = spec(function).result
    if not isinstance(res, rtype):
        want = " or ".join(t.__name__ for t in (rtype if isinstance(rtype, tuple) else (rtype,)))
        raise EngineError(f"engine {engine_name!r}: {function} returned {type(res).__name__}, not {want}")
    if function == "survfit":
        n = np.shape(res.time)
        bad = [k for k in _ROW_ARRAYS if getattr(res, k) is not None and np.shape(getattr(res, k)) != n]
        if bad:
            raise EngineError(f"engine {engine_name!r}: survfit arrays {bad} do not have the length of "
                              f"`time` ({n[0] if n else 0})")


def _validate_impl(name: str, impl: Any) -> None:
    provided = [f for f in FUNCTIONS if hasattr(impl, f)]
    if not provided:
        raise PluginError(f"engine plugin {name!r} provides none of the contract functions "
                          f"({', '.join(FUNCTIONS)})")
    for f in provided:
        fn = getattr(impl, f)
        if not callable(fn):
            raise PluginError(f"engine plugin {name!r}: `{f}` is not callable (got {type(fn).__name__})")
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        try:
            sig.bind(*FUNCTIONS[f].positional)
        except TypeError as exc:
            raise PluginError(f"engine plugin {name!r}: `{f}` must accept the positional arguments "
                              f"({', '.join(FUNCTIONS[f].positional)}); {exc}") from None


def register_engine(name: str, target: Any, *, clobber: bool = False) -> None:
    """Register an engine under ``name``: a dotted path (``"pkg.mod:attr"``) or the
    object itself (checked now)."""
    if not isinstance(target, str):
        _validate_impl(name, target)
    try:
        registry.register(name, target, clobber=clobber)
    except ValueError as exc:
        raise PluginError(str(exc)) from None


def _load(name: str, target: Any) -> Engine:
    if not isinstance(target, str):
        _validate_impl(name, target)
        return Engine(name, target, source="registered object")
    try:
        impl = registry.import_target(target)
    except ImportError as exc:
        raise PluginError(f"engine {name!r} ({target}) cannot be imported: {exc}") from exc
    except AttributeError:
        raise PluginError(f"engine {name!r}: {target} has no such attribute") from None
    _validate_impl(name, impl)
    return Engine(name, impl, source=target)


def engine(name: str | Engine) -> Engine:
    """The engine called ``name``, or the object at ``"module:attribute"``.

    An unknown name raises :class:`UnknownName` listing the registered engines
    and the closest one."""
    if isinstance(name, Engine):
        return name
    targets = registry.targets()
    if name in targets:
        return _load(name, targets[name])
    mod = name.partition(":")[0]
    try:  # a module (or module:attribute) path
        return _load(name, name)
    except PluginError as exc:
        if isinstance(exc.__cause__, ModuleNotFoundError) and exc.__cause__.name == mod:
            raise UnknownName(f"unknown engine {name!r}{close_match(name, sorted(targets))}: not registered and "
                              f"not an importable module; registered: {', '.join(sorted(targets))} "
                              "(or give module:attribute)") from None
        raise


def engines() -> list[str]:
    """Names of the engines that can be loaded here."""
    return [n for n, s in engine_status().items() if s is None]


def engine_status() -> dict[str, str | None]:
    """Every registered engine name -> None if it loads, else the reason it does not."""
    out: dict[str, str | None] = {}
    for name, target in sorted(registry.targets().items()):
        try:
            _load(name, target)
            out[name] = None
        except Exception as exc:  # noqa: BLE001 - report, never crash
            out[name] = f"{type(exc).__name__}: {exc}"
    return out
