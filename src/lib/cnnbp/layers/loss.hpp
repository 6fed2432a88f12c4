/// \file
/// The losses: the quadratic cost and softmax cross-entropy, each with its output-layer error.
/// Derivation: \ref loss "Losses".
#pragma once

#include <armadillo>

namespace cnnbp {

/// Gradient of the quadratic cost with respect to the activations a.
struct MseGrads {
    arma::mat da;  ///< (N, M)
};

/// Gradient of softmax cross-entropy with respect to the logits z.
struct SoftmaxCrossEntropyGrads {
    arma::mat dz;  ///< (N, M)
};

/// The quadratic cost, \ref eq_Q1 "(Q1)": C = 1/(2N) sum_n ||a_n - y_n||^2. a and y are (N, M), one sample per row.
double mse_forward(const arma::mat& a, const arma::mat& y);

/// Its gradient, \ref eq_Q2 "(Q2)": da = dloss (a - y) / N, where dloss is the upstream gradient of the scalar loss
/// (1 when C is the network's loss). Backward means the gradient of dloss * C, \ref eq_N1 "(N1)".
MseGrads mse_backward(double dloss, const arma::mat& a, const arma::mat& y);

/// Softmax of each row, \ref eq_Q3 "(Q3)": softmax(z)[n,m] = e^(z[n,m] - max_k z[n,k]) / sum_k e^(z[n,k] - max_k z[n,k]).
arma::mat softmax(const arma::mat& z);

/// Softmax cross-entropy with integer labels, averaged over the batch, \ref eq_Q4 "(Q4)":
/// C = 1/N sum_n (logsumexp(z_n) - z[n, y_n]), with the log-sum-exp shifted by the row's maximum so that large
/// logits do not overflow. z is (N, M); labels holds N integers in [0, M).
double softmax_cross_entropy_forward(const arma::mat& z, const arma::uvec& labels);

/// Its gradient, \ref eq_Q5 "(Q5)": dz = dloss (softmax(z) - onehot(labels)) / N.
SoftmaxCrossEntropyGrads softmax_cross_entropy_backward(double dloss, const arma::mat& z, const arma::uvec& labels);

}  // namespace cnnbp
