#!/usr/bin/env bash
# Fuzzes the case reader and evaluator (tests/fuzz/fuzz_case.cpp) and the judge (tests/fuzz/fuzz_check.cpp) with
# libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer (tools/sanitized-build.sh), SECONDS seconds each
# (default 60), both at once, starting from a corpus made of the golden suite. Any crash, sanitizer report, time-out
# (10 s for one input) or out-of-memory (2 GiB of resident memory) stops that target with the reproducer saved in
# build-asan/fuzz/ and exit status 1.
#   tools/fuzz.sh [SECONDS]          e.g. tools/fuzz.sh 600 for ten minutes each
# Replay a reproducer: build-asan/fuzz_case build-asan/fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
tools/sanitized-build.sh fuzz_case fuzz_check
out=build-asan/fuzz
# The seed corpora: every golden case; for check, every golden case with its own expected as the result.
rm -rf "$out"
mkdir -p "$out/corpus_case" "$out/corpus_check"
cp golden/*.json "$out/corpus_case/"
/usr/bin/python3 - "$out/corpus_check" golden/*.json <<'PY'
import json, os, sys
for path in sys.argv[2:]:
    case = json.load(open(path))
    expected = case.pop("expected")
    with open(os.path.join(sys.argv[1], os.path.basename(path)), "wb") as f:
        f.write(json.dumps(case).encode() + b"\0" + json.dumps(expected).encode())
PY
for target in fuzz_case fuzz_check; do
  echo "fuzz: $target for $seconds s"
  (cd "$out" && rc=0 && ASAN_OPTIONS=detect_leaks=1 "../$target" -max_total_time="$seconds" -timeout=10 \
     -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "corpus_${target#fuzz_}" > "$target.log" 2>&1 || rc=$?
   echo "$rc" > "$target.status") &
done
wait
status=0
for target in fuzz_case fuzz_check; do
  if [ "$(cat "$out/$target.status")" != 0 ]; then
    status=1
    echo "fuzz: $target FOUND A PROBLEM ($out/$target.log):"
    tail -40 "$out/$target.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$target.log" | sed "s/^/fuzz: $target /"
done
[ "$status" = 0 ] && echo "fuzz: no finding"
exit $status
