#!/usr/bin/env bash
# cnnbp as other projects use it. Usage: tools/test-consumers.sh SOURCE_DIR BUILD_DIR SCRATCH_DIR
# (ctest runs it after the build, with SCRATCH_DIR = BUILD_DIR/tests/consumers, emptied first).
#   1. cmake --install BUILD_DIR into SCRATCH_DIR/prefix, then build tests/consumers/find_package against it
#      (find_package(cnnbp 0.2), CMAKE_PREFIX_PATH) and run it on the installed golden suite;
#   2. compile the same program with the flags of the installed cnnbp.pc (pkg-config --cflags --libs cnnbp);
#   3. build tests/consumers/add_subdirectory, which add_subdirectory()s SOURCE_DIR: it must define no target of
#      cnnbp's program, tests, benchmark, example or docs, and its program must run.
# Each consumer prints the conv2d of a 3 x 3 input by a 2 x 2 filter and whether evaluate_case() reproduces the
# expected output of golden/conv2d_basic.json; both lines are compared with what they must be. Builds use one job
# (ctest runs the other tests beside it).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SOURCE_DIR BUILD_DIR SCRATCH_DIR" >&2; exit 2; }
src=$(realpath "$1") build=$(realpath "$2") scratch=$3
rm -rf "$scratch" && mkdir -p "$scratch" && scratch=$(realpath "$scratch")
prefix=$scratch/prefix
version=$(sed -n 's/^#define CNNBP_VERSION "\(.*\)"$/\1/p' "$build/include/cnnbp/version.hpp")
[ -n "$version" ] || { echo "test-consumers: no CNNBP_VERSION in $build/include/cnnbp/version.hpp" >&2; exit 1; }

fail() { echo "test-consumers: FAIL: $*" >&2; exit 1; }
# Runs a command quietly, keeping its output in a log that is shown if it fails.
quiet() {
  local log=$1; shift
  "$@" > "$log" 2>&1 || { cat "$log" >&2; fail "$* (log: $log)"; }
}
# Runs a consumer on the golden case and compares its two lines with what they must be.
check_output() {
  local name=$1; shift
  local out
  out=$("$@" "$golden/conv2d_basic.json") || fail "$name: the program exited with status $?: $out"
  local expected="cnnbp $version conv2d_forward: 27 37 57 67
conv2d_basic: evaluate_case gives out (2,2,3,4), equal to the expected out of the file"
  [ "$out" = "$expected" ] || fail "$name printed
$out
but must print
$expected"
  echo "$name: OK"
  sed 's/^/  /' <<<"$out"
}

# 1. find_package against a staged install.
quiet "$scratch/install.log" cmake --install "$build" --prefix "$prefix"
golden=$prefix/share/cnnbp/golden
for f in bin/cnnbp include/cnnbp/cnnbp.hpp include/cnnbp/layers/conv2d.hpp include/cnnbp/version.hpp \
         share/cnnbp/golden/conv2d_basic.json share/doc/cnnbp/LICENSE share/man/man1/cnnbp.1; do
  [ -e "$prefix/$f" ] || fail "cmake --install did not install $f"
done
[ -z "$(find "$prefix/include" -name suite.hpp -o -name hunt.hpp -o -name demo.hpp)" ] \
  || fail "cmake --install installed the program's private headers (src/cli)"
libdir=$(dirname "$(find "$prefix" -name libcnnbp.a | head -1)")
[ -f "$libdir/cmake/cnnbp/cnnbpConfig.cmake" ] && [ -f "$libdir/cmake/cnnbp/cnnbpConfigVersion.cmake" ] \
  || fail "no cnnbpConfig.cmake and cnnbpConfigVersion.cmake beside libcnnbp.a"
[ "$("$prefix/bin/cnnbp" --version)" = "cnnbp $version" ] || fail "the installed cnnbp --version"
quiet "$scratch/find_package.configure.log" cmake -S "$src/tests/consumers/find_package" -B "$scratch/find_package" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix"
quiet "$scratch/find_package.build.log" cmake --build "$scratch/find_package" -j1
check_output "find_package(cnnbp 0.2) against cmake --install --prefix $prefix" "$scratch/find_package/consumer"

# The version file accepts 0.2 and refuses 0.1 and 0.3 (SameMinorVersion).
mkdir -p "$scratch/version_check"
cat > "$scratch/version_check/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(version_check LANGUAGES CXX)  # CXX: the installed cnnbp finds OpenMP for C++
find_package(cnnbp ${WANT} QUIET)
if(cnnbp_FOUND)
  message(STATUS "found: yes")
else()
  message(STATUS "found: no")
endif()
EOF
for want in 0.1 0.2 0.3; do
  must=no && [ "$want" = 0.2 ] && must=yes
  found=$(cmake -S "$scratch/version_check" -B "$scratch/version_check/build-$want" -DWANT="$want" \
          -DCMAKE_PREFIX_PATH="$prefix" | sed -n 's/^-- found: //p')
  [ "$found" = "$must" ] || fail "find_package(cnnbp $want) against $version: found '$found', must be '$must'"
done
echo "find_package(cnnbp 0.2) finds $version; find_package(cnnbp 0.1) and (cnnbp 0.3) do not"

# 2. pkg-config, with the installed cnnbp.pc.
pcdir=$libdir/pkgconfig
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs cnnbp) || fail "pkg-config --cflags --libs cnnbp"
[ "$(PKG_CONFIG_PATH=$pcdir pkg-config --modversion cnnbp)" = "$version" ] || fail "pkg-config --modversion cnnbp"
# shellcheck disable=SC2086  # the flags are words
quiet "$scratch/pkg_config.build.log" "${CXX:-g++}" -O1 -o "$scratch/pkg_config_consumer" \
  "$src/tests/consumers/find_package/main.cpp" $flags
check_output "pkg-config --cflags --libs cnnbp ($flags)" "$scratch/pkg_config_consumer"

# 3. add_subdirectory of the source tree: the library alone. No build type, so no optimisation and no debug
# information: what is checked is which targets it defines and that they build, link and run, and that compiles
# twice as fast as -O2.
golden=$src/golden
quiet "$scratch/add_subdirectory.configure.log" cmake -S "$src/tests/consumers/add_subdirectory" \
  -B "$scratch/add_subdirectory" -DCMAKE_BUILD_TYPE= -DCNNBP_SOURCE_DIR="$src"
targets=$(cmake --build "$scratch/add_subdirectory" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p' | grep -vE '\.[ois]$')
unwanted=$(grep -xE 'test_.*|cnnbp_test_main|bench_.*|docs|cnnbp|cnnbp_example_impl|package|install' <<<"$targets" || true)
[ -z "$unwanted" ] || fail "add_subdirectory defines cnnbp targets beyond the library: $(tr '\n' ' ' <<<"$unwanted")"
grep -qx cnnbp_lib <<<"$targets" || fail "add_subdirectory defines no cnnbp_lib"
[ ! -e "$scratch/add_subdirectory/cnnbp/CTestTestfile.cmake" ] || fail "add_subdirectory enabled cnnbp's tests"
quiet "$scratch/add_subdirectory.build.log" cmake --build "$scratch/add_subdirectory" -j1
check_output "add_subdirectory($src), targets: $(tr '\n' ' ' <<<"$targets")" "$scratch/add_subdirectory/consumer"
