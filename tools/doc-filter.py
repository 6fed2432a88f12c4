#!/usr/bin/env python3
"""Doxygen's input filter for the Markdown pages (Doxyfile FILTER_PATTERNS): prints the page with the generated parts
put in. Standard library only.

- A line `@worked NAME` becomes the file $CNNBP_GENERATED/worked/NAME.md, written by `cnnbp worked --all` at build
  time: the numbers on a page are computed by the code, never typed.

Run outside the build (no CNNBP_GENERATED), it writes an unknown command into the page instead, so that Doxygen's
warning fails `doxygen Doxyfile` run by hand: the documentation is built with `cmake --build build --target docs`.
"""
import os
import re
import sys

WORKED = re.compile(r"^@worked\s+([a-z0-9_-]+)\s*$")


def expand(lines, generated):
    out = []
    for line in lines:
        m = WORKED.match(line.rstrip("\n"))
        if not m:
            out.append(line)
            continue
        if not generated:
            out.append("\\cnnbp_docs_are_built_by_cmake_build_target_docs\n")
            continue
        path = os.path.join(generated, "worked", m.group(1) + ".md")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            out.append("\\cnnbp_missing_worked_result_%s\n" % m.group(1).replace("-", "_"))
            print("doc-filter: %s: %s" % (path, e), file=sys.stderr)
            continue
        out.append(text if text.endswith("\n") else text + "\n")
    return out


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    sys.stdout.write("".join(expand(lines, os.environ.get("CNNBP_GENERATED", ""))))


if __name__ == "__main__":
    main()
