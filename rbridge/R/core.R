## Fixed R code of the bridge. Loaded once into a private environment.
## Nothing here is built from user strings: data arrive as R objects.

## Call f with args, collecting warnings and messages; an error becomes a value.
rparity_invoke <- function(f, args) {
  warns <- character(0)
  msgs <- character(0)
  err <- NULL
  value <- withCallingHandlers(
    tryCatch(do.call(f, args), error = function(e) {
      cl <- conditionCall(e)
      err <<- list(message = conditionMessage(e),
                   call = if (is.null(cl)) NULL else paste(deparse(cl, nlines = 3L), collapse = " "))
      NULL
    }),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
  list(value = value, warnings = warns, messages = msgs, error = err)
}

rparity_versions <- function() {
  pv <- function(p) if (requireNamespace(p, quietly = TRUE)) as.character(utils::packageVersion(p)) else NA_character_
  ext <- extSoftVersion()
  list(R = R.version.string,
       survival = pv("survival"),
       MatchIt = pv("MatchIt"),
       BLAS = unname(ext["BLAS"]),
       LAPACK = La_library(),
       LAPACK_version = La_version())
}

## Deparse a call for provenance, with the data shown by placeholder names.
rparity_deparse <- function(cl) paste(deparse(cl, width.cutoff = 500L), collapse = " ")
