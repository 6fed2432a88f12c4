// cnnbp's full-text search, offline: search-index.js (written after Doxygen by tools/doc-search-index.py) holds
// the text of every page, cut at its anchors (sections and labelled equations); this script finds the pieces that
// hold every word of the query and lists them with a snippet. A formula label is found as written: "(C6)".
(function () {
  "use strict";
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }
  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term);
    var from = Math.max(0, at - 80), to = Math.min(text.length, at + term.length + 120);
    var s = (from > 0 ? "\u2026" : "") + text.slice(from, to) + (to < text.length ? "\u2026" : "");
    var out = "", lower = s.toLowerCase(), i = 0, k;
    while ((k = lower.indexOf(term, i)) >= 0) {
      out += escapeHtml(s.slice(i, k)) + "<mark>" + escapeHtml(s.slice(k, k + term.length)) + "</mark>";
      i = k + term.length;
    }
    return out + escapeHtml(s.slice(i));
  }
  // Every piece that holds all the terms, best first: a hit in the heading, then the number of hits.
  function search(index, query) {
    var ts = terms(query), hits = [];
    if (ts.length === 0) return hits;
    index.forEach(function (page) {
      page.s.forEach(function (piece) {
        var head = (page.t + " " + piece.h).toLowerCase(), body = piece.x.toLowerCase();
        var score = 0;
        for (var i = 0; i < ts.length; ++i) {
          var inHead = head.indexOf(ts[i]) >= 0, inBody = body.indexOf(ts[i]) >= 0;
          if (!inHead && !inBody) return;
          score += (inHead ? 100 : 0) + body.split(ts[i]).length - 1;
        }
        hits.push({ page: page, piece: piece, score: score });
      });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits;
  }
  function show(box, index, query) {
    var hits = search(index, query);
    var html = "<p>" + hits.length + (hits.length === 1 ? " place" : " places") + " for <b>" + escapeHtml(query) +
               "</b></p><ol>";
    hits.slice(0, 100).forEach(function (h) {
      var href = h.page.u + (h.piece.a ? "#" + h.piece.a : "");
      var where = h.piece.h && h.piece.h !== h.page.t ? " \u203a " + escapeHtml(h.piece.h) : "";
      html += '<li><a href="' + escapeHtml(href) + '">' + escapeHtml(h.page.t) + where + "</a>" +
              '<span class="cnnbp-snippet">' + snippet(h.piece.x, terms(query)[0]) + "</span></li>";
    });
    box.innerHTML = html + "</ol>";
  }
  window.cnnbpSearch = search;  // for the tests
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("cnnbp-search-results");
    if (!box) return;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var input = document.querySelector("#cnnbp-search-box input");
    if (input) input.value = query;
    if (!query) { box.innerHTML = "<p>Type a word or a formula label, such as (C6), in the box above.</p>"; return; }
    var script = document.createElement("script");
    script.src = "search-index.js";
    script.onload = function () { show(box, window.CNNBP_SEARCH_INDEX, query); };
    script.onerror = function () { box.innerHTML = "<p>The search index search-index.js is missing.</p>"; };
    document.head.appendChild(script);
  });
})();
