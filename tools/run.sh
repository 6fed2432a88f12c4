#!/usr/bin/env bash
# The main job: build everything (tools/build.sh), then run build/cnnbp demo, which evaluates conv2d forward and
# backward on a small built-in case, prints every tensor, and checks the four backward forms against each other
# and against finite differences.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
echo
build/cnnbp demo
echo
echo "Documentation: build/docs/html/index.html"
