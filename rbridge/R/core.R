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

## Conversion helpers (rbridge/_convert.py): NA at 1-based positions of a
## double vector; a factor as R's factor() builds it from codes and levels of
## their own type (R formats numeric levels itself).
rparity_na_at <- function(x, at) { x[at] <- NA_real_; x }
rparity_factor <- function(codes, levels) factor(levels[codes], levels = levels)

## A call evaluated where the data are: `vars` (a named list) become variables
## of a fresh environment whose parent is `ns`, so that formulas built there
## find them by name, as in a user's session (no data = argument).
rparity_env <- function(vars, ns = "survival") {
  env <- new.env(parent = asNamespace(ns))
  # splines' ns() and bs(), as a user's library(splines) makes them visible (the data's
  # names are placeholders, so these never hide a column)
  for (f in c("ns", "bs")) assign(f, getExportedValue("splines", f), envir = env)
  for (nm in names(vars)) assign(nm, vars[[nm]], envir = env)
  env
}

## An environment on the search path for the formulas' own functions (a user's
## session has them in globalenv): attached once per R process.
rparity_functions_env <- function() {
  if (!("rparity:functions" %in% search())) attach(NULL, name = "rparity:functions", warn.conflicts = FALSE)
  as.environment("rparity:functions")
}

## The formula form's call `fun(<formula>, data = <data>[, subset = ...])` and the
## environment it runs in: the data under their placeholder names, the formula
## built from its tree (rbridge/formula.py), `vars` (weights, id...) beside them.
rparity_formula_call <- function(fun, form, vars = list()) {
  df <- as.data.frame(form$data, stringsAsFactors = FALSE, optional = TRUE)
  env <- rparity_env(c(list(.rp_df = df), vars))
  # the formula's own functions (as a script's `ns2 <- function(x) ns(x, ...)`), from their parsed bodies;
  # also on the search path, where a user's globalenv function is (splines' makepredictcall looks there)
  for (nm in names(form$functions)) {
    fd <- form$functions[[nm]]
    params <- unlist(fd$params)
    f <- as.function(c(setNames(rep(alist(x = ), length(params)), params),
                       list(rparity_lang(fd$body, form$allowed))), envir = env)
    assign(nm, f, envir = env)
    assign(nm, f, envir = rparity_functions_env())
  }
  env$.rp_f <- eval(rparity_lang(form$tree, form$allowed), env)
  cl <- call(fun, quote(.rp_f), data = quote(.rp_df))
  if (!is.null(form$subset_tree)) cl$subset <- rparity_lang(form$subset_tree, form$allowed)
  else if (!is.null(form$subset)) cl$subset <- form$subset
  list(call = cl, env = env)
}

## The response: Surv(time, event), or Surv(time) when there is no event
## vector (R: one-argument Surv, every row an event).
rparity_surv <- function(event) if (is.null(event)) quote(Surv(time)) else quote(Surv(time, event))

## The language object `name` (a symbol) for a placeholder string.
rparity_sym <- function(name) as.name(name)

## The right-hand side `a + b + c` of placeholder names (`1` when empty).
rparity_rhs <- function(names) {
  if (length(names) == 0L) return(1)
  Reduce(function(l, r) call("+", l, r), lapply(names, as.name))
}

## A language object from its description as data (rbridge/formula.py): a
## node is list(k = "name", v = placeholder), list(k = "const", v = value) or
## list(k = "call", f = function or operator, a = arguments, n = their names).
## Only the functions in `allowed` (the contract's list) are built.
rparity_lang <- function(node, allowed) {
  k <- node$k
  if (identical(k, "name")) return(as.name(node$v))
  if (identical(k, "const")) return(node$v)
  f <- node$f
  if (!(f %in% allowed)) stop("rparity: ", f, "() is not a function a formula may call here")
  args <- if (is.null(node$a)) list() else lapply(unname(node$a), rparity_lang, allowed = allowed)
  if (!is.null(node$n)) names(args) <- node$n
  as.call(c(list(as.name(f)), args))
}
