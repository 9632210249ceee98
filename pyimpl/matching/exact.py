"""``matchit(method = "exact")`` (MatchIt 4.5.1: ``matchit2exact``,
``exactify``, ``weights.subclass``; the ignored-options warning of
``check.inputs``).

* A unit's cell is the ``|``-joined printed values of its covariates
  (``exactify``): a factor's level, a logical ``TRUE``/``FALSE``, a number as
  ``format()`` prints the whole column (7 significant digits, one notation and
  number of decimals for the column: values that agree to those digits share
  a cell, :func:`pyimpl._rformat.r_format_numbers`).
* The subclasses are the cells of the group of the first unit (``unique(treat)``
  order), in order of first appearance, that the other group has too
  (``intersect``); units in other cells get no subclass and weight 0.
* Weights (``weights.subclass``): for the ATT, treated 1 and a control
  ``n1_s/n0_s`` of its subclass, the controls then rescaled to sum to their
  number (``w * n0 / sum(w)``); the ATC mirrors it; the ATE weights both groups
  by ``n_s/n_g_s``, each rescaled to its own number.
"""
from __future__ import annotations

import numpy as np

from rparity_contract.errors import InvalidArgument

from .._rformat import r_format_numbers
from .._rmath import r_sum
from ..design import Term

__all__ = ["exact_cells", "exact_subclasses", "weights_subclass", "ignored_options", "given_options", "IGNORED",
           "EXACT_IGNORED"]

#: ``check.inputs``: per method, the options that are ignored (with a warning)
#: when given a value other than ``matchit()``'s default, in R's order.
IGNORED = {
    "exact": ("distance", "exact", "mahvars", "antiexact", "caliper", "std.caliper", "discard", "reestimate",
              "replace", "ratio", "min.controls", "max.controls", "m.order"),
    "cem": ("distance", "exact", "mahvars", "antiexact", "caliper", "std.caliper", "discard", "reestimate",
            "replace", "ratio", "min.controls", "max.controls", "m.order"),
    "subclass": ("exact", "mahvars", "antiexact", "caliper", "std.caliper", "replace", "ratio", "min.controls",
                 "max.controls", "m.order"),
    # method = NULL (no matching)
    "NULL": ("exact", "mahvars", "antiexact", "caliper", "std.caliper", "replace", "ratio", "min.controls",
             "max.controls", "m.order"),
}
EXACT_IGNORED = IGNORED["exact"]


def given_options(*, distance, exact, caliper, std_caliper, discard, replace, ratio, m_order) -> dict[str, bool]:
    """Which of the contract's options differ from ``matchit()``'s defaults
    (what ``check.inputs`` sees as given), under R's names."""
    return {"distance": not (isinstance(distance, str) and distance == "glm"), "exact": exact is not None,
            "caliper": caliper is not None, "std.caliper": std_caliper is False, "discard": discard != "none",
            "replace": replace is True, "ratio": not (isinstance(ratio, (int, float)) and ratio == 1),
            "m.order": m_order is not None}


def ignored_options(given: dict[str, bool], method: str = "exact") -> str | None:
    """The warning of ``check.inputs`` for the options given (R's names, in
    its order), or None: ``word_list(quotes = 1, is.are = TRUE)``."""
    names = [f"'{k}'" for k in IGNORED[method] if given.get(k)]
    if not names:
        return None
    if len(names) == 1:
        listed = f"{names[0]} is"
    elif len(names) == 2:
        listed = f"{names[0]} and {names[1]} are"
    else:
        listed = f"{', '.join(names[:-1])}, and {names[-1]} are"
    shown = "NULL" if method == "NULL" else f'"{method}"'  # add_quotes(method, quotes = !null.method)
    return (f"The argument{'' if len(names) == 1 else 's'} {listed} not used with `method = {shown}` and "
            f"will be ignored.")


