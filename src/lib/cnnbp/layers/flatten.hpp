/// \file
/// Flatten: a batch of images (N, C, H, W) as a matrix with one sample per row, the bridge from the convolutional
/// layers to the fully-connected ones. Derivation: \ref linear "The fully-connected layer".
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>

namespace cnnbp {

/// Gradient of flatten: dx, shaped like the image batch.
struct FlattenGrads {
    Tensor4 dx;  ///< (N, C, H, W)
};

/// Forward, \ref eq_L5 "(L5)": out[n, (c H + h) W + w] = x[n, c, h, w], an N x (C H W) matrix whose rows are the
/// samples in row-major (C, H, W) order, as PyTorch's flatten orders them.
arma::mat flatten_forward(const Tensor4& x);

/// Backward, \ref eq_L5 "(L5)": the same copy in the other direction, dx[n, c, h, w] = dout[n, (c H + h) W + w].
/// dout is N x (C H W); x_shape is the forward's input shape.
FlattenGrads flatten_backward(const arma::mat& dout, const Shape4& x_shape);

}  // namespace cnnbp
