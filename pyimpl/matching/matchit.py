"""``MatchIt::matchit(method = "nearest", distance = "glm")``: propensity score,
discarding, caliper, exact strata, then greedy nearest-neighbour matching,
weights and subclasses (MatchIt 4.5.1, ``R/matchit.R``, ``matchit2nearest``,
``weights.matrix``, ``mm2subclass``, ``src/nn_matchC.cpp``).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rparity_contract.calls import MatchItCall
from rparity_contract.errors import InvalidArgument, RParityError, RParityWarning
from rparity_contract.matchit302 import COMPAT_302, sample_kind_for
from rparity_contract.results.matching import GlmLogit, MatchIt
from rparity_contract.values import COMPAT_MODES, DISCARDS, ESTIMANDS, LINKS, M_ORDERS, METHODS

from .._rformat import stratum_label
from .._validate import as_choice, show
from ..design import Term, model_matrix, read_terms
from ._rstats import r_sd
from .distances import MATCHIT_DISTANCES, distance_matrix_terms, transform_covariates
from .glm import GlmControl, fit_glm
from .matchit302 import matchit_302
from .nearest import INT_MAX, nn_match
from .nearest_general import nn_match_covs, nn_match_scan
from .rng import RRandom
from .sampling import check_s_weights_for_glm, read_s_weights, unit_id_codes

__all__ = ["matchit", "match_data", "MatchItCompatError", "binarize_treat", "validate", "balance_terms"]


class MatchItCompatError(RParityError):
    """MatchIt 4.5.1 itself fails on this input; ``compat="4.5.1"`` reproduces
    the failure (the message names the MatchIt issue that fixed it)."""

    kind = "compat.failure"


@dataclass(frozen=True)
class MatchSpec:
    """Validated options of one ``matchit`` call (shared by pyimpl and rbridge)."""

    treat: np.ndarray  # 0/1 int, original coding (1 = treated)
    terms: list  # covariate Terms
    exact_terms: list | None
    distance: np.ndarray | None  # user-supplied distance, or None for glm
    link: str
    estimand: str
    ratio: int
    replace: bool
    caliper: float | None
    std_caliper: bool
    m_order: str | None
    discard: str
    seed: int | None
    compat: str | None
    # the options of the covariate-distance kernels (MatchIt 4.5.1 matchit2nearest)
    dist_method: str | None = None  # "mahalanobis", "scaled_euclidean" or "euclidean": no propensity score
    mahvars_terms: list | None = None  # the match's variables (mahvars, or the covariates for dist_method)
    antiexact_terms: list | None = None
    caliper_covs: tuple = ()  # ((name, caliper, std), ...) in the caller's order: the named calipers
    caliper_terms: dict | None = None  # name -> Term of the named calipers' variables


def binarize_treat(x, *, glm_distance: bool = True) -> np.ndarray:
    """MatchIt 4.5.1's reading of the treatment (``check_treat``, then the
    propensity ``glm``, then ``binarize``): exactly two distinct values, none
    missing; a logical is FALSE/TRUE, a factor's first level is control (glm's
    factor response). With ``distance = "glm"`` a numeric treatment must be
    coded 0/1 and a character one is refused, because R's glm stops on them
    ("y values must be 0 <= y <= 1")."""
    s = pd.Series(x)
    if s.isna().any():
        raise InvalidArgument("`treat` must not contain missing values (MatchIt: Missing values are not "
                              "allowed in the treatment.)", kind="treat.missing")
    if isinstance(s.dtype, pd.CategoricalDtype):
        used = [c for c in s.cat.categories if (s == c).any()]
        if len(used) != 2:
            raise InvalidArgument(f"`treat` must be a binary variable (two distinct values); got {len(used)}: "
                                  f"{[str(u) for u in used][:5]}", kind="treat.binary")
        return (s == used[1]).to_numpy().astype(np.int64)
    vals = s.to_numpy()
    uniq = pd.unique(vals)
    if len(uniq) != 2:
        shown = [v.item() if isinstance(v, np.generic) else v for v in uniq[:5]]
        raise InvalidArgument(f"`treat` must be a binary variable (two distinct values); got {len(uniq)}: {shown}",
                              kind="treat.binary")
    if vals.dtype == bool:
        return vals.astype(np.int64)
    if vals.dtype.kind in "iuf":
        if glm_distance and not np.all(np.isin(vals, (0, 1))):
            raise InvalidArgument(f"`treat` must be coded 0/1 (or logical, or a factor) for the propensity glm "
                                  f"(R: 'y values must be 0 <= y <= 1'); got values {sorted(uniq.tolist())}",
                                  kind="treat.values")
        zero = 0 if (vals == 0).any() else vals.min()
        return (vals != zero).astype(np.int64)
    if glm_distance:
        raise InvalidArgument("`treat` must be numeric 0/1, logical or a factor: MatchIt passes a character "
                              "treatment to glm, which refuses it (R: 'y values must be 0 <= y <= 1'); got "
                              f"values {[str(v) for v in uniq]}", kind="treat.values")
    levels = sorted(str(v) for v in uniq)
    return (np.array([str(v) for v in vals]) == levels[1]).astype(np.int64)


def _as_int(x, name: str, minimum: int) -> int:
    msg = f"`{name}` must be a whole number >= {minimum}; got {name}={x!r}"
    if isinstance(x, (bool, np.bool_)):
        raise InvalidArgument(msg, kind=f"{name}.value")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InvalidArgument(msg, kind=f"{name}.value") from None
    if not np.isfinite(v) or v != round(v) or v < minimum:
        raise InvalidArgument(msg, kind=f"{name}.value")
    return int(v)


def _as_bool(x, name: str) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    raise InvalidArgument(f"`{name}` must be True or False; got {name}={x!r}", kind=f"{name}.type")


def _name_list(cols, arg: str) -> list:
    """A column name or an iterable of them, as a list."""
    if isinstance(cols, str):
        return [cols]
    try:
        return list(cols)
    except TypeError:
        raise InvalidArgument(f"`{arg}` must be a column name or a list of column names; got {arg}={cols!r}",
                              kind=f"{arg}.column") from None


def _columns(data: pd.DataFrame, cols, arg: str) -> list:
    """``cols`` (a name or a list of names) checked against ``data``."""
    cols = _name_list(cols, arg)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise InvalidArgument(f"`{arg}` must name columns of `data`; got {arg}={missing[0]!r}, not among "
                              f"{list(map(str, data.columns))} (R: object '{missing[0]}' not found)",
                              kind="data.column")
    return cols


def _complete_terms(data: pd.DataFrame, cols: list, arg: str) -> list[Term]:
    """The terms of ``cols``; MatchIt refuses missing or non-finite values."""
    terms = read_terms(data, cols, arg=arg)
    bad = [t.name for t in terms if t.missing.any() or (t.kind == "numeric" and np.isinf(t.values).any())]
    if bad:
        raise InvalidArgument(f"`{arg}` must not contain missing or non-finite values; got them in "
                              f"{', '.join(bad)} (MatchIt: Missing and non-finite values are not allowed in the "
                              "covariates.)", kind="covariates.missing")
    return terms


def _named_columns(data: pd.DataFrame, cols, arg: str) -> list:
    """``mahvars``/``antiexact`` (MatchIt ``process.variable.input``): names of
    columns, R's message for the ones that are not."""
    cols = _name_list(cols, arg)
    if not cols:
        raise InvalidArgument(f"`{arg}` must name at least one column of `data` (or be None); got []",
                              kind=f"{arg}.column")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        shown = ", ".join(f'"{c}"' for c in dict.fromkeys(map(str, missing)))
        raise InvalidArgument(f"All names supplied to `{arg}` must be variables in `data`. Variables not in "
                              f"`data`:\n\t{shown}", kind="data.column")
    terms = read_terms(data, cols, arg=arg)
    if any(t.missing.any() for t in terms):
        raise InvalidArgument(f"Missing values are not allowed in the covariates named in `{arg}`.",
                              kind="covariates.missing")
    return terms


