#!/usr/bin/env bash
# Installs what cnnbp needs to build, test and document itself, from Debian 12 packages only.
# Idempotent and quick when everything is already there: apt is only called for missing packages.
set -euo pipefail

packages=(
  cmake make g++                 # the build
  libarmadillo-dev libopenblas-dev  # linear algebra (Armadillo on OpenBLAS)
  nlohmann-json3-dev libcli11-dev   # case files and the command line
  catch2 librapidcheck-dev          # tests: Catch2 v2 and RapidCheck
  python3 python3-torch python3-numpy  # PyTorch as a witness in the tests (run by /usr/bin/python3)
  python3-pytest python3-setuptools    # the Python package python/ and its tests
  libbenchmark-dev                  # benchmarks (Google Benchmark)
  doxygen libjs-mathjax             # the documentation, with MathJax copied into the site
  doxygen-awesome-css               # its theme (responsive: the sidebar collapses on narrow screens)
  chromium python3-websocket fonts-dejavu-core  # the browser test of the site (tools/check-docs-browser.py)
  help2man                          # the man page cnnbp.1
  dpkg-dev pkgconf                  # the package: cpack -G DEB reads dependencies with dpkg-shlibdeps; the cnnbp.pc test
  clang libclang-rt-14-dev          # the sanitizer and fuzz build (ASan, UBSan, libFuzzer): tools/sanitized-build.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
