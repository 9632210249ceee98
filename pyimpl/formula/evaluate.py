"""A formula's variables evaluated on the data, with R's semantics.

Each :class:`~rparity_contract.formula.Expr` is walked (never ``eval``-ed) to
a :class:`~pyimpl.design.Term`: numeric (doubles, NaN for NA), logical (codes
0/1, -1 for NA) or factor (codes into levels). What R does, done here:

* arithmetic on numbers and logicals (``TRUE`` is 1); on a factor R warns
  "not meaningful for factors" and gives NA: refused here (kind ``X.type``);
* ``log``/``sqrt`` of a negative number give NaN with R's warning "NaNs
  produced" (the row is then dropped by ``na.omit``, as in R);
* comparisons give logicals (a factor compares by its labels); ``& | !``
  follow R's three-valued logic with NA;
* ``factor(x)``: levels the sorted distinct values (numbers numerically,
  labelled as ``as.character``; strings by code point, R's C-locale order;
  a factor keeps its level order and drops unused levels), ``levels=`` as
  given; ``as.factor`` keeps every level of a factor; ``relevel(f, ref=)``;
  ``as.numeric``/``as.integer`` of a factor are its level numbers (1, 2...);
* ``strata(a, b)``: the combinations that occur, first variable slowest
  (survival's ``strata()``), labelled "a=1, b=x" ("x=1" for one variable
  that is not a factor; a factor's own levels when it is the only one).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.formula import BinOp, Call, Const, Expr, Name, Unary, deparse

from .. import _libm
from .._rformat import r_label
from ..design import Term, _read_column

__all__ = ["evaluate", "expand", "Scalar", "combine", "labelled_factor"]

Scalar = float | str | bool
Value = Term | Scalar


def _numeric(v: Value, where: str) -> np.ndarray | float:
    """A value as doubles (logicals as 0/1, NA as NaN)."""
    if isinstance(v, Term):
        if v.kind == "numeric":
            assert v.values is not None
            return v.values
        if v.kind == "logical":
            assert v.codes is not None
            return np.where(v.codes < 0, np.nan, v.codes.astype(float))
        if v.kind == "matrix":
            raise InvalidArgument(f"`formula` term {where!r}: arithmetic on a matrix-valued term such as poly() "
                                  "is not implemented", kind="formula.function")
        raise InvalidArgument(f"`formula` term {where!r}: arithmetic on a factor (R: 'not meaningful for "
                              "factors')", kind="X.type")
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    raise InvalidArgument(f"`formula` term {where!r}: arithmetic on a string (R: 'non-numeric argument to "
                          "binary operator')", kind="X.type")


def _num_term(name: str, x: np.ndarray | float, n: int) -> Term:
    arr = np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()
    return Term(name, "numeric", values=arr)


def _logical(name: str, values: np.ndarray, missing: np.ndarray) -> Term:
    codes = np.where(missing, -1, values.astype(np.intp))
    return Term(name, "logical", codes=codes, levels=("FALSE", "TRUE"))


def _as_logical(v: Value, where: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) of a logical operand (numbers: != 0, as R)."""
    if isinstance(v, Term) and v.kind == "logical":
        assert v.codes is not None
        return v.codes == 1, v.codes < 0
    x = np.broadcast_to(np.asarray(_numeric(v, where), dtype=float), (n,))
    return x != 0, np.isnan(x)


def _labels(v: Term) -> np.ndarray:
    """A factor's or logical's labels per row (None for NA)."""
    assert v.codes is not None
    lv = np.array(list(v.levels) + [None], dtype=object)
    return lv[np.where(v.codes < 0, len(v.levels), v.codes)]


