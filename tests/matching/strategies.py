"""Hypothesis strategies for matching problems (plural nouns, house style)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st


@st.composite
def distance_problems(draw, max_n: int = 40):
    """A raw matching problem for the kernel: focal flags, distances with many
    exact ties (drawn from a small pool, on a scale where integer truncation
    matters), discards, ratio, replacement, caliper, visiting order."""
    n = draw(st.integers(2, max_n))
    focal = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if not any(focal):
        focal[draw(st.integers(0, n - 1))] = True
    pool = draw(st.lists(st.one_of(st.floats(-6, 6, allow_nan=False, width=32),
                                   st.integers(-4, 4).map(lambda k: k / 4.0),
                                   st.floats(0, 1, allow_nan=False)),
                         min_size=1, max_size=max(1, n // 2)))
    distance = [draw(st.sampled_from(pool)) for _ in range(n)]
    discarded = draw(st.one_of(st.just([False] * n), st.lists(st.booleans(), min_size=n, max_size=n)))
    n1 = sum(focal)
    ord_ = draw(st.permutations(list(range(n1))))
    ratio = draw(st.integers(1, 3))
    replace = draw(st.booleans())
    caliper = draw(st.one_of(st.none(), st.floats(0, 3, allow_nan=False), st.sampled_from([0.0, 0.5, 1.0, 2.0])))
    return dict(focal=np.array(focal), ord_=np.array(ord_, dtype=np.int64), ratio=ratio,
                discarded=np.array(discarded), replace=replace, distance=np.array(distance, dtype=float),
                caliper=caliper)


@st.composite
def cohorts(draw, min_n: int = 10, max_n: int = 500, exact: bool = False):
    """A data set for ``matchit``: n units, 1-6 covariates mixing binary,
    coarse (tie-heavy) and continuous columns, a treated fraction from tiny to
    large, optionally an ``exact`` stratum column (some strata may lack treated
    units)."""
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    k = draw(st.integers(1, 6))
    kinds = draw(st.lists(st.sampled_from(["binary", "coarse", "continuous", "category"]),
                          min_size=k, max_size=k))
    cols = {}
    lp = np.zeros(n)
    for j, kind in enumerate(kinds):
        name = f"c{j}"
        if kind == "binary":
            v = rng.binomial(1, rng.uniform(0.1, 0.9), n).astype(float)
        elif kind == "coarse":
            v = rng.integers(0, 4, n).astype(float)
        elif kind == "continuous":
            v = np.round(rng.normal(0, 1, n), 3)
        else:
            v = pd.Categorical(rng.choice(["a", "b", "c"], n), categories=["a", "b", "c"])
        cols[name] = v
        num = np.asarray(pd.Categorical(v).codes if kind == "category" else v, dtype=float)
        lp += rng.normal(0, 0.6) * (num - num.mean())
    frac = draw(st.sampled_from([0.03, 0.1, 0.25, 0.5, 0.75, 0.9]))
    lp += np.log(frac / (1 - frac))
    t = rng.binomial(1, 1 / (1 + np.exp(-lp)))
    if t.sum() == 0:
        t[rng.integers(n)] = 1
    if t.sum() == n:
        t[rng.integers(n)] = 0
    df = pd.DataFrame(cols)
    df.insert(0, "treat", t)
    if exact:
        df["stratum"] = rng.integers(0, draw(st.integers(1, 4)), n)
    return df
