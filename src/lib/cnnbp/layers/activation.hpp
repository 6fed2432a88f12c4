/// \file
/// Elementwise activations relu, sigmoid and tanh, on tensors of any rank (Tensor4 or a matrix).
/// Derivation: \ref activation "Activations".
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>

namespace cnnbp {

/// Gradient of an elementwise activation: dx, shaped like x.
template <class T>
struct ActivationGrads {
    T dx;  ///< shaped like the forward's input
};

/// relu(x) = max(0, x), elementwise, \ref eq_R1 "(R1)".
Tensor4 relu_forward(const Tensor4& x);
/// relu(x) = max(0, x), elementwise, \ref eq_R1 "(R1)".
arma::mat relu_forward(const arma::mat& x);
/// dx = dout * [x > 0], \ref eq_R2 "(R2)": the derivative at 0 is taken to be 0, as in the frameworks.
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)"; x is the forward's input (the net input).
ActivationGrads<Tensor4> relu_backward(const Tensor4& dout, const Tensor4& x);
/// dx = dout * [x > 0], \ref eq_R2 "(R2)". Same contract as the Tensor4 overload.
ActivationGrads<arma::mat> relu_backward(const arma::mat& dout, const arma::mat& x);

/// sigmoid(x) = 1 / (1 + e^-x), elementwise, \ref eq_R3 "(R3)", computed without overflow for large |x|.
Tensor4 sigmoid_forward(const Tensor4& x);
/// sigmoid(x) = 1 / (1 + e^-x), elementwise, \ref eq_R3 "(R3)".
arma::mat sigmoid_forward(const arma::mat& x);
/// dx = dout * s (1 - s) with s = sigmoid(x), \ref eq_R4 "(R4)": the derivative at the net input x, not at the
/// activation. x is the forward's input.
ActivationGrads<Tensor4> sigmoid_backward(const Tensor4& dout, const Tensor4& x);
/// dx = dout * s (1 - s) with s = sigmoid(x), \ref eq_R4 "(R4)". Same contract as the Tensor4 overload.
ActivationGrads<arma::mat> sigmoid_backward(const arma::mat& dout, const arma::mat& x);

/// tanh(x), elementwise, \ref eq_R5 "(R5)".
Tensor4 tanh_forward(const Tensor4& x);
/// tanh(x), elementwise, \ref eq_R5 "(R5)".
arma::mat tanh_forward(const arma::mat& x);
/// dx = dout * (1 - tanh(x)^2), \ref eq_R6 "(R6)". x is the forward's input.
ActivationGrads<Tensor4> tanh_backward(const Tensor4& dout, const Tensor4& x);
/// dx = dout * (1 - tanh(x)^2), \ref eq_R6 "(R6)". Same contract as the Tensor4 overload.
ActivationGrads<arma::mat> tanh_backward(const arma::mat& dout, const arma::mat& x);

/// The scalar functions behind the layers, for code that needs them one value at a time.
namespace scalar {
/// max(0, z), \ref eq_R1 "(R1)"
double relu(double z);
/// relu'(z) = [z > 0], with relu'(0) = 0, \ref eq_R2 "(R2)"
double relu_prime(double z);
/// 1 / (1 + e^-z), \ref eq_R3 "(R3)"
double sigmoid(double z);
/// sigma(z) (1 - sigma(z)), \ref eq_R4 "(R4)"
double sigmoid_prime(double z);
/// 1 - tanh(z)^2, \ref eq_R6 "(R6)"
double tanh_prime(double z);
}  // namespace scalar

}  // namespace cnnbp
