#!/usr/bin/env bash
# Tests built with AddressSanitizer and UndefinedBehaviorSanitizer (g++, -O1): any report fails the run
# (-fno-sanitize-recover, halt_on_error). Builds into build-asan/ (no documentation).
#   tools/sanitize.sh         the library and build/cnnbp sanitized, then every test that runs the program: the
#                             command-line and hostile-input tests, the golden checks (check, finite differences,
#                             PyTorch, the numpy example and its mistakes), the bug zoo and the C++ example
#   tools/sanitize.sh --all   every test program as well (the RapidCheck properties): a much longer build
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
[ -f build-asan/CMakeCache.txt ] || cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=None -DCNNBP_DOCS=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ "${1:-}" = "--all" ]; then
  cmake --build build-asan -j "$(nproc)"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E "^package:"
else
  cmake --build build-asan -j "$(nproc)" --target cnnbp test_cli test_hostile cnnbp_example_impl
  (cd build-asan/tests && ./test_cli && ./test_hostile)
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -R "^(golden|hunt|examples):"
fi
