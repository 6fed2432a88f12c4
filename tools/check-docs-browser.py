#!/usr/bin/python3
"""Opens every page of the HTML documentation in headless Chromium and fails on what a reader would see broken.

Usage: /usr/bin/python3 tools/check-docs-browser.py HTML_DIR [--all] [--screenshots DIR] [--source ROOT]
       /usr/bin/python3 tools/check-docs-browser.py --self-test FIXTURE_DIR [--source ROOT]

tools/check-docs.py reads the HTML that Doxygen wrote; this check reads the page that the browser made of it, from
file:// URLs of HTML_DIR (build/docs/html), as a reader of the folder sees it offline. One Chromium, driven over the
DevTools protocol, loads each page in turn at a 390 x 844 viewport (a phone), waits for the load event and for
MathJax to finish typesetting, and looks for:

  raw TeX              \\f$ or \\f[ on screen: a formula Doxygen did not parse (code, such as a source listing, aside)
  formula placeholder  _form#, Doxygen's stand-in for a formula it lost, anywhere on screen, code included
  literal **           bold markup printed as two stars (outside code: char **argv is C++)
  literal <tt>         <tt> or </tt> printed as text, in the page or its title (outside code)
  MathJax error        a formula MathJax could not typeset (merror, MathJax_Error), or MathJax never finished
  empty code snippet   a code box (div.fragment) with no text: a \\snippet whose markers enclose nothing
  missing figure       an image that does not load (naturalWidth 0, a failed request, an <object> whose file is
                       missing)
  broken anchor        a link to a file that does not exist, that leaves HTML_DIR, or to #id where the page it leads
                       to has no element with that id or name (after MathJax and the page's scripts ran)
  unknown test         a test cited on the page that tests/ does not define (tools/check-docs.py's rule, applied to
                       the rendered page)
  wider than 390 px    something sticks out past the right edge of the 390 px viewport, or of the page's own
                       scrolling area (#doc-content), instead of scrolling inside its own box (a code or
                       equation box with overflow: auto is fine); the finding names the outermost offenders
  failed request       any other file the page asks for and does not get (a script, a style sheet, MathJax)
  script error         an uncaught JavaScript exception on the page

and, once for the site, that the full-text search (md_docs_search.html, docs/site/search.js) finds what a
reader types:

  search               "rotated" gives at least one place, and the formula label "(C6)" leads to the anchor eq_C6

The site is checked where it was moved to: HTML_DIR is first copied to a temporary folder elsewhere, so a page that
still leans on the build folder (a link out of it, a symbolic link, an absolute path) fails there.

The pages are all but Doxygen's mechanical listings (*_source.html, *-members.html, functions*.html, dir_*.html),
which hold no prose and no formula and would double the time; --all opens them too.

Screenshots of a few pages (index, conv2d, stride_dilation, pooling) at 1280 px and at 390 px, each the height of
the whole page, go to DIR (default: HTML_DIR/../screenshots), for a person to look at; nothing is judged from them.

Each finding is printed as PAGE: CHECK: excerpt. Exit status 0 when there is none, 1 when there is one, 2 when
HTML_DIR holds no index.html, 77 (skip) when Chromium or Python's websocket module is missing.

--self-test FIXTURE_DIR (tests/docs/browser) checks the fixtures, copied to a temporary folder beside a link to the
local MathJax (/usr/share/javascript/mathjax, as the docs build links it). A fixture says in a comment what it must be
rejected for, `check-docs-browser expects: CHECK xCOUNT` (or `check-docs-browser expects: nothing`), and the
self-test fails unless every fixture gets exactly that verdict and every check above has a fixture.
"""
import base64
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
MATHJAX = pathlib.Path("/usr/share/javascript/mathjax")

PHONE = (390, 844)
DESKTOP = (1280, 900)
SCREENSHOT_PAGES = ["index", "md_derivations_04_conv2d", "md_derivations_05_stride_dilation",
                    "md_derivations_09_pooling"]
SCREENSHOT_MAX_HEIGHT = 12000
LISTINGS = re.compile(r".*_source\.html|.*-members\.html|functions.*\.html|dir_.*\.html")
PAGE_TIMEOUT = 30  # seconds for one page to load and typeset

