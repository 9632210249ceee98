## survival: Kaplan-Meier and G-rho tests. The caller's vectors are variables
## of a fresh environment (placeholder names time, event, w, group, stratum);
## the call is what an R user would type, and R accepts or refuses it.

rparity_km_fit <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL,
                           id = NULL, cluster = NULL) {
  if (!is.null(form)) {
    ## the formula form (rbridge/formula.py): R builds the model frame itself
    fc <- rparity_formula_call("survfit", form, list(.rp_w = weights, .rp_id = id, .rp_cl = cluster))
    cl <- fc$call
    env <- fc$env
  } else {
    env <- rparity_env(list(time = time, event = event, w = weights, .rp_id = id, .rp_cl = cluster))
    cl <- call("survfit", call("~", rparity_surv(event), 1))
  }
  if (!is.null(weights)) cl$weights <- if (is.null(form)) quote(w) else quote(.rp_w)
  if (!is.null(id)) cl$id <- quote(.rp_id)
  if (!is.null(cluster)) cl$cluster <- quote(.rp_cl)
  cl$conf.type <- conf_type
  cl$conf.int <- conf_int
  cl$conf.lower <- conf_lower
  for (nm in names(options)) cl[[nm]] <- options[[nm]]  # stype, ctype, type, robust...: values, never code
  rparity_start_time_guard(cl, env)
  fit <- tryCatch(eval(cl, env), error = function(e) {
    ## survfitKM.R stores each curve's influence in a list; a curve start.time left without rows stores
    ## NULL, which drops the element, and R fails on R's own two messages below: say which case it is
    if (!is.null(cl$start.time) && !isFALSE(cl$influence) && !identical(cl$influence, 0) &&
        grepl("subscript out of bounds|attempt to set 'rownames'", conditionMessage(e)))
      stop("rparity: survfitKM's influence fails when start.time leaves a curve without rows (R: ",
           conditionMessage(e), ")", call. = FALSE)
    stop(e)
  })
  rparity_one_curve_type(fit)
}

## survival 3.5-3's survfitKM reads past its data (a segfault, fatal to the
## embedded R) when start.time is after every time: stop with an R error
## instead (after R's own earlier checks, which the call without start.time
## makes). With several curves R does not crash but returns no curve at all;
## the guard refuses that too (every engine: an empty fit answers nothing)
rparity_start_time_guard <- function(cl, env) {
  if (is.null(cl$start.time)) return(invisible(NULL))
  mf <- cl[c(1L, 2L, match(c("data", "subset"), names(cl), 0L))]
  names(mf)[2L] <- "formula"
  mf[[1L]] <- quote(stats::model.frame)
  y <- model.response(eval(mf, env))
  if (!inherits(y, "Surv")) return(invisible(NULL))
  times <- y[, ncol(y) - 1L]
  if (!any(times >= cl$start.time, na.rm = TRUE)) {
    ## R's own checks before survfitKM's C call still speak first: the call without start.time
    probe <- cl
    probe$start.time <- NULL
    eval(probe, env)
    stop("rparity: start.time is after every time (survival 3.5-3's survfitKM crashes on this)")
  }
  invisible(NULL)
}

## multi-state curves (a factor status) are not in the contract: say so, as an R error
rparity_one_curve_type <- function(fit) {
  if (inherits(fit, "survfitms"))
    stop("rparity: multi-state survfit (a factor status) is not in the contract")
  fit
}

rparity_na_vec <- function(x, n) if (is.null(x)) rep(NA_real_, n) else x

rparity_survfit <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL,
                            id = NULL, cluster = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options, id, cluster)
  nt <- length(fit$time)
  infs <- rparity_influence(fit$influence.surv)
  infc <- rparity_influence(fit$influence.chaz)
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err,
       lower = rparity_na_vec(fit$lower, nt), upper = rparity_na_vec(fit$upper, nt),
       cumhaz = fit$cumhaz, std_chaz = rparity_na_vec(fit$std.chaz, nt), n = fit$n, logse = fit$logse,
       conf_type = fit$conf.type, conf_int = fit$conf.int,
       strata = if (is.null(fit$strata)) NULL else rep(names(fit$strata), as.vector(fit$strata)),
       n_enter = fit$n.enter, start_time = fit$start.time, counting = identical(fit$type, "counting"),
       influence_surv = infs$values, influence_chaz = infc$values,
       influence_ids = if (is.null(infs)) infc$ids else infs$ids)
}

