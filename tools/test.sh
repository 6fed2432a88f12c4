#!/usr/bin/env bash
# The whole test suite:
#   1. build everything (tools/build.sh; the docs build fails on any Doxygen warning) and run every test through
#      ctest; RapidCheck properties run 1000 cases each (RC_PARAMS, set by ctest);
#   2. the program under AddressSanitizer and UndefinedBehaviorSanitizer (tools/sanitize.sh): the command-line and
#      hostile-input tests, the golden checks and the C++ example, any report a failure;
#   3. libFuzzer on the case reader and on the judge, 60 s each (tools/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
tools/sanitize.sh
tools/fuzz.sh 60
