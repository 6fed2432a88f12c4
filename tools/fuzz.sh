#!/usr/bin/env bash
# Fuzzes the case reader and evaluator (tests/fuzz/fuzz_case.cpp) and the judge (tests/fuzz/fuzz_check.cpp) with
# libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer (clang), SECONDS seconds each (default 60), starting
# from a corpus made of the golden suite. Any crash, sanitizer report, time-out (10 s for one input) or out-of-memory
# (the default 2 GiB rss limit) stops the run with the reproducer saved in build-fuzz/ and exit status 1.
#   tools/fuzz.sh [SECONDS]          e.g. tools/fuzz.sh 600 for ten minutes each
# Replay a reproducer: build-fuzz/fuzz_case build-fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
tools/install-deps.sh
out=build-fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
       -Isrc/lib -I/usr/include)
# the library once, instrumented for the fuzzer but without its main, one object per source, nproc at a time
mkdir -p "$out/obj"
sources=(src/lib/cnnbp/*/*.cpp)
objects=()
failed=0
for source in "${sources[@]}"; do
  object="$out/obj/$(echo "${source#src/lib/cnnbp/}" | tr / _ | sed 's/\.cpp$/.o/')"
  objects+=("$object")
  if [ "$object" -nt "$source" ] && [ -z "$(find src/lib -name '*.hpp' -newer "$object" -print -quit)" ]; then continue; fi
  clang++ "${flags[@]}" -fsanitize=fuzzer-no-link -c "$source" -o "$object" &
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || failed=1; done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
[ "$failed" -eq 0 ] || { echo "fuzz: the library did not compile"; exit 1; }
for target in fuzz_case fuzz_check; do
  echo "fuzz: building $target"
  clang++ "${flags[@]}" -fsanitize=fuzzer "tests/fuzz/$target.cpp" "${objects[@]}" -o "$out/$target" -larmadillo
done
# The seed corpora: every golden case; for check, every golden case with its own expected as the result.
rm -rf "$out/corpus_case" "$out/corpus_check"
mkdir -p "$out/corpus_case" "$out/corpus_check"
for f in golden/*.json; do
  cp "$f" "$out/corpus_case/"
  /usr/bin/python3 - "$f" "$out/corpus_check/$(basename "$f")" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))
expected = case.pop("expected")
open(sys.argv[2], "wb").write(json.dumps(case).encode() + b"\0" + json.dumps(expected).encode())
PY
done
status=0
for target in fuzz_case fuzz_check; do
  corpus="$out/corpus_${target#fuzz_}"
  echo "fuzz: $target for $seconds s"
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1 "./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -max_len=65536 -print_final_stats=1 "corpus_${target#fuzz_}" 2> "$target.log"); then
    status=1
    echo "fuzz: $target FOUND A PROBLEM (build-fuzz/$target.log):"
    tail -40 "$out/$target.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$target.log" | sed "s/^/fuzz: $target /"
done
exit $status
