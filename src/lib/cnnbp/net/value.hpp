/// \file
/// What flows between the layers of a network, and what a layer's weights and their gradients are.
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <optional>
#include <string>
#include <variant>

namespace cnnbp {

/// What flows between layers: a batch of images, or (after flatten) a matrix with one sample per row.
using Value = std::variant<Tensor4, arma::mat>;

/// The parameters of one layer: w is a Tensor4 for conv2d and a matrix for linear; other layers have none.
struct LayerParams {
    std::optional<Value> w;        ///< the weights, if the layer has any
    std::optional<arma::vec> b;    ///< the bias, if the layer has one
};

/// The gradients of one layer's parameters, shaped like them.
struct LayerGrads {
    std::optional<Value> dw;       ///< dC/dw, if the layer has weights
    std::optional<arma::vec> db;   ///< dC/db, if the layer has a bias
};

/// A value described for an error message: "a Tensor4 of shape (1,2,3,3)" or "a 2 x 5 matrix".
std::string describe(const Value& v);

}  // namespace cnnbp