def _caliper_entries(data: pd.DataFrame, caliper, std_caliper, has_ps: bool) -> tuple[float | None, bool, tuple]:
    """A number (the distance's caliper) or a dict ``{"": distance's, "x": x's}``
    (MatchIt's named ``caliper`` vector; ``""`` is its unnamed entry) with
    ``std_caliper`` a bool, or a dict with the same keys / a list in the same
    order. Returns (distance caliper, its std, ((name, value, std), ...))."""
    def number(v, name):
        if isinstance(v, (bool, np.bool_)):
            raise InvalidArgument("`caliper` must be a numeric vector.", kind="caliper.value")
        try:
            out = float(v)
        except (TypeError, ValueError):
            raise InvalidArgument("`caliper` must be a numeric vector.", kind="caliper.value") from None
        if np.isnan(out):
            raise InvalidArgument(f"`caliper` must be a number; got caliper[{name!r}]={v!r}", kind="caliper.value")
        return out

    if caliper is None:
        return None, _as_bool(std_caliper, "std_caliper") if isinstance(std_caliper, (bool, np.bool_)) else True, ()
    if not isinstance(caliper, dict):
        entries = {"": number(caliper, "")}
    else:
        if not caliper:
            return None, True, ()
        if any(not isinstance(k, str) for k in caliper):
            raise InvalidArgument("`caliper` must be a named vector with names corresponding to the variables for "
                                  "which a caliper is to be applied.", kind="caliper.value")
        entries = {k: number(v, k) for k, v in caliper.items()}
    names = list(entries)
    if isinstance(std_caliper, (bool, np.bool_)):
        stds = [bool(std_caliper)] * len(names)
    elif isinstance(std_caliper, dict):
        if set(std_caliper) != set(names):
            raise InvalidArgument("`std.caliper` must be the same length as `caliper`", kind="std_caliper.type")
        stds = [std_caliper[k] for k in names]
    elif isinstance(std_caliper, (list, tuple)):
        if len(std_caliper) == 1:  # R recycles a single value
            std_caliper = list(std_caliper) * len(names)
        if len(std_caliper) != len(names):
            raise InvalidArgument("`std.caliper` must be the same length as `caliper`", kind="std_caliper.type")
        stds = list(std_caliper)
    else:
        raise InvalidArgument("`std.caliper` must be a logical (TRUE/FALSE) vector.", kind="std_caliper.type")
    if not all(isinstance(v, (bool, np.bool_)) for v in stds):
        raise InvalidArgument("`std.caliper` must be a logical (TRUE/FALSE) vector.", kind="std_caliper.type")
    if "" in entries and not has_ps:
        raise InvalidArgument("All entries in `caliper` must be named when distance does not correspond to a "
                              "propensity score.", kind="caliper.value")
    bad = [k for k in names if k != "" and k not in data.columns]
    if bad:
        raise InvalidArgument("All variables named in `caliper` must be in `data`. Variables not in `data`:\n\t"
                              + ", ".join(bad), kind="data.column")
    dist_cal = entries.get("")
    dist_std = bool(stds[names.index("")]) if "" in entries else True
    covs = tuple((k, entries[k], bool(sd)) for k, sd in zip(names, stds) if k != "")
    return dist_cal, dist_std, covs