## survfit's influence matrix (clusters x times), or its list of one matrix
## per curve as one block-diagonal matrix, rows named by each curve's clusters
rparity_influence <- function(m) {
  if (is.null(m)) return(NULL)
  if (is.matrix(m)) return(list(values = unname(m), ids = rownames(m)))
  m <- Filter(Negate(is.null), m)
  out <- matrix(0, sum(vapply(m, nrow, 1L)), sum(vapply(m, ncol, 1L)))
  r <- 0L
  c <- 0L
  for (b in m) {
    out[r + seq_len(nrow(b)), c + seq_len(ncol(b))] <- b
    r <- r + nrow(b)
    c <- c + ncol(b)
  }
  list(values = out, ids = unlist(lapply(m, rownames)))
}

rparity_survfit_summary <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL, times, extend,
                                    id = NULL, cluster = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options, id, cluster)
  s <- summary(fit, times = times, extend = extend)
  nt <- length(s$time)
  list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       surv = s$surv, std_err = s$std.err,
       lower = rparity_na_vec(s$lower, nt), upper = rparity_na_vec(s$upper, nt),
       cumhaz = s$cumhaz, std_chaz = rparity_na_vec(s$std.chaz, nt),
       strata = if (is.null(s$strata)) NULL else as.character(s$strata))
}

rparity_survfit_quantile <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL, probs,
                                     id = NULL, cluster = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options, id, cluster)
  q <- quantile(fit, probs = probs)
  ## several curves: matrices (curves x probs), each curve's row in turn
  flat <- function(m) if (is.matrix(m)) as.vector(t(m)) else unname(m)
  strata <- if (is.null(fit$strata)) NULL else names(fit$strata)
  if (is.list(q)) list(quantile = flat(q$quantile), lower = flat(q$lower), upper = flat(q$upper), strata = strata)
  else list(quantile = flat(q), lower = rep(NA_real_, length(q)), upper = rep(NA_real_, length(q)), strata = strata)
}

rparity_survfit_table <- function(time, event, weights, conf_type, conf_int, conf_lower, form = NULL, options = NULL,
                                  id = NULL, cluster = NULL) {
  fit <- rparity_km_fit(time, event, weights, conf_type, conf_int, conf_lower, form, options, id, cluster)
  tab <- summary(fit)$table
  if (!is.matrix(tab)) tab <- matrix(tab, nrow = 1, dimnames = list(NULL, names(tab)))
  get <- function(nm) if (nm %in% colnames(tab)) unname(tab[, nm]) else rep(NA_real_, nrow(tab))
  lcl <- grep("LCL$", colnames(tab), value = TRUE)
  ucl <- grep("UCL$", colnames(tab), value = TRUE)
  list(records = get("records"), n_max = get("n.max"), n_start = get("n.start"),
       events = get("events"), rmean = get("rmean"), se_rmean = get("se(rmean)"),
       median = get("median"),
       lcl = if (length(lcl)) unname(tab[, lcl]) else rep(NA_real_, nrow(tab)),
       ucl = if (length(ucl)) unname(tab[, ucl]) else rep(NA_real_, nrow(tab)),
       strata = if (is.null(fit$strata)) NULL else names(fit$strata))
}

## survdiff's formula form: groups keep R's own labels ("v1=1", placeholders
## translated back by the caller)
rparity_survdiff_formula <- function(form, rho) {
  fc <- rparity_formula_call("survdiff", form)
  cl <- fc$call
  cl$rho <- rho
  fit <- eval(cl, fc$env)
  etmp <- if (is.matrix(fit$exp)) apply(fit$exp, 1, sum) else fit$exp
  one_sample <- is.null(names(fit$n))  # ~ offset(p): print.survdiff's one-sample test, 1 df
  list(groups = if (one_sample) character(0) else names(fit$n), n = as.vector(fit$n),
       obs = as.vector(fit$obs), exp = as.vector(fit$exp),
       obs_dim = if (is.matrix(fit$obs)) dim(fit$obs) else NULL,
       var = as.vector(fit$var), chisq = fit$chisq, df = if (one_sample) 1 else sum(etmp > 0) - 1,
       pvalue = fit$pvalue)
}

rparity_survdiff <- function(time, event, group, strata, rho) {
  env <- rparity_env(list(time = time, event = event, group = group, stratum = strata))
  rhs <- if (is.null(strata)) quote(group) else quote(group + strata(stratum))
  cl <- call("survdiff", call("~", rparity_surv(event), rhs))
  cl$rho <- rho
  fit <- eval(cl, env)
  etmp <- if (is.matrix(fit$exp)) apply(fit$exp, 1, sum) else fit$exp
  list(groups = sub("^group=", "", names(fit$n)), n = as.vector(fit$n),
       obs = as.vector(fit$obs), exp = as.vector(fit$exp),
       obs_dim = if (is.matrix(fit$obs)) dim(fit$obs) else NULL,
       var = as.vector(fit$var), chisq = fit$chisq, df = sum(etmp > 0) - 1, pvalue = fit$pvalue)
}

