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
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument
from rparity_contract.results.survey import SvyLogrank

from .. import _libm
from .._rmath import pchisq_upper
from ..matching.links import pnorm
from ._design import read_design, svytotal
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
    ``method = "score"`` (the one-step ``svycoxph`` score test) is not
    ported; ``strata()`` terms are refused (survey's code ignores them in
    the at-risk indicators); rows with a missing value are refused (R's
    score residuals then no longer line up with the design's rows).
    """
    from ..cox import coxph, coxph_detail
    from ..cox.refit import fit_data
    from ..cox.survey import _solve

    if not isinstance(method, str) or method not in _METHODS:
        raise InvalidArgument(f"`method` must be one of {_METHODS}; got method={method!r} (R: 'arg' should be "
                              "one of ...)", kind="argument.value")
    if method == "score":
        raise InvalidArgument("method = 'score' (svycoxph's one-step score test) is not in pyimpl's svylogrank",
                              kind="argument.value")
    for name, v in (("rho", rho), ("gamma", gamma)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v):
            raise InvalidArgument(f"`{name}` must be a finite number; got {name}={v!r}", kind="argument.value")
    design = read_design(data, weights, ids, strata)
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
