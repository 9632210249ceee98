## survival: Cox model, its summary, concordance, cox.zph, basehaz, residuals, predict, survfit.
## The covariates arrive as a list of vectors named x1..xp (numeric, logical,
## factor, character: whatever the caller had), time, event, w, stratum, cl
## as vectors; they become variables of a fresh environment and the formula
## is built from those fixed names only: Surv(time, event) ~ x1 + ... + xp
## [+ strata(stratum)], or ~ 1 without covariates.

## coxph's options on a call (ties=, robust=, init=, control=, nocenter=, singular.ok=)
rparity_cox_options <- function(cl, ties, robust, init, control, nocenter, singular_ok, na_action = NULL, id = NULL) {
  cl$ties <- ties
  if (!is.null(na_action)) cl$na.action <- na_action  # a name: "na.exclude"
  if (!is.null(robust)) cl$robust <- robust
  if (!is.null(init)) cl$init <- init
  if (!is.null(control)) cl$control <- if (is.list(control)) do.call(survival::coxph.control, control) else control
  cl$nocenter <- nocenter
  if (!is.null(singular_ok)) cl$singular.ok <- singular_ok
  cl
}

rparity_cox_fitobj <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                               nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL) {
  if (!is.null(form))
    return(rparity_cox_formula_fitobj(form, weights, cluster, ties, robust, init, control, nocenter, singular_ok,
                                      na_action, id))
  vars <- c(as.list(x), list(time = time, event = event, w = weights, stratum = strata, cl = cluster, .rp_id = id))
  env <- rparity_env(vars)
  rhs <- rparity_rhs(names(x))
  if (!is.null(strata)) rhs <- call("+", rhs, quote(strata(stratum)))
  if (identical(rhs, 1) && !is.null(strata)) rhs <- quote(strata(stratum))
  env$formula <- eval(call("~", rparity_surv(event), rhs), env)
  cl <- quote(coxph(formula))
  if (!is.null(weights)) cl$weights <- quote(w)
  if (!is.null(cluster)) cl$cluster <- quote(cl)
  if (!is.null(id)) cl$id <- quote(.rp_id)
  rparity_one_state(eval(rparity_cox_options(cl, ties, robust, init, control, nocenter, singular_ok, na_action), env))
}

## The formula form: `form` holds the formula as data (`tree`: nodes built
## into a language object by rparity_lang, with placeholder names v1..vk), the
## data columns under those names, and `subset` (a vector, or a `subset_tree`).
## R's coxph then does everything itself: terms, model frame, model matrix.
rparity_cox_formula_fitobj <- function(form, weights, cluster, ties, robust, init, control, nocenter,
                                       singular_ok, na_action = NULL, id = NULL) {
  fc <- rparity_formula_call("coxph", form, list(.rp_w = weights, .rp_cl = cluster, .rp_id = id))
  cl <- fc$call
  env <- fc$env
  if (!is.null(weights)) cl$weights <- quote(.rp_w)
  if (!is.null(cluster)) cl$cluster <- quote(.rp_cl)
  if (!is.null(id)) cl$id <- quote(.rp_id)
  rparity_one_state(eval(rparity_cox_options(cl, ties, robust, init, control, nocenter, singular_ok, na_action), env))
}

rparity_coxph <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                          singular_ok, form = NULL, na_action = NULL, id = NULL) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form, na_action, id)
  rparity_cox_result(fit)
}

## survival::clogit on the formula form: R rewrites the call itself and fits its coxph
rparity_clogit <- function(form, weights, method, init = NULL, control = NULL) {
  fc <- rparity_formula_call("clogit", form, list(.rp_w = weights))
  cl <- fc$call
  env <- fc$env
  if (!is.null(weights)) cl$weights <- quote(.rp_w)
  cl$method <- method
  if (!is.null(init)) cl$init <- init
  if (!is.null(control)) cl$control <- do.call(survival::coxph.control, control)
  fit <- eval(cl, env)  # forced here: its warnings are clogit's and coxph's (not under summary's suppressWarnings)
  rparity_cox_result(fit)
}

