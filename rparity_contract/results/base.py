"""The base of every result type: a frozen dataclass shared by all engines.

A field that mirrors an R value is declared with :func:`rfield`, which records
the R name (``n.risk``) in the field's metadata. :meth:`Result.quantities`
returns exactly those fields; the harness compares them engine against engine.
Bookkeeping fields (``engine``, ``provenance``, ``warnings``) are not compared
and not shown in ``repr``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Result", "rfield"]


def rfield(r_name: str, *, default: Any = dataclasses.MISSING, doc: str = "") -> Any:
    """A result field mirroring R's value ``r_name`` (e.g. ``"n.risk"``)."""
    meta = {"r": r_name, "doc": doc}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True, eq=False)
class Result:
    """Common bookkeeping of every result.

    Attributes
    ----------
    engine : str
        Name of the engine that produced the result (``"pyimpl"``, ``"r"``, ...).
    provenance : mapping or None
        For results that came from R: R, package and BLAS/LAPACK versions and the
        call. ``None`` for pure-Python engines.
    warnings : tuple of str
        Warnings raised while computing the result, with the engine's wording
        (pyimpl uses R's wording verbatim).
    """

    engine: str = field(default="pyimpl", repr=False)
    provenance: Mapping[str, Any] | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def r_fields(cls) -> dict[str, str]:
        """``{field name: R name}`` for every field that mirrors an R value."""
        return {f.name: f.metadata["r"] for f in dataclasses.fields(cls) if "r" in f.metadata}

    def quantities(self) -> dict[str, Any]:
        """The values of the R-mirroring fields, by field name."""
        return {name: getattr(self, name) for name in self.r_fields()}

    def evolve(self, **changes: Any) -> "Result":
        """A copy with some fields changed (``dataclasses.replace``; not named
        ``replace``, which is an R option and a field of ``MatchIt``)."""
        return dataclasses.replace(self, **changes)
