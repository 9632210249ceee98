"""A deliberately naive Fisher r x c p-value for testing the network: every
table with the observed margins, one at a time, with exact integer weights.

Shares nothing with pyimpl: tables come from itertools, a table's weight is the
integer prod_j c_j! / prod_i x_ij!, and a table counts when its weight is at
most the observed one times exp(3.45254e-7) (FEXACT's tolerance, compared in
exact rational arithmetic). The p-value is the exact ratio of integer sums,
rounded once.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

TOL_FACTOR = Fraction(math.exp(3.45254e-7))


def column_fillings(total: int, caps: list[int]):
    """All integer vectors x with 0 <= x <= caps and sum(x) == total."""
    for head in itertools.product(*[range(min(c, total) + 1) for c in caps[:-1]]):
        last = total - sum(head)
        if 0 <= last <= caps[-1]:
            yield head + (last,)


def all_tables(rows: list[int], cols: list[int]):
    """Every table (as a tuple of columns) with these margins."""
    def rec(j: int, left: list[int]):
        if j == len(cols):
            if all(v == 0 for v in left):
                yield ()
            return
        for col in column_fillings(cols[j], left):
            for rest in rec(j + 1, [a - b for a, b in zip(left, col)]):
                yield (col,) + rest
    yield from rec(0, list(rows))


def weight(table_cols, cols) -> int:
    w = 1
    for c, col in zip(cols, table_cols):
        w *= math.factorial(c) // math.prod(math.factorial(x) for x in col)
    return w


def naive_fisher_pvalue(table) -> float:
    t = np.asarray(table, dtype=int)
    rows = [int(v) for v in t.sum(axis=1)]
    cols = [int(v) for v in t.sum(axis=0)]
    w_obs = weight([tuple(int(v) for v in t[:, j]) for j in range(t.shape[1])], cols)
    limit = w_obs * TOL_FACTOR
    total = 0
    counted = 0
    for tab in all_tables(rows, cols):
        w = weight(tab, cols)
        total += w
        if w <= limit:
            counted += w
    return float(Fraction(counted, total))
