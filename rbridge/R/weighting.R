## Weighting for confounding: inverse-probability weights from R's glm score,
## and the balance of the weighted sample. WeightIt is not packaged for
## Debian, so its documented weight formulas (get_w_from_ps, stabilize_w,
## trim(at, lower)) and cobalt's documented balance conventions (col_w_smd,
## col_w_vr, s.d.denom) are written out here, in plain R. The caller's columns
## arrive under placeholder names (v01..vk, u01.. for names that are not
## columns); every refusal ends with its kind in brackets ("[trim.value]"),
## which rparity/refusals.py reads.

rparity_w_stop <- function(text, kind) stop(paste0("rparity weighting: ", text, " [", kind, "]"), call. = FALSE)

## The treatment as MatchIt's binomial glm reads it: 0/1, logical, or a factor
## whose first used level is control. Returns 0/1 integers.
rparity_w_treat <- function(x) {
  if (anyNA(x)) rparity_w_stop("`treat` must not contain missing values", "treat.missing")
  if (is.factor(x)) {
    used <- levels(x)[levels(x) %in% as.character(x)]
    if (length(used) != 2L) rparity_w_stop("`treat` must be a binary variable (two distinct values)", "treat.binary")
    return(as.integer(as.character(x) == used[2L]))
  }
  if (length(unique(x)) != 2L) rparity_w_stop("`treat` must be a binary variable (two distinct values)", "treat.binary")
  if (is.logical(x)) return(as.integer(x))
  if (!is.numeric(x) || !all(x %in% c(0, 1)))
    rparity_w_stop("`treat` must be coded 0/1 (or logical, or a factor) for the propensity glm", "treat.values")
  as.integer(x != 0)
}

rparity_w_design <- function(data, treat, covariates) {
  if (nrow(data) == 0L) rparity_w_stop("`data` must have at least one row", "data.empty")
  if (!(treat %in% names(data))) rparity_w_stop(paste0("object '", treat, "' not found"), "data.column")
  miss <- setdiff(covariates, names(data))
  if (length(miss)) rparity_w_stop(paste0("object '", miss[1L], "' not found"), "data.column")
  if (treat %in% covariates) rparity_w_stop("`covariates` must not include the treatment column", "covariates.treat")
  if (length(covariates) == 0L) rparity_w_stop("`covariates` must name at least one column", "covariates.empty")
  t <- rparity_w_treat(data[[treat]])
  bad <- vapply(covariates, function(v) anyNA(data[[v]]) || (is.numeric(data[[v]]) && any(is.infinite(data[[v]]))),
                logical(1L))
  if (any(bad)) rparity_w_stop("`covariates` must not contain missing or non-finite values", "covariates.missing")
  t
}

rparity_w_estimand <- function(estimand) {
  estimand <- toupper(estimand)
  if (!(estimand %in% c("ATE", "ATT", "ATC")))
    rparity_w_stop("`estimand` must be one of \"ATE\", \"ATT\", \"ATC\"", "estimand.value")
  estimand
}

## WeightIt's trim.default / .trim_weights (drop = FALSE): arms whose weights
## are all the same (check_if_zero(max - min), tolerance 1e-8) are not trimmed;
## the others are winsorised at quantile(type = 3), or at an order statistic
## when `at` counts weights.
rparity_w_trim <- function(w, t, at, lower) {
  same <- vapply(c(0L, 1L), function(a) abs(max(w[t == a]) - min(w[t == a])) < 1e-8, logical(1L))
  if (all(same)) {
    warning("weights are all the same in each treatment group and will not be trimmed", call. = FALSE)
    return(list(w = w, bounds = numeric(0)))
  }
  trimmed <- t %in% c(0L, 1L)[!same]
  wt <- w[trimmed]
  if (at < 1) {
    probs <- if (lower) c(1 - at, at) else c(0, at)
    q <- unname(stats::quantile(wt, probs = probs, type = 3))
  } else {
    n <- length(wt)
    if (at >= n) {
      warning(sprintf("`at` must be less than %d, the number of units whose weights are trimmed. Weights will not be trimmed", n),
              call. = FALSE)
      return(list(w = w, bounds = numeric(0)))
    }
    k <- as.integer(min(at, n - at))
    top <- if (lower) c(k + 1L, n - k) else c(1L, n - k)
    q <- sort(wt)[top]
  }
  w[trimmed & w < q[1L]] <- q[1L]
  w[trimmed & w > q[2L]] <- q[2L]
  list(w = w, bounds = c(if (lower) q[1L] else NA_real_, q[2L]))
}

