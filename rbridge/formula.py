"""The formula form in R: the caller's formula as data, rebuilt in R.

The formula string is read by the contract (:func:`formula_tree`: the
operators as written, not expanded; R's ``terms()`` expands them itself) and
sent to R as nested lists; R builds the language object from them
(``rparity_lang`` in ``R/core.R``), calling only the contract's functions.
Every data column the formula reads becomes a placeholder ``v1..vk`` (all
columns when the formula has ``.``), so no caller's string is ever parsed by
R. R's labels come back in placeholders and are mapped to the caller's names
variable by variable (``log(v1)`` -> ``log(age)``, ``v2male:v3`` ->
``sexmale:ph.ecog``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.formula import (
    FUNCTIONS,
    SPECIALS,
    BinOp,
    Call,
    Const,
    Dot,
    Expr,
    Name,
    Op,
    Unary,
    deparse,
    formula_functions,
    formula_tree,
    parse_expr,
    parse_formula,
)
from rparity_contract.formula.model import FormulaNode

from ._convert import Placeholders

__all__ = ["FormulaArgs"]

#: What R may build: the contract's functions, the specials, the operators.
ALLOWED = sorted(FUNCTIONS | SPECIALS | {"~", "+", "-", "*", "/", ":", "^", "%in%", "==", "!=", "<", "<=", ">",
                                          ">=", "&", "|", "!"})


def _names(node: FormulaNode | Expr, out: list[str]) -> bool:
    """Collect the variable names of a node; True when it has a ``.``."""
    dot = False
    if isinstance(node, Dot):
        return True
    if isinstance(node, Name):
        if node.id not in out:
            out.append(node.id)
    elif isinstance(node, Op):
        for a in node.args:
            dot |= _names(a, out)
    elif isinstance(node, Call):
        for a in node.args:
            dot |= _names(a, out)
        for _, a in node.kwargs:
            dot |= _names(a, out)
    elif isinstance(node, BinOp):
        dot |= _names(node.left, out)
        dot |= _names(node.right, out)
    elif isinstance(node, Unary):
        dot |= _names(node.operand, out)
    return dot


def _node(n: FormulaNode | Expr, ph: dict[str, str]) -> dict[str, Any]:
    if isinstance(n, Dot):
        return {"k": "name", "v": "."}
    if isinstance(n, Name):
        return {"k": "name", "v": ph[n.id]}
    if isinstance(n, Const):
        v = n.value
        # R reads a number in a formula as a double (2, not 2L: the label would show it)
        return {"k": "const", "v": float(v) if isinstance(v, int) and not isinstance(v, bool) else v}
    if isinstance(n, Op):
        return _call(n.symbol, list(n.args), [], ph)
    if isinstance(n, Call):
        return _call(n.fn, list(n.args), list(n.kwargs), ph)
    if isinstance(n, BinOp):
        return _call(n.op, [n.left, n.right], [], ph)
    assert isinstance(n, Unary)
    return _call(n.op, [n.operand], [], ph)


def _call(fn: str, args: list, kwargs: list, ph: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"k": "call", "f": fn}
    items = [("", a) for a in args] + list(kwargs)
    if items:
        out["a"] = {f"a{i}": _node(a, ph) for i, (_, a) in enumerate(items)}
        out["n"] = [k for k, _ in items]
    return out


class FormulaArgs:
    """The R arguments of a formula call, and how to read R's labels back."""

    def __init__(self, formula: Any, data: Any, subset: Any):
        if not isinstance(data, pd.DataFrame):
            raise InvalidArgument(f"`data` must be a pandas DataFrame with the formula's columns; got "
                                  f"{type(data).__name__}", kind="data.type")
        text = formula if isinstance(formula, str) else getattr(formula, "text", formula)
        columns = [str(c) for c in data.columns]
        tree = formula_tree(text)
        names: list[str] = []
        dot = _names(tree, names)
        subset_tree = parse_expr(subset) if isinstance(subset, str) else None
        if subset_tree is not None:
            _names(subset_tree, names)
        if dot:
            names = names + [c for c in columns if c not in names]
        self.placeholders = {n: f"v{i + 1}" for i, n in enumerate(names)}
        back = {v: k for k, v in self.placeholders.items()}
        self.names = Placeholders(back)
        self.text = text
        # the parsed formula (its variables' labels); unknown columns are R's to report
        self.model = parse_formula(text, columns, check_columns=False)
        by_label = {}
        for e in list(self.model.variables) + list(self.model.unused):
            by_label[deparse(e, lambda n: self.placeholders.get(n, n))] = deparse(e)
        self.labels = by_label
        cols = {}
        for n, p in self.placeholders.items():
            if n in data.columns:
                cols[p] = data[n].reset_index(drop=True)
        own = formula_functions(formula)
        self.form: dict[str, Any] = {"tree": _node(tree, self.placeholders), "data": cols,
                                     "allowed": sorted(set(ALLOWED) | set(own))}
        if own:  # the formula's own functions: parameters and body, built into R functions by R
            self.form["functions"] = {name: {"params": list(f.params),
                                             "body": _node(f.body, {p: p for p in f.params})}
                                      for name, f in own.items()}
        if subset_tree is not None:
            self.form["subset_tree"] = _node(subset_tree, self.placeholders)
        elif subset is not None:
            arr = np.asarray(subset)
            if arr.dtype == bool:
                self.form["subset"] = arr
            elif arr.dtype.kind in "iu":
                self.form["subset"] = arr.astype(np.int64) + 1  # R's row numbers are 1-based
            else:
                self.form["subset"] = subset  # as it is: R accepts or refuses it

    def column(self, value: Any, data: pd.DataFrame) -> Any:
        """``weights=``/``cluster=`` naming a column: its values (R evaluates
        the name in data; here the vector goes to R)."""
        if isinstance(value, str) and value in data.columns:
            return data[value].reset_index(drop=True)
        return value

    def user_label(self, r_label: str) -> str:
        """One R coefficient or term name in the caller's names."""
        parts = r_label.split(":")
        out = []
        for part in parts:
            best = max((lb for lb in self.labels if part.startswith(lb)), key=len, default=None)
            if best is None:
                out.append(self.names.translate(part))
            else:  # the level may name a variable too (strata(v4) levels "v4=1")
                out.append(self.labels[best] + self.names.translate(part[len(best):]))
        return ":".join(out)