RAW_TEX = "raw TeX"
FORM = "formula placeholder"
STARS = "literal **"
TT = "literal <tt>"
MATH = "MathJax error"
EMPTY = "empty code snippet"
FIGURE = "missing figure"
ANCHOR = "broken anchor"
UNKNOWN_TEST = "unknown test"
WIDE = f"wider than {PHONE[0]} px"
REQUEST = "failed request"
SCRIPT = "script error"
CHECKS = [RAW_TEX, FORM, STARS, TT, MATH, EMPTY, FIGURE, ANCHOR, UNKNOWN_TEST, WIDE, REQUEST, SCRIPT]
SEARCH = "search"
# What a reader types into the search box, and the anchor one of the places found must lead to (None: any place).
SEARCHES = [("rotated", None), ("(C6)", "#eq_C6")]
SEARCH_RESULTS = """new Promise(done => {
  const start = Date.now();
  (function poll() {
    const box = document.getElementById("cnnbp-search-results");
    const items = box ? [...box.querySelectorAll("li a")].map(a => a.getAttribute("href")) : null;
    if ((items && items.length) || Date.now() - start > %d) done(JSON.stringify({found: !!box, hrefs: items || [],
        text: box ? box.innerText.slice(0, 200) : ""}));
    else setTimeout(poll, 50);
  })();
})"""
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def load_static_check():
    """tools/check-docs.py, for its patterns and its rule for cited tests (one rule, in one place)."""
    spec = importlib.util.spec_from_file_location("check_docs", HERE / "check-docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


static = load_static_check()
snippet = static.snippet


# Runs in the page after its load event: resolves when MathJax has typeset everything (or at the timeout given),
# to its state and its error messages.
WAIT_FOR_MATHJAX = r"""
new Promise(resolve => {
  const done = state => resolve(JSON.stringify(state));
  setTimeout(() => done({finished: false}), %d);
  if (!document.querySelector('script[src*="MathJax.js"]')) return done({finished: true, present: false});
  if (!window.MathJax || !MathJax.Hub || !MathJax.Hub.Register) return done({finished: true, present: false});
  // Nothing for MathJax to typeset (no formula left in the text, none typeset yet): no need to wait for it.
  const delimiters = /\\\(|\\\[|\$\$|\\begin\{/;
  if (!document.querySelector('script[type^="math/tex"]') && !delimiters.test(document.body.textContent))
    return done({finished: true, present: true, messages: []});
  // A hook or queued function that returns a value makes MathJax wait for it: these return nothing.
  MathJax.Hub.Register.StartupHook("End", () => {
    MathJax.Hub.Queue(() => {
      const messages = [];
      MathJax.Hub.signal.Interest(m => {  // past messages too: a formula's parse error, a file that failed to load
        const text = [].concat(m).map(String).join(" ");
        if (/error|failed/i.test(String([].concat(m)[0]))) messages.push(text.slice(0, 200));
      });
      done({finished: true, present: true, messages});
    });
  });
})
"""

INSPECT = r"""
(() => {
  const CODE = 'pre, code, tt, kbd, samp, .fragment, .line, .memproto, .memname, .memItemLeft, .memItemRight, ' +
               '.memTemplItemLeft, .memTemplItemRight, .memTemplParams, .paramtype, .paramname';
  const BLOCK = 'p, li, td, th, dt, dd, h1, h2, h3, h4, h5, h6, div, pre, table, tr, ul, ol, dl, blockquote, ' +
                'caption, figcaption, body';
  const visible = el => el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      [...el.classList].map(c => '.' + c).join('');
  const short = (s, n) => (s || '').replace(/\s+/g, ' ').trim().slice(0, n);

  // The text on screen, in blocks; each run knows whether it is code.
  const blocks = [[[document.title, false]]];
  let current = null, block = null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.data.trim() || parent.closest('script, style, noscript, template, .MJX_Assistive_MathML'))
      continue;
    if (!visible(parent)) continue;
    const owner = parent.closest(BLOCK);
    if (owner !== current) { current = owner; block = []; blocks.push(block); }
    block.push([node.data, parent.closest(CODE) !== null]);
  }

  // Each error once (the outermost), shown with the formula around it.
  const ERROR = '.MathJax_Error, .merror, merror, .noError, mjx-merror';
  const mathErrors = [...document.querySelectorAll(ERROR)]
      .filter(e => !e.parentElement || !e.parentElement.closest(ERROR))
      .map(e => short((e.closest('.MathJax_Display, .MathJax, mjx-container') || e).textContent, 120));

  const fragments = [...document.querySelectorAll('div.fragment, pre.fragment')]
      .filter(f => !f.textContent.trim())
      .map(f => {
        let before = f.previousElementSibling;
        while (before && !before.textContent.trim()) before = before.previousElementSibling;
        return 'after: ' + short(before ? before.innerText : f.parentElement.innerText, 80);
      });

  const images = [...document.images].map(i => ({src: i.currentSrc || i.src, alt: i.alt,
                                                  ok: i.complete && i.naturalWidth > 0}));
  const objects = [...document.querySelectorAll('object[data], embed[src], iframe[src]')]
      .map(o => ({src: o.data || o.src, tag: o.tagName.toLowerCase()}));
  const links = [...document.querySelectorAll('a[href], area[href]')]
      .map(a => [a.href, a.getAttribute('href'), short(a.textContent, 60)]);
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(a => a.name));

  // Too wide: an element that sticks out past the right edge of the nearest box that clips it. A box that holds the
  // page (the body, #doc-content, .contents: anything holding the title or the text) does not excuse it; a code or
  // equation box with its own overflow does, and is measured in turn.
  const viewport = document.documentElement.clientWidth;
  const holding = new Map();
  const holdsPage = el => {
    if (!holding.has(el))
      holding.set(el, el === document.body || el.matches('.contents') ||
                      el.querySelector('.contents, .textblock, h1, .headertitle') !== null);
    return holding.get(el);
  };
  const clipsX = el => getComputedStyle(el).overflowX !== 'visible';
  const contentRight = el => { const r = el.getBoundingClientRect(); return r.left + el.clientLeft + el.clientWidth; };
  const boxes = new Map();  // element -> the nearest ancestor that clips it horizontally (null: the viewport)
  const boxOf = el => {
    const parent = el.parentElement;
    if (!parent || parent === document.documentElement) return null;
    if (!boxes.has(parent)) boxes.set(parent, clipsX(parent) ? parent : boxOf(parent));
    return boxes.get(parent);
  };
  const offenders = [];
  for (const el of [document.body, ...document.body.querySelectorAll('*')]) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const box = boxOf(el);
    if (box && !holdsPage(box)) continue;  // scrolls (or is clipped) inside its own box, which is measured itself
    const limit = box ? Math.min(viewport, contentRight(box)) : viewport;
    if (r.right <= limit + 1) continue;
    if (el.closest('script, style, .MJX_Assistive_MathML') || !visible(el)) continue;
    offenders.push(el);
  }
  const offending = new Set(offenders);
  const outermost = offenders.filter(el => !offending.has(el.parentElement)).map(el => {
    const r = el.getBoundingClientRect();
    return {what: describe(el), left: Math.round(r.left), width: Math.round(r.width), right: Math.round(r.right),
            text: short(el.textContent, 60)};
  });

  return JSON.stringify({blocks, mathErrors, fragments, images, objects, links, ids, viewport,
                         scrollWidth: document.scrollingElement.scrollWidth, offenders: outermost,
                         html: document.documentElement.outerHTML});
})()
"""

PAGE_HEIGHT = r"""
(() => {
  let height = document.scrollingElement.scrollHeight;
  for (const el of document.querySelectorAll('#doc-content, .contents')) {
    const r = el.getBoundingClientRect();
    height = Math.max(height, Math.ceil(r.top + el.scrollHeight));
  }
  return height;
})()
"""

# After a resize: two frames drawn, and MathJax's "Typesetting math: 100%" box gone (it fades out by itself).
SETTLED = r"""
new Promise(resolve => {
  const start = Date.now();
  const poll = () => {
    const box = document.getElementById('MathJax_Message');
    if (!box || box.style.display === 'none' || !box.textContent || Date.now() - start > 3000) return resolve(true);
    setTimeout(poll, 50);
  };
  requestAnimationFrame(() => requestAnimationFrame(poll));
})
"""


class Failure(Exception):
    pass


class Browser:
    """One headless Chromium and one tab, driven over the DevTools protocol (a websocket, sessions flattened)."""

    def __init__(self, executable, websocket):
        self.websocket = websocket
        self.profile = tempfile.mkdtemp(prefix="cnnbp-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.log = []
        found = threading.Event()
        self.endpoint = None

        def read_stderr():
            for line in iter(self.process.stderr.readline, b""):
                text = line.decode(errors="replace").rstrip()
                self.log.append(text)
                m = re.search(r"DevTools listening on (ws://\S+)", text)
                if m:
                    self.endpoint = m.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read_stderr, daemon=True).start()
        if not found.wait(30) or self.endpoint is None:
            self.close()
            raise Failure("Chromium did not start:\n  " + "\n  ".join(self.log[-10:]))
        self.ws = websocket.create_connection(self.endpoint, timeout=PAGE_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.events = []
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=None)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=None)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(domain + ".enable")

    def close(self):
        if getattr(self, "ws", None):
            try:
                self.send("Browser.close", session=None, timeout=5)
            except Exception:
                pass
            self.ws.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _receive(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Failure("timed out")
        self.ws.settimeout(remaining)
        try:
            return json.loads(self.ws.recv())
        except self.websocket.WebSocketTimeoutException:
            raise Failure("timed out") from None

    def send(self, method, params=None, session=True, timeout=PAGE_TIMEOUT):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise Failure(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method, timeout=PAGE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            reply = self._receive(deadline)
            if "method" in reply:
                self.events.append(reply)

    def evaluate(self, expression, timeout=PAGE_TIMEOUT):
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, timeout=timeout)
        if "exceptionDetails" in result:
            raise Failure("evaluate: " + json.dumps(result["exceptionDetails"])[:300])
        return result["result"].get("value")

    def open(self, url, size):
        """Loads url at size (width, height) and waits for MathJax; returns (MathJax state, failed requests,
        exceptions)."""
        width, height = size
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})
        self.events.clear()
        navigation = self.send("Page.navigate", {"url": url})
        if navigation.get("errorText"):
            raise Failure(f"cannot open {url}: {navigation['errorText']}")
        loader = navigation.get("loaderId")
        self.wait_for("Page.loadEventFired")
        state = json.loads(self.evaluate(WAIT_FOR_MATHJAX % (PAGE_TIMEOUT * 1000 - 2000)))
        requests, failed, exceptions = {}, [], []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Network.requestWillBeSent" and params.get("loaderId") == loader:
                requests[params["requestId"]] = (params["request"]["url"], params.get("type", ""))
            elif event["method"] == "Network.loadingFailed" and params.get("requestId") in requests:
                url_, kind = requests[params["requestId"]]
                # MathJax probes fonts with url(about:blank): only files and the web count.
                if not params.get("canceled") and urllib.parse.urlsplit(url_).scheme in ("file", "http", "https"):
                    failed.append((url_, kind, params.get("errorText", "")))
            elif event["method"] == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                exception = details.get("exception", {})
                exceptions.append(exception.get("description") or details.get("text", "exception"))
        self.events.clear()
        return state, failed, exceptions

    def screenshot(self, path, width):
        """The whole page at this width: the viewport is made as tall as the page, then captured."""
        height = min(SCREENSHOT_MAX_HEIGHT, max(PHONE[1], int(self.evaluate(PAGE_HEIGHT))))
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})
        self.evaluate(SETTLED)
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))


