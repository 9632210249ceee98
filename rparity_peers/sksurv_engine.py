"""scikit-survival as an rparity engine: survfit (``kaplan_meier_estimator``,
``nelson_aalen_estimator``), survdiff (``compare_survival``), coxph
(``CoxPHSurvivalAnalysis``), concordance (``concordance_index_censored``) and
survfit_ms, competing-risks curves of one sample
(``cumulative_incidence_competing_risks``, Aalen-Johansen).

Only scikit-survival's public API is used, as a user of it would call it.
What it has no counterpart for is refused with ``NotImplementedError`` naming
what is missing (case weights, strata, G-rho weights, variance of the Cox
coefficients, counting-process data...); the values it does not compute are
declared in ``NOT_COMPUTED``.

Where scikit-survival computes something differently from R, the adapter
reports its value as it computes it; the differences are explained in the
known-divergence registry (``sksurv-*`` entries of :mod:`rparity.divergences`).
"""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from rparity_contract.calls import MISSING, CoxCall, SurvFitCall, is_formula
from rparity_contract.errors import InvalidArgument
from rparity_contract.results import SurvDiff, SurvFit
from rparity_contract.results.cox import Concordance
from rparity_contract.results.multistate import SurvFitMS
from rparity_contract.values import CONF_TYPES

from ._common import (
    CurveFunctions,
    Curves,
    curve_summary,
    factor_status,
    group_arrays,
    km_arrays,
    not_honoured,
    numeric,
)
from ._cox_common import PeerFit, PeerFits, cox_arrays, cox_frame, cox_result

try:  # the adapter is importable only where scikit-survival is installed
    import sksurv
    from sksurv.compare import compare_survival
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.metrics import concordance_index_censored
    from sksurv.nonparametric import (
        cumulative_incidence_competing_risks,
        kaplan_meier_estimator,
        nelson_aalen_estimator,
    )
    from sksurv.util import Surv
except ImportError as exc:  # pragma: no cover - exercised when scikit-survival is missing
    raise ImportError(f"the sksurv engine needs scikit-survival: pip install scikit-survival ({exc})") from exc

ENGINE_NAME = "sksurv"
VERSION = sksurv.__version__

UNSUPPORTED = {
    "survfit": ["case weights (kaplan_meier_estimator has none)",
                "conf_type other than 'log-log' (its only interval; 'none' gives no interval)",
                "conf_lower 'peto' or 'modified'",
                "the standard error and the se of the cumulative hazard (not returned)"],
    "survfit_quantile": ["quantiles and the median (scikit-survival has no quantile of a curve)"],
    "survfit_table": ["the median and restricted mean (scikit-survival computes neither)"],
    "survfit_ms": ["groups and the formula form (cumulative_incidence_competing_risks takes the arrays of one "
                   "sample)", "case weights", "p0 (everyone starts event-free)",
                   "start_time (its time_min fails in scikit-survival 0.28: ValueError 'could not broadcast')",
                   "conf_type other than 'log-log' (its only interval)",
                   "the standard errors, sp0 (its variance is internal: only the limits are returned)",
                   "(start, stop] multi-state data: id, istate, cluster, influence"],
    "survdiff": ["strata (compare_survival has none)", "rho other than 0 (log-rank only, no G-rho weights)"],
    "coxph": ["ties='exact' (breslow and efron only; its default is breslow, R's efron: the adapter passes "
              "the ties asked for)", "case weights, strata, cluster/robust variance, init, control",
              "counting-process data Surv(start, stop, event)",
              "the variance of the coefficients, the log-likelihood and the tests (not returned)"],
    "coxph_summary": ["se, z, p and confidence limits (no variance)"],
    "concordance": ["the standard error and the pairs tied on time (not returned)", "strata, weights, "
                    "influence, timewt, newdata, several fits, the formula form concordance(y ~ x)"],
}

