"""A model formula, read once for every engine: response, terms, specials.

``Surv(time, status) ~ age + sex * ph.ecog + strata(inst) + cluster(id) +
offset(log(x))`` is parsed by formulaic's R-style formula grammar (``+ - * /
: ^ %in% .``, ``- 1`` and ``+ 0``, parentheses), then arranged as R's
``terms.formula`` arranges it:

* **variables** (R's ``attr(terms, "variables")``): each distinct expression
  (``age``, ``log(x + 1)``, ``strata(inst)``), in order of first appearance in
  the formula, response first;
* **terms**: sets of variables, ordered by degree (main effects, then two-way
  interactions...), in the order of the expanded formula within a degree;
  a term's label joins its variables in variable order (``b:a`` when ``b``
  appears first), as R's ``term.labels``;
* **factor codes** (R's ``attr(terms, "factors")``, ``TermCode`` in R's
  ``model.c``): in a term, a variable is coded by contrasts (1) when the term
  without it is empty or contained in an earlier term, else by indicators of
  every level (2).

The specials of survival are picked out: ``strata()`` (a term, possibly in
interactions), ``cluster()`` (one variable, never in an interaction), and
``offset()`` (not a term: summed into the offset). ``.`` stands for every
column of the data not used by the response.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import InvalidArgument
from .expr import SPECIALS, BinOp, Call, Const, Expr, Name, Unary, deparse, names_in, parse_expr

__all__ = ["ModelFormula", "Response", "parse_formula", "formula_tree", "Op", "Dot", "FormulaNode"]


@dataclass(frozen=True)
class Response:
    """``Surv(time, event)``, ``Surv(time)`` or ``Surv(start, stop, event)``:
    the argument expressions, in R's order."""

    args: tuple[Expr, ...]
    surv: bool = True  # False: another response (``y ~ x``), one expression in ``args``
    #: ``Surv(..., type = )`` as written (None: not given); "left", "interval"
    #: (time, time2, event 0-3) and "interval2" (time, time2) only survreg reads
    #: (``pyimpl.formula.model_frame``'s ``surv_types`` refuses them elsewhere)
    type: str | None = None

    @property
    def counting(self) -> bool:
        """``Surv(start, stop, event)``: counting-process data."""
        return self.surv and len(self.args) == 3 and self.type in (None, "counting")

    @property
    def interval(self) -> bool:
        """``type = "interval"`` or ``"interval2"``: a second time, the upper bound."""
        return self.type in ("interval", "interval2")

    @property
    def time(self) -> Expr:
        return self.args[1] if self.counting else self.args[0]

    @property
    def time2(self) -> Expr | None:
        return self.args[1] if self.interval else None

    @property
    def start(self) -> Expr | None:
        return self.args[0] if self.counting else None

    @property
    def event(self) -> Expr | None:
        if self.counting or self.type == "interval":
            return self.args[2]
        if self.type == "interval2":
            return None
        return self.args[1] if len(self.args) == 2 else None


@dataclass(frozen=True)
class ModelFormula:
    """A parsed model formula (see the module's docstring).

    ``terms`` hold indices into ``variables``; ``codes[k][j]`` is the factor
    code (1 contrasts, 2 indicators) of the j-th variable of term k;
    ``strata``/``cluster`` are indices of the special variables; ``offsets``
    the expressions inside ``offset()`` terms.
    """

    text: str
    response: Response | None
    variables: tuple[Expr, ...]
    terms: tuple[tuple[int, ...], ...]
    codes: tuple[tuple[int, ...], ...]
    intercept: bool
    strata: tuple[int, ...] = ()
    cluster: int | None = None
    offsets: tuple[Expr, ...] = ()
    unused: tuple[Expr, ...] = ()  # variables of the formula in no term (``- x``): still in the model frame
    functions: Mapping[str, Any] = field(default_factory=dict)  # the formula's own (.functions.Formula)

    def label(self, k: int) -> str:
        """R's ``term.labels[k]``."""
        return ":".join(self.variable_label(j) for j in self.terms[k])

    def variable_label(self, j: int) -> str:
        return deparse(self.variables[j])

    @property
    def term_labels(self) -> tuple[str, ...]:
        return tuple(self.label(k) for k in range(len(self.terms)))

    def special_terms(self, which: str) -> tuple[int, ...]:
        """Terms that contain the special ``which`` (R's ``untangle.specials``)."""
        idx = set(self.strata) if which == "strata" else ({self.cluster} if self.cluster is not None else set())
        return tuple(k for k, t in enumerate(self.terms) if idx & set(t))

    def data_names(self) -> list[str]:
        """Every data column the formula reads, in order of appearance."""
        out: list[str] = []
        exprs = list(self.response.args if self.response else ()) + list(self.variables) + list(self.offsets) \
            + list(self.unused)
        for e in exprs:
            for n in names_in(e):
                if n not in out:
                    out.append(n)
        return out