rparity_cox_result <- function(fit) {
  # only coxph's own warnings are reported. ties = "exact" on (start, stop] data: survival 3.5-3's
  # agexact.fit returns a list without the class "coxph" (summary() would be summary.default's):
  # its tests are summary.coxph's own code on that list
  s <- suppressWarnings(if (inherits(fit, "coxph")) summary(fit) else survival:::summary.coxph(fit))
  conc <- fit$concordance
  test <- function(t) if (is.null(t)) NULL else unname(t[seq_len(min(3L, length(t)))])
  list(coef = unname(fit$coefficients), names = names(fit$coefficients),
       assign_terms = names(fit$assign), assign_sizes = unname(lengths(fit$assign)),
       assign_index = unname(unlist(fit$assign)),
       var = fit$var, naive_var = fit$naive.var, loglik = fit$loglik,
       iter = if (is.null(fit$iter)) 0L else fit$iter,
       means = unname(fit$means), n = fit$n, nevent = fit$nevent,
       lp = unname(fit$linear.predictors),
       na_action = if (is.null(fit$na.action)) integer(0) else as.integer(fit$na.action),
       method = fit$method,
       concordance = if (is.null(conc)) NULL else unname(conc[1:7]),
       logtest = test(s$logtest), sctest = test(s$sctest),
       wald = if (is.null(fit$wald.test)) NULL else unname(fit$wald.test),
       waldtest = test(s$waldtest),
       robscore = test(s$robscore))
}

rparity_coxph_summary <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                  nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL, conf_int) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form, na_action, id)
  s <- summary(fit, conf.int = conf_int)
  # a fit without the class "coxph" (ties = "exact" on (start, stop] data) gets summary.default's table
  if (!inherits(fit, "coxph")) stop("summary.default: no coefficient table")
  list(coef = unname(s$coefficients), coef_cols = colnames(s$coefficients),
       conf = unname(s$conf.int), names = rownames(s$coefficients))
}

rparity_cox_zph <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form = NULL, na_action = NULL, id = NULL, transform, global_ = TRUE) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form, na_action, id)
  z <- survival::cox.zph(fit, transform = transform, global = global_)
  tab <- z$table
  list(terms = rownames(tab), chisq = unname(tab[, "chisq"]), df = unname(tab[, "df"]),
       p = unname(tab[, "p"]))
}

rparity_basehaz <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form = NULL, na_action = NULL, id = NULL, centered) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form, na_action, id)
  b <- survival::basehaz(fit, centered = centered)
  list(time = b$time, hazard = b$hazard,
       strata = if (is.null(b$strata)) NULL else as.character(b$strata))
}

## residuals(fit, type=, collapse=, weighted=); collapse and weighted NULL:
## left out of the call (R's defaults). A matrix comes back by columns.
rparity_coxph_residuals <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                    nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL, type, collapse = NULL,
                                    weighted = NULL) {
  # the refit's own warnings belong to coxph(), reported with the fit
  fit <- suppressWarnings(rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init,
                                             control, nocenter, singular_ok, form, na_action, id))
  args <- list(fit, type = type)
  if (!is.null(collapse)) args$collapse <- collapse
  if (!is.null(weighted)) args$weighted <- weighted
  rr <- do.call(stats::residuals, args)
  st <- attr(rr, "strata")
  rows <- if (is.matrix(rr)) rownames(rr) else names(rr)
  # classed: FALSE for agexact.fit's bare list, whose residuals() is residuals.default ($residuals, any type)
  list(values = unname(as.vector(rr)), ncol = if (is.matrix(rr)) ncol(rr) else 0L,
       columns = colnames(rr), rows = rows, classed = inherits(fit, "coxph"),
       strata = if (is.null(st)) NULL else rep(names(st), as.vector(st)))
}

