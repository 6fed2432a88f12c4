/// \file
/// The golden suite: the case files of the edge cases where implementations break, generated deterministically
/// (`cnnbp golden`, committed in golden/). Index: golden/README.md.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cnnbp {

/// One golden case before evaluation: its file name, what it exercises, and the case document without `expected`.
struct GoldenCase {
    std::string file;           ///< "conv2d_stride_larger_than_kernel.json"
    std::string exercises;      ///< one line for the index
    nlohmann::ordered_json doc; ///< format, name, op, params, inputs, dout (and "exact": true where it holds)
};

/// Every golden case, in a fixed order, with values that are multiples of 1/16 (exact in float32) drawn from a fixed
/// pseudo-random sequence: the same on every run and every machine.
std::vector<GoldenCase> golden_cases();

/// The large golden cases (`cnnbp golden --large`, generated where they are used, not committed): realistic layer
/// sizes with inputs in {-2, -1, 1, 2}, so that every sum is exact in float32 in any order and the cases are judged
/// with tolerance 0, \ref eq_E12 "(E12)".
std::vector<GoldenCase> large_golden_cases();

}  // namespace cnnbp
