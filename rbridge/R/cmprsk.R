## cmprsk: cumulative incidence and Gray's test, cuminc() called with the
## caller's vectors as arguments (never code). What cuminc prints ("k cases
## omitted due to missing values") is captured and returned.

rparity_cuminc <- function(ftime, fstatus, group = NULL, strata = NULL, rho = 0, cencode = 0, subset = NULL) {
  args <- list(ftime = ftime, fstatus = fstatus, rho = rho, cencode = cencode)
  if (!is.null(group)) args$group <- group
  if (!is.null(strata)) args$strata <- strata
  if (!is.null(subset)) args$subset <- subset
  res <- NULL
  printed <- utils::capture.output(res <- do.call(cmprsk::cuminc, args))
  tests <- res$Tests
  curves <- res[names(res) != "Tests"]
  list(names = names(res), time = unname(lapply(curves, `[[`, "time")), est = unname(lapply(curves, `[[`, "est")),
       var = unname(lapply(curves, `[[`, "var")),
       stat = if (is.null(tests)) NULL else unname(tests[, "stat"]),
       pv = if (is.null(tests)) NULL else unname(tests[, "pv"]),
       df = if (is.null(tests)) NULL else unname(tests[, "df"]),
       causes = if (is.null(tests)) NULL else rownames(tests),
       printed = printed)
}

## crr: Fine-Gray regression. The covariates arrive as a vector, a list of
## columns (a matrix without column names) or a data.frame, and crr is called
## with symbols (cov1 = cov1), so that its names are R's "cov11", "cov12"...
## A time function is a lookup table, tf_values (one column per cov2 column)
## at tf_times, which the caller evaluated at every time it gave; crr calls it
## on its distinct failure times.

rparity_crr_matrix <- function(x, kind) {
  if (is.null(x) || kind != "columns") return(x)
  m <- do.call(cbind, unname(x))
  colnames(m) <- NULL
  m
}

rparity_crr <- function(ftime, fstatus, cov1 = NULL, cov1_kind = "vector", cov2 = NULL, cov2_kind = "vector",
                        tf_times = NULL, tf_values = NULL, tf_names = NULL, cengroup = NULL, failcode = 1,
                        cencode = 0, subset = NULL, na_action = "omit", gtol = 1e-6, maxiter = 10, init = NULL,
                        variance = TRUE) {
  cov1 <- rparity_crr_matrix(cov1, cov1_kind)
  cov2 <- rparity_crr_matrix(cov2, cov2_kind)
  cl <- list(quote(cmprsk::crr), ftime = quote(ftime), fstatus = quote(fstatus))
  if (!is.null(cov1)) cl$cov1 <- quote(cov1)
  if (!is.null(cov2)) cl$cov2 <- quote(cov2)
  if (!is.null(tf_times)) {
    tf_matrix <- do.call(cbind, unname(tf_values))
    colnames(tf_matrix) <- tf_names
    tf <- function(t) {
      i <- match(t, tf_times)
      if (anyNA(i)) stop("rparity: tf was not evaluated at a failure time")
      tf_matrix[i, , drop = FALSE]
    }
    cl$tf <- quote(tf)
  }
  if (!is.null(cengroup)) cl$cengroup <- quote(cengroup)
  if (!is.null(subset)) cl$subset <- quote(subset)
  if (!is.null(init)) cl$init <- quote(init)
  na.action <- switch(na_action, omit = stats::na.omit, exclude = stats::na.exclude, fail = stats::na.fail,
                      stop("rparity: na_action must be omit, exclude or fail"))
  cl <- c(cl, list(failcode = quote(failcode), cencode = quote(cencode), na.action = quote(na.action),
                   gtol = quote(gtol), maxiter = quote(maxiter), variance = quote(variance)))
  fit <- NULL
  printed <- utils::capture.output(fit <- eval(as.call(cl)))
  list(names = names(fit$coef), coef = unname(fit$coef), loglik = fit$loglik, score = fit$score,
       inf = c(fit$inf), var = c(fit$var), res = if (is.null(fit$res)) NULL else c(fit$res),
       uftime = fit$uftime, bfitj = fit$bfitj, tfs = c(fit$tfs), tfs_dim = dim(fit$tfs),
       converged = fit$converged, n = fit$n, n_missing = fit$n.missing, loglik_null = fit$loglik.null,
       invinf = c(fit$invinf), printed = printed)
}

## predict.crr and summary.crr on a fit's values (R's own methods on an object
## of class "crr" holding what they read).
rparity_crr_object <- function(names, coef, var, bfitj, uftime, tfs, tfs_dim, n, n_missing, loglik, loglik_null,
                               converged) {
  names(coef) <- names
  structure(list(coef = coef, var = matrix(var, length(coef)), bfitj = bfitj, uftime = uftime,
                 tfs = matrix(tfs, tfs_dim[1], tfs_dim[2]), n = n, n.missing = n_missing,
                 loglik = loglik, loglik.null = loglik_null, converged = converged, call = NULL), class = "crr")
}

rparity_crr_predict <- function(fit, cov1 = NULL, cov1_dim = NULL, cov2 = NULL, cov2_dim = NULL) {
  obj <- do.call(rparity_crr_object, fit)
  if (!is.null(cov1_dim)) cov1 <- matrix(cov1, cov1_dim[1], cov1_dim[2])
  if (!is.null(cov2_dim)) cov2 <- matrix(cov2, cov2_dim[1], cov2_dim[2])
  args <- list(obj)
  if (!is.null(cov1)) args$cov1 <- cov1
  if (!is.null(cov2)) args$cov2 <- cov2
  p <- do.call(stats::predict, args)
  list(x = c(unclass(p)), dim = dim(p))
}

rparity_crr_summary <- function(fit, conf_int = 0.95) {
  s <- summary(do.call(rparity_crr_object, fit), conf.int = conf_int)
  list(coef = c(s$coef), coef_cols = colnames(s$coef), conf = c(s$conf.int), conf_cols = colnames(s$conf.int),
       logtest = unname(s$logtest))
}
