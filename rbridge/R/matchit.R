## MatchIt and glm. The caller's columns arrive under placeholder names (x1..xp
## for glm's covariates and y, w; v1..vk for every column of matchit's data,
## u1.. for names that are not columns of it, so that R reports them missing);
## formulas are built from those names only.

rparity_glm_logit <- function(x, y, weights) {
  env <- rparity_env(c(as.list(x), list(y = y, w = weights)), "stats")
  env$formula <- eval(call("~", quote(y), rparity_rhs(names(x))), env)
  cl <- quote(glm(formula, family = binomial()))
  if (!is.null(weights)) cl$weights <- quote(w)
  fit <- eval(cl, env)
  rparity_glm_values(fit)
}

rparity_glm_values <- function(fit) {
  mm <- stats::model.matrix(fit)
  list(coef = unname(stats::coef(fit)), names = names(stats::coef(fit)),
       assign = attr(mm, "assign"), term_labels = attr(stats::terms(fit), "term.labels"),
       fitted = unname(fit$fitted.values), linear_predictor = unname(fit$linear.predictors),
       deviance = fit$deviance, null_deviance = fit$null.deviance,
       aic = if (is.null(fit$aic)) NA_real_ else fit$aic,
       iterations = fit$iter, converged = fit$converged, rank = fit$rank)
}

rparity_balance_table <- function(tab) {
  list(rows = rownames(tab),
       means_treated = unname(tab[, 1]), means_control = unname(tab[, 2]),
       std_mean_diff = unname(tab[, 3]), var_ratio = unname(tab[, 4]),
       ecdf_mean = unname(tab[, 5]), ecdf_max = unname(tab[, 6]),
       std_pair_dist = unname(tab[, 7]))
}

rparity_matchit_object <- function(data, treat, covariates, exact, options, seed) {
  f <- eval(call("~", as.name(treat), rparity_rhs(covariates)), globalenv())
  args <- c(list(formula = f, data = data, method = "nearest"), options)
  if (!is.null(exact)) args$exact <- stats::reformulate(exact)
  if (!is.null(seed)) set.seed(seed)
  do.call(MatchIt::matchit, args)
}

rparity_matchit <- function(data, treat, covariates, exact, options, seed) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed)
  mm <- m$match.matrix
  mmi <- matrix(match(mm, rownames(data)), nrow = nrow(mm), ncol = ncol(mm))
  list(distance = unname(m$distance), weights = unname(m$weights),
       treat = unname(as.integer(m$treat)),
       subclass = if (is.null(m$subclass)) NULL else as.integer(unname(m$subclass)),
       discarded = unname(m$discarded),
       focal_rows = match(rownames(mm), rownames(data)),
       match_matrix = as.vector(mmi), mm_ncol = ncol(mm),
       caliper = if (is.null(m$caliper)) NULL else unname(m$caliper),
       estimand = m$estimand,
       model = if (is.null(m$model)) NULL else rparity_glm_values(m$model))
}

rparity_matchit_summary <- function(data, treat, covariates, exact, options, seed) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed)
  s <- summary(m)
  list(sum_all = rparity_balance_table(s$sum.all),
       sum_matched = rparity_balance_table(s$sum.matched),
       nn_control = unname(s$nn[, "Control"]), nn_treated = unname(s$nn[, "Treated"]))
}

rparity_match_data <- function(data, treat, covariates, exact, options, seed) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed)
  md <- MatchIt::match.data(m)
  list(rows = match(rownames(md), rownames(data)), distance = unname(md$distance),
       weights = unname(md$weights),
       subclass = if (is.null(md$subclass)) NULL else as.integer(unname(md$subclass)))
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