def _printed_codes(t: Term) -> np.ndarray:
    """One covariate's cell code per unit: units get the same code exactly when
    ``format(x, justify = "right")`` prints them alike (each distinct value is
    formatted once, in the context of the whole column)."""
    if t.kind == "numeric":
        assert t.values is not None
        uniq, inv = np.unique(t.values, return_inverse=True)
        # R formats the whole column; its common notation and decimals depend only on the set of values
        printed = np.array(r_format_numbers(uniq), dtype=object)
        _, code_of_printed = np.unique(printed.astype(str), return_inverse=True)
        return code_of_printed[inv].reshape(-1)
    assert t.codes is not None
    return t.codes.astype(np.int64)  # a level (or TRUE/FALSE): distinct levels print distinctly


def exact_cells(terms: list[Term], n: int) -> np.ndarray:
    """``exactify(covs)``: each unit's cell as an integer (equal exactly when
    R's ``"|"``-joined printed values are equal)."""
    if not terms:
        return np.zeros(n, dtype=np.int64)
    key = np.zeros(n, dtype=np.int64)
    for t in terms:  # mixed radix: one integer per combination of the columns' codes
        c = _printed_codes(t)
        c = c - c.min() if c.size else c
        key = key * (int(c.max()) + 1 if c.size else 1) + c
        _, key = np.unique(key, return_inverse=True)  # keep the radix product small
        key = key.reshape(-1).astype(np.int64)
    return key


def exact_subclasses(cells: np.ndarray, treat: np.ndarray, first: int | None = None,
                     none: str = "No exact matches were found.") -> np.ndarray:
    """``matchit2exact``: subclass 1..k of each unit (0: none): the cells of the
    group of the first unit (``unique(treat)``; ``first`` to name the group,
    as ``cem_matchit``'s ``split()`` puts the controls first), in order of first
    appearance, that the other group has too (``intersect``). Raises R's
    message ``none`` when there is none."""
    first = treat[0] if first is None else first
    in_first = treat == first
    ncell = int(cells.max()) + 1 if cells.size else 0
    has_other = np.zeros(ncell, dtype=bool)
    has_other[cells[~in_first]] = True
    # first appearance of each cell among the first group's units
    cf = cells[in_first]
    uniq, first_pos = np.unique(cf, return_index=True)
    common = uniq[has_other[uniq]]
    if common.size == 0:
        raise InvalidArgument(none, kind="match.none")
    order = common[np.argsort(first_pos[has_other[uniq]], kind="stable")]
    label = np.zeros(ncell, dtype=np.int64)
    label[order] = np.arange(1, order.size + 1)
    return label[cells]


def weights_subclass(sub: np.ndarray, treat: np.ndarray, estimand: str) -> np.ndarray:
    """``weights.subclass(psclass, treat, estimand)`` (``sub`` 0: no subclass)."""
    n = treat.size
    k = int(sub.max()) if n else 0
    i1 = (treat == 1) & (sub > 0)
    i0 = (treat == 0) & (sub > 0)
    t_by = np.bincount(sub[i1], minlength=k + 1).astype(float)
    c_by = np.bincount(sub[i0], minlength=k + 1).astype(float)
    tot = t_by + c_by
    w = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if estimand == "ATT":
            w[i1] = 1.0
            w[i0] = (t_by / c_by)[sub[i0]]
            w[i0] = w[i0] * float(i0.sum()) / r_sum(w[i0])
        elif estimand == "ATC":
            w[i1] = (c_by / t_by)[sub[i1]]
            w[i0] = 1.0
            w[i1] = w[i1] * float(i1.sum()) / r_sum(w[i1])
        else:  # ATE
            w[i1] = (tot / t_by)[sub[i1]]
            w[i0] = (tot / c_by)[sub[i0]]
            w[i1] = w[i1] * float(i1.sum()) / r_sum(w[i1])
            w[i0] = w[i0] * float(i0.sum()) / r_sum(w[i0])
    if r_sum(w) == 0:
        raise InvalidArgument("No units were matched.", kind="match.none")
    if r_sum(w[treat == 1]) == 0:
        raise InvalidArgument("No treated units were matched.", kind="match.no_treated")
    if r_sum(w[treat == 0]) == 0:
        raise InvalidArgument("No control units were matched.", kind="match.no_control")
    return w
