#!/usr/bin/env python3
"""Doxygen's input filter for the Markdown pages (Doxyfile FILTER_PATTERNS): prints the page with its generated parts
put in. Standard library only; run by Doxygen as `doc-filter.py PAGE.md` from the source folder.

- A line `@worked NAME` becomes $CNNBP_GENERATED/worked/NAME.md, written by `cnnbp worked --all` at build time:
  the numbers on a page are computed by the code, never typed.
- The reading order is the order of the `\\subpage` lines of docs/mainpage.md. A page in it gets its number and a
  short title (the part of its `\\page` title before a colon; the rest becomes a lead line under the title), and
  previous/next links at its end.
- Every `\\ref PAGE "..."` and `\\subpage PAGE "..."` to a page shows that page's short title, whatever text was
  typed: link text cannot drift from the title.
- `doc-filter.py --doxyfile-input` prints Doxygen's INPUT in that reading order (the build includes it).
- A line `@equations` becomes the equation index: every labelled equation of derivations/, in reading order, with
  the functions of src/lib/cnnbp whose documentation cites it and the tests that call those functions.

Run outside the build (no CNNBP_GENERATED), it writes an unknown command into the page instead, so that Doxygen's
warning fails `doxygen Doxyfile` run by hand: the documentation is built with `cmake --build build --target docs`.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKED = re.compile(r"^@worked\s+([a-z0-9_-]+)\s*$")
PAGE = re.compile(r"^\\page\s+(\w+)\s+(.*?)\s*$")
LINK = re.compile(r'\\(ref|subpage)\s+(\w+)(\s+"[^"]*")?')


def page_files():
    return sorted(glob.glob(os.path.join(ROOT, "derivations", "*.md")) + glob.glob(os.path.join(ROOT, "docs", "*.md")))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def short_title(title):
    """'Stride and dilation: why dout is dilated ...' -> ('Stride and dilation', 'Why dout is dilated ...')."""
    head, _, rest = title.partition(": ")
    head = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", head)  # a title is quoted in \ref PAGE "..."
    rest = rest.strip()
    return head.strip(), (rest[:1].upper() + rest[1:]) if rest else ""


def site():
    """{page: (short title, lead)} for every page, and the reading order from docs/mainpage.md."""
    titles = {}
    for path in page_files():
        for line in read(path).splitlines()[:3]:
            m = PAGE.match(line)
            if m:
                titles[m.group(1)] = short_title(m.group(2))
    order = re.findall(r"\\subpage\s+(\w+)", read(os.path.join(ROOT, "docs", "mainpage.md")))
    return titles, order


def link_text(match, titles):
    kind, name = match.group(1), match.group(2)
    if name not in titles:
        return match.group(0)  # a section, an anchor or an equation: its text is the author's
    return '\\%s %s "%s"' % (kind, name, titles[name][0])


def pager(name, titles, order):
    if name not in order:
        return []
    k = order.index(name)
    prev = ('\\ref %s "\u2190 %d. %s"' % (order[k - 1], k, titles[order[k - 1]][0])) if k > 0 else \
        '\\ref index "\u2190 Contents"'
    nxt = ('\\ref %s "%d. %s \u2192"' % (order[k + 1], k + 2, titles[order[k + 1]][0])) if k + 1 < len(order) else ""
    out = ["\n", "\\htmlonly\n", '<div class="cnnbp-pager"><span class="cnnbp-prev">\n', "\\endhtmlonly\n", prev + "\n",
           "\\htmlonly\n", '</span><span class="cnnbp-next">\n', "\\endhtmlonly\n"]
    if nxt:
        out.append(nxt + "\n")
    out += ["\\htmlonly\n", "</span></div>\n", "\\endhtmlonly\n"]
    return out


# ---- the equation index ------------------------------------------------------------------------------------------

def equations(titles, order):
    """Every \\anchor eq_X of derivations/, in reading order: (label, page, section)."""
    by_page = {}
    for path in glob.glob(os.path.join(ROOT, "derivations", "*.md")):
        page, section, found = None, "", []
        for line in read(path).splitlines():
            m = PAGE.match(line)
            if m:
                page = m.group(1)
            m = re.match(r"^\\section\s+(\w+)\s+(.*)$", line)
            if m:
                section = (m.group(1), m.group(2).strip())
            m = re.match(r"^\\anchor\s+eq_(\w+)\s*$", line)
            if m:
                found.append((m.group(1), page, section))
        by_page[page] = found
    result = []
    for page in order:
        result += by_page.get(page, [])
    return result


def citing_functions():
    """{label: [function names]}: the function declared right after a doc comment that cites \\ref eq_X."""
    cites = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "lib", "cnnbp", "**", "*.hpp"), recursive=True)):
        labels = set()
        for line in read(path).splitlines():
            s = line.strip()
            if s.startswith("///") or s.startswith("//!"):
                labels.update(re.findall(r"\\ref eq_(\w+)", s))
                continue
            if labels and (not s or s.startswith("template")):
                continue  # the declaration follows
            if labels:
                m = (re.match(r"(?:struct|class)\s+(\w+)", s) or re.search(r"([A-Za-z_]\w*)\s*\(", s)
                     or re.search(r"(\w+)\s*=", s))
                if m and not s.startswith("#"):
                    name = m.group(1) if "(" in s[m.end(1):m.end(1) + 2] else m.group(1) + " "
                    for label in labels:
                        names = cites.setdefault(label, [])
                        if name not in names:
                            names.append(name)
                labels = set()
    return cites


def tests_calling():
    """[(file, test name, body)]: every TEST_CASE of tests/, with its body up to the next one; a file's text before
    its first TEST_CASE (tables of the forms under test, shared properties) counts as a test named ''."""
    tests = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "**", "test_*.cpp"), recursive=True)):
        text = read(path)
        starts = [(m.start(), m.group(1)) for m in re.finditer(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"', text)]
        tests.append((os.path.relpath(path, ROOT), "", text[:starts[0][0]] if starts else text))
        for i, (at, name) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            tests.append((os.path.relpath(path, ROOT), name, text[at:end]))
    return tests


def equation_index(titles, order):
    cites = citing_functions()
    tests = tests_calling()
    out = ["| Equation | Derived in | Implemented by | Tests that call it |\n", "|---|---|---|---|\n"]
    for label, page, section in equations(titles, order):
        anchor, heading = section or (page, titles[page][0])
        functions = cites.get(label, [])
        code = ", ".join("cnnbp::%s" % (f.strip() if f.endswith(" ") else f + "()") for f in functions) or "(none)"
        functions = [f.strip() for f in functions]
        pinned = []
        for f in functions:
            for path, name, body in tests:
                if re.search(r"\b%s\b" % re.escape(f), body) and (path, name) not in pinned:
                    pinned.append((path, name))
        named = [(path, name) for path, name in pinned if name]
        pinned = named + [(path, name) for path, name in pinned if not name and path not in (p for p, _ in named)]
        shown = "; ".join(("\u201c%s\u201d in %s" % (name.replace("|", "&#124;"), path) if name
                           else "the tests of %s" % path).replace("tests/", "")
                          for path, name in pinned[:2])
        if len(pinned) > 2:
            shown += "; and %d more" % (len(pinned) - 2)
        out.append('| \\ref eq_%s "(%s)" | \\ref %s "%s" | %s | %s |\n' % (
            label, label, anchor, heading.replace("|", "\\|"), code, shown or "(none calls it by name)"))
    return out


# ---- the filter --------------------------------------------------------------------------------------------------

def expand(path, lines, generated):
    titles, order = site()
    out, name = [], None
    for line in lines:
        m = PAGE.match(line.rstrip("\n"))
        if m and name is None:
            name = m.group(1)
            short, lead = titles[name]
            number = "%d. " % (order.index(name) + 1) if name in order else ""
            out.append("\\page %s %s%s\n" % (name, number.replace(" ", "&nbsp;"), short))
            if lead:
                out.append("\n\\htmlonly\n<p class=\"cnnbp-lead\">\n\\endhtmlonly\n%s\n\\htmlonly\n</p>\n\\endhtmlonly\n"
                           % lead)
            continue
        w = WORKED.match(line.rstrip("\n"))
        if w:
            if not generated:
                out.append("\\cnnbp_docs_are_built_by_cmake_build_target_docs\n")
                continue
            try:
                text = read(os.path.join(generated, "worked", w.group(1) + ".md"))
            except OSError as e:
                print("doc-filter: %s" % e, file=sys.stderr)
                out.append("\\cnnbp_missing_worked_result_%s\n" % w.group(1).replace("-", "_"))
                continue
            out.append(text if text.endswith("\n") else text + "\n")
            continue
        if line.strip() == "@equations":
            out += equation_index(titles, order)
            continue
        out.append(LINK.sub(lambda m: link_text(m, titles), line))
    if name:
        out += pager(name, titles, order)
    return out


def doxyfile_input():
    """Doxygen's INPUT with the pages in reading order: its navigation lists them in the order it reads them."""
    files = {}
    for path in page_files():
        for line in read(path).splitlines()[:3]:
            m = PAGE.match(line)
            if m:
                files[m.group(1)] = os.path.relpath(path, ROOT)
    _, order = site()
    pages = ["docs/mainpage.md"] + [files[name] for name in order if name in files]
    pages += sorted(set(files.values()) - set(pages))
    return "INPUT = " + " \\\n        ".join(pages + ["src/lib/cnnbp"]) + "\n"


def main():
    if sys.argv[1:] == ["--doxyfile-input"]:
        sys.stdout.write(doxyfile_input())
        return
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    sys.stdout.write("".join(expand(path, lines, os.environ.get("CNNBP_GENERATED", ""))))


if __name__ == "__main__":
    main()
