"""R expressions of a model formula, as data: parsed, checked, deparsed.

A formula's variables (``log(age)``, ``I(age^2)``, ``factor(ph.ecog)``,
``status == 2``) are R expressions. Engines never evaluate them as code: pyimpl
walks the tree with R's semantics, rbridge rebuilds it in R as a language
object from these nodes (names become placeholders), so no caller's string is
ever parsed by R or by Python's ``eval``.

The text is read with Python's own parser after three rewrites that make R's
operators Python's with R's precedence (R's ``?Syntax``): ``^`` -> ``**`` (both
bind tighter than unary minus, right to left), ``&``/``|`` -> ``and``/``or``
and ``!`` -> ``not`` (R's logical operators bind looser than comparisons, as
Python's keywords do, not as Python's bit operators). R names with dots
(``ph.ecog``) come back from Python's attribute syntax; backquoted names
(`` `my var` ``) are kept whole.

:func:`deparse` writes an expression as R's ``deparse`` does: the label R
gives a model-frame variable and the prefix of its model-matrix columns
(``log(wt.loss + 30)``, ``I(age^2)``, ``I(age > 60)``): spaces around ``+ - *``,
comparisons and ``& |``, none around ``/ ^ :``, parentheses only where the
precedence needs them, numbers with up to 15 significant digits in the
shorter of fixed and scientific notation.
"""
from __future__ import annotations

import ast
import keyword
import math
import re
from dataclasses import dataclass
from typing import Callable, Union

from ..errors import InvalidArgument

__all__ = ["Expr", "Name", "Const", "Call", "BinOp", "Unary", "parse_expr", "deparse", "names_in",
           "FUNCTIONS", "SPECIALS"]


@dataclass(frozen=True)
class Name:
    """A variable: a column of the data."""

    id: str


@dataclass(frozen=True)
class Const:
    """A literal: a number, a string or TRUE/FALSE."""

    value: Union[float, int, str, bool]


@dataclass(frozen=True)
class Call:
    """A call of one of :data:`FUNCTIONS` (or a survival special)."""

    fn: str
    args: tuple["Expr", ...] = ()
    kwargs: tuple[tuple[str, "Expr"], ...] = ()


@dataclass(frozen=True)
class BinOp:
    """``left op right``; ``op`` is R's operator (``+ - * / ^ == != < <= > >= & |``)."""

    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Unary:
    """``op operand`` with ``op`` one of ``- + !``."""

    op: str
    operand: "Expr"


Expr = Union[Name, Const, Call, BinOp, Unary]

#: The functions a formula's variables may call (R's meaning; every engine
#: implements each or says it does not): arithmetic transforms, factors and
#: R's identity ``I()``. Anything else is refused by name.
FUNCTIONS: frozenset[str] = frozenset({
    "I", "log", "log2", "log10", "log1p", "exp", "sqrt", "abs", "floor", "ceiling", "round",
    "factor", "as.factor", "as.numeric", "as.integer", "as.logical", "relevel", "pmin", "pmax", "c", "rep",
    "poly", "ns", "bs",
})

#: survival's specials in a formula's right-hand side (coxph's ``specials``),
#: and the response ``Surv()``.
SPECIALS: frozenset[str] = frozenset({"strata", "cluster", "offset", "Surv"})

_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}

# R's precedence (?Syntax), higher binds tighter; unary minus sits between ^ and :
_PREC = {"|": 1, "&": 2, "!": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5,
         "*": 6, "/": 6, ":": 7, "neg": 8, "^": 9}
_RIGHT_ASSOC = {"^"}
_TIGHT = {"/", "^", ":"}  # deparsed without spaces


def _fail(text: str, why: str, kind: str = "formula.syntax") -> InvalidArgument:
    return InvalidArgument(f"`formula` term {text!r} {why}", kind=kind)


