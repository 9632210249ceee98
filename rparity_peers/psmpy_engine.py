"""psmpy as an rparity engine: ``matchit`` (nearest-neighbour matching on a
logistic propensity score).

What psmpy 0.3.16 does (psmpy/psmpy.py), and so what this adapter can offer:

* ``PsmPy.logistic_ps(balance=False)`` fits one scikit-learn
  ``LogisticRegression(solver="liblinear")`` of the treatment on the
  covariates: an L2-penalised fit (C=1, the intercept penalised too, as
  liblinear treats it as a feature), not R's maximum-likelihood glm. It gives
  ``propensity_score`` and ``propensity_logit`` (log(p/(1-p)), but
  log(p/1e-5) for p >= 0.9999). ``balance=True`` (psmpy's default) fits
  separate models on folds of the larger group and averages: MatchIt fits one
  model on all units, so the adapter asks for ``balance=False``.
* ``kdtree_matched`` matches each unit of the *smaller* group, in data order,
  to its nearest unused (or, with ``replacement=True``, nearest) unit of the
  other group on one of those scores, within a caliper on the raw scale
  (``distance <= caliper``). ``kdtree_matched_12n(how_many=k)`` runs k such
  rounds without replacement and without a caliper.

MatchIt's ``link="logit"`` matches on the probability (``propensity_score``),
``link="linear.logit"`` on the linear predictor (``propensity_logit``); a
standardised caliper (MatchIt's default ``std_caliper=True``) is turned into
psmpy's raw one as MatchIt defines it, ``caliper * sd(distance)``. MatchIt's
default order ("largest" first) is not psmpy's (data order): the difference is
the registered divergence ``psmpy-nearest-in-data-order``; an order asked for
explicitly other than "data" is refused. Everything else psmpy lacks (exact,
mahvars, antiexact, discard, other distances or links, ATC/ATE, subclass, cem,
s.weights, MatchIt's compat modes, ratio > 1 with a caliper or replacement) is
refused as "not provided". The balance summary and ``match.data`` are not
psmpy's (its effect sizes are Cohen's d): not provided.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MatchItCall
from rparity_contract.results import MatchIt

from ._common import design_matrix, matchit_arguments, matchit_weights, not_honoured, treatment01

try:  # the adapter is importable only where psmpy is installed
    from importlib.metadata import version as _dist_version

    import psmpy  # noqa: F401
    from psmpy import PsmPy
except ImportError as exc:  # pragma: no cover - exercised when psmpy is missing
    raise ImportError(f"the psmpy engine needs psmpy: pip install psmpy ({exc})") from exc

ENGINE_NAME = "psmpy"
VERSION = _dist_version("psmpy")

UNSUPPORTED = {
    "matchit": ["method other than 'nearest' (exact, cem, subclass)",
                "distance other than 'glm' (mahalanobis, euclidean, a user distance); mahvars, antiexact, exact",
                "link other than 'logit' / 'linear.logit' (psmpy fits a logistic regression only)",
                "estimand other than 'ATT' (psmpy matches the smaller group: the treated must be fewer)",
                "discard, s_weights, named calipers (on covariates), compat",
                "m_order other than psmpy's data order (MatchIt's default 'largest' is run in data order: "
                "known divergence psmpy-nearest-in-data-order)",
                "ratio > 1 with a caliper or with replacement (kdtree_matched_12n has neither)",
                "more controls asked for than there are (ratio x treated > controls)"],
}

#: quantities psmpy does not compute (``None``), by function: nothing of the match itself
NOT_COMPUTED: dict[str, tuple[str, ...]] = {"matchit": ()}

__all__ = ["matchit", "treatment01", "design_matrix", "ENGINE_NAME", "VERSION", "UNSUPPORTED", "NOT_COMPUTED"]

#: MatchIt's options this adapter reads; any other keyword is refused by name
_OPTIONS = ("distance", "link", "estimand", "ratio", "replace", "caliper", "std_caliper", "m_order", "discard",
            "exact", "seed", "sample_kind", "method", "subclass", "min_n", "cutpoints", "mahvars", "antiexact")


def _not_honoured(what: str):
    not_honoured(ENGINE_NAME, what)


def _refuse_options(*, distance, link, estimand, method, exact, mahvars, antiexact, discard, caliper, m_order,
                    subclass, min_n, cutpoints, other: dict) -> None:
    if other:
        _not_honoured(f"{', '.join(sorted(other))} (no such option of psmpy)")
    if method != "nearest":
        _not_honoured(f"method={method!r} (psmpy: nearest-neighbour matching only)")
    if subclass is not None or min_n is not None or cutpoints is not None:
        _not_honoured("subclass / min_n / cutpoints (psmpy: nearest-neighbour matching only)")
    if not (isinstance(distance, str) and distance == "glm"):
        _not_honoured(f"distance={distance!r} (psmpy: its own logistic propensity score only)")
    if link not in ("logit", "linear.logit"):
        _not_honoured(f"link={link!r} (psmpy: logistic regression only)")
    if estimand != "ATT":
        _not_honoured(f"estimand={estimand!r} (psmpy matches the smaller group to the larger)")
    if exact is not None or mahvars is not None or antiexact is not None:
        _not_honoured("exact / mahvars / antiexact")
    if discard != "none":
        _not_honoured(f"discard={discard!r}")
    if isinstance(caliper, dict):
        _not_honoured("calipers on covariates (psmpy's caliper is on the score only)")
    if m_order not in (None, "data"):
        _not_honoured(f"m_order={m_order!r} (psmpy matches in data order)")


def matchit(data: pd.DataFrame, treat: str, covariates, *, distance: Any = "glm", link: str = "logit",
            estimand: str = "ATT", ratio: int = 1, replace: bool = False, caliper: float | None = None,
            std_caliper: bool = True, m_order: str | None = None, discard: str = "none", exact=None,
            seed: int | None = None, sample_kind: str | None = None, method: str = "nearest", subclass=None,
            min_n=None, cutpoints=None, mahvars=None, antiexact=None, **other) -> MatchIt:
    """``PsmPy(...).logistic_ps(balance=False)`` then ``kdtree_matched`` (ratio
    1, with or without replacement and caliper) or ``kdtree_matched_12n``
    (ratio k, neither)."""
    covariates, ratio = matchit_arguments(ENGINE_NAME, data, treat, covariates, ratio, caliper, std_caliper)
    _refuse_options(distance=distance, link=link, estimand=estimand, method=method, exact=exact, mahvars=mahvars,
                    antiexact=antiexact, discard=discard, caliper=caliper, m_order=m_order, subclass=subclass,
                    min_n=min_n, cutpoints=cutpoints, other=other)
    if ratio > 1 and (replace or caliper is not None):
        _not_honoured("ratio > 1 with a caliper or replacement (kdtree_matched_12n has neither)")
    if not covariates:
        _not_honoured("no covariates (scikit-learn's LogisticRegression needs a column)")

    t = treatment01(data[treat])
    x = design_matrix(data, covariates)
    n = len(data)
    n1, n0 = int(t.sum()), int(n - t.sum())
    if n1 >= n0:
        _not_honoured(f"ATT with {n1} treated and {n0} controls (psmpy matches the smaller group, or the "
                      "controls when the groups are equal: that is ATC)")
    if ratio * n1 > n0:
        _not_honoured(f"ratio={ratio} with {n1} treated and {n0} controls (kdtree_matched_12n runs out of "
                      "controls)")

    frame = x.copy()
    frame.columns = [f"x{i}" for i in range(x.shape[1])]
    frame.insert(0, "_T", t)
    frame.insert(0, "_id", np.arange(n))
    matcher = "propensity_logit" if link == "linear.logit" else "propensity_score"
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        psm = PsmPy(frame, treatment="_T", indx="_id", exclude=[])
        psm.logistic_ps(balance=False)
        pred = psm.predicted_data.set_index("_id").reindex(np.arange(n))
        d = pred[matcher].to_numpy(float)
        cal = None
        if caliper is not None:
            # MatchIt: caliper * sd(distance) when standardised (sd over all units: nothing is discarded)
            cal = float(caliper) * float(np.std(d, ddof=1)) if std_caliper else float(caliper)
        if ratio == 1:
            psm.kdtree_matched(matcher=matcher, replacement=bool(replace), caliper=cal, drop_unmatched=False)
            ids = psm.matched_ids
            focal_ids = ids["_id"].to_numpy(np.int64)
            got = ids[["matched_ID"]].to_numpy(dtype=float)
        else:
            psm.kdtree_matched_12n(matcher=matcher, how_many=ratio)
            ids = psm.matched_ids
            focal_ids = ids["_id"].to_numpy(np.int64)
            got = ids[[f"largerclass_{k}group" for k in range(ratio)]].to_numpy(dtype=float)
    notes.extend(str(w.message) for w in caught)

    # one row per treated unit, in data order (psmpy's rows are the treated in data order too)
    frows = np.flatnonzero(t == 1)
    order = np.argsort(focal_ids, kind="stable")
    if not np.array_equal(focal_ids[order], frows):
        raise RuntimeError("psmpy's matched ids are not one row per treated unit")
    mm = np.where(np.isnan(got[order]), -1, got[order]).astype(np.int64)

    weights = matchit_weights(mm, t == 1)
    sub = None
    if not replace:
        owner = np.full(n, -1, dtype=np.int64)
        has = (mm >= 0).any(axis=1)
        owner[frows[has]] = frows[has]
        for i, row in zip(frows, mm):
            owner[row[row >= 0]] = i
        codes = np.full(n, -1, dtype=np.int64)
        used = np.unique(owner[owner >= 0])
        codes[owner >= 0] = np.searchsorted(used, owner[owner >= 0])
        sub = pd.Categorical.from_codes(codes, categories=list(range(1, used.size + 1)))
    lab = np.asarray(data.index, dtype=object)
    entries = np.where(mm >= 0, lab[np.clip(mm, 0, None)], None)
    match_matrix = pd.DataFrame(entries, index=data.index[frows], columns=list(range(1, ratio + 1)))
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace,
                                    caliper=caliper, std_caliper=std_caliper, m_order=m_order, discard=discard,
                                    exact=exact, seed=seed, sample_kind=sample_kind))
    return MatchIt(distance=d, match_matrix=match_matrix, weights=weights, subclass=sub,
                   discarded=np.zeros(n, dtype=bool), caliper=cal, treat=t, index=data.index, estimand="ATT",
                   ratio=ratio, replace=bool(replace), m_order="data", compat=None, model=None, call=call,
                   engine=ENGINE_NAME, warnings=tuple(notes))
