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

## set.seed(seed) under RNGkind(sample.kind = kind); the caller's sampler is
## restored afterwards (R >= 3.6 warns that "Rounding" is not the default).
rparity_seed <- function(seed, kind) {
  old <- RNGkind()[3]
  suppressWarnings(RNGkind(sample.kind = kind))
  if (!is.null(seed)) set.seed(seed)
  old
}

rparity_matchit_object <- function(data, treat, covariates, exact, options, seed, sample_kind = "Rejection",
                                   caliper_names = NULL, null_method = FALSE) {
  f <- eval(call("~", as.name(treat), rparity_rhs(covariates)), globalenv())
  args <- c(list(formula = f, data = data), options)
  ## a named caliper vector (c(0.2, age = 5)): its names arrive apart ("" for the distance's)
  if (!is.null(caliper_names)) args$caliper <- stats::setNames(as.numeric(unlist(args$caliper)), caliper_names)
  for (k in c("mahvars", "antiexact", "std.caliper", "s.weights", "unit.id"))
    if (!is.null(args[[k]])) args[[k]] <- unlist(args[[k]])
  ## method = NULL (no matching) must reach matchit() as a NULL argument
  if (isTRUE(null_method)) args["method"] <- list(NULL) else if (is.null(args$method)) args$method <- "nearest"
  if (!is.null(exact)) args$exact <- stats::reformulate(exact)
  old <- rparity_seed(seed, sample_kind)
  on.exit(suppressWarnings(RNGkind(sample.kind = old)))
  do.call(MatchIt::matchit, args)
}

## MatchIt 3.0.2 (git tag 3.0-2) installed in a private library `lib`: its R
## code is loaded from the package's lazy-load database into an environment of
## its own (closures re-parented to it, imports from stats, graphics, utils and
## MASS below it), so that it runs beside the attached MatchIt 4.x without
## replacing its namespace. Loaded once per session.
rparity_matchit302_env <- local({
  cache <- list()
  function(lib) {
    if (!is.null(cache[[lib]])) return(cache[[lib]])
    imports <- new.env(parent = .BaseNamespaceEnv)
    for (p in c("stats", "graphics", "utils", "MASS")) {
      if (!requireNamespace(p, quietly = TRUE)) next
      for (nm in getNamespaceExports(p)) assign(nm, getExportedValue(p, nm), envir = imports)
    }
    env <- new.env(parent = imports)
    lazyLoad(file.path(lib, "MatchIt", "R", "MatchIt"), envir = env)
    for (nm in ls(env, all.names = TRUE)) {
      f <- get(nm, envir = env)
      if (is.function(f)) {
        environment(f) <- env
        assign(nm, f, envir = env)
      }
    }
    version <- unname(read.dcf(file.path(lib, "MatchIt", "DESCRIPTION"), fields = "Version")[1, 1])
    if (!identical(version, "3.0.2")) stop("the MatchIt in ", lib, " is version ", version, ", not 3.0.2")
    cache[[lib]] <<- env
    env
  }
})

rparity_matchit302_object <- function(lib, data, treat, covariates, exact, options, seed, sample_kind) {
  env <- rparity_matchit302_env(lib)
  f <- eval(call("~", as.name(treat), rparity_rhs(covariates)), globalenv())
  args <- c(list(formula = f, data = data, method = "nearest"), options)
  if (!is.null(exact)) args$exact <- exact
  old <- rparity_seed(seed, sample_kind)
  on.exit(suppressWarnings(RNGkind(sample.kind = old)))
  do.call(env$matchit, args)
}

## MatchIt 3.0.2's match: its match.matrix holds row names, NA (no match) and
## "-1" (a discarded treated unit, returned as NA here: `discarded` says which).
## The caliper on the distance scale is 3.0.2's own sd.cal expression.
rparity_matchit302 <- function(lib, data, treat, covariates, exact, options, seed, sample_kind) {
  m <- rparity_matchit302_object(lib, data, treat, covariates, exact, options, seed, sample_kind)
  mm <- m$match.matrix
  mmi <- matrix(match(mm, rownames(data)), nrow = nrow(mm), ncol = ncol(mm))
  cal <- options$caliper
  sd_cal <- if (is.null(cal) || cal <= 0) NULL else cal * sqrt(var(m$distance[!m$discarded]))
  list(distance = unname(m$distance), weights = unname(m$weights),
       treat = unname(as.integer(m$treat)), subclass = NULL, discarded = unname(m$discarded),
       focal_rows = match(rownames(mm), rownames(data)),
       match_matrix = as.vector(mmi), mm_ncol = ncol(mm), caliper = sd_cal, estimand = "ATT",
       model = if (is.null(m$model)) NULL else rparity_glm_values(m$model))
}

