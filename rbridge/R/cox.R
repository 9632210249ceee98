## survival: Cox model, concordance, cox.zph, basehaz.
## Covariates arrive as a data frame with placeholder columns x1..xp (numeric,
## or factors built from codes and levels); the formula is built from those
## fixed names only.

rparity_cox_env <- function(x, time, event, weights, strata, cluster) {
  xn <- names(x)
  if (!all(grepl("^x[0-9]+$", xn))) stop("internal: covariate columns must be named x1..xp")
  d <- x
  d$time <- time
  d$event <- event
  rhs <- paste(xn, collapse = " + ")
  if (!is.null(strata)) {
    d$stratum <- strata
    rhs <- paste(rhs, "+ strata(stratum)")
  }
  if (!is.null(weights)) d$w <- weights
  if (!is.null(cluster)) d$cl <- cluster
  env <- new.env(parent = asNamespace("survival"))  # Surv() and strata() by name
  env$d <- d
  env$formula <- stats::as.formula(paste("Surv(time, event) ~", rhs), env = env)
  env
}

rparity_cox_call <- function(env, weights, cluster, ties, robust, init, control, nocenter) {
  cl <- quote(survival::coxph(formula, data = d))
  if (!is.null(weights)) cl$weights <- quote(w)
  if (!is.null(cluster)) cl$cluster <- quote(cl)
  cl$ties <- ties
  if (!is.null(robust)) cl$robust <- robust
  if (!is.null(init)) cl$init <- init
  cl$control <- do.call(survival::coxph.control, control)
  cl$nocenter <- nocenter
  cl
}

rparity_cox_fitobj <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter) {
  env <- rparity_cox_env(x, time, event, weights, strata, cluster)
  cl <- rparity_cox_call(env, weights, cluster, ties, robust, init, control, nocenter)
  eval(cl, env)
}

rparity_coxph <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter)
  s <- suppressWarnings(summary(fit))  # only coxph's own warnings are reported
  conc <- fit$concordance
  list(coef = unname(fit$coefficients), names = names(fit$coefficients),
       var = fit$var, naive_var = fit$naive.var, loglik = fit$loglik,
       score = fit$score, wald = fit$wald.test, rscore = fit$rscore,
       iter = fit$iter, means = unname(fit$means), n = fit$n, nevent = fit$nevent,
       lp = unname(fit$linear.predictors),
       na_action = if (is.null(fit$na.action)) integer(0) else as.integer(fit$na.action),
       concordance = if (is.null(conc)) NULL else unname(conc[1:7]),
       logtest = unname(s$logtest), sctest = unname(s$sctest),
       waldtest_p = unname(s$waldtest["pvalue"]), df = unname(s$logtest["df"]),
       robscore = if (is.null(s$robscore)) NULL else unname(s$robscore),
       coeftab = unname(s$coefficients), conftab = unname(s$conf.int))
}

rparity_cox_zph <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            transform) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter)
  z <- survival::cox.zph(fit, transform = transform)
  tab <- z$table
  list(terms = rownames(tab), chisq = unname(tab[, "chisq"]), df = unname(tab[, "df"]),
       p = unname(tab[, "p"]))
}

rparity_basehaz <- function(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter,
                            centered) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter)
  b <- survival::basehaz(fit, centered = centered)
  list(time = b$time, hazard = b$hazard,
       strata = if (is.null(b$strata)) NULL else as.character(b$strata))
}

rparity_concordance <- function(x, time, event, weights, strata, cluster, ties, robust, init, control,
                                nocenter) {
  fit <- rparity_cox_fitobj(x, time, event, weights, strata, cluster, ties, robust, init, control, nocenter)
  cc <- survival::concordance(fit)
  count <- if (is.matrix(cc$count)) colSums(cc$count) else cc$count
  list(concordance = unname(cc$concordance), std = sqrt(unname(cc$var)), count = unname(count),
       n = cc$n)
}

## bench/cox.py: time coxph inside R (formula, model frame and concordance
## included; no conversion, no start-up), best of reps.
rparity_time_coxph <- function(x, time, event, reps) {
  d <- x
  d$time <- time
  d$event <- event
  best <- Inf
  fit <- NULL
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- survival::coxph(survival::Surv(time, event) ~ ., data = d)
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  c(best, fit$iter)
}
