/// \file
/// im2col and its adjoint col2im: the rearrangement that turns a convolution into one matrix
/// product. Derivation: \ref conv_matrix "The matrix form".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

namespace cnnbp {

/// Unfolds the windows of channels [c0, c0 + channels) of x into the columns of a matrix,
/// \ref eq_M1 "(M1)".
///
/// x is (N, C, H, W); the result is (channels * K_h * K_w) x (N * H' * W'), with
/// row (c' K_h + u) K_w + v and column (n H' + i) W' + j holding
/// x[n, c0 + c', i s_h + u d_h - p_top, j s_w + v d_w - p_left], or 0 where that pixel is padding.
/// `o` must be output_size() of the window on x.
arma::mat im2col(const Tensor4& x, arma::uword c0, arma::uword channels, const Window2d& g, const OutputSize& o);

/// The adjoint of im2col, \ref eq_M4 "(M4)": adds every entry of `cols` back onto the pixel it
/// was copied from (entries that came from padding are dropped), into channels
/// [c0, c0 + channels) of dx. Pixels covered by several windows accumulate. It is the adjoint of im2col(),
/// \ref eq_N2 "(N2)": <im2col(x), Y> = <x, col2im(Y)>.
void col2im_add(const arma::mat& cols, arma::uword c0, arma::uword channels, const Window2d& g, const OutputSize& o,
                Tensor4& dx);

}  // namespace cnnbp
