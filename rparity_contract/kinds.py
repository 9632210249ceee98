"""Refusal kinds: which argument an engine refused, and why, as a short code.

``<argument>.<problem>``; the argument is the contract's name (``event``,
``weights``, ``X``, ``table``...), or the computation that failed (``solve``,
``match``). Two engines that both refuse an input agree only when their kinds
are equal. pyimpl raises :class:`~rparity_contract.errors.InvalidArgument`
with one of these; the harness maps R's messages to them
(:mod:`rparity.refusals`). A test checks that every kind either side uses is
listed here.
"""
from __future__ import annotations

__all__ = ["KINDS", "UNMAPPED", "is_kind"]

#: An R message the harness's table does not know: never equal to a kind of
#: pyimpl's, so such a refusal always shows as a divergence (with R's message).
UNMAPPED = "r.unmapped"

KINDS: dict[str, str] = {
    # any array argument
    "argument.type": "an argument of a type the engine cannot read (not convertible)",
    "argument.shape": "an argument of the wrong shape (2-D where 1-D is needed, or empty)",
    "lengths": "arguments that must have one value per row have different lengths",
    "data.empty": "no observations left (every row missing, or none given)",
    "data.one_subject": "a single observation with an event, where R's coxph fails (its concordance)",
    "argument.missing": "a missing value where the engine refuses one (R drops such rows)",
    "argument.value": "an option value the engine does not take",
    # times and events
    "time.type": "time is not numeric",
    "time.nonfinite": "time has an infinite value",
    "time.interval": "a (start, stop] interval of effective length 0 once near-equal times are made equal",
    "time.negative": "time has a negative value (an engine's own limit: R's right-censored Surv accepts it)",
    "event.type": "event is not numeric or logical",
    "event.multistate": "a factor status: R's Surv() makes it multi-state data (type 'mright'), not in the contract",
    "event.states": "a factor status whose states R cannot use: a blank state name, or no state besides censoring",
    "etype.value": "a finegray endpoint that is not a state of the status",
    "ids.nesting": "survey clusters that are not nested in the strata",
    "strata.lonely": "a survey stratum with one cluster (survey.lonely.psu = 'fail')",
    "p0.value": "initial state probabilities of the wrong length, or not adding to 1",
    "id.missing": "(start, stop] multi-state data without subject ids (R requires them)",
    "data.survcheck": "multi-state data survcheck flags (overlapping intervals of an id, a gap, an istate other than "
                      "the state the previous row ended in): survfitCI refuses them",
    "event.none": "no event in the data, where R answers (a peer library refuses it: scikit-survival's 'all samples "
                  "are censored')",
    "event.values": "event has values that are not a status code R reads (0/1, 1/2, FALSE/TRUE)",
    "time.nonpositive": "a time of 0 or below where the distribution fits log(time) (survreg's weibull, lognormal...)",
    # survreg
    "dist.value": "a survreg distribution R does not have (or an ambiguous prefix of several)",
    "scale.value": "a negative or non-numeric survreg scale",
    "scale.strata": "a fixed survreg scale together with strata (one scale per stratum)",
    "parms.value": "survreg parms the distribution does not take, or a t distribution with df <= 2",
    "robust.strata_interaction": "a robust survreg variance (a cluster, or robust = TRUE) with strata() only inside "
                                 "interactions (age:strata(sex)): R's residuals(fit, 'dfbeta') then has an "
                                 "intercept-only model matrix (score %*% vv: non-conformable arguments)",
    # weights
    "weights.type": "weights are not numeric",
    "weights.nonfinite": "weights have an infinite or missing value",
    "weights.negative": "weights have a negative value",
    "weights.nonpositive": "weights have a zero or negative value where R needs them positive",
    "weights.exact": "case weights with ties='exact'",
    # groups and strata
    "group.levels": "fewer distinct groups than the test needs",
    "group.empty": "a factor level of the grouping variable without rows (survey's svykm then makes curves of "
                   "mismatched lengths)",
    "group.type": "group labels of mixed or unsupported types",
    "strata.type": "strata labels of mixed or unsupported types",
    "cluster.missing": "a robust variance of (start, stop] data asked for without a cluster",
    "cluster.single": "a single cluster where the robust variance needs several",
    # options
    "conf_type.value": "conf_type is not one of R's conf.type values",
    "conf_lower.value": "conf_lower is not one of R's conf.lower values",
    "conf_int.value": "conf_int is not a level strictly between 0 and 1",
    "rho.value": "rho is not a finite number",
    "cut.value": "survSplit's cut is not finite numbers",
    "zero.value": "survSplit's zero is not before every time",
    "name.value": "a new column's name (survSplit's id, episode, start...) that is not a string or already a column",
    "id.value": "survfit(fit, newdata, id=) where R refuses it: no newdata, a fit not of (start, stop] data, "
                "newdata's response of another type, a model without covariates",
    # tmerge
    "tmerge.arguments": "a tmerge call without what it needs: a term without a name or not tdc/cumtdc/event/cumevent, "
                        "tstart/tstop after the first call, no tstop and no first event",
    "tmerge.options": "a tmerge option that is unknown or invalid",
    "tmerge.id": "tmerge's id: not a column, missing values, duplicated in the first data1, or ids of one data set "
                 "that the other lacks when the first call sets the span",
    "tmerge.span": "the first call's follow-up: a missing end, tstart >= tstop, an end <= 0 with the default start, "
                   "overlapping intervals for one id",
    "tmerge.term": "a tmerge term whose values do not fit: another length than data2, a type that does not match the "
                   "column it updates, a non-numeric cumulative increment or initial value",
    "tmerge.modified": "a tmerge result whose id, tstart or tstop column is gone, or renamed by options, when a "
                       "term needs it",
    "times.none": "no requested time is within the follow-up (summary without extend)",
    "probs.value": "probs outside [0, 1]",
    "ties.value": "ties is not one of efron, breslow, exact",
    "ties.exact_size": "more tied deaths at one time than the exact likelihood handles",
    "robust.type": "robust is not TRUE/FALSE",
    "influence.value": "influence is not TRUE/FALSE or one of 0, 1, 2, 3",
    "keepstrata.value": "keepstrata is neither logical nor numeric",
    "reverse.type": "reverse is not TRUE/FALSE",
    "weights.value": "fits compared together whose case weights differ",
    "cluster.value": "fits compared together whose clusters differ",
    "timewt.value": "timewt is not one of concordance's time weightings",
    "formula.terms": "a formula with more predictor columns than the function takes (concordance: one)",
    "formula.arguments": "a function of the formula's own called with arguments it does not take, or without one",
    "start_time.value": "start_time is not a number, or is after every time (survival 3.5-3 crashes on that)",
    "robust.exact": "a robust variance with ties='exact'",
    "init.type": "init is not numeric",
    "init.length": "init does not have one value per coefficient",
    "init.nonfinite": "init has a missing or infinite value",
    "init.overflow": "init makes exp(risk score) overflow or underflow",
    "control.type": "control is not a CoxControl",
    "control.value": "a coxph.control setting R refuses (iterations, eps, toler.inf)",
    "nocenter.type": "nocenter is not numeric",
    "centered.type": "centered is not TRUE/FALSE",
    "transform.value": "an unknown cox.zph transform",
    "type.value": "an unknown residual or prediction type (R's match.arg)",
    "reference.value": "an unknown predict reference (R's match.arg)",
    "residuals.exact": "score, dfbeta or Schoenfeld residuals of a fit with ties='exact'",
    "residuals.null": "score or Schoenfeld residuals of the null model (no covariates)",
    "residuals.one_event": "scaled Schoenfeld residuals of one event and several coefficients, where R fails",
    "collapse.length": "a collapse vector with not one value per row of the fit",
    "terms.value": "a term name not in the model",
    "weighted.type": "weighted is not TRUE/FALSE",
    "se_fit.type": "se_fit is not TRUE/FALSE",
    "newdata.type": "newdata that is not a data frame",
    "newdata.column": "newdata without a column the model reads",
    "newdata.level": "newdata with a factor level the fit never saw",
    "newdata.strata": "newdata with a stratum the fit does not have",
    "newdata.expected": "expected events or survival for newdata of an array-form fit (pyimpl: no response to read)",
    "newdata.offset": "newdata for an array-form fit with an offset (pyimpl: not implemented)",
    "stype.value": "stype not 1 or 2",
    "ctype.value": "ctype not 1 or 2",
    "censor.type": "censor is not TRUE/FALSE",
    "anova.robust": "an anova table of a fit with a robust variance",
    "anova.offset": "an anova table of a fit with an offset and no strata, where R fails (offet)",
    "anova.null": "an anova table of the null model, where R fails",
    "anova.ties": "fits compared by anova with different ties methods",
    "anova.rows": "fits compared by anova on different numbers of rows",
    "riskmat.type": "coxph.detail's riskmat is not TRUE/FALSE",
    "rorder.value": "coxph.detail's rorder is not 'data' or 'time'",
    "detail.method": "coxph.detail of a fit with ties='exact'",
    "detail.null": "coxph.detail of the null model, where R fails",
    "detail.one_time": "coxph.detail of one event time and several coefficients, where R fails",
    "predict.null": "se or terms predicted from the null model (no covariates), where R fails",
    "fit.type": "a derived function given something that is not a fit of the right kind",
    "residuals.rows": "residuals of a survreg fit whose cluster= argument dropped rows: R rebuilds the model frame "
                      "without it, so its rows no longer match the fit (R warns and returns misaligned values)",
    "fit.unclassed": "a derived function of a ties='exact' fit of (start, stop] data, which R returns without "
                     "the class 'coxph'",
    "fit.no_events": "a derived function that needs events and covariates given a fit without either "
                     "(R: 'no score residuals for a Null model')",
    # formulas (rparity_contract.formula)
    "formula.syntax": "a formula that is not R formula syntax this interface reads",
    "formula.function": "a formula calling a function the interface does not know",
    "formula.value": "a formula function given an argument it refuses (poly(): NA, degree not below the "
                     "distinct values)",
    "formula.special": "a survival special (strata, cluster, offset, Surv) used where R does not take it",
    "formula.response": "a formula whose response is not what the function needs (Surv() for survival)",
    "ymin.value": "concordance's ymin is not one number, or is above a censored time",
    "ymax.value": "concordance's ymax is not one number",
    "offset.value": "a one-sample survdiff whose offset() is not a survival probability",
    "offset.nonfinite": "an offset whose exp is not finite (R: 'offsets must lead to a finite risk score')",
    "formula.groups": "a survfit formula with groups or (start, stop] data: the contract's SurvFit is one curve",
    "subset.value": "subset is not a logical or row-number vector of the data, or an expression",
    # covariates and model frames
    "X.type": "a covariate of a type R cannot put in a model matrix",
    "X.nonfinite": "a covariate with an infinite value",
    "X.levels": "a factor covariate with fewer than two levels",
    "X.names": "covariate names that are not unique",
    "X.missing": "no covariate at all where the function needs one (crr without cov1 and cov2)",
    "tf.missing": "crr's time-varying covariates cov2 without the time functions tf",
    "tf.shape": "crr's tf(times) is not one row per time and one column per cov2 column",
    "X.singular": "a redundant covariate with singular_ok=False",
    "y.type": "the response is not numeric, logical or a factor",
    "y.values": "the response has values outside [0, 1]",
    # numerical failures R also stops on
    "solve.singular": "a linear system that is exactly singular (LAPACK dgesv)",
    "solve.ill_conditioned": "a linear system that is computationally singular (reciprocal condition number)",
    "exact.nonfinite": "coxexact.fit meets a non-finite value: a constant covariate scaled by its zero sd, or "
                       "a diverged fit whose risk scores overflow (R's one message for both)",
    "wald.nonfinite": "the Wald test of non-finite coefficients or variances",
    # matching
    "data.type": "data is not a data frame",
    "data.index": "data has duplicated row labels",
    "data.column": "treat, a covariate or an exact variable names a column data does not have",
    "treat.column": "treat is not a column name",
    "treat.binary": "the treatment does not have exactly two values",
    "treat.missing": "the treatment has a missing value",
    "treat.values": "the treatment is not coded as the propensity glm needs it (0/1, logical or a factor)",
    "covariates.column": "covariates is not a column name or a list of them",
    "covariates.treat": "the treatment among the covariates",
    "covariates.empty": "no covariate where the method needs one (exact matching)",
    "method.value": "a matching method the engine does not have",
    "cutpoints.value": "a cem binning that is not a method name, a number of bins or cut points",
    "subclass.value": "subclass is not a number > 1 or a vector of quantiles in [0, 1]",
    "subclass.min_n": "min.n is not a number, or too few units of a group for min.n in every subclass",
    "covariates.missing": "a covariate with missing or non-finite values",
    "exact.column": "exact is not a column name or a non-empty list of them",
    "distance.value": "distance is neither 'glm' nor one value per row",
    "link.value": "an unknown link",
    "estimand.value": "an estimand the method does not support",
    "stabilize.estimand": "stabilised weights asked for with an estimand other than ATE (WeightIt refuses it)",
    "trim.value": "a trimming point that is neither a quantile in (0.5, 1) nor a whole number >= 1",
    "weights.arm": "inverse-probability weights that are zero for every unit of an arm",
    "ratio.value": "ratio is not a whole number >= 1",
    "replace.type": "replace is not TRUE/FALSE",
    "std_caliper.type": "std_caliper is not TRUE/FALSE",
    "caliper.value": "caliper is not a non-negative number",
    "caliper.binary": "a caliper on a binary or factor variable",
    "mahvars.distance": "mahvars with a distance that is not a propensity score (distance = 'mahalanobis'...)",
    "mahvars.column": "mahvars is not a column name or a list of them",
    "antiexact.column": "antiexact is not a column name or a list of them",
    "s_weights.type": "s.weights neither numbers nor the name of one numeric column of data",
    "s_weights.missing": "s.weights with a missing value",
    "s_weights.length": "s.weights not one value per row of data",
    "s_weights.value": "s.weights that leave a treatment group without a weighted mean (all zero, or infinite) "
                       "where MatchIt weights the Mahalanobis covariance (cov.wt)",
    "unit_id.type": "unit.id is not a column name or a list of them",
    "m_order.value": "an unknown m.order",
    "discard.value": "an unknown discard option",
    "seed.value": "seed is not an integer R's set.seed takes",
    "compat.value": "an unknown compat mode",
    "compat.failure": "the emulated MatchIt build itself fails on this input",
    "glm.fit": "R's glm.fit stops: no valid coefficients or starting values (a log link leaving (0, 1))",
    "compat.option": "an option the asked MatchIt version does not have (3.0.2: estimand, std_caliper)",
    "seed.missing": "no seed where the engine must draw at random as R does (MatchIt 3.0.2; Match breaking a tie "
                    "with ties=FALSE)",
    "sample_kind.value": "a sampler R's RNGkind(sample.kind=) does not have (Rounding, Rejection)",
    "data.missing": "a missing value anywhere in the data, which MatchIt 3.0.2 refuses",
    "match.none": "no unit could be matched",
    "match.no_treated": "no treated unit was matched",
    "match.no_control": "no control unit was matched",
    "match_data.name": "match.data would overwrite a column of data",
    "match_data.no_data": "the match carries no data",
    # contingency tables
    "table.shape": "the table is not 2-D with at least 2 rows and 2 columns",
    "table.type": "the table is not numeric",
    "table.values": "the table has negative, non-integer or non-finite counts",
    "table.zero": "the table has no positive count",
    "table.too_large": "counts too large for the test's integer arithmetic",
    "alternative.value": "an unknown alternative",
    "conf_level.value": "conf_level is not strictly between 0 and 1",
    "conf_int.type": "conf_int is not TRUE/FALSE",
    "or.value": "or is not a single number in [0, Inf]",
    "correct.type": "correct is not TRUE/FALSE",
    "fisher.workspace": "the network algorithm ran out of its workspace or time limit",
}


def is_kind(kind: object) -> bool:
    """Whether ``kind`` is a listed refusal kind (or the unmapped-R marker)."""
    return isinstance(kind, str) and (kind in KINDS or kind == UNMAPPED)
