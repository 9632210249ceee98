"""Refusal kinds of engine errors: one table from R's messages to kinds.

Two engines that both refuse an input agree only when they refuse for the same
reason (``docs/contract.md``, "Accepting and refusing input"). pyimpl and
plugins say why with :attr:`RParityError.kind`; R says it in words, and this
module's :data:`R_MESSAGES` maps those words to the same kinds. An R message
the table does not know maps to :data:`~rparity_contract.kinds.UNMAPPED`,
which equals no engine's kind: the refusal then shows as a divergence with R's
message, and the table gets the entry it lacks (never the other way round).

Each rule is a regular expression searched in R's message (``conditionMessage``)
and, optionally, the contract functions it is limited to (the same R message
can mean different arguments: glm's "y values must be 0 <= y <= 1" is the
treatment when MatchIt fits its propensity model).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rparity_contract.errors import RError, RParityError
from rparity_contract.kinds import KINDS, UNMAPPED

__all__ = ["RefusalRule", "R_MESSAGES", "r_kind", "refusal_kind", "is_refusal"]


@dataclass(frozen=True)
class RefusalRule:
    """R's message (a regular expression) -> the refusal kind."""

    pattern: str
    kind: str
    functions: tuple[str, ...] = ()
    source: str = ""

    def matches(self, message: str, function: str | None) -> bool:
        if self.functions and function not in self.functions:
            return False
        return re.search(self.pattern, message) is not None


_SURV = ("survfit", "survdiff", "coxph")
_COX = ("coxph", "coxph_summary", "cox_zph", "basehaz", "concordance", "coxph_residuals", "coxph_predict")
_MATCH = ("matchit", "matchit_summary", "match_data")
_WEIGHTING = ("ps_weights", "weighted_balance")
_TABLES = ("fisher_test", "chisq_test")
_SURVEY = ("svycoxph", "svykm", "svylogrank", "svyglm")  # the survey functions share svydesign's refusals

