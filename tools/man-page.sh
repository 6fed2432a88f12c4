#!/usr/bin/env bash
# The man page cnnbp.1, written by help2man from the program's own --help and --version, with every command's
# --help as a section of its own, the exit statuses and where the documentation is. The build runs it (CMakeLists.txt).
#   tools/man-page.sh PROGRAM OUT.1
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 PROGRAM OUT.1" >&2; exit 2; }
# run as plain `cnnbp` from PATH, so that its usage lines say `cnnbp`, not the path it was built at
PATH="$(cd "$(dirname "$1")" && pwd):$PATH"
program=$(basename "$1") out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
commands=$("$program" --help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z-]*\) .*/\1/p')
[ -n "$commands" ] || { echo "man-page: no commands in $program --help" >&2; exit 1; }
{
  echo "[COMMANDS]"
  for command in $commands; do
    echo ".SS $command"
    echo ".nf"
    "$program" "$command" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./'
    echo ".fi"
  done
  cat <<'ROFF'
[EXIT STATUS]
.TP
0
pass
.TP
1
a judged element is wrong (check, suite, hunt); the oracle disagrees with finite differences (gradcheck)
.TP
2
invalid input or usage, with a message naming the file, the key and the numbers
.TP
3
internal error
.TP
4
nothing wrong, but nothing (or not everything) could be judged
.TP
5
suite, hunt: answers left out outputs that \-\-require asks for
[SEE ALSO]
The HTML documentation, installed in share/doc/cnnbp/html: the derivations, the case format (case_format) and the
protocol of suite and hunt (protocol). The Python package and the Catch2 matcher: README.md.
ROFF
} > "$include"
help2man --no-info --no-discard-stderr --name "reference implementation and test oracle for backpropagation in CNNs" \
  --include "$include" --output "$out" "$program"
