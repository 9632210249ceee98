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