def validate(data, treat, covariates, *, distance="glm", link="logit", estimand="ATT", ratio=1,
             replace=False, caliper=None, std_caliper=True, m_order=None, discard="none", exact=None,
             seed=None, compat=None, allow_ate: bool = False, mahvars=None, antiexact=None) -> MatchSpec:
    """Check every argument of :func:`matchit`; raise :class:`InvalidArgument`."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidArgument(f"`data` must be a pandas DataFrame; got {type(data).__name__}", kind="data.type")
    if len(data) == 0:
        raise InvalidArgument("`data` must have at least one row; got 0 rows", kind="data.empty")
    if not data.index.is_unique:
        dup = data.index[data.index.duplicated()][0]
        raise InvalidArgument(f"`data` must have unique row labels (they name the units in match_matrix); "
                              f"got {show(dup)} more than once", kind="data.index")
    if not isinstance(treat, str):
        raise InvalidArgument(f"`treat` must name a column of `data`; got treat={treat!r}", kind="treat.column")
    if treat not in data.columns:
        raise InvalidArgument(f"`treat` must name a column of `data`; got treat={treat!r} "
                              f"(R: object '{treat}' not found)", kind="data.column")
    covariates = _columns(data, [] if covariates is None else covariates, "covariates")
    if treat in covariates:
        raise InvalidArgument(f"`covariates` must not include the treatment column; got {treat!r}",
                              kind="covariates.treat")
    dup = sorted({str(c) for c in covariates if covariates.count(c) > 1})
    if dup:
        raise InvalidArgument(f"`covariates` must not repeat a column; got {show(dup[0])} more than once",
                              kind="X.names")
    terms = _complete_terms(data, covariates, "covariates")
    exact_terms = None
    if exact is not None:
        ex_cols = _columns(data, exact, "exact")
        if not ex_cols:
            raise InvalidArgument("`exact` must name at least one column of `data` (or be None); got []",
                                  kind="exact.column")
        exact_terms = _complete_terms(data, ex_cols, "exact")
    dist = None
    dist_method = None
    if isinstance(distance, str):
        if distance == "robust_mahalanobis":
            if compat == "4.5.1":
                raise MatchItCompatError(
                    "MatchIt 4.5.1 fails on distance = \"robust_mahalanobis\" (transform_covariates calls "
                    "det(var) on its NULL argument: no applicable method for 'determinant' applied to an object "
                    "of class \"NULL\"). Use compat=None for the documented behaviour.")
            raise NotImplementedError("distance='robust_mahalanobis': MatchIt 4.5.1 fails on it, and later "
                                      "versions' robust Mahalanobis distance is not reproduced")
        if distance in MATCHIT_DISTANCES:
            dist_method = distance
        elif distance != "glm":
            raise InvalidArgument(f"`distance` must be 'glm', one of {list(MATCHIT_DISTANCES)} or a numeric "
                                  f"vector with one value per row; got distance={distance!r}",
                                  kind="distance.value")
    else:
        try:
            dist = np.asarray(distance, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgument("`distance` must be 'glm' or a numeric vector with one value per row",
                                  kind="distance.value") from None
        if dist.ndim != 1 or dist.size != len(data):
            raise InvalidArgument(f"`distance` must have one value per row of `data` ({len(data)}); "
                                  f"got shape {dist.shape}", kind="distance.value")
        if not np.isfinite(dist).all():
            i = int(np.flatnonzero(~np.isfinite(dist))[0])
            raise InvalidArgument(f"`distance` must be finite; got distance[{i}]={show(dist[i])}",
                                  kind="distance.value")
    if dist_method is not None and mahvars is not None:
        # check.inputs: mahvars is an error with a distance that is not a propensity score
        raise InvalidArgument(f"The argument 'mahvars' is not used with `method = \"nearest\"` and distance = "
                              f"\"{dist_method}\".", kind="mahvars.distance")
    t = binarize_treat(data[treat], glm_distance=dist is None and dist_method is None)
    mahvars_terms = _named_columns(data, mahvars, "mahvars") if mahvars is not None else None
    antiexact_terms = _named_columns(data, antiexact, "antiexact") if antiexact is not None else None
    if dist_method is not None:
        if not terms:
            raise InvalidArgument(f"Covariates must be specified in the input formula when distance = "
                                  f"\"{dist_method}\".", kind="covariates.empty")
        mahvars_terms = list(terms)
    link = as_choice(link, "link", LINKS)
    est = estimand.upper() if isinstance(estimand, str) else estimand
    est = as_choice(est, "estimand", ESTIMANDS if allow_ate else ESTIMANDS[:2])
    ratio = _as_int(ratio, "ratio", 1)
    replace = _as_bool(replace, "replace")
    if isinstance(caliper, dict) or isinstance(std_caliper, (dict, list, tuple)):
        cal, std_caliper, cal_covs = _caliper_entries(data, caliper, std_caliper, dist_method is None)
    else:
        std_caliper = _as_bool(std_caliper, "std_caliper")
        cal, cal_covs = None, ()
        if caliper is not None:
            try:
                cal = float(caliper)
            except (TypeError, ValueError):
                raise InvalidArgument(f"`caliper` must be a number; got caliper={caliper!r}",
                                      kind="caliper.value") from None
            if np.isnan(cal):
                raise InvalidArgument(f"`caliper` must be a number; got caliper={caliper!r}",
                                      kind="caliper.value")
            if dist_method is not None:
                raise InvalidArgument("All entries in `caliper` must be named when distance does not correspond "
                                      "to a propensity score.", kind="caliper.value")
    caliper_terms = {k: read_terms(data, [k], arg="caliper")[0] for k, _, _ in cal_covs} or None
    if m_order is not None:
        m_order = as_choice(m_order, "m_order", M_ORDERS)
    discard = as_choice(discard, "discard", DISCARDS)
    if dist_method is not None and discard != "none":
        raise InvalidArgument("'discard' must be a logical vector or \"none\" in the absence of a propensity "
                              "score.", kind="discard.value")
    if seed is not None:
        # set.seed(seed): as.integer(seed), which truncates; NA (out of range) is refused
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer, float, np.floating)) \
                or not math.isfinite(seed) or not -(2**31) < int(seed) < 2**31:
            raise InvalidArgument(f"`seed` must be a number between -2147483647 and 2147483647 (set.seed truncates "
                                  f"it to an integer); got seed={show(seed)}", kind="seed.value")
        seed = int(seed)
    if compat not in COMPAT_MODES:
        raise InvalidArgument(f"`compat` must be None, '4.5.1' or '3.0.2'; got compat={compat!r}",
                              kind="compat.value")
    return MatchSpec(treat=t, terms=terms, exact_terms=exact_terms, distance=dist, link=link, estimand=est,
                     ratio=ratio, replace=replace, caliper=cal, std_caliper=std_caliper, m_order=m_order,
                     discard=discard, seed=seed, compat=compat, dist_method=dist_method,
                     mahvars_terms=mahvars_terms, antiexact_terms=antiexact_terms, caliper_covs=cal_covs,
                     caliper_terms=caliper_terms)


# -- the steps of matchit() ---------------------------------------------------------
def discard_units(treat: np.ndarray, d: np.ndarray, option: str) -> np.ndarray:
    """MatchIt ``discard()``: common support on the distance (strict comparisons)."""
    if option == "none":
        return np.zeros(treat.size, dtype=bool)
    d0, d1 = d[treat == 0], d[treat == 1]
    if option == "both":
        return (d < max(d0.min(), d1.min())) | (d > min(d0.max(), d1.max()))
    if option == "control":
        return (d < d1.min()) | (d > d1.max())
    return (d < d0.min()) | (d > d0.max())  # "treated"


def process_caliper(caliper: float | None, std_caliper: bool, d: np.ndarray,
                    discarded: np.ndarray) -> float | None:
    """MatchIt ``process.caliper`` for a caliper on the distance."""
    if caliper is None or not np.isfinite(caliper):
        return None
    nuniq = np.unique(d).size
    if nuniq <= 1:
        return None
    if nuniq == 2:
        raise InvalidArgument("Calipers cannot be used with binary, factor, or character variables. "
                              "Offending variables:\n\t<distance>", kind="caliper.binary")
    cal = caliper
    if std_caliper:
        cal = cal * r_sd(d[~discarded])
    return abs(cal)


def process_calipers(spec: MatchSpec, d: np.ndarray | None,
                     discarded: np.ndarray) -> tuple[float | None, list[tuple[str, float, np.ndarray]]]:
    """MatchIt 4.5.1 ``process.caliper`` for the distance's and the covariates'
    calipers: non-finite entries and variables with one value dropped; binary,
    factor and character variables refused; ``std.caliper`` entries times the
    SD of the units not discarded; absolute values. Returns (the distance's
    caliper or None, [(name, caliper, column), ...])."""
    entries = ([("", spec.caliper, spec.std_caliper)] if spec.caliper is not None else []) + \
        list(spec.caliper_covs)
    kept = []
    for name, value, std in entries:
        if not np.isfinite(value):
            continue
        if name == "":
            col, is_cat = d, False
        else:
            t = spec.caliper_terms[name]
            col = t.values if t.kind == "numeric" else t.codes
            is_cat = t.kind != "numeric"
        nuniq = np.unique(col).size
        if nuniq <= 1:
            continue
        kept.append((name, value, std, col, nuniq == 2 or is_cat))
    bad = [("<distance>" if name == "" else name) for name, _, _, _, cat in kept if cat]
    if bad:
        raise InvalidArgument("Calipers cannot be used with binary, factor, or character variables. "
                              "Offending variables:\n\t" + ", ".join(bad), kind="caliper.binary")
    cal_d, covs = None, []
    for name, value, std, col, _ in kept:
        v = value * r_sd(np.asarray(col, dtype=float)[~discarded]) if std else value
        if name == "":
            cal_d = abs(v)
        else:
            covs.append((name, abs(v), np.asarray(col, dtype=float)))
    return cal_d, covs


def _antiexact_codes(terms, n: int) -> np.ndarray:
    """``as.integer(as.factor(x))`` of each antiexact variable: only equality matters."""
    out = np.empty((n, len(terms)), dtype=np.int64)
    for j, t in enumerate(terms):
        out[:, j] = np.unique(t.values, return_inverse=True)[1] if t.kind == "numeric" else t.codes
    return out


def _focal_order(m_order: str, d_focal: np.ndarray | None, rng_draw, n1: int) -> np.ndarray:
    """0-based visiting order of the focal units (``order()`` is R's stable
    radix sort: ties stay in data order, also when decreasing)."""
    idx = np.arange(n1)
    if m_order == "largest":
        return np.lexsort((idx, -d_focal))
    if m_order == "smallest":
        return np.lexsort((idx, d_focal))
    if m_order == "random":
        return rng_draw(n1) - 1
    return idx


def _strata(exact_terms, n: int) -> tuple[np.ndarray, list[str]]:
    """Stratum code of each unit and the labels, in R's (sorted) level order."""
    names = [t.name for t in exact_terms]
    cols = []
    for t in exact_terms:
        if t.kind == "numeric":  # doubles in R too
            cols.append(t.values.tolist())
        elif t.kind == "logical":
            cols.append([bool(c) for c in t.codes])
        else:
            cols.append([str(t.levels[c]) for c in t.codes])
    labels = [stratum_label(names, [c[i] for c in cols]) for i in range(n)]
    levels = sorted(set(labels))
    index = {lv: k for k, lv in enumerate(levels)}
    return np.array([index[lb] for lb in labels], dtype=np.int64), levels


