## stats: Fisher's exact test and Pearson's chi-squared test on whatever the
## caller passed as the table (converted, not checked: R decides).

rparity_fisher_test <- function(x, alternative, conf_int, conf_level, or) {
  f <- stats::fisher.test(x, alternative = alternative, conf.int = conf_int,
                          conf.level = conf_level, or = or)
  list(p_value = unname(f$p.value),
       estimate = if (is.null(f$estimate)) NA_real_ else unname(f$estimate),
       conf_int = if (is.null(f$conf.int)) c(NA_real_, NA_real_) else as.vector(f$conf.int),
       alternative = f$alternative)
}

rparity_chisq_test <- function(x, correct) {
  f <- stats::chisq.test(x, correct = correct)
  list(statistic = unname(f$statistic), parameter = unname(f$parameter),
       p_value = unname(f$p.value), expected = as.vector(f$expected),
       residuals = as.vector(f$residuals), stdres = as.vector(f$stdres),
       dim = dim(f$expected))
}
