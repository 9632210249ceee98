## survival: Kaplan-Meier and G-rho tests. The caller's vectors are variables
## of a fresh environment (placeholder names time, event, w, group, stratum);
## the call is what an R user would type, and R accepts or refuses it.

rparity_km_fit <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL) {
  if (!is.null(form)) {
    ## the formula form (rbridge/formula.py): R builds the model frame itself
    env <- rparity_env(list(.rp_df = as.data.frame(form$data, stringsAsFactors = FALSE, optional = TRUE),
                            .rp_w = weights))
    env$.rp_f <- eval(rparity_lang(form$tree, form$allowed), env)
    cl <- quote(survfit(.rp_f, data = .rp_df))
    if (!is.null(form$subset_tree)) cl$subset <- rparity_lang(form$subset_tree, form$allowed)
    else if (!is.null(form$subset)) cl$subset <- form$subset
    if (!is.null(weights)) cl$weights <- quote(.rp_w)
    cl$conf.type <- conf_type
    cl$conf.int <- conf_int
    cl$conf.lower <- conf_lower
    for (nm in names(options)) cl[[nm]] <- options[[nm]]  # stype, ctype, type: values, never code
    return(rparity_one_curve_type(eval(cl, env)))
  }
  env <- rparity_env(list(time = time, event = event, w = weights))
  cl <- call("survfit", call("~", rparity_surv(event), 1))
  if (!is.null(weights)) cl$weights <- quote(w)
  cl$conf.type <- conf_type
  cl$conf.int <- conf_int
  cl$conf.lower <- conf_lower
  for (nm in names(options)) cl[[nm]] <- options[[nm]]
  rparity_one_curve_type(eval(cl, env))
}

## multi-state curves (a factor status) are not in the contract: say so, as an R error
rparity_one_curve_type <- function(fit) {
  if (inherits(fit, "survfitms"))
    stop("rparity: multi-state survfit (a factor status) is not in the contract")
  fit
}

rparity_na_vec <- function(x, n) if (is.null(x)) rep(NA_real_, n) else x

rparity_survfit <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options)
  nt <- length(fit$time)
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err,
       lower = rparity_na_vec(fit$lower, nt), upper = rparity_na_vec(fit$upper, nt),
       cumhaz = fit$cumhaz, std_chaz = rparity_na_vec(fit$std.chaz, nt), n = fit$n, logse = fit$logse,
       conf_type = fit$conf.type, conf_int = fit$conf.int,
       strata = if (is.null(fit$strata)) NULL else rep(names(fit$strata), as.vector(fit$strata)))
}

rparity_survfit_summary <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL, times, extend) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options)
  s <- summary(fit, times = times, extend = extend)
  nt <- length(s$time)
  list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       surv = s$surv, std_err = s$std.err,
       lower = rparity_na_vec(s$lower, nt), upper = rparity_na_vec(s$upper, nt),
       cumhaz = s$cumhaz, std_chaz = rparity_na_vec(s$std.chaz, nt))
}

rparity_survfit_quantile <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL, probs) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options)
  q <- quantile(fit, probs = probs)
  if (is.list(q)) list(quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
  else list(quantile = unname(q), lower = rep(NA_real_, length(q)), upper = rep(NA_real_, length(q)))
}

rparity_survfit_table <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options)
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

## survdiff's formula form: groups keep R's own labels ("v1=1", placeholders
## translated back by the caller)
rparity_survdiff_formula <- function(form, rho) {
  env <- rparity_env(list(.rp_df = as.data.frame(form$data, stringsAsFactors = FALSE, optional = TRUE)))
  env$.rp_f <- eval(rparity_lang(form$tree, form$allowed), env)
  cl <- quote(survdiff(.rp_f, data = .rp_df))
  if (!is.null(form$subset_tree)) cl$subset <- rparity_lang(form$subset_tree, form$allowed)
  else if (!is.null(form$subset)) cl$subset <- form$subset
  cl$rho <- rho
  fit <- eval(cl, env)
  etmp <- if (is.matrix(fit$exp)) apply(fit$exp, 1, sum) else fit$exp
  list(groups = names(fit$n), n = as.vector(fit$n),
       obs = as.vector(fit$obs), exp = as.vector(fit$exp),
       obs_dim = if (is.matrix(fit$obs)) dim(fit$obs) else NULL,
       var = as.vector(fit$var), chisq = fit$chisq, df = sum(etmp > 0) - 1, pvalue = fit$pvalue)
}

rparity_survdiff <- function(time, event, group, strata, rho) {
  env <- rparity_env(list(time = time, event = event, group = group, stratum = strata))
  rhs <- if (is.null(strata)) quote(group) else quote(group + strata(stratum))
  cl <- call("survdiff", call("~", rparity_surv(event), rhs))
  cl$rho <- rho
  fit <- eval(cl, env)
  etmp <- if (is.matrix(fit$exp)) apply(fit$exp, 1, sum) else fit$exp
  list(groups = sub("^group=", "", names(fit$n)), n = as.vector(fit$n),
       obs = as.vector(fit$obs), exp = as.vector(fit$exp),
       obs_dim = if (is.matrix(fit$obs)) dim(fit$obs) else NULL,
       var = as.vector(fit$var), chisq = fit$chisq, df = sum(etmp > 0) - 1, pvalue = fit$pvalue)
}
