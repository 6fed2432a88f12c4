/// \file
/// The oracle's evaluation: a case file's op on its inputs, every output with the magnitudes its bound needs
/// (\ref tolerances "Tolerances from the arithmetic"). Formats: \ref case_format "Case files".
#pragma once

#include "cnnbp/oracle/expected.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace cnnbp {

/// Evaluates a `cnnbp-case/1` document read from `file`: validates the format, op, params, inputs and dout, then
/// computes every output of the op and its error magnitudes: sums of products \ref eq_E2 "(E2)", functions and
/// cancelling derivatives \ref eq_E4 "(E4)", a network's coefficients \ref eq_E6 "(E6)". Throws cnnbp::Error naming
/// the file, the key and what is wrong.
Evaluation evaluate_case(const nlohmann::ordered_json& doc, const std::string& file);

/// The case `doc` (already valid: evaluate_case() accepted it) with its params written again in full, as
/// implementations receive it from suite and hunt: every parameter present, stride and dilation as [h, w] pairs,
/// padding as {"top", "bottom", "left", "right"}, each layer of a network likewise. Every other field is kept.
nlohmann::ordered_json canonical_case(const nlohmann::ordered_json& doc);

/// The outputs of an evaluation in the order the documentation lists them: values first, then gradients, inputs
/// before parameters, a network's layers in order.
std::vector<std::string> output_keys(const Evaluation& e);

/// The `expected` object of an evaluation: {"out": ..., "dx": ...}, tensors as nested arrays; a network's parameter
/// gradients as "layer_grads": [{"dw", "db"} or {}, ...].
nlohmann::ordered_json expected_json(const Evaluation& e);

}  // namespace cnnbp
