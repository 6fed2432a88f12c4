#!/usr/bin/env bash
# Tests built with AddressSanitizer and UndefinedBehaviorSanitizer (tools/sanitized-build.sh: clang, -O1, build-asan/):
# any report fails the run.
#   tools/sanitize.sh         the library and build-asan/cnnbp sanitized, then every test that runs the program: the
#                             command-line and hostile-input tests, the golden checks (check, finite differences,
#                             PyTorch, the numpy example and its mistakes) and the C++ example (part of tools/test.sh)
#   tools/sanitize.sh --all   every test program as well (the RapidCheck properties) and the bug zoo: a much longer run
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ "${1:-}" = "--all" ]; then
  tools/sanitized-build.sh
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
  tools/sanitized-build.sh cnnbp test_cli test_hostile cnnbp_example_impl
  (cd build-asan/tests && ./test_cli && ./test_hostile)
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -R "^(golden|examples):"
fi
echo "sanitize: no finding"
