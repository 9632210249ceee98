## survey: design-based Cox regression, svycoxph(formula, svydesign(ids =, strata =, weights =, data)).
## The formula's variables are placeholder columns of the design's data; the
## design's weights, clusters and strata are more columns (values, never code).

rparity_svycoxph <- function(form, weights = NULL, ids = NULL, strata = NULL, ties = "efron") {
  fc <- rparity_formula_call("coxph", form)
  df <- fc$env$.rp_df
  if (!is.null(weights)) df$.rp_w <- weights
  if (!is.null(ids)) df$.rp_id <- ids
  if (!is.null(strata)) df$.rp_st <- strata
  ## arguments not given stay missing, as when a user leaves them out (svydesign warns when weights are)
  args <- list(ids = if (is.null(ids)) ~1 else ~.rp_id, data = df)
  if (!is.null(strata)) args$strata <- ~.rp_st
  if (!is.null(weights)) args$weights <- ~.rp_w
  design <- do.call(survey::svydesign, args)
  ## the call a user types, the formula and ties as literals (svycoxph re-evaluates its own call); survey
  ## 4.1-1 hands `ties =` to model.frame ("variable lengths differ (found for '(ties)')"): coxph's older
  ## spelling `method =` reaches coxph
  fit <- if (identical(ties, "efron")) eval(bquote(survey::svycoxph(.(fc$env$.rp_f), design = design)))
         else eval(bquote(survey::svycoxph(.(fc$env$.rp_f), design = design, method = .(ties))))
  list(names = names(coef(fit)), coef = unname(coef(fit)), var = unname(as.matrix(fit$var)),
       inv_info = unname(as.matrix(fit$inv.info)), loglik = fit$ll, wald = as.numeric(fit$wald.test),
       n = fit$n, n_clusters = sum(design$fpc$sampsize[!duplicated(design$strata[, 1]), 1]),
       n_strata = length(unique(design$strata[, 1])))
}

## the design of rparity_svycoxph, from the data frame of a formula call
rparity_svydesign <- function(df, weights, ids, strata) {
  if (!is.null(weights)) df$.rp_w <- weights
  if (!is.null(ids)) df$.rp_id <- ids
  if (!is.null(strata)) df$.rp_st <- strata
  args <- list(ids = if (is.null(ids)) ~1 else ~.rp_id, data = df)
  if (!is.null(strata)) args$strata <- ~.rp_st
  if (!is.null(weights)) args$weights <- ~.rp_w
  do.call(survey::svydesign, args)
}

## svykm(formula, design, se): the curves laid end to end (a svykm, or a svykmlist per group)
rparity_svykm <- function(form, weights = NULL, ids = NULL, strata = NULL, se = FALSE) {
  fc <- rparity_formula_call("svykm", form)
  design <- rparity_svydesign(fc$env$.rp_df, weights, ids, strata)
  fit <- eval(bquote(survey::svykm(.(fc$env$.rp_f), design = design, se = .(se))))
  curves <- if (inherits(fit, "svykmlist")) unclass(fit) else list(fit)
  list(groups = if (inherits(fit, "svykmlist")) names(fit) else character(0),
       lengths = vapply(curves, function(k) length(k$time), 1L),
       time = unlist(lapply(curves, `[[`, "time"), use.names = FALSE),
       surv = unlist(lapply(curves, `[[`, "surv"), use.names = FALSE),
       varlog = if (se) unlist(lapply(curves, `[[`, "varlog"), use.names = FALSE) else numeric(0),
       n_dropped = length(attr(fit, "na.action")))
}

## svylogrank(formula, design, rho, gamma, method): the score table and the chi-square. method = "score"
## returns only c(z = b/sqrt(diag(v)), Chisq, p); b (coef of svycoxph(iter = 1)) and v (vcov of
## svycoxph(iter = 0)) are read from those same fits: survey's own svylogrank.survey.design2 and
## expandlogrank run unchanged, in an environment (child of survey's namespace) whose svycoxph records each
## fit it returns
rparity_svylogrank <- function(form, weights = NULL, ids = NULL, strata = NULL, rho = 0, gamma = 0,
                               method = "small") {
  fc <- rparity_formula_call("svylogrank", form)
  design <- rparity_svydesign(fc$env$.rp_df, weights, ids, strata)
  if (method == "score") return(rparity_svylogrank_score(fc$env$.rp_f, design, rho, gamma))
  res <- eval(bquote(survey::svylogrank(.(fc$env$.rp_f), design = design, rho = .(rho), gamma = .(gamma),
                                        method = .(method))))
  tab <- as.matrix(res[[1]])
  list(names = rownames(tab), score = unname(tab[, 1]), se = unname(tab[, 2]), z = unname(tab[, 3]),
       p = unname(tab[, 4]), chisq = unname(res[[2]][1]), p_chisq = unname(res[[2]][2]), df = nrow(tab))
}

rparity_svylogrank_score <- function(f, design, rho, gamma) {
  fits <- list()
  env <- new.env(parent = asNamespace("survey"))
  env$svycoxph <- function(formula, design, iter) {
    fit <- eval(bquote(survey::svycoxph(.(formula), design = design, iter = .(iter))))
    fits[[length(fits) + 1L]] <<- fit
    fit
  }
  env$expandlogrank <- survey:::expandlogrank
  environment(env$expandlogrank) <- env
  run <- survey:::svylogrank.survey.design2
  environment(run) <- env
  res <- run(f, design, rho = rho, gamma = gamma, method = "score")
  stopifnot(length(fits) == 2L)
  b <- coef(fits[[1]])
  v <- vcov(fits[[2]])
  k <- length(res) - 2L
  z <- unclass(res)[seq_len(k)]
  stopifnot(identical(unname(b / sqrt(diag(v))), unname(z)))  # the recorded fits are R's own
  list(names = names(b), score = unname(b), se = unname(sqrt(diag(v))), z = unname(z), p = numeric(0),
       chisq = unname(unclass(res)[k + 1L]), p_chisq = unname(unclass(res)[k + 2L]), df = k)
}

## svyglm(formula, design, family): coefficients, the design-based and the model-based variances, the
## summary's t table and dispersion
rparity_svyglm <- function(form, weights = NULL, ids = NULL, strata = NULL, family = "gaussian") {
  fc <- rparity_formula_call("svyglm", form)
  design <- rparity_svydesign(fc$env$.rp_df, weights, ids, strata)
  fam <- get(family, envir = asNamespace("stats"))()
  fit <- eval(bquote(survey::svyglm(.(fc$env$.rp_f), design = design, family = .(fam))))
  s <- summary(fit)
  tab <- coef(s)
  disp <- s$dispersion
  list(names = names(coef(fit)), coef = unname(coef(fit)), var = unname(as.matrix(vcov(fit))),
       naive_cov = unname(as.matrix(fit$naive.cov)), se = unname(tab[, 2]), t = unname(tab[, 3]),
       p = unname(tab[, 4]), dispersion = unname(as.numeric(disp)),
       dispersion_var = unname(as.numeric(attr(disp, "var"))), df_residual = fit$df.residual,
       deviance = fit$deviance, null_deviance = fit$null.deviance, iter = fit$iter,
       n = length(fit$y), fitted = unname(fit$fitted.values))
}
