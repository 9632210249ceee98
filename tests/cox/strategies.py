"""Hypothesis strategies for Cox cohorts (plural nouns, hypothesis' convention)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

__all__ = ["cox_cohorts"]


def cox_cohorts(*, min_n: int = 5, max_n: int = 400, max_p: int = 6, degenerate: bool = True,
                options: bool = True):
    """Draw ``(X, time, event, kwargs)``: 1 to ``max_p`` covariates mixing
    binary, continuous (any scale and offset) and categorical columns; tied
    times; optional strata, weights, clusters, ties method and robust flag;
    and, when ``degenerate``, the cohorts that break fitters: no event, one
    event, a collinear or constant column, separation, more covariates than
    events."""

    @st.composite
    def _draw(draw):
        n = draw(st.integers(min_n, max_n))
        p = draw(st.integers(1, max_p))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        cols = {}
        for j in range(p):
            kind = draw(st.sampled_from(["binary", "continuous", "continuous", "factor"]))
            if kind == "binary":
                cols[f"b{j}"] = rng.integers(0, 2, n).astype(float)
            elif kind == "continuous":
                scale = draw(st.sampled_from([0.01, 1.0, 10.0, 1000.0]))
                cols[f"c{j}"] = rng.normal(size=n) * scale + draw(st.sampled_from([0.0, 5.0, -300.0]))
            else:
                levels = ["lo", "mid", "hi"]
                cols[f"f{j}"] = pd.Categorical(rng.choice(levels, n), categories=levels)
        X = pd.DataFrame(cols)
        tie = draw(st.sampled_from(["few", "months", "decimal", "continuous"]))
        if tie == "few":
            time = rng.integers(1, draw(st.integers(2, 8)), n).astype(float)
        elif tie == "months":
            time = rng.integers(1, 60, n).astype(float)
        elif tie == "decimal":
            time = np.round(rng.exponential(20.0, n), 1)
        else:
            time = rng.exponential(20.0, n)
        event = (rng.random(n) < draw(st.sampled_from([0.3, 0.6, 0.9, 1.0]))).astype(float)
        if degenerate:
            flavour = draw(st.sampled_from(["none"] * 6 + ["no-event", "one-event", "collinear", "constant",
                                                           "separation", "few-events"]))
            if flavour == "no-event":
                event[:] = 0
            elif flavour == "one-event":
                event[:] = 0
                event[rng.integers(n)] = 1
            elif flavour == "collinear" and p >= 1:
                X["dup"] = 2 * X.iloc[:, 0].astype(float) if not isinstance(X.iloc[:, 0].dtype, pd.CategoricalDtype) \
                    else rng.normal(size=n)
            elif flavour == "constant":
                X["const"] = 3.0
            elif flavour == "separation":
                # the events come first among x = 1: monotone likelihood
                order = np.argsort(time)
                sep = np.zeros(n)
                sep[order[: max(1, n // 3)]] = 1
                event[order[: max(1, n // 3)]] = 1
                X["sep"] = sep
            elif flavour == "few-events":
                keep = rng.choice(n, size=min(n, max(1, X.shape[1] - 1)), replace=False)
                event[:] = 0
                event[keep] = 1
        kw: dict = {}
        if options:
            kw["ties"] = draw(st.sampled_from(["efron", "efron", "breslow"]))
            wkind = draw(st.sampled_from([None, None, "integer", "fractional"]))
            if wkind == "integer":
                kw["weights"] = rng.integers(1, 4, n).astype(float)
            elif wkind == "fractional":
                kw["weights"] = np.round(rng.uniform(0.2, 3.0, n), 3)
            if draw(st.booleans()):
                kw["strata"] = rng.integers(0, draw(st.integers(1, 3)), n)
            if draw(st.integers(0, 3)) == 0:
                kw["cluster"] = rng.integers(0, max(2, n // 5), n)
            if draw(st.integers(0, 4)) == 0:
                kw["robust"] = True
        return X, time, event, kw

    return _draw()