#: R's messages, most specific first (the first rule that matches wins).
R_MESSAGES: tuple[RefusalRule, ...] = (
    # survreg (survival 3.5-3 survreg.R, survreg.fit.R)
    RefusalRule(r"'arg' should be one of .*“extreme”", "dist.value", ("survreg",),
                source="survival survreg.R (match.arg(dist, names(survreg.distributions)))"),
    RefusalRule(r"'arg' should be one of .*“response”, “link”", "type.value", ("survreg_predict",),
                source="survival predict.survreg (match.arg(type))"),
    RefusalRule(r"Invalid survival times for this distribution", "time.nonpositive", ("survreg",),
                source="survival survreg.R: log(time) not finite"),
    RefusalRule(r"Invalid scale value", "scale.value", ("survreg",), source="survival survreg.R"),
    RefusalRule(r"The scale argument is not valid with multiple strata", "scale.strata", ("survreg",),
                source="survival survreg.R"),
    RefusalRule(r"Invalid weights, must be >0", "weights.nonpositive", ("survreg",),
                source="survival survreg.fit.R"),
    RefusalRule(r"Wrong length for initial parameters", "init.length", ("survreg",), source="survival survreg.fit.R"),
    RefusalRule(r"distribution has no optional parameters|Invalid parameter names|Degrees of freedom must be >=3",
                "parms.value", ("survreg",), source="survival survreg.R, survreg.distributions$t$init"),
    RefusalRule(r"start-stop type Surv objects are not supported|Response must be a survival object",
                "formula.response", ("survreg",), source="survival survreg.R"),
    RefusalRule(r"non-conformable arguments", "robust.strata_interaction", ("survreg",),
                source="survival survreg.R's robust variance: residuals.survreg(fit, 'dfbeta') models "
                       "Terms[-untangle.specials(Terms, 'strata', 1)$terms], no term when strata() is only in "
                       "interactions, so score %*% vv is non-conformable"),
    # residuals(<survreg>) (survival 3.5-3 residuals.survreg.R)
    RefusalRule(r"'arg' should be one of .*“response”, “deviance”, “dfbeta”|'arg' must be NULL or a character "
                r"vector", "type.value", ("survreg_residuals",), source="survival residuals.survreg (match.arg(type))"),
    RefusalRule(r"non-conformable arguments", "argument.value", ("survreg_residuals",),
                source="survival residuals.survreg: score %*% vv with rsigma = FALSE and an estimated scale"),
    RefusalRule(r"Wrong length for 'collapse'", "lengths", ("survreg_residuals",),
                source="survival residuals.survreg"),
    # Surv() and the model frame (survival 3.5-3 Surv.R, stats model.frame)
    RefusalRule(r"Wrong number of args for this type of survival data", "formula.response", source="survival Surv.R"),
    RefusalRule(r"Invalid status value, must be logical or numeric", "event.type", ("survreg",),
                source="survival Surv.R (type = 'interval': a non-numeric status)"),
    RefusalRule(r"Time variable is not numeric", "time.type", source="survival Surv.R"),
    RefusalRule(r"missing values are not allowed in 'poly'|'degree' must be (less than number of unique "
                r"points|at least 1)", "formula.value", source="stats poly"),
    RefusalRule(r'argument "tf" is missing', "tf.missing", ("crr",),
                source="cmprsk crr: cov2 without tf (before the general rule below)"),
    RefusalRule(r"argument \"[^\"]+\" is missing, with no default", "formula.arguments",
                source="R's closure call (a formula's own function)"),
    RefusalRule(r"no applicable method for '(predict|survfit|anova|concordance)' applied to an object of class "
                r"\"list\"|argument must be the result of Cox model fit|must be a coxph object|Detailed output is "
                r"not available for the coxph method|summary\.default: no coefficient table", "fit.unclassed",
                ("coxph_predict", "survfit_cox", "coxph_anova", "concordance", "cox_zph", "basehaz", "coxph_detail",
                 "coxph_summary"),
                source="survival 3.5-3 agexact.fit: its fit is a list without the class 'coxph' (generics fail, "
                       "cox.zph, basehaz and coxph.detail check the class; rbridge names summary.default's table)"),
    RefusalRule(r"rparity: survfitKM's influence fails when start\.time leaves a curve without rows",
                "start_time.value", ("survfit",),
                source="survival survfitKM.R's error there, named by rbridge (R's message kept)"),
    RefusalRule(r"only 0's may be mixed with negative subscripts|subscript out of bounds", "subset.value", _SURV,
                source="R's [ on the data frame (model.frame's subset= as row numbers)"),
    RefusalRule(r"Invalid status value, must be logical or numeric", "event.type", source="survival Surv.R"),
    RefusalRule(r"an id statement is required for multi-state models|rparity: multi-state", "event.multistate",
                source="survival coxph.R; rbridge's refusal of survfitms/coxphms results"),
    RefusalRule(r"Right censored data only", "formula.response", ("survdiff",), source="survival survdiff.R"),
    RefusalRule(r"Time and status are different lengths", "lengths", source="survival Surv.R"),
    RefusalRule(r"variable lengths differ", "lengths", source="stats model.frame"),
    RefusalRule(r"arguments imply differing number of rows", "lengths", source="base data.frame"),
    RefusalRule(r"(data set has no non-missing observations|No \(non-missing\) observations)", "data.empty",
                source="survival survfit.formula / coxph.R"),
    RefusalRule(r"weights must be non-negative", "weights.negative", source="survival survfit.formula"),
    RefusalRule(r"negative weights not allowed", "weights.negative", source="stats glm.fit"),
    RefusalRule(r"Invalid weights, must be >0", "weights.nonpositive", source="survival coxph.R"),
    RefusalRule(r"weights must be finite", "weights.nonfinite", source="survival survfit.formula / coxph.R"),
    RefusalRule(r"offsets must lead to a finite risk score", "offset.nonfinite", source="survival coxph.R"),
    RefusalRule(r"one of cluster or id is needed", "cluster.missing", source="survival coxph.R"),
    RefusalRule(r"id or cluster option required", "cluster.missing", ("survfit",), source="survival survfitKM.R"),
    RefusalRule(r"influence argument must be|argument is not interpretable as logical", "influence.value",
                ("survfit",), source="survival survfitKM.R"),
    RefusalRule(r"robust must be TRUE/FALSE", "robust.type", ("survfit",), source="survival survfitKM.R"),
    RefusalRule(r"keepstrat argument must be logical or numeric", "keepstrata.value", ("concordance",),
                source="survival concordance.R"),
    RefusalRule(r"Only one predictor variable allowed", "formula.terms", ("concordance",),
                source="survival concordance.R"),
    RefusalRule(r"all models must have the same sample size", "lengths", ("concordance",),
                source="survival concordance.R (cord.work)"),
    RefusalRule(r"all models must have the same weight vector", "weights.value", ("concordance",),
                source="survival concordance.R (cord.work)"),
    RefusalRule(r"models must have identical clustering", "cluster.value", ("concordance",),
                source="survival concordance.R (cord.work)"),
    RefusalRule(r"Offset terms not allowed", "formula.special", ("concordance",), source="survival concordance.R"),
    RefusalRule(r"left hand side of the formula\s+must be a numeric vector|argument is not a Surv object",
                "formula.response", ("concordance",),
                source="survival concordance.R (a logical response reaches aeqSurv unconverted)"),
    RefusalRule(r"the reverse argument must be TRUE/FALSE", "reverse.type", ("concordance",),
                source="survival concordance.R"),
    RefusalRule(r"'arg' should be one of .*“n”, “S”|timewt option not supported for \(time1, time2\) data",
                "timewt.value", ("concordance",), source="survival concordance.R (match.arg; counting data)"),
    RefusalRule(r"rparity: start\.time is after every time", "start_time.value", ("survfit",),
                source="rbridge's guard: survival 3.5-3's survfitKM crashes there"),
    RefusalRule(r"start\.time must be a single numeric value|start\.time argument has removed all endpoints",
                "start_time.value", ("survfit_cox",), source="survival survfit.coxph.R"),
    RefusalRule(r"'arg' should be one of .*“data”, “time”", "rorder.value", ("coxph_detail",),
                source="survival coxph.detail (match.arg)"),
    RefusalRule(r"argument is not interpretable as logical", "riskmat.type", ("coxph_detail",),
                source="survival coxph.detail: if (riskmat)"),
    RefusalRule(r"robust variance plus the exact method is not supported", "robust.exact", ("clogit",),
                source="survival clogit.R"),
    RefusalRule(r"cut must be a vector of finite numbers", "cut.value", ("survsplit",), source="survival survSplit.R"),
    RefusalRule(r"'zero' parameter must be less than any observed times", "zero.value", ("survsplit",),
                source="survival survSplit.R"),
    RefusalRule(r"the suggested id name is already present|id must be a variable name|episode must be a character",
                "name.value", ("survsplit",), source="survival survSplit.R"),
    RefusalRule(r"the model must have a Surv object as the response", "formula.response", ("survsplit",),
                source="survival survSplit.R"),
    RefusalRule(r"either a formula or the end and event arguments are required", "formula.response",
                ("survsplit",), source="survival survSplit.R (data-frame form)"),
    RefusalRule(r"'(end|event)' must be a variable name in the data set", "data.column", ("survsplit",),
                source="survival survSplit.R (data-frame form)"),
    RefusalRule(r"'start' must be a variable name", "name.value", ("survsplit",),
                source="survival survSplit.R (data-frame form)"),
    RefusalRule(r"a data frame is required", "argument.type", ("survsplit",),
                source="survival survSplit.R (data-frame form)"),
    RefusalRule(r"the id option only makes sense with new data|Individual=TRUE is only valid for counting process "
                r"data|Survival type of newdata does not match the fitted model|Individual survival but no "
                r"variables|id=NULL is an invalid argument", "id.value", ("survfit_cox",),
                source="survival survfit.coxph.R (id: individual curves)"),
    RefusalRule(r"rparity: survival 3.5-3's concordance aborts R for timewt", "timewt.value", ("concordance",),
                source="rbridge's guard: survival 3.5-3 crashes there"),
    RefusalRule(r"ymin must be numeric|data has a censored value less than ymin", "ymin.value", ("concordance",),
                source="survival concordancefit"),
    RefusalRule(r"ymax must be numeric", "ymax.value", ("concordance",), source="survival concordancefit"),
    RefusalRule(r"The offset must be a survival probability", "offset.value", ("survdiff",),
                source="survival survdiff.R (one-sample test)"),
    RefusalRule(r"Cannot have both an offset and groups", "formula.special", ("survdiff",),
                source="survival survdiff.R (one-sample test)"),
    # tmerge (survival 3.5-3 tmerge.R, neardate.R)
    RefusalRule(r"tmerge object has been modified|id2 and y2 have different lengths", "tmerge.modified", ("tmerge",),
                source="survival tmerge.R: a result whose id, tstart or tstop column is gone or renamed by "
                       "options fails in neardate"),
    RefusalRule(r"unrecognized option|options must be a list|option must be (NULL or )?a valid variable name|"
                r"delay option must be|na\.rm option must be|tdcstart must be a single value", "tmerge.options",
                ("tmerge",), source="survival tmerge.R (tmerge.control)"),
    RefusalRule(r"id variable not found in data|id variable cannot have missing values|must have no duplicate "
                r"identifiers|setting the range, and data[12] has id values not in data[12]|'id' must be a single "
                r"variable name", "tmerge.id", ("tmerge",), source="survival tmerge.R"),
    RefusalRule(r"missing time value, when that variable defines the span|tstart must be < tstop|the default "
                r"starting time of 0 is invalid|first call has created overlapping|(tstart|tstop) and id must be "
                r"the same length|argument lengths differ|missing value where TRUE/FALSE needed", "tmerge.span",
                ("tmerge",), source="survival tmerge.R"),
    RefusalRule(r"No valid entries in data set 2|is not the same length as id|tdc update does not match prior|"
                r"attempt to turn event variable|"
                r"invalid increment for cumtdc or cumevent|attempt to update an event variable|attemp to update an "
                r"event variable|invalid value for a status variable|tdc value must be of length 1|tdc initial value "
                r"must be of length 1|cumtdc initial value must be numeric|data and starting value do not agree",
                "tmerge.term", ("tmerge",), source="survival tmerge.R"),
    RefusalRule(r"the data1, data2, and id arguments are required|all additional argments must have a name|not a "
                r"recognized type|tstart and tstop arguments only apply to the first call|neither a tstop argument "
                r"nor an initial event argument was found", "tmerge.arguments",
                ("tmerge",), source="survival tmerge.R"),
    RefusalRule(r"length\(class2\) == 1L is not TRUE", "time.type", ("tmerge",),
                source="survival neardate.R: date-time (POSIXct) times fail in as()"),
    RefusalRule(r"object '.*' not found", "data.column", ("tmerge",), source="R: a term naming no column of data2"),
    RefusalRule(r"cluster appears as both an argument and a model term", "argument.value", ("survfit",),
                source="survival survfit.formula"),
    RefusalRule(r"can not have two cluster terms", "formula.special", ("survfit",),
                source="survival survfit.formula"),
    RefusalRule(r"Interaction terms are not valid for this function", "formula.syntax", ("survfit",),
                source="survival survfit.formula"),
    RefusalRule(r"aeqSurv exception, an interval has effective length 0", "time.interval",
                source="survival aeqSurv.R"),
    RefusalRule(r"Case weights are not supported for the exact method", "weights.exact", source="survival coxph.R"),
    # residuals.coxph, residuals.coxph.null, predict.coxph
    RefusalRule(r"residuals are not available for the exact method", "residuals.exact", ("coxph_residuals",),
                source="survival residuals.coxph"),
    RefusalRule(r"residuals are not defined for a null model", "residuals.null", ("coxph_residuals",),
                source="survival residuals.coxph.null"),
    RefusalRule(r"attempt to set 'colnames' on an object with less than two dimensions", "residuals.one_event",
                ("coxph_residuals",), source="survival residuals.coxph (scaledsch: drop() of a one-row matrix)"),
    RefusalRule(r"'arg' should be one of .*“martingale”", "type.value", ("coxph_residuals",),
                source="survival residuals.coxph (match.arg)"),
    RefusalRule(r"'arg' should be one of .*“expected”", "type.value", ("coxph_predict",),
                source="survival predict.coxph (match.arg)"),
    RefusalRule(r"'arg' should be one of .*“sample”", "reference.value", ("coxph_predict",),
                source="survival predict.coxph (match.arg)"),
    RefusalRule(r"(Wrong length for 'collapse'|Collapse vector is the wrong length)", "collapse.length",
                ("coxph_residuals", "coxph_predict"), source="survival residuals.coxph / predict.coxph"),
    RefusalRule(r"(a name given in the terms argument not found in the model|Invalid terms argument)",
                "terms.value", ("coxph_predict",), source="survival predict.coxph"),
    RefusalRule(r"(subscript out of bounds|requires numeric/complex matrix/vector arguments)", "predict.null",
                ("coxph_predict", "survreg_predict"),
                source="survival predict.coxph on a coxph.null fit (se.fit, terms); predict.survreg's terms of an "
                       "intercept-only fit (asgn[[1]])"),
    # coxph.detail
    RefusalRule(r"Detailed output is not available for the", "detail.method", ("coxph_detail",),
                source="survival coxph.detail"),
    RefusalRule(r"'dimnames' applied to non-array", "detail.one_time", ("coxph_detail",),
                source="survival coxph.detail (one event time: a dropped matrix)"),
    RefusalRule(r"invalid 'length' argument", "detail.null", ("coxph_detail",),
                source="survival coxph.detail on coxph.null"),
    # anova.coxph, anova.coxphlist
    RefusalRule(r"Can't do anova tables with robust variances", "anova.robust", ("coxph_anova",),
                source="survival anova.coxph"),
    RefusalRule(r'could not find function "offet"', "anova.offset", ("coxph_anova",),
                source="survival anova.coxph (its offet() misprint)"),
    RefusalRule(r"'length.out' must be a non-negative number", "anova.null", ("coxph_anova",),
                source="survival anova.coxph on coxph.null"),
    RefusalRule(r"all models must have the same ties option", "anova.ties", ("coxph_anova",),
                source="survival anova.coxphlist"),
    RefusalRule(r"models were not all fit to the same size of dataset", "anova.rows", ("coxph_anova",),
                source="survival anova.coxphlist"),
    # survfit(<coxph>, newdata=)
    RefusalRule(r"factor .* has new levels?", "newdata.level", ("survfit_cox", "coxph_predict"),
                source="stats model.frame (xlev)"),
    RefusalRule(r"New data set has strata levels not found in the original", "newdata.strata", ("survfit_cox",),
                source="survival survfit.coxph"),
    RefusalRule(r"object '.*' not found", "newdata.column", ("survfit_cox", "coxph_predict"),
                source="stats model.frame"),
    RefusalRule(r"stype must be 1 or 2", "stype.value", ("survfit_cox", "survfit"),
                source="survival survfit.coxph, survfitKM"),
    RefusalRule(r"ctype must be 1 or 2", "ctype.value", ("survfit_cox", "survfit"),
                source="survival survfit.coxph, survfitKM"),
    RefusalRule(r"type argument must be character|invalid value for 'type'", "type.value", ("survfit",),
                source="survival survfitKM"),
    RefusalRule(r"'arg' should be one of .*“log-log”", "conf_type.value", ("survfit_cox",),
                source="survival survfit.coxph (match.arg)"),
    # coxph(robust = TRUE, ties = "exact") fails in its dfbeta residuals
    RefusalRule(r"dfbeta residuals are not available for the exact method", "robust.exact", _COX,
                source="survival coxph.R"),
    # options
    RefusalRule(r"'arg' should be one of .*“log-log”", "conf_type.value", ("survfit", "survfit_ms"),
                source="survival survfit.formula (match.arg)"),
    # cuminc (cmprsk 2.2-11): its .Fortran calls refuse missing values
    RefusalRule(r"NAs in foreign function call \(arg 3\)", "event.values", ("cuminc",),
                source="cmprsk cuminc: no failure, the cause loop runs with an NA cause"),
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 1\)", "time.nonfinite", ("cuminc",),
                source="cmprsk cuminc: .Fortran(cinc) with an infinite time"),
    # crr (cmprsk 2.2-11): the .Fortran calls refuse non-finite values; na.fail; no covariate, no tf
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 1\)", "time.nonfinite", ("crr",),
                source="cmprsk crr: .Fortran(crrfsv) with an infinite time"),
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg [47]\)", "X.nonfinite", ("crr",),
                source="cmprsk crr: cov1 (arg 4) or cov2 (arg 7) infinite, or text that as.double made NA"),
    RefusalRule(r"missing values in object", "argument.missing", ("crr",), source="stats na.fail in crr"),
    RefusalRule(r"undefined columns selected", "X.missing", ("crr",),
                source="cmprsk crr without cov1 and cov2: d[, (1:0) + 3]"),
    # matching_match (Matching 4.10-8 Match)
    RefusalRule(r"Match\(\): input includes NAs", "data.missing", ("matching_match",), source="Matching Match"),
    RefusalRule(r"Treatment indicator \('Tr'\) must be a logical variable", "treat.values", ("matching_match",),
                source="Matching Match"),
    RefusalRule(r"Treatment indicator \('Tr'\) must contain both", "treat.binary", ("matching_match",),
                source="Matching Match"),
    RefusalRule(r"missing value where TRUE/FALSE needed", "treat.binary", ("matching_match",),
                source="Matching Match: var(Tr) of a single observation is NA"),
    RefusalRule(r"^length\((Y|Tr)\) != (length\(Tr\)|nrow\(X\))", "lengths", ("matching_match",),
                source="Matching Match"),
    RefusalRule(r"object 'matched.index' not found", "estimand.value", ("matching_match",),
                source="Matching Match: an unknown estimand (reset to ATT with a warning) and caliper drops"),
    # svycoxph (survey 4.1-1)
    RefusalRule(r"exactly singular|computationally singular", "solve.singular", ("svycoxph",),
                source="survey svycoxph: solve(var, coef) for the Wald test; a design variance of rank below p "
                       "is exactly or computationally singular depending on its last bits: one refusal"),
    RefusalRule(r"Clusters not nested in strata at top level", "ids.nesting", _SURVEY,
                source="survey svydesign.default"),
    RefusalRule(r"has only one PSU at stage", "strata.lonely", _SURVEY,
                source="survey onestrat (options(survey.lonely.psu = 'fail'))"),
    RefusalRule(r"weights must be non-negative", "weights.negative", _SURVEY,
                source="survey svydesign"),
    # svykm, svylogrank, svyglm (survey 4.1-1)
    RefusalRule(r"y values must be 0 <= y <= 1|negative values not allowed for the", "y.values", ("svyglm",),
                source="stats binomial()/poisson()$initialize in svyglm's glm"),
    RefusalRule(r"exactly singular|computationally singular", "solve.singular", ("svylogrank",),
                source="survey .logrank: solve(vcov(means), coef(means)) with a design variance of rank below p"),
    RefusalRule(r"Only one grouping variable allowed", "formula.terms", ("svylogrank",),
                source="survey svylogrank.survey.design2 / expandlogrank (method = 'score')"),
    RefusalRule(r"Grouping variable with more than 2 levels must be a factor", "group.type", ("svylogrank",),
                source="survey svylogrank.survey.design2 / expandlogrank (method = 'score')"),
    RefusalRule(r"subscript out of bounds", "group.levels", ("svylogrank",),
                source="survey svylogrank.survey.design2 (method = 'score'): mf[[1]] of a formula without a group"),
    RefusalRule(r"number of items to replace is not a multiple of replacement length", "argument.missing",
                ("svycoxph", "svylogrank"),
                source="survey svycoxph.survey.design: dbeta[is.finite(design$prob), ] <- dbeta.subset, a row of "
                       "weight 0 with a missing value being in neither the fit nor na.action"),
    RefusalRule(r"replacement has \d+ rows, data has \d+", "argument.missing", ("svylogrank",),
                source="survey expandlogrank: mf$.time <- coxmodel$y[, 'time'] after coxph dropped rows"),
    RefusalRule(r"argument lengths differ", "weights.nonpositive", ("svylogrank", "svycoxph"),
                source="survival residuals.coxph on a svycoxph fit with weights 0 and strata(): "
                       "model.frame.svycoxph ignores the subset (order(nstrat, y[, ny - 1], -status))"),
    RefusalRule(r"'zero' parameter must be less than any observed times", "zero.value", ("svylogrank",),
                source="survival survSplit in survey expandlogrank"),
    RefusalRule(r"response must be a right-censored Surv object", "formula.response", ("svylogrank",),
                source="survey svykm in expandlogrank"),
    RefusalRule(r"missing values in object|missing values in `weights'", "argument.missing",
                _SURVEY,
                source="survey svydesign: a missing weight, cluster or stratum"),
    # finegray (survival 3.5-3 finegray.R): missing times or statuses are kept (na.pass) and then fail
    RefusalRule(r"NAs are not allowed in subscripted assignments|'vec' must be sorted non-decreasingly and not "
                r"contain NAs", "argument.missing", ("finegray",),
                source="survival finegray.R: newtime[status != 0, 2] <- ...; findInterval(times, ct2)"),
    RefusalRule(r"attempt to set an attribute on NULL|attempt to set 'rownames' on an object with no dimensions",
                "event.values", ("finegray",),
                source="survival finegray.R: no endpoint event, stratfun returns NULL and the result is NULL"),
    RefusalRule(r"etype argument has a state that is not in the data", "etype.value", ("finegray",),
                source="survival finegray.R"),
    RefusalRule(r"Fine-Gray model requires a multi-state survival", "event.type", ("finegray",),
                source="survival finegray.R"),
    # survfit_ms (survival 3.5-3 Surv.R, survfitCI.R, survcheck2)
    RefusalRule(r"rparity: survfit_ms needs a factor status", "event.type", ("survfit_ms",),
                source="rbridge: a 0/1 status makes survfit a Kaplan-Meier fit (survfitKM), not survfitCI"),
    RefusalRule(r"each state must have a non-blank name|'x' must be an array of at least two dimensions",
                "event.states", ("survfit_ms",),
                source="survival Surv.R; survcheck2's colSums(transitions[, 1:nr]) with no state but censoring"),
    RefusalRule(r"wrong length for p0|p0 must be a numeric vector that adds to 1", "p0.value", ("survfit_ms",),
                source="survival survfitCI.R"),
    RefusalRule(r"start\.time has removed all observations|start\.time must be a single numeric value",
                "start_time.value", ("survfit_ms",), source="survival survfitCI.R"),
    RefusalRule(r"an id statement is required for start,stop data", "id.missing", ("survfit_ms",),
                source="survival survfitCI.R"),
    RefusalRule(r"one or more flags are >0 in survcheck", "data.survcheck", ("survfit_ms",),
                source="survival survfitCI.R (survcheck2: overlap, gap, jump, teleport)"),
    RefusalRule(r"influence argument must be", "influence.value", ("survfit_ms",), source="survival survfitCI.R"),
    RefusalRule(r"'arg' should be one of .*“peto”", "conf_lower.value", ("survfit",),
                source="survival survfit.formula (match.arg)"),
    RefusalRule(r"'arg' should be one of .*“breslow”", "ties.value", _COX + ("clogit",),
                source="survival coxph.R, clogit.R (match.arg)"),
    RefusalRule(r"'arg' should be one of .*“two\.sided”", "alternative.value", _TABLES,
                source="stats fisher.test (match.arg)"),
    RefusalRule(r"There is only 1 group", "group.levels", ("survdiff",), source="survival survdiff.R"),
    RefusalRule(r"no points selected for one or more curves", "times.none", ("survfit_summary",),
                source="survival summary.survfit"),
    RefusalRule(r"Invalid probability", "probs.value", ("survfit_quantile",), source="survival quantile.survfit"),
    RefusalRule(r"Unrecognized transform", "transform.value", ("cox_zph",), source="survival cox.zph"),
    RefusalRule(r"there are no score residuals for a Null model", "fit.no_events", ("cox_zph",),
                source="survival cox.zph"),
    RefusalRule(r"wrong length for init argument", "init.length", ("coxph",), source="survival coxph.R"),
    RefusalRule(r"initial values lead to overflow or underflow", "init.overflow", ("coxph",),
                source="survival coxph.R"),
    RefusalRule(r"(Invalid value for iterations|Invalid convergence criteria|The inf\.warn setting must be >0)",
                "control.value", _COX, source="survival coxph.control"),
    RefusalRule(r"X matrix deemed to be singular", "X.singular", ("coxph",), source="survival coxph.fit"),
    RefusalRule(r"infinite argument in coxph\.wtest", "wald.nonfinite", _COX, source="survival coxph.wtest"),
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 5\)", "exact.nonfinite", ("coxph",),
                source="survival coxexact.fit"),
    RefusalRule(r"\(subscript\) logical subscript too long", "cluster.single", ("coxph",),
                source="survival coxph.R: the robust variance with one cluster and several covariates"),
    RefusalRule(r"'x' must be an array of at least two dimensions", "data.one_subject", ("coxph",),
                source="survival coxph.R: concordancefit's rowSums on a single observation"),
    RefusalRule(r"subscript out of bounds", "fit.no_events", ("cox_zph",),
                source="survival cox.zph: the score residuals of a fit without events are empty"),
    RefusalRule(r"contrasts can be applied only to factors with 2 or more levels", "X.levels",
                source="stats contrasts<-"),
    RefusalRule(r"data contains an infinite predictor", "X.nonfinite", ("coxph",), source="survival coxph.R"),
    RefusalRule(r"NA/NaN/Inf in 'x'", "X.nonfinite", ("glm_logit",), source="stats glm.fit (lm.fit)"),
    RefusalRule(r"Lapack routine dgesv: system is exactly singular", "solve.singular", source="base solve"),
    RefusalRule(r"system is computationally singular", "solve.ill_conditioned", source="base solve"),
    # glm and MatchIt (MatchIt 4.5.1 R/input_processing.R, matchit.R, aux_functions.R)
    RefusalRule(r"y values must be 0 <= y <= 1", "treat.values", _MATCH, source="stats binomial() in MatchIt"),
    RefusalRule(r"y values must be 0 <= y <= 1", "y.values", ("glm_logit",), source="stats binomial()"),
    RefusalRule(r"Missing values are not allowed in the treatment", "treat.missing", _MATCH,
                source="MatchIt check_treat"),
    RefusalRule(r"The treatment must be a binary variable", "treat.binary", _MATCH, source="MatchIt check_treat"),
    RefusalRule(r"Missing and non-finite values are not allowed in the covariates", "covariates.missing", _MATCH,
                source="MatchIt matchit.R"),
    RefusalRule(r"object '.*' not found", "data.column", _MATCH, source="stats model.frame"),
    RefusalRule(r"`ratio` must be a single number greater than or equal to 1", "ratio.value", _MATCH,
                source="MatchIt matchit2nearest"),
    RefusalRule(r"The argument to 'm\.order' should be one of", "m_order.value", _MATCH, source="MatchIt"),
    RefusalRule(r"The argument to 'option' should be one of", "discard.value", _MATCH, source="MatchIt discard"),
    RefusalRule(r"The argument to 'estimand' should be one of", "estimand.value", _MATCH, source="MatchIt"),
    RefusalRule(r"link not recognised", "link.value", _MATCH, source="stats binomial()"),
    RefusalRule(r"Calipers cannot be used with binary, factor, or character variables", "caliper.binary", _MATCH,
                source="MatchIt process.caliper"),
    RefusalRule(r"No matches were found", "match.none", _MATCH, source="MatchIt matchit2nearest"),
    RefusalRule(r"The argument 'mahvars' is not used with `method = \"nearest\"` and distance", "mahvars.distance",
                _MATCH, source="MatchIt check.inputs"),
    RefusalRule(r"All names supplied to `(mahvars|antiexact|unit\.id)` must be variables in `data`", "data.column",
                _MATCH, source="MatchIt process.variable.input"),
    RefusalRule(r"`unit\.id` must be supplied as a character vector of names", "unit_id.type", _MATCH,
                source="MatchIt process.variable.input (matchit2nearest)"),
    RefusalRule(r"The name supplied to 's\.weights' must be a variable in 'data'", "data.column", _MATCH,
                source="MatchIt matchit.R"),
    RefusalRule(r"'s\.weights' (can only contain one named variable|must be supplied as a numeric vector)",
                "s_weights.type", _MATCH, source="MatchIt matchit.R"),
    RefusalRule(r"Missing values are not allowed in 's\.weights'", "s_weights.missing", _MATCH,
                source="MatchIt matchit.R"),
    RefusalRule(r"'x' must contain finite values only", "s_weights.value", _MATCH,
                source="stats cov.wt in MatchIt pooled_cov (transform_covariates with s.weights)"),
    RefusalRule(r"'s\.weights' must be the same length as the treatment vector", "s_weights.length", _MATCH,
                source="MatchIt matchit.R"),
    RefusalRule(r"All variables named in `caliper` must be in `data`", "data.column", _MATCH,
                source="MatchIt process.caliper"),
    RefusalRule(r"All entries in `caliper` must be named when distance does not correspond to a propensity score|"
                r"`caliper` must be a named vector", "caliper.value", _MATCH, source="MatchIt process.caliper"),
    RefusalRule(r"`std\.caliper` must be (the same length as `caliper`|a logical)", "std_caliper.type", _MATCH,
                source="MatchIt process.caliper"),
    RefusalRule(r"'discard' must be a logical vector or \"none\" in the absence of a propensity score",
                "discard.value", _MATCH, source="MatchIt discard"),
    RefusalRule(r"Covariates must be specified in the input formula when distance", "covariates.empty", _MATCH,
                source="MatchIt matchit2nearest"),
    RefusalRule(r"Missing values are not allowed in the covariates named in", "covariates.missing", _MATCH,
                source="MatchIt process.variable.input"),
    RefusalRule(r"no applicable method for 'determinant' applied to an object of class \"NULL\"", "compat.failure",
                _MATCH, source="MatchIt 4.5.1 transform_covariates(method = \"robust_mahalanobis\"): det(var) of "
                "its NULL argument"),
    RefusalRule(r"No units were matched", "match.none", _MATCH, source="MatchIt weights.matrix"),
    RefusalRule(r"No treated units were matched", "match.no_treated", _MATCH, source="MatchIt weights.matrix"),
    RefusalRule(r"No control units were matched", "match.no_control", _MATCH, source="MatchIt weights.matrix"),
    RefusalRule(r"Missing values exist in the data", "data.missing", _MATCH, source="MatchIt 3.0.2 matchit"),
    RefusalRule(r"Covariates must be specified in the input formula to use (coarsened )?exact matching",
                "covariates.empty",
                _MATCH, source="MatchIt matchit2exact"),
    RefusalRule(r"No exact matches were found", "match.none", _MATCH, source="MatchIt matchit2exact"),
    RefusalRule(r"`subclass` must be (a numeric value|greater than 1)|When specifying `subclass` as a vector of "
                r"quantiles", "subclass.value", _MATCH, source="MatchIt matchit2subclass"),
    RefusalRule(r"`min.n` must be a single number|Not enough units to fit treated and control", "subclass.min_n",
                _MATCH, source="MatchIt matchit2subclass, subclass_scoot"),
    RefusalRule(r"The argument to 'method' should be one of", "method.value", _MATCH, source="MatchIt"),
    RefusalRule(r"Package '(optmatch|quickmatch|rgenoud)' is needed for this function to work", "method.value",
                _MATCH, source="MatchIt (a method whose R package Debian does not have)"),
    RefusalRule(r"linear\.cauchitnot supported\.", "link.value", _MATCH,
                source="MatchIt 3.0.2 matchit (distance2linearcauchit is misnamed)"),
    RefusalRule(r"no valid set of coefficients has been found|cannot find valid starting values|"
                r"inner loop [12]; cannot correct step size", "glm.fit", _MATCH + ("glm_logit",),
                source="stats glm.fit"),
    RefusalRule(r"replacement has length zero", "compat.failure", _MATCH,
                source="MatchIt 3.0.2 matchit2nearest (no treated unit to match)"),
    RefusalRule(r"invalid first argument", "compat.failure", _MATCH,
                source="MatchIt 3.0.2 matchit2nearest (m.order random, every treated unit discarded)"),
    RefusalRule(r"subscript out of bounds", "compat.failure", _MATCH,
                source="MatchIt 3.0.2 matchit2nearest (every treated unit discarded)"),
    RefusalRule(r"number of columns of matrices must match", "compat.failure", _MATCH,
                source="MatchIt 4.5.1 rbind of an exact stratum without focal units (#151)"),
    # ps_weights / weighted_balance (rbridge/R/weighting.R: its refusals end with the kind in brackets)
    RefusalRule(r"\[data\.empty\]$", "data.empty", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[data\.column\]$", "data.column", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[treat\.missing\]$", "treat.missing", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[treat\.binary\]$", "treat.binary", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[treat\.values\]$", "treat.values", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[covariates\.treat\]$", "covariates.treat", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[covariates\.empty\]$", "covariates.empty", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[covariates\.missing\]$", "covariates.missing", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[estimand\.value\]$", "estimand.value", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[link\.value\]$", "link.value", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[argument\.value\]$", "argument.value", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[stabilize\.estimand\]$", "stabilize.estimand", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[trim\.value\]$", "trim.value", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[weights\.nonfinite\]$", "weights.nonfinite", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[weights\.negative\]$", "weights.negative", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[weights\.arm\]$", "weights.arm", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[weights\.type\]$", "weights.type", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"\[lengths\]$", "lengths", _WEIGHTING, source="rbridge weighting.R"),
    RefusalRule(r"no valid set of coefficients has been found|cannot find valid starting values|"
                r"inner loop [12]; cannot correct step size", "glm.fit", _WEIGHTING, source="stats glm.fit"),
    # fisher.test / chisq.test (R stats fisher.test.R, chisq.test.R)
    RefusalRule(r"all entries of 'x' must be nonnegative and finite", "table.values", _TABLES,
                source="stats fisher.test / chisq.test"),
    RefusalRule(r"at least one entry of 'x' must be positive", "table.zero", ("chisq_test",),
                source="stats chisq.test"),
    RefusalRule(r"All elements of TABLE are zero", "table.zero", ("fisher_test",), source="stats fexact.c"),
    RefusalRule(r"'x' must have at least 2 rows and columns", "table.shape", _TABLES, source="stats fisher.test"),
    RefusalRule(r"if 'x' is not a matrix, 'y' must be given", "table.shape", _TABLES, source="stats"),
    RefusalRule(r"'conf\.level' must be a single number between 0 and 1", "conf_level.value", ("fisher_test",),
                source="stats fisher.test"),
    RefusalRule(r"'or' must be a single number between 0 and Inf", "or.value", ("fisher_test",),
                source="stats fisher.test"),
    RefusalRule(r"(FEXACT error|LDKEY.*too small|LDSTP.*too small|workspace)", "fisher.workspace",
                ("fisher_test",), source="stats fexact.c"),
    # refusal-parity tables (tests/*/test_bad_*.py): R's messages for inputs pyimpl refuses for the same reason
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 4\)", "rho.value", ("survdiff",),
                source="survival survdiff.fit: argument 4 of .C(Csurvdiff2) is as.double(rho)"),
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 5\)", "time.nonfinite", ("survdiff",),
                source="survival survdiff.fit: argument 5 of .C(Csurvdiff2) is the sorted times"),
    RefusalRule(r"NA/NaN/Inf in foreign function call \(arg 3\)", "time.nonfinite", ("coxph",),
                source="survival coxph.fit: argument 3 of .C(Ccoxmart) is the sorted times"),
    RefusalRule(r"robust must be TRUE/FALSE", "robust.type", _COX, source="survival coxph.R"),
    RefusalRule(r"timefix must be TRUE or FALSE", "control.value", _COX, source="survival coxph.control"),
    RefusalRule(r"^invalid argument type$", "centered.type", ("basehaz",),
                source="survival basehaz: !centered on a value that is not logical"),
    RefusalRule(r"`caliper` must be a numeric vector", "caliper.value", _MATCH, source="MatchIt process.caliper"),
    RefusalRule(r"`ratio` must be a whole number when `max\.controls` is not specified", "ratio.value", _MATCH,
                source="MatchIt process.ratio"),
    RefusalRule(r"`distance` must be the same length as the dataset", "distance.value", _MATCH,
                source="MatchIt process.distance"),
    RefusalRule(r"Missing values are not allowed in `distance`", "distance.value", _MATCH,
                source="MatchIt process.distance"),
    RefusalRule(r"`replace` must be TRUE or FALSE", "replace.type", _MATCH, source="MatchIt process.replace"),
    RefusalRule(r"'x' has entries too large to be integer", "table.too_large", ("fisher_test",),
                source="stats fisher.test"),
    RefusalRule(r"^no match$", "alternative.value", ("fisher_test",),
                source="stats fisher.test: char.expand(alternative, ...) on a 2 x 2 table"),
    RefusalRule(r"^argument is not interpretable as logical$", "conf_int.type", ("fisher_test",),
                source="stats fisher.test: if (conf.int) on a 2 x 2 table"),
    RefusalRule(r"^non-numeric argument to mathematical function$", "or.value", ("fisher_test",),
                source="stats fisher.test: log(ncp) of a non-numeric `or` (dnhyper, 2 x 2 table)"),
    RefusalRule(r"^invalid 'x' type in 'x && y'$", "correct.type", ("chisq_test",),
                source="stats chisq.test: correct && nrow(x) == 2L"),
)


def r_kind(message: str, function: str | None = None) -> str:
    """The refusal kind of an R error message (:data:`UNMAPPED` if unknown)."""
    for rule in R_MESSAGES:
        if rule.matches(message, function):
            return rule.kind
    return UNMAPPED


def refusal_kind(exc: BaseException, function: str | None = None) -> str | None:
    """The refusal kind of an engine's exception: its ``kind`` (pyimpl, plugins),
    R's message through the table (rbridge), or None when the exception is not a
    refusal of the input (a bug, R missing, a parity mismatch)."""
    if isinstance(exc, RError):
        return r_kind(exc.r_message, function)
    if isinstance(exc, RParityError):
        kind = getattr(exc, "kind", None)
        return kind if isinstance(kind, str) and kind else None
    return None


def is_refusal(kind: str | None) -> bool:
    return kind is not None and (kind in KINDS or kind == UNMAPPED)


def _check_table() -> None:
    for rule in R_MESSAGES:
        if rule.kind not in KINDS:  # pragma: no cover - caught by the test of this table
            raise ValueError(f"refusal rule {rule.pattern!r} maps to unknown kind {rule.kind!r}")
        re.compile(rule.pattern)


_check_table()
