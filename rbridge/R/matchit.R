## MatchIt and glm. Data arrive with placeholder column names (x1..xp for the
## covariates, e1..eq for exact-only columns, treat, y, w); formulas are built
## from those names only.

rparity_glm_logit <- function(X, y, weights) {
  d <- X
  d$y <- y
  f <- stats::reformulate(names(X), response = "y")
  if (is.null(weights)) {
    fit <- stats::glm(f, data = d, family = stats::binomial())
  } else {
    d$w <- weights
    fit <- stats::glm(f, data = d, family = stats::binomial(), weights = w)
  }
  list(coef = unname(stats::coef(fit)), names = names(stats::coef(fit)),
       fitted = unname(fit$fitted.values), linear_predictor = unname(fit$linear.predictors),
       deviance = fit$deviance, null_deviance = fit$null.deviance, aic = fit$aic,
       iterations = fit$iter, converged = fit$converged, rank = fit$rank)
}

rparity_balance_table <- function(tab) {
  list(rows = rownames(tab),
       means_treated = unname(tab[, 1]), means_control = unname(tab[, 2]),
       std_mean_diff = unname(tab[, 3]), var_ratio = unname(tab[, 4]),
       ecdf_mean = unname(tab[, 5]), ecdf_max = unname(tab[, 6]),
       std_pair_dist = unname(tab[, 7]))
}

rparity_matchit <- function(X, treat, exact_data, exact_names, distance, link, estimand, ratio,
                            replace, caliper, std_caliper, m_order, discard, seed) {
  d <- X
  d$treat <- treat
  if (!is.null(exact_data)) {
    exact_data <- exact_data
    for (nm in names(exact_data)) d[[nm]] <- exact_data[[nm]]
  }
  f <- stats::reformulate(names(X), response = "treat")
  args <- list(formula = f, data = d, method = "nearest",
               distance = if (is.null(distance)) "glm" else distance,
               link = link, estimand = estimand, ratio = ratio, replace = replace,
               caliper = caliper, std.caliper = std_caliper, m.order = m_order,
               discard = discard)
  if (!is.null(exact_names)) args$exact <- stats::reformulate(exact_names)
  if (!is.null(seed)) set.seed(seed)
  m <- do.call(MatchIt::matchit, args)
  s <- summary(m)
  mm <- m$match.matrix
  mmi <- matrix(match(mm, rownames(d)), nrow = nrow(mm), ncol = ncol(mm))
  model <- NULL
  if (!is.null(m$model)) {
    fit <- m$model
    model <- list(coef = unname(stats::coef(fit)), names = names(stats::coef(fit)),
                  fitted = unname(fit$fitted.values), linear_predictor = unname(fit$linear.predictors),
                  deviance = fit$deviance, null_deviance = fit$null.deviance,
                  aic = if (is.null(fit$aic)) NA_real_ else fit$aic,
                  iterations = fit$iter, converged = fit$converged, rank = fit$rank)
  }
  list(distance = unname(m$distance), weights = unname(m$weights),
       subclass = if (is.null(m$subclass)) NULL else as.integer(unname(m$subclass)),
       discarded = unname(m$discarded),
       focal_rows = match(rownames(mm), rownames(d)),
       match_matrix = as.vector(mmi), mm_ncol = ncol(mm),
       caliper = if (is.null(m$caliper)) NULL else unname(m$caliper),
       model = model,
       sum_all = rparity_balance_table(s$sum.all),
       sum_matched = rparity_balance_table(s$sum.matched),
       nn_control = unname(s$nn[, "Control"]), nn_treated = unname(s$nn[, "Treated"]),
       nn_rows = rownames(s$nn))
}

## Benchmark: MatchIt::matchit timed inside R (system.time, best of reps), and
## the match matrix of the last run (1-based rows) to check the pairs.
rparity_time_matchit <- function(X, treat, reps) {
  d <- X
  d$treat <- treat
  f <- stats::reformulate(names(X), response = "treat")
  best <- Inf
  best_cpu <- Inf
  m <- NULL
  for (i in seq_len(reps)) {
    tm <- system.time(m <- MatchIt::matchit(f, data = d, method = "nearest", distance = "glm"))
    best <- min(best, unname(tm["elapsed"]))
    best_cpu <- min(best_cpu, unname(tm["user.self"] + tm["sys.self"]))
  }
  mm <- m$match.matrix
  list(seconds = best, cpu_seconds = best_cpu, match_matrix = match(mm, rownames(d)))
}
