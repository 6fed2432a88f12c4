#!/usr/bin/python3
"""Reads the HTML documentation as a reader sees it and fails on what Doxygen rendered wrongly.

Usage: /usr/bin/python3 tools/check-docs.py HTML_DIR [--source ROOT]
       /usr/bin/python3 tools/check-docs.py --self-test FIXTURE_DIR [--source ROOT]

Doxygen's warnings catch broken references, not broken rendering. This check looks at the text of every page of
HTML_DIR (build/docs/html), outside scripts and styles, and at the titles in the navigation and search data, for:

  raw TeX              \\f$ or \\f[ left on screen: a formula Doxygen did not parse (a quote just before \\f$ does it)
  formula placeholder  _form#, Doxygen's stand-in for a formula it lost on the way
  literal **           bold markup printed as two stars (outside code)
  literal <tt>         a code span in a page title, which Doxygen escapes in the <title>, the navigation, the related
                       pages and the search results
  page name as text    a link that reads as a page's identifier (md_derivations_05_stride_dilation, or a \\page name
                       such as stride_dilation) instead of its title; write \\ref name "Title"
  doubled parentheses  an equation reference, which prints its own parentheses, inside the text's: "((G2))"
  unknown test         a test cited on a page (in code, after "the test", "the property" or in a table column
                       "test") that is neither a TEST_CASE, a SECTION or a RapidCheck property in tests/, nor an
                       add_test NAME in a tests/ CMakeLists.txt; a tag such as [errors] that no TEST_CASE carries
  unknown mistake      a classic mistake cited on a page ("the mistake `...`") that no string in tests/ names

The page names, test names and mistakes come from the source tree ROOT (default: the repository this script is in).
Each finding is printed as FILE: CHECK: snippet. Exit status 0 when there is none, 1 when there is one, 2 when
HTML_DIR holds no index.html.

--self-test FIXTURE_DIR checks each file of FIXTURE_DIR (tests/docs) alone. A fixture says in a comment what it must be
rejected for and how often, `check-docs expects: CHECK xCOUNT` (or `check-docs expects: nothing` for a page that must
pass), and the self-test fails unless every fixture gets exactly that verdict and every check has a fixture: each
check above is shown to be able to fail, and not to fail on what only looks like its defect.
"""
import html
import html.parser
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

RAW_TEX = "raw TeX"
FORM = "formula placeholder"
STARS = "literal **"
TT = "literal <tt>"
PAGE_NAME = "page name as text"
PARENS = "doubled parentheses"
UNKNOWN_TEST = "unknown test"
UNKNOWN_MISTAKE = "unknown mistake"
CHECKS = [RAW_TEX, FORM, STARS, TT, PAGE_NAME, PARENS, UNKNOWN_TEST, UNKNOWN_MISTAKE]

# An equation label as the pages print it: (N1), (G2), (C6), ...
LABEL = r"[A-Z]{1,2}[0-9]+[a-z]?"
# One finding per defect: a formula with both delimiters, a pair of stars, a <tt> element, or a lone delimiter.
# Matched on the text with code blanked out (NUL), so that a pair never reaches into code.
ANY = r"[^\0]*?"
DOUBLED = re.compile(r"(?<!\\)\(\s*\(" + LABEL + r"\)")  # "((G2))", and "((C4), (C5))"
RAW_TEX_RE = re.compile(r"\\f\$" + ANY + r"\\f\$|\\f\[" + ANY + r"\\f\]|\\f\{" + ANY + r"\\f\}|\\f\(" + ANY + r"\\f\)"
                        r"|\\f[$\[\](){}]")
STARS_RE = re.compile(r"\*\*" + ANY + r"\*\*|\*\*")
TT_RE = re.compile(r"<tt>" + ANY + r"</tt>|&lt;tt&gt;" + ANY + r"&lt;/tt&gt;|</?tt>|&lt;/?tt&gt;", re.I)
# The words before a code span that make it a citation, and what it cites.
CITED_AS = [
    (re.compile(r"\b(tests?|tests? checks?|propert(y|ies))\s*\(?\s*$", re.I), UNKNOWN_TEST),
    (re.compile(r"\bmistakes?\s*\(?\s*$", re.I), UNKNOWN_MISTAKE),
]
# Between two code spans of one citation ("the tests `a`, `b` and `c`").
LIST_JOIN = re.compile(r"^\s*(,|,?\s*and|,?\s*or)\s*$")
TAGS = re.compile(r"^(\[[^\]\s]+\])+$")

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
# Source listings and C++ declarations (char **argv is not bold markup).
CODE_CLASSES = {"fragment", "line", "memname", "memproto", "memItemLeft", "memItemRight", "memTemplItemLeft",
                "memTemplItemRight", "memTemplParams", "paramtype", "paramname"}
