MathJax.Hub.Config({
  // A formula wider than its column breaks into lines (inline ones too), so that a page reads at 390 px; what
  // cannot break (a matrix, a case distinction) scrolls sideways in its own box (docs/site/cnnbp.css).
  "HTML-CSS": { linebreaks: { automatic: true } }
});
