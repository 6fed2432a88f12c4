/// \file
/// Average pooling: each window's mean, and the gradient spread evenly back over it. Derivation: \ref pooling "Pooling".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/core/tensor.hpp"

namespace cnnbp {

/// The hyper-parameters of avgpool2d.
struct AvgPool2dParams {
    Window2d window;               ///< kernel, stride, padding, ceil_mode; the dilation must be 1
    bool count_include_pad = true; ///< whether padded cells count in the divisor, \ref eq_A2 "(A2)"
};

/// The divisor of window (i, j), \ref eq_A2 "(A2)": with count_include_pad, the cells of the window that lie inside
/// the padded input (a ceil_mode window that overhangs it does not count the cells beyond); without, the cells
/// that lie inside the input itself.
double avgpool2d_divisor(arma::uword i, arma::uword j, arma::uword H, arma::uword W, const AvgPool2dParams& p);

/// Forward, \ref eq_A1 "(A1)": out[n,c,i,j] = (sum of x over the window's input cells) / divisor(i, j).
/// Padded cells add zero to the sum.
///
/// x is (N, C, H, W); out is (N, C, H', W') from \ref eq_G1 "(G1)" or \ref eq_G3 "(G3)". Throws cnnbp::Error for
/// an invalid window, \ref eq_G4 "(G4)", or a dilation other than 1.
Tensor4 avgpool2d_forward(const Tensor4& x, const AvgPool2dParams& p);

/// Backward, scatter form, \ref eq_A3 "(A3)": each window adds dout[n,c,i,j] / divisor(i, j) to every input cell
/// under it.
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)". dout is (N, C, H', W'); the input's values do
/// not enter the gradient, only its shape x_shape = (N, C, H, W).
Pool2dGrads avgpool2d_backward_scatter(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p);

/// Backward, gather form, \ref eq_A4 "(A4)": dx[n,c,h,w] = sum of dout[n,c,i,j] / divisor(i, j) over the windows
/// (i, j) that contain pixel (h, w). Same contract as avgpool2d_backward_scatter().
Pool2dGrads avgpool2d_backward_gather(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p);

/// The oracle's backward: avgpool2d_backward_scatter().
Pool2dGrads avgpool2d_backward(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p);

}  // namespace cnnbp