def _rewrite(text: str) -> tuple[str, dict[str, str]]:
    """R text -> Python text with R's precedence, backquoted names replaced by
    identifiers (returned as a map back to the names)."""
    quoted: dict[str, str] = {}
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":  # a string literal, as it is
            j = i + 1
            while j < len(text) and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if ch == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise _fail(text, "has an unclosed backquote")
            key = f"__bq{len(quoted)}__"
            quoted[key] = text[i + 1:j]
            out.append(key)
            i = j + 1
            continue
        if ch.isalpha() or ch == "_" or (ch == "." and not text[i + 1:i + 2].isdigit()):
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] in "._"):
                j += 1
            # R's extraction from another object, `aml$time` or `fit$coef[2]`: one variable of that name
            # (a column of data so named; it deparses as R writes the extraction)
            while text[j:j + 1] == "$" and (text[j + 1:j + 2].isalpha() or text[j + 1:j + 2] == "."):
                j += 1
                while j < len(text) and (text[j].isalnum() or text[j] in "._"):
                    j += 1
            index = re.match(r"\[\d+\]", text[j:]) if "$" in text[i:j] else None
            if index:
                j += index.end()
            ident = text[i:j]
            if "." in ident or "$" in ident or keyword.iskeyword(ident) or ident.startswith("_"):
                key = f"__bq{len(quoted)}__"  # ph.ecog, as.numeric, in: not Python names
                quoted[key] = ident
                ident = key
            out.append(ident)
            i = j
            continue
        if ch.isdigit() or ch == ".":  # a number, with R's 2L integer suffix read as 2
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "." or
                                     (text[j] in "+-" and text[j - 1] in "eE" and not text[i:j].startswith("0x"))):
                j += 1
            num = text[i:j]
            out.append(num[:-1] if num.endswith("L") else num)
            i = j
            continue
        if ch == ":":  # R's sequence (inside a variable's expression): Python's @, re-associated below
            out.append("@")
        elif ch == "^":
            out.append("**")
        elif ch in "&|":
            if text[i + 1:i + 2] == ch:  # && and ||: scalar forms, never vectorised in a model frame
                raise _fail(text, f"uses {ch * 2}; a formula's variables need the vectorised {ch}")
            out.append(" and " if ch == "&" else " or ")
        elif ch == "!" and text[i + 1:i + 2] != "=":
            out.append(" not ")
        elif ch in "{}[]$@;":
            raise _fail(text, f"uses {ch!r}, which is not part of R's formula language here (an extraction "
                              "`name$name`, or `name$name[k]`, is read as one variable of that name)")
        else:
            out.append(ch)
        i += 1
    return "".join(out), quoted


def parse_expr(text: str) -> Expr:
    """One R expression (a formula's variable, a ``Surv()`` argument, a
    ``subset``) as an :data:`Expr`; refuses anything but names, literals,
    arithmetic, comparisons, logical operators and calls of
    :data:`FUNCTIONS` and :data:`SPECIALS`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument(f"`formula` term must be an R expression; got {text!r}", kind="formula.syntax")
    py, quoted = _rewrite(text)
    try:
        tree = ast.parse(py.strip(), mode="eval")
    except SyntaxError:
        raise _fail(text, "is not an R expression this interface reads") from None
    return _convert(tree.body, text, quoted)


def _dotted(node: ast.expr) -> str | None:
    """``ph.ecog`` (Python: attribute ecog of ph) -> "ph.ecog"."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _name(raw: str, quoted: dict[str, str]) -> str:
    for key, val in quoted.items():
        raw = raw.replace(key, val)
    return raw


def _convert(node: ast.expr, text: str, quoted: dict[str, str]) -> Expr:
    def conv(n: ast.expr) -> Expr:
        return _convert(n, text, quoted)

    if isinstance(node, (ast.Name, ast.Attribute)):
        dotted = _dotted(node)
        if dotted is None:
            raise _fail(text, "is not an R expression this interface reads")
        name = _name(dotted, quoted)
        if name in ("TRUE", "FALSE"):
            return Const(name == "TRUE")
        return Name(name)
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or v is None or isinstance(v, complex):
            raise _fail(text, f"has a literal R does not write that way ({v!r})")
        if isinstance(v, (int, float, str)):
            return Const(v)
        raise _fail(text, f"has a literal R does not write that way ({v!r})")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        # R's `:` binds tighter than * and /, Python's @ as tight: a * b@c is a * (b:c) in R
        left = node.left
        if isinstance(left, ast.BinOp) and isinstance(left.op, (ast.Mult, ast.Div)):
            inner = ast.BinOp(left=left.right, op=ast.MatMult(), right=node.right)
            return BinOp(_BIN[type(left.op)], conv(left.left), conv(inner))
        return BinOp(":", conv(node.left), conv(node.right))
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        return BinOp(_BIN[type(node.op)], conv(node.left), conv(node.right))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return Unary("-", conv(node.operand))
        if isinstance(node.op, ast.UAdd):
            return Unary("+", conv(node.operand))
        if isinstance(node.op, ast.Not):
            return Unary("!", conv(node.operand))
    if isinstance(node, ast.BoolOp):
        op = "&" if isinstance(node.op, ast.And) else "|"
        out = conv(node.values[0])
        for operand in node.values[1:]:
            out = BinOp(op, out, conv(operand))
        return out
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _CMP:
            raise _fail(text, "chains comparisons, which R does not parse")
        return BinOp(_CMP[type(node.ops[0])], conv(node.left), conv(node.comparators[0]))
    if isinstance(node, ast.Call):
        fn = _dotted(node.func)
        if fn is None:
            raise _fail(text, "calls something that is not a function name")
        fn = _name(fn, quoted)
        if fn not in FUNCTIONS and fn not in SPECIALS and fn not in _user_functions():
            raise _fail(text, f"calls {fn}(), which the formula interface does not know; it takes "
                              f"{', '.join(sorted(FUNCTIONS | SPECIALS))} (or a function of the formula's "
                              "own: rparity_contract.formula.Formula)", kind="formula.function")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise _fail(text, "unpacks arguments, which R does not do")
        return Call(fn, tuple(conv(a) for a in node.args),
                    tuple((_name(str(k.arg), quoted), conv(k.value)) for k in node.keywords))
    raise _fail(text, "is not an R expression this interface reads")


