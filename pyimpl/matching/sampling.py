"""``matchit``'s sampling weights (``s.weights``) and unit ids (``unit.id``),
as MatchIt 4.5.1 reads them (``R/matchit.R``, ``matchit2nearest``,
``process.variable.input``, ``exactify``).

``s.weights`` (matchit.R, after ``check.inputs``):

* a string names one column of ``data`` ("The name supplied to 's.weights'
  must be a variable in 'data'."; several names: "'s.weights' can only
  contain one named variable."); otherwise a numeric vector (a logical or
  anything else: "'s.weights' must be supplied as a numeric vector, string,
  or one-sided formula.");
* no missing value ("Missing values are not allowed in 's.weights'."), one
  per unit ("'s.weights' must be the same length as the treatment vector.");
* MatchIt itself checks nothing else: negative or infinite weights reach
  ``glm(weights = s.weights)``, which stops ("negative weights not allowed";
  an infinite weight: "cannot find valid starting values"); with a distance
  that is not a propensity glm they are accepted.

``unit.id`` (``matchit2nearest``, only when ``reuse.max < n1``: without
replacement and with more than one focal unit; otherwise it is never read,
even when invalid): a column name or a list of them
(``process.variable.input``: "`unit.id` must be supplied as a character
vector of names or a one-sided formula.", "All names supplied to `unit.id`
must be variables in `data`...", "Missing values are not allowed in the
covariates named in `unit.id`."); units share an id when
``exactify(include_vars = TRUE)`` prints their values alike (numbers
``as.character``: 15 significant digits). When the non-focal units' ids are
all different, MatchIt drops ``unit.id`` (``num_ctrl_unit.ids == n0``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.errors import InvalidArgument
from rparity_contract.results.matching import MatchIt

from .._validate import show
from ..design import read_terms

__all__ = ["read_s_weights", "check_s_weights_for_glm", "unit_id_codes", "matchit_null"]


def read_s_weights(data: pd.DataFrame, s_weights: Any) -> np.ndarray | None:
    """``s.weights`` as MatchIt 4.5.1 reads it: a column name or one number
    per row of ``data``; None when not given."""
    if s_weights is None:
        return None
    n = len(data)
    if isinstance(s_weights, str) or (isinstance(s_weights, (list, tuple)) and s_weights
                                      and all(isinstance(v, str) for v in s_weights)):
        names = [s_weights] if isinstance(s_weights, str) else list(s_weights)
        missing = [c for c in names if c not in data.columns]
        if missing:
            raise InvalidArgument(f"The name supplied to 's.weights' must be a variable in 'data'. (`s_weights` "
                                  f"names no column of `data`: {missing[0]!r})", kind="data.column")
        if len(dict.fromkeys(names)) != 1:
            raise InvalidArgument(f"'s.weights' can only contain one named variable. (got s_weights={names!r})",
                                  kind="s_weights.type")
        col = data[names[0]]
        if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == bool or col.dtype.kind not in "iuf":
            # glm(weights = <not numeric>): "'weights' must be a numeric vector"
            raise InvalidArgument(f"`s_weights` must name a numeric column of `data`; got column "
                                  f"{names[0]!r} of dtype {col.dtype} (R: 'weights' must be a numeric vector)",
                                  kind="s_weights.type")
        w = col.to_numpy(dtype=float)
    else:
        arr = s_weights.to_numpy() if isinstance(s_weights, (pd.Series, pd.Index)) else np.asarray(s_weights)
        if arr.dtype == bool or arr.dtype.kind not in "iuf" or arr.ndim != 1:
            raise InvalidArgument("'s.weights' must be supplied as a numeric vector, string, or one-sided formula. "
                                  f"(got s_weights of dtype {arr.dtype}, shape {arr.shape})",
                                  kind="s_weights.type")
        w = arr.astype(float)
    if np.isnan(w).any():
        i = int(np.flatnonzero(np.isnan(w))[0])
        raise InvalidArgument(f"Missing values are not allowed in 's.weights'. (s_weights[{i}] is missing)",
                              kind="s_weights.missing")
    if w.size != n:
        raise InvalidArgument(f"'s.weights' must be the same length as the treatment vector. (got {w.size} "
                              f"s_weights for {n} rows)", kind="s_weights.length")
    return np.asarray(w, dtype=float)


def check_s_weights_for_glm(w: np.ndarray) -> None:
    """What ``glm(weights = s.weights)`` (``glm.fit``) refuses."""
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise InvalidArgument(f"negative weights not allowed (glm.fit; s_weights[{i}]={show(w[i])})",
                              kind="weights.negative")
    if not np.isfinite(w).all():
        i = int(np.flatnonzero(~np.isfinite(w))[0])
        # mustart = (w y + 0.5)/(w + 1) is NaN: binomial()'s initialize fails
        raise InvalidArgument(f"cannot find valid starting values: please specify some (glm.fit; "
                              f"s_weights[{i}]={show(w[i])})", kind="glm.fit")


def unit_id_codes(data: pd.DataFrame, unit_id: Any, focal: np.ndarray) -> np.ndarray | None:
    """The unit id code of every row (equal codes = one unit), or None when
    the non-focal units' ids are all different (MatchIt then drops
    ``unit.id``). Called only when MatchIt reads ``unit.id``."""
    if isinstance(unit_id, str):
        cols = [unit_id]
    elif isinstance(unit_id, (list, tuple)) and unit_id and all(isinstance(c, str) for c in unit_id):
        cols = list(unit_id)
    else:
        raise InvalidArgument("`unit.id` must be supplied as a character vector of names or a one-sided formula. "
                              f"(got unit_id={unit_id!r})", kind="unit_id.type")
    missing = [c for c in cols if c not in data.columns]
    if missing:
        shown = ", ".join(f'"{c}"' for c in dict.fromkeys(missing))
        raise InvalidArgument(f"All names supplied to `unit.id` must be variables in `data`. Variables not in "
                              f"`data`:\n\t{shown}", kind="data.column")
    terms = read_terms(data, list(dict.fromkeys(cols)), arg="unit_id")
    if any(t.missing.any() for t in terms):
        raise InvalidArgument("Missing values are not allowed in the covariates named in `unit.id`.",
                              kind="covariates.missing")
    from .matchit import _strata  # exactify(include_vars = TRUE): the labels exact strata use

    codes, _ = _strata(terms, len(data))
    nonfocal = ~np.asarray(focal, dtype=bool)
    if np.unique(codes[nonfocal]).size == int(nonfocal.sum()):
        return None
    return np.asarray(codes, dtype=np.int64)


def matchit_null(data: pd.DataFrame, treat: str, covariates: Any, *, distance: Any = "glm", link: str = "logit",
                 estimand: str = "ATT", ratio: Any = 1, replace: Any = False, caliper: Any = None,
                 std_caliper: Any = True, m_order: Any = None, discard: Any = "none", exact: Any = None,
                 seed: Any = None, compat: str | None = None, sample_kind: str | None = None, mahvars: Any = None,
                 antiexact: Any = None, s_weights: Any = None, unit_id: Any = None) -> MatchIt:
    """``matchit(method = NULL)`` (MatchIt 4.5.1 ``matchit2null``): the
    distance (the s.weighted propensity glm) and ``discard`` only; weight 1
    for every unit kept, 0 for the discarded; no match matrix, no subclass.
    The matching options given are ignored with ``check.inputs``' warning;
    ``unit_id`` is never read."""
    import warnings

    from rparity_contract.calls import MatchItCall
    from rparity_contract.errors import RParityWarning

    from .exact import given_options, ignored_options
    from .matchit import _sampling_options, discard_units, propensity, validate

    given = given_options(distance=distance, exact=exact, caliper=caliper, std_caliper=std_caliper, discard=discard,
                          replace=replace, ratio=ratio, m_order=m_order)
    given.update(mahvars=mahvars is not None, antiexact=antiexact is not None)
    w0 = ignored_options(given, "NULL")
    # check.inputs sets the ignored options to NULL before anything reads them
    spec = validate(data, treat, covariates, distance=distance, link=link, estimand=estimand, discard=discard,
                    seed=seed, compat=compat, allow_ate=True)
    sw = read_s_weights(data, s_weights)
    n = len(data)
    d, model, fit_warns = propensity(spec, n, sw)
    warns = ([w0] if w0 else []) + fit_warns
    discarded = discard_units(spec.treat, d, spec.discard) if d is not None else np.zeros(n, dtype=bool)
    for w in warns:
        warnings.warn(RParityWarning(w), stacklevel=3)
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(method=None, distance=distance, link=link, estimand=estimand, ratio=ratio,
                                    replace=replace, caliper=caliper, std_caliper=std_caliper, m_order=m_order,
                                    discard=discard, exact=exact, seed=seed, compat=compat, sample_kind=sample_kind,
                                    **({"mahvars": mahvars} if mahvars is not None else {}),
                                    **({"antiexact": antiexact} if antiexact is not None else {}),
                                    **_sampling_options(s_weights, unit_id)))
    return MatchIt(distance=d, match_matrix=None, weights=(~discarded).astype(float), subclass=None,
                   discarded=np.asarray(discarded, dtype=bool), caliper=None, treat=spec.treat, index=data.index,
                   estimand=spec.estimand, ratio=1, replace=False, m_order="", compat=compat, model=model, call=call,
                   warnings=tuple(warns), method=None, s_weights=sw)
