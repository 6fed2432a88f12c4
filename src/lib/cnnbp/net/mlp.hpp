/// \file
/// The classic backpropagation algorithm for a fully-connected network in matrix form, step for step as the
/// textbooks state it: layers 0 (input) to L (output), column vectors per layer, W^T sending the error back.
/// Derivation: \ref backprop "The backpropagation algorithm".
#pragma once

#include <armadillo>
#include <vector>

namespace cnnbp {

/// The activation function of an MLP layer.
enum class Activation { identity, relu, sigmoid, tanh };

/// Layer l of an MLP (l = 1..L), in the column-vector notation: z^l = W^l a^(l-1) + b^l, a^l = f(z^l).
struct MlpLayer {
    arma::mat W;   ///< (n_l, n_(l-1)): the non-bias weights from layer l-1 to layer l
    arma::vec b;   ///< (n_l): the bias weights
    Activation f;  ///< the activation function of layer l
};

/// Everything backprop_mlp() computes, indexed by layer l = 0..L (index 0 is the input layer, which has an
/// activation only). Samples are columns: a batch of N samples makes every vector an n_l x N matrix.
struct MlpTrace {
    std::vector<arma::mat> a;      ///< a[l]: activations, n_l x N; a[0] = x
    std::vector<arma::mat> z;      ///< z[l]: net inputs, n_l x N (z[0] empty)
    std::vector<arma::mat> delta;  ///< delta[l] = dC/dz^l: error signals, n_l x N (delta[0] empty)
    std::vector<arma::mat> dW;     ///< dW[l] = dC/dW^l (dW[0] empty)
    std::vector<arma::vec> db;     ///< db[l] = dC/db^l (db[0] empty)
    double cost = 0.0;             ///< C = 1/(2N) sum_n ||a^L_n - y_n||^2, \ref eq_Q1 "(Q1)"
};

/// The five steps of backpropagation for the quadratic cost on a batch:
/// (1) a^0 = x, \ref eq_B1 "(B1)"; (2) z^l = W^l a^(l-1) + b^l, a^l = f(z^l) for l = 1..L, \ref eq_B2 "(B2)";
/// (3) delta^L = grad_a C (elementwise) f'(z^L), \ref eq_B3 "(B3)"; (4) delta^l = ((W^(l+1))^T delta^(l+1))
/// (elementwise) f'(z^l) for l = L-1..1, \ref eq_B4 "(B4)"; (5) dC/dW^l = delta^l (a^(l-1))^T and
/// dC/db^l = delta^l 1 (summed over the batch's columns), \ref eq_B5 "(B5)".
///
/// net holds layers 1..L (net[l-1] is layer l); x is (n_0, N), y is (n_L, N), one sample per column.
/// Throws cnnbp::Error when the shapes do not chain.
MlpTrace backprop_mlp(const std::vector<MlpLayer>& net, const arma::mat& x, const arma::mat& y);

/// The gradient-descent update, \ref eq_B6 "(B6)": W^l <- W^l - eta dC/dW^l and b^l <- b^l - eta dC/db^l for every layer.
void gradient_descent_step(std::vector<MlpLayer>& net, const MlpTrace& trace, double eta);

}  // namespace cnnbp