def _match_warnings(focal: np.ndarray, codes: np.ndarray | None, nlev: int, reuse_max: int,
                    ratio: int, tc: tuple[str, str], unit_ids: np.ndarray | None = None) -> list[str]:
    """The warnings ``matchit2nearest`` issues before matching (with unit ids,
    the non-focal units are counted as distinct ids)."""
    n1 = int(focal.sum())

    def n_ctrl(sel: np.ndarray) -> int:
        return int(sel.sum()) if unit_ids is None else int(np.unique(unit_ids[sel]).size)

    n0 = n_ctrl(~focal)
    units = "units" if unit_ids is None else "unit IDs"
    out = []
    if reuse_max >= n1:
        return out
    if codes is not None:
        e = []
        for k in range(nlev):
            f = int((focal & (codes == k)).sum())
            c = n_ctrl(~focal & (codes == k))
            e.append(c * (reuse_max / f) if f > 0 else np.inf)
        e = np.array(e)
        if np.any(e < 1):
            out.append(f"Fewer {tc[1]} units than {tc[0]} units in some 'exact' strata; "
                       f"not all {tc[0]} units will get a match.")
        if ratio > 1 and np.any(e < ratio):
            out.append(f"Not all {tc[0]} units will get {ratio} matches.")
    else:
        e = float(reuse_max) * n0 / n1
        if e < 1:
            out.append(f"Fewer {tc[1]} {units} than {tc[0]} units; not all {tc[0]} units will get a match.")
        elif e < ratio:
            out.append(f"Not all {tc[0]} units will get {ratio} matches.")
    return out


