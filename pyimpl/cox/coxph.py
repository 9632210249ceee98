"""``survival::coxph`` for right-censored data (survival 3.5-3): ``coxph.R``
and ``coxph.fit.R`` around the kernels of :mod:`.fit` (Breslow, Efron) and
:mod:`.exact` (the exact partial likelihood)."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from rparity_contract.calls import MISSING, cox_call
from rparity_contract.control import CoxControl
from rparity_contract.errors import InvalidArgument, RParityWarning
from rparity_contract.results.cox import Concordance, CoxPH
from rparity_contract.values import NA_ACTIONS

from .._rmath import r_sum
from .._threads import background
from ..survival.timefix import tie_codes
from . import fit as _fitmod
from ._ahead import ConcordanceAhead
from ._order import r_colmeans, stable_order
from .chol import wald_test_chol
from .cindex import concordancefit
from .fit import coxfit6, gather_scaled, linear_predictor, plan_processing, with_design
from .inputs import Prepared, prepare_inputs
from .robust import robust_variance
from .summary import chisq_test

__all__ = ["coxph", "check_prefit", "check_singular"]

_DBL_MAX = np.finfo(float).max

PARALLEL_MIN_ROWS = 50_000
"""Rows from which independent parts of the fit run on two threads (below,
thread start-up costs more than it saves). Results do not depend on it."""


def coxph(X, time=None, event=MISSING, *, data=None, subset=None, ties: str = "efron", weights=None,
          strata=None, cluster=None, robust: bool | None = None, init=None, control: CoxControl | None = None,
          nocenter=(-1, 0, 1), singular_ok: bool = True, na_action: str = "na.omit", id=None) -> CoxPH:
    """Fit a Cox proportional hazards model, as
    ``coxph(Surv(time, event) ~ X + strata(strata), weights=, cluster=, robust=,
    ties=, init=, control=, nocenter=)`` in R's survival 3.5-3.

    Two forms, as in R::

        coxph("Surv(time, status) ~ age + factor(ph.ecog) + strata(inst)", data=lung)
        coxph(X, time, event, strata=inst)

    Parameters
    ----------
    X : str (formula) or pandas.DataFrame
        The formula form: an R formula (``Surv(time, status) ~ age + sex *
        ph.ecog + strata(inst) + cluster(id)``, with ``factor() I() log()``...
        see :mod:`rparity_contract.formula`), read with R's ``model.frame`` and
        ``model.matrix`` rules (:mod:`pyimpl.cox.formula`); ``data`` holds its
        columns, ``subset`` (a boolean mask, 0-based row positions or an R
        expression such as ``"age > 50"``) selects rows, ``weights`` and
        ``cluster`` may name columns of ``data``.
    X (array form) : pandas.DataFrame
        Covariates: numeric, bool (R's logical: one column ``<name>TRUE``) or
        categorical (treatment contrasts, columns ``<name><level>``, levels in
        the Categorical's order). No columns: R's null model
        ``Surv(time, event) ~ 1``.
    time, event : array-like
        Follow-up times (finite; negative allowed, as in R) and the status as
        R's ``Surv()`` reads it (0/1, 1/2, logical, factor; None:
        ``Surv(time)``, every row an event).
    ties : {"efron", "breslow", "exact"}
        Handling of tied event times. ``"exact"`` is the discrete (conditional
        logistic) likelihood; see Notes for its limits.
    weights : array-like, optional
        Case weights (finite, > 0). Non-integer weights turn ``robust`` on,
        as in R.
    strata : array-like, optional
        Stratum labels: separate baseline hazards.
    cluster : array-like, optional
        Cluster labels for the robust (grouped dfbeta) variance; turns
        ``robust`` on unless ``robust=False`` (then R warns and ignores it).
    robust : bool or None
        ``None`` is R's rule: robust when ``cluster`` is given or weights are
        not integers.
    init : array-like, optional
        Starting coefficients (R's ``init``); tests are against ``init``.
    control : CoxControl, optional
        ``eps``, ``iter_max``, ``toler_chol``, ``toler_inf``, ``timefix``.
    nocenter : sequence of numbers
        Columns whose values all lie in this set are not centred (R's default
        ``c(-1, 0, 1)``).
    singular_ok : bool
        If False, a redundant column raises instead of giving NaN.
    id : array-like, optional
        Subject identifiers (R's ``id``; a column name in the formula form).
        As coxph.R for one-state data: the fit is robust by default when an
        id has more than one event, and the ids are the clusters of the
        robust variance when ``cluster`` is not given. A missing id drops the
        row.
    na_action : {"na.omit", "na.exclude"}
        Rows with a missing value are dropped either way; with ``"na.exclude"``
        (R's ``na.action = na.exclude``) the residuals and predictions of the
        fit's own rows come back one per input row, NaN for the dropped ones
        (R's ``naresid``).

    Returns
    -------
    CoxPH

    Notes
    -----
    * Rows with a missing value in any input are dropped (R's ``na.omit``);
      ``n_dropped`` and ``na_action`` say which.
    * R's warnings ("Ran out of iterations and did not converge", "Loglik
      converged before variable ...; coefficient may be infinite.") are issued
      with R's wording, and kept in ``warnings``.
    * Up to ``n * p^2 = 2.5e5`` the iteration replays coxfit6's sums in C
      order (coefficients, variance and log-likelihood equal R's to the last
      bit); above, the sums are regrouped for speed and agree to ~1e-14
      relative to the scale of each quantity (at most 4e-14 measured at
      2 x 10^5 rows), with R's iteration count (see :mod:`pyimpl.cox.fit`).
    * From 50,000 rows (``PARALLEL_MIN_ROWS``) independent parts of the fit
      run on a second thread: the plan of the sums beside the design's
      scaling, and the concordance of the final coefficients beside the last
      likelihood evaluation (:mod:`pyimpl.cox._ahead`). The results are the
      same numbers with or without the threads.
    * ``ties="exact"`` evaluates the conditional likelihood by the recursion of
      Gail et al. (as R's ``coxexact.c``), whose cost grows as (deaths at a time)
      x (risk set); tie groups above ``EXACT_MAX_TIES`` (256) deaths raise
      :class:`InvalidArgument` rather than run for hours. As in R, weights
      other than 1 and (right-censored data) the robust variance are refused
      with exact ties. On ``Surv(start, stop, event)`` data exact ties are R's
      ``agexact.fit`` (:mod:`pyimpl.cox.agexact`): every subset of the tied
      deaths of a risk set enumerated, as R does; its robust variance takes
      Breslow's score residuals, as R's (the fit's method is "coxph" there).
    * Where R stops with an error after fitting (a diverged exact fit whose
      risk scores overflow; a Wald test on non-finite values; a robust fit
      with one cluster and several covariates), this function raises
      :class:`InvalidArgument` saying so, and rbridge raises the same.
    * Contract note: the default ``robust=None`` applies R's rule; the API
      table's ``robust=False`` would silently ignore ``cluster`` (with R's
      warning), which is not what ``coxph(..., cluster=)`` does in R.
    """
    if na_action not in NA_ACTIONS:
        raise InvalidArgument(f"`na_action` must be one of {', '.join(NA_ACTIONS)}; got na_action={na_action!r}",
                              kind="argument.value")
    call = cox_call(X, time, event, data=data, subset=subset, ties=ties, weights=weights, strata=strata,
                    cluster=cluster, robust=robust, init=init, control=control, nocenter=nocenter,
                    singular_ok=singular_ok, na_action=na_action, id=id)
    prep = prepare_inputs(call)
    check_prefit(prep)
    fit = _fit(prep)
    check_singular(fit, singular_ok)
    for msg in fit.warnings:
        warnings.warn(RParityWarning(msg), stacklevel=2)
    return fit


def check_prefit(prep: Prepared) -> None:
    """The checks R makes between building the model frame and fitting, in R's
    order (none of them applies when there is no event: R returns early)."""
    x, w = prep.x, prep.weights
    if np.sum(prep.event) == 0:
        return
    if x.shape[0] == 1:
        # coxph.R fits, then concordancefit's rowSums(imat[, 1:3]) fails on one row
        raise InvalidArgument("`time`/`event` hold a single observation (with an event): R's coxph fails on it "
                              "(R: \"'x' must be an array of at least two dimensions\"); a Cox model needs "
                              "at least two observations", kind="data.one_subject")
    init = prep.init
    if init is not None:
        # coxph.R: refuse starting values whose risk scores overflow
        n, p = x.shape
        colmeans = r_colmeans(x)
        # coxph.R: exp(X %*% init - sum(colMeans(X) * init) + offset)
        with np.errstate(over="ignore"):
            temp = linear_predictor(x, init, np.zeros(n)) - r_sum(colmeans * init)
            if prep.offset is not None:
                temp = temp + prep.offset
            temp = np.exp(temp)
        if np.any(temp > _DBL_MAX) or np.all(temp == 0):
            raise InvalidArgument("`init` leads to overflow or underflow of the exp function "
                                  "(R: 'initial values lead to overflow or underflow of the exp function'); "
                                  f"got init={init.tolist()!r}", kind="init.overflow")
    if prep.robust and x.shape[1] > 1:
        m = np.unique(prep.cluster).size if (prep.cluster is not None and prep.cluster_given) else x.shape[0]
        if m == 1:
            # coxph.R: drop(rowsum(rr, cluster)) turns the one-row dfbeta matrix into a
            # vector, t(temp) %*% temp is then 1 x 1 and the Wald test fails
            raise InvalidArgument("`cluster` has a single value: R's robust variance fails with several "
                                  "covariates (R: '(subscript) logical subscript too long'); "
                                  "use robust=False or at least two clusters", kind="cluster.single")
    if prep.ties == "exact":
        if prep.has_weights and np.any(w != 1):
            raise InvalidArgument("`weights` are not supported with ties='exact' "
                                  "(R: 'Case weights are not supported for the exact method')",
                                  kind="weights.exact")
        if prep.robust and prep.start is None:  # (start, stop] data: agexact.fit's fit takes Breslow's dfbeta
            raise InvalidArgument("`robust` variance is not available with ties='exact' "
                                  "(R: 'dfbeta residuals are not available for the exact method')",
                                  kind="robust.exact")
        for j, name in enumerate(prep.design.names if prep.start is None else []):  # coxexact.fit's scale()
            col = x[:, j]
            if np.all(col == col[0]) and not np.all(np.isin(col, prep.nocenter)):
                raise InvalidArgument(
                    f"`X` column {name!r} is constant ({float(col[0])!r}); with ties='exact' R scales every "
                    "column by its standard deviation and fails "
                    "(R: 'NA/NaN/Inf in foreign function call (arg 5)')", kind="exact.nonfinite")
    elif np.any(w <= 0):
        i = int(np.flatnonzero(w <= 0)[0])
        raise InvalidArgument(f"`weights` must be positive (R: 'Invalid weights, must be >0'); "
                              f"got weights[{np.flatnonzero(prep.keep)[i]}]={float(w[i])!r}",
                              kind="weights.nonpositive")


def check_singular(fit: CoxPH, singular_ok: bool) -> None:
    """``singular.ok = FALSE``: a redundant column is an error."""
    bad = np.flatnonzero(np.isnan(fit.coef))
    if singular_ok or bad.size == 0 or fit.nevent == 0:
        return
    raise InvalidArgument("X matrix deemed to be singular; variable " + " ".join(str(i + 1) for i in bad)
                          + f" ({', '.join(fit.names[i] for i in bad)}); "
                          "pass singular_ok=True to get NaN coefficients instead", kind="X.singular")


def _fit(prep: Prepared) -> CoxPH:
    d = prep.design
    x, w, e = prep.x, prep.weights, prep.event
    n, p = x.shape
    control = prep.control
    # one hash of the times: R's timefix (aeqSurv) and their dense ranks
    trank, tvals = tie_codes(prep.time, control.timefix)
    t = tvals[trank]
    warns = list(prep.warnings)
    nevent = int(np.sum(e))
    common = dict(names=d.names, n=n, nevent=nevent, n_dropped=len(prep.dropped), na_action=prep.dropped,
                  method=prep.ties, term_names=d.term_names, assign=d.assign, call=prep.call)
    if nevent == 0:
        return _no_events(prep, common, warns)
    if prep.start is not None:  # Surv(start, stop, event): agreg.fit
        from .counting import fit_counting

        return fit_counting(prep, common, warns)
    init = prep.init
    off = prep.offset if prep.offset is not None else np.zeros(n)
    null = p == 0
    if null:
        # the null model Surv(time, event) ~ 1: coxph.fit (coxexact.fit) fits a
        # stand-in column of 1s (1:n) from 0 with no iteration; the model is
        # its log-likelihood at 0 (and the concordance of lp = 0)
        x = np.arange(1.0, n + 1.0)[:, None] if prep.ties == "exact" else np.ones((n, 1))
        p, init = 1, None
        control = dataclasses.replace(control, iter_max=0)
    strata = prep.strata if prep.strata is not None else np.zeros(n, dtype=np.intp)
    # coxph.R passes its cluster to concordancefit: the user's (even when
    # robust=FALSE ignored it), or 1:n when robust without one (NaN influence
    # sums then become 0 there, as R's tapply/ifelse)
    ccl = prep.cluster if prep.cluster is not None else (np.arange(n) if prep.robust else None)
    doscale = np.array([not _within(x[:, j], prep.nocenter) for j in range(p)], dtype=bool)
    maxiter = control.iter_max
    if prep.ties == "exact":
        from .exact import coxexact_fit

        res = coxexact_fit(x, t, e, strata, init, control, doscale, offset=off)
        coef, var, u, lp = res.coef, res.var, res.u, res.lp
        flag, loglik, sctest, iters, means = res.flag, res.loglik, res.sctest, res.iter, res.means
        infs_coef, infs_var, word = res.coef_scaled, res.var_scaled, "beta"
        conc = concordancefit(t, e, lp, prep.strata, w if prep.has_weights else None, ccl, time_rank=trank)
    else:
        # coxfit6 walks the rows sorted by order(strata, time) from the last:
        # one copy of the design, in that processing order, centred and scaled in place
        # (large data: each tie group's deaths first, which only regroups sums
        # that are not replayed in C order there; see fit.EXACT_ORDER_LIMIT)
        exact = n * max(p, 1) ** 2 <= _fitmod.EXACT_ORDER_LIMIT
        porder = (stable_order(strata, trank) if exact
                  else stable_order(strata, trank, (e == 1).astype(np.int8)))[::-1]
        wp = w[porder]
        # the sums' plan (groups, steps) does not need the design: made beside
        # the design's gathering and scaling
        plan = background(plan_processing, t[porder], e[porder], wp, strata[porder], off[porder], prep.ties,
                          p, exact, parallel=n >= PARALLEL_MIN_ROWS)
        if exact:
            xp = _fitmod.gather_rows(x, porder)
            means, scale = _fitmod.scale_covariates(xp, wp, doscale, exact)
        else:
            xp, means, scale = gather_scaled(x, porder, wp, doscale)
        del porder  # large data: every n-long array let go once used
        cd = with_design(plan.result(), xp)
        ahead = ConcordanceAhead(x, means, t, e, prep.strata, w if prep.has_weights else None, ccl, trank,
                                 parallel=n >= PARALLEL_MIN_ROWS, offset=prep.offset)
        res = coxfit6(cd, np.zeros(p) if init is None else init, scale, means, control, maxiter,
                      ahead=ahead.guess)
        del cd, xp, wp  # release the fit's working copy of the design before the next steps
        coef, var, u = res.coef, res.imat, res.u
        flag, loglik, sctest, iters = res.flag, res.loglik, res.sctest, res.iter
        # coxph.fit: lp <- c(x %*% coef) + offset - sum(coef * coxfit$means), and its
        # concordance (coxph.R), started beside the last evaluation when guessed right
        lp, conc = ahead.result(coef)
        infs_coef, infs_var, word = coef, var, "coefficient"
    which_sing = (np.diag(var) == 0) if flag < p else np.zeros(p, dtype=bool)
    if maxiter > 1:
        infs = np.abs(u @ infs_var)
        if flag == 1000:
            warns.append("Ran out of iterations and did not converge")
            if prep.ties != "exact" and (np.max(lp) > 500 or not np.all(np.isfinite(infs))):
                warns.append("one or more coefficients may be infinite")
        else:
            bad = (infs > control.eps) & (infs > control.toler_inf * np.abs(infs_coef))
            if prep.ties != "exact":
                bad |= ~np.isfinite(u)
            if bad.any():
                which = ",".join(str(i + 1) for i in np.flatnonzero(bad))
                warns.append(f"Loglik converged before variable  {which} ; {word} may be infinite. ")
    if null:
        return _null_model(common, warns, loglik, conc, off)
    coef = coef.copy()
    if maxiter > 0:
        coef[which_sing] = np.nan
    nabeta = ~np.isnan(coef)
    naive_var = None
    rscore = None
    if prep.robust and nabeta.any():
        naive_var = var
        cluster = prep.cluster if (prep.cluster is not None and prep.cluster_given) else np.arange(n)
        var, rscore_stat = robust_variance(x, t, e, w, strata, lp, naive_var, cluster, prep.ties,
                                           init, control.toler_chol)
        rscore = chisq_test(rscore_stat, int(nabeta.sum()))
    df = int(nabeta.sum())
    b = coef[nabeta] if init is None else (coef - init)[nabeta]
    wald = wald_test_chol(var[np.ix_(nabeta, nabeta)], b, control.toler_chol) if df else float("nan")
    logtest = -2 * (loglik[0] - loglik[1])
    se = np.sqrt(np.diag(var))
    return CoxPH(
        coef=coef, se=se, var=var, naive_var=naive_var, loglik=np.asarray(loglik, dtype=float),
        score_test=chisq_test(sctest, df), wald_test=chisq_test(wald, df), lr_test=chisq_test(logtest, df),
        robust_score_test=rscore, concordance=conc, iterations=int(iters), means=np.asarray(means),
        linear_predictors=lp, robust=prep.robust and naive_var is not None, warnings=tuple(warns), **common,
    )


def _within(col: np.ndarray, values) -> bool:
    """Every element of ``col`` is one of ``values`` (R's ``all(x %in% nocenter)``);
    the first rows are looked at first, which settles a continuous column at once."""
    return bool(np.all(np.isin(col[:64], values))) and bool(np.all(np.isin(col, values)))


def _null_model(common: dict, warns: list, loglik, conc: Concordance | None, offset: np.ndarray) -> CoxPH:
    """coxph.fit's null model: one log-likelihood (at 0), lp = 0 (the offset),
    the concordance of that lp; no coefficient, variance, test or iteration
    (``class = c("coxph.null", "coxph")``)."""
    return CoxPH(
        coef=np.zeros(0), se=np.zeros(0), var=np.zeros((0, 0)), naive_var=None,
        loglik=np.asarray([loglik[0]], dtype=float), score_test=None, wald_test=None, lr_test=None,
        robust_score_test=None, concordance=conc, iterations=0, means=np.zeros(0),
        linear_predictors=np.asarray(offset, dtype=float), robust=False, warnings=tuple(warns), **common,
    )


def _no_events(prep: Prepared, common: dict, warns: list) -> CoxPH:
    """coxph.R's early return when no event is observed (no error, NA coefficients)."""
    x = prep.x
    n, p = x.shape
    means = r_colmeans(x)  # colMeans(X)
    zero = chisq_test(0.0, 0)
    return CoxPH(
        coef=np.full(p, np.nan), se=np.zeros(p), var=np.zeros((p, p)), naive_var=None,
        loglik=np.zeros(2), score_test=zero, wald_test=zero, lr_test=zero, robust_score_test=None,
        # coxph.R's early return: concordance counts 0, concordance and std NA
        concordance=Concordance(c=float("nan"), std=float("nan"), concordant=0.0, discordant=0.0, tied_x=0.0,
                                tied_y=0.0, tied_xy=0.0, n=n),
        iterations=0, means=means, linear_predictors=np.zeros(n), robust=False,
        warnings=tuple(warns), **common,
    )