def _response(expr_text: str) -> Response:
    e = parse_expr(expr_text)
    if not (isinstance(e, Call) and e.fn == "Surv"):
        return Response((e,), surv=False)
    stype = None
    if e.kwargs:
        allowed = {"time", "time2", "event", "type", "origin"}
        bad = [k for k, _ in e.kwargs if k not in allowed]
        if bad or any(k == "origin" for k, _ in e.kwargs):
            raise InvalidArgument(f"`formula` response {expr_text!r}: Surv() here takes its arguments by "
                                  "position (time, event) or (start, stop, event), and type=", kind="formula.response")
        byname = dict(e.kwargs)
        if "type" in byname:
            t = byname["type"]
            types = ("right", "left", "interval", "counting", "interval2")
            hits = [k for k in types if isinstance(t, Const) and isinstance(t.value, str) and t.value
                    and k.startswith(t.value)] if not (isinstance(t, Const) and t.value in types) else [t.value]
            if len(hits) != 1:
                raise InvalidArgument(f"`formula` response {expr_text!r}: Surv()'s type must be one of {list(types)} "
                                      "(multi-state data, 'mstate', are not in the contract)",
                                      kind="formula.response")
            stype = str(hits[0])
        args = list(e.args) + [byname[k] for k in ("time", "time2", "event") if k in byname]
    else:
        args = list(e.args)
    if not 1 <= len(args) <= 3:
        raise InvalidArgument(f"`formula` response {expr_text!r} has {len(args)} arguments; Surv() takes 1 to 3",
                              kind="formula.response")
    need = {"right": 2, "left": 2, "interval2": 2, "interval": 3, "counting": 3}
    if stype is not None and len(args) != need[stype]:
        raise InvalidArgument(f"`formula` response {expr_text!r}: type {stype!r} takes {need[stype]} arguments; "
                              f"got {len(args)} (R: 'Wrong number of args for this type of survival data')",
                              kind="formula.response")
    return Response(tuple(args), type=stype)


def _check_special(e: Expr, text: str) -> None:
    """Specials only at the top of a variable (R: ``log(strata(x))`` is no special)."""
    def walk(x: Expr, top: bool) -> None:
        if isinstance(x, Call):
            if x.fn in ("strata", "cluster", "offset", "Surv") and not top:
                raise InvalidArgument(f"`formula` term {text!r}: {x.fn}() must be a term of its own",
                                      kind="formula.special")
            for a in x.args:
                walk(a, False)
            for _, a in x.kwargs:
                walk(a, False)
        elif isinstance(x, BinOp):
            walk(x.left, False)
            walk(x.right, False)
        elif isinstance(x, Unary):
            walk(x.operand, False)
    walk(e, True)


def parse_formula(text: str, columns: Sequence[str] | None = None, *, check_columns: bool = True) -> ModelFormula:
    """Parse ``text`` (R's formula syntax) into a :class:`ModelFormula`
    (see :func:`_parse_formula`); a :class:`.functions.Formula` brings its own
    functions along."""
    from .functions import allowing, formula_functions

    funcs = formula_functions(text)
    with allowing(funcs):
        mf = _parse_formula(str(text), columns, check_columns=check_columns)
    return dataclasses.replace(mf, functions=dict(funcs)) if funcs else mf