def _user_functions() -> frozenset[str]:
    """The formula's own functions allowed while it is parsed (:mod:`.functions`)."""
    from .functions import allowed

    return allowed()


def names_in(e: Expr) -> list[str]:
    """The variable names an expression reads, in order of first appearance."""
    out: list[str] = []

    def walk(x: Expr) -> None:
        if isinstance(x, Name):
            if x.id not in out:
                out.append(x.id)
        elif isinstance(x, Call):
            for a in x.args:
                walk(a)
            for _, a in x.kwargs:
                walk(a)
        elif isinstance(x, BinOp):
            walk(x.left)
            walk(x.right)
        elif isinstance(x, Unary):
            walk(x.operand)

    walk(e)
    return out


_SYNTACTIC = re.compile(r"^((\.[A-Za-z_.])|[A-Za-z])[A-Za-z0-9_.]*$|^\.$")
_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL",
             "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "in"}


_EXTRACTION = re.compile(r"^((\.[A-Za-z_.])|[A-Za-z])[A-Za-z0-9_.]*(\$((\.[A-Za-z_.])|[A-Za-z])[A-Za-z0-9_.]*)+"
                         r"(\[\d+\])?$")


def r_name(name: str) -> str:
    """A name as R deparses it: backquoted unless syntactic; an extraction
    (``aml$x``, ``fit$coef[2]``) as R writes that call."""
    if _SYNTACTIC.match(name) and name not in _RESERVED or _EXTRACTION.match(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def r_number(v: float) -> str:
    """A number as R's ``deparse`` writes it: 15 significant digits, fixed or
    scientific notation whichever is shorter (fixed on a tie)."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    digits = 15
    for d in range(1, 16):  # the fewest significant digits that keep the value at 15 digits
        if float(f"{f:.{d - 1}e}") == float(f"{f:.14e}"):
            digits = d
            break
    mant, exp = f"{f:.{digits - 1}e}".split("e")
    e = int(exp)
    sci = f"{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    fixed_decimals = max(0, digits - 1 - e)
    fixed = f"{f:.{fixed_decimals}f}"
    return fixed if len(fixed) <= len(sci) else sci


def _r_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def deparse(e: Expr, rename: Callable[[str], str] | None = None) -> str:
    """R's ``deparse`` of the expression; ``rename`` maps each variable name
    (placeholders for R, or back to the caller's names)."""
    return _dep(e, rename or (lambda n: n))


def _prec(e: Expr) -> int:
    if isinstance(e, BinOp):
        return _PREC[e.op]
    if isinstance(e, Unary):
        return _PREC["!"] if e.op == "!" else _PREC["neg"]
    if isinstance(e, Const) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool) \
            and e.value < 0:
        return _PREC["neg"]
    return 100


def _dep(e: Expr, rn: Callable[[str], str]) -> str:
    if isinstance(e, Name):
        return r_name(rn(e.id))
    if isinstance(e, Const):
        if isinstance(e.value, str):
            return _r_string(e.value)
        return r_number(e.value)
    if isinstance(e, Call):
        parts = [_dep(a, rn) for a in e.args] + [f"{r_name(k)} = {_dep(v, rn)}" for k, v in e.kwargs]
        return f"{r_name(e.fn) if e.fn not in FUNCTIONS | SPECIALS else e.fn}({', '.join(parts)})"
    if isinstance(e, Unary):
        inner = _dep(e.operand, rn)
        mine = _PREC["!"] if e.op == "!" else _PREC["neg"]
        if _prec(e.operand) < mine:
            inner = f"({inner})"
        return f"{e.op}{inner}"
    p = _PREC[e.op]
    left, right = _dep(e.left, rn), _dep(e.right, rn)
    lp, rp = _prec(e.left), _prec(e.right)
    if lp < p or (lp == p and e.op in _RIGHT_ASSOC):
        left = f"({left})"
    if rp < p or (rp == p and e.op not in _RIGHT_ASSOC):
        right = f"({right})"
    sep = e.op if e.op in _TIGHT else f" {e.op} "
    return f"{left}{sep}{right}"
