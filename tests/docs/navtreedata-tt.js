// check-docs expects: literal <tt>
// The navigation puts its titles on screen as text: a code span of a \page title shows as <tt> (issue 13).
var NAVTREE =
[
  [ "cnnbp", "index.html", [
    [ "Tolerances from the arithmetic: how <tt>cnnbp check</tt> bounds each element", "md_derivations_15_tolerances.html", null ]
  ] ]
];