#: quantities scikit-survival does not compute (``None`` in its results), by function:
#: the harness reports them as "not provided"; any other missing value is a divergence
NOT_COMPUTED = {
    # std.err, std.chaz: kaplan_meier_estimator / nelson_aalen_estimator return neither.
    # cumhaz: nelson_aalen_estimator refuses data without events ("all samples are censored"),
    # recorded as a warning (everything else of the curve is still compared)
    "survfit": ("std_err", "std_chaz", "summary.std_err", "summary.std_chaz", "cumhaz", "summary.cumhaz"),
    # cumulative_incidence_competing_risks returns the curves and, for conf_type="log-log", their limits: the
    # variance it computes them from is not returned (std_err, sp0), and it has no other interval (lower, upper
    # for another conf_type). cumhaz is nelson_aalen_estimator's, one cause at a time.
    "survfit_ms": ("std_err", "sp0", "lower", "upper"),
    # CoxPHSurvivalAnalysis exposes coef_ and the Breslow baseline only: no information matrix, no
    # log-likelihood, no tests, no iteration count
    "coxph": ("se", "var", "naive_var", "loglik", "iterations", "means", "score_test.*", "wald_test.*",
              "lr_test.*", "robust_score_test.*", "summary.se", "summary.z", "summary.p", "summary.lower",
              "summary.upper", "summary.robust_se", "concordance.std", "concordance.tied_y",
              "concordance.tied_xy"),
    # concordance_index_censored: C and its counts; no variance; its tied_time is another count
    "concordance": ("std", "tied_y", "tied_xy"),
}


def _not_honoured(what: str):
    not_honoured(ENGINE_NAME, what)


def _refuse_no_events(exc: ValueError) -> None:
    """scikit-survival's check_y_survival refuses data without events ("all
    samples are censored"), where R answers: a refusal with its kind."""
    if "all samples are censored" in str(exc):
        raise InvalidArgument(f"scikit-survival refuses data without events ({exc}); R answers",
                              kind="event.none") from exc


def _y(event: np.ndarray, time: np.ndarray) -> np.ndarray:
    """scikit-survival's structured response (event as bool, time)."""
    return Surv.from_arrays(event=event.astype(bool), time=time)


def _status01(e: np.ndarray) -> np.ndarray:
    """The event indicator as R's ``Surv()`` reads a status (survival's Surv.R:
    1/2 coded when the largest value is 2, else 0/1): scikit-survival takes a
    boolean, and a 1/2 status given as it is would make every row an event."""
    s = e - 1.0 if e.size and np.nanmax(e) == 2 else e
    if not np.all(np.isin(s, (0.0, 1.0))):
        bad = np.unique(e).tolist()[:5]
        raise InvalidArgument(f"`event` must be 0/1, 1/2 or logical; got values {bad}", kind="event.values")
    return s