def file_path(url):
    parsed = urllib.parse.urlsplit(url)
    return pathlib.Path(urllib.parse.unquote(parsed.path)), urllib.parse.unquote(parsed.fragment)


class Site:
    """The pages of one folder, as the browser rendered them; findings are (page, check, excerpt)."""

    def __init__(self, folder, sources):
        self.folder = folder.resolve()
        self.sources = sources
        self.findings = []
        self.ids = {}  # page path -> ids after rendering
        self.links = []  # (page, href as resolved, href as written, link text)

    def add(self, page, check, excerpt):
        self.findings.append((page, check, excerpt))

    def inspect(self, browser, path):
        page = path.name
        try:
            state, failed, exceptions = browser.open(path.as_uri(), PHONE)
            seen = json.loads(browser.evaluate(INSPECT))
        except Failure as e:
            self.add(page, "page did not render", str(e))
            return
        self.check_text(page, seen["blocks"])
        self.check_math(page, state, seen)
        for excerpt in seen["fragments"]:
            self.add(page, EMPTY, excerpt)
        self.check_figures(page, seen, failed)
        for description in exceptions:
            self.add(page, SCRIPT, " ".join(description.split())[:200])
        for check, excerpt in static.check_html(path, seen["html"], self.sources):
            if check == static.UNKNOWN_TEST:
                self.add(page, UNKNOWN_TEST, excerpt)
        self.check_width(page, seen)
        self.ids[path.resolve()] = set(seen["ids"])
        self.links.extend((path, href, written, text) for href, written, text in seen["links"])

    def check_text(self, page, blocks):
        for runs in blocks:
            text = "".join(run for run, _ in runs)
            prose = "".join("\0" * len(run) if code else run for run, code in runs)
            for check, pattern in [(RAW_TEX, static.RAW_TEX_RE), (STARS, static.STARS_RE), (TT, static.TT_RE)]:
                for m in pattern.finditer(prose):
                    self.add(page, check, snippet(text, m.start(), m.end()))
            for m in re.finditer(r"_form#", text):
                self.add(page, FORM, snippet(text, m.start(), m.end()))

    def check_math(self, page, state, seen):
        if not state.get("finished"):
            self.add(page, MATH, f"MathJax did not finish typesetting within {PAGE_TIMEOUT} s")
        errors = list(seen["mathErrors"])
        if not errors:
            for runs in seen["blocks"]:
                text = "".join(run for run, _ in runs)
                m = re.search("Math Processing Error", text)
                if m:
                    errors.append(snippet(text, m.start(), m.end()))
        if not errors:
            errors = state.get("messages", [])
        for error in errors:
            self.add(page, MATH, error)

    def check_figures(self, page, seen, failed):
        reported = set()
        for image in seen["images"]:
            if not image["ok"]:
                reported.add(image["src"])
                self.add(page, FIGURE, f"<img src=\"{self.relative(image['src'])}\" alt=\"{image['alt']}\"> "
                                       "did not load")
        for obj in seen["objects"]:
            target, _ = file_path(obj["src"])
            if obj["src"].startswith("file:") and not target.exists() and obj["src"] not in reported:
                reported.add(obj["src"])
                self.add(page, FIGURE, f"<{obj['tag']}> {self.relative(obj['src'])}: no such file")
        for url, kind, error in failed:
            if url in reported:
                continue
            reported.add(url)
            is_image = kind == "Image" or urllib.parse.urlsplit(url).path.lower().endswith(IMAGE_SUFFIXES)
            self.add(page, FIGURE if is_image else REQUEST, f"{self.relative(url)} ({kind or 'request'}): {error}")

    def check_width(self, page, seen):
        offenders = seen["offenders"]
        if not offenders and seen["scrollWidth"] <= seen["viewport"]:
            return
        kinds = {}  # the offenders by tag and class (an id such as MathJax-Element-6-Frame differs on each)
        for o in offenders:
            kinds.setdefault(re.sub(r"#[^.]*", "", o["what"]), []).append(o)
        shown = "; ".join(f"{len(group)} x {kind}" + (f", the first {o['what']}" if o["what"] != kind else "") +
                          f" at x {o['left']}..{o['right']} (width {o['width']}): \"{o['text']}\""
                          for kind, group in list(kinds.items())[:4] for o in group[:1])
        more = f"; and {len(kinds) - 4} more kinds" if len(kinds) > 4 else ""
        self.add(page, WIDE, f"page {seen['scrollWidth']} px wide in a {seen['viewport']} px viewport: "
                             f"{shown or 'no single element found'}{more}")

    def check_links(self):
        for page, href, written, text in self.links:
            parsed = urllib.parse.urlsplit(href)
            if parsed.scheme != "file":
                continue  # the web, mail, javascript:
            target, fragment = file_path(href)
            where = f"<a href=\"{written}\">{text}</a>"
            try:
                target.resolve().relative_to(self.folder)
            except ValueError:
                self.add(page.name, ANCHOR, f"{where}: leads out of the site's folder")
                continue
            if not target.exists():
                self.add(page.name, ANCHOR, f"{where}: no such page")
            elif fragment and target.suffix == ".html" and fragment not in self.ids_of(target):
                self.add(page.name, ANCHOR, f"{where}: {target.name} has no element with id or name \"{fragment}\"")

    def ids_of(self, target):
        target = target.resolve()
        if target not in self.ids:  # a page not opened: the ids its HTML writes
            content = target.read_text(encoding="utf-8", errors="replace")
            self.ids[target] = set(re.findall(r"\s(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", content))
        return self.ids[target]

    def relative(self, url):
        path, _ = file_path(url)
        try:
            return str(path.relative_to(self.folder))
        except ValueError:
            return url