def matching_weights(mm: np.ndarray, focal: np.ndarray) -> np.ndarray:
    """MatchIt 4.5.1 ``weights_matrixC``: a matched focal unit gets 1; each
    control gets 1/(number of matches of its focal unit) per appearance; the
    control weights are then scaled to sum to the number of controls used.

    Contract: ``mm`` (n1 x k) rows of the matches (-1 none), focal units in
    data order. Each control's additions run in the C loop's order (rows, then
    columns; ``np.add.at`` is sequential), the total over controls in data order.
    """
    n = focal.size
    w = np.zeros(n)
    frows = np.flatnonzero(focal)
    got = mm >= 0
    cnt = got.sum(axis=1)
    with np.errstate(divide="ignore"):
        add = np.repeat(1.0 / cnt.astype(float), mm.shape[1]).reshape(mm.shape)
    np.add.at(w, mm[got], add[got])  # row-major order = the C loop's
    w[frows[cnt > 0]] = 1.0
    ctrl = np.flatnonzero(~focal)
    cw = w[ctrl]
    sum_c = float(np.cumsum(cw)[-1]) if cw.size else 0.0  # Rcpp sugar sum: double, in order
    n_pos = float((cw > 0).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        w[ctrl] = cw * n_pos / sum_c
    return w


def subclasses(mm: np.ndarray, focal: np.ndarray) -> np.ndarray:
    """MatchIt ``mm2subclass``: each matched set is labelled by its focal unit's
    1-based row as a string; labels renumbered 1..K in *string* order ("10"
    before "2"). Returns int labels, 0 for units in no set."""
    frows = np.flatnonzero(focal)
    owner = np.full(focal.size, -1, dtype=np.int64)
    has = mm[:, 0] >= 0
    owner[frows[has]] = frows[has]
    got = mm >= 0
    owner[mm[got]] = np.repeat(frows, mm.shape[1]).reshape(mm.shape)[got]
    used = np.unique(owner[owner >= 0])
    # string order of the 1-based labels without building strings: pad each
    # number's digits on the right to a common length (a prefix sorts first)
    lab = used + 1
    ndig = np.floor(np.log10(np.maximum(lab, 1))).astype(np.int64) + 1 if lab.size else lab
    width = int(ndig.max()) if lab.size else 0
    padded = lab * 10 ** (width - ndig)
    rank = np.empty(used.size, dtype=np.int64)
    rank[np.lexsort((ndig, padded))] = np.arange(1, used.size + 1)
    out = np.zeros(focal.size, dtype=np.int64)
    sel = owner >= 0
    out[sel] = rank[np.searchsorted(used, owner[sel])]
    return out


def run_matching(spec: MatchSpec, d: np.ndarray | None, discarded: np.ndarray, cal: float | None,
                 compat: bool, sample_kind: str = "Rejection", cal_covs=(), mah: np.ndarray | None = None,
                 antiexact: np.ndarray | None = None,
                 unit_ids: np.ndarray | None = None) -> tuple[np.ndarray, str, list[str]]:
    """``matchit2nearest``: (match matrix of data rows, -1 none; m.order used; warnings).

    ``mah`` (transformed covariates) selects ``nn_matchC``; ``antiexact``,
    covariate calipers (``cal_covs``: (name, caliper, column)) or unit ids
    without it ``nn_matchC_vec``'s scan; none of these, the fast scalar
    kernel. With ``unit_ids`` (codes per row, read only without
    replacement) MatchIt matches all strata of ``exact`` in one pass (the
    ids may span strata): the kernels get the stratum codes instead."""
    est = spec.estimand
    focal_v = 1 if est == "ATT" else 0
    tc = ("treated", "control") if est == "ATT" else ("control", "treated")
    focal = spec.treat == focal_v
    n1 = int(focal.sum())
    reuse_max = INT_MAX if spec.replace else 1
    m_order = spec.m_order
    if reuse_max >= n1:
        m_order = "data"
    if d is None:  # no propensity score: match.arg(m.order, c("data", "random"))
        if m_order is not None and m_order not in ("data", "random"):
            raise InvalidArgument("The argument to 'm.order' should be one of  \"data\" or \"random\".",
                                  kind="m_order.value")
        m_order = m_order or "data"
    if m_order is None:
        m_order = "smallest" if est == "ATC" else "largest"
    covs = [(c, v) for _, v, c in cal_covs]

    if reuse_max >= n1:
        unit_ids = None  # matchit2nearest: unit.id <- NULL

    def kernel(rows, fl, ord_, ex=None):
        def sub(a):
            return None if a is None else a[rows]

        dd = sub(d)
        if mah is not None:
            return nn_match_covs(fl, ord_, spec.ratio, discarded[rows], spec.replace, dd, cal,
                                 [(c[rows], v) for c, v in covs], mah[rows], sub(antiexact), exact=ex,
                                 unit_ids=sub(unit_ids))
        if antiexact is not None or covs or unit_ids is not None:
            return nn_match_scan(fl, ord_, spec.ratio, discarded[rows], spec.replace, dd, cal,
                                 [(c[rows], v) for c, v in covs], sub(antiexact), compat, exact=ex,
                                 unit_ids=sub(unit_ids))
        return nn_match(fl, ord_, spec.ratio, discarded[rows], spec.replace, dd, cal, compat)

    codes, levels = (None, [])
    if spec.exact_terms is not None:
        codes, levels = _strata(spec.exact_terms, focal.size)
    warns = _match_warnings(focal, codes, len(levels), reuse_max, spec.ratio, tc, unit_ids)
    rng = None

    def draw(k: int) -> np.ndarray:
        nonlocal rng
        if rng is None:
            seed = spec.seed
            if seed is None:
                seed = int(np.random.default_rng().integers(-(2**31) + 1, 2**31))
            rng = RRandom(seed, sample_kind)
        return rng.sample_int(k)

    if codes is None:
        ord_ = _focal_order(m_order, None if d is None else d[focal], draw, n1)
        mm = kernel(np.arange(focal.size), focal, ord_)
        return mm, m_order, warns
    f_in = [np.any(focal & (codes == k)) for k in range(len(levels))]
    c_in = [np.any(~focal & (codes == k)) for k in range(len(levels))]
    if not any(a and b for a, b in zip(f_in, c_in)):
        raise InvalidArgument("No matches were found.", kind="match.none")
    if unit_ids is not None:  # one pass over every stratum (nn_matchC_dispatch(..., ex, ..., unit.id))
        ord_ = _focal_order(m_order, None if d is None else d[focal], draw, n1)
        return kernel(np.arange(focal.size), focal, ord_, codes), m_order, warns
    if compat:
        empty = [levels[k] for k in range(len(levels)) if not f_in[k]]
        if empty:
            raise MatchItCompatError(
                f"MatchIt 4.5.1 fails when an exact stratum has no {tc[0]} units (rbind: number of columns of "
                f"matrices must match); fixed in MatchIt 4.5.2 (kosukeimai/MatchIt#151). Stratum: {empty[0]}. "
                f"Use compat=None for the documented behaviour."
            )
    frows = np.flatnonzero(focal)
    where = {int(r): i for i, r in enumerate(frows)}
    mm = np.full((n1, spec.ratio), -1, dtype=np.int64)
    for k in range(len(levels)):
        rows = np.flatnonzero(codes == k)
        fl = focal[rows]
        ord_ = _focal_order(m_order, None if d is None else d[rows][fl], draw, int(fl.sum()))
        if not fl.any():
            continue
        mm_k = kernel(rows, fl, ord_)
        glob = np.where(mm_k >= 0, rows[np.clip(mm_k, 0, None)], -1)
        for i, r in enumerate(rows[fl]):
            mm[where[int(r)]] = glob[i]
    return mm, m_order, warns


def matchit(data: pd.DataFrame, treat: str, covariates, *, distance="glm", link: str = "logit",
            estimand: str = "ATT", ratio: int = 1, replace: bool = False, caliper: float | None = None,
            std_caliper: bool = True, m_order: str | None = None, discard: str = "none", exact=None,
            seed: int | None = None, compat: str | None = None, sample_kind: str | None = None,
            method: str | None = "nearest", subclass=None, min_n=None, cutpoints=None, mahvars=None,
            antiexact=None, s_weights=None, unit_id=None) -> MatchIt:
    """Nearest-neighbour (or exact) matching on a propensity score, as
    ``MatchIt::matchit(treat ~ covariates, data, method = "nearest", ...)``.

    Parameters
    ----------
    data : DataFrame
        One row per unit; its index labels the units in ``match_matrix``.
    treat : str
        Column of ``data`` with the binary treatment (0/1, bool, or two
        values: 0 or the smaller / first level is control).
    covariates : list of str
        Columns entering the propensity model (``glm(treat ~ ...,
        family = quasibinomial)``) and the balance tables; categoricals expand
        as ``model.matrix``. An empty list is MatchIt's ``treat ~ 1`` (one
        propensity score for everyone: matching in data order).
    distance : "glm", "mahalanobis", "scaled_euclidean", "euclidean" or array
        ``"glm"``, a numeric distance per unit (MatchIt's user distance), or a
        distance on the covariates MatchIt computes itself (no propensity
        score: ``m_order`` "data" (default) or "random", no ``discard``, only
        named calipers; :mod:`pyimpl.matching.distances`).
        "robust_mahalanobis" is refused: MatchIt 4.5.1 fails on it.
    mahvars : str or list of str, optional
        Match on the Mahalanobis distance of these columns (pooled
        within-group covariance of the scaled variables) within the propensity
        score's caliper; the propensity score still orders the units and
        decides ``discard`` (MatchIt's ``mahvars``).
    antiexact : str or list of str, optional
        A control must differ from its focal unit on each of these columns.
    link : "logit", "probit", "cloglog", "log", "cauchit", or "linear." + one
        The propensity model's binomial link (R's ``glm`` iterations for each);
        match on the fitted probability or (``linear.``) the linear predictor.
    estimand : "ATT" or "ATC"
        Which group is focal (matched to the other).
    ratio : int
        Controls per focal unit (k of 1:k).
    replace : bool
        Controls can be reused (``m_order`` is then "data", as in MatchIt).
    caliper : float or dict, optional
        Maximum distance; in SD units of the distance when ``std_caliper``
        (SD over the units not discarded). A dict is R's named vector:
        ``{"": 0.2, "age": 5}`` is ``caliper = c(0.2, age = 5)`` (``""`` the
        distance's entry, other keys columns of ``data``: a numeric variable
        with more than two values), ``std_caliper`` then a bool, a dict with
        the same keys or a list in the same order.
    m_order : {"largest", "smallest", "random", "data"}, optional
        Order of the focal units; default "largest" (ATT) / "smallest" (ATC).
    discard : {"none", "both", "control", "treated"}
        Drop units outside the other group's range of the distance first.
    exact : str or list of str, optional
        Match only within strata of these columns.
    seed : int, optional
        With ``m_order="random"``: the order R's ``set.seed(seed);
        sample.int(n1)`` gives (one draw per stratum, in stratum order).
    compat : None, "4.5.1" or "3.0.2"
        None: the documented algorithm (MatchIt 4.5.4: true distances, caliper
        honoured, a unit's earlier matches skipped). "4.5.1": the installed
        MatchIt 4.5.1 build bit for bit, including its integer ``abs``
        (#163), its ``check_in`` off-by-one (#159) and its failure on exact
        strata without focal units (#151). "3.0.2": MatchIt 3.0.2, the
        study paper's (:mod:`pyimpl.matching.matchit302`): probability-scale
        logit, caliper in SD of the kept units' distance, a random control
        within the caliper, random tie-breaking; ATT only; ``seed`` needed
        when it draws.
    subclass, min_n : with ``method="subclass"``: the number of subclasses
        (default 6) or their quantiles, and the fewest units of each group per
        subclass (default 1; 0 drops subclasses lacking a group): MatchIt's
        ``subclass`` and ``min.n`` (:mod:`pyimpl.matching.subclass`).
    cutpoints : with ``method="cem"``: the binning of every numeric covariate
        ("sturges", the default; "scott"; "q<k>"; a number of bins; cut
        points), or a dict of these per covariate (MatchIt's ``cutpoints``).
    method : "nearest", "exact", "cem", "subclass" or None
        ``"exact"`` (:mod:`pyimpl.matching.exact`): subclasses of units with
        the same printed covariate values in both groups, no distance, no
        match matrix; estimand ATT, ATC or ATE; the nearest-neighbour options
        given are ignored with MatchIt's warning. None is MatchIt's
        ``method = NULL`` (``matchit2null``): no matching, the distance and
        ``discard`` only; weights 1 for the units kept (its summary is the
        balance of the (s-)weighted sample).
    s_weights : str or array, optional
        Sampling weights (MatchIt's ``s.weights``): a column of ``data`` or
        one number per row. They are the prior weights of the propensity glm
        (``glm(weights = s.weights, family = quasibinomial)``), do not change
        the matching on a propensity score (nor the caliper's SD or
        ``discard``), are kept apart from the matching weights
        (``m.s_weights``), multiply them in :func:`match_data`, and weight the
        balance tables and effective sample sizes of the summary
        (:mod:`pyimpl.matching.sampling`). With ``mahvars``,
        ``distance="mahalanobis"`` or ``"scaled_euclidean"`` they weight the
        pooled within-group covariance or SDs of the match variables
        (MatchIt's ``pooled_cov``/``pooled_sd`` with ``w``: ``cov.wt``;
        :mod:`pyimpl.matching.distances`); ``"euclidean"`` ignores them.
    unit_id : str or list of str, optional
        Columns identifying units that several rows share (MatchIt's
        ``unit.id``, nearest-neighbour matching without replacement): once a
        control row is used, every row with its id is used up (in the
        Mahalanobis kernel, MatchIt 4.5.1's ``nn_matchC``, a focal row
        sharing the id is then skipped too). Ignored, unread, with
        replacement, with one focal unit and by the other methods, as in R.
    sample_kind : None, "Rounding" or "Rejection"
        R's ``RNGkind(sample.kind=)`` for the random draws: default
        "Rounding" (R < 3.6, the paper's R 3.4.3) with ``compat="3.0.2"``,
        else "Rejection" (R >= 3.6).

    Notes
    -----
    Divergences from R: ``treat`` is recoded to 0/1 before the model (R's glm
    sees the original coding and fails unless it is 0/1); booleans are 0/1
    covariates; a negative caliper is an error (4.5.1 silently takes its
    absolute value). With ``m_order="random"`` and no seed, a seed is drawn
    from numpy's entropy source.
    """
    if method is None:
        if compat == COMPAT_302:
            raise NotImplementedError("method=None with compat='3.0.2': MatchIt 3.0.2 has no method = NULL")
        from .sampling import matchit_null

        return matchit_null(data, treat, covariates, distance=distance, link=link, estimand=estimand, ratio=ratio,
                            replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                            discard=discard, exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                            mahvars=mahvars, antiexact=antiexact, s_weights=s_weights, unit_id=unit_id)
    if method not in METHODS:
        raise InvalidArgument(f"`method` must be one of {', '.join(map(repr, METHODS))}; got method={method!r}",
                              kind="method.value")
    if method != "nearest" and compat == COMPAT_302:
        raise NotImplementedError(f"method={method!r} with compat='3.0.2': MatchIt 3.0.2's {method} matching is not "
                                  "reproduced (nearest-neighbour only)")
    if cutpoints is not None and method != "cem":
        raise InvalidArgument("`cutpoints` is an option of method='cem' only", kind="argument.value")
    if method != "nearest" and (mahvars is not None or antiexact is not None or isinstance(caliper, dict)
                                or (isinstance(distance, str) and distance in MATCHIT_DISTANCES)):
        raise NotImplementedError(f"mahvars, antiexact, named calipers and distance={distance!r} with "
                                  f"method={method!r}: not reproduced (nearest-neighbour matching only)")
    if compat == COMPAT_302 and (mahvars is not None or antiexact is not None or isinstance(caliper, dict)
                                 or (isinstance(distance, str) and distance in MATCHIT_DISTANCES)):
        raise NotImplementedError("mahvars, antiexact, named calipers and covariate distances with "
                                  "compat='3.0.2': not reproduced")
    if compat == COMPAT_302 and (s_weights is not None or unit_id is not None):
        raise NotImplementedError("s_weights and unit_id with compat='3.0.2': not reproduced")
    if method in ("exact", "cem"):
        return matchit_exact(data, treat, covariates, distance=distance, link=link, estimand=estimand, ratio=ratio,
                             replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                             discard=discard, exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                             method=method, cutpoints=cutpoints, s_weights=s_weights, unit_id=unit_id)
    if compat == COMPAT_302:
        return matchit_302(data, treat, covariates, distance=distance, link=link, estimand=estimand, ratio=ratio,
                           replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                           discard=discard, exact=exact, seed=seed, sample_kind=sample_kind)
    kind = sample_kind_for(compat, sample_kind)
    given = dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace, caliper=caliper,
                 std_caliper=std_caliper, m_order=m_order, discard=discard, exact=exact, seed=seed,
                 compat=compat, sample_kind=sample_kind, **_sampling_options(s_weights, unit_id))
    warns: list[str] = []
    if method == "subclass":
        from .exact import given_options, ignored_options

        w0 = ignored_options(given_options(distance=distance, exact=exact, caliper=caliper, std_caliper=std_caliper,
                                           discard=discard, replace=replace, ratio=ratio, m_order=m_order),
                             "subclass")
        warns.extend([w0] if w0 else [])
        # check.inputs sets the ignored options to NULL before anything reads them
        ratio, replace, caliper, std_caliper, m_order, exact = 1, False, None, True, None, None
    spec = validate(data, treat, covariates, distance=distance, link=link, estimand=estimand, ratio=ratio,
                    replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                    discard=discard, exact=exact, seed=seed, compat=compat, allow_ate=method == "subclass",
                    mahvars=mahvars, antiexact=antiexact)
    sw = read_s_weights(data, s_weights)
    n = len(data)
    d, model, fit_warns = propensity(spec, n, sw)
    warns.extend(fit_warns)
    discarded = discard_units(spec.treat, d, spec.discard) if d is not None else np.zeros(n, dtype=bool)
    if method == "subclass":
        return _subclass_result(data, treat, covariates, spec, d, discarded, model, warns, given, subclass, min_n,
                                sw)
    cal, cal_covs = process_calipers(spec, d, discarded)
    focal_ind = (spec.treat == (1 if spec.estimand == "ATT" else 0)).astype(np.int64)
    n1 = int(focal_ind.sum())
    # matchit2nearest reads unit.id only when reuse.max < n1 (without replacement, more than one focal unit)
    uid = unit_id_codes(data, unit_id, focal_ind == 1) if unit_id is not None and not spec.replace and n1 > 1 \
        else None
    mah = None
    if spec.mahvars_terms is not None:
        # transform_covariates(mahvars, method, s.weights, treat = the focal indicator, discarded)
        mah = transform_covariates(distance_matrix_terms(spec.mahvars_terms, n), spec.dist_method or "mahalanobis",
                                   focal_ind, discarded, sw)
    anti = _antiexact_codes(spec.antiexact_terms, n) if spec.antiexact_terms is not None else None
    mm, m_order_used, mwarns = run_matching(spec, d, discarded, cal, compat=spec.compat == "4.5.1", sample_kind=kind,
                                            cal_covs=cal_covs, mah=mah, antiexact=anti, unit_ids=uid)
    warns.extend(mwarns)
    for w in warns:
        warnings.warn(RParityWarning(w), stacklevel=2)
    focal = spec.treat == (1 if spec.estimand == "ATT" else 0)
    weights = matching_weights(mm, focal)
    _check_weights(weights, focal)
    sub = None
    if not spec.replace:
        s = subclasses(mm, focal)
        k = int(s.max()) if s.size else 0
        sub = pd.Categorical.from_codes(s - 1, categories=list(range(1, k + 1)))
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace,
                                    caliper=caliper, std_caliper=std_caliper, m_order=m_order, discard=discard,
                                    exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                                    **({"mahvars": mahvars} if mahvars is not None else {}),
                                    **({"antiexact": antiexact} if antiexact is not None else {}),
                                    **_sampling_options(s_weights, unit_id)))
    return _result(data, spec, d, mm, weights, sub, discarded, cal, m_order_used, model, warns, call,
                   {name: v for name, v, _ in cal_covs} or None, sw)


