#!/usr/bin/env bash
# Set up rparity on this machine:
#   1. R with survival and MatchIt from Debian's packages, when they are missing and
#      this user can install them (root, or passwordless sudo, and apt-get);
#      otherwise say exactly what to install and carry on: without R, every
#      comparison uses the committed golden files (made by R).
#   2. A virtual environment (.venv, or $RPARITY_VENV) with rparity installed
#      (editable), its test and peer dependencies, rpy2 when R is there, and tox.
# With RPARITY_REQUIRE_R=1 (CI), failing to set up R is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${RPARITY_VENV:-.venv}
R_PKGS="r-base-core r-cran-survival r-cran-matchit r-cran-cmprsk r-cran-survey r-cran-matching"
say() { printf 'setup: %s\n' "$*" >&2; }

r_ready() {
  command -v Rscript >/dev/null 2>&1 &&
    Rscript -e 'quit(status = if (requireNamespace("survival", quietly = TRUE) && requireNamespace("MatchIt", quietly = TRUE) && requireNamespace("cmprsk", quietly = TRUE) && requireNamespace("survey", quietly = TRUE) && requireNamespace("Matching", quietly = TRUE)) 0 else 1)' >/dev/null 2>&1
}

if ! r_ready; then
  if [ "$(id -u)" = 0 ]; then SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"
  else SUDO="-"; fi
  if [ "$SUDO" != "-" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing R from Debian: $R_PKGS"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $R_PKGS >/dev/null
  else
    say "R with survival and MatchIt is not installed, and this user cannot install it."
    say "  install it with:  sudo apt-get install -y --no-install-recommends $R_PKGS"
    say "  carrying on without R: comparisons will use the committed golden files."
  fi
fi

# Headless Chromium renders the study report in the browser test (tests/study).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then CSUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then CSUDO="sudo"
  else CSUDO="-"; fi
  if [ "$CSUDO" != "-" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium from Debian (headless browser test of the study report)"
    $CSUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $CSUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    say "chromium is not installed and this user cannot install it: the browser test will be skipped"
    say "  install it with:  sudo apt-get install -y --no-install-recommends chromium"
  fi
fi

if r_ready; then
  say "R: $(Rscript -e 'cat(R.version.string, "| survival", as.character(packageVersion("survival")), "| MatchIt", as.character(packageVersion("MatchIt")))' 2>/dev/null)"
  EXTRAS="r,peers,test"
else
  if [ "${RPARITY_REQUIRE_R:-0}" = 1 ]; then
    say "R is required here (RPARITY_REQUIRE_R=1) but could not be set up"; exit 1
  fi
  EXTRAS="peers,test"
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi
say "installing rparity[$EXTRAS] into $VENV"
"$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]" tox
# tox builds its own environment with the same extras
printf '%s\n' "$EXTRAS" > "$VENV/.rparity-extras"
say "ready: $VENV/bin/rparity"
