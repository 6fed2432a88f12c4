// build/cnnbp suite and hunt: differential testing of an implementation over the JSON-lines protocol.
#pragma once

#include "cnnbp/oracle/oracle.hpp"
#include "implementation.hpp"

#include <map>
#include <string>
#include <vector>

namespace cnnbp::cli {

/// The outcome of one case sent to an implementation.
struct Outcome {
    enum Kind { passed, failed, unsupported, not_judged } kind;
    std::string detail;  ///< for a failure: the worst element or the problem; for unsupported: the reason
};

/// Sends one case (without expected) to the implementation and judges the answer as check does (ties: any split)
/// against `e`, the oracle's evaluation of that case.
Outcome judge_case(Implementation& impl, const nlohmann::ordered_json& doc, const Evaluation& e, const Precision& p);

/// cnnbp suite [DIR] --impl CMD [--dtype]: every case of DIR through the implementation. Returns the exit status.
int run_suite(const std::string& dir, const std::string& impl, const std::string& dtype, double timeout,
              double startup_timeout);

}  // namespace cnnbp::cli
