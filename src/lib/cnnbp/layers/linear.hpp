/// \file
/// The fully-connected (linear) layer, out = x W^T + b, in the row-per-sample convention of the frameworks.
/// Derivation: \ref linear "The fully-connected layer".
#pragma once

#include <armadillo>
#include <optional>

namespace cnnbp {

/// Gradients of linear: the gradient of <out, dout>, \ref eq_N1 "(N1)", with respect to each input.
struct LinearGrads {
    arma::mat dx;  ///< (N, D)
    arma::mat dw;  ///< (M, D)
    arma::vec db;  ///< (M); reported whether or not the forward had a bias
};

/// Forward, \ref eq_L1 "(L1)": out = x W^T + 1 b^T, out[n,m] = b[m] + sum_d W[m,d] x[n,d].
///
/// x is (N, D), one sample per row; w is (M, D); b is (M) or absent; out is (N, M). Throws cnnbp::Error when the
/// shapes disagree.
arma::mat linear_forward(const arma::mat& x, const arma::mat& w, const std::optional<arma::vec>& b);

/// Backward: dx = dout W, \ref eq_L2 "(L2)"; dW = dout^T x, \ref eq_L3 "(L3)"; db = the sum of dout's rows,
/// over the batch and never averaged, \ref eq_L4 "(L4)".
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)"; dout is (N, M), x and w are the forward's inputs.
LinearGrads linear_backward(const arma::mat& dout, const arma::mat& x, const arma::mat& w);

}  // namespace cnnbp
