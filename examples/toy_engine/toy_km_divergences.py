"""toy_km's known difference from R, registered with rparity."""
from rparity.divergences import KnownDivergence, register_divergence


def _has_near_ties(ctx):
    import numpy as np

    from pyimpl.survival import aeq_surv

    t = ctx.column("time")
    return t is not None and np.unique(aeq_surv(np.asarray(t, float))).size < np.unique(t).size


register_divergence(KnownDivergence(
    id="toy-km-no-timefix",
    engines={"toy_km": "*"},
    functions=("survfit",),
    quantities=("*",),
    explanation="toy_km treats times that differ by 1e-11 as different; R merges them (timefix).",
    source="toy_km README",
    recognise=_has_near_ties,
), clobber=True)
