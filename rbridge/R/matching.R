## Matching: Match(Y, Tr, X, ...) called with the caller's vectors and options as
## arguments (never code); set.seed(seed) first when a seed is given (ties =
## FALSE breaks ties with R's RNG). Match's NA value (no valid match) is
## returned as list(matched = FALSE).

rparity_matching_match <- function(Y, Tr, X, estimand = "ATT", M = 1, BiasAdjust = FALSE, exact = NULL,
                                   caliper = NULL, replace = TRUE, ties = TRUE, Weight = 1, Var.calc = 0,
                                   sample = FALSE, distance.tolerance = 0.00001,
                                   tolerance = sqrt(.Machine$double.eps), seed = NULL) {
  if (!is.null(seed)) set.seed(seed)
  args <- list(Y = Y, Tr = Tr, X = X, estimand = estimand, M = M, BiasAdjust = BiasAdjust, exact = exact,
               caliper = caliper, replace = replace, ties = ties, Weight = Weight, Var.calc = Var.calc,
               sample = sample, distance.tolerance = distance.tolerance, tolerance = tolerance)
  ## NULL list elements are dropped by list(): the defaults (Y = NULL, exact = NULL, caliper = NULL) apply
  m <- do.call(Matching::Match, args[!vapply(args, is.null, logical(1))])
  if (!is.list(m)) return(list(matched = FALSE))
  list(matched = TRUE, est = as.numeric(m$est), se = if (is.null(m$se)) NULL else as.numeric(m$se),
       est_noadj = m$est.noadj, se_standard = m$se.standard,
       se_cond = if (is.null(m$se.cond)) NULL else as.numeric(m$se.cond),
       index_treated = as.numeric(m$index.treated), index_control = as.numeric(m$index.control),
       weights = as.numeric(m$weights), index_dropped = as.numeric(m$index.dropped),
       orig_nobs = m$orig.nobs, orig_wnobs = m$orig.wnobs, orig_treated_nobs = m$orig.treated.nobs,
       nobs = m$nobs, wnobs = m$wnobs, ndrops = m$ndrops, ndrops_matches = m$ndrops.matches,
       caliper = if (is.null(m$caliper)) NULL else as.numeric(m$caliper),
       ecaliper = if (is.null(m$ecaliper)) NULL else as.numeric(m$ecaliper),
       estimand = m$estimand, version = m$version)
}

rparity_package_version <- function(package) as.character(utils::packageVersion(package))
