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
