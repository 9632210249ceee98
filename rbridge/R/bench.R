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