BLOCK = {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "pre", "title", "table",
         "tr", "ul", "ol", "dl", "blockquote", "caption", "body", "head"}


def snippet(text, start, end, width=50):
    """The defect between >>> and <<<, with some text either side, on one line."""
    left, right = max(0, start - width), min(len(text), end + width)
    marked = text[left:start] + ">>>" + text[start:end] + "<<<" + text[end:right]
    return ("..." if left else "") + " ".join(marked.split()) + ("..." if right < len(text) else "")


class Sources:
    """What the pages may refer to: \\page names, test names and tags, the strings of tests/ (for mistakes)."""

    def __init__(self, root):
        self.root = root
        self.pages = set()
        for md in sorted(root.glob("derivations/*.md")) + sorted(root.glob("docs/*.md")):
            self.pages.update(re.findall(r"^[\\@]page\s+(\w+)", md.read_text(encoding="utf-8"), re.M))
        self.tests, self.tags, self.test_patterns, self.strings = set(), set(), [], []
        literal = r'"((?:[^"\\\n]|\\.)*)"'
        for source in sorted(root.glob("tests/**/*.cpp")) + sorted(root.glob("tests/**/*.hpp")):
            text = source.read_text(encoding="utf-8")
            for name, tags in re.findall(r"\b(?:TEST_CASE|SCENARIO)\s*\(\s*" + literal + r"(?:\s*,\s*" + literal + ")?",
                                         text):
                self.tests.add(unescape_c(name))
                self.tags.update(re.findall(r"\[[^\]]+\]", tags))
            self.tests.update(unescape_c(n) for n in re.findall(r"\bSECTION\s*\(\s*" + literal, text))
            # A RapidCheck property's name is its first argument: a literal, or a literal after a variable part
            # (`form.name + ": backward is linear in dout"`), which a page cites without the variable part.
            for first in re.findall(r"\brc::prop\s*\(((?:[^,\"()]|\"(?:[^\"\\]|\\.)*\"|\([^()]*\))*)", text):
                pieces = re.split(literal, first)  # code, literal, code, literal, ..., code
                if len(pieces) < 3:
                    continue
                if re.fullmatch(r"\s*" + literal + r"\s*", first):
                    self.tests.add(unescape_c(pieces[1]))
                    continue
                parts = [re.escape(unescape_c(piece)) if i % 2 else ".+" if piece.strip(" +") else ""
                         for i, piece in enumerate(pieces)]
                self.test_patterns.append(re.compile("".join(parts)))
                if parts[0]:  # a variable prefix, which a page leaves out: `db is the sum ...` for n + ": db is ..."
                    parts[1] = re.escape(unescape_c(pieces[1]).lstrip(": "))
                    self.test_patterns.append(re.compile("".join(parts[1:])))
            self.strings.extend(unescape_c(s) for s in re.findall(literal, text))
        for source in sorted(root.glob("tests/**/*.py")):
            self.strings.extend(re.findall(r"[\"']([^\"'\n]+)[\"']", source.read_text(encoding="utf-8")))
        for cmake in sorted(root.glob("tests/**/CMakeLists.txt")):
            self.tests.update(re.findall(r"add_test\s*\(\s*NAME\s+\"([^\"]+)\"", cmake.read_text(encoding="utf-8")))

    def test_exists(self, name):
        if TAGS.match(name):
            return all(tag in self.tags for tag in re.findall(r"\[[^\]]+\]", name))
        return name in self.tests or any(p.fullmatch(name) for p in self.test_patterns)

    def mistake_exists(self, name):
        return any(s.startswith(name) for s in self.strings)


def unescape_c(s):
    return re.sub(r"\\(.)", r"\1", s)


