"""Where engines are found: a read-only table of names to dotted paths, imported
lazily (the fsspec/pluggy pattern).

* built in: ``pyimpl``, ``r`` (rbridge), and the peer adapters ``lifelines``,
  ``statsmodels`` and ``sksurv`` (scikit-survival);
* third-party plugins: the entry point group ``rparity.engines``
  (``my_km = "mypkg.engine:ENGINE"``);
* at run time: :func:`register` (``clobber=False`` by default).

The contract never imports an engine by name in its source: engines are
imported here, on first use, from these paths. The harness builds its checked
``Engine`` wrappers on this table; results use :func:`derived` to reach the
derived functions of the engine that made them (``fit.summary()`` of an R fit
asks R), never another engine's.
"""
from __future__ import annotations

import importlib
from importlib import metadata
from typing import Any, Callable, cast

__all__ = ["ENTRY_POINT_GROUP", "BUILTIN", "targets", "register", "unregister", "resolve", "derived",
           "UnknownEngine"]

ENTRY_POINT_GROUP = "rparity.engines"

#: built-in engines: name -> dotted path
BUILTIN: dict[str, str] = {
    "pyimpl": "pyimpl",
    "r": "rbridge",
    "lifelines": "rparity_peers.lifelines_engine",
    "statsmodels": "rparity_peers.statsmodels_engine",
    "sksurv": "rparity_peers.sksurv_engine",
    "psmpy": "rparity_peers.psmpy_engine",
    "causalml": "rparity_peers.causalml_engine",
}
_RUNTIME: dict[str, Any] = {}


class UnknownEngine(LookupError):
    """No engine is registered under this name."""


def _entry_points() -> dict[str, str]:
    try:
        eps = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # pragma: no cover - broken installation metadata
        return {}
    return {ep.name: ep.value for ep in eps}


def targets() -> dict[str, Any]:
    """Every registered name -> its dotted path (or the registered object).
    Built-ins cannot be shadowed by entry points; run-time registrations win."""
    out: dict[str, Any] = dict(BUILTIN)
    for k, v in _entry_points().items():
        out.setdefault(k, v)
    out.update(_RUNTIME)
    return out


def register(name: str, target: Any, *, clobber: bool = False) -> None:
    """Register an engine under ``name``: a dotted path (``"pkg.mod:attr"``) or
    the object itself. ``clobber=False`` refuses to replace a registered name."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"an engine name must be a non-empty string; got {name!r}")
    if not clobber and name in targets():
        raise ValueError(f"an engine named {name!r} is already registered; pass clobber=True to replace it")
    _RUNTIME[name] = target


def unregister(name: str) -> None:
    """Remove a run-time registration (built-ins and entry points stay)."""
    _RUNTIME.pop(name, None)


def import_target(target: str) -> Any:
    """The object at ``"module"`` or ``"module:attribute.path"``."""
    mod_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(mod_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def resolve(name: str) -> Any:
    """The implementation object of engine ``name`` (imported on first use)."""
    t = targets()
    if name not in t:
        raise UnknownEngine(f"no engine is registered as {name!r}; registered: {', '.join(sorted(t))}")
    target = t[name]
    return import_target(target) if isinstance(target, str) else target


def derived(result: Any, function: str) -> Callable[..., Any]:
    """The derived function ``function`` of the engine that made ``result``.

    Raises ``NotImplementedError`` naming the engine when it is not registered
    or does not provide the function: no other engine stands in for it.
    """
    name = getattr(result, "engine", None)
    try:
        impl = resolve(str(name))
    except UnknownEngine:
        raise NotImplementedError(
            f"this result was made by engine {name!r}, which is not registered, so its {function} is not "
            f"known; call {function}(result) of an engine directly") from None
    fn = getattr(impl, function, None)
    if not callable(fn):
        raise NotImplementedError(f"engine {name!r} does not provide {function}")
    return cast(Callable[..., Any], fn)
