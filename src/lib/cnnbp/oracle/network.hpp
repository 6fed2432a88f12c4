/// \file
/// `sequential` case files: a network read from and written to a case (every parameter of every layer, so that
/// reading what was written gives the same network back), and evaluated with the first-order error coefficients of
/// \ref eq_E6 "(E6)" carried through every layer.
#pragma once

#include "cnnbp/net/sequential.hpp"
#include "cnnbp/oracle/expected.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace cnnbp {

/// The network of a `sequential` case: params.layers (each {"op", its parameters}), params.loss, inputs.x,
/// inputs.layer_params and the loss's targets (inputs.y or inputs.labels). Throws cnnbp::Error naming the key.
NetworkCase read_network(const nlohmann::ordered_json& doc);

/// The `sequential` case file of a network, without "expected".
nlohmann::ordered_json write_network(const NetworkCase& net, const std::string& name);

/// Evaluates a network: its loss, dx and every layer's parameter gradients, with the coefficients of
/// \ref eq_E6 "(E6)" as their magnitudes, and the places where a correct computation may flip, \ref eq_E7 "(E7)".
void evaluate_network(const NetworkCase& net, Evaluation& e);

}  // namespace cnnbp
