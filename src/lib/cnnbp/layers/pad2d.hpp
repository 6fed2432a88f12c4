/// \file
/// Zero padding of the four borders of every plane, and its backward (the crop).
/// Derivation: \ref pad2d "Zero padding".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

namespace cnnbp {

/// Gradients of pad2d: dx only (padding has no parameters).
struct Pad2dGrads {
    Tensor4 dx;  ///< (N, C, H, W)
};

/// Zero padding, \ref eq_P1 "(P1)": out[n,c,h+p_top,w+p_left] = x[n,c,h,w], zeros elsewhere.
///
/// x is (N, C, H, W); out is (N, C, p_top + H + p_bottom, p_left + W + p_right).
/// Throws cnnbp::Error if a padding is negative.
Tensor4 pad2d_forward(const Tensor4& x, const Padding& p);

/// Backward of zero padding: the crop, \ref eq_P2 "(P2)": dx[n,c,h,w] = dout[n,c,h+p_top,w+p_left].
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)". dout is
/// (N, C, H + p_top + p_bottom, W + p_left + p_right); the gradient that lands on the
/// padding is dropped because the padded zeros are constants. It is the adjoint of pad2d_forward(),
/// \ref eq_N2 "(N2)": <pad(x), y> = <x, crop(y)>. Throws cnnbp::Error if a
/// padding is negative or larger than dout allows.
Pad2dGrads pad2d_backward(const Tensor4& dout, const Padding& p);

}  // namespace cnnbp
