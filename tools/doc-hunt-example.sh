#!/usr/bin/env bash
# The documentation's hunt example (docs/protocol.md): hunt against examples/linear_mistake.cpp, which takes db from
# the first sample only, writes what hunt prints to generated/hunt.txt. hunt must find the mistake (exit 1); any
# other status fails the docs build. Run from the build folder, so the printed reproduce line has short paths.
# usage: doc-hunt-example.sh BUILD_DIR
set -uo pipefail
cd "$1" || exit 1
./cnnbp hunt --op linear --impl examples/cnnbp_linear_mistake --seed 1 --save generated/hunt-failure.json \
  > generated/hunt.txt
status=$?
[ "$status" -eq 1 ] || { echo "doc-hunt-example: hunt exited $status, expected 1 (a wrong answer found)" >&2; exit 1; }
