#!/usr/bin/env bash
# Tests under AddressSanitizer and UndefinedBehaviorSanitizer (tools/sanitized-build.sh: clang, -O1, build-asan/):
# any report fails the run.
#   tools/sanitize.sh         the library and build-asan/cnnbp sanitized, then every test that runs the program: the
#                             command-line, hostile-input and suite/hunt test programs of build/ pointed at the
#                             sanitized program (CNNBP_EXE; --jobs and its threads included), the golden checks
#                             (check, finite differences, PyTorch, the numpy example and its mistakes) and the C++
#                             examples (the one that passes suite, and hunt catching the one that is wrong on purpose).
#                             tools/test.sh runs this.
#   tools/sanitize.sh --all   every test program built sanitized too, and all of ctest there (the RapidCheck
#                             properties, the bug zoo, the Python package): about 6 minutes here
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if [ "${1:-}" = "--all" ]; then
  tools/sanitized-build.sh
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
  tools/build.sh  # the test programs of build/; only the program they run is sanitized
  tools/sanitized-build.sh cnnbp cnnbp_example_impl cnnbp_linear_mistake
  for t in test_cli test_hostile test_suite_hunt; do (cd build-asan && CNNBP_EXE="$PWD/cnnbp" "../build/tests/$t"); done
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -R "^(golden|examples):"
fi
echo "sanitize: no finding"