def _parse_formula(text: str, columns: Sequence[str] | None = None, *, check_columns: bool = True) -> ModelFormula:
    """Parse ``text`` (R's formula syntax) into a :class:`ModelFormula`.

    ``columns`` are the data's column names: ``.`` needs them, and every name
    the formula reads must be one of them (an unknown name is refused here,
    naming it, before any engine runs)."""
    text = _quote_extractions(text)
    try:
        from formulaic.errors import FormulaicError
        from formulaic.parser import DefaultFormulaParser
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise InvalidArgument(f"the formula interface needs formulaic ({exc})", kind="formula.syntax") from None
    if not isinstance(text, str) or "~" not in text:
        raise InvalidArgument(f"`formula` must be an R formula as a string, 'Surv(time, status) ~ x + ...'; "
                              f"got {text!r}", kind="formula.syntax")
    cols = [str(c) for c in columns] if columns is not None else None
    _check_characters(text)
    lhs_text, _, rhs_text = text.partition("~")
    response = _response(lhs_text.strip()) if lhs_text.strip() else None
    used_by_response = set(n for a in (response.args if response else ()) for n in names_in(a))
    context = None
    if cols is not None:
        context = {"__formulaic_variables_available__": [c for c in cols if c not in used_by_response]}
    parser = DefaultFormulaParser()
    masked, calls = _mask_calls(rhs_text)
    try:
        tokens = parser.get_tokens(masked)
        parsed = parser.get_terms(masked, context=context)
    except FormulaicError as exc:
        msg = str(exc).splitlines()[0]
        raise InvalidArgument(f"`formula` {text!r} cannot be read: {msg}", kind="formula.syntax") from None
    if not hasattr(parsed, "__iter__") or getattr(parsed, "_has_structure", False):
        raise InvalidArgument(f"`formula` {text!r} has parts ('|') that R's survival formulas do not have",
                              kind="formula.syntax")
    # variables in order of first appearance (R's ExtractVars): the token order
    # of the right-hand side, then any variable only `.` produced, in data order
    order: dict[str, int] = {}
    mentioned: dict[str, Expr] = {}
    for tok in tokens:
        if tok.kind.value in ("name", "python"):
            key, e = _token_expr(str(tok), tok.kind.value, calls)
            order.setdefault(key, len(order))
            mentioned.setdefault(key, e)
        elif str(tok) == "." and context is not None:
            for c in context["__formulaic_variables_available__"]:
                key = deparse(Name(c))
                order.setdefault(key, len(order))
                mentioned.setdefault(key, Name(c))
    exprs: dict[str, Expr] = {}
    raw_terms: list[list[str]] = []
    intercept = False
    offsets: list[Expr] = []
    for term in parsed:
        factors = list(term.factors)
        if len(factors) == 1 and factors[0].eval_method.value == "literal":
            if str(factors[0].expr) == "1":
                intercept = True
                continue
            raise InvalidArgument(f"`formula` {text!r}: the literal term {factors[0].expr!r} is not R's",
                                  kind="formula.syntax")
        keys: list[str] = []
        for f in factors:
            src = str(f.expr)
            e = _leaf(src, "name" if f.eval_method.value == "lookup" else "python", calls)
            src = calls.get(src, src)
            _check_special(e, src)
            key = deparse(e)
            exprs.setdefault(key, e)
            order.setdefault(key, len(order) + 10_000)
            keys.append(key)
        if len(keys) == 1 and isinstance(exprs[keys[0]], Call) and exprs[keys[0]].fn == "offset":  # type: ignore
            off = exprs.pop(keys[0])
            assert isinstance(off, Call)
            if len(off.args) != 1 or off.kwargs:
                raise InvalidArgument(f"`formula` term {keys[0]!r}: offset() takes one expression",
                                      kind="formula.special")
            offsets.append(off.args[0])
            continue
        for k in keys:
            e = exprs[k]
            if isinstance(e, Call) and e.fn in ("offset", "Surv"):
                raise InvalidArgument(f"`formula` term {k!r}: {e.fn}() cannot be in an interaction",
                                      kind="formula.special")
        raw_terms.append(keys)
    names = sorted(exprs, key=lambda k: order.get(k, 10**9))
    index = {k: i for i, k in enumerate(names)}
    variables = tuple(exprs[k] for k in names)
    seen: list[tuple[int, ...]] = []
    for keys in raw_terms:
        t = tuple(sorted({index[k] for k in keys}))
        if t not in seen:
            seen.append(t)
    terms = sorted(seen, key=len)  # by degree; stable within a degree (R's keep.order = FALSE)
    codes = tuple(tuple(_term_code(terms, k, j) for j in t) for k, t in enumerate(terms))
    strata = tuple(i for i, e in enumerate(variables) if isinstance(e, Call) and e.fn == "strata")
    clusters = [i for i, e in enumerate(variables) if isinstance(e, Call) and e.fn == "cluster"]
    if len(clusters) > 1:
        raise InvalidArgument(f"`formula` {text!r} has several cluster() terms (R: 'a formula cannot have "
                              "multiple cluster terms')", kind="formula.special")
    cluster = clusters[0] if clusters else None
    if cluster is not None and any(cluster in t and len(t) > 1 for t in terms):
        raise InvalidArgument(f"`formula` {text!r}: cluster() cannot be in an interaction (R's message)",
                              kind="formula.special")
    for i in strata + tuple(clusters):
        e = variables[i]
        assert isinstance(e, Call)
        if not e.args or (e.fn == "cluster" and len(e.args) != 1):
            need = "one variable" if e.fn == "cluster" else "variables"
            raise InvalidArgument(f"`formula` term {deparse(e)!r} needs {need}", kind="formula.special")
    offset_keys = {deparse(Call("offset", (o,))) for o in offsets}
    unused = tuple(e for k, e in sorted(mentioned.items(), key=lambda kv: order[kv[0]])
                   if k not in exprs and k not in offset_keys)
    mf = ModelFormula(text=text, response=response, variables=variables, terms=tuple(terms), codes=codes,
                      intercept=intercept, strata=strata, cluster=cluster, offsets=tuple(offsets),
                      unused=unused)
    if cols is not None and check_columns:
        missing = [n for n in mf.data_names() if n not in cols]
        if missing:
            raise InvalidArgument(f"`formula` names {missing[0]!r}, which is not a column of `data` "
                                  f"(R: object '{missing[0]}' not found); columns: {cols}", kind="data.column")
    return mf