def tools():
    """Chromium and the websocket module, or None (the check is then skipped)."""
    executable = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                       if shutil.which(name)), None)
    if executable is None:
        print("SKIP: no chromium (apt-get install chromium)")
        return None
    try:
        import websocket
    except ImportError:
        print("SKIP: no Python websocket module (apt-get install python3-websocket)")
        return None
    return executable, websocket


def check_search(site, browser):
    """The search page, opened as the search form opens it (md_docs_search.html?q=...), must list what a reader
    looks for."""
    page = site.folder / "md_docs_search.html"
    if not page.is_file():
        site.add("md_docs_search.html", SEARCH, "no search page")
        return
    for query, anchor in SEARCHES:
        try:
            browser.open(page.as_uri() + "?q=" + urllib.parse.quote(query), PHONE)
            seen = json.loads(browser.evaluate(SEARCH_RESULTS % 5000))
        except Failure as e:
            site.add("md_docs_search.html", SEARCH, f"{query}: {e}")
            continue
        if not seen["hrefs"]:
            site.add("md_docs_search.html", SEARCH, f"{query!r} finds nothing: {seen['text']!r}")
        elif anchor and not any(h.endswith(anchor) for h in seen["hrefs"]):
            site.add("md_docs_search.html", SEARCH, f"{query!r} does not lead to {anchor}: {seen['hrefs'][:5]}")