def _compare(op: str, a: Value, b: Value, where: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    fns: dict[str, Callable[[Any, Any], Any]] = {
        "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y}
    if isinstance(a, Term) and a.kind == "factor" or isinstance(b, Term) and b.kind == "factor" \
            or isinstance(a, str) or isinstance(b, str):
        if op not in ("==", "!="):
            raise InvalidArgument(f"`formula` term {where!r}: {op} on a factor or string (R: 'not meaningful "
                                  "for factors' / string order depends on the locale)", kind="X.type")
        la = _labels(a) if isinstance(a, Term) and a.kind != "numeric" else a
        lb = _labels(b) if isinstance(b, Term) and b.kind != "numeric" else b
        if isinstance(la, Term) or isinstance(lb, Term):
            raise InvalidArgument(f"`formula` term {where!r}: compares a factor with numbers", kind="X.type")
        xa = np.broadcast_to(np.asarray(la, dtype=object), (n,))
        xb = np.broadcast_to(np.asarray(lb, dtype=object), (n,))
        miss = np.array([p is None or q is None for p, q in zip(xa, xb)], dtype=bool)
        vals = np.array([False if m else fns[op](p, q) for p, q, m in zip(xa, xb, miss)], dtype=bool)
        return vals, miss
    xa = np.broadcast_to(np.asarray(_numeric(a, where), dtype=float), (n,))
    xb = np.broadcast_to(np.asarray(_numeric(b, where), dtype=float), (n,))
    miss = np.isnan(xa) | np.isnan(xb)
    with np.errstate(invalid="ignore"):
        vals = np.asarray(fns[op](xa, xb), dtype=bool) & ~miss
    return vals, miss


def _nan_warning(fn: str, x: np.ndarray, out: np.ndarray) -> None:
    if np.any(np.isnan(out) & ~np.isnan(x)):
        warnings.warn(RParityWarning("NaNs produced"), stacklevel=4)


def _factor_of(v: Value, name: str, *, keep_levels: bool, levels: list[str] | None = None) -> Term:
    """``factor(x)`` (``keep_levels``: ``as.factor``)."""
    if not isinstance(v, Term):
        raise InvalidArgument(f"`formula` term {name!r}: factor() of a constant", kind="X.type")
    if v.kind == "matrix":
        raise InvalidArgument(f"`formula` term {name!r}: a matrix-valued term ({v.name}) cannot be a factor, a "
                              "stratum or a group of curves (R fails on it)", kind="formula.function")
    if v.kind == "numeric":
        assert v.values is not None
        ok = ~np.isnan(v.values)
        uniq = np.unique(v.values[ok])
        labels = [r_label(float(u)) for u in uniq]
        codes = np.full(v.values.size, -1, dtype=np.intp)
        codes[ok] = np.searchsorted(uniq, v.values[ok])
        t = Term(name, "factor", codes=codes, levels=tuple(labels))
    else:
        assert v.codes is not None
        t = Term(name, "factor", codes=v.codes, levels=v.levels)
        if not keep_levels:
            used = np.unique(t.codes[t.codes >= 0])  # type: ignore[index]
            remap = np.full(len(t.levels) + 1, -1, dtype=np.intp)
            remap[used] = np.arange(used.size)
            t = Term(name, "factor", codes=remap[np.where(v.codes < 0, len(t.levels), v.codes)],
                     levels=tuple(t.levels[i] for i in used))
    if levels is not None:
        lab = _labels(t)
        index = {lv: i for i, lv in enumerate(levels)}
        codes = np.array([index.get(x, -1) if x is not None else -1 for x in lab], dtype=np.intp)
        t = Term(name, "factor", codes=codes, levels=tuple(levels))
    return t


def labelled_factor(v: Term, label: str) -> Term:
    """``v`` as a factor of the levels that occur, each labelled ``label=level``
    (survival's ``strata()`` of a named variable; survdiff's groups)."""
    f = _factor_of(v, label, keep_levels=False)
    return Term(label, "factor", codes=f.codes, levels=tuple(f"{label}={lv}" for lv in f.levels))


def _const_list(e: Expr, where: str) -> list[str]:
    items = e.args if isinstance(e, Call) and e.fn == "c" else (e,)
    out = []
    for a in items:
        if not isinstance(a, Const):
            raise InvalidArgument(f"`formula` term {where!r}: levels must be constants", kind="formula.syntax")
        out.append(a.value if isinstance(a.value, str) else r_label(float(a.value)))
    return [str(x) for x in out]


# exp and log as R computes them, the C library's (numpy's own differ in the last bit for a few percent of
# values: an offset(log(x)) or a one-sample survdiff's offset(exp(...)) would not be R's bit for bit)
_MATH: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": _libm.log, "log2": np.log2, "log10": np.log10, "log1p": _libm.log1p, "exp": _libm.exp,
    "sqrt": np.sqrt,
    "abs": np.abs, "floor": np.floor, "ceiling": np.ceil,
}


def _colon(a: Value, b: Value, where: str) -> np.ndarray:
    """R's ``from:to`` of two numbers (seq.c): from, from +- 1, ... up to to
    (within 1e-10), integers when from is one."""
    if isinstance(a, (Term, str, bool)) or isinstance(b, (Term, str, bool)):
        raise InvalidArgument(f"`formula` term {where!r}: ':' inside a variable's expression is R's sequence, "
                              "and pyimpl takes it between two numbers", kind="formula.value")
    x, y = float(a), float(b)  # type: ignore[arg-type]
    if math.isnan(x) or math.isnan(y):
        raise InvalidArgument(f"`formula` term {where!r}: NA/NaN argument (R's error)", kind="formula.value")
    k = int(math.floor(abs(y - x) + 1e-10))
    step = 1.0 if x <= y else -1.0
    return x + step * np.arange(k + 1, dtype=float)


def combine(terms: list[Term], name: str) -> Term:
    """Factors combined as survival's ``strata()`` combines them: the
    combinations that occur, the first factor varying slowest, labelled by
    their levels joined with ", "."""
    if len(terms) == 1:
        return terms[0]
    n = terms[0].codes.size  # type: ignore[union-attr]
    key = np.zeros(n, dtype=np.int64)
    miss = np.zeros(n, dtype=bool)
    for t in terms:
        assert t.codes is not None
        miss |= t.codes < 0
        key = key * (len(t.levels) + 1) + np.maximum(t.codes, 0)
    used = np.unique(key[~miss])
    codes = np.full(n, -1, dtype=np.intp)
    codes[~miss] = np.searchsorted(used, key[~miss])
    labels = []
    for u in used.tolist():
        parts = []
        for t in reversed(terms):
            parts.append(t.levels[u % (len(t.levels) + 1)])
            u //= len(t.levels) + 1
        labels.append(", ".join(reversed(parts)))
    return Term(name, "factor", codes=codes, levels=tuple(labels))


def _substitute(e: Expr, bound: dict[str, Expr]) -> Expr:
    """``e`` with each parameter name replaced by its argument's expression."""
    if isinstance(e, Name):
        return bound.get(e.id, e)
    if isinstance(e, Call):
        return Call(e.fn, tuple(_substitute(a, bound) for a in e.args),
                    tuple((k, _substitute(a, bound)) for k, a in e.kwargs))
    if isinstance(e, BinOp):
        return BinOp(e.op, _substitute(e.left, bound), _substitute(e.right, bound))
    if isinstance(e, Unary):
        return Unary(e.op, _substitute(e.operand, bound))
    return e


def expand(e: Expr, functions: Mapping[str, Any] | None) -> Expr:
    """A call of one of the formula's own functions as the expression it
    stands for (R's closure call: arguments matched by position, then by
    name, substituted into the body); anything else as it is."""
    while functions and isinstance(e, Call) and e.fn in functions:
        f = functions[e.fn]
        if len(e.args) > len(f.params) or set(dict(e.kwargs)) - set(f.params):
            raise InvalidArgument(f"`formula` term {deparse(e)!r}: {e.fn}() takes {', '.join(f.params)}",
                                  kind="formula.arguments")
        bound = dict(zip(f.params, e.args))
        for k, a in e.kwargs:
            if k in bound:
                raise InvalidArgument(f"`formula` term {deparse(e)!r}: {k} given twice", kind="formula.arguments")
            bound[k] = a
        missing = [p for p in f.params if p not in bound]
        if missing:
            raise InvalidArgument(f"`formula` term {deparse(e)!r}: argument {missing[0]!r} is missing, with no "
                                  "default (R's error)", kind="formula.arguments")
        e = _substitute(f.body, bound)
    return e


class _Evaluator:
    def __init__(self, data: pd.DataFrame, functions: Mapping[str, Any] | None = None):
        self.data = data
        self.n = len(data)
        self.columns: dict[str, Term] = {}
        self.functions = functions or {}

    def column(self, name: str) -> Term:
        if name not in self.columns:
            if name not in self.data.columns:
                raise InvalidArgument(f"`formula` names {name!r}, which is not a column of `data` "
                                      f"(R: object '{name}' not found)", kind="data.column")
            self.columns[name] = _read_column(name, self.data[name], "data")
        return self.columns[name]

    def term(self, e: Expr) -> Term:
        v = self.value(e)
        name = deparse(e)
        if isinstance(v, Term):
            return Term(name, v.kind, values=v.values, codes=v.codes, levels=v.levels, basis=v.basis)
        if isinstance(v, str):
            raise InvalidArgument(f"`formula` term {name!r} is a string constant", kind="X.type")
        return _num_term(name, _numeric(v, name), self.n)

    def value(self, e: Expr) -> Value:
        where = deparse(e)
        n = self.n
        if isinstance(e, Name):
            if e.id in self.data.columns:
                return self.column(e.id)
            if e.id in ("T", "F"):
                return e.id == "T"
            return self.column(e.id)
        if isinstance(e, Const):
            return e.value
        if isinstance(e, Unary):
            v = self.value(e.operand)
            if e.op == "!":
                vals, miss = _as_logical(v, where, n)
                return _logical(where, ~vals & ~miss, miss)
            x = _numeric(v, where)
            return _num_term(where, -np.asarray(x) if e.op == "-" else np.asarray(x), n) \
                if isinstance(v, Term) else (-x if e.op == "-" else x)  # type: ignore[operator]
        if isinstance(e, BinOp):
            a, b = self.value(e.left), self.value(e.right)
            if e.op in ("&", "|"):
                va, ma = _as_logical(a, where, n)
                vb, mb = _as_logical(b, where, n)
                if e.op == "&":  # FALSE & NA is FALSE
                    val = va & vb & ~ma & ~mb
                    miss = (ma | mb) & ~((~va & ~ma) | (~vb & ~mb))
                else:  # TRUE | NA is TRUE
                    val = (va & ~ma) | (vb & ~mb)
                    miss = (ma | mb) & ~val
                return _logical(where, val, miss)
            if e.op in ("==", "!=", "<", "<=", ">", ">="):
                vals, miss = _compare(e.op, a, b, where, n)
                return _logical(where, vals, miss)
            if e.op == ":":
                seq = _colon(a, b, where)
                if seq.size not in (1, n):
                    raise InvalidArgument(f"`formula` term {where!r} has {seq.size} values for {n} rows (R: "
                                          "'variable lengths differ')", kind="lengths")
                return _num_term(where, seq, n)
            xa, xb = _numeric(a, where), _numeric(b, where)
            with np.errstate(all="ignore"):
                if e.op == "+":
                    out = np.add(xa, xb)
                elif e.op == "-":
                    out = np.subtract(xa, xb)
                elif e.op == "*":
                    out = np.multiply(xa, xb)
                elif e.op == "/":
                    out = np.divide(xa, xb)
                else:  # R_pow: x^0 is 1 and 1^y is 1, even for NA/NaN
                    out = np.power(xa, xb)
                    out = np.where((np.asarray(xb) == 0) | (np.asarray(xa) == 1), 1.0, out)
            if not isinstance(a, Term) and not isinstance(b, Term):
                return float(out)
            return _num_term(where, out, n)
        assert isinstance(e, Call)
        return self.call(e, where)

    def call(self, e: Call, where: str) -> Value:
        if e.fn in self.functions:  # the formula's own function: its body with the arguments
            return self.value(expand(e, self.functions))
        fn, args, kw = e.fn, e.args, dict(e.kwargs)
        n = self.n
        if fn == "I":
            if len(args) != 1 or kw:
                raise InvalidArgument(f"`formula` term {where!r}: I() takes one argument", kind="formula.syntax")
            return self.value(args[0])
        if fn in _MATH or fn == "log":
            if fn == "log" and (len(args) == 2 or "base" in kw):
                base = args[1] if len(args) == 2 else kw["base"]
                x = np.asarray(_numeric(self.value(args[0]), where), dtype=float)
                b = float(_numeric(self.value(base), where))  # type: ignore[arg-type]
                with np.errstate(all="ignore"):
                    out = _libm.log(x) / math.log(b)
                _nan_warning(fn, x, out)
                return _num_term(where, out, n)
            if len(args) != 1 or kw:
                raise InvalidArgument(f"`formula` term {where!r}: {fn}() takes one argument here",
                                      kind="formula.syntax")
            x = np.asarray(_numeric(self.value(args[0]), where), dtype=float)
            with np.errstate(all="ignore"):
                out = _MATH[fn](x)
            _nan_warning(fn, x, out)
            return _num_term(where, out, n)
        if fn in ("pmin", "pmax"):
            if len(args) < 1 or kw:
                raise InvalidArgument(f"`formula` term {where!r}: {fn}() takes vectors", kind="formula.syntax")
            xs = [np.broadcast_to(np.asarray(_numeric(self.value(a), where), dtype=float), (n,)) for a in args]
            out = xs[0].copy()
            for x in xs[1:]:  # na.rm = FALSE: NA wins
                out = np.where(np.isnan(out) | np.isnan(x), np.nan,
                               np.minimum(out, x) if fn == "pmin" else np.maximum(out, x))
            return _num_term(where, out, n)
        if fn == "rep":  # rep(x, times): in a model frame its length must be the data's
            if not args or len(args) > 2 or set(kw) - {"times"} or (len(args) == 2 and kw):
                raise InvalidArgument(f"`formula` term {where!r}: rep() takes x and times here", kind="formula.syntax")
            x = self.value(args[0])
            times = args[1] if len(args) == 2 else kw.get("times")
            k = 1 if times is None else _numeric(self.value(times), where)
            if not isinstance(k, float) or k != int(k) or k < 0:
                raise InvalidArgument(f"`formula` term {where!r}: rep()'s times must be a count here",
                                      kind="formula.syntax")
            length = (n if isinstance(x, Term) else 1) * int(k)
            if length != n:
                raise InvalidArgument(f"`formula` term {where!r} has {length} values for {n} rows (R: 'variable "
                                      f"lengths differ (found for '{where}')')", kind="lengths")
            if isinstance(x, Term):
                return x
            if isinstance(x, bool):
                return _logical(where, np.full(n, x), np.zeros(n, dtype=bool))
            return _num_term(where, _numeric(x, where), n)
        if fn in ("factor", "as.factor"):
            if len(args) != 1 or (fn == "as.factor" and kw) or set(kw) - {"levels"}:
                raise InvalidArgument(f"`formula` term {where!r}: {fn}() takes a variable (and levels=)",
                                      kind="formula.syntax")
            levels = _const_list(kw["levels"], where) if "levels" in kw else None
            return _factor_of(self.value(args[0]), where, keep_levels=fn == "as.factor", levels=levels)
        if fn == "relevel":
            ref = kw.get("ref", args[1] if len(args) > 1 else None)
            f = self.value(args[0]) if args else None
            if not isinstance(f, Term) or f.kind != "factor" or not isinstance(ref, Const):
                raise InvalidArgument(f"`formula` term {where!r}: relevel() needs a factor and ref= a level "
                                      "(R: 'only for (unordered) factors')", kind="X.type")
            label = ref.value if isinstance(ref.value, str) else None
            if label is None:  # a number is the level's position (R)
                k = int(ref.value) - 1  # type: ignore[arg-type]
                if not 0 <= k < len(f.levels):
                    raise InvalidArgument(f"`formula` term {where!r}: ref must be an existing level",
                                          kind="X.levels")
                label = f.levels[k]
            if label not in f.levels:
                raise InvalidArgument(f"`formula` term {where!r}: 'ref' must be an existing level "
                                      f"(levels: {list(f.levels)})", kind="X.levels")
            new = [label] + [lv for lv in f.levels if lv != label]
            return _factor_of(f, where, keep_levels=True, levels=new)
        if fn in ("as.numeric", "as.integer"):
            v = self.value(args[0]) if len(args) == 1 and not kw else None
            if v is None:
                raise InvalidArgument(f"`formula` term {where!r}: {fn}() takes one argument", kind="formula.syntax")
            if isinstance(v, Term) and v.kind == "factor":
                assert v.codes is not None
                x = np.where(v.codes < 0, np.nan, v.codes + 1.0)
            else:
                x = np.asarray(_numeric(v, where), dtype=float)
                if fn == "as.integer":
                    x = np.trunc(x)
            return _num_term(where, x, n)
        if fn == "as.logical":
            v = self.value(args[0]) if len(args) == 1 and not kw else None
            if v is None or isinstance(v, Term) and v.kind == "factor":
                raise InvalidArgument(f"`formula` term {where!r}: as.logical() of a number or logical",
                                      kind="X.type")
            vals, miss = _as_logical(v, where, n)
            return _logical(where, vals & ~miss, miss)
        if fn == "poly":
            return self.poly(args, kw, where)
        if fn in ("ns", "bs"):
            return self.spline(fn, args, kw, where)
        if fn == "strata":
            return self.strata(e, where)
        if fn == "cluster":
            return self.value(args[0])
        raise InvalidArgument(f"`formula` term {where!r}: {fn}() cannot be used here", kind="formula.function")

    def poly(self, args: tuple[Expr, ...], kw: dict[str, Expr], where: str) -> Term:
        """``poly(x, degree, raw = FALSE)`` of one variable (:mod:`.poly`)."""
        from .poly import poly

        if len(args) not in (1, 2) or set(kw) - {"degree", "raw"} or (len(args) == 2 and "degree" in kw):
            raise InvalidArgument(f"`formula` term {where!r}: poly() takes one variable, degree= and raw= here "
                                  "(several variables, coefs= and simple= are not implemented)",
                                  kind="formula.function")
        dexpr = args[1] if len(args) == 2 else kw.get("degree")
        degree = 1.0 if dexpr is None else self.value(dexpr)
        if not isinstance(degree, (int, float)) or isinstance(degree, bool) or not math.isfinite(degree):
            raise InvalidArgument(f"`formula` term {where!r}: poly()'s degree must be a number",
                                  kind="formula.value")
        raw = self.value(kw["raw"]) if "raw" in kw else False
        if not isinstance(raw, (bool, int, float)) or (isinstance(raw, float) and math.isnan(raw)):
            raise InvalidArgument(f"`formula` term {where!r}: poly()'s raw must be TRUE or FALSE (R: 'argument "
                                  "is not interpretable as logical')", kind="formula.value")
        x = np.asarray(_numeric(self.value(args[0]), where), dtype=float)
        # R: if (raw) ...; 1L:degree (a fractional degree's whole part) after its checks on degree itself
        z, basis = poly(np.broadcast_to(x, (self.n,)).copy(), float(degree), bool(raw), where)
        return Term(where, "matrix", values=z, levels=tuple(str(k) for k in range(1, basis.degree + 1)),
                    basis=basis)

    def _numbers(self, e: Expr, where: str) -> list[float]:
        """A numeric constant or ``c()`` of numeric constants."""
        items = e.args if isinstance(e, Call) and e.fn == "c" else (e,)
        out = []
        for a in items:
            v = self.value(a)
            if isinstance(v, Term) or isinstance(v, str):
                raise InvalidArgument(f"`formula` term {where!r}: knots must be numeric constants here",
                                      kind="formula.value")
            out.append(float(v))
        return out

    def spline(self, fn: str, args: tuple[Expr, ...], kw: dict[str, Expr], where: str) -> Term:
        """``splines::ns(x, df, knots, intercept, Boundary.knots)`` and
        ``splines::bs(x, df, knots, degree, intercept, Boundary.knots)`` (:mod:`.splines`)."""
        from .splines import bs, ns

        names = ["df", "knots", "intercept", "Boundary.knots"] if fn == "ns" else \
            ["df", "knots", "degree", "intercept", "Boundary.knots"]
        if not args or len(args) - 1 > len(names) or set(kw) - set(names):
            raise InvalidArgument(f"`formula` term {where!r}: {fn}() takes x and {', '.join(names)}",
                                  kind="formula.function")
        given = dict(zip(names, args[1:]))
        for k, v in kw.items():
            if k in given:
                raise InvalidArgument(f"`formula` term {where!r}: {k} given twice", kind="formula.syntax")
            given[k] = v
        opts: dict = {}
        if "df" in given:
            d = self.value(given["df"])
            if not isinstance(d, (int, float)) or isinstance(d, bool):
                raise InvalidArgument(f"`formula` term {where!r}: df must be a number", kind="formula.value")
            opts["df"] = float(d)
        if "knots" in given:
            opts["knots"] = self._numbers(given["knots"], where)
        if "degree" in given:
            opts["degree"] = int(float(self.value(given["degree"])))  # type: ignore[arg-type]
        if "intercept" in given:
            opts["intercept"] = bool(self.value(given["intercept"]))
        if "Boundary.knots" in given:
            opts["boundary"] = self._numbers(given["Boundary.knots"], where)
            opts["boundary_given"] = True
        x = np.asarray(_numeric(self.value(args[0]), where), dtype=float)
        z, basis = (ns if fn == "ns" else bs)(np.broadcast_to(x, (self.n,)).copy(), where, **opts)
        return Term(where, "matrix", values=z, levels=tuple(str(k) for k in range(1, z.shape[1] + 1)),
                    basis=basis)

    def strata(self, e: Call, where: str) -> Term:
        """survival's ``strata()``: the combinations that occur, first variable slowest."""
        if e.kwargs:
            raise InvalidArgument(f"`formula` term {where!r}: strata() takes variables only here",
                                  kind="formula.special")
        fs = []
        for a in e.args:
            v = self.value(a)
            if len(e.args) > 1 or not (isinstance(v, Term) and v.kind == "factor"):
                # strata(): "x=level" except for one factor argument (its levels as they are)
                if not isinstance(v, Term):
                    raise InvalidArgument(f"`formula` term {where!r}: strata() of a constant", kind="X.type")
                fs.append(labelled_factor(v, deparse(a)))
            else:
                fs.append(_factor_of(v, deparse(a), keep_levels=False))
        out = combine(fs, where)
        return Term(where, "factor", codes=out.codes, levels=out.levels)


def evaluate(exprs: list[Expr], data: pd.DataFrame, functions: Mapping[str, Any] | None = None) -> list[Term]:
    """The expressions evaluated on every row of ``data``, as model-frame
    variables named by their R labels (``functions``: the formula's own)."""
    ev = _Evaluator(data, functions)
    return [ev.term(e) for e in exprs]