_QUOTED = re.compile(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`[^`]*`)")
_EXTRACTION = re.compile(r"(?<![\w.])((?:\.[A-Za-z_.]|[A-Za-z])[\w.]*(?:\$(?:\.[A-Za-z_.]|[A-Za-z])[\w.]*)+"
                         r"(?:\[\d+\])?)")


def _quote_extractions(text: str) -> str:
    """R's extractions from another object (``aml$time``, ``fit$coef[2]``),
    outside strings and backquotes, as backquoted names: each is one variable
    of that name (a column of data so named), deparsed as R writes it."""
    parts = _QUOTED.split(text)
    return "".join(p if k % 2 else _EXTRACTION.sub(r"`\1`", p) for k, p in enumerate(parts))


def _check_characters(text: str) -> None:
    """Refuse formulaic's own extensions (``{python}``, ``a[1]``) and what R's
    formula language has no use for, outside strings and backquotes."""
    quote = None
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'`":
            quote = ch
        elif ch in "{}[]$@;":
            raise InvalidArgument(f"`formula` {text!r} uses {ch!r}, which is not part of R's formula language here",
                                  kind="formula.syntax")


def _token_expr(src: str, kind: str, calls: dict[str, str] | None = None) -> tuple[str, Expr]:
    """A token's variable and its deparsed key (a name token as it is)."""
    e = _leaf(src, kind, calls or {})
    return deparse(e), e


_MASK = "__rpcall{}__"


