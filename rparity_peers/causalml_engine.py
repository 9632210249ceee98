"""causalml as an rparity engine: ``matchit`` (causalml's
``NearestNeighborMatch`` on its own propensity score).

What causalml 0.18 does (causalml/match.py, causalml/propensity.py), and so what
this adapter can offer:

* The propensity score of causalml's documented route is
  ``ElasticNetPropensityModel().fit_predict(X, treatment)``: scikit-learn's
  ``LogisticRegressionCV(penalty="elasticnet", solver="saga", Cs=4,
  l1_ratios=4 values, cv=StratifiedKFold(4, shuffle=True, random_state=42),
  scoring="neg_log_loss")``, then an isotonic calibration of the fitted
  probabilities (``IsotonicRegression`` fitted on the same rows) and a clip to
  [0.001, 0.999]. MatchIt's score is the unpenalised glm; the calibrated score
  is a step function (many tied units). ``link="linear.logit"`` is the logit of
  that score. A user distance (a numeric vector, MatchIt's ``distance=``) is
  matched on as given: then the score is the same in both engines and only
  the matchers differ.
* ``NearestNeighborMatch(replace=False)`` takes the focal units in the order of
  the rows it is given (``shuffle=False``) and gives each the ``ratio`` nearest
  unmatched units of the other group at once (``np.argpartition``), keeping
  those within the caliper ``caliper * np.std(score)`` (the population SD of
  every unit's score). MatchIt matches in rounds (every focal unit's first
  match, then the second...) with the caliper in ``sd()`` (n - 1) units. With
  ``replace=True`` it scales the score (``StandardScaler``, population SD) and
  takes the ``ratio`` nearest by ``NearestNeighbors``, keeping a pair when
  ``distance < caliper`` (strict) on that scale.

MatchIt's options are expressed in causalml's terms where causalml allows it:
the order "largest" / "smallest" / "data" by the order of the focal rows
handed to causalml (``shuffle=False``); a standardised caliper turned into
causalml's own unit so that the raw caliper is MatchIt's ``caliper *
sd(distance)``; no caliper as an infinite one (causalml's default is 0.2);
``estimand="ATC"`` as ``treatment_to_control=False``. Everything causalml
lacks (exact, mahvars, antiexact, discard, other distances or links, subclass,
cem, s.weights, MatchIt's compat modes, a random order drawn by R's sampler) is
refused as not provided.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from rparity_contract.calls import MatchItCall
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import MatchIt

from ._common import design_matrix, matchit_arguments, matchit_weights, not_honoured, treatment01

try:  # the adapter is importable only where causalml is installed
    from importlib.metadata import version as _dist_version

    from causalml.match import NearestNeighborMatch
    from causalml.propensity import ElasticNetPropensityModel
except ImportError as exc:  # pragma: no cover - exercised when causalml is missing
    raise ImportError(f"the causalml engine needs causalml: pip install causalml ({exc})") from exc

ENGINE_NAME = "causalml"
VERSION = _dist_version("causalml")

UNSUPPORTED = {
    "matchit": ["method other than 'nearest' (exact, cem, subclass)",
                "distance other than 'glm' or a user distance vector (mahalanobis, euclidean); mahvars, "
                "antiexact, exact",
                "link other than 'logit' / 'linear.logit' (causalml's propensity model is a logistic regression)",
                "estimand 'ATE' (causalml matches one group to the other)",
                "discard, s_weights, named calipers (on covariates), compat",
                "m_order='random' (causalml shuffles with numpy's RandomState, not R's sampler)"],
}

#: quantities causalml does not compute (``None``), by function: nothing of the match itself
NOT_COMPUTED: dict[str, tuple[str, ...]] = {"matchit": ()}

__all__ = ["matchit", "causalml_score", "ENGINE_NAME", "VERSION", "UNSUPPORTED", "NOT_COMPUTED"]


def _not_honoured(what: str):
    not_honoured(ENGINE_NAME, what)


def causalml_score(x: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """causalml's documented propensity score:
    ``ElasticNetPropensityModel().fit_predict(X, treatment)`` (calibrated,
    clipped to [0.001, 0.999])."""
    return np.asarray(ElasticNetPropensityModel().fit_predict(x.to_numpy(float), t), dtype=float)


def _refuse_options(*, distance, link, estimand, method, exact, mahvars, antiexact, discard, caliper, m_order,
                    subclass, min_n, cutpoints, other: dict) -> None:
    if other:
        _not_honoured(f"{', '.join(sorted(other))} (no such option of causalml)")
    if method != "nearest":
        _not_honoured(f"method={method!r} (causalml: nearest-neighbour matching only)")
    if subclass is not None or min_n is not None or cutpoints is not None:
        _not_honoured("subclass / min_n / cutpoints (causalml: nearest-neighbour matching only)")
    if isinstance(distance, str) and distance != "glm":
        _not_honoured(f"distance={distance!r} (causalml: its propensity score or a given score)")
    if link not in ("logit", "linear.logit"):
        _not_honoured(f"link={link!r} (causalml's propensity model is a logistic regression)")
    if estimand not in ("ATT", "ATC"):
        _not_honoured(f"estimand={estimand!r} (causalml matches one group to the other)")
    if exact is not None or mahvars is not None or antiexact is not None:
        _not_honoured("exact / mahvars / antiexact")
    if discard != "none":
        _not_honoured(f"discard={discard!r}")
    if isinstance(caliper, dict):
        _not_honoured("calipers on covariates (causalml's caliper is on the score)")
    if m_order not in (None, "largest", "smallest", "data"):
        _not_honoured(f"m_order={m_order!r} (causalml shuffles with numpy's RandomState, not R's sampler)")


def _user_distance(distance: Any, n: int) -> np.ndarray | None:
    if isinstance(distance, str):
        return None
    d = np.asarray(distance, dtype=float).reshape(-1)
    if d.size != n or not np.all(np.isfinite(d)):
        raise InvalidArgument(f"`distance` must be {n} finite numbers (one per unit); got {d.size} values",
                              kind="distance.length")
    return d


def matchit(data: pd.DataFrame, treat: str, covariates, *, distance: Any = "glm", link: str = "logit",
            estimand: str = "ATT", ratio: int = 1, replace: bool = False, caliper: float | None = None,
            std_caliper: bool = True, m_order: str | None = None, discard: str = "none", exact=None,
            seed: int | None = None, sample_kind: str | None = None, method: str = "nearest", subclass=None,
            min_n=None, cutpoints=None, mahvars=None, antiexact=None, **other) -> MatchIt:
    """causalml's propensity score (or the given distance), then
    ``NearestNeighborMatch(caliper, replace, ratio, shuffle=False,
    treatment_to_control).match(...)``; the pairs are read from its
    ``matched_indexes_``."""
    covariates, ratio = matchit_arguments(ENGINE_NAME, data, treat, covariates, ratio, caliper, std_caliper)
    _refuse_options(distance=distance, link=link, estimand=estimand, method=method, exact=exact, mahvars=mahvars,
                    antiexact=antiexact, discard=discard, caliper=caliper, m_order=m_order, subclass=subclass,
                    min_n=min_n, cutpoints=cutpoints, other=other)

    t = treatment01(data[treat])
    n = len(data)
    d = _user_distance(distance, n)
    if d is None:
        if not covariates:
            _not_honoured("no covariates (scikit-learn's LogisticRegressionCV needs a column)")
        if int(t.sum()) < 4 or int(n - t.sum()) < 4:
            _not_honoured("fewer than 4 units in a group (causalml's 4-fold stratified cross-validation)")
        x = design_matrix(data, covariates)
    focal = (t == 1) if estimand == "ATT" else (t == 0)
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if d is None:
            p = causalml_score(x, t)
            d = np.log(p / (1 - p)) if link == "linear.logit" else p
        cal, raw = _caliper(d, caliper, std_caliper, replace)
        frame = _frame(d, t, focal, m_order, estimand)
        nnm = NearestNeighborMatch(caliper=cal, replace=bool(replace), ratio=ratio, shuffle=False,
                                   treatment_to_control=estimand == "ATT", n_jobs=1)
        nnm.match(data=frame, treatment_col="_T", score_cols=["_d"])
        pairs = nnm.matched_indexes_
    notes.extend(str(w.message) for w in caught)

    mm = _match_matrix(pairs, focal, ratio)
    weights = matchit_weights(mm, focal)
    frows = np.flatnonzero(focal)
    sub = None if replace else _subclass(mm, frows, n)
    lab = np.asarray(data.index, dtype=object)
    entries = np.where(mm >= 0, lab[np.clip(mm, 0, None)], None)
    match_matrix = pd.DataFrame(entries, index=data.index[frows], columns=list(range(1, ratio + 1)))
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace,
                                    caliper=caliper, std_caliper=std_caliper, m_order=m_order, discard=discard,
                                    exact=exact, seed=seed, sample_kind=sample_kind))
    order = m_order or ("largest" if estimand == "ATT" else "smallest")
    return MatchIt(distance=d, match_matrix=match_matrix, weights=weights, subclass=sub,
                   discarded=np.zeros(n, dtype=bool), caliper=raw, treat=t, index=data.index, estimand=estimand,
                   ratio=ratio, replace=bool(replace), m_order="data" if replace else order, compat=None, model=None,
                   call=call, engine=ENGINE_NAME, warnings=tuple(notes))


def _caliper(d: np.ndarray, caliper, std_caliper, replace) -> tuple[float, float | None]:
    """(causalml's ``caliper`` argument, MatchIt's raw caliper). MatchIt's raw
    caliper is ``caliper * sd(distance)`` (n - 1) when standardised;
    causalml's is ``caliper * np.std(score)`` (population SD), on the
    standardised score with replacement. No caliper: an infinite one."""
    if caliper is None:
        return float("inf"), None
    raw = float(caliper) * float(np.std(d, ddof=1)) if std_caliper else float(caliper)
    sd0 = float(np.std(d))
    if sd0 == 0.0:
        return (float("inf") if raw > 0 else 0.0), raw
    return raw / sd0, raw


def _frame(d: np.ndarray, t: np.ndarray, focal: np.ndarray, m_order, estimand) -> pd.DataFrame:
    """The rows causalml is given (index = row position): the focal units in
    MatchIt's order (largest / smallest score first, stable; or data order),
    then the other group in data order."""
    order = m_order or ("largest" if estimand == "ATT" else "smallest")
    frows = np.flatnonzero(focal)
    if order == "largest":
        frows = frows[np.argsort(-d[frows], kind="stable")]
    elif order == "smallest":
        frows = frows[np.argsort(d[frows], kind="stable")]
    rows = np.concatenate([frows, np.flatnonzero(~focal)])
    return pd.DataFrame({"_T": t[rows], "_d": d[rows]}, index=rows)


def _match_matrix(pairs: pd.DataFrame, focal: np.ndarray, ratio: int) -> np.ndarray:
    """causalml's (from, to) pairs as MatchIt's match matrix: one row per focal
    unit in data order, its matches in the order causalml accepted them."""
    frows = np.flatnonzero(focal)
    pos = {int(r): i for i, r in enumerate(frows)}
    mm = np.full((frows.size, ratio), -1, dtype=np.int64)
    fill = np.zeros(frows.size, dtype=np.int64)
    for f, to in zip(pairs["from"].to_numpy(np.int64), pairs["to"].to_numpy(np.int64)):
        i = pos[int(f)]
        if fill[i] >= ratio:
            raise RuntimeError(f"causalml matched focal row {f} more than ratio={ratio} times")
        mm[i, fill[i]] = to
        fill[i] += 1
    return mm


def _subclass(mm: np.ndarray, frows: np.ndarray, n: int):
    """Matched sets without replacement, numbered by their focal unit's row."""
    owner = np.full(n, -1, dtype=np.int64)
    has = (mm >= 0).any(axis=1)
    owner[frows[has]] = frows[has]
    for i, row in zip(frows, mm):
        owner[row[row >= 0]] = i
    codes = np.full(n, -1, dtype=np.int64)
    used = np.unique(owner[owner >= 0])
    codes[owner >= 0] = np.searchsorted(used, owner[owner >= 0])
    return pd.Categorical.from_codes(codes, categories=list(range(1, used.size + 1)))