def _sampling_options(s_weights, unit_id) -> dict:
    """The call's ``s_weights``/``unit_id`` options, when given."""
    return {**({"s_weights": s_weights} if s_weights is not None else {}),
            **({"unit_id": unit_id} if unit_id is not None else {})}


def propensity(spec: MatchSpec, n: int, sw: np.ndarray | None) -> tuple[np.ndarray | None, GlmLogit | None,
                                                                        list[str]]:
    """The distance (None without a propensity score), the glm and its
    warnings: MatchIt 4.5.1 ``distance2glm``, ``glm(weights = s.weights,
    family = quasibinomial(link))``; "linear." matches on the link scale."""
    if spec.dist_method is not None:
        return None, None, []  # no propensity score (MatchIt's distance is NULL)
    if spec.distance is not None:
        return np.asarray(spec.distance, dtype=float), None, []
    if sw is not None:
        check_s_weights_for_glm(sw)
    design = model_matrix(spec.terms, n, intercept=True, drop_unused_levels=True, arg="covariates")
    fit = fit_glm(design.x, spec.treat.astype(float), np.ones(n) if sw is None else sw,
                  spec.link.removeprefix("linear."), GlmControl(), family="quasibinomial")
    model = GlmLogit(names=tuple(design.names), coef=fit["coef"], fitted=fit["fitted"],
                     linear_predictor=fit["linear_predictor"], deviance=fit["deviance"],
                     null_deviance=fit["null_deviance"], aic=fit["aic"], iterations=fit["iterations"],
                     converged=fit["converged"], rank=fit["rank"], warnings=tuple(fit["warnings"]))
    d = fit["linear_predictor"] if spec.link.startswith("linear.") else fit["fitted"]
    return np.asarray(d, dtype=float), model, list(fit["warnings"])