# -- Kaplan-Meier ------------------------------------------------------------------------
def survfit(time, event, *, weights=None, conf_type="log", conf_int=0.95, conf_lower="usual") -> SurvFit:
    """``kaplan_meier_estimator(event, time, conf_type="log-log", conf_level=conf_int)``
    and ``nelson_aalen_estimator`` for the cumulative hazard.

    The interval is scikit-survival's only one, log-log: another ``conf_type``
    is recorded, not emulated (``"none"``: no interval, as R). The counts at
    risk, of events and censored are counted from the data on the estimator's
    grid (every distinct time)."""
    t, e, w = km_arrays(time, event, weights)
    if conf_type not in ("log", "log-log", "plain", "logit", "arcsin", "none"):
        raise InvalidArgument(f"`conf_type` must be one of R's conf.type values; got {conf_type!r}",
                              kind="conf_type.value")
    if w is not None:
        _not_honoured("weights (kaplan_meier_estimator has no case weights)")
    if conf_lower != "usual":
        _not_honoured(f"conf_lower={conf_lower!r}")
    e = _status01(e)
    notes: list[str] = []
    ev = e.astype(bool)
    if conf_type == "none":  # no interval: NaN limits, as the contract gives R's absent ones
        grid, surv = kaplan_meier_estimator(ev, t)
        lower = upper = np.full(len(grid), np.nan)
    else:
        grid, surv, ci = kaplan_meier_estimator(ev, t, conf_type="log-log", conf_level=conf_int)
        lower, upper = np.asarray(ci[0], float), np.asarray(ci[1], float)
    grid = np.asarray(grid, float)
    try:
        na_t, cumhaz = nelson_aalen_estimator(ev, t)
        cumhaz = np.asarray(cumhaz, float)
        if not np.array_equal(np.asarray(na_t, float), grid):  # both are on the unique times
            raise RuntimeError("nelson_aalen_estimator's times differ from kaplan_meier_estimator's")
    except ValueError as exc:  # scikit-survival's own refusal, reported (e.g. "all samples are censored")
        cumhaz = None
        notes.append(f"scikit-survival nelson_aalen_estimator refused: {exc}")
    idx = np.searchsorted(grid, t)
    n_event = np.bincount(idx, weights=e, minlength=grid.size)
    n_censor = np.bincount(idx, weights=1.0 - e, minlength=grid.size)
    n_risk = t.size - np.concatenate(([0.0], np.cumsum(n_event + n_censor)[:-1]))

    fit = SurvFit(
        time=grid, n_risk=n_risk, n_event=n_event, n_censor=n_censor, surv=np.asarray(surv, float),
        std_err=None, lower=lower, upper=upper, cumhaz=cumhaz, std_chaz=None, n=int(t.size), logse=True,
        conf_type=conf_type, conf_int=conf_int, conf_lower=conf_lower, engine=ENGINE_NAME, warnings=tuple(notes),
        call=SurvFitCall(time=time, event=event, weights=weights, conf_type=conf_type, conf_int=conf_int,
                         conf_lower=conf_lower),
    )
    # no quantile, median or restricted mean: survfit_quantile and survfit_table are not provided
    _CURVES.keep(fit, CurveFunctions(_no_curve_function, _no_curve_function, lambda: None))
    return fit


def _no_curve_function(*args):
    _not_honoured("quantiles and the median of a curve (scikit-survival has neither)")


#: the fits this adapter made (no private state on the result)
_CURVES = Curves(ENGINE_NAME, survfit)


def survfit_summary(fit: SurvFit, times, *, extend: bool = False) -> pd.DataFrame:
    """The step functions read at ``times`` (scikit-survival's ``StepFunction``
    rule: the value of the last time at or before each)."""
    _CURVES.of(fit)
    return curve_summary(fit, times, extend)


