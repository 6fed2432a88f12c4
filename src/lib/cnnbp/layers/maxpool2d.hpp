/// \file
/// Max pooling: each window's largest value, and the gradient routed back to it. Derivation: \ref pooling "Pooling".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

namespace cnnbp {

/// Gradients of a pooling layer: dx only (pooling has no parameters).
struct Pool2dGrads {
    Tensor4 dx;  ///< (N, C, H, W)
};

/// Where a max-pooling window's maximum is: the input row and column of the winner.
struct Winner {
    arma::uword h = 0;  ///< input row
    arma::uword w = 0;  ///< input column
};

/// The winner of window (i, j) on plane (n, c), \ref eq_X2 "(X2)": the first maximum in row-major window order
/// (tap (u, v) before (u, v+1) before (u+1, 0)), over the taps that fall on the input. Padded cells count as
/// minus infinity and so never win; a NaN wins (the last NaN of the window), as in PyTorch. `g` must have passed pool_output_size().
Winner maxpool2d_winner(const Tensor4& x, arma::uword n, arma::uword c, arma::uword i, arma::uword j,
                        const Window2d& g);

/// Forward, \ref eq_X1 "(X1)": out[n,c,i,j] = max over the taps (u, v) inside the input of
/// x[n, c, i s_h + u d_h - p_top, j s_w + v d_w - p_left].
///
/// x is (N, C, H, W); out is (N, C, H', W') with H', W' from \ref eq_G1 "(G1)", or \ref eq_G3 "(G3)" under
/// `g.ceil_mode`. Ties go to the first maximum in row-major window order (maxpool2d_winner()). Throws cnnbp::Error
/// for an invalid window, \ref eq_G4 "(G4)".
Tensor4 maxpool2d_forward(const Tensor4& x, const Window2d& g);

/// Backward, scatter form, \ref eq_X3 "(X3)": each window sends dout[n,c,i,j] to its winner,
/// dx[n, c, winner(i, j)] += dout[n,c,i,j]; every other cell of the window gets nothing.
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)"; dout is (N, C, H', W'), x is the forward's input.
/// Pixels that win several overlapping windows collect all of them.
Pool2dGrads maxpool2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Window2d& g);

/// Backward, gather form, \ref eq_X4 "(X4)": dx[n,c,h,w] = sum of dout[n,c,i,j] over the windows (i, j) that
/// contain pixel (h, w) and whose winner it is. Same contract as maxpool2d_backward_scatter().
Pool2dGrads maxpool2d_backward_gather(const Tensor4& dout, const Tensor4& x, const Window2d& g);

/// The oracle's backward: maxpool2d_backward_scatter().
Pool2dGrads maxpool2d_backward(const Tensor4& dout, const Tensor4& x, const Window2d& g);

}  // namespace cnnbp
