#!/usr/bin/env bash
# The whole test suite: build everything (tools/build.sh; the docs build fails on any Doxygen warning), then run
# every test through ctest. RapidCheck properties run 1000 cases each (RC_PARAMS, set by ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
