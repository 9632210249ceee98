"""The design-based log-rank test: survey 4.1-1's ``svylogrank(formula,
design, rho, gamma, method = "small" | "large")`` on a one-stage design.

As survey's ``.logrank`` and ``.biglogrank`` (the same statistic, two orders
of computing it):

* the weight function ``w(t) = S(t-)^rho (1 - S(t-))^gamma`` from the
  design's product-limit curve of all rows (``svykm(~ 1, se = FALSE)``), as
  ``approxfun(S$time + epsilon, ..., method = "constant", rule = 2)`` with
  ``epsilon`` a tenth of the smallest gap between its times;
* ``coxph(formula, weights = weights(design, "sampling"), iter.max = 0)``
  (the unscaled sampling weights, beta = 0) and its ``coxph.detail``: the
  hazard increments ``dLambda`` and risk-set means ``E`` per event time;
* each row's score residual ``U_i = w(t_i) dN_i (Z_i - E(t_i)) - sum_j
  w(t_j) dLambda_j Y_i(t_j) (Z_i - E(t_j))``: "small" as ``ZmEdN w -
  rowSums(outer(Z, E, "-") * t(w dLambda Y))``; "large" subtracting the event
  times' terms one by one, ``w(t_j) (Z - E_j) dLambda_j (t >= t_j)``;
* ``svytotal(U, design)``: the score, its design variance ``V``; ``z =
  score/sqrt(diag(V))``, ``p = 2 pnorm(-|z|)``, ``chisq = score' V^-1 score``
  (``solve``) on ``ncol(Z)`` degrees of freedom.

``method = "score"`` is ``svylogrank.survey.design2``'s own test: the
coefficients of one Newton step ``svycoxph(formula, design, iter = 1)`` and
the design variance of ``svycoxph(formula, design, iter = 0)``; with ``rho``
or ``gamma`` on ``expandlogrank``'s split data (see :func:`_score_test`).
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.formula import Name
from rparity_contract.results.survey import SvyLogrank

from .. import _libm
from .._rmath import pchisq_upper, r_mean, r_sum
from ..formula import model_frame
from ..matching.links import pnorm
from ._design import Design, read_design, svyrecvar, svytotal
from ._frame import surv_frame
from .svykm import _svykm_fit

__all__ = ["svylogrank"]

_METHODS = ("small", "large", "score")


def svylogrank(formula: Any, data: Any, *, weights: Any = None, ids: Any = None, strata: Any = None,
               rho: float = 0.0, gamma: float = 0.0, method: str = "small") -> SvyLogrank:
    """``svylogrank(formula, design = svydesign(ids = ~ids (or ~1), strata =
    ~strata, weights = ~weights, data = data), rho, gamma, method)``.

    Notes
    -----
    "small"/"large": ``strata()`` terms are refused (survey's code ignores
    them in the at-risk indicators); rows with a missing value are refused
    (R's score residuals then no longer line up with the design's rows).
    "score": see :func:`_score_test`.
    """
    from ..cox import coxph, coxph_detail
    from ..cox.refit import fit_data
    from ..cox.survey import _solve

    if not isinstance(method, str) or method not in _METHODS:
        raise InvalidArgument(f"`method` must be one of {_METHODS}; got method={method!r} (R: 'arg' should be "
                              "one of ...)", kind="argument.value")
    for name, v in (("rho", rho), ("gamma", gamma)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v):
            raise InvalidArgument(f"`{name}` must be a finite number; got {name}={v!r}", kind="argument.value")
    design = read_design(data, weights, ids, strata)
    if method == "score":
        return _score_test(formula, data, design, float(rho), float(gamma), ids is None)
    sf = surv_frame("svylogrank", formula, data)
    if sf.formula.strata:
        raise InvalidArgument(f"`formula` {sf.formula.text!r}: strata() terms are not in pyimpl's svylogrank",
                              kind="formula.special")
    if not sf.keep.all():
        i = int(np.flatnonzero(~sf.keep)[0])
        raise InvalidArgument(f"row {i} has a missing value in the formula's variables: svylogrank's score "
                              "residuals would not line up with the design's rows", kind="argument.missing")
    # S: svykm(Surv(time, status) ~ 1, design, se = FALSE), on the rows of the design
    s_time, s_surv = _svykm_fit(sf.time, sf.status, design.weights)
    step = _weight_function(s_time, s_surv, float(rho), float(gamma))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = coxph(formula, data=data, weights=design.weights, control=CoxControl(iter_max=0))
        detail = coxph_detail(fit)
    for c in caught:
        warnings.warn(c.message, stacklevel=2)
    fd = fit_data(fit)
    x = np.asarray(fd.prep.x, dtype=float)
    times = np.asarray(fd.time, dtype=float)
    status = np.asarray(fd.prep.event, dtype=float)
    dlam = np.asarray(detail.hazard, dtype=float)
    E = np.asarray(detail.means, dtype=float).reshape(dlam.size, -1)
    dtime = np.asarray(detail.time, dtype=float)
    U = _score_residuals(x, times, status, dtime, dlam, E, step, method)
    score, vcov = svytotal(U, design)
    se = np.sqrt(np.diag(vcov))
    z = score / se
    p = 2.0 * np.asarray(pnorm(-np.abs(z)), dtype=float)
    sol = _solve(vcov, score)
    chisq = 0.0
    for j in range(score.size):  # coef %*% solve(): dgemv, summed in order
        chisq += score[j] * sol[j]
    df = x.shape[1]
    return SvyLogrank(score=score, se=se, z=z, p=p, chisq=float(chisq), p_chisq=float(pchisq_upper(chisq, df)),  # type: ignore[no-untyped-call]
                      df=df, method=method, warnings=design.notes + tuple(str(c.message) for c in caught))


def _weight_function(s_time: np.ndarray, s_surv: np.ndarray, rho: float,
                     gamma: float) -> Callable[[np.ndarray], np.ndarray]:
    """``approxfun(S$time + epsilon, S$surv^rho * (1 - S$surv)^gamma, method =
    "constant", rule = 2)``: the value at the last knot at or before t, the
    first knot's below it."""
    ut = np.unique(s_time)
    epsilon = np.min(np.diff(ut)) / 10 if ut.size > 1 else np.inf  # min(numeric(0)) is Inf in R
    knots = s_time + epsilon
    values = _rpow(s_surv, rho) * _rpow(1.0 - s_surv, gamma)

    def w(t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(knots, t, side="right") - 1
        return np.asarray(values[np.clip(i, 0, knots.size - 1)], dtype=float)
    return w


def _rpow(x: np.ndarray, y: float) -> np.ndarray:
    """R's ``x^y`` (arithmetic.c R_POW): 1 for y = 0 or x = 1, x*x for y = 2, else pow."""
    if y == 0:
        return np.ones(x.shape)
    if y == 2:
        return np.asarray(x * x, dtype=float)
    out = np.asarray(_libm.power(x, np.full(x.shape, y)), dtype=float)
    out[x == 1] = 1.0
    return out


def _score_residuals(x: np.ndarray, times: np.ndarray, status: np.ndarray, dtime: np.ndarray, dlam: np.ndarray,
                     E: np.ndarray, w: Callable[[np.ndarray], np.ndarray], method: str) -> np.ndarray:
    """U (n, p) of ``.logrank`` ("small") or ``.biglogrank`` ("large")."""
    n, p = x.shape
    ev = status == 1
    index = np.searchsorted(dtime, times[ev])  # match(times[N == 1], detail$time)
    zme_dn = np.zeros((n, p))
    zme_dn[ev] = x[ev] - E[index]
    wt = w(times)
    wd = w(dtime)
    U = np.zeros((n, p))
    if method == "small":
        Y = (times[None, :] >= dtime[:, None]).astype(float)  # t(outer(times, detail$time, ">="))
        m = ((wd * dlam)[:, None] * Y).T  # t(w(detail$time) * dLambda * Y)
        for k in range(p):
            zme = x[:, k][:, None] - E[:, k][None, :]
            prod = zme * m
            rs = np.cumsum(prod.astype(np.longdouble), axis=1)[:, -1].astype(float) if prod.shape[1] else np.zeros(n)
            U[:, k] = zme_dn[:, k] * wt - rs  # rowSums: long double
    else:
        for k in range(p):
            u = zme_dn[:, k] * wt
            for j in range(dtime.size):
                zme = x[:, k] - E[j, k]
                u = u - wd[j] * zme * dlam[j] * (times >= dtime[j]).astype(float)
            U[:, k] = u
    return U


# --- method = "score": svylogrank.survey.design2's one-step svycoxph score test (and expandlogrank) ---------

def _score_test(formula: Any, data: pd.DataFrame, design: Design, rho: float, gamma: float,
                no_ids: bool) -> SvyLogrank:
    """``method = "score"`` (survey 4.1-1 ``svylogrank.survey.design2``): with
    ``rho = gamma = 0``

    * the grouping check on ``model.frame(tms, model.frame(design))`` (``tms``
      the right-hand side without its ``strata()`` terms): one variable, a
      factor unless it has at most 2 distinct values (:func:`_check_group`);
    * ``b <- coef(svycoxph(formula, design, iter = 1))``: one Newton step
      from 0 (``iter`` is coxph.control's ``iter.max``), strata() kept;
    * ``v <- vcov(svycoxph(formula, design, iter = 0))``: the design
      variance of the dfbeta residuals at beta = 0;
    * ``z = b/sqrt(diag(v))``, ``x2 = sum(b * solve(v, b))`` (``sum``: long
      double), ``pchisq(x2, length(b), lower.tail = FALSE)``.

    With ``rho`` or ``gamma`` not 0, ``expandlogrank`` (:func:`_expand`)
    first splits the rows at the event times and weights the pieces by
    ``w(t)``, then the same two fits on the split data.

    The result: ``score = b``, ``se = sqrt(diag(v))``, ``z``, ``p`` empty
    (R gives no per-column p value here), ``chisq = x2``, ``p_chisq``, ``df =
    length(b)``."""
    from ..cox.survey import _solve

    notes = list(design.notes)
    if rho != 0 or gamma != 0:
        formula, data, design = _expand(formula, data, design, rho, gamma, no_ids, notes)
    else:
        _check_group(model_frame(formula, data))
    b, _, w1 = _svycoxph_at(formula, data, design, 1)
    _, v, w0 = _svycoxph_at(formula, data, design, 0)
    for msg in w1 + w0:
        warnings.warn(RParityWarning(msg), stacklevel=3)
    se = np.sqrt(np.diag(v))
    z = b / se
    x2 = float(r_sum(b * _solve(v, b)))
    df = b.size
    return SvyLogrank(score=b, se=se, z=z, p=np.zeros(0), chisq=x2,
                      p_chisq=float(pchisq_upper(x2, df)),  # type: ignore[no-untyped-call]
                      df=df, method="score", warnings=tuple(notes) + w1 + w0)


def _check_group(frame: Any) -> None:
    """svylogrank.survey.design2's checks on ``mf <- model.frame(tms,
    model.frame(design))`` (``tms``: the right-hand side, its ``strata()``
    terms removed by ``[.terms``, which rebuilds the formula from the other
    term labels; na.omit on those variables only):
    ``length(mf) > 1`` -> "Only one grouping variable allowed"; ``mf[[1]]``
    of no column -> "subscript out of bounds"; not ``is.factor`` with more
    than 2 distinct values -> "Grouping variable with more than 2 levels must
    be a factor"."""
    mf = frame.formula
    strata_terms = set(mf.special_terms("strata"))
    kept = [t for k, t in enumerate(mf.terms) if k not in strata_terms]
    used = sorted({j for t in kept for j in t})
    ncol = len(used) + len(mf.offsets) + (len(mf.unused) if not strata_terms else 0)
    if ncol > 1:
        raise InvalidArgument(f"`formula` {mf.text!r} has {ncol} grouping variables; svylogrank's score test "
                              "takes one (R: 'Only one grouping variable allowed')", kind="formula.terms")
    if ncol == 0 or not used:
        raise InvalidArgument(f"`formula` {mf.text!r} has no grouping variable (R: mf[[1]]: 'subscript out of "
                              "bounds')", kind="group.levels")
    term = frame.variables[used[0]]
    expr = mf.variables[used[0]]
    is_factor = term.kind == "factor" and not (isinstance(expr, Name) and _strings(frame.data[expr.id]))
    if is_factor:
        return
    ok = ~term.missing
    if term.kind == "numeric":
        nuniq = np.unique(np.asarray(term.values)[ok]).size
    elif term.kind == "matrix":  # length(unique(<matrix>)): the distinct rows times the columns
        vals = np.asarray(term.values)[ok]
        nuniq = np.unique(vals, axis=0).size if vals.size else 0
    else:  # logical, or a character column (not a factor in R's model frame)
        nuniq = np.unique(np.asarray(term.codes)[ok]).size
    if nuniq > 2:
        raise InvalidArgument(f"grouping variable {term.name!r} has {nuniq} distinct values and is not a factor "
                              "(R: 'Grouping variable with more than 2 levels must be a factor')", kind="group.type")


def _svycoxph_at(formula: Any, data: pd.DataFrame, design: Design,
                 iter_max: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """``svycoxph(formula, design, iter = iter_max)`` (survey
    ``svycoxph.survey.design``, as :func:`pyimpl.cox.survey.svycoxph` with
    coxph.control's ``iter.max``): ``coxph`` with the weights ``(1/prob) /
    mean(1/prob)``, ``subset = weights > 0``; the design (less the rows
    ``na.action`` drops) variance of the weighted dfbeta residuals (zero rows
    where ``prob`` is infinite); ``coef %*% solve(var, coef)`` (the Wald test:
    a singular variance fails there). Returns (coef, var, the fit's warnings)."""
    from ..cox import coxph, coxph_residuals
    from ..cox.survey import _solve, dfbeta_zero_weights, place_dfbeta

    w = design.weights
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise InvalidArgument(f"`weights` must be non-negative (R's svycoxph: 'weights must be non-negative'); got "
                              f"weights[{i}]={w[i]!r}", kind="weights.negative")
    rescaled = w / r_mean(w)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = coxph(formula, data=data, weights=rescaled, subset=rescaled > 0,
                    control=CoxControl(iter_max=iter_max))
    dropped = np.zeros(len(data), dtype=bool)
    dropped[list(fit.na_action)] = True
    sub = design.rows(~dropped)  # design[-nas, ]
    if (rescaled > 0).all():
        used = np.asarray(coxph_residuals(fit, "dfbeta", weighted=True).values, dtype=float)
    else:
        used = dfbeta_zero_weights(formula, data, fit)
    used = used.reshape(used.shape[0], -1)
    dbeta = place_dfbeta(used, np.isfinite(sub.prob))
    var = svyrecvar(dbeta, sub)
    coef = np.asarray(fit.coef, dtype=float)
    _solve(var, coef)  # g$wald.test
    return coef, var, tuple(str(c.message) for c in caught)


def _expand(formula: Any, data: pd.DataFrame, design: Design, rho: float, gamma: float, no_ids: bool,
            notes: list[str]) -> tuple[str, pd.DataFrame, Design]:
    """survey's ``expandlogrank``: the data split at the event times, each
    piece weighted ``w(t)``. In its order:

    * ``S <- svykm(update(formula, . ~ 1), design, se = FALSE)`` (a
      right-censored response only) and ``w`` (:func:`_weight_function`);
    * ``coxph(formula, weights = weights(design, "sampling"), iter.max =
      0)``: its ``y`` (after timefix) goes back into the design's data, which
      fails when the fit dropped a row ("replacement has n - k rows, data has
      n"); ``coxph.detail(...)$time`` are the cuts;
    * ``survSplit(cut = sort(unique(times)))``: ``(0, t]`` split at the cuts
      strictly inside it, the event on the last piece ("'zero' parameter must
      be less than any observed times" for t <= 0);
    * ``.weights = weights(design, "sampling")[row] * w(.time)`` and
      ``svydesign(ids = the design's ids, strata = its strata, weights =
      ~.weights, data = split)``: without ids every piece is its own cluster;
    * the grouping check, on the split data;
    * the formula's response becomes ``Surv(.start, .time, .status)``.
    """
    from ..cox import coxph, coxph_detail
    from ..cox.refit import fit_data

    sf = surv_frame("svylogrank", formula, data)
    s_time, s_surv = _svykm_fit(sf.time, sf.status, design.weights[sf.keep])
    step = _weight_function(s_time, s_surv, rho, gamma)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = coxph(formula, data=data, weights=design.weights, control=CoxControl(iter_max=0))
        detail = coxph_detail(fit)
    notes.extend(str(c.message) for c in caught)
    n = len(data)
    if len(fit.na_action):
        raise InvalidArgument(f"{len(fit.na_action)} row(s) have a missing value in the formula's variables: "
                              f"expandlogrank puts coxph's response of {n - len(fit.na_action)} rows back into "
                              f"the design's {n} (R: 'replacement has {n - len(fit.na_action)} rows, data has "
                              f"{n}')", kind="argument.missing")
    fd = fit_data(fit)
    times = np.asarray(fd.time, dtype=float)
    status = np.asarray(fd.prep.event, dtype=float)
    if (times <= 0).any():
        raise InvalidArgument("expandlogrank's survSplit needs every time above 0 (R: \"'zero' parameter must be "
                              "less than any observed times\")", kind="zero.value")
    cuts = np.unique(np.asarray(detail.time, dtype=float))
    rows, starts, stops, events = [], [], [], []
    for i in range(n):  # survsplit.c: the cuts strictly inside (0, t_i], rows in order
        inside = cuts[(cuts > 0) & (cuts < times[i])]
        bounds = np.concatenate([[0.0], inside, [times[i]]])
        k = inside.size + 1
        rows.append(np.full(k, i))
        starts.append(bounds[:-1])
        stops.append(bounds[1:])
        ev = np.zeros(k)
        ev[-1] = status[i]
        events.append(ev)
    row = np.concatenate(rows)
    names = [str(c) for c in data.columns]
    start_col, stop_col, event_col = (_fresh(x, names) for x in ("rp_start", "rp_stop", "rp_status"))
    split = data.iloc[row].reset_index(drop=True)
    split[start_col] = np.concatenate(starts)
    split[stop_col] = np.concatenate(stops)
    split[event_col] = np.concatenate(events)
    wsplit = design.weights[row] * step(split[stop_col].to_numpy())
    with np.errstate(divide="ignore"):
        prob = 1.0 / wsplit
    if np.isnan(prob).any():
        raise InvalidArgument("a weight of the split data is missing (w(t) is NaN: R's svydesign: \"missing values "
                              "in `weights'\")", kind="argument.missing")
    m = row.size
    cluster = np.arange(m) if no_ids else design.cluster[row]
    stratum = design.stratum[row]
    cl_codes = np.unique(cluster, return_inverse=True)[1].reshape(-1)
    npsu = np.array([np.unique(cl_codes[stratum == h]).size for h in range(design.npsu.size)])
    split_design = Design(prob=prob, cluster=cl_codes, stratum=stratum, npsu=npsu, notes=design.notes)
    text = sf.formula.text
    rhs = text[text.index("~") + 1:]
    new_formula = f"Surv({start_col}, {stop_col}, {event_col}) ~{rhs}"
    _check_group(model_frame(new_formula, split))
    return new_formula, split, split_design


def _fresh(base: str, taken: list[str]) -> str:
    name = base
    while name in taken:
        name += "_"
    return name


def _strings(s: pd.Series) -> bool:
    """A column of strings: a character vector in R's model frame, not a factor."""
    return (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)) \
        and not isinstance(s.dtype, pd.CategoricalDtype)