# -- competing risks ----------------------------------------------------------------------
def survfit_ms(time, event=MISSING, *, data=None, subset=None, weights=None, conf_type="log", conf_int=0.95,
               se_fit=True, start_time=None, p0=None, id=None, istate=None, cluster=None,
               influence=False) -> SurvFitMS:
    """``cumulative_incidence_competing_risks(cause, time, conf_type="log-log",
    conf_level=conf_int)``: the Aalen-Johansen curves of one sample.

    Its ``cum_inc[k]`` (k >= 1) is the cumulative incidence of cause k, R's
    ``pstate`` of state k; ``cum_inc[0]`` is the incidence of any cause, so the
    probability of no event (R's state "(s0)") is ``1 - cum_inc[0]``. Its
    limits (log-log only) are read the same way: cause k's are R's limits of
    state k; its limits of any cause are ``1 -`` kaplan_meier_estimator's
    log-log limits of the survival, (1 - lower, 1 - upper) in that order, so
    "(s0)"'s are ``1 - conf_int[0]`` as they come. It wants causes numbered 1..K, each with an event: the
    factor's states are renumbered in order over the causes that occur, and a
    state without any event keeps the incidence 0 (no event, no increment).
    The cumulative hazard of each cause is ``nelson_aalen_estimator`` on that
    cause's events. The counts (at risk, events, censored, the transition
    table) are counted from the data on its grid (every distinct time)."""
    if is_formula(time) or data is not None or subset is not None:
        _not_honoured("the formula form survfit_ms(formula, data=, subset=) and its groups "
                      "(cumulative_incidence_competing_risks takes the arrays of one sample)")
    for what, v in (("id", id), ("istate", istate), ("cluster", cluster)):
        if v is not None:
            _not_honoured(f"{what} (cumulative_incidence_competing_risks takes right-censored competing risks, "
                          "one row per subject)")
    if influence is not False and influence is not None and influence != 0:
        _not_honoured("influence (cumulative_incidence_competing_risks returns no influence matrix)")
    if event is MISSING:
        raise InvalidArgument("`event` is missing: give the status factor", kind="argument.missing")
    t = numeric(time, "time")
    codes, states = factor_status(event, t.size)
    if conf_type not in CONF_TYPES:
        raise InvalidArgument(f"`conf_type` must be one of R's conf.type values; got {conf_type!r}",
                              kind="conf_type.value")
    if isinstance(conf_int, (bool, np.bool_)):  # survfitCI: FALSE turns the intervals off; either means 0.95
        conf_type, conf_int = (conf_type if conf_int else "none"), 0.95
    if weights is not None:
        _not_honoured("weights (cumulative_incidence_competing_risks has no case weights)")
    if p0 is not None:
        _not_honoured("p0 (cumulative_incidence_competing_risks starts everyone event-free)")
    if start_time is not None:
        _not_honoured("start_time (cumulative_incidence_competing_risks' time_min fails in scikit-survival 0.28 "
                      "once it removes a time: cum_inc is allocated before the times are filtered)")
    keep = ~np.isnan(t) & (codes >= 0)
    t, codes = t[keep], codes[keep]
    if t.size == 0:
        raise InvalidArgument("no rows left once those with a missing value are dropped", kind="data.empty")
    nstate = len(states) + 1  # "(s0)" and the factor's states
    causes = np.unique(codes[codes > 0])  # the states entered, each a cause of scikit-survival's, in order
    cause = np.where(codes > 0, np.searchsorted(causes, codes) + 1, 0)
    with_ci = bool(se_fit) and conf_type == "log-log"
    if with_ci:
        grid, cum_inc, ci = cumulative_incidence_competing_risks(cause, t, conf_level=conf_int, conf_type="log-log")
    else:
        grid, cum_inc = cumulative_incidence_competing_risks(cause, t)
    grid = np.asarray(grid, float)
    m = grid.size
    pstate = np.zeros((m, nstate))
    pstate[:, 0] = 1.0 - cum_inc[0]
    pstate[:, causes] = np.asarray(cum_inc[1:], float).T
    lower = upper = None
    if with_ci:  # a state without events: incidence 0, limits NaN as R's undefined ones
        lower, upper = np.full((m, nstate), np.nan), np.full((m, nstate), np.nan)
        lower[:, 0], upper[:, 0] = 1.0 - ci[0, 0], 1.0 - ci[0, 1]
        lower[:, causes], upper[:, causes] = np.asarray(ci[1:, 0], float).T, np.asarray(ci[1:, 1], float).T
    cumhaz = np.empty((m, causes.size))
    for j, k in enumerate(causes):
        na_t, h = nelson_aalen_estimator(codes == k, t)
        if not np.array_equal(np.asarray(na_t, float), grid):  # both are on the unique times
            raise RuntimeError("nelson_aalen_estimator's times differ from cumulative_incidence_competing_risks'")
        cumhaz[:, j] = h
    idx = np.searchsorted(grid, t)
    n_event = np.zeros((m, nstate))
    for k in causes:
        n_event[:, k] = np.bincount(idx[codes == k], minlength=m)
    n_censor = np.bincount(idx[codes == 0], minlength=m).astype(float)
    n_risk = np.zeros((m, nstate))  # everyone starts in "(s0)"; the others are absorbing
    n_risk[:, 0] = t.size - np.concatenate(([0.0], np.cumsum(n_event.sum(axis=1) + n_censor)[:-1]))
    p_start = np.zeros((1, nstate))
    p_start[0, 0] = 1.0  # its estimator starts everyone event-free
    return SurvFitMS(
        states=("(s0)", *states), time=grid, n_risk=n_risk, n_event=n_event, n_censor=n_censor, pstate=pstate,
        std_err=None, lower=lower, upper=upper, cumhaz=cumhaz, cumhaz_names=tuple(f"1.{k + 1}" for k in causes),
        p0=p_start, sp0=None, transitions=_transitions(codes, ("(s0)", *states)), n=int(t.size), strata=None,
        conf_type=conf_type, conf_int=float(conf_int), engine=ENGINE_NAME)


