"""Model formulas in R's syntax, read once for every engine (see
:mod:`.model`); their variables are R expressions held as data (:mod:`.expr`)."""
from .expr import FUNCTIONS, SPECIALS, BinOp, Call, Const, Expr, Name, Unary, deparse, names_in, parse_expr, r_name
from .functions import Formula, FormulaFunction, formula_functions
from .model import Dot, FormulaNode, ModelFormula, Op, Response, formula_tree, parse_formula

__all__ = ["FUNCTIONS", "SPECIALS", "BinOp", "Call", "Const", "Expr", "Name", "Unary", "deparse", "names_in",
           "parse_expr", "r_name", "ModelFormula", "Response", "parse_formula", "formula_tree", "Op", "Dot",
           "FormulaNode", "Formula", "FormulaFunction", "formula_functions"]