def check_folder(folder, screenshots, sources, everything):
    if not (folder / "index.html").is_file():
        print(f"{folder}: no index.html; build the docs first (cmake --build build --target docs)")
        return 2
    found = tools()
    if found is None:
        return 77
    with tempfile.TemporaryDirectory(prefix="cnnbp-site-moved-") as moved:
        copy = pathlib.Path(moved) / "site"
        shutil.copytree(folder, copy, symlinks=True)  # a symbolic link stays one, and breaks if it points back
        print(f"checking a copy of {folder.resolve()} in {copy}")
        return check_copy(copy, found, screenshots, sources, everything)


def check_copy(folder, found, screenshots, sources, everything):
    folder = folder.resolve()
    started = time.monotonic()
    pages = sorted(p for p in folder.glob("*.html") if everything or not LISTINGS.fullmatch(p.name))
    site = Site(folder, sources)
    browser = Browser(*found)
    try:
        for path in pages:
            site.inspect(browser, path)
            if path.stem in SCREENSHOT_PAGES:
                take_screenshots(browser, path, screenshots)
        check_search(site, browser)
    finally:
        browser.close()
    site.check_links()
    for page, check, excerpt in site.findings:
        print(f"{page}: {check}: {excerpt}")
    elapsed = time.monotonic() - started
    if site.findings:
        failing = len({page for page, _, _ in site.findings})
        print(f"{len(site.findings)} defects on {failing} of {len(pages)} pages of {folder} ({elapsed:.0f} s); "
              f"screenshots in {screenshots}")
        return 1
    print(f"{len(pages)} pages of {folder} render in Chromium without a defect ({elapsed:.0f} s); "
          f"screenshots in {screenshots}")
    return 0