## survSplit on the formula form: the new columns' names are values in `options`
rparity_survsplit <- function(form, cut, zero, options = NULL) {
  fc <- rparity_formula_call("survSplit", form)
  cl <- fc$call
  cl$cut <- cut
  cl$zero <- zero
  for (nm in names(options)) cl[[nm]] <- options[[nm]]
  eval(cl, fc$env)
}

## survSplit's data-frame form: survSplit(data, cut =, end =, event =, start =, ...), names as values
rparity_survsplit_df <- function(data, cut, zero, options = NULL) {
  args <- c(list(data = data, cut = cut, zero = zero), options)
  do.call(survival::survSplit, args)
}

## tmerge(data1, data2, id = <id>, <name> = tdc(<time>, <value>, init), ..., tstart =, tstop =, options =):
## every column is a symbol (as.name of its name: never parsed), the caller's values are columns of data2.
## A tmerge result made earlier comes back as R's object: its tm.retain and tcount attributes and class.
rparity_tmerge <- function(data1, data2, id, terms, tstart = NULL, tstop = NULL, options = NULL, retain = NULL) {
  if (!is.null(retain)) {
    tm <- list(tname = list(idname = retain$idname, tstartname = retain$tstartname,
                            tstopname = retain$tstopname), n = nrow(data1))
    if (length(retain$events)) tm$tevent <- list(name = retain$events, censor = retain$censors)
    if (length(retain$tdcvars)) tm$tdcvar <- retain$tdcvars
    attr(data1, "tm.retain") <- tm
    tc <- retain$tcount
    dimnames(tc) <- list(retain$tcount_terms, c("early", "late", "gap", "within", "boundary", "leading",
                                                "trailing", "tied", "missid"))
    attr(data1, "tcount") <- tc
    for (nm in names(retain$classes)) {  # each column's class as the result had it
      data1[[nm]] <- switch(retain$classes[[nm]], character = as.character(data1[[nm]]),
                            logical = as.logical(data1[[nm]]), integer = as.integer(data1[[nm]]),
                            numeric = as.numeric(data1[[nm]]), data1[[nm]])
    }
    class(data1) <- c("tmerge", "data.frame")
  }
  ## an argument: list(sym = <column name>) is that column of data2, list(val = <value>) the value itself
  arg <- function(a) if (!is.null(a$sym)) as.name(a$sym) else a$val
  cl <- list(quote(survival::tmerge), data1 = quote(.rparity_data1), data2 = quote(.rparity_data2), id = arg(id))
  for (one in terms) {
    term <- if (is.null(one$kind)) arg(one$time) else {
      tt <- list(as.name(one$kind), arg(one$time))
      if (!is.null(one$value)) tt$value <- arg(one$value)
      if (!is.null(one$init)) tt$init <- one$init
      if (!is.null(one$censor)) tt$censor <- one$censor
      as.call(tt)
    }
    cl <- c(cl, setNames(list(term), one$name))
  }
  if (!is.null(tstart)) cl$tstart <- arg(tstart)
  if (!is.null(tstop)) cl$tstop <- arg(tstop)
  if (!is.null(options)) cl$options <- options
  env <- new.env(parent = globalenv())
  assign(".rparity_data1", data1, envir = env)
  assign(".rparity_data2", data2, envir = env)
  out <- eval(as.call(cl), env)
  rparity_tmerge_parts(out)
}

## a tmerge result as plain parts: each column with its class (factor codes and levels, date-times in
## seconds), tcount by rows, and tm.retain
rparity_tmerge_parts <- function(x) {
  column <- function(nm) {
    v <- x[[nm]]
    if (is.factor(v)) return(list(name = nm, class = "factor", values = as.integer(v), levels = levels(v)))
    if (inherits(v, "Date")) return(list(name = nm, class = "POSIXct", values = as.numeric(v) * 86400))
    if (inherits(v, "POSIXct")) return(list(name = nm, class = "POSIXct", values = as.numeric(v)))
    list(name = nm, class = class(v)[1], values = unclass(v))
  }
  tm <- attr(x, "tm.retain")
  tc <- attr(x, "tcount")
  censor <- lapply(tm$tevent$censor, function(c) list(class = class(c)[1], value = c))
  list(columns = lapply(names(x), column), nrow = nrow(x), tcount = as.vector(t(tc)), tcount_terms = rownames(tc),
       idname = tm$tname$idname, tstartname = tm$tname$tstartname, tstopname = tm$tname$tstopname,
       events = as.list(tm$tevent$name), censors = unname(censor), tdcvars = as.list(tm$tdcvar))
}
