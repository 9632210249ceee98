#!/usr/bin/env bash
# Install MatchIt 3.0.2 (git tag 3.0-2 of github:kosukeimai/MatchIt, January 2018: the
# MatchIt of the study paper's R 3.4.3) into a private R library, beside the Debian
# MatchIt 4.5.1. rbridge runs it with matchit(..., compat="3.0.2").
#
#   scripts/install-matchit302.sh [LIB]        (LIB defaults to ~/R-matchit302)
#
# The package source comes from a git repository of MatchIt: $MATCHIT_GIT (a clone
# or bare mirror), else a fresh clone from GitHub (needs the network; CI has none and
# uses the golden files instead). 3.0.2 is pure R; it needs R's MASS and Matching
# (Debian: r-cran-mass r-cran-matching).
set -euo pipefail
LIB="${1:-$HOME/R-matchit302}"
TAG="3.0-2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -n "${MATCHIT_GIT:-}" ]; then
  GIT_DIR="$MATCHIT_GIT"
  [ -d "$GIT_DIR/.git" ] && GIT_DIR="$GIT_DIR/.git"
else
  git clone --quiet --bare https://github.com/kosukeimai/MatchIt "$WORK/MatchIt.git"
  GIT_DIR="$WORK/MatchIt.git"
fi
COMMIT="$(git --git-dir="$GIT_DIR" rev-parse "$TAG^{commit}")"
mkdir -p "$WORK/src"
git --git-dir="$GIT_DIR" archive "$TAG" | tar -x -C "$WORK/src"
rm -rf "$WORK/src/vignettes"
sed -i '/VignetteBuilder/d' "$WORK/src/DESCRIPTION"
if ! Rscript -e 'quit(status = !all(c("MASS", "Matching") %in% rownames(installed.packages())))'; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y --no-install-recommends r-cran-mass r-cran-matching
  else
    echo "MatchIt 3.0.2 needs the R packages MASS and Matching (Debian: r-cran-mass r-cran-matching)" >&2
    exit 1
  fi
fi
mkdir -p "$LIB"
R CMD INSTALL --no-build-vignettes -l "$LIB" "$WORK/src"
echo "github:kosukeimai/MatchIt tag $TAG commit $COMMIT" > "$LIB/MatchIt/RPARITY_SOURCE"
Rscript -e "stopifnot(packageVersion('MatchIt', lib.loc = '$LIB') == '3.0.2')"
echo "MatchIt 3.0.2 installed in $LIB ($COMMIT)"
