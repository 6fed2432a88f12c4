// The documentation's generated pieces: figures (SVG) and worked results (Markdown), each named and written by the
// code itself, so that a picture or a number on a page can never disagree with the functions it shows.
//   cnnbp figure NAME        writes one figure to standard output;  cnnbp figure --all -o DIR  writes DIR/NAME.svg
//   cnnbp worked NAME        the same for worked results;           cnnbp worked --all -o DIR  writes DIR/NAME.md
// The build runs both --all forms into build/generated/ before Doxygen (CMakeLists.txt); a page shows a figure with
// `\image html NAME.svg "caption"` and a worked result with a line `@worked NAME` (tools/doc-filter.py).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace cnnbp::cli {

struct Artifact {
    std::string name;                   ///< file name without extension: lower case, digits, '-' and '_'
    std::string summary;                ///< one line for --list
    std::function<std::string()> write; ///< the whole file
};

std::vector<Artifact> figures();          // figure/figures.cpp
std::vector<Artifact> worked_examples();  // worked/worked.cpp

/// Writes the named artifacts (or all of them) to out_dir as NAME.extension, or a single one to `out`; --list prints
/// names and summaries. Returns the exit status (2 on an unknown name, naming it and the known ones).
int run_artifacts(const std::vector<Artifact>& artifacts, const std::vector<std::string>& names, bool all, bool list,
                  const std::string& out_dir, const std::string& extension, std::ostream& out);

}  // namespace cnnbp::cli
