"""The tolerance table: one entry per compared quantity, in one place.

Keys are ``"<function>.<quantity>"`` where the quantity is a key of the flat
dict a case runner returns (``"survfit.surv"``, ``"survfit.summary.surv"``).
Every quantity a runner returns must have an entry; the comparison refuses to
guess (``KeyError`` naming the missing key), and a test checks the table covers
every case.

Kinds
-----
``exact``
    Identical values (counts, times, labels, match matrices). NaN equals NaN.
``rel``
    ``|a - b| <= rtol * max(|a|, |b|)`` elementwise; where both are within
    ``1e-300`` of 0 the absolute difference is used instead. NaN must meet NaN
    and infinities must be equal.
``pvalue``
    As ``rel``, and two p-values both below 1e-300 agree.
``scaled``
    ``|a - b| <= rtol * max |.|`` with the maximum over the whole vector (each
    column of a matrix), for differences of nearby numbers such as residuals:
    a residual of 1e-12 next to residuals of order 1 is held to 1e-12 * rtol
    absolute, not to its own size.
``warnings``
    The same set of warning messages (whitespace-normalised).

Goals (the contract, ``docs/contract.md``): counts identical; KM, log-rank, Fisher and
chi-square 1e-12 (closed forms, no iteration); glm 1e-10 (IRLS stops at a
relative deviance change of 1e-8, but both engines take the same steps);
Cox 1e-9 (Newton iterates reproduced; R's own eps is 1e-9); balance tables 1e-10.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tolerance", "TOLERANCES", "EXACT", "WARNINGS", "rel", "pvalue", "scaled", "lookup"]


@dataclass(frozen=True)
class Tolerance:
    kind: str  # "exact" | "rel" | "pvalue" | "warnings"
    rtol: float = 0.0
    why: str = ""

    def describe(self) -> str:
        if self.kind in ("exact", "warnings"):
            return "identical" if self.kind == "exact" else "same warnings"
        return f"{self.rtol:.0e}" + {"pvalue": " (p)", "scaled": " (of max)"}.get(self.kind, "")


EXACT = Tolerance("exact", why="counts, times, labels and matchings must be identical")
WARNINGS = Tolerance("warnings", why="the same warnings, R's wording")


def rel(rtol: float, why: str = "") -> Tolerance:
    return Tolerance("rel", rtol, why)


def pvalue(rtol: float, why: str = "") -> Tolerance:
    return Tolerance("pvalue", rtol, why)


def scaled(rtol: float, why: str = "") -> Tolerance:
    return Tolerance("scaled", rtol, why)


KM = rel(1e-12, "closed-form products and sums, replayed in R's order")
P12 = pvalue(1e-12, "p-values of closed-form statistics")

_SURVFIT_ARRAYS = {
    "time": EXACT, "n_risk": EXACT, "n_event": EXACT, "n_censor": EXACT,
    "surv": KM, "std_err": KM, "lower": KM, "upper": KM, "cumhaz": KM, "std_chaz": KM,
}

GLM = rel(1e-10, "IRLS replayed step by step (glm.fit); bit-identical to R on this platform, "
                  "1e-10 allows another BLAS/libm")
BALANCE = rel(1e-10, "closed forms on the distance and the covariates (summary.matchit)")
_BALANCE_COLUMNS = ("means_treated", "means_control", "std_mean_diff", "var_ratio", "ecdf_mean", "ecdf_max",
                    "std_pair_dist")

TOLERANCES: dict[str, Tolerance] = {
    "*.warnings": WARNINGS,
    # survfit
    **{f"survfit.{k}": v for k, v in _SURVFIT_ARRAYS.items()},
    "survfit.n": EXACT,
    "survfit.strata": EXACT,
    "survfit.strata_n": EXACT,
    "survfit.logse": EXACT,
    "survfit.n_enter": EXACT,
    "survfit.influence_surv": KM,
    "survfit.influence_chaz": KM,
    "survfit.influence_ids": EXACT,
    "survfit.start_time": EXACT,
    # survsplit: a data frame (copied values and cut points)
    "survsplit.columns": EXACT,
    "survsplit.rows": EXACT,
    "survsplit.numbers": EXACT,
    "survsplit.labels": EXACT,
    # tmerge: a data frame (copied values and the terms' times and values), counts and names
    "tmerge.columns": EXACT,
    "tmerge.rows": EXACT,
    "tmerge.numbers": EXACT,
    "tmerge.labels": EXACT,
    "tmerge.tcount": EXACT,
    "tmerge.tcount_terms": EXACT,
    "tmerge.names": EXACT,
    "tmerge.events": EXACT,
    "tmerge.censors": EXACT,
    "tmerge.tdcvars": EXACT,
    "tmerge.classes": EXACT,
    **{f"survfit.summary.{k}": v for k, v in _SURVFIT_ARRAYS.items()},
    "survfit.quantile.quantile": EXACT,
    "survfit.quantile.lower": EXACT,
    "survfit.quantile.upper": EXACT,
    "survfit.table.records": EXACT,
    "survfit.table.n_max": EXACT,
    "survfit.table.n_start": EXACT,
    "survfit.table.events": EXACT,
    "survfit.table.rmean": KM,
    "survfit.table.se_rmean": KM,
    "survfit.table.median": EXACT,
    "survfit.table.lcl": EXACT,
    "survfit.table.ucl": EXACT,
    "survfit.summary.strata": EXACT,
    # survdiff
    "survdiff.groups": EXACT,
    "survdiff.n": EXACT,
    "survdiff.obs": KM,
    "survdiff.exp": KM,
    "survdiff.var": KM,
    "survdiff.chisq": KM,
    "survdiff.df": EXACT,
    "survdiff.pvalue": P12,
    # fisher.test / chisq.test
    "fisher_test.pvalue": P12,
    "fisher_test.estimate": rel(1e-12, "conditional MLE by R's own uniroot (zeroin) steps"),
    "fisher_test.conf_int": rel(1e-12, "exact limits by R's own uniroot (zeroin) steps"),
    "chisq_test.statistic": KM,
    "chisq_test.df": EXACT,
    "chisq_test.pvalue": P12,
    "chisq_test.expected": KM,
    "chisq_test.residuals": KM,
    "chisq_test.stdres": KM,
    # glm_logit
    "glm_logit.names": EXACT,
    "glm_logit.coef": GLM,
    "glm_logit.fitted": GLM,
    "glm_logit.linear_predictor": GLM,
    "glm_logit.deviance": GLM,
    "glm_logit.null_deviance": GLM,
    "glm_logit.aic": GLM,
    "glm_logit.iterations": EXACT,
    "glm_logit.converged": EXACT,
    "glm_logit.rank": EXACT,
    # matchit (nearest, glm distance) and summary.matchit
    "matchit.distance": GLM,
    "matchit.focal": EXACT,
    "matchit.match_matrix": EXACT,
    "matchit.subclass": Tolerance("exact", why="subclass partitions (labels canonicalised by the runner)"),
    "matchit.weights": Tolerance("exact", why="weights_matrixC's sums replayed in its order: identical"),
    "matchit.discarded": EXACT,
    "matchit.caliper": GLM,
    "matchit.caliper_covs": rel(1e-12, "calipers on covariates: value x sd(x[!discarded]) (two-pass long-double sd)"),
    "matchit.q_cut": GLM,  # subclassification's cut points: quantiles of the distance
    "matchit.s_weights": Tolerance("exact", why="m$s.weights: the sampling weights as given"),
    "matchit.summary.rows": EXACT,
    **{f"matchit.summary.{t}.{c}": BALANCE for t in ("all", "matched") for c in _BALANCE_COLUMNS},
    "matchit.summary.nn.all": EXACT,
    "matchit.summary.nn.matched": EXACT,
    "matchit.summary.nn.unmatched": EXACT,
    "matchit.summary.nn.discarded": EXACT,
    "matchit.summary.nn.all_ess": rel(1e-12, "(sum w)^2 / sum w^2"),
    "matchit.summary.nn.matched_ess": rel(1e-12, "(sum w)^2 / sum w^2"),
    # match.data(m): the matched rows, their weights, distances and subclasses
    "matchit.match_data.rows": EXACT,
    "matchit.match_data.distance": GLM,
    "matchit.match_data.weights": Tolerance("exact", why="the match's weights, row by row"),
    "matchit.match_data.subclass": Tolerance("exact", why="subclass partition of the matched rows"),
}


COX = rel(1e-9, "Newton iterates reproduced from R's start, steps and convergence test "
                "(coxph.control eps = 1e-9); measured agreement ~1e-15")
COX_P = pvalue(1e-9, "p-values of the Cox statistics (statistics agree to ~1e-13; pchisq to ~3e-14)")
COX_SUM = rel(1e-12, "closed-form sums over the data (column means, weighted pair counts)")
COX_RESID = scaled(1e-9, "residuals are differences of nearby numbers (x - risk-set mean, status - "
                          "expected): held to 1e-9 of the largest residual of their column, each engine "
                          "computing from its own coefficients; measured ~1e-15")
_COX_TESTS = ("score_test", "wald_test", "lr_test", "robust_score_test")

TOLERANCES.update({
    # coxph
    "coxph.names": EXACT,
    "coxph.coef": COX,
    "coxph.se": COX,
    "coxph.var": COX,
    "coxph.naive_var": COX,
    "coxph.loglik": COX,
    "coxph.means": COX_SUM,
    "coxph.iterations": EXACT,
    "coxph.n": EXACT,
    "coxph.nevent": EXACT,
    "coxph.n_dropped": EXACT,
    **{f"coxph.{t}.statistic": COX for t in _COX_TESTS},
    **{f"coxph.{t}.df": EXACT for t in _COX_TESTS},
    **{f"coxph.{t}.pvalue": COX_P for t in _COX_TESTS},
    **{f"coxph.summary.{k}": COX for k in ("coef", "exp_coef", "se", "robust_se", "z", "lower", "upper")},
    "coxph.summary.p": COX_P,
    "coxph.summary.refused": EXACT,  # the refusal kind of summary() where R has no summary.coxph (bare-list fits)
    "coxph.concordance.c": COX,
    "coxph.concordance.std": COX,
    **{f"coxph.concordance.{k}": COX_SUM for k in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy")},
    "coxph.coef_infinite": rel(1e-6, "monotone likelihood: the diverging coefficient is a point on a flat "
                                     "ridge where R's iteration stops; reported, not a parity criterion "
                                     "(measured ~2e-8)"),
    # cox.zph
    "cox_zph.terms": EXACT,
    "cox_zph.chisq": COX,
    "cox_zph.df": EXACT,
    "cox_zph.p": COX_P,
    # residuals(fit, type=) and predict(fit, type=)
    "coxph_residuals.values": COX_RESID,
    "coxph_residuals.columns": EXACT,
    "coxph_residuals.time": rel(1e-14, "event times; R's come back as row names (15 significant digits)"),
    "coxph_residuals.strata": EXACT,
    "coxph_residuals.groups": EXACT,
    "coxph_predict.values": scaled(1e-9, "linear predictors are centred (near 0 for a row near the means): "
                                         "held to 1e-9 of the largest of their column"),
    "coxph_predict.se": COX,
    "coxph_predict.columns": EXACT,
    "coxph_predict.constant": COX,
    "coxph_predict.groups": EXACT,
    # survfit(fit, newdata=): predicted curves
    "survfit_cox.time": EXACT,
    **{f"survfit_cox.{k}": COX_SUM for k in ("n_risk", "n_event", "n_censor")},
    **{f"survfit_cox.{k}": COX for k in ("surv", "cumhaz", "std_err", "lower", "upper")},
    "survfit_cox.strata": EXACT,
    "survfit_cox.n": EXACT,
    "survfit_cox.curves": EXACT,
    "survfit_cox.conf_type": EXACT,
    "survfit_cox.start_time": EXACT,
    # coxph.detail(fit)
    "coxph_detail.time": EXACT,
    "coxph_detail.riskmat": EXACT,
    "coxph_detail.sortorder": EXACT,
    "coxph_detail.nevent": EXACT,
    "coxph_detail.nrisk": EXACT,
    "coxph_detail.hazard": COX,
    "coxph_detail.varhaz": COX,
    "coxph_detail.means": scaled(1e-9, "risk-set means (near 0 for a centred covariate): held to 1e-9 of their "
                                       "column's largest"),
    "coxph_detail.score": COX_RESID,
    "coxph_detail.imat": scaled(1e-9, "information contributions, differences of nearby sums"),
    "coxph_detail.strata": EXACT,
    # anova(fit) / anova(fit1, fit2, ...)
    "coxph_anova.rows": EXACT,
    "coxph_anova.loglik": COX,
    "coxph_anova.chisq": scaled(1e-9, "twice a difference of log-likelihoods: held to 1e-9 of the largest "
                                      "chi-square of the table (a term that adds nothing is 0 up to rounding)"),
    "coxph_anova.df": EXACT,
    "coxph_anova.pvalue": COX_P,
    # basehaz
    "basehaz.time": EXACT,
    "basehaz.hazard": COX,
    "basehaz.strata": EXACT,
    # concordance(fit)
    "concordance.c": COX,
    "concordance.std": COX,
    "concordance.n": EXACT,
    **{f"concordance.{k}": COX_SUM for k in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy")},
    "concordance.count_strata": COX_SUM,
    "concordance.influence": COX_SUM,
    "concordance.dfbeta": COX_RESID,
    "concordance.ranks": COX,
    "concordance.var": COX,  # several fits: the covariance of their C statistics
    "concordance.counts": COX_SUM,
    "concordance.ranks_strata": EXACT,
})

# The study pipeline (rparity.study): numbers it computes itself from the cohort, with the
# same code whatever the engine; they differ only when their inputs (the matched sample,
# the p-values the selection rule reads) differ.
TOLERANCES.update({
    "study.count": Tolerance("exact", why="counts of patients and events, computed by the study pipeline "
                                          "from the cohort: identical"),
    "study.selection": Tolerance("exact", why="the multivariable selection rule applied by the study pipeline "
                                              "(the variables and the reasons): identical"),
    # the SPSS 21 profile (rparity.study.profile_spss)
    "study.crosstab": Tolerance("exact", why="likelihood-ratio (G) and linear-by-linear statistics computed by the "
                                             "study pipeline from the table counts, same code in every engine"),
    "study.spss_km": rel(1e-12, "SPSS's means-and-medians formulas (pyimpl.survival.spss_km) applied to each "
                                "engine's Kaplan-Meier fit (whose arrays agree to KM's tolerance)"),
})


# clogit is a coxph fit (of clogit.R's rewritten call): the same quantities, the same tolerances
TOLERANCES.update({"clogit." + k[len("coxph."):]: v for k, v in list(TOLERANCES.items()) if k.startswith("coxph.")})
TOLERANCES["clogit.martingale"] = TOLERANCES["coxph_residuals.values"]


# survreg: Newton-Raphson (survreg6.c, rel.tolerance 1e-9) replayed from R's own starting values, with R's
# long-double sums and reference-BLAS orders: bit-identical to R on lung/ovarian for the built-in distributions
# (extreme value, logistic, Gaussian and their log-time forms); the t distribution's pt/dt come from scipy
# (measured 5e-15 relative on the fit, 2e-14 on its quantiles: scipy's qt); the Gaussian's pnorm/dnorm are R's
# nmath ported (pyimpl.matching.links). Interval and left-censored data: identical for the built-in distributions.
# 1e-9 (R's convergence criterion) allows another libm/BLAS.
SURVREG = rel(1e-9, "Newton iterates reproduced from R's start, steps and halving (survreg.control "
                    "rel.tolerance = 1e-9); measured: identical to R for the built-in distributions, ~1e-15 for t")
TOLERANCES.update({
    "survreg.names": EXACT, "survreg.scale_names": EXACT, "survreg.dist": EXACT, "survreg.iterations": EXACT,
    "survreg.df": EXACT, "survreg.idf": EXACT, "survreg.n": EXACT, "survreg.n_dropped": EXACT,
    "survreg.df_residual": EXACT,
    "survreg.coef": SURVREG, "survreg.scale": SURVREG, "survreg.var": SURVREG, "survreg.naive_var": SURVREG,
    "survreg.loglik": SURVREG,
    "survreg.icoef": SURVREG, "survreg.linear_predictors": SURVREG,
    "survreg.means": rel(1e-12, "column means of the model matrix (R's two-pass long-double mean)"),
    # predict(<survreg>): closed forms on the fit's coefficients and variance
    "survreg_predict.fit": SURVREG, "survreg_predict.se_fit": SURVREG, "survreg_predict.columns": EXACT,
    # residuals(<survreg>): R's expressions on the fit (deriv matrix, score %*% var, rowsum); measured: identical
    # to R for the built-in distributions, interval and left-censored data included; t: ~1e-12 (the fit's ulps)
    "survreg_residuals.values": SURVREG, "survreg_residuals.columns": EXACT, "survreg_residuals.groups": EXACT,
})

# survfit_ms: survfitci.c's Aalen-Johansen loop replayed sum for sum (sequential, multiply then add): measured
# bit-identical to R (pbc, with groups, fractional weights, every conf.type); 1e-12 allows another libm for the
# confidence limits' log/exp
AJ = rel(1e-12, "the Aalen-Johansen products and the jackknife sums replayed in survfitci.c's order; measured: "
                "identical to R")
TOLERANCES.update({
    **{f"survfit_ms.{k}": EXACT for k in ("states", "time", "n_risk", "n_event", "n_censor", "cumhaz_names",
                                          "transitions", "transitions_from", "transitions_to", "n", "strata",
                                          "strata_n", "start_time")},
    **{f"survfit_ms.{k}": AJ for k in ("pstate", "std_err", "lower", "upper", "cumhaz", "p0", "sp0",
                                       "influence_pstate")},
    "survfit_ms.influence_ids": EXACT,
})

# finegray: finegray.R/finegray.c replayed (the censoring curve is survfitKM's, pyimpl's at parity); the Fine-Gray
# model is coxph on the engine's own finegray data
TOLERANCES.update({
    **{f"finegray.{k}": EXACT for k in ("columns", "rows", "numbers", "labels", "event")},
    "finegray.weights": KM,
    "finegray.cox.coef": COX, "finegray.cox.var": COX, "finegray.cox.loglik": COX,
})

# svycoxph (survey 4.1-1): coxph on rescaled weights (COX), the design variance from its weighted dfbeta
# residuals (onestrat's rowsum, centring, dsyrk order): measured 6e-16 relative
SVY = rel(1e-12, "the design-based variance: cluster totals of the weighted dfbeta residuals, centred and summed in "
                 "survey's order (measured 6e-16)")
TOLERANCES.update({
    **{f"svycoxph.{k}": EXACT for k in ("names", "n", "n_clusters", "n_strata")},
    "svycoxph.coef": COX, "svycoxph.inv_info": COX, "svycoxph.loglik": COX,
    "svycoxph.var": SVY, "svycoxph.wald": SVY,
})

# svykm, svylogrank, svyglm (survey 4.1-1): svykm.fit's and km.stderr's sums, svyrecvar, glm.fit's IRLS (LINPACK QR),
# chol2inv (reference dtrti2/dlauu2), the dgemm sandwich, svyvar, and the log-rank score residuals all replayed in R's
# order; measured over the cases and ~100 random designs: every value identical to R (difference 0) except the
# p-values from scipy's t, chi-square (and normal) distributions, within 2e-14 relative of R's pt/pchisq
SVY_EXACT = rel(1e-12, "survey's sums replayed in R's order; measured: identical to R")
SVY_P = pvalue(1e-12, "scipy's pt/pchisq against R's (measured 2e-14)")
TOLERANCES.update({
    **{f"svykm.{k}": EXACT for k in ("groups", "lengths", "time", "n_dropped")},
    "svykm.surv": SVY_EXACT, "svykm.varlog": SVY_EXACT,
    "svylogrank.df": EXACT,
    **{f"svylogrank.{k}": SVY_EXACT for k in ("score", "se", "z", "chisq")},
    "svylogrank.p": SVY_P, "svylogrank.p_chisq": SVY_P,
    **{f"svyglm.{k}": EXACT for k in ("names", "iter", "n", "df_residual")},
    **{f"svyglm.{k}": SVY_EXACT for k in ("coef", "var", "naive_cov", "se", "t", "dispersion", "dispersion_var",
                                           "deviance", "null_deviance", "fitted")},
    "svyglm.p": SVY_P,
})

# matching_match (Matching 4.10-8 Match): MatchLoopCfast, EstFuncC, VarCalcMatchC and Match's sums replayed in their
# order (R's long-double sum, reference dgemv/dgemm/dpotrf2/dgetrf2); measured: every quantity of the 18 cases and of
# ~100 random small data sets bit-identical to R (max difference 0)
MATCH_AI = rel(1e-12, "Match's estimate and Abadie-Imbens variance replayed in R's order; measured: identical to R")
TOLERANCES.update({
    **{f"matching_match.{k}": EXACT for k in ("matched", "index_treated", "index_control", "weights", "index_dropped",
                                              "orig_nobs", "orig_wnobs", "orig_treated_nobs", "nobs", "wnobs",
                                              "ndrops", "ndrops_matches", "caliper", "estimand", "version")},
    **{f"matching_match.{k}": MATCH_AI for k in ("est", "se", "est_noadj", "se_standard", "se_cond", "ecaliper")},
})

# cuminc (cmprsk 2.2-11): cinc/crst's Fortran replayed operation for operation; measured: curves and Gray's statistic
# identical to R on 160 datasets, p-values 1.1e-15 (scipy's chdtr for pchisq)
CINC = rel(1e-12, "cinc.f and crstm.f replayed in their order; measured: identical to R")
TOLERANCES.update({
    **{f"cuminc.{k}": EXACT for k in ("names", "lengths", "time", "df", "causes", "n_omitted")},
    "cuminc.est": CINC, "cuminc.var": CINC, "cuminc.stat": CINC,
    "cuminc.pv": pvalue(1e-12, "1 - pchisq(stat, df) (measured 1.1e-15 absolute: scipy's chdtr)"),
})

# crr (cmprsk 2.2-11): crr.f's crrfsv/crrf/crrvv/crrsr/crrfit with every sum in the Fortran's order, C-library
# exp/log, reference LAPACK dgetrf2 for solve() and dgemm's loop order for %*%; measured: every quantity identical
# to R (max difference 0) on the 14 cases and on 60 random data sets (tests/survival/test_crr.py)
CRR = rel(1e-12, "crr.f replayed in its order; measured: identical to R")
TOLERANCES.update({
    **{f"crr.{k}": EXACT for k in ("names", "uftime", "converged", "n", "n_missing", "messages")},
    **{f"crr.{k}": CRR for k in ("coef", "loglik", "score", "inf", "var", "res", "bfitj", "tfs", "loglik_null",
                                 "invinf")},
    **{f"crr.summary.{k}": CRR for k in ("coef", "exp(coef)", "se(coef)", "z", "exp(-coef)", "2.5%", "97.5%")},
    "crr.summary.p-value": pvalue(1e-12, "signif(2 (1 - pnorm(|z|)), 2) (scipy's ndtr for pnorm; measured identical)"),
    "crr.predict.time": EXACT, "crr.predict.cif": CRR,
})

# ps_weights / weighted_balance: R's glm score (glm.fit replayed) and closed-form weights and balance, the same
# operations in rbridge/R/weighting.R; measured: identical to R (every link, estimand, stabilisation and trimming)
IPW = rel(1e-10, "weights are closed forms of the glm score (GLM); measured: identical to R")
TOLERANCES.update({
    "ps_weights.ps": GLM, "ps_weights.coef": GLM, "ps_weights.weights": IPW,
    "ps_weights.ess_treated": IPW, "ps_weights.ess_control": IPW,
    "ps_weights.n_treated": EXACT, "ps_weights.n_control": EXACT,
    "weighted_balance.rows": EXACT, "weighted_balance.binary": EXACT,
    **{f"weighted_balance.{k}": BALANCE for k in ("means_treated", "means_control", "std_mean_diff", "var_ratio",
                                                   "means_treated_un", "means_control_un", "std_mean_diff_un",
                                                   "var_ratio_un", "sd_denom")},
})


def lookup(function: str, quantity: str) -> Tolerance:
    """The tolerance of ``function.quantity``; ``warnings`` share one entry."""
    if quantity == "warnings":
        return TOLERANCES["*.warnings"]
    key = f"{function}.{quantity}"
    try:
        return TOLERANCES[key]
    except KeyError:
        raise KeyError(f"no tolerance for {key!r}: add it to rparity/tolerance.py") from None
