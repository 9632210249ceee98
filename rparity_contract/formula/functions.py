"""A formula's own functions: R users call helpers they defined
(``ns2 <- function(x) ns(x, knots = c(45, 60, 75))``) in their formulas.

:class:`Formula` is a formula string that carries such definitions, each a
list of parameters and one R expression of the formula language (the
functions of :data:`.expr.FUNCTIONS` only, and names that are its
parameters), given as text::

    Formula("Surv(time, status) ~ x + ns2(age)",
            functions={"ns2": ("x", "ns(x, Boundary.knots = c(20, 101), knots = c(45, 60, 75))")})

Engines read the definitions as data, never as code: pyimpl substitutes the
arguments into the body, rbridge builds the R function from the parsed body
(placeholders as for every formula). The formula's labels keep the call as
written (``ns2(age)1``...), as R's do.
"""
from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ..errors import InvalidArgument
from .expr import FUNCTIONS, SPECIALS, Expr, names_in, parse_expr

__all__ = ["Formula", "FormulaFunction", "formula_functions", "allowing"]

_ALLOWED: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("rparity_formula_functions",
                                                                          default=frozenset())
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._]*$|^\.[A-Za-z_.][A-Za-z0-9._]*$")


@dataclass(frozen=True)
class FormulaFunction:
    """``name <- function(params) body``."""

    name: str
    params: tuple[str, ...]
    body: Expr
    text: str


def _definition(name: str, spec: Any) -> FormulaFunction:
    if not isinstance(name, str) or not _NAME.match(name) or name in FUNCTIONS or name in SPECIALS:
        raise InvalidArgument(f"`functions`: {name!r} must be an R name that is not a function the formula "
                              "interface has", kind="formula.function")
    if not (isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[1], str)):
        raise InvalidArgument(f"`functions[{name!r}]` must be (parameters, body): a parameter name or a tuple of "
                              f"them and the body as R text; got {spec!r}", kind="formula.function")
    params = (spec[0],) if isinstance(spec[0], str) else tuple(spec[0])
    if not params or not all(isinstance(p, str) and _NAME.match(p) for p in params) or len(set(params)) < len(params):
        raise InvalidArgument(f"`functions[{name!r}]`: parameters must be distinct R names; got {spec[0]!r}",
                              kind="formula.function")
    body = parse_expr(spec[1])
    stray = [v for v in names_in(body) if v not in params]
    if stray:
        raise InvalidArgument(f"`functions[{name!r}]`: the body reads {stray}, which are not its parameters",
                              kind="formula.function")
    return FormulaFunction(name=name, params=params, body=body, text=spec[1])


class Formula(str):
    """A formula string with its own functions (see the module)."""

    functions: Mapping[str, FormulaFunction]

    def __new__(cls, text: str, functions: Mapping[str, Any] | None = None) -> "Formula":
        obj = super().__new__(cls, text)
        defs = {}
        for name, spec in (functions or {}).items():
            defs[name] = spec if isinstance(spec, FormulaFunction) else _definition(name, spec)
        obj.functions = defs
        return obj

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:  # pickles (Dask, processes) keep them
        return (_rebuild, (str(self), {k: (f.params, f.text) for k, f in self.functions.items()}))


def _rebuild(text: str, functions: dict[str, Any]) -> Formula:
    return Formula(text, functions)


def formula_functions(formula: Any) -> Mapping[str, FormulaFunction]:
    """The functions a formula carries (none for a plain string)."""
    return getattr(formula, "functions", None) or {}


def allowed() -> frozenset[str]:
    """The formula functions the parser takes besides the built-in ones, now."""
    return _ALLOWED.get()


@contextlib.contextmanager
def allowing(names: Any) -> Iterator[None]:
    """Parse with these function names allowed (the formula's own functions)."""
    token = _ALLOWED.set(frozenset(names))
    try:
        yield
    finally:
        _ALLOWED.reset(token)
