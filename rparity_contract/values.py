"""The value lists of the contract's arguments, in one place.

Every engine and the harness read these; R's option values are kept verbatim
(house style, section 4). Each tuple lists the values R accepts for the
argument, in R's order (the first is R's default where R has one).
"""
from __future__ import annotations

from typing import Literal

__all__ = [
    "TIES", "Ties", "CONF_TYPES", "ConfType", "CONF_LOWERS", "ConfLower", "ZPH_TRANSFORMS", "ZphTransform",
    "NA_ACTIONS", "RESIDUAL_TYPES", "ResidualType", "PREDICT_TYPES", "PredictType", "PREDICT_REFERENCES",
    "PredictReference",
    "ALTERNATIVES", "Alternative", "M_ORDERS", "MOrder", "DISCARDS", "Discard", "LINKS", "Link",
    "ESTIMANDS", "Estimand", "METHODS", "COMPAT_MODES", "SAMPLE_KINDS", "SUMMARY_COLUMNS", "TABLE_INDEX",
    "QUANTILE_COLUMNS",
    "BALANCE_COLUMNS", "NN_ROWS", "COX_SUMMARY_COLUMNS", "SURVREG_DISTRIBUTIONS", "SURVREG_PREDICT_TYPES",
]

#: ``coxph(ties=)``
TIES: tuple[str, ...] = ("efron", "breslow", "exact")
Ties = Literal["efron", "breslow", "exact"]

#: ``survfit(conf.type=)``
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain", "logit", "arcsin", "none")
ConfType = Literal["log", "log-log", "plain", "logit", "arcsin", "none"]

#: ``survfit(conf.lower=)``
CONF_LOWERS: tuple[str, ...] = ("usual", "peto", "modified")
ConfLower = Literal["usual", "peto", "modified"]

#: ``cox.zph(transform=)`` given as a name
ZPH_TRANSFORMS: tuple[str, ...] = ("km", "rank", "identity", "log")
ZphTransform = Literal["km", "rank", "identity", "log"]

#: ``residuals(<coxph>, type=)`` (residuals.coxph, survival 3.5-3)
#: coxph's ``na_action`` (R's ``na.action`` functions by name)
NA_ACTIONS: tuple[str, ...] = ("na.omit", "na.exclude")

RESIDUAL_TYPES: tuple[str, ...] = ("martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas",
                                   "scaledsch", "partial")
ResidualType = Literal["martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas", "scaledsch",
                       "partial"]

#: ``predict(<coxph>, type=)`` (predict.coxph, survival 3.5-3)
PREDICT_TYPES: tuple[str, ...] = ("lp", "risk", "expected", "terms", "survival")
PredictType = Literal["lp", "risk", "expected", "terms", "survival"]

#: ``predict(<coxph>, reference=)``: the first is R's default except for type "terms" ("sample")
PREDICT_REFERENCES: tuple[str, ...] = ("strata", "sample", "zero")
PredictReference = Literal["strata", "sample", "zero"]

#: ``fisher.test(alternative=)``
ALTERNATIVES: tuple[str, ...] = ("two.sided", "less", "greater")
Alternative = Literal["two.sided", "less", "greater"]

#: ``matchit(m.order=)`` (MatchIt 4.5.1, method = "nearest")
M_ORDERS: tuple[str, ...] = ("largest", "smallest", "random", "data")
MOrder = Literal["largest", "smallest", "random", "data"]

#: ``matchit(discard=)``
DISCARDS: tuple[str, ...] = ("none", "both", "control", "treated")
Discard = Literal["none", "both", "control", "treated"]

#: ``matchit(link=)`` for ``distance = "glm"``: the binomial link of the
#: propensity model, matched on the fitted probability or (``linear.``) the
#: linear predictor (MatchIt 3.0.2 spells these ``distance = "probit"``...)
LINKS: tuple[str, ...] = ("logit", "linear.logit", "probit", "linear.probit", "cloglog", "linear.cloglog",
                          "log", "linear.log", "cauchit", "linear.cauchit")
Link = Literal["logit", "linear.logit", "probit", "linear.probit", "cloglog", "linear.cloglog", "log",
               "linear.log", "cauchit", "linear.cauchit"]

#: ``matchit(estimand=)``: ATT and ATC (nearest-neighbour matching), ATE too
#: (exact matching)
ESTIMANDS: tuple[str, ...] = ("ATT", "ATC", "ATE")
Estimand = Literal["ATT", "ATC", "ATE"]

#: ``matchit(method=)``
METHODS: tuple[str, ...] = ("nearest", "exact", "cem", "subclass")

#: ``matchit(compat=)``: None is the documented algorithm (pyimpl; rbridge runs
#: the installed MatchIt); "4.5.1" the MatchIt 4.5.1 build, bugs included;
#: "3.0.2" MatchIt 3.0.2 (the study paper's R 3.4.3), random draws included
COMPAT_MODES: tuple[str | None, ...] = (None, "4.5.1", "3.0.2")

#: R's ``RNGkind(sample.kind=)``: how ``sample()`` turns uniforms into indices
#: ("Rounding" before R 3.6.0, "Rejection" after).
SAMPLE_KINDS: tuple[str, ...] = ("Rejection", "Rounding")

#: Columns of ``survfit_summary`` (``summary(fit, times=)``), R's names snake-cased.
SUMMARY_COLUMNS: tuple[str, ...] = ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper",
                                    "cumhaz", "std_chaz")
#: Columns of ``survfit_quantile`` (``quantile(fit, probs)``).
QUANTILE_COLUMNS: tuple[str, ...] = ("quantile", "lower", "upper")
#: Index of ``survfit_table`` (``summary(fit)$table``).
TABLE_INDEX: tuple[str, ...] = ("records", "n_max", "n_start", "events", "rmean", "se_rmean", "median", "lcl",
                                "ucl")
#: Columns of ``coxph_summary`` (``summary(fit)$coefficients`` and ``$conf.int``);
#: ``robust_se`` only for a robust fit.
COX_SUMMARY_COLUMNS: tuple[str, ...] = ("coef", "exp_coef", "se", "robust_se", "z", "p", "lower", "upper")
#: Columns of the balance tables of ``matchit_summary`` (``summary.matchit``).
BALANCE_COLUMNS: tuple[str, ...] = ("means_treated", "means_control", "std_mean_diff", "var_ratio", "ecdf_mean",
                                    "ecdf_max", "std_pair_dist")
#: Rows of the sample-size table (R: "All (ESS)", "All", "Matched (ESS)", ...).
NN_ROWS: tuple[str, ...] = ("all_ess", "all", "matched_ess", "matched", "unmatched", "discarded")

#: ``names(survival::survreg.distributions)`` (survival 3.5-3); ``dist=`` takes
#: any of them, or an unambiguous prefix (R's ``match.arg``)
SURVREG_DISTRIBUTIONS: tuple[str, ...] = ("extreme", "logistic", "gaussian", "weibull", "exponential", "rayleigh",
                                          "loggaussian", "lognormal", "loglogistic", "t")
#: ``predict(<survreg>, type=)``
SURVREG_PREDICT_TYPES: tuple[str, ...] = ("lp", "linear", "response", "quantile", "uquantile")
