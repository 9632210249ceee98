"""Recognisers of the known divergences of the matching peers that match on
their own score (causalml): each recomputes the peer's match and checks the
cause from first principles, never from the numbers being compared alone."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .divergences import DivergenceContext

__all__ = ["rerun_matchit", "forget_reruns", "greedy_nearest_match", "causalml_score_recognised",
           "causalml_pairs_recognised", "focal_order"]


def focal_order(d, focal, m_order: str) -> np.ndarray:
    """The focal rows in the order MatchIt takes them: largest / smallest
    distance first (stable), or data order."""
    d = np.asarray(d, dtype=float)
    frows = np.flatnonzero(np.asarray(focal, dtype=bool))
    if m_order == "largest":
        return frows[np.argsort(-d[frows], kind="stable")]
    if m_order == "smallest":
        return frows[np.argsort(d[frows], kind="stable")]
    return frows


def greedy_nearest_match(d, focal, mm, order, *, replace: bool, caliper: float | None,
                         at_once: bool) -> str | None:
    """None if ``mm`` (focal units in data order x ratio; row positions, -1
    none) is a greedy nearest-neighbour match on ``d`` taking the focal rows
    in ``order``; else the first violation. ``at_once``: each focal unit takes
    its ``ratio`` nearest available units in one go (causalml); else in rounds,
    every focal unit's first match before any second (MatchIt). A match is
    right when no available unit within the caliper is strictly nearer than
    one chosen (ties in any order) and a unit goes short only when nothing is
    left."""
    d = np.asarray(d, dtype=float)
    focal = np.asarray(focal, dtype=bool)
    mm = np.asarray(mm)
    frows = np.flatnonzero(focal)
    pos = {int(r): i for i, r in enumerate(frows)}
    free = ~focal
    k = mm.shape[1]
    tol = 1e-12

    def available(i: int) -> tuple[np.ndarray, np.ndarray]:
        avail = np.flatnonzero(free)
        dist = np.abs(d[avail] - d[i])
        if caliper is not None:
            ok = dist <= caliper * (1 + 1e-12)
            avail, dist = avail[ok], dist[ok]
        return avail, dist

    rounds = [range(k)] if at_once else [range(r, r + 1) for r in range(k)]
    for cols in rounds:
        for i in order:
            row = mm[pos[int(i)], list(cols)]
            chosen = row[row >= 0]
            avail, dist = available(int(i))
            want = min(len(cols), avail.size)
            if chosen.size != want:
                return f"focal row {i} has {chosen.size} matches where {want} were available"
            if not set(chosen.tolist()) <= set(avail.tolist()):
                return f"focal row {i} matched to a unit that was not available"
            if chosen.size:
                worst = float(np.abs(d[chosen] - d[i]).max())
                rest = dist[~np.isin(avail, chosen)]
                if rest.size and float(rest.min()) < worst - tol * max(1.0, worst):
                    return (f"focal row {i} matched at {worst!r} while an available unit is at "
                            f"{float(rest.min())!r}")
            if not replace:
                free[chosen] = False
    return None


_LAST: list[tuple] = []  # (data, (engine, params repr), result) of the latest reruns


def forget_reruns() -> None:
    """Drop the kept reruns (at the start of each check)."""
    _LAST.clear()


def rerun_matchit(ctx: DivergenceContext, engine_name: str):
    """The case's match again with a peer engine: (data, the MatchIt), or None
    when there is no data or the engine refuses. The latest reruns are kept:
    the rows of one case (distance, caliper, pairs...) share one."""
    if ctx.data is None or "treat" not in ctx.params:
        return None
    key = (engine_name, repr(sorted((k, repr(v)) for k, v in ctx.params.items())))
    for data, k, got in _LAST:
        if data is ctx.data and k == key:
            return got
    try:
        from .cases.matching import _MATCHIT_OPTIONS, _treatment
        from .engines import engine

        data = _treatment(ctx.data, ctx.params)
        kw = {k: ctx.params[k] for k in _MATCHIT_OPTIONS if k in ctx.params}
        got = data, engine(engine_name).matchit(data, ctx.params["treat"], list(ctx.params["covariates"]), **kw)
    except Exception:  # noqa: BLE001 - the engine refuses or fails: nothing to explain
        got = None
    _LAST[:] = [(ctx.data, key, got)] + _LAST[:3]
    return got


def causalml_score_recognised(ctx: DivergenceContext) -> bool | str:
    """Counterfactual check: causalml's ElasticNetPropensityModel refitted (the
    same cross-validated elastic net, isotonic calibration and clip) gives the
    engine's whole distance, and the unpenalised maximum-likelihood fit
    (pyimpl's glm_logit: R's glm iterations) gives R's value at the unit where
    the engine is nearest the compared value."""
    got = rerun_matchit(ctx, "causalml")
    if got is None or ctx.row.a is None or ctx.row.b is None:
        return False
    data, m = got
    if not (isinstance(ctx.params.get("distance", "glm"), str)):
        return False  # a user distance: the score is the same in both engines
    try:
        from causalml.propensity import ElasticNetPropensityModel

        from rparity_peers._common import design_matrix, treatment01

        from .engines import engine

        x = design_matrix(data, list(ctx.params["covariates"]))
        t = treatment01(data[ctx.params["treat"]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's deprecation and convergence warnings of the refit
            ref = np.asarray(ElasticNetPropensityModel().fit_predict(x.to_numpy(float), t), dtype=float)
        mle = engine("pyimpl").glm_logit(x, t.astype(float))
    except Exception:  # noqa: BLE001 - the refit fails: not recognised
        return False
    linear = str(ctx.params.get("link", "logit")).startswith("linear.")
    ref_d = np.log(ref / (1 - ref)) if linear else ref
    mle_d = np.asarray(mle.linear_predictor if linear else mle.fitted, dtype=float)
    eng_d = np.asarray(m.distance, dtype=float)
    if not np.array_equal(eng_d, ref_d):
        return False
    if ctx.quantity == "caliper":
        cal = ctx.params.get("caliper")
        if cal is None or not ctx.params.get("std_caliper", True):
            return False
        ref_v, mle_v = float(cal) * np.std(ref_d, ddof=1), float(cal) * np.std(mle_d, ddof=1)
    else:  # the unit compared: the engine's value there (tied with others on a step score) and R's
        at = np.flatnonzero(np.isclose(eng_d, float(ctx.row.a), rtol=1e-9))
        hit = at[np.isclose(mle_d[at], float(ctx.row.b), rtol=1e-7)]
        if not hit.size:
            return False
        ref_v, mle_v = ref_d[hit[0]], mle_d[hit[0]]
    if np.isclose(ref_v, float(ctx.row.a), rtol=1e-9) and np.isclose(mle_v, float(ctx.row.b), rtol=1e-7):
        return (f"recomputed: ElasticNetPropensityModel() (LogisticRegressionCV elastic net, isotonic "
                f"calibration, clip to [0.001, 0.999]) gives the engine's {ctx.quantity} ({ref_v!r}), "
                f"{np.unique(eng_d).size} distinct values for {eng_d.size} units; the unpenalised fit gives "
                f"R's ({mle_v!r}); the scores differ by up to {float(np.max(np.abs(ref_d - mle_d))):.3g}")
    return False


def causalml_pairs_recognised(ctx: DivergenceContext) -> bool | str:
    """Recompute the engine's match and check, from its own distance, that it
    is the greedy nearest-neighbour match in MatchIt's order with causalml's
    ratio rule (a focal unit's ``ratio`` nearest taken at once)."""
    got = rerun_matchit(ctx, "causalml")
    if got is None:
        return False
    _, m = got
    focal = (m.treat == 1) if m.estimand == "ATT" else (m.treat == 0)
    order = focal_order(m.distance, focal, m.m_order)
    bad = greedy_nearest_match(m.distance, focal, m.match_positions, order, replace=m.replace,
                               caliper=m.caliper, at_once=True)
    if bad is not None:
        return False
    d = np.asarray(m.distance, dtype=float)
    ties = int(d.size - np.unique(d).size)
    n_matched = int((m.match_positions >= 0).any(axis=1).sum())
    rounds = "" if m.ratio == 1 else (
        "; each focal unit's ratio nearest are taken at once (MatchIt: in rounds) — "
        + ("the same match read in rounds" if greedy_nearest_match(
            d, focal, m.match_positions, order, replace=m.replace, caliper=m.caliper, at_once=False) is None
           else "not a match in rounds"))
    return (f"recomputed: the engine's {n_matched} matched sets are the greedy nearest-neighbour match in "
            f"MatchIt's order ({m.m_order}) on causalml's own score ({ties} units tie with another, ties in "
            f"np.argpartition's order){rounds}")
