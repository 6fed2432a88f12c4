#!/usr/bin/env bash
# Installs the dependencies, then configures and builds everything into build/: the library, build/cnnbp,
# the tests and the HTML documentation (build/docs/html/index.html). Safe to run again: it only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