rparity_match_data302 <- function(lib, data, treat, covariates, exact, options, seed, sample_kind) {
  env <- rparity_matchit302_env(lib)
  m <- rparity_matchit302_object(lib, data, treat, covariates, exact, options, seed, sample_kind)
  md <- env$match.data(m)
  list(rows = match(rownames(md), rownames(data)), distance = unname(md$distance),
       weights = unname(md$weights), subclass = NULL)
}

rparity_matchit <- function(data, treat, covariates, exact, options, seed, sample_kind = "Rejection",
                            caliper_names = NULL, null_method = FALSE) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed, sample_kind, caliper_names,
                              null_method)
  mm <- m$match.matrix
  if (is.null(mm)) mm <- matrix(character(0), nrow = 0, ncol = 0)  # a subclass method (exact)
  mmi <- matrix(match(mm, rownames(data)), nrow = nrow(mm), ncol = ncol(mm))
  list(distance = if (is.null(m$distance)) NULL else unname(m$distance), weights = unname(m$weights),
       treat = unname(as.integer(m$treat)),
       subclass = if (is.null(m$subclass)) NULL else as.integer(unname(m$subclass)),
       discarded = unname(m$discarded),
       focal_rows = match(rownames(mm), rownames(data)),
       match_matrix = as.vector(mmi), mm_ncol = ncol(mm),
       caliper = if (is.null(m$caliper)) NULL else unname(m$caliper),
       caliper_names = if (is.null(names(m$caliper))) NULL else names(m$caliper),
       q_cut = if (is.null(m$q.cut)) NULL else unname(m$q.cut),
       estimand = m$estimand,
       s_weights = if (is.null(m$s.weights)) NULL else unname(as.numeric(m$s.weights)),
       model = if (is.null(m$model)) NULL else rparity_glm_values(m$model))
}

rparity_matchit_summary <- function(data, treat, covariates, exact, options, seed, sample_kind = "Rejection",
                                    caliper_names = NULL, null_method = FALSE) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed, sample_kind, caliper_names,
                              null_method)
  s <- summary(m)
  ## subclassification reports its weighted balance as "sum.across" (across subclasses)
  matched <- if (is.null(s$sum.matched)) s$sum.across else s$sum.matched
  list(sum_all = rparity_balance_table(s$sum.all),
       sum_matched = if (is.null(matched)) NULL else rparity_balance_table(matched),  # NULL: method = NULL
       nn_control = unname(s$nn[, "Control"]), nn_treated = unname(s$nn[, "Treated"]))
}

rparity_match_data <- function(data, treat, covariates, exact, options, seed, sample_kind = "Rejection",
                               caliper_names = NULL, null_method = FALSE) {
  m <- rparity_matchit_object(data, treat, covariates, exact, options, seed, sample_kind, caliper_names,
                              null_method)
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

## Benchmark: MatchIt 3.0.2's matchit (caliper, set.seed under the sampler) timed
## inside R, and its match matrix (1-based rows).
rparity_time_matchit302 <- function(lib, X, treat, caliper, seed, sample_kind, reps) {
  env <- rparity_matchit302_env(lib)
  d <- X
  d$treat <- treat
  f <- stats::reformulate(names(X), response = "treat")
  best <- Inf
  m <- NULL
  for (i in seq_len(reps)) {
    old <- rparity_seed(seed, sample_kind)
    tm <- system.time(m <- env$matchit(f, data = d, method = "nearest", caliper = caliper))
    suppressWarnings(RNGkind(sample.kind = old))
    best <- min(best, unname(tm["elapsed"]))
  }
  list(seconds = best, match_matrix = match(m$match.matrix[, 1], rownames(d)))
}

## Benchmark: exact matching or subclassification timed inside R; its weights and subclasses.
rparity_time_matchit_exact <- function(X, treat, method = "exact") {
  d <- X
  d$treat <- treat
  f <- stats::reformulate(names(X), response = "treat")
  tm <- system.time(m <- MatchIt::matchit(f, data = d, method = method))
  list(seconds = unname(tm["elapsed"]), weights = unname(m$weights), subclass = as.integer(m$subclass))
}
