#!/usr/bin/env bash
# Copies the part of Debian's MathJax 2.7 (libjs-mathjax, fonts-mathjax) that the pages use into the site, as real
# files: the folder build/docs/html can then be copied, served or opened anywhere and keeps its formulas.
# The pages load mathjax/MathJax.js with the TeX input, the HTML-CSS output and its TeX fonts (Doxyfile:
# MATHJAX_FORMAT, MATHJAX_EXTENSIONS); the browser test (tools/check-docs-browser.py) fails if one fails to load.
# usage: copy-mathjax.sh HTML_DIR
set -euo pipefail
src=/usr/share/javascript/mathjax
dest=$1/mathjax
[ -f "$src/MathJax.js" ] || { echo "copy-mathjax: $src/MathJax.js is missing: install libjs-mathjax" >&2; exit 1; }
rm -rf "$dest"
for part in MathJax.js extensions jax/input/TeX jax/element jax/output/HTML-CSS/jax.js jax/output/HTML-CSS/config.js \
            jax/output/HTML-CSS/autoload jax/output/HTML-CSS/imageFonts.js jax/output/HTML-CSS/fonts/TeX \
            fonts/HTML-CSS/TeX/woff fonts/HTML-CSS/TeX/otf localization/en; do
  mkdir -p "$dest/$(dirname "$part")"
  cp -RL "$src/$part" "$dest/$part"   # -L: Debian links the fonts from fonts-mathjax; copy the files themselves
done
