"""``matchit(compat="3.0.2")``: MatchIt 3.0.2's ``matchit()`` with
``method = "nearest"`` (git tag ``3.0-2``: ``R/matchit.R``,
``R/distance2glm.R``, ``R/discard.R``, ``R/matchit2_methods.R``,
``R/weights.matrix.R``), as R ran it for the study paper.

What 3.0.2 does differently from 4.5.1 (each reproduced here):

* ``matchit()`` stops on a missing value anywhere in ``data`` ("Missing values
  exist in the data"), also in columns the model does not use.
* ``distance = "logit"`` fits ``glm(family = binomial(logit))`` and matches on
  the fitted probability (``"linear.logit"``: the linear predictor).
* Options it cannot use are warnings, not errors: an unknown ``m.order``
  (then "largest"), a ``ratio`` below 1 after ``round()`` (then 1), a negative
  caliper (then none), ``exact`` names not in the data (then no exact matching).
* The caliper is ``caliper * sd(distance[kept])``; within it the control is
  drawn at random (:mod:`.nearest302`).
* Weights (``weights.matrix``): a treated unit with a match gets 1; a control
  gets the sum of ``1/(matches of its treated unit)`` over its distinct
  treated units (added in the order of the match matrix's columns from last to
  first), then the controls are rescaled to sum to the number of distinct
  matched controls; discarded units get 0.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import MatchItCall
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.matchit302 import check_options_302, sample_kind_for
from rparity_contract.results.matching import GlmLogit, MatchIt

from .._rformat import r_as_character_num
from .._rmath import r_sum
from ..design import model_matrix
from ._rstats import r_var
from .glm import GlmControl, fit_glm
from .nearest302 import Match302Error, nn_match_302
from .rng import RRandom

__all__ = ["matchit_302", "weights_302", "Match302Error"]

_ORDERS_302 = ("largest", "smallest", "random")


def _r_num(x) -> str:
    return r_as_character_num(float(x))


def _options_302(m_order, ratio, caliper) -> tuple[str, object, object, list[str]]:
    """3.0.2's checks of ``m.order``, ``ratio`` and ``caliper``
    (``matchit2nearest``'s first lines): (m.order, ratio, caliper, warnings)."""
    warns: list[str] = []
    if m_order is None:
        m_order = "largest"
    elif m_order not in _ORDERS_302:
        warns.append(f"m.order={m_order} is invalid; used m.order='largest' instead")
        m_order = "largest"
    if isinstance(ratio, (int, float, np.integer, np.floating)) and not isinstance(ratio, (bool, np.bool_)) \
            and np.isfinite(ratio):
        ratio = round(float(ratio))  # R's round(): halves to even, as Python's
        if ratio < 1:
            warns.append(f"ratio={_r_num(ratio)} is invalid; used ratio=1 instead")
            ratio = 1
    if isinstance(caliper, (int, float, np.integer, np.floating)) and not isinstance(caliper, (bool, np.bool_)) \
            and caliper < 0:
        warns.append(f"caliper={_r_num(caliper)} is less than 0; Caliper matching not done")
        caliper = None
    if caliper is not None and caliper == 0:
        caliper = None  # 3.0.2's default, "no caliper"
    return m_order, ratio, caliper, warns


def _cells(data: pd.DataFrame, cols: list) -> np.ndarray:
    """The ``exact`` cell of each unit: 3.0.2 compares each column's values
    with ``!=`` (factor labels, numbers, logicals), so a cell is one tuple of
    values."""
    return data[cols].astype(object).groupby(cols, sort=False, dropna=False).ngroup().to_numpy(np.int64)


def _check_treat_302(x: pd.Series) -> None:
    """3.0.2 tells treated from control by ``treat == 1`` and ``treat == 0``:
    a factor must have the levels "0" and "1" (other labels leave no treated
    unit and 3.0.2's loop fails)."""
    if isinstance(x.dtype, pd.CategoricalDtype):
        used = sorted(str(c) for c in x.cat.categories if (x == c).any())
        if used != ["0", "1"]:
            raise InvalidArgument(f"`treat` must be 0/1 (numbers, logical, or a factor labelled \"0\"/\"1\") with "
                                  f"compat='3.0.2': MatchIt 3.0.2 finds the treated by treat == 1; got levels {used}",
                                  kind="treat.values")


def weights_302(mm: np.ndarray, treat: np.ndarray, discarded: np.ndarray) -> np.ndarray:
    """MatchIt 3.0.2 ``weights.matrix`` (``R/weights.matrix.R``).

    Contract: ``mm`` (n1 x ratio) from :func:`nn_match_302` (control indices
    among the controls in data order, < 0 for none); ``treat`` 0/1 of all
    units. Each control's ``1/num.matches`` terms are added in the order of
    its distinct treated units in ``c(col ratio, ..., col 2, col 1)`` (R
    builds ``treats`` by prepending each later column); the controls' total is
    R's ``sum`` (long double).
    """
    t_rows = np.flatnonzero(treat == 1)
    c_rows = np.flatnonzero(treat == 0)
    kept_t = ~discarded[t_rows]
    n = treat.size
    w = np.zeros(n)
    sub = mm[kept_t]
    t_kept = t_rows[kept_t]
    num = (sub >= 0).sum(axis=1)  # discarded rows are not in sub; NA entries are < 0
    w[t_kept[num > 0]] = 1.0
    ratio = mm.shape[1]
    terms: dict[int, list[int]] = {}
    for j in range(ratio - 1, -1, -1):
        col = sub[:, j]
        for i in np.flatnonzero(col >= 0).tolist():
            lst = terms.setdefault(int(col[i]), [])
            if i not in lst:
                lst.append(i)
    cw = np.zeros(c_rows.size)
    for c, owners in terms.items():
        v = 0.0
        for i in owners:
            v = v + 1.0 / float(num[i])
        cw[c] = v
    total = r_sum(cw)
    if total == 0:
        cw[:] = 0.0
    else:
        n_used = float(len(terms))
        cw = cw * n_used / total
    w[c_rows] = cw
    w[discarded] = 0.0
    if r_sum(w) == 0:
        raise InvalidArgument("No units were matched (MatchIt 3.0.2: No units were matched)", kind="match.none")
    if r_sum(w[t_rows]) == 0:
        raise InvalidArgument("No treated units were matched (MatchIt 3.0.2: No treated units were matched)",
                              kind="match.no_treated")
    if r_sum(w[c_rows]) == 0:
        raise InvalidArgument("No control units were matched (MatchIt 3.0.2: No control units were matched)",
                              kind="match.no_control")
    return w


def matchit_302(data: pd.DataFrame, treat: str, covariates, *, distance="glm", link: str = "logit",
                estimand: str = "ATT", ratio=1, replace: bool = False, caliper=None, std_caliper: bool = True,
                m_order: str | None = None, discard: str = "none", exact=None, seed: int | None = None,
                sample_kind: str | None = None) -> MatchIt:
    """:func:`pyimpl.matching.matchit.matchit` with ``compat="3.0.2"``."""
    from .matchit import discard_units, validate

    if isinstance(data, pd.DataFrame):
        na_cols = [str(c) for c in data.columns if data[c].isna().any()]
        if na_cols:
            raise InvalidArgument(f"`data` must have no missing values anywhere with compat='3.0.2' (MatchIt "
                                  f"3.0.2: Missing values exist in the data); got them in column {na_cols[0]}",
                                  kind="data.missing")
        if isinstance(treat, str) and treat in data.columns:
            _check_treat_302(data[treat])
    kind = sample_kind_for("3.0.2", sample_kind)
    if link == "linear.cauchit" and isinstance(distance, str):
        # R/distance2glm.R names it distance2linearcauchit (no dot): matchit() finds no distance2linear.cauchit
        raise InvalidArgument("`link` 'linear.cauchit' does not exist in MatchIt 3.0.2, which misnames its function "
                              "(distance2linearcauchit): R stops with 'linear.cauchitnot supported.'",
                              kind="link.value")
    check_options_302(estimand=estimand, std_caliper=std_caliper, caliper=caliper, m_order=m_order, seed=seed)
    m_used, ratio_r, caliper_r, opt_warns = _options_302(m_order, ratio, caliper)
    exact_cols = None
    exact_warns: list[str] = []
    if exact is not None:
        cols = [exact] if isinstance(exact, str) else list(exact)
        if not all(c in data.columns for c in cols):
            exact_warns.append("Exact variables not contained in data. Exact matching not done.")
        else:
            exact_cols = cols
    spec = validate(data, treat, covariates, distance=distance, link=link, estimand="ATT", ratio=ratio_r,
                    replace=replace, caliper=caliper_r, std_caliper=True, m_order=m_used, discard=discard,
                    exact=exact_cols, seed=seed, compat="3.0.2")
    warns: list[str] = []
    n = len(data)
    model = None
    if spec.distance is None:
        design = model_matrix(spec.terms, n, intercept=True, drop_unused_levels=True, arg="covariates")
        # R/distance2glm.R: glm(formula, data, family = binomial(link))
        fit = fit_glm(design.x, spec.treat.astype(float), np.ones(n), spec.link.removeprefix("linear."),
                      GlmControl(), family="binomial")
        warns.extend(fit["warnings"])
        model = GlmLogit(names=tuple(design.names), coef=fit["coef"], fitted=fit["fitted"],
                         linear_predictor=fit["linear_predictor"], deviance=fit["deviance"],
                         null_deviance=fit["null_deviance"], aic=fit["aic"], iterations=fit["iterations"],
                         converged=fit["converged"], rank=fit["rank"], warnings=tuple(fit["warnings"]))
        d = np.asarray(fit["linear_predictor"] if spec.link.startswith("linear.") else fit["fitted"], dtype=float)
    else:
        d = np.asarray(spec.distance, dtype=float)
    t = spec.treat
    discarded = discard_units(t, d, spec.discard)
    warns.extend(opt_warns)
    n1 = int(t.sum())
    n0 = n - n1
    if n0 < spec.ratio * n1 and not spec.replace:
        if spec.ratio > 1:
            warns.append(f"Not enough control units for  {spec.ratio}  matches for each treated unit when matching "
                         f"without replacement.  Not all treated units will receive {spec.ratio} matches")
        else:
            warns.append("Fewer control than treated units and matching without replacement.  Not all treated "
                         f"units will receive a match.  Treated units will be matched in the order specified by "
                         f"m.order: {m_used}")
    warns.extend(exact_warns)
    sd_cal = None
    if spec.caliper is not None:
        sd_cal = float(spec.caliper) * float(np.sqrt(r_var(d[~discarded])))
    cells = _cells(data, exact_cols) if exact_cols else None
    mm = nn_match_302(t, d, discarded, spec.ratio, spec.replace, m_used, sd_cal, cells,
                      RRandom(int(spec.seed), kind))  # type: ignore[arg-type]
    for w_ in warns:
        warnings.warn(RParityWarning(w_), stacklevel=3)
    weights = weights_302(mm, t, discarded)
    labels = data.index
    t_rows = np.flatnonzero(t == 1)
    c_rows = np.flatnonzero(t == 0)
    lab = np.asarray(labels, dtype=object)
    entries = np.where(mm >= 0, lab[c_rows[np.clip(mm, 0, None)]] if c_rows.size else None, None)
    match_matrix = pd.DataFrame(entries, index=labels[t_rows], columns=list(range(1, spec.ratio + 1)))
    call = MatchItCall(data=data, treat=treat, covariates=covariates,
                       options=dict(distance=distance, link=link, estimand=estimand, ratio=ratio, replace=replace,
                                    caliper=caliper, std_caliper=std_caliper, m_order=m_order, discard=discard,
                                    exact=exact, seed=seed, compat="3.0.2", sample_kind=kind))
    return MatchIt(distance=d, match_matrix=match_matrix, weights=weights, subclass=None,
                   discarded=np.asarray(discarded, dtype=bool), caliper=sd_cal, treat=t, index=labels,
                   estimand="ATT", ratio=spec.ratio, replace=spec.replace, m_order=m_used, compat="3.0.2",
                   model=model, call=call, warnings=tuple(warns))