rparity_ps_weights <- function(data, treat, covariates, estimand = "ATE", link = "logit", stabilize = FALSE,
                               trim = NULL, trim_lower = FALSE) {
  covariates <- as.character(unlist(covariates))
  t <- rparity_w_design(data, treat, covariates)
  estimand <- rparity_w_estimand(estimand)
  if (!(link %in% c("logit", "probit", "cloglog", "log", "cauchit")))
    rparity_w_stop("`link` must be one of \"logit\", \"probit\", \"cloglog\", \"log\", \"cauchit\"", "link.value")
  if (!is.logical(stabilize) || length(stabilize) != 1L || is.na(stabilize))
    rparity_w_stop("`stabilize` must be TRUE or FALSE", "argument.value")
  ## WeightIt weightit(): "`stabilize` can only be supplied when `estimand = "ATE"`"
  if (stabilize && estimand != "ATE")
    rparity_w_stop("`stabilize` can only be supplied when `estimand = \"ATE\"`", "stabilize.estimand")
  if (!is.null(trim)) {
    ok <- is.numeric(trim) && length(trim) == 1L && is.finite(trim) &&
      ((trim > 0.5 && trim < 1) || (trim >= 1 && trim == round(trim)))
    if (!ok) rparity_w_stop("`trim` must be NULL, a quantile in (0.5, 1) or a whole number >= 1", "trim.value")
  }
  if (!is.logical(trim_lower) || length(trim_lower) != 1L || is.na(trim_lower))
    rparity_w_stop("`trim_lower` must be TRUE or FALSE", "argument.value")
  d <- data
  d$rparity_treat01 <- t
  f <- eval(call("~", quote(rparity_treat01), rparity_rhs(covariates)), globalenv())
  fam <- stats::binomial(link = link)
  fit <- stats::glm(f, data = d, family = fam)
  ps <- unname(fit$fitted.values)
  ## WeightIt .get_w_from_ps_internal_bin
  i0 <- t == 0L
  w <- rep(1, length(t))
  if (estimand == "ATE") {
    w[i0] <- 1 / (1 - ps[i0])
    w[!i0] <- 1 / ps[!i0]
  } else if (estimand == "ATT") {
    w[i0] <- ps[i0] / (1 - ps[i0])
  } else {
    q <- 1 - ps[!i0]
    w[!i0] <- q / (1 - q)
  }
  if (any(!is.finite(w))) rparity_w_stop("the weights must be finite (propensity score at 0 or 1)", "weights.nonfinite")
  if (any(w < 0)) rparity_w_stop("the weights must be non-negative (a propensity score outside (0, 1))", "weights.negative")
  if (!any(w[t == 1L] > 0) || !any(w[i0] > 0))
    rparity_w_stop("the weights are zero for every unit of an arm", "weights.arm")
  ## WeightIt stabilize_w: times the proportion of the unit's arm
  if (stabilize) w <- w * ifelse(t == 1L, sum(t == 1L) / length(t), sum(t == 0L) / length(t))
  bounds <- numeric(0)
  if (!is.null(trim)) {
    tr <- rparity_w_trim(w, t, trim, trim_lower)
    w <- tr$w
    bounds <- tr$bounds
  }
  ess <- function(v) sum(v)^2 / sum(v^2)
  list(ps = ps, weights = w, treat = t, ess_treated = ess(w[t == 1L]), ess_control = ess(w[i0]),
       n_treated = sum(t == 1L), n_control = sum(i0), bounds = bounds, model = rparity_glm_values(fit))
}