## predict(fit, newdata=, type=, se.fit=, reference=, terms=, collapse=); NULL: left out.
rparity_coxph_predict <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                  nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL, type, se_fit, reference = NULL,
                                  terms = NULL, collapse = NULL, newdata = NULL, newdata_rows = NULL) {
  # the refit's own warnings belong to coxph(), reported with the fit
  fit <- suppressWarnings(rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init,
                                             control, nocenter, singular_ok, form, na_action, id))
  args <- list(fit, type = type, se.fit = se_fit)
  if (!is.null(reference)) args$reference <- reference
  if (!is.null(terms)) args$terms <- terms
  if (!is.null(collapse)) args$collapse <- collapse
  if (!is.null(newdata)) args$newdata <- rparity_newdata(newdata, newdata_rows)
  p <- do.call(stats::predict, args)
  fitv <- if (se_fit) p$fit else p
  se <- if (se_fit) p$se.fit else NULL
  list(values = unname(as.vector(fitv)), ncol = if (is.matrix(fitv)) ncol(fitv) else 0L,
       se = if (is.null(se)) NULL else unname(as.vector(se)), columns = colnames(fitv),
       rows = if (is.matrix(fitv)) rownames(fitv) else names(fitv), constant = attr(fitv, "constant"))
}

## survfit(fit, newdata=, se.fit=, conf.int=, stype=, ctype=, conf.type=, censor=);
## newdata: a list of columns under the fit's placeholder names (NULL: none);
## ctype NULL: left out. Matrices come back by columns.
rparity_survfit_cox <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL, newdata = NULL, newdata_rows = NULL,
                                se_fit, conf_int, stype,
                                ctype = NULL, conf_type, censor, start_time = NULL, curve_id = NULL,
                                curve_id_name = NULL) {
  fit <- suppressWarnings(rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init,
                                             control, nocenter, singular_ok, form, na_action, id))
  args <- list(fit, se.fit = se_fit, conf.int = conf_int, stype = stype, conf.type = conf_type,
               censor = censor)
  if (!is.null(ctype)) args$ctype <- ctype
  if (!is.null(start_time)) args$start.time <- start_time
  if (!is.null(newdata)) args$newdata <- rparity_newdata(newdata, newdata_rows)
  if (!is.null(curve_id)) args$id <- curve_id  # survfit.coxph's id: one curve per subject of newdata
  if (!is.null(curve_id_name)) args$id <- as.name(curve_id_name)  # a name: R looks for it in newdata
  sf <- do.call(survival::survfit, args)
  mat <- function(v) if (is.null(v)) NULL else unname(as.vector(v))
  k <- if (is.matrix(sf$surv)) ncol(sf$surv) else 1L
  list(time = sf$time, n_risk = sf$n.risk, n_event = sf$n.event, n_censor = sf$n.censor,
       surv = mat(sf$surv), cumhaz = mat(sf$cumhaz), std_err = mat(sf$std.err), lower = mat(sf$lower),
       upper = mat(sf$upper), ncol = k, curves = colnames(sf$surv),
       strata = if (is.null(sf$strata)) NULL else rep(names(sf$strata), as.vector(sf$strata)),
       n = sf$n, conf_type = if (is.null(sf$conf.type)) "none" else sf$conf.type, start_time = sf$start.time)
}

## anova(fit) or anova(fit, other1, ...): `others` holds each further model's arguments (as
## rparity_cox_fitobj takes them). Warnings of the refits are coxph's, not anova's.
rparity_coxph_anova <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL, others = NULL) {
  fit <- suppressWarnings(rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init,
                                             control, nocenter, singular_ok, form, na_action, id))
  more <- lapply(others, function(a) suppressWarnings(do.call(rparity_cox_fitobj, a)))
  a <- do.call(stats::anova, c(list(fit), unname(more)))
  list(rows = rownames(a), loglik = a$loglik, chisq = a$Chisq, df = a$Df, p = a[["Pr(>|Chi|)"]])
}