def _transitions(codes: np.ndarray, states: tuple[str, ...]) -> pd.DataFrame:
    """The counts of transitions as survival's survcheck tables them: from
    "(s0)" to each state entered and to "(censored)"; a state neither entered
    nor left, and an empty column, left out."""
    counts = np.zeros(len(states) + 1, dtype=np.int64)  # to each state ("(s0)" never), then "(censored)"
    np.add.at(counts, np.where(codes == 0, len(states), codes), 1)
    entered = [k for k in range(1, len(states)) if counts[k] > 0]
    rows = [0, *entered]
    cols = [*entered, len(states)] if counts[-1] > 0 else entered
    table = np.zeros((len(rows), len(cols)), dtype=np.int64)
    table[0] = counts[cols]
    names = (*states, "(censored)")
    return pd.DataFrame(table, index=pd.Index([states[r] for r in rows], name="from"),
                        columns=pd.Index([names[c] for c in cols], name="to"))


# -- log-rank ------------------------------------------------------------------------------
def survdiff(time, event, group, *, strata=None, rho=0.0) -> SurvDiff:
    """``compare_survival(y, group, return_stats=True)``: the log-rank test,
    its observed and expected counts and the covariance of O - E."""
    t, e, g, levels, s = group_arrays(time, event, group, strata)
    if s is not None:
        _not_honoured("strata (compare_survival has none)")
    if rho != 0:
        _not_honoured(f"rho={rho!r} (compare_survival is the log-rank test only)")
    e = _status01(e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            chisq, p, table, cov = compare_survival(_y(e, t), g, return_stats=True)
        except ValueError as exc:
            _refuse_no_events(exc)
            raise
    # compare_survival's groups are np.unique of the codes: R's level order
    table = table.reindex(range(len(levels)))
    k = len(levels)
    return SurvDiff(groups=tuple(levels), n=table["counts"].to_numpy(float), obs=table["observed"].to_numpy(float),
                    exp=table["expected"].to_numpy(float), var=np.asarray(cov, float).reshape(k, k),
                    chisq=float(chisq), df=k - 1, pvalue=float(p), rho=float(rho), engine=ENGINE_NAME)


# -- Cox model --------------------------------------------------------------------------------
_FITS = PeerFits(ENGINE_NAME)


def coxph(X, time=None, event=MISSING, *, data=None, subset=None, ties="efron", weights=None, strata=None,
          cluster=None, robust=None, init=None, control=None, nocenter=(-1, 0, 1), singular_ok=True):
    """``CoxPHSurvivalAnalysis(alpha=0, ties=ties)`` (unpenalised) on the
    dummy-coded covariates: its coefficients, and Harrell's C of its risk
    score (``concordance_index_censored``). scikit-survival's own default is
    Breslow; the adapter passes the ties asked for (R's default, Efron)."""
    X, time, event, strata, cluster, weights = cox_arrays(ENGINE_NAME, X, time, event, data, subset, strata,
                                                          cluster, weights)
    if ties not in ("efron", "breslow"):
        _not_honoured(f"ties={ties!r} (CoxPHSurvivalAnalysis has breslow and efron)")
    for what, v in (("weights", weights), ("strata", strata), ("cluster", cluster), ("init", init),
                    ("control", control)):
        if v is not None:
            _not_honoured(f"{what} (CoxPHSurvivalAnalysis has no {what})")
    if robust:
        _not_honoured("robust=True (CoxPHSurvivalAnalysis has no variance)")
    call = CoxCall(X=X, time=time, event=event, ties=ties, weights=weights, strata=strata, cluster=cluster,
                   robust=robust, init=init, control=control, nocenter=nocenter, singular_ok=singular_ok)
    cf = cox_frame(X, time, event)
    df = cf.frame
    t, e = df["T"].to_numpy(float), _status01(df["E"].to_numpy(float))
    cf.frame["E"] = e  # nevent counts events, not status codes
    x = df[cf.covariates].to_numpy(float)
    notes: list[str] = []
    if not cf.names:  # the null model: nothing to fit; every risk score 0 (all pairs tied)
        coef = np.zeros(0)
        model = None
        risk = np.zeros(t.size)
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model = CoxPHSurvivalAnalysis(alpha=0, ties=ties).fit(x, _y(e, t))
            except ValueError as exc:
                if t.size == 1:  # scikit-learn's validate_data(ensure_min_samples=2): its refusal of one row
                    raise InvalidArgument(f"scikit-survival needs at least 2 observations; got 1 ({exc})",
                                          kind="data.one_subject") from exc
                _refuse_no_events(exc)
                raise
        notes += [str(w.message) for w in caught]
        coef = np.asarray(model.coef_, float)
        risk = model.predict(x)
    conc = _harrell(e, t, risk)
    summary = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef)}, index=pd.Index(cf.names, name="term"))
    for col in ("se", "z", "p", "lower", "upper"):  # no variance: declared in NOT_COMPUTED
        summary[col] = None
    fit = cox_result(ENGINE_NAME, cf, call, coef=coef, se=np.full(coef.size, np.nan),
                     var=np.full((coef.size, coef.size), np.nan), loglik=[np.nan, np.nan], concordance=conc,
                     method=ties, warnings=notes)
    # what CoxPHSurvivalAnalysis does not compute is None, not NaN (declared in NOT_COMPUTED)
    fit = dataclasses.replace(fit, se=None, var=None, loglik=None)
    return _FITS.keep(fit, PeerFit(model=model, frame=cf, summary=summary))