def take_screenshots(browser, path, folder):
    folder.mkdir(parents=True, exist_ok=True)
    try:
        browser.screenshot(folder / f"{path.stem}-{PHONE[0]}.png", PHONE[0])  # the page is open at 390 px
        browser.open(path.as_uri(), DESKTOP)
        browser.screenshot(folder / f"{path.stem}-desktop.png", DESKTOP[0])
    except Failure as e:
        print(f"{path.name}: no screenshot: {e}")


def self_test(fixtures, sources):
    found = tools()
    if found is None:
        return 77
    if not (MATHJAX / "MathJax.js").is_file():
        print(f"SKIP: no MathJax in {MATHJAX} (apt-get install libjs-mathjax)")
        return 77
    with tempfile.TemporaryDirectory(prefix="cnnbp-browser-fixtures-") as temporary:
        folder = pathlib.Path(temporary) / "html"
        shutil.copytree(fixtures, folder)
        (folder / "mathjax").symlink_to(MATHJAX)
        pages = sorted(folder.glob("*.html"))
        site = Site(folder, sources)
        browser = Browser(*found)
        try:
            for path in pages:
                site.inspect(browser, path)
        finally:
            browser.close()
        site.check_links()
        failed = static.judge_fixtures(
            "check-docs-browser", pages,
            lambda path: [(check, excerpt) for page, check, excerpt in site.findings if page == path.name], CHECKS)
    return 1 if failed else 0


def main(argv):
    args = list(argv)
    everything = "--all" in args
    if everything:
        args.remove("--all")
    options = {}
    for option in ("--source", "--screenshots"):
        if option in args:
            i = args.index(option)
            options[option] = pathlib.Path(args[i + 1])
            del args[i:i + 2]
    sources = static.Sources(options.get("--source", ROOT))
    if len(args) == 2 and args[0] == "--self-test":
        return self_test(pathlib.Path(args[1]), sources)
    if len(args) == 1 and not args[0].startswith("-"):
        folder = pathlib.Path(args[0])
        return check_folder(folder, options.get("--screenshots", folder.resolve().parent / "screenshots"), sources,
                            everything)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