## cobalt's conventions: s* from the unweighted sample (treated SD for ATT,
## controls' for ATC, sqrt((v1 + v0)/2) for ATE; p(1 - p) for binary columns,
## the n - 1 variance otherwise), the same before and after weighting; the
## weighted variance of normalised weights sum(w (x - m)^2)/(1 - sum(w^2)).
rparity_w_row <- function(x, t, w, estimand) {
  binary <- all(x == 0 | x == 1)
  i1 <- t == 1L
  i0 <- t == 0L
  wmean <- function(v, ww) sum(ww * v) / sum(ww)
  vun <- function(v) {
    m <- sum(v) / length(v)
    if (binary) m * (1 - m) else sum((v - m) * (v - m)) / (length(v) - 1)
  }
  vw <- function(v, ww) {
    if (sum(ww != 0) < 2L) return(NA_real_)
    wn <- ww / sum(ww)
    m <- sum(wn * v)
    sum(wn * (v - m) * (v - m)) / (1 - sum(wn * wn))
  }
  m1 <- wmean(x[i1], w[i1]); m0 <- wmean(x[i0], w[i0])
  m1u <- wmean(x[i1], rep(1, sum(i1))); m0u <- wmean(x[i0], rep(1, sum(i0)))
  v1 <- vun(x[i1]); v0 <- vun(x[i0])
  s <- switch(estimand, ATT = sqrt(v1), ATC = sqrt(v0), ATE = sqrt((v1 + v0) / 2))
  smd <- function(d) if (abs(d) < sqrt(.Machine$double.eps)) d else d / s
  vr <- if (binary) c(NA_real_, NA_real_) else
    c(vw(x[i1], w[i1]) / vw(x[i0], w[i0]), vw(x[i1], rep(1, sum(i1))) / vw(x[i0], rep(1, sum(i0))))
  c(as.numeric(binary), m1, m0, smd(m1 - m0), vr[1L], m1u, m0u, smd(m1u - m0u), vr[2L], s)
}

rparity_weighted_balance <- function(data, treat, covariates, weights, estimand = "ATE") {
  covariates <- as.character(unlist(covariates))
  t <- rparity_w_design(data, treat, covariates)
  estimand <- rparity_w_estimand(estimand)
  if (!is.numeric(weights)) rparity_w_stop("`weights` must be numeric", "weights.type")
  if (length(weights) != length(t)) rparity_w_stop("`weights` must have one value per row of `data`", "lengths")
  if (any(!is.finite(weights))) rparity_w_stop("`weights` must be finite", "weights.nonfinite")
  if (any(weights < 0)) rparity_w_stop("`weights` must be non-negative", "weights.negative")
  if (!any(weights[t == 1L] > 0) || !any(weights[t == 0L] > 0))
    rparity_w_stop("`weights` are zero for every unit of an arm", "weights.arm")
  ## every level of a factor, a logical as <name>TRUE (MatchIt's get.covs.matrix), unused levels dropped
  mf <- stats::model.frame(stats::reformulate(covariates), data = data, drop.unused.levels = TRUE)
  fac <- names(mf)[vapply(mf, function(v) is.factor(v) || is.character(v), logical(1L))]
  ctr <- lapply(stats::setNames(fac, fac), function(v) stats::contrasts(factor(mf[[v]]), contrasts = FALSE))
  mm <- stats::model.matrix(attr(mf, "terms"), mf, contrasts.arg = if (length(ctr)) ctr else NULL)
  keep <- colnames(mm) != "(Intercept)"
  X <- mm[, keep, drop = FALSE]
  rows <- lapply(seq_len(ncol(X)), function(j) rparity_w_row(unname(X[, j]), t, weights, estimand))
  list(names = colnames(X), assign = attr(mm, "assign")[keep], term_labels = attr(attr(mf, "terms"), "term.labels"),
       table = do.call(rbind, rows))
}