def _harrell(e: np.ndarray, t: np.ndarray, risk: np.ndarray) -> Concordance:
    """``concordance_index_censored(event, time, risk)``: Harrell's C and its counts.

    Its pairs are R's: comparable when the shorter time is an event (an event
    and a censoring at the same time included), a pair tied on the risk score
    adds 1/2 (``tied_risk``, R's ``tied.x``; scikit-survival counts scores
    within ``tied_tol=1e-8`` as tied). C, concordant, discordant and tied.x
    agree with R exactly on every fixture. Its ``tied_time`` counts the
    comparable pairs with tied times (an event and a censoring), not R's
    ``tied.y`` (pairs tied on time only, left out of C: lung 28, tied_time 13),
    so it is not reported; no standard error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0/0 without comparable pairs: C is NaN, as R's
        c, conc, disc, tied_risk, _tied_time = concordance_index_censored(e.astype(bool), t, risk)
    return Concordance(c=float(c), std=None, concordant=float(conc), discordant=float(disc),
                       tied_x=float(tied_risk), tied_y=None, tied_xy=None, n=int(t.size), engine=ENGINE_NAME)


def coxph_summary(fit, *, conf_int=0.95) -> pd.DataFrame:
    """The coefficients and hazard ratios; no se, z, p or limits (no variance)."""
    return _FITS.state(fit).summary.copy()


def concordance(fit, *others, **options):
    """Harrell's C of a fit this adapter made (``concordance_index_censored``
    on ``predict(X)``). Nothing else of R's ``concordance()``."""
    if isinstance(fit, str):
        _not_honoured("the formula form concordance(y ~ x, data)")
    if others or options:
        _not_honoured("several fits or concordance options (concordance_index_censored takes one risk score)")
    _FITS.state(fit)
    return fit.concordance
