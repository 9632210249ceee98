## survival::survreg on the formula form: the formula rebuilt from placeholders
## (rparity_formula_call), weights as a vector; R does everything else.
rparity_survreg_fitobj <- function(form, weights = NULL, dist = "weibull", scale = NULL, init = NULL,
                                   control = NULL, parms = NULL, robust = NULL, cluster = NULL, na_action = NULL) {
  fc <- rparity_formula_call("survreg", form, list(.rp_w = weights, .rp_cl = cluster))
  cl <- fc$call
  env <- fc$env
  if (!is.null(weights)) cl$weights <- quote(.rp_w)
  cl$dist <- dist
  if (!is.null(scale)) cl$scale <- scale
  if (!is.null(init)) cl$init <- init
  if (!is.null(control)) cl$control <- control  # a list: survreg does do.call("survreg.control", control)
  if (!is.null(parms)) cl$parms <- parms
  if (!is.null(robust)) cl$robust <- robust
  if (!is.null(cluster)) cl$cluster <- quote(.rp_cl)
  if (!is.null(na_action)) cl$na.action <- as.name(na_action)  # "na.exclude": residuals and predictions padded
  eval(cl, env)
}

rparity_survreg <- function(form, weights = NULL, dist = "weibull", scale = NULL, init = NULL, control = NULL,
                            parms = NULL, robust = NULL, cluster = NULL, na_action = NULL) {
  fit <- rparity_survreg_fitobj(form, weights, dist, scale, init, control, parms, robust, cluster, na_action)
  list(coef = unname(fit$coefficients), names = names(fit$coefficients),
       scale = unname(fit$scale), scale_names = names(fit$scale),
       var = unname(fit$var), naive_var = if (is.null(fit$naive.var)) NULL else unname(fit$naive.var),
       loglik = fit$loglik, icoef = unname(fit$icoef), iter = fit$iter,
       df = fit$df, idf = fit$idf, df_residual = fit$df.residual,
       lp = unname(fit$linear.predictors), means = unname(fit$means),
       na_action = if (is.null(fit$na.action)) integer(0) else as.integer(fit$na.action),
       dist = fit$dist)
}

## predict(fit, newdata=, type=, p=, se.fit=); a matrix comes back by columns
rparity_survreg_predict <- function(form, weights = NULL, dist = "weibull", scale = NULL, init = NULL,
                                    control = NULL, parms = NULL, robust = NULL, cluster = NULL, na_action = NULL,
                                    type = "lp", p = NULL, se_fit = FALSE, newdata = NULL) {
  fit <- suppressWarnings(rparity_survreg_fitobj(form, weights, dist, scale, init, control, parms, robust,
                                                 cluster, na_action))
  args <- list(fit, type = type, se.fit = se_fit)
  if (!is.null(p)) args$p <- p
  if (!is.null(newdata)) args$newdata <- as.data.frame(newdata, stringsAsFactors = FALSE, optional = TRUE)
  pr <- do.call(stats::predict, args)
  ## type = "terms": a matrix whose columns are the terms (their labels in `columns`; NULL for the other types)
  if (se_fit) list(fit = as.vector(pr$fit), se = as.vector(pr$se.fit), dim = dim(pr$fit), columns = colnames(pr$fit))
  else list(fit = as.vector(pr), se = NULL, dim = dim(pr), columns = colnames(pr))
}

## residuals(fit, type=, rsigma=, collapse=, weighted=); a matrix comes back by columns
rparity_survreg_residuals <- function(form, weights = NULL, dist = "weibull", scale = NULL, init = NULL,
                                      control = NULL, parms = NULL, robust = NULL, cluster = NULL, na_action = NULL,
                                      type = "response", rsigma = TRUE, collapse = NULL, weighted = FALSE) {
  fit <- suppressWarnings(rparity_survreg_fitobj(form, weights, dist, scale, init, control, parms, robust,
                                                 cluster, na_action))
  args <- list(fit, type = type, rsigma = rsigma, weighted = weighted)
  if (!is.null(collapse)) args$collapse <- collapse
  rr <- do.call(stats::residuals, args)
  list(values = as.vector(rr), dim = dim(rr), columns = colnames(rr),
       groups = if (is.null(collapse)) NULL else if (is.matrix(rr)) rownames(rr) else names(rr))
}

## bench/survreg.py: survreg timed inside R (model frame and fit; no conversion), `reps` runs
rparity_time_survreg <- function(x, time, status, dist = "weibull", reps = 1L) {
  d <- as.data.frame(x)
  d$time <- time
  d$status <- status
  f <- stats::as.formula(paste("survival::Surv(time, status) ~", paste(names(x), collapse = " + ")))
  secs <- numeric(reps)
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- survival::survreg(f, data = d, dist = dist)
    secs[i] <- proc.time()[["elapsed"]] - t0
  }
  list(seconds = secs, iter = fit$iter, coef = unname(fit$coefficients), scale = fit$scale, loglik = fit$loglik)
}
