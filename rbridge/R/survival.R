## survival: Kaplan-Meier and G-rho tests. Column names are fixed placeholders.

rparity_km_fit <- function(time, event, weights, conf_type, conf_int, conf_lower) {
  d <- data.frame(time = time, event = event)
  if (is.null(weights)) {
    survival::survfit(survival::Surv(time, event) ~ 1, data = d,
                      conf.type = conf_type, conf.int = conf_int, conf.lower = conf_lower)
  } else {
    d$w <- weights
    survival::survfit(survival::Surv(time, event) ~ 1, data = d, weights = w,
                      conf.type = conf_type, conf.int = conf_int, conf.lower = conf_lower)
  }
}

rparity_survfit <- function(time, event, weights, conf_type, conf_int, conf_lower) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower)
  nt <- length(fit$time)
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err,
       lower = if (is.null(fit$lower)) rep(NA_real_, nt) else fit$lower,
       upper = if (is.null(fit$upper)) rep(NA_real_, nt) else fit$upper,
       cumhaz = fit$cumhaz, std_chaz = fit$std.chaz, n = fit$n, logse = fit$logse)
}

rparity_survfit_summary <- function(time, event, weights, conf_type, conf_int, conf_lower, times, extend) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower)
  s <- summary(fit, times = times, extend = extend)
  nt <- length(s$time)
  list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       surv = s$surv, std_err = s$std.err,
       lower = if (is.null(s$lower)) rep(NA_real_, nt) else s$lower,
       upper = if (is.null(s$upper)) rep(NA_real_, nt) else s$upper,
       cumhaz = s$cumhaz, std_chaz = s$std.chaz)
}

rparity_survfit_quantile <- function(time, event, weights, conf_type, conf_int, conf_lower, probs) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower)
  q <- quantile(fit, probs = probs)
  if (is.list(q)) list(quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
  else list(quantile = unname(q), lower = rep(NA_real_, length(q)), upper = rep(NA_real_, length(q)))
}

rparity_survfit_table <- function(time, event, weights, conf_type, conf_int, conf_lower) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower)
  tab <- summary(fit)$table
  get <- function(nm) if (nm %in% names(tab)) unname(tab[[nm]]) else NA_real_
  lcl <- grep("LCL$", names(tab), value = TRUE)
  ucl <- grep("UCL$", names(tab), value = TRUE)
  list(records = get("records"), n_max = get("n.max"), n_start = get("n.start"),
       events = get("events"), rmean = get("rmean"), se_rmean = get("se(rmean)"),
       median = get("median"),
       lcl = if (length(lcl)) unname(tab[[lcl]]) else NA_real_,
       ucl = if (length(ucl)) unname(tab[[ucl]]) else NA_real_)
}

rparity_survdiff <- function(time, event, group, strata, rho) {
  d <- data.frame(time = time, event = event, group = group)
  if (is.null(strata)) {
    fit <- survival::survdiff(survival::Surv(time, event) ~ group, data = d, rho = rho)
  } else {
    d$stratum <- strata
    strata <- survival::strata  # the formula special must be visible by name
    fit <- survival::survdiff(survival::Surv(time, event) ~ group + strata(stratum), data = d, rho = rho)
  }
  etmp <- if (is.matrix(fit$exp)) apply(fit$exp, 1, sum) else fit$exp
  list(n = as.vector(fit$n), obs = fit$obs, exp = fit$exp, var = fit$var,
       chisq = fit$chisq, df = sum(etmp > 0) - 1, pvalue = fit$pvalue)
}
