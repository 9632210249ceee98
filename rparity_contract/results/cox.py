"""Result types of the Cox model: ``coxph``, ``concordance`` and ``cox.zph``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..calls import CoxCall
from ..registry import derived
from .base import Result, rfield

__all__ = ["CoxTest", "Concordance", "CoxPH", "CoxZph", "CoxResiduals", "CoxPredict", "SurvFitCox", "CoxAnova",
           "CoxDetail"]


@dataclass(frozen=True)
class CoxTest:
    """A chi-square test of ``summary.coxph``: statistic, degrees of freedom, p-value
    (``pchisq(statistic, df, lower.tail=FALSE)``)."""

    statistic: float
    df: int
    pvalue: float


@dataclass(frozen=True, kw_only=True, eq=False)
class Concordance(Result):
    """Harrell's C as R's ``concordance()`` reports it for a Cox fit
    (``concordancefit(..., reverse=TRUE)``): a pair is concordant when the
    subject with the event has the larger linear predictor.

    ``c = (concordant + tied_x/2) / (concordant + discordant + tied_x)``;
    ``std`` is the infinitesimal-jackknife standard error (``sqrt(var)``).
    Counts are weighted and summed over strata.
    """

    c: float = rfield("concordance", doc="C statistic")
    std: float = rfield("std", doc="standard error of C: sqrt(var)")
    concordant: float = rfield("count['concordant']")
    discordant: float = rfield("count['discordant']")
    tied_x: float = rfield("count['tied.x']", doc="tied on the linear predictor only")
    tied_y: float = rfield("count['tied.y']", doc="tied on the event time only")
    tied_xy: float = rfield("count['tied.xy']", doc="tied on both")
    n: int = rfield("n", doc="observations used")
    count_strata: np.ndarray | None = rfield("count", default=None,
                                             doc="(strata, 5) the counts of each stratum, in the order of the "
                                                 "totals, when kept (keepstrata)")
    dfbeta: np.ndarray | None = rfield("dfbeta", default=None,
                                       doc="the change in C each row (each cluster) makes (influence 1 or 3)")
    influence: np.ndarray | None = rfield("influence", default=None,
                                          doc="(n, 5) each row's counts, columns as the totals (influence 2 or 3)")
    ranks: np.ndarray | None = rfield("ranks", default=None,
                                      doc="(events, 4) time, rank, timewt, casewt of each event (ranks = TRUE)")
    ranks_strata: tuple[str, ...] | None = rfield("ranks$strata", default=None, doc="each ranks row's stratum")

    @property
    def se(self) -> float:
        """Alias of :attr:`std`."""
        return self.std

    @property
    def var(self) -> float:
        """``var``: the variance of C."""
        return self.std * self.std


@dataclass(frozen=True, kw_only=True, eq=False)
class ConcordanceSet(Result):
    """``concordance(fit1, fit2, ...)``: several fits of the same rows
    compared (survival's ``cord.work``): each fit's C and counts, and the
    covariance of the C statistics from their joint infinitesimal jackknife
    (``crossprod(dfbeta)``; with case weights R's ``t(wt * dfbeta) %*% dfbeta``).
    Fits are named ``fit1``, ``fit2``... in the order given."""

    names: tuple[str, ...] = rfield("names(concordance)", doc="fit1, fit2, ... in the order given")
    c: np.ndarray = rfield("concordance", doc="(k,) each fit's C statistic")
    var: np.ndarray = rfield("var", doc="(k, k) their covariance")
    counts: np.ndarray = rfield("count", doc="(k, 5) concordant, discordant, tied.x, tied.y, tied.xy of each fit")
    n: int = rfield("n", doc="observations used")
    dfbeta: np.ndarray | None = rfield("dfbeta", default=None, doc="(rows or clusters, k) (influence 1)")
    influence: np.ndarray | None = rfield("influence", default=None, doc="(n, 5, k) each row's counts (influence 2)")

    @property
    def std(self) -> np.ndarray:
        """Each fit's standard error: sqrt(diag(var))."""
        return np.sqrt(np.diag(self.var))


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxPH(Result):
    """A Cox proportional hazards fit, as ``survival::coxph`` (survival 3.5-3).

    Coefficients of redundant (collinear, constant) columns are NaN, R's NA.
    With ``robust`` the variance is the grouped-dfbeta sandwich and
    ``naive_var`` the model-based one, as R. Without covariates it is R's
    null model (``coxph.null``): no coefficient, one log-likelihood, no test.

    Notes
    -----
    ``wald_test.statistic`` is R's ``fit$wald.test``, unrounded (``summary``
    prints it rounded to 2 decimals; its p-value uses the unrounded value).
    """

    names: tuple[str, ...] = rfield("names(coefficients)")
    coef: np.ndarray = rfield("coefficients", doc="NaN where R has NA")
    se: np.ndarray = rfield("sqrt(diag(var))", doc="robust when robust")
    var: np.ndarray = rfield("var", doc="variance matrix (robust when robust)")
    naive_var: np.ndarray | None = rfield("naive.var", default=None, doc="model-based variance when robust")
    loglik: np.ndarray = rfield("loglik", doc="(at init, at the estimate); the null model's one value")
    score_test: CoxTest | None = rfield("score", doc="score (log-rank) test at init; None for the null model")
    wald_test: CoxTest | None = rfield("wald.test", doc="None for the null model")
    lr_test: CoxTest | None = rfield("logtest", doc="likelihood ratio test; None for the null model")
    robust_score_test: CoxTest | None = rfield("rscore", default=None, doc="robust score test")
    concordance: Concordance | None = rfield("concordance", default=None)
    n: int = rfield("n", doc="observations used (after dropping missing values)")
    nevent: int = rfield("nevent", doc="number of events (unweighted)")
    iterations: int = rfield("iter")
    means: np.ndarray = rfield("means", doc="centring values (0 for columns in nocenter)")
    linear_predictors: np.ndarray = rfield("linear.predictors", doc="centred, one per used row")
    n_dropped: int = rfield("length(na.action)", doc="rows dropped for missing values")
    method: str = field(default="efron")
    robust: bool = field(default=False)
    na_action: tuple[int, ...] = field(default=(), repr=False)
    term_names: tuple[str, ...] = field(default=(), repr=False)
    assign: tuple[tuple[int, ...], ...] = field(default=(), repr=False)
    call: CoxCall | None = field(default=None, repr=False)

    @property
    def exp_coef(self) -> np.ndarray:
        return np.asarray(np.exp(self.coef), dtype=float)

    def summary(self, conf_int: float = 0.95) -> pd.DataFrame:
        """The coefficient table of ``summary(fit)``: ``coef, exp_coef, se,
        [robust_se,] z, p, lower, upper`` (limits of exp(coef)), one row per
        coefficient. When robust, ``se`` is the naive se and z, p and the
        limits use the robust se, as R. Computed by the engine that made the
        fit (its ``coxph_summary``).
        """
        return derived(self, "coxph_summary")(self, conf_int=conf_int)

    def residuals(self, type: str = "martingale", **kwargs: Any) -> "CoxResiduals":
        """``residuals(fit, type=, collapse=, weighted=)``, computed by the engine
        that made the fit (its ``coxph_residuals``)."""
        out: CoxResiduals = derived(self, "coxph_residuals")(self, type=type, **kwargs)
        return out

    def survfit(self, newdata: Any = None, **kwargs: Any) -> "SurvFitCox":
        """``survfit(fit, newdata=, ...)``: predicted survival curves, computed
        by the engine that made the fit (its ``survfit_cox``)."""
        out: SurvFitCox = derived(self, "survfit_cox")(self, newdata, **kwargs)
        return out

    def anova(self, *others: "CoxPH") -> "CoxAnova":
        """``anova(fit, ...)``: terms added sequentially, or a list of nested
        fits; computed by the engine that made the fit (its ``coxph_anova``)."""
        out: CoxAnova = derived(self, "coxph_anova")(self, *others)
        return out

    def predict(self, type: str = "lp", **kwargs: Any) -> "CoxPredict":
        """``predict(fit, type=, se.fit=, reference=, terms=, collapse=)``, computed
        by the engine that made the fit (its ``coxph_predict``)."""
        out: CoxPredict = derived(self, "coxph_predict")(self, type=type, **kwargs)
        return out


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxZph(Result):
    """``survival::cox.zph``: test of proportional hazards, one row per term and
    ``GLOBAL`` (survival 3.x score test, not the old scaled-Schoenfeld
    approximation)."""

    terms: tuple[str, ...] = rfield("rownames(table)")
    chisq: np.ndarray = rfield("table[, 'chisq']")
    df: np.ndarray = rfield("table[, 'df']")
    p: np.ndarray = rfield("table[, 'p']")
    transform: str = field(default="km")

    @property
    def table(self) -> pd.DataFrame:
        """The table R prints: columns ``chisq, df, p``, rows the terms and GLOBAL."""
        return pd.DataFrame({"chisq": self.chisq, "df": self.df, "p": self.p},
                            index=pd.Index(list(self.terms), name="term"))


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxResiduals(Result):
    """``residuals(<coxph>, type=, collapse=, weighted=)`` (survival 3.5-3).

    ``values`` is one column per coefficient for ``score``, ``dfbeta``,
    ``dfbetas``, ``schoenfeld`` and ``scaledsch``, one per term for
    ``partial``, and a vector for ``martingale`` and ``deviance`` (R drops a
    one-column matrix to a vector; here a matrix type always has two
    dimensions). Rows are the fit's rows (after ``na.omit``) in data order,
    the sorted ``collapse`` groups when collapsed, and for the Schoenfeld
    types the event rows in R's order (stratum, time), with ``time`` their
    event times and ``strata`` their strata (R's ``attr(, "strata")`` table,
    one label per row).
    """

    type: str = field(default="martingale")
    values: np.ndarray = rfield("residuals(fit, type=)", doc="(n,) or (n, k)")
    columns: tuple[str, ...] = rfield("colnames(residuals)", default=(), doc="() for a vector")
    time: np.ndarray | None = rfield("rownames(residuals) (Schoenfeld: event times)", default=None)
    strata: tuple[str, ...] | None = rfield("attr(residuals, 'strata')", default=None,
                                            doc="Schoenfeld types of a stratified fit: each row's stratum")
    groups: tuple[str, ...] | None = rfield("rownames(rowsum(, collapse))", default=None,
                                            doc="collapse: the groups, sorted as rowsum sorts them")

    @property
    def frame(self) -> pd.DataFrame:
        """The residuals as a DataFrame (one column ``type`` for a vector)."""
        v = self.values if self.values.ndim == 2 else self.values[:, None]
        cols = list(self.columns) if self.values.ndim == 2 else [self.type]
        index = None
        if self.groups is not None:
            index = pd.Index(list(self.groups), name="group")
        elif self.time is not None:
            index = pd.Index(self.time, name="time")
        return pd.DataFrame(v, columns=cols, index=index)


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxPredict(Result):
    """``predict(<coxph>, type=, se.fit=, reference=, terms=, collapse=)`` on the
    fit's own rows (survival 3.5-3). ``values`` is a vector, or one column per
    term for ``type="terms"``; ``se`` the standard errors when ``se_fit``
    (else None); ``constant`` R's ``attr(, "constant")`` of the terms
    (``sum(coef * means)``)."""

    type: str = field(default="lp")
    values: np.ndarray = rfield("predict(fit, type=)$fit", doc="(n,) or (n, terms)")
    se: np.ndarray | None = rfield("predict(fit, se.fit = TRUE)$se.fit", default=None)
    columns: tuple[str, ...] = rfield("colnames(predict(fit, type = 'terms'))", default=())
    constant: float | None = rfield("attr(predict(fit, type = 'terms'), 'constant')", default=None)
    groups: tuple[str, ...] | None = rfield("rownames(rowsum(, collapse))", default=None)


@dataclass(frozen=True, kw_only=True, eq=False)
class SurvFitCox(Result):
    """``survfit(<coxph>, newdata=, se.fit=, conf.int=, stype=, ctype=,
    conf.type=, censor=, start.time=)`` (survival 3.5-3, ``survfit.coxph``):
    predicted survival curves (from ``start_time`` on, when given: the rows
    ending before it left out).

    One row per time (every distinct time of the fit's data, censored ones
    included unless ``censor=False``), stratum after stratum; one column per
    curve: a row of ``newdata``, or the covariate means without it. When
    ``newdata`` names the strata, each row's curve is its own stratum's and
    the curves follow one another in one column (``strata`` then labels each
    time with its curve, "1".."k", as R's row names). ``std_err`` is the se of
    the cumulative hazard (R's ``logse``).
    """

    time: np.ndarray = rfield("time")
    n_risk: np.ndarray = rfield("n.risk", doc="(weighted) number at risk")
    n_event: np.ndarray = rfield("n.event", doc="(weighted) number of events")
    n_censor: np.ndarray = rfield("n.censor", doc="(weighted) number censored")
    surv: np.ndarray = rfield("surv", doc="(times, curves)")
    cumhaz: np.ndarray = rfield("cumhaz", doc="(times, curves)")
    std_err: np.ndarray | None = rfield("std.err", default=None, doc="(times, curves); None without se_fit")
    lower: np.ndarray | None = rfield("lower", default=None)
    upper: np.ndarray | None = rfield("upper", default=None)
    strata: tuple[str, ...] | None = rfield("rep(names(strata), strata)", default=None,
                                            doc="each time's stratum (or curve, when newdata names the strata)")
    n: tuple[int, ...] = rfield("n", default=(), doc="observations in each stratum (curve)")
    curves: tuple[str, ...] = rfield("colnames(surv)", default=(), doc="the curves' labels when several")
    conf_type: str = field(default="log")
    conf_int: float = field(default=0.95)
    stype: int = field(default=2)
    ctype: int = field(default=1)
    start_time: float | None = rfield("start.time", default=None, doc="the start_time given")


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxAnova(Result):
    """``anova(<coxph>)`` (terms added sequentially: rows "NULL" and the term
    labels) or ``anova(fit1, fit2, ...)`` (rows "1".."k"), survival 3.5-3's
    ``anova.coxph``/``anova.coxphlist``: the (partial) log-likelihood of each
    model, the likelihood-ratio chi-square against the previous row, its
    degrees of freedom and ``pchisq(chisq, df, lower.tail = FALSE)``; NaN in
    the first row (R's NA)."""

    rows: tuple[str, ...] = rfield("rownames(anova)")
    loglik: np.ndarray = rfield("anova$loglik")
    chisq: np.ndarray = rfield("anova$Chisq")
    df: np.ndarray = rfield("anova$Df")
    pvalue: np.ndarray = rfield("anova[['Pr(>|Chi|)']]")


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxDetail(Result):
    """``coxph.detail(<coxph>)`` (survival 3.5-3): at each distinct event time
    (stratum after stratum), the events and the number at risk, the hazard
    increment and its variance, the risk-set means of the covariates, and
    the score vector and information matrix contributions."""

    time: np.ndarray = rfield("time")
    nevent: np.ndarray = rfield("nevent", doc="events at the time (unweighted)")
    nrisk: np.ndarray = rfield("nrisk", doc="number at risk (unweighted)")
    hazard: np.ndarray = rfield("hazard", doc="hazard increment")
    varhaz: np.ndarray = rfield("varhaz", doc="variance of the hazard increment")
    means: np.ndarray = rfield("means", doc="(times, p)")
    score: np.ndarray = rfield("score", doc="(times, p)")
    imat: np.ndarray = rfield("imat", doc="(times, p, p)")
    strata: tuple[str, ...] | None = rfield("rep(names(strata), strata)", default=None)
    riskmat: np.ndarray | None = rfield("riskmat", default=None,
                                        doc="(rows, times) 1 where the row is at risk at the time (riskmat=TRUE)")
    sortorder: np.ndarray | None = rfield("sortorder - 1", default=None,
                                          doc="rorder='time': the fit's rows in the order riskmat's rows are")
    columns: tuple[str, ...] = field(default=())