class Page(html.parser.HTMLParser):
    """One HTML file as blocks of text; each character knows whether it is code. Links and code spans are kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, is_code, is_skipped)
        self.blocks = []  # (text, code mask, code spans [(start, end, column header)], links [(start, end, href)])
        self.text, self.mask, self.spans, self.links = [], [], [], []
        self.code_start = None
        self.link_start = None
        self.table_headers = []  # per open table: its header cells' text
        self.row_column = []  # per open table: the column of the current cell
        self.cell_header = None
        self.header_text = None

    def _flush(self):
        if self.text:
            self.blocks.append(("".join(self.text), self.mask, self.spans, self.links))
        self.text, self.mask, self.spans, self.links = [], [], [], []

    def _length(self):
        return sum(len(t) for t in self.text)

    def _code(self):
        return any(code for _, code, _ in self.stack)

    def _skipped(self):
        return any(skip for _, _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in BLOCK:
            self._flush()
        if tag == "table":
            self.table_headers.append([])
            self.row_column.append(-1)
        elif tag == "tr" and self.row_column:
            self.row_column[-1] = -1
        elif tag in ("td", "th") and self.row_column:
            self.row_column[-1] += 1
            column = self.row_column[-1]
            headers = self.table_headers[-1]
            if tag == "th":
                self.header_text = []
                self.cell_header = None
            else:
                self.cell_header = headers[column] if column < len(headers) else None
        if tag in VOID:
            return
        is_code = tag in ("code", "tt", "pre", "kbd", "samp") or not CODE_CLASSES.isdisjoint(classes)
        if tag == "code" and not self._code():
            self.code_start = self._length()
        if tag == "a" and "href" in attrs and self.link_start is None:
            self.link_start = (self._length(), attrs["href"])
        self.stack.append((tag, is_code, tag in ("script", "style")))

    def handle_endtag(self, tag):
        if tag in VOID or not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            open_tag, _, _ = self.stack.pop()
            self._closed(open_tag)
            if open_tag == tag:
                break
        if tag in BLOCK:
            self._flush()

    def _closed(self, tag):
        if tag == "code" and self.code_start is not None and not self._code():
            self.spans.append((self.code_start, self._length(), self.cell_header))
            self.code_start = None
        elif tag == "a" and self.link_start is not None:
            start, href = self.link_start
            self.links.append((start, self._length(), href))
            self.link_start = None
        elif tag == "th" and self.header_text is not None and self.table_headers:
            self.table_headers[-1].append("".join(self.header_text).strip().lower())
            self.header_text = None
        elif tag == "td":
            self.cell_header = None
        elif tag == "table" and self.table_headers:
            self.table_headers.pop()
            self.row_column.pop()

    def handle_data(self, data):
        if self._skipped():
            return
        if self.header_text is not None:
            self.header_text.append(data)
        self.text.append(data)
        self.mask.extend([self._code()] * len(data))

    def close(self):
        super().close()
        self._flush()


def check_html(path, content, sources):
    page = Page()
    page.feed(content)
    page.close()
    findings = []

    def add(check, text, start, end):
        findings.append((check, snippet(text, start, end)))

    for text, mask, spans, links in page.blocks:
        prose = "".join("\0" if code else c for c, code in zip(text, mask))
        for check, pattern in [(RAW_TEX, RAW_TEX_RE), (STARS, STARS_RE), (TT, TT_RE), (PARENS, DOUBLED)]:
            for m in pattern.finditer(prose):
                add(check, text, m.start(), m.end())
        for m in re.finditer(r"_form#", text):  # wrong anywhere, code included
            add(FORM, text, m.start(), m.end())
        for start, end, href in links:
            shown = text[start:end].strip()
            target = href.split("#")[0].rsplit("/", 1)[-1]
            to_page = target.startswith("md_") or target == "index.html"
            if re.fullmatch(r"md_\w+", shown) or (shown in sources.pages and to_page):
                add(PAGE_NAME, text, start, end)
        cited, previous_end = None, None
        for start, end, column in spans:
            name = " ".join(text[start:end].split())
            before = text[previous_end if previous_end is not None else 0:start]
            kind = None
            if cited and previous_end is not None and LIST_JOIN.match(before):
                kind = cited
            else:
                for pattern, what in CITED_AS:
                    if pattern.search(text[:start]):
                        kind = what
                        break
            if kind is None and (column in ("test", "tests") or
                                 TAGS.match(name) and re.match(r"\s*tests?\b", text[end:], re.I)):
                kind = UNKNOWN_TEST  # the table column "test"; "the `[errors]` tests"
            cited, previous_end = kind, end
            if kind == UNKNOWN_TEST and not sources.test_exists(name):
                add(UNKNOWN_TEST, text, start, end)
            elif kind == UNKNOWN_MISTAKE and not sources.mistake_exists(name):
                add(UNKNOWN_MISTAKE, text, start, end)
    return findings


def check_js(path, content):
    """The navigation (navtreedata.js, navtreeindex*.js, menudata.js) puts its titles on screen as plain text; the
    search data (search/*.js) through innerHTML, so an escaped &lt;tt&gt; shows there as <tt>."""
    findings = []
    navigation = re.match(r"(navtree|menudata)", path.name) is not None
    for string in re.findall(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', content):
        value = string[0] or string[1]
        shown = value if navigation else html.unescape(value)
        shown = shown.replace("\\\\", "\\")  # a JavaScript string writes \f$ as \\f$
        for check, pattern in [(RAW_TEX, RAW_TEX_RE), (FORM, re.compile("_form#")), (TT, TT_RE), (STARS, STARS_RE)]:
            for m in pattern.finditer(shown):
                findings.append((check, snippet(shown, m.start(), m.end())))
    return findings


def check_file(path, sources):
    content = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".js":
        if re.match(r"(navtree|menudata)", path.name) or path.parent.name == "search":
            return check_js(path, content)
        return []
    return check_html(path, content, sources)


def check_folder(folder, sources):
    if not (folder / "index.html").is_file():
        print(f"{folder}: no index.html; build the docs first (cmake --build build --target docs)")
        return 2
    count = 0
    files = sorted(folder.glob("*.html")) + sorted(folder.glob("*.js")) + sorted(folder.glob("search/*.js"))
    for path in files:
        for check, text in check_file(path, sources):
            print(f"{path.relative_to(folder)}: {check}: {text}")
            count += 1
    if count:
        print(f"{count} rendering defects in {len(files)} files of {folder}")
        return 1
    print(f"{len(files)} files of {folder}: no raw TeX, formula placeholder, literal ** or <tt>, page name as link "
          f"text or doubled parentheses; every cited test and mistake exists")
    return 0


def judge_fixtures(tool, paths, findings_of, checks):
    """Judges fixture pages against the comment each holds, `TOOL expects: CHECK [xCOUNT]` (or `nothing`): the page
    must give exactly COUNT findings of CHECK, or none. Every check in `checks` needs a fixture, and one fixture must
    pass. Prints a line per fixture; returns the number of failures. Shared by check-docs and check-docs-browser."""
    failed, seen = 0, set()
    for path in paths:
        expected = re.search(tool + r" expects: (.+?)(?: x(\d+))?\s*(-->|$)", path.read_text(encoding="utf-8"), re.M)
        if not expected:
            print(f"FAIL {path.name}: no `{tool} expects: CHECK [xCOUNT]` comment")
            failed += 1
            continue
        want, count = expected.group(1), int(expected.group(2) or 1)
        findings = findings_of(path)
        if want == "nothing":
            ok = not findings
        else:
            ok = all(check == want for check, _ in findings) and len(findings) == count
        seen.add(want)
        print(f"{'ok  ' if ok else 'FAIL'} {path.name}: expects {want if want == 'nothing' else f'{count} x {want}'}, "
              f"got {len(findings) or 'nothing'}" + "".join(f"\n       {c}: {t}" for c, t in findings))
        failed += not ok
    missing = [check for check in checks if check not in seen]
    if missing:
        print("FAIL no fixture for: " + ", ".join(missing))
        failed += 1
    if "nothing" not in seen:
        print(f"FAIL no fixture that must pass ({tool} expects: nothing)")
        failed += 1
    print(f"{len(paths)} fixtures, {failed} failures")
    return failed


def self_test(folder, sources):
    fixtures = sorted(p for p in folder.iterdir() if p.suffix in (".html", ".js"))
    failed = judge_fixtures("check-docs", fixtures, lambda path: check_file(path, sources), CHECKS)
    return 1 if failed else 0


def main(argv):
    args = list(argv)
    root = ROOT
    if "--source" in args:
        i = args.index("--source")
        root = pathlib.Path(args[i + 1])
        del args[i:i + 2]
    sources = Sources(root)
    if len(args) == 2 and args[0] == "--self-test":
        return self_test(pathlib.Path(args[1]), sources)
    if len(args) == 1 and not args[0].startswith("-"):
        return check_folder(pathlib.Path(args[0]), sources)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