## coxph.detail(fit); matrices by columns, imat as (p, p, times) by columns.
rparity_coxph_detail <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                 nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL,
                                 riskmat = FALSE, rorder = "data") {
  fit <- suppressWarnings(rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init,
                                             control, nocenter, singular_ok, form, na_action, id))
  d <- survival::coxph.detail(fit, riskmat = riskmat, rorder = rorder)
  st <- d$strata
  list(time = unname(d$time), nevent = unname(d$nevent), nrisk = unname(d$nrisk), hazard = unname(d$hazard),
       varhaz = unname(d$varhaz), means = unname(as.vector(d$means)), score = unname(as.vector(d$score)),
       imat = unname(as.vector(d$imat)), p = length(fit$coefficients),
       strata = if (is.null(st)) NULL else rep(names(st), as.vector(st)),
       riskmat = if (is.null(d$riskmat)) NULL else unname(as.vector(d$riskmat)), sortorder = d$sortorder)
}

## concordance(fit, influence=, keepstrata=); NULL: left out (R's defaults). The
## per-stratum counts (a matrix when kept) and the influence matrix by columns.
rparity_concordance <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                nocenter, singular_ok, form = NULL, na_action = NULL, id = NULL,
                                influence = NULL, keepstrata = NULL, timewt = NULL, ranks = NULL,
                                newdata = NULL, newdata_rows = NULL) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            singular_ok, form, na_action, id)
  args <- list(fit)
  if (!is.null(influence)) args$influence <- influence
  if (!is.null(keepstrata)) args$keepstrata <- keepstrata
  if (!is.null(timewt)) args$timewt <- timewt
  if (!is.null(ranks)) args$ranks <- ranks
  if (!is.null(newdata)) args$newdata <- rparity_newdata(newdata, newdata_rows)
  y <- if (is.null(newdata)) fit$y else
    tryCatch(stats::model.response(stats::model.frame(stats::formula(fit), args$newdata)), error = function(e) NULL)
  rparity_timewt_guard(y, timewt, function() do.call(survival::concordance, utils::modifyList(args, list(timewt = "n"))))
  cc <- do.call(survival::concordance, args)
  rparity_concordance_value(cc)
}

## survival 3.5-3's concordance aborts R (a fault in its C code) for timewt "S" or "I" on (start, stop]
## data with two events or more: with `run` (R's own call with timewt "n") R's earlier checks speak first,
## then an R error says so instead of the crash
rparity_timewt_guard <- function(y, timewt, run = NULL) {
  if (is.null(timewt) || !(timewt %in% c("S", "I"))) return(invisible(NULL))
  if (!inherits(y, "Surv") || attr(y, "type") != "counting" || sum(y[, 3], na.rm = TRUE) < 2)
    return(invisible(NULL))
  if (!is.null(run)) run()
  stop("rparity: survival 3.5-3's concordance aborts R for timewt = \"", timewt,
       "\" on (start, stop] data (a fault of its C code)", call. = FALSE)
}

## A concordance object as data: the totals (each stratum's counts by columns when kept), the
## dfbeta, the influence matrix by columns, the ranks
rparity_concordance_value <- function(cc) {
  kept <- is.matrix(cc$count)
  count <- if (kept) colSums(cc$count) else cc$count
  list(concordance = unname(cc$concordance), std = sqrt(unname(cc$var)), count = unname(count),
       n = cc$n, count_strata = if (kept) unname(as.vector(cc$count)) else NULL,
       nstrata = if (kept) nrow(cc$count) else 0L,
       dfbeta = if (is.null(cc$dfbeta)) NULL else unname(as.vector(cc$dfbeta)),
       influence = if (is.null(cc$influence)) NULL else unname(as.vector(cc$influence)),
       ranks = rparity_concordance_ranks(cc$ranks))
}

