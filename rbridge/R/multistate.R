## survival: multi-state curves, survfit(Surv(time, <factor>) ~ groups) and
## survfit(Surv(start, stop, <factor>) ~ groups, id =, istate =) (survfitCI). The caller's vectors are variables of a fresh environment
## (placeholder names); R accepts or refuses the call an R user would type.

rparity_survfit_ms <- function(time, event, weights, conf_type, conf_int, se_fit, form = NULL,
                               start_time = NULL, p0 = NULL, id = NULL, istate = NULL, cluster = NULL,
                               influence = FALSE) {
  if (!is.null(form)) {
    fc <- rparity_formula_call("survfit", form, list(.rp_w = weights, .rp_id = id, .rp_is = istate,
                                                     .rp_cl = cluster))
    cl <- fc$call
    env <- fc$env
  } else {
    env <- rparity_env(list(time = time, event = event, w = weights, .rp_id = id, .rp_is = istate,
                            .rp_cl = cluster))
    cl <- call("survfit", call("~", quote(Surv(time, event)), 1))
  }
  if (!is.null(weights)) cl$weights <- if (is.null(form)) quote(w) else quote(.rp_w)
  if (!is.null(id)) cl$id <- quote(.rp_id)
  if (!is.null(istate)) cl$istate <- quote(.rp_is)
  if (!is.null(cluster)) cl$cluster <- quote(.rp_cl)
  if (!isFALSE(influence)) cl$influence <- influence
  cl$conf.type <- conf_type
  cl$conf.int <- conf_int
  cl$se.fit <- se_fit
  if (!is.null(start_time)) cl$start.time <- start_time
  if (!is.null(p0)) cl$p0 <- p0
  fit <- eval(cl, env)
  if (!inherits(fit, "survfitms"))
    stop("rparity: survfit_ms needs a factor status (with a 0/1 status survfit gives a Kaplan-Meier curve)")
  ns <- length(fit$states)
  ## survfit_confint's arcsin limits come back without their dim (pmax(0, <matrix>) takes the attributes of
  ## its first argument): the same numbers, column by column; give them pstate's shape
  for (k in c("lower", "upper"))
    if (!is.null(fit[[k]]) && is.null(dim(fit[[k]]))) fit[[k]] <- matrix(fit[[k]], nrow = nrow(fit$pstate))
  tr <- fit$transitions
  ## influence.pstate: one array (subjects x 1 + times x states) for one curve, a list of them for several
  inf <- fit$influence.pstate
  inf <- if (is.array(inf)) list(inf) else unname(inf)
  list(states = fit$states, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
       n_censor = fit$n.censor, pstate = fit$pstate, std_err = fit$std.err, lower = fit$lower,
       upper = fit$upper, cumhaz = unname(fit$cumhaz), cumhaz_names = colnames(fit$cumhaz),
       p0 = matrix(fit$p0, ncol = ns), sp0 = if (is.null(fit$sp0)) NULL else matrix(fit$sp0, ncol = ns),
       transitions = matrix(as.integer(tr), nrow = nrow(tr)), transitions_from = rownames(tr),
       transitions_to = colnames(tr), n = fit$n,
       strata = if (is.null(fit$strata)) NULL else rep(names(fit$strata), as.vector(fit$strata)),
       start_time = fit$start.time, conf_type = fit$conf.type, conf_int = fit$conf.int,
       influence = if (is.null(inf)) NULL else lapply(inf, function(a) as.vector(unname(a))),
       influence_dim = if (is.null(inf)) NULL else lapply(inf, dim),
       influence_ids = if (is.null(inf)) NULL else lapply(inf, function(a) dimnames(a)[[1]]))
}

## finegray(formula, data, weights =, etype =, prefix =, count =, timefix =): the formula's data are the
## placeholders' columns; etype, prefix and count are values (never code)
rparity_finegray <- function(form, weights = NULL, etype = NULL, prefix = "fg", count = NULL, timefix = TRUE) {
  fc <- rparity_formula_call("finegray", form, list(.rp_w = weights))
  cl <- fc$call
  if (!is.null(weights)) cl$weights <- quote(.rp_w)
  if (!is.null(etype)) cl$etype <- etype
  cl$prefix <- prefix
  if (!is.null(count)) cl$count <- count
  cl$timefix <- timefix
  out <- eval(cl, fc$env)
  list(frame = out, event = attr(out, "event"))
}

## bench/multistate.py: survfit on a factor status timed inside R (model frame and survfitCI; no
## conversion), `reps` runs
rparity_time_survfit_ms <- function(time, event, se_fit = TRUE, reps = 1L) {
  seconds <- numeric(reps)
  fit <- NULL
  for (r in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- survival::survfit(survival::Surv(time, event) ~ 1, se.fit = se_fit)
    seconds[r] <- proc.time()[["elapsed"]] - t0
  }
  list(seconds = seconds, pstate = fit$pstate, std_err = fit$std.err)
}
