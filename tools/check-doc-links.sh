#!/usr/bin/env bash
# Derivations and code must point at each other: every labelled equation (\anchor eq_X) is cited by at least one
# function's doc comment in src/lib/cnnbp (\ref eq_X), every citation in the code names an equation that exists, and
# every derivation page names at least one cnnbp:: function. Prints each broken link; exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
anchors=$(grep -ho '\\anchor eq_[A-Z][0-9]*' derivations/*.md | sed 's/\\anchor //' | sort -u)
cited=$(grep -ho '\\ref eq_[A-Z][0-9]*' -r --include='*.hpp' src/lib/cnnbp | sed 's/\\ref //' | sort -u)
for eq in $anchors; do
  grep -qx "$eq" <<<"$cited" || { echo "equation $eq is derived but no function in src/lib/cnnbp cites it"; status=1; }
done
for eq in $cited; do
  grep -qx "$eq" <<<"$anchors" || { echo "src/lib/cnnbp cites $eq, which no derivation page defines"; status=1; }
done
for page in derivations/*.md; do
  grep -q 'cnnbp::[a-z_0-9]*()' "$page" || { echo "$page names no cnnbp:: function"; status=1; }
done
[ $status -eq 0 ] && echo "$(wc -w <<<"$anchors") equations, each cited by the code; every page links to its functions"
exit $status