## concordance(fit1, fit2, ...): `models` the fits' arguments (as rparity_cox_fitobj takes them),
## `options` concordance's (influence=, keepstrata=, timewt=, ranks=). The fits' own warnings are coxph's.
rparity_concordance_several <- function(models, options = list()) {
  fits <- lapply(models, function(a) suppressWarnings(do.call(rparity_cox_fitobj, a)))
  for (f in fits) rparity_timewt_guard(f$y, options$timewt,
                                       function() do.call(survival::concordance,
                                                          c(unname(fits), utils::modifyList(options, list(timewt = "n")))))
  cc <- do.call(survival::concordance, c(unname(fits), options))
  list(concordance = unname(cc$concordance), var = unname(as.vector(cc$var)), count = unname(as.vector(cc$count)),
       n = cc$n, dfbeta = if (is.null(cc$dfbeta)) NULL else unname(as.vector(cc$dfbeta)),
       influence = if (is.null(cc$influence)) NULL else unname(as.vector(cc$influence)),
       influence_dim = if (is.null(cc$influence)) NULL else dim(cc$influence))
}

## concordance(..., ranks = TRUE)'s data frame as columns (strata as text)
rparity_concordance_ranks <- function(r) {
  if (is.null(r)) return(NULL)
  list(time = r$time, rank = r$rank, timewt = r$timewt, casewt = r$casewt,
       strata = if (is.null(r$strata)) NULL else as.character(r$strata))
}

## concordance(formula, data, weights=, cluster=, timewt=, influence=, ranks=, reverse=, keepstrata=,
## ymin=, ymax=): R's concordance.formula on the formula form; NULL options are left out.
rparity_concordance_formula <- function(form, weights = NULL, cluster = NULL, options = list()) {
  fc <- rparity_formula_call("concordance", form, list(.rp_w = weights, .rp_cl = cluster))
  cl <- fc$call
  if (!is.null(weights)) cl$weights <- quote(.rp_w)
  if (!is.null(cluster)) cl$cluster <- quote(.rp_cl)
  for (nm in names(options)) cl[[nm]] <- options[[nm]]
  if (!is.null(options$timewt) && options$timewt %in% c("S", "I")) {
    # the response, evaluated in the data as the model frame would
    y <- tryCatch(eval(fc$env$.rp_f[[2L]], fc$env$.rp_df, fc$env), error = function(e) NULL)
    probe <- cl
    probe$timewt <- "n"
    rparity_timewt_guard(y, options$timewt, function() eval(probe, fc$env))
  }
  cc <- eval(cl, fc$env)
  rparity_concordance_value(cc)
}

## bench/cox.py: time coxph inside R (formula, model frame and concordance
## included; no conversion, no start-up); every run's seconds, and the
## iteration count. Optional weights, strata and cluster, as coxph takes them.
rparity_time_coxph <- function(x, time, event, weights, strata, cluster, reps) {
  d <- x
  rhs <- paste(names(x), collapse = " + ")
  d$time <- time
  d$event <- event
  if (!is.null(strata)) { d$stratum <- strata; rhs <- paste(rhs, "+ strata(stratum)") }
  f <- stats::as.formula(paste("survival::Surv(time, event) ~", rhs), env = asNamespace("survival"))
  cl <- quote(survival::coxph(f, data = d))
  if (!is.null(weights)) { d$w <- weights; cl$weights <- quote(w) }
  if (!is.null(cluster)) { d$cl <- cluster; cl$cluster <- quote(cl) }
  rparity_time_fit(cl, environment(), reps)
}

## newdata as a data frame, with the caller's row names (they label survfit's curves)
rparity_newdata <- function(newdata, rows) {
  nd <- as.data.frame(newdata, stringsAsFactors = FALSE, optional = TRUE)
  if (!is.null(rows) && is.data.frame(nd) && nrow(nd) == length(rows)) row.names(nd) <- rows
  nd
}

## a multi-state fit (a factor status with id) is not in the contract: say so, as an R error
rparity_one_state <- function(fit) {
  if (inherits(fit, "coxphms"))
    stop("rparity: multi-state coxph (a factor status) is not in the contract")
  fit
}
