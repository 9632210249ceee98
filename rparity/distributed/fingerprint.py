"""The fingerprint of the code that computes a task's result.

A stored result may be reused (resume) only if it would be computed the same
way now. The fingerprint is a sha256 over

* every ``.py`` and ``.R`` file of the packages ``pyimpl``, ``rbridge``,
  ``rparity`` and ``fixtures`` (relative path and bytes), and the module file
  of each engine that lives elsewhere (a plugin);
* the versions of Python, numpy, scipy, pandas and hypothesis, and the
  engines' own ``VERSION``.

R's version is not in it (the driver need not have R); each task record
carries the worker's R versions instead.

The driver computes it when it plans tasks, and each worker computes its own
before running one: a worker whose code differs from the driver's refuses the
task (the run reports it as failed) rather than mixing results of two codes.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["code_fingerprint", "PACKAGES"]

PACKAGES = ("pyimpl", "rbridge", "rparity", "fixtures")
_SUFFIXES = (".py", ".R")
_LIBRARIES = ("numpy", "scipy", "pandas", "hypothesis")


def _package_files(name: str) -> list[tuple[str, Path]]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return []
    root = Path(spec.origin).parent
    files = [p for p in root.rglob("*") if p.suffix in _SUFFIXES and "__pycache__" not in p.parts and p.is_file()]
    return sorted((f"{name}/{p.relative_to(root).as_posix()}", p) for p in files)


def _engine_module_file(engine_name: str) -> tuple[str, Path] | None:
    import rparity

    source = rparity.engine(engine_name).source
    mod_name = source.partition(":")[0] if isinstance(source, str) else ""
    if not mod_name or mod_name.split(".")[0] in PACKAGES:
        return None
    mod = sys.modules.get(mod_name) or importlib.import_module(mod_name)
    path = getattr(mod, "__file__", None)
    return (mod_name, Path(path)) if path else None


@lru_cache(maxsize=32)
def code_fingerprint(*engines: str) -> str:
    """sha256 hex digest (see the module docstring) for a run of ``engines``."""
    import rparity

    h = hashlib.sha256()
    files = [f for pkg in PACKAGES for f in _package_files(pkg)]
    for name in engines:
        extra = _engine_module_file(name)
        if extra is not None:
            files.append(extra)
    for rel, path in files:
        h.update(rel.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    versions = [f"python={sys.version.split()[0]}"]
    for lib in _LIBRARIES:
        try:
            versions.append(f"{lib}={importlib.import_module(lib).__version__}")
        except ImportError:
            versions.append(f"{lib}=-")
    versions += [f"engine:{name}={rparity.engine(name).version}" for name in engines]
    h.update("\n".join(versions).encode())
    return h.hexdigest()
