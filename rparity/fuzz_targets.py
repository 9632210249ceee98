"""What a fuzz campaign (or a differential test) feeds each function.

A :class:`FuzzTarget` pairs a hypothesis strategy drawing ``(data, params)``
with the case runner that calls the contract function, so generated cohorts
and fixture cases go through the same code. Targets are registered per
function in :data:`TARGETS`; modules of other areas add theirs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["FuzzTarget", "TARGETS", "target"]


@dataclass(frozen=True)
class FuzzTarget:
    function: str
    strategy: Callable[[], Any]  # () -> SearchStrategy[tuple[DataFrame, dict]]
    runner: Callable[[Any, Any, dict], dict]


def _survfit_inputs():
    from hypothesis import strategies as st

    from fixtures.strategies import survival_cohorts

    @st.composite
    def draw(d):
        df = d(survival_cohorts(weights="any"))
        weighted = d(st.booleans())
        times = sorted(set(np.round(np.quantile(df.time, [0, 0.3, 0.6, 1.0]), 6).tolist()) | {0.0})
        params = {"time": "time", "event": "event", "times": times,
                  "conf_type": d(st.sampled_from(["log", "log-log", "plain", "logit", "arcsin", "none"])),
                  "conf_lower": d(st.sampled_from(["usual", "usual", "peto", "modified"])),
                  "probs": [0.1, 0.25, 0.5, 0.75, 0.9]}
        if weighted:
            params["weights"] = "weights"
        else:
            df = df.drop(columns=["weights"])
        return df, params

    return draw()


def _survdiff_inputs():
    from hypothesis import strategies as st

    from fixtures.strategies import survival_cohorts

    @st.composite
    def draw(d):
        df = d(survival_cohorts(min_n=2, groups=(2, 4), strata=True))
        params = {"time": "time", "event": "event", "group": "group",
                  "rho": d(st.sampled_from([0.0, 0.0, 1.0, 0.5]))}
        if d(st.booleans()):
            params["strata"] = "strata"
        return df, params

    return draw()


def _runner(name: str) -> Callable:
    def run(engine, data, params):
        from .cases import survival as s

        return getattr(s, name)(engine, data, params)

    return run


TARGETS: dict[str, FuzzTarget] = {
    "survfit": FuzzTarget("survfit", _survfit_inputs, _runner("run_survfit")),
    "survdiff": FuzzTarget("survdiff", _survdiff_inputs, _runner("run_survdiff")),
}


def target(function: str) -> FuzzTarget:
    try:
        return TARGETS[function]
    except KeyError:
        raise KeyError(f"no fuzz target for {function!r}; available: {', '.join(sorted(TARGETS))}") from None
