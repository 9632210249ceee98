## Timing helpers for bench/: time a call inside R (no conversion, no start-up).

rparity_time_survfit <- function(time, event, reps) {
  d <- data.frame(time = time, event = event)
  best <- Inf
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- survival::survfit(survival::Surv(time, event) ~ 1, data = d)
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  best
}

rparity_time_survdiff <- function(time, event, group, reps) {
  d <- data.frame(time = time, event = event, group = group)
  best <- Inf
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- survival::survdiff(survival::Surv(time, event) ~ group, data = d)
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  best
}

## bench/counting.py: time coxph on (start, stop] data inside R (model frame,
## agreg.fit, concordance; no conversion): every run's seconds, and the iterations.
rparity_time_coxph_counting <- function(x, start, stop, event, cluster, reps) {
  d <- x
  rhs <- paste(names(x), collapse = " + ")
  d$start <- start
  d$stop <- stop
  d$event <- event
  f <- stats::as.formula(paste("survival::Surv(start, stop, event) ~", rhs), env = asNamespace("survival"))
  cl <- quote(survival::coxph(f, data = d))
  if (!is.null(cluster)) { d$cl <- cluster; cl$cluster <- quote(cl) }
  rparity_time_fit(cl, environment(), reps)
}

## Every run's seconds of `cl` evaluated in `env`, and the last fit's iterations.
rparity_time_fit <- function(cl, env, reps) {
  secs <- numeric(reps)
  fit <- NULL
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- eval(cl, env)
    secs[i] <- proc.time()[["elapsed"]] - t0
  }
  list(seconds = secs, iter = fit$iter)
}

## bench/survfit_cox.py: fit coxph(Surv(time, event) ~ x1 + ... + xp) once (Efron), then time
## survfit(fit, newdata = nd) inside R (se and log limits, R's defaults).
rparity_time_survfit_cox <- function(x, time, event, newdata, reps) {
  env <- rparity_env(c(as.list(x), list(time = time, event = event)))
  env$formula <- eval(call("~", quote(survival::Surv(time, event)), rparity_rhs(names(x))), env)
  fit <- eval(quote(survival::coxph(formula)), env)
  env$fit <- fit
  env$nd <- as.data.frame(newdata)
  rparity_time_fit(quote(survival::survfit(fit, newdata = nd)), env, reps)
}
