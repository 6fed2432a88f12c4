// build/cnnbp suite and hunt: differential testing of an implementation over the JSON-lines protocol.
#pragma once

#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cnnbp::cli {

/// The outcome of one case sent to an implementation.
struct Outcome {
    enum Kind { passed, failed, unsupported, not_judged, incomplete } kind;
    std::string detail;  ///< failed: the worst element or the problem; unsupported, not judged: the reason;
                         ///< incomplete: the required outputs the answer left out
};

/// Which outputs an answer must hold (--require): every output the case has (the default), any one of them, or
/// those named ("dw" also names each layer's dw in a network). An answer that leaves a required one out is
/// incomplete, even when everything it gave is right.
struct Requirement {
    enum Kind { all, any, listed } kind = all;
    std::set<std::string> keys;
};

/// "all", "any", or a comma-separated list of out, loss, dx, da, dz, dw, db. Throws cnnbp::Error for anything else.
Requirement parse_requirement(const std::string& text);

/// Sends one case (without expected) to the implementation and judges the answer as check does (ties: any split)
/// against `e`, the oracle's evaluation of that case: a wrong element or a problem is a failure; then the outputs
/// `r` requires and the answer lacks make it incomplete.
Outcome judge_case(Implementation& impl, const nlohmann::ordered_json& doc, const Evaluation& e, const Precision& p,
                   const Requirement& r);

/// What the user asked of suite.
struct SuiteOptions {
    std::string dir = "golden", impl, dtype = "float64", require = "all", bound = "tight";
    std::string accumulate;  ///< --accumulate: the precision of the products and sums ("": the default for dtype)
    double timeout = 10.0, startup_timeout = 60.0;
    bool exitfirst = false;              ///< -x: stop at the first failed case
    int jobs = 1;                        ///< implementations working side by side
    std::vector<std::string> keywords;   ///< -k: only files whose name holds one of these
    std::vector<std::string> ops;        ///< --op: only cases of these ops
    std::string junitxml;                ///< --junitxml: also write a JUnit XML report here
    bool as_json = false;                ///< --json: the report as one JSON object
};

/// cnnbp suite [DIR|FILE] --impl CMD: every case of DIR (or the one case FILE) through the implementation. Returns
/// the exit status.
int run_suite(const SuiteOptions& o);

/// A shell word for `text`: 'text', with any ' in it written '\''.
std::string shell_quote(const std::string& text);

/// The program as it was invoked (argv[0]: `cnnbp`, `build/cnnbp`, ...), so that a printed reproduce command runs
/// as printed. main() sets it.
extern std::string invoked_as;

/// "PROGRAM suite FILE --impl CMD [--dtype D] [--accumulate A] [--require R]": the command that runs one case again.
std::string reproduce_command(const std::string& file, const std::string& impl, const std::string& dtype,
                              const std::string& require, const std::string& accumulate = "");

}  // namespace cnnbp::cli
