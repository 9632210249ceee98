"""The contract's functions: name, the positional parameters every engine must
accept, and the result type (``docs/contract.md``).

*Fits* take data; *derived* functions take a fit (of any engine) and compute
what R computes from it (``summary(fit, times=)``, ``cox.zph(fit)``...). An
engine provides any subset; the harness reports the rest as "not provided".
The result methods (``fit.summary()``, ``m.match_data()``...) call the derived
function of the engine that made the result (see :mod:`.registry`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .results import (
    ChisqTest,
    Concordance,
    ConcordanceSet,
    CoxAnova,
    CoxDetail,
    CoxPH,
    CoxPredict,
    CoxResiduals,
    CoxZph,
    Crr,
    CrrPredict,
    CumInc,
    FisherTest,
    GlmLogit,
    MatchingMatch,
    MatchIt,
    MatchItSummary,
    PSWeights,
    SurvDiff,
    SurvFit,
    SurvFitCox,
    SurvFitMS,
    SurvReg,
    SurvRegPredict,
    SurvRegResiduals,
    SvyCoxPH,
    SvyGLM,
    SvyKM,
    SvyLogrank,
    Tmerge,
    WeightedBalance,
)

__all__ = ["FunctionSpec", "FUNCTIONS", "FUNCTION_NAMES", "FIT_FUNCTIONS", "DERIVED_FUNCTIONS", "spec"]


@dataclass(frozen=True)
class FunctionSpec:
    """One contract function.

    Attributes
    ----------
    name : the function's name in every engine
    positional : parameters every engine must accept positionally
    result : the type every engine must return (a tuple: one of them)
    r_name : the R function it mirrors
    derived_from : for a derived function, the fit function whose result it takes
    """

    name: str
    positional: tuple[str, ...]
    result: type | tuple[type, ...]
    r_name: str
    derived_from: str | None = None


FUNCTIONS: dict[str, FunctionSpec] = {f.name: f for f in [
    FunctionSpec("survfit", ("time", "event"), SurvFit, "survival::survfit(Surv(time, event) ~ 1)"),
    FunctionSpec("survfit_ms", ("time", "event"), SurvFitMS,
                 "survival::survfit(Surv(time, event) ~ groups), event a factor (competing risks)"),
    FunctionSpec("cuminc", ("ftime", "fstatus"), CumInc,
                 "cmprsk::cuminc(ftime, fstatus, group, strata, rho, cencode): cumulative incidence, Gray's test"),
    FunctionSpec("crr", ("ftime", "fstatus"), Crr, "cmprsk::crr(ftime, fstatus, cov1, cov2, tf, cengroup, failcode, "
                 "cencode, subset, na.action, gtol, maxiter, init, variance): Fine-Gray regression"),
    FunctionSpec("crr_predict", ("fit",), CrrPredict, "predict(<crr>, cov1, cov2)", "crr"),
    FunctionSpec("crr_summary", ("fit",), pd.DataFrame, "summary(<crr>, conf.int=)", "crr"),
    FunctionSpec("finegray", ("formula", "data"), pd.DataFrame,
                 "survival::finegray(Surv(time, <factor>) ~ x, data, etype=): the Fine-Gray (start, stop] data"),
    FunctionSpec("survfit_summary", ("fit", "times"), pd.DataFrame, "summary(<survfit>, times=, extend=)",
                 "survfit"),
    FunctionSpec("survfit_quantile", ("fit",), pd.DataFrame, "quantile(<survfit>, probs=)", "survfit"),
    # one curve: a Series; several: a DataFrame, a row per curve
    FunctionSpec("survfit_table", ("fit",), (pd.Series, pd.DataFrame), "summary(<survfit>)$table", "survfit"),
    FunctionSpec("survdiff", ("time", "event", "group"), SurvDiff, "survival::survdiff"),
    FunctionSpec("coxph", ("X", "time", "event"), CoxPH, "survival::coxph"),
    FunctionSpec("coxph_summary", ("fit",), pd.DataFrame, "summary(<coxph>, conf.int=)", "coxph"),
    FunctionSpec("cox_zph", ("fit",), CoxZph, "survival::cox.zph", "coxph"),
    FunctionSpec("coxph_residuals", ("fit",), CoxResiduals, "residuals(<coxph>, type=, collapse=, weighted=)",
                 "coxph"),
    FunctionSpec("coxph_predict", ("fit",), CoxPredict, "predict(<coxph>, type=, se.fit=, reference=)", "coxph"),
    FunctionSpec("survfit_cox", ("fit",), SurvFitCox, "survfit(<coxph>, newdata=, se.fit=, stype=, ctype=, "
                 "conf.type=, censor=, start.time=)", "coxph"),
    FunctionSpec("coxph_anova", ("fit",), CoxAnova, "anova(<coxph>, ...)", "coxph"),
    FunctionSpec("coxph_detail", ("fit",), CoxDetail, "survival::coxph.detail", "coxph"),
    FunctionSpec("basehaz", ("fit",), pd.DataFrame, "survival::basehaz", "coxph"),
    FunctionSpec("concordance", ("fit",), (Concordance, ConcordanceSet),
                 "survival::concordance(<coxph>[, <coxph>...]) or concordance(formula, data)", "coxph"),
    FunctionSpec("svycoxph", ("formula", "data"), SvyCoxPH,
                 "survey::svycoxph(formula, svydesign(ids =, strata =, weights =, data)): design-based Cox"),
    FunctionSpec("svykm", ("formula", "data"), SvyKM,
                 "survey::svykm(formula, svydesign(ids =, strata =, weights =, data), se =): design-based KM"),
    FunctionSpec("svylogrank", ("formula", "data"), SvyLogrank,
                 "survey::svylogrank(formula, svydesign(...), rho =, gamma =, method =): design-based log-rank"),
    FunctionSpec("svyglm", ("formula", "data"), SvyGLM,
                 "survey::svyglm(formula, svydesign(...), family =): design-based glm"),
    FunctionSpec("survreg", ("formula", "data"), SurvReg, "survival::survreg(Surv(time, status) ~ x, data, dist=)"),
    FunctionSpec("survreg_predict", ("fit",), SurvRegPredict, "predict(<survreg>, newdata=, type=, p=, se.fit=)",
                 "survreg"),
    FunctionSpec("survreg_residuals", ("fit",), SurvRegResiduals,
                 "residuals(<survreg>, type=, rsigma=, collapse=, weighted=)", "survreg"),
    FunctionSpec("clogit", ("formula", "data"), CoxPH, "survival::clogit(case ~ x + strata(set), data)"),
    FunctionSpec("survsplit", ("formula", "data", "cut"), pd.DataFrame, "survival::survSplit(formula, data, cut=)"),
    FunctionSpec("tmerge", ("data1", "data2", "id"), Tmerge, "survival::tmerge(data1, data2, id=, ...)"),
    FunctionSpec("glm_logit", ("X", "y"), GlmLogit, "stats::glm(family = binomial)"),
    FunctionSpec("matchit", ("data", "treat", "covariates"), MatchIt, "MatchIt::matchit(method = \"nearest\")"),
    FunctionSpec("matchit_summary", ("m",), MatchItSummary, "summary(<matchit>)", "matchit"),
    FunctionSpec("match_data", ("m",), pd.DataFrame, "MatchIt::match.data", "matchit"),
    FunctionSpec("matching_match", ("Y", "Tr", "X"), MatchingMatch,
                 "Matching::Match(Y, Tr, X, estimand, M, ...): matched pairs, estimate, Abadie-Imbens se"),
    FunctionSpec("ps_weights", ("data", "treat", "covariates"), PSWeights,
                 "glm(treat ~ covariates, family = binomial(link)) fitted values, WeightIt's weight formulas in R"),
    FunctionSpec("weighted_balance", ("data", "treat", "covariates", "weights"), WeightedBalance,
                 "weighted means, SMDs (cobalt's s.d.denom) and variance ratios, written in R"),
    FunctionSpec("fisher_test", ("table",), FisherTest, "stats::fisher.test"),
    FunctionSpec("chisq_test", ("table",), ChisqTest, "stats::chisq.test"),
]}

#: every contract function name, in the contract's order
FUNCTION_NAMES: tuple[str, ...] = tuple(FUNCTIONS)
#: functions that take data
FIT_FUNCTIONS: tuple[str, ...] = tuple(n for n, f in FUNCTIONS.items() if f.derived_from is None)
#: functions that take a fit
DERIVED_FUNCTIONS: tuple[str, ...] = tuple(n for n, f in FUNCTIONS.items() if f.derived_from is not None)


def spec(name: str) -> FunctionSpec:
    """The contract function ``name``; ``KeyError`` lists the valid names."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a contract function; valid: {', '.join(FUNCTIONS)}") from None


def returns_contract_type(name: str, value: Any) -> bool:
    """Whether ``value`` is of the result type of function ``name``."""
    return isinstance(value, spec(name).result)
