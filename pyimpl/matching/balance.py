"""Balance tables of ``summary.matchit`` (MatchIt 4.5.1 ``bal1var``, ``wvar``,
``pooled_sd``, ``qqsum``, ``pair.dist``, ``nn``), with ``standardize = TRUE``.

For each variable x (the distance, then every model-matrix column):

* means ``sum(w x)/sum(w)`` per group, ``w`` = 1 (all) or the matching weights;
* std. mean difference: difference / ``sqrt(wvar(x[focal group], 1))`` (the
  treated for ATT, controls for ATC, over the *full* sample); a pooled SD when
  that is not finite or below sqrt(eps); the raw difference when
  ``|diff| <= sqrt(eps)``;
* variance ratio ``wvar(x1, w1)/wvar(x0, w0)`` (NA for binary x), with
  ``wvar = sum(w (x - m)^2)/(1 - sum(w^2))`` for weights normalised to sum 1
  (``p(1 - p)`` for binary x);
* eCDF mean and max: |running sum| of the group-normalised weights (one group
  negated) at the end of each run of tied x values (binary x: |diff|);
* std. pair distance: mean |x_focal - x_match| over the match matrix,
  divided by the same SD when above 1e-8 (matched table only).

Sums, cumulative sums and means follow R's long-double accumulation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.matching import MatchIt, MatchItSummary
from rparity_contract.values import BALANCE_COLUMNS, NN_ROWS

from .._rmath import SQRT_EPS, r_cumsum, r_sum
from ..design import Design, model_matrix
from ._rstats import r_mean, weighted_mean

__all__ = ["balance_table", "balance_design", "sample_sizes", "matchit_summary", "bal1var"]


def _wvar(x, bin_var: bool, w) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        w = w / r_sum(w)
        mx = r_sum(w * x)
        if bin_var:
            return mx * (1 - mx)
        return r_sum(w * (x - mx) ** 2) / (1 - r_sum(w ** 2))


def _pooled_sd(x, t, w, bin_var: bool) -> float:
    # pooled_sd(contribution = "proportional") with s.weights present
    groups = pd.unique(t)  # unique(t): order of appearance
    with np.errstate(invalid="ignore", divide="ignore"):
        if bin_var:
            v = []
            for g in groups:
                sxi = r_sum(x[t == g] * w[t == g])
                ni = r_sum(w[t == g])
                v.append(sxi * (1 - sxi / ni) / r_sum(w))
            return np.float64(np.sqrt(r_sum(np.array(v))))
        xc = x.astype(float).copy()
        for g in groups:
            xc[t == g] = xc[t == g] - weighted_mean(xc[t == g], w[t == g])
        w_ = w / r_sum(w)
        return np.float64(np.sqrt(r_sum(w_ * xc ** 2) / (1 - r_sum(w_ ** 2))))


def _qqsum(x, t, w) -> tuple[float, float]:
    """eCDF statistics (``qqsum(standardize = TRUE)``) for a non-binary x."""
    w = w.astype(float).copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        for g in pd.unique(t)[:2]:
            w[t == g] = w[t == g] / r_sum(w[t == g])
    o = np.argsort(x, kind="stable")  # order(x): stable
    xo, wo, to = x[o], w[o], t[o]
    wo = wo.copy()
    wo[to == to[0]] = -wo[to == to[0]]
    keep = np.append(np.diff(xo) != 0, True)
    ediff = np.abs(r_cumsum(wo))[keep]
    return r_mean(ediff), float(np.max(ediff))


def _pair_dist(x, focal_rows, mm, std) -> float:
    """``pair.dist`` over the match matrix: mean |x_focal - x_match| (column-major,
    NA dropped), divided by ``std`` when given and the mean exceeds 1e-8."""
    xt = x[focal_rows]
    vals = []
    for j in range(mm.shape[1]):  # R's matrix is column-major
        col = mm[:, j]
        ok = col >= 0
        vals.append(np.abs(xt[ok] - x[col[ok]]))
    v = np.concatenate(vals) if vals else np.zeros(0)
    mp = np.float64(r_mean(v))
    if std is not None and abs(mp) > 1e-08:
        with np.errstate(divide="ignore", invalid="ignore"):
            mp = mp / np.float64(std)  # R: x/0 is Inf
    return mp


def _pair_dist_sub(x, treat, sub, std) -> float:
    """``pairdistsubC`` (MatchIt 4.5.1 src/pairdistC.cpp): for each subclass
    and each of its treated units, ``sum(|x_t - x_c|)`` over its controls
    (a double sum in order) added to the total, divided by the number of
    pairs; then by ``std`` when given and the mean exceeds 1e-8."""
    dist = 0.0
    k = 0
    for s_ in range(1, int(sub.max()) + 1 if sub.size else 1):
        t_idx = np.flatnonzero((treat == 1) & (sub == s_))
        c_idx = np.flatnonzero((treat == 0) & (sub == s_))
        xc = x[c_idx]
        for i in t_idx.tolist():
            dist += float(np.cumsum(np.abs(x[i] - xc))[-1]) if xc.size else 0.0
        k += t_idx.size * c_idx.size
    with np.errstate(divide="ignore", invalid="ignore"):
        mp = np.float64(dist) / np.float64(k)
        if std is not None and abs(mp) > 1e-08:
            mp = mp / np.float64(std)
    return mp


def _pooled_sd_equal(x, t, bin_var: bool, w) -> np.float64:
    """``pooled_sd(contribution = "equal", w = s.weights)``: the groups'
    (s-weighted) variances averaged (``colMeans``: a long-double sum over
    ``unique(t)``, divided by their count)."""
    v = [_wvar(x[t == g], bin_var, w[t == g]) for g in pd.unique(t)]
    return np.float64(np.sqrt(r_sum(np.array(v)) / len(v)))


def bal1var(x, treat, weights, *, focal_group: int, mm=None, focal_rows=None, subclass=None,
            pair_dist: bool = True, s_weights=None) -> np.ndarray:
    """One row of a balance table (``bal1var``); ``weights=None`` for the
    unmatched table. Returns the 7 values of :data:`BALANCE_COLUMNS`.
    ``s_weights`` (MatchIt's ``s.weights``; 1 when None) weight everything
    but the pair distance: means, variance ratio and eCDF by
    ``weights * s_weights``, the standardising SD by ``s_weights`` alone
    (the focal group's, or the groups' averaged for the ATE).
    ``focal_group`` -1 standardises by the pooled SD (the ATE's
    ``s.d.denom = "pooled"``); ``subclass`` (1..k, 0 none) replaces ``mm``
    for the pair distance of a subclass method."""
    x = np.asarray(x, dtype=float)
    un = weights is None
    s_w = np.ones(x.size) if s_weights is None else np.asarray(s_weights, dtype=float)
    ww = s_w if un else weights * s_w
    bin_var = bool(np.all((x == 0) | (x == 1)))
    out = np.full(7, np.nan)
    i1, i0 = treat == 1, treat == 0
    too_small = (np.sum(ww[i1] != 0) < 2) and (np.sum(ww[i0] != 0) < 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[0] = weighted_mean(x[i1], ww[i1])
        out[1] = weighted_mean(x[i0], ww[i0])
    mdiff = out[0] - out[1]
    if abs(mdiff) > SQRT_EPS:
        if not too_small:
            with np.errstate(invalid="ignore", divide="ignore"):
                if focal_group == -1:
                    std = _pooled_sd_equal(x, treat, bin_var, s_w)
                else:
                    grp = i1 if focal_group == 1 else i0
                    std = np.float64(np.sqrt(_wvar(x[grp], bin_var, s_w[grp])))
                if not np.isfinite(std) or std < SQRT_EPS:
                    std = _pooled_sd(x, treat, s_w, bin_var)
                out[2] = mdiff / std
            if not un and pair_dist:
                out[6] = (_pair_dist_sub(x, treat, subclass, std) if subclass is not None
                          else _pair_dist(x, focal_rows, mm, std))
    else:
        out[2] = mdiff
        if not un and pair_dist:
            out[6] = (_pair_dist_sub(x, treat, subclass, None) if subclass is not None
                      else _pair_dist(x, focal_rows, mm, None))
    if bin_var:
        out[4] = out[5] = abs(mdiff)
    elif not too_small:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[3] = _wvar(x[i1], bin_var, ww[i1]) / _wvar(x[i0], bin_var, ww[i0])
        out[4], out[5] = _qqsum(x, treat, ww)
    return out


def balance_design(m: MatchIt) -> Design:
    """The variables of the balance tables (``get.covs.matrix``: every level of
    a factor, unused levels dropped, a logical as ``<name>TRUE``), from the
    match's call."""
    if not isinstance(m, MatchIt):
        raise InvalidArgument(f"`m` must be a MatchIt result; got {type(m).__name__}", kind="fit.type")
    if m.call is None:
        raise InvalidArgument("`m` must be a MatchIt result that kept its call (from matchit() of any engine)",
                              kind="fit.type")
    from .matchit import balance_terms, validate

    c = m.call
    opts = {k: v for k, v in c.options.items()
            if k not in ("compat", "sample_kind", "method", "subclass", "min_n", "cutpoints", "s_weights", "unit_id")}
    if m.method != "nearest":  # check.inputs: the nearest-neighbour options are ignored
        opts = {"estimand": opts.get("estimand", "ATT")}
    spec = validate(c.data, c.treat, c.covariates, allow_ate=m.method != "nearest", **opts)
    terms = balance_terms(spec)
    return model_matrix(terms, len(c.data), intercept=False, contrasts=False, drop_unused_levels=True,
                        arg="covariates")


def balance_table(m: MatchIt, matched: bool, design: Design | None = None) -> pd.DataFrame:
    """``sum.all`` (``matched=False``) or ``sum.matched``."""
    design = balance_design(m) if design is None else design
    treat = np.asarray(m.treat)
    focal_group = {"ATT": 1, "ATC": 0}.get(m.estimand, -1)  # -1: the ATE's pooled SD
    mm = m.match_positions
    focal_rows = np.flatnonzero(treat == (1 if m.estimand == "ATE" else focal_group))
    w = m.weights if matched else None
    sub = None
    if m.match_matrix is None and m.subclass is not None:  # a subclass method: pairs within subclasses
        sub = np.asarray(pd.Categorical(m.subclass).codes, dtype=np.int64) + 1  # 0: none
        mm = None
    cols = [design.x[:, j] for j in range(design.x.shape[1])]
    names = list(design.names)
    if m.distance is not None:
        cols.insert(0, np.asarray(m.distance, dtype=float))
        names.insert(0, "distance")
    # summary.matchit.subclass (method = "subclass") defaults to pair.dist = FALSE
    pair = m.method != "subclass"
    sw = getattr(m, "s_weights", None)
    if sw is not None and not np.isfinite(sw).all():
        # R: a weighted mean of Inf/Inf is NaN, and bal1var's `if (abs(mdiff) > ...)` stops
        raise InvalidArgument("missing value where TRUE/FALSE needed (summary.matchit: `s_weights` must be finite "
                              "for the balance tables)", kind="weights.nonfinite")
    rows = [bal1var(c, treat, w, focal_group=focal_group, mm=mm, focal_rows=focal_rows, subclass=sub,
                    pair_dist=pair, s_weights=sw) for c in cols]
    return pd.DataFrame(np.vstack(rows), columns=list(BALANCE_COLUMNS), index=pd.Index(names))


def sample_sizes(m: MatchIt) -> pd.DataFrame:
    """``nn``: ESS, counts of matched, unmatched and discarded units per group."""
    treat = np.asarray(m.treat)
    w = np.asarray(m.weights, dtype=float)
    disc = np.asarray(m.discarded, dtype=bool)
    sw = getattr(m, "s_weights", None)
    s_w = np.ones(w.size) if sw is None else np.asarray(sw, dtype=float)
    w = w * s_w  # nn(): the matching weights times the sampling weights

    def ess(v):
        with np.errstate(invalid="ignore", divide="ignore"):
            # ESS: sum(w)^2/sum(w^2); R's ^2 is x*x (C's pow(x, 2) can differ from it in the last bit)
            sw = r_sum(v)
            return sw * sw / r_sum(v * v)

    cols = {}
    for name, g in (("control", 0), ("treated", 1)):
        in_g = treat == g
        cols[name] = [ess(s_w[in_g]), float(in_g.sum()), ess(w[in_g]),
                      float((in_g & (w > 0)).sum()), float((in_g & (w == 0) & ~disc).sum()),
                      float((in_g & disc).sum())]
    return pd.DataFrame(cols, index=pd.Index(list(NN_ROWS)))


def matchit_summary(m: MatchIt) -> MatchItSummary:
    """``summary(m)`` (``un = TRUE``, ``standardize = TRUE``, ``pair.dist =
    TRUE``): balance before and after matching and the sample sizes, for a
    match of any engine (MatchIt 4.x's summary: a MatchIt 3.0.2 match has
    3.0.2's own summary, which is not reproduced)."""
    if isinstance(m, MatchIt) and m.compat == "3.0.2":
        raise NotImplementedError("summary() of a MatchIt 3.0.2 match: 3.0.2's summary.matchit (means, SDs, "
                                  "eQQ statistics) is not reproduced; MatchIt 4.x's balance tables apply to "
                                  "4.x matches")
    design = balance_design(m)
    # method = NULL: summary.matchit's `matched` is FALSE (no m$info$method): the full-sample table only
    matched = None if m.method is None else balance_table(m, matched=True, design=design)
    return MatchItSummary(all=balance_table(m, matched=False, design=design), matched=matched, nn=sample_sizes(m),
                          engine="pyimpl")
