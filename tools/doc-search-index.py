#!/usr/bin/env python3
"""Writes HTML_DIR/search-index.js, the full-text index of docs/site/search.js, from the pages Doxygen wrote.

Each page is cut into pieces at its anchors (section headings and labelled equations), so that a hit links to the
place: a search for "(C6)" leads to md_derivations_04_conv2d.html#eq_C6. Formulas are indexed as their TeX source,
with \\tag{C6} written (C6), the way the page shows it. Standard library only.

usage: doc-search-index.py HTML_DIR
"""
import html.parser
import json
import os
import re
import sys

SKIP = {"script", "style", "noscript"}


class Page(html.parser.HTMLParser):
    """Collects the title and the text of div.contents, cut at every element with an id (or <a name>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.in_title = False
        self.depth = 0           # depth inside div.contents; 0 outside
        self.skip = 0
        self.heading = None      # text of the heading being read
        self.pieces = [{"a": "", "h": "", "x": []}]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and self.depth == 0 and "contents" in (a.get("class") or "").split():
            self.depth = 1
            return
        if tag == "div" and self.depth == 0 and (a.get("class") or "") == "title":
            self.in_title = True
        if self.depth == 0:
            return
        if tag == "div":
            self.depth += 1
        if tag in SKIP:
            self.skip += 1
        anchor = a.get("id") or (a.get("name") if tag == "a" else None)
        if anchor and tag in ("a", "h1", "h2", "h3", "h4", "div", "span"):
            self.pieces.append({"a": anchor, "h": self.pieces[-1]["h"], "x": []})
        if tag in ("h1", "h2", "h3", "h4"):
            self.heading = []

    def handle_endtag(self, tag):
        if self.in_title and tag == "div":
            self.in_title = False
        if self.depth == 0:
            return
        if tag in SKIP and self.skip:
            self.skip -= 1
        if tag in ("h1", "h2", "h3", "h4") and self.heading is not None:
            self.pieces[-1]["h"] = " ".join("".join(self.heading).split())
            self.heading = None
        if tag == "div":
            self.depth -= 1
        if tag in ("p", "li", "div", "h1", "h2", "h3", "h4", "tr", "br"):
            self.pieces[-1]["x"].append(" ")

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.depth == 0 or self.skip:
            return
        if self.heading is not None:
            self.heading.append(data)
        self.pieces[-1]["x"].append(data)


def clean(text):
    text = re.sub(r"\\tag\{([^}]*)\}", r"(\1)", text)
    return " ".join(text.split())


def index_page(path, name):
    page = Page()
    with open(path, encoding="utf-8", errors="replace") as f:
        page.feed(f.read())
    if page.depth == 0 and not any(p["x"] for p in page.pieces):
        return None
    title = " ".join(page.title.split())
    pieces = []
    for p in page.pieces:
        text = clean("".join(p["x"]))
        if text:
            pieces.append({"a": p["a"], "h": p["h"], "x": text})
    if not pieces:
        return None
    return {"u": name, "t": title or name, "s": pieces}


def main():
    html_dir = sys.argv[1]
    index = []
    for name in sorted(os.listdir(html_dir)):
        if not name.endswith(".html") or name == "md_docs_search.html" or name.endswith("-members.html"):
            continue
        page = index_page(os.path.join(html_dir, name), name)
        if page:
            index.append(page)
    with open(os.path.join(html_dir, "search-index.js"), "w", encoding="utf-8") as f:
        f.write("window.CNNBP_SEARCH_INDEX = ")
        json.dump(index, f, ensure_ascii=False, separators=(",", ":"))
        f.write(";\n")
    print("doc-search-index: %d pages, %d pieces" % (len(index), sum(len(p["s"]) for p in index)))


if __name__ == "__main__":
    main()