def _check_weights(w: np.ndarray, focal: np.ndarray) -> None:
    # weights.matrix(): R stops on these (a sum that is NaN fails R's `if` too)
    tot = w.sum()
    if not tot > 0:
        raise InvalidArgument("No units were matched.", kind="match.none")
    if not w[focal].sum() > 0:
        raise InvalidArgument("No treated units were matched.", kind="match.no_treated")
    if not w[~focal].sum() > 0:
        raise InvalidArgument("No control units were matched.", kind="match.no_control")


def balance_terms(spec: MatchSpec) -> list[Term]:
    """The variables of the balance tables: the covariates, then the ``exact``
    columns not among them (MatchIt's ``X``)."""
    terms = list(spec.terms)
    names = {t.name for t in terms}
    extra = list(spec.exact_terms or [])
    if spec.dist_method is None:
        extra += list(spec.mahvars_terms or [])
    extra += list((spec.caliper_terms or {}).values()) + list(spec.antiexact_terms or [])
    for t in extra:  # MatchIt's X: covs, exact, mahvars, caliper variables, antiexact; each name once
        if t.name not in names:
            terms.append(t)
            names.add(t.name)
    return terms


def _result(data, spec, d, mm, weights, sub, discarded, cal, m_order_used, model, warns, call,
            cal_covs=None, sw=None) -> MatchIt:
    focal = spec.treat == (1 if spec.estimand == "ATT" else 0)
    labels = data.index
    frows = np.flatnonzero(focal)
    lab = np.asarray(labels, dtype=object)
    entries = np.where(mm >= 0, lab[np.clip(mm, 0, None)], None)
    match_matrix = pd.DataFrame(entries, index=labels[frows], columns=list(range(1, mm.shape[1] + 1)))
    return MatchIt(distance=d, match_matrix=match_matrix, weights=weights, subclass=sub,
                   discarded=np.asarray(discarded, dtype=bool), caliper=cal, caliper_covs=cal_covs,
                   treat=spec.treat, index=labels, estimand=spec.estimand, ratio=spec.ratio, replace=spec.replace,
                   m_order=m_order_used, compat=spec.compat, model=model, call=call, warnings=tuple(warns),
                   s_weights=sw)


