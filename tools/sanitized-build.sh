#!/usr/bin/env bash
# Builds into build-asan/ with clang, AddressSanitizer and UndefinedBehaviorSanitizer (-O1; any report is fatal:
# -fno-sanitize-recover), the library also instrumented for libFuzzer's coverage (CNNBP_FUZZ), so that one build
# serves both tools/sanitize.sh and tools/fuzz.sh. No documentation, no install rules.
#   tools/sanitized-build.sh [TARGET...]     the targets named, or everything
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
dir=build-asan
# a build-asan/ configured otherwise (an older gcc one) is started again
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q "^CNNBP_FUZZ:BOOL=ON" "$dir/CMakeCache.txt"; then rm -rf "$dir"; fi
if [ ! -f "$dir/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCNNBP_DOCS=OFF -DCNNBP_INSTALL=OFF -DCNNBP_FUZZ=ON -DCNNBP_OPENMP=OFF \
    -DCMAKE_CXX_FLAGS="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