def _mask_calls(text: str) -> tuple[str, dict[str, str]]:
    """Every call ``f(...)`` of the text replaced by a plain name, so that
    formulaic's grammar sees only the formula's operators (its tokenizer
    would read R code such as ``as.numeric(x)`` or ``!x`` as Python)."""
    out: list[str] = []
    calls: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "`":
            j = text.find("`", i + 1)
            j = n - 1 if j < 0 else j
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if ch.isalpha() or ch == "." or ch == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "._"):
                j += 1
            k = j
            while k < n and text[k] == " ":
                k += 1
            if k < n and text[k] == "(":
                depth, m, quote = 0, k, None
                while m < n:
                    c = text[m]
                    if quote:
                        quote = None if c == quote else quote
                    elif c in "\"'`":
                        quote = c
                    elif c == "(":
                        depth += 1
                    elif c == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    m += 1
                if depth != 0:
                    raise InvalidArgument(f"`formula` {text!r} has unbalanced parentheses", kind="formula.syntax")
                call_text = text[i:m + 1]
                key = _same_call(calls, call_text) or _MASK.format(len(calls))
                calls[key] = call_text
                out.append(key)
                i = m + 1
                continue
            out.append(text[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out), calls


def _same_call(calls: dict[str, str], call_text: str) -> str | None:
    """The placeholder of an earlier occurrence of the same call, so that
    ``log(x) - log(x)`` or ``a:log(x)`` name one variable as in R (terms are
    compared by their deparsed expressions). Not for survival's specials
    (strata, cluster, offset): R keeps a subtracted special's variable in the
    model frame and still uses it (a removed strata() term still stratifies
    coxph), which the contract's term list cannot express; they keep their own
    placeholders (and so their terms)."""
    try:
        e = parse_expr(call_text)
    except InvalidArgument:
        return None
    if isinstance(e, Call) and e.fn in SPECIALS:
        return None
    d = deparse(e)
    for key, seen in calls.items():
        try:
            if deparse(parse_expr(seen)) == d:
                return key
        except InvalidArgument:
            continue
    return None


def _leaf(src: str, kind: str, calls: dict[str, str]) -> Expr:
    """A token of the masked formula as an expression."""
    if src in calls:
        return parse_expr(calls[src])
    if kind == "name":
        return Name(src)
    return parse_expr(src)


def _term_code(terms: Sequence[tuple[int, ...]], k: int, j: int) -> int:
    """R's ``TermCode`` (model.c): 1 when term k without variable j is empty or
    contained in an earlier term, else 2."""
    rest = set(terms[k]) - {j}
    if not rest:
        return 1
    return 1 if any(rest <= set(terms[i]) for i in range(k)) else 2


@dataclass(frozen=True)
class Op:
    """An operator of the formula's algebra (``~ + - * / : ^ %in%``) over
    its operands, before any expansion: what R's ``terms()`` expands itself."""

    symbol: str
    args: tuple["FormulaNode", ...]


@dataclass(frozen=True)
class Dot:
    """``.``: every column of the data not in the response."""


FormulaNode = Op | Dot | Expr

_R_OPERATORS = {"~": "~", "+": "+", "-": "-", "*": "*", "/": "/", ":": ":", "^": "^", "**": "^", "in": "%in%"}


def formula_tree(text: str) -> Op:
    """The formula as written (operators and variables, ``1`` and ``0``
    included), for an engine that expands it itself (R)."""
    from .functions import allowing, formula_functions

    with allowing(formula_functions(text)):
        return _formula_tree(str(text))


def _formula_tree(text: str) -> Op:
    from formulaic.errors import FormulaicError
    from formulaic.parser import DefaultFormulaParser

    text = _quote_extractions(text)
    _check_characters(text)
    lhs_text, _, rhs_text = text.partition("~")
    masked, calls = _mask_calls(rhs_text)
    try:
        ast = DefaultFormulaParser().get_ast(masked)
    except FormulaicError as exc:
        raise InvalidArgument(f"`formula` {text!r} cannot be read: {str(exc).splitlines()[0]}",
                              kind="formula.syntax") from None

    def node(a: object) -> FormulaNode:
        if hasattr(a, "operator"):
            sym = str(a.operator.symbol)
            if sym == ".":
                return Dot()
            if sym not in _R_OPERATORS:
                raise InvalidArgument(f"`formula` {text!r} uses {sym!r}, which R's survival formulas do not have",
                                      kind="formula.syntax")
            return Op(_R_OPERATORS[sym], tuple(node(x) for x in a.args))  # type: ignore[attr-defined]
        kind = a.kind.value  # type: ignore[attr-defined]
        src = str(a)
        if kind == "name":
            return _leaf(src, kind, calls)
        if kind == "value":
            try:
                return Const(float(src) if "." in src or "e" in src.lower() else int(src))
            except ValueError:
                raise InvalidArgument(f"`formula` {text!r}: {src!r} is not a value R takes here",
                                      kind="formula.syntax") from None
        return parse_expr(src)

    rhs = node(ast)
    if lhs_text.strip():
        return Op("~", (parse_expr(lhs_text.strip()), rhs))
    return Op("~", (rhs,))