def match_data(m: MatchIt) -> pd.DataFrame:
    """``match.data(m)``: matched rows (weight > 0) in data order, with
    ``distance``, ``weights`` and (without replacement) ``subclass`` columns.
    Takes a match of any engine (its call's data)."""
    if not isinstance(m, MatchIt):
        raise InvalidArgument(f"`m` must be a MatchIt result; got {type(m).__name__}", kind="fit.type")
    if m.call is None or not isinstance(m.call.data, pd.DataFrame):
        raise InvalidArgument("this result carries no data; pass the data to matchit()",
                              kind="match_data.no_data")
    out = m.call.data.copy()
    for col in ("distance", "weights", "subclass"):
        if col in out.columns:
            raise InvalidArgument(f'"{col}" is already the name of a variable in the data',
                                  kind="match_data.name")
    if m.distance is not None:  # exact matching has none (R's NULL)
        out["distance"] = m.distance
    # match.data(include.s.weights = TRUE): the matching weights times the sampling weights
    out["weights"] = m.weights if m.s_weights is None else m.weights * m.s_weights
    if m.subclass is not None:
        out["subclass"] = pd.Categorical(m.subclass)
    return out[m.weights > 0]


def matchit_exact(data: pd.DataFrame, treat: str, covariates, *, distance="glm", link: str = "logit",
                  estimand: str = "ATT", ratio=1, replace=False, caliper=None, std_caliper=True, m_order=None,
                  discard="none", exact=None, seed=None, compat=None, sample_kind=None, method: str = "exact",
                  cutpoints=None, s_weights=None, unit_id=None) -> MatchIt:
    """:func:`matchit` with ``method="exact"`` (MatchIt 4.5.1's ``matchit2exact``)
    or ``"cem"`` (``matchit2cem``: the same on binned numeric covariates,
    :mod:`pyimpl.matching.cem`)."""
    from .exact import exact_cells, exact_subclasses, given_options, ignored_options, weights_subclass

    given = given_options(distance=distance, exact=exact, caliper=caliper, std_caliper=std_caliper, discard=discard,
                          replace=replace, ratio=ratio, m_order=m_order)
    warns = [w for w in [ignored_options(given, method)] if w]
    # check.inputs sets the ignored options to NULL before anything reads them
    spec = validate(data, treat, covariates, distance=np.zeros(len(data)) if isinstance(data, pd.DataFrame)
                    else distance, link=link, estimand=estimand, compat=compat, seed=seed, allow_ate=True)
    sw = read_s_weights(data, s_weights)  # kept for the summary and match.data; matching ignores them
    what = "exact matching" if method == "exact" else "coarsened exact matching"
    if not spec.terms:
        raise InvalidArgument(f"`covariates` must name at least one column for {what} (MatchIt: Covariates "
                              f"must be specified in the input formula to use {what}.)",
                              kind="covariates.empty")
    n = len(data)
    if method == "cem":
        from .cem import cem_cells

        terms, cwarns = cem_cells(spec.terms, cutpoints)
        warns = cwarns + warns  # cem_matchit warns at once (immediate.), before check.inputs' warning is shown
        cells = exact_cells(terms, n)
        sub = exact_subclasses(cells, spec.treat, first=0, none="No units were matched. Try coarsening the variables "
                               "further or decrease the number of variables to match on.")
    else:
        cells = exact_cells(spec.terms, n)
        sub = exact_subclasses(cells, spec.treat)
    weights = weights_subclass(sub, spec.treat, spec.estimand)
    for w_ in warns:
        warnings.warn(RParityWarning(w_), stacklevel=3)
    k = int(sub.max())
    subclass = pd.Categorical.from_codes(sub - 1, categories=list(range(1, k + 1)))
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(method=method, distance=distance, link=link, estimand=estimand, ratio=ratio,
                                    replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                                    discard=discard, exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                                    **({"cutpoints": cutpoints} if cutpoints is not None else {}),
                                    **_sampling_options(s_weights, unit_id)))
    return MatchIt(distance=None, match_matrix=None, weights=weights, subclass=subclass,
                   discarded=np.zeros(n, dtype=bool), caliper=None, treat=spec.treat, index=data.index,
                   estimand=spec.estimand, ratio=1, replace=False, m_order="", compat=compat, model=None, call=call,
                   warnings=tuple(warns), method=method, s_weights=sw)


def _subclass_result(data, treat, covariates, spec: MatchSpec, d, discarded, model, warns, given, subclass,
                     min_n, sw=None) -> MatchIt:
    """The end of ``method="subclass"``: subclasses on the distance, their weights."""
    from .exact import weights_subclass
    from .subclass import assign_subclasses

    sub, q, swarns = assign_subclasses(d, spec.treat, discarded, subclass, min_n, spec.estimand)
    warns = list(warns) + swarns
    weights = weights_subclass(sub, spec.treat, spec.estimand)
    for w_ in warns:
        warnings.warn(RParityWarning(w_), stacklevel=3)
    k = int(sub.max())
    options = dict(given, method="subclass")
    if subclass is not None:
        options["subclass"] = subclass
    if min_n is not None:
        options["min_n"] = min_n
    call = MatchItCall(data=data, treat=treat, covariates=covariates, options=options)
    return MatchIt(distance=d, match_matrix=None, weights=weights,
                   subclass=pd.Categorical.from_codes(sub - 1, categories=list(range(1, k + 1))),
                   discarded=np.asarray(discarded, dtype=bool), caliper=None, treat=spec.treat, index=data.index,
                   estimand=spec.estimand, ratio=1, replace=False, m_order="", compat=spec.compat, model=model,
                   call=call, warnings=tuple(warns), method="subclass", q_cut=q, s_weights=sw)
