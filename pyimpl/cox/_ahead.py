"""The fit's concordance, started beside its last likelihood evaluation.

coxph reports the concordance of the final linear predictor. The final
coefficients are the ones coxfit6 evaluates last, and a Newton step whose
predicted gain is already below the convergence tolerance is almost always
that last one (:func:`.fit.coxfit6`'s ``ahead``). :class:`ConcordanceAhead`
computes the linear predictor and concordance for those coefficients on
another thread while the evaluation runs; the caller takes them only when
the fit's coefficients are bit for bit the ones guessed, and otherwise
computes them afterwards. The values are computed by the same functions
from the same numbers either way, so they do not depend on the guess.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rparity_contract.results.cox import Concordance

from .._rmath import r_sum
from .._threads import Background, Helpers, background
from .cindex import WalkPlan, concordancefit, walk_plan
from .fit import linear_predictor

__all__ = ["ConcordanceAhead", "final_lp_and_concordance"]


@dataclass
class _Inputs:
    x: np.ndarray
    means: np.ndarray
    time: np.ndarray
    event: np.ndarray
    strata: np.ndarray | None
    weights: np.ndarray | None
    cluster: np.ndarray | None
    time_rank: np.ndarray
    offset: np.ndarray | None = None


def final_lp_and_concordance(inp: _Inputs, coef: np.ndarray, plan: Background | None = None,
                             helpers: Helpers | None = None) -> tuple[np.ndarray, Concordance | None]:
    """coxph.fit's ``lp <- c(x %*% coef) + offset - sum(coef * means)`` and
    coxph.R's ``concordancefit(y, lp, strata, weights, cluster=)``; ``plan``
    the concordance's :class:`.cindex.WalkPlan`, being made; ``helpers``
    where the concordance leaves its second count for a thread that helps."""
    try:
        lp = linear_predictor(inp.x, coef, np.zeros(inp.x.shape[0]))
        if inp.offset is not None:  # R's order: (X %*% coef + offset) - sum(coef * means)
            lp = lp + inp.offset
        lp = lp - r_sum(coef * inp.means)
        walk: WalkPlan | None = plan.result() if plan is not None else None
        conc = concordancefit(inp.time, inp.event, lp, inp.strata, inp.weights, inp.cluster,
                              time_rank=inp.time_rank, plan=walk, helpers=helpers)
        return lp, conc
    finally:
        if helpers is not None:
            helpers.close()


class ConcordanceAhead:
    """Guesses of the final coefficients (:meth:`guess`, given to coxfit6 as
    ``ahead``) and the linear predictor and concordance they lead to
    (:meth:`result`)."""

    def __init__(self, x, means, time, event, strata, weights, cluster, time_rank, parallel: bool,
                 offset: np.ndarray | None = None):
        self.inputs = _Inputs(x, means, time, event, strata, weights, cluster, time_rank, offset)
        self.parallel = parallel
        self._coef: np.ndarray | None = None
        self._job: Background | None = None
        self._helpers = Helpers()
        # the walk's plan does not need the predictor: made beside the first evaluations
        self._plan: Background | None = None
        if parallel:
            codes = np.zeros(time.size, dtype=np.int8) if strata is None else np.asarray(strata)
            self._plan = background(walk_plan, time, event, codes, time_rank)

    def guess(self, coef: np.ndarray) -> None:
        if not self.parallel:
            return
        self._coef = np.array(coef, dtype=float, copy=True)
        # beside the evaluation one thread works on it (one count's working
        # memory beside the evaluation's); the fit's thread, once done,
        # takes the second count if it is still waiting (result())
        self._helpers = Helpers()
        self._job = background(final_lp_and_concordance, self.inputs, self._coef, self._plan, self._helpers)

    def result(self, coef: np.ndarray) -> tuple[np.ndarray, Concordance | None]:
        """(lp, concordance) for the fit's ``coef``: the guess's when it was
        these coefficients bit for bit, otherwise computed now."""
        job, guessed = self._job, self._coef
        self._job = self._coef = None
        if job is not None and guessed is not None and np.array_equal(
                guessed.view(np.int64), np.asarray(coef, dtype=float).view(np.int64)):
            self._helpers.help()
            return job.result()
        if job is not None:
            try:
                job.result()  # a wrong guess: let it finish (it shares no state) and drop it
            except Exception:  # noqa: BLE001 -- recomputed below, where an error is raised for real
                pass
        return final_lp_and_concordance(self.inputs, coef, self._plan)
