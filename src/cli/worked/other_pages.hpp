// The worked results of the pages other than the convolution's (worked.hpp): pooling, linear, activations, losses,
// finite differences, backpropagation, the tiny CNN, tolerances, and the case format. Each writer returns one
// Markdown fragment that a page pulls in with a line `@worked NAME` (docs/artifacts.hpp); every number in it is
// computed here by the library's own functions.
#pragma once

#include "format.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <functional>
#include <string>

namespace cnnbp::cli::other {

// pool_linear.cpp
std::string pooling_example();   ///< the page's 3 x 4 plane: max and average pooling, winners, dx
std::string pooling_results();   ///< shapes, scatter = gather, one finite difference
std::string linear_example();    ///< (L1)-(L4) on the page's 2 x 3 example
std::string linear_results();    ///< shapes, matrix form = index sums, one finite difference, flatten's order

// act_loss.cpp
std::string activation_results();  ///< relu, sigmoid, tanh and their derivatives at a few points, the kink
std::string loss_results();        ///< mse and softmax cross-entropy on small batches, (Q5) both ways
std::string gradcheck_results();   ///< the step (F3), the error (F2) against the step, (F4) exact on a linear layer
std::string notation_results();    ///< (N1) and (N2) measured on a linear layer

// net_backprop.cpp
std::string backprop_mlp_trace();         ///< backprop_mlp(): every z, a, delta, dW, db
std::string backprop_sequential_trace();  ///< sequential_backprop() on the same network: every a and da
std::string tiny_cnn_numbers();           ///< the tiny CNN's equations with its numbers substituted

// oracle_pages.cpp
std::string tolerances_results();   ///< a check report in float32 and one element's bound (E3) step by step
std::string case_format_example();  ///< the case to paste, what eval writes, a wrong result and check's report
std::string case_format_network();  ///< the tiny CNN with its ReLU as a sequential case file

// Helpers of these pages (format.hpp has the shared ones).

/// v to `digits` significant digits (for values that are not dyadic): 0.268941, -0.5.
std::string sig(double v, int digits = 6);
/// sig() as inline math, for a table cell or prose: \f$1.5 \cdot 10^{-7}\f$.
std::string sig_math(double v, int digits = 6);
/// num(v), in parentheses when negative, for a term of a sum or product: 2 \cdot (-0.5).
std::string term(double v);
/// A pmatrix of m with every entry to `digits` significant digits.
std::string pmatrix_sig(const arma::mat& m, int digits = 6);
/// One central difference (cnnbp::central_difference(), (F1) with the step (F3)) for element k of theta (storage
/// order), with the step h it took.
CentralDifference central_difference(const std::function<double(const arma::mat&)>& loss, arma::mat theta, arma::uword k);
CentralDifference central_difference(const std::function<double(const Tensor4&)>& loss, Tensor4 theta, arma::uword k);

}  // namespace cnnbp::cli::other
