#include "cnnbp/net/mlp.hpp"

#include "cnnbp/layers/activation.hpp"
#include "cnnbp/core/error.hpp"

#include <cmath>

namespace cnnbp {

namespace {

arma::mat apply(Activation f, const arma::mat& z) {
    switch (f) {
        case Activation::relu: return relu_forward(z);
        case Activation::sigmoid: return sigmoid_forward(z);
        case Activation::tanh: return tanh_forward(z);
        case Activation::identity: break;
    }
    return z;
}

// f'(z), elementwise
arma::mat derivative(Activation f, const arma::mat& z) {
    const arma::mat ones(arma::size(z), arma::fill::ones);
    switch (f) {
        case Activation::relu: return relu_backward(ones, z).dx;
        case Activation::sigmoid: return sigmoid_backward(ones, z).dx;
        case Activation::tanh: return tanh_backward(ones, z).dx;
        case Activation::identity: break;
    }
    return ones;
}

void check_net(const std::vector<MlpLayer>& net, const arma::mat& x, const arma::mat& y) {
    if (net.empty()) fail("backprop_mlp: the network has no layers");
    if (x.n_cols == 0) fail("backprop_mlp: x has no columns (samples)");
    arma::uword n_prev = x.n_rows;
    for (std::size_t l = 1; l <= net.size(); ++l) {
        const MlpLayer& layer = net[l - 1];
        if (layer.W.n_cols != n_prev)
            fail("backprop_mlp: W of layer ", l, " is ", layer.W.n_rows, " x ", layer.W.n_cols, " but layer ", l - 1,
                 " has ", n_prev, " units");
        if (layer.b.n_elem != layer.W.n_rows)
            fail("backprop_mlp: b of layer ", l, " has ", layer.b.n_elem, " elements but W has ", layer.W.n_rows, " rows");
        n_prev = layer.W.n_rows;
    }
    if (y.n_rows != n_prev || y.n_cols != x.n_cols)
        fail("backprop_mlp: y is ", y.n_rows, " x ", y.n_cols, " but the output layer gives ", n_prev, " x ", x.n_cols);
}

}  // namespace

// [backprop_mlp]
MlpTrace backprop_mlp(const std::vector<MlpLayer>& net, const arma::mat& x, const arma::mat& y) {
    check_net(net, x, y);
    const std::size_t L = net.size();
    const double N = double(x.n_cols);
    auto W = [&](std::size_t l) -> const arma::mat& { return net[l - 1].W; };  // layer l's weights, l = 1..L
    MlpTrace t;
    t.a.resize(L + 1), t.z.resize(L + 1), t.delta.resize(L + 1), t.dW.resize(L + 1), t.db.resize(L + 1);

    // (1) Input: set the activation of the input layer.
    t.a[0] = x;
    // (2) Feed forward: z^l = W^l a^(l-1) + b^l, a^l = f(z^l), for l = 1..L.
    for (std::size_t l = 1; l <= L; ++l) {
        t.z[l] = W(l) * t.a[l - 1];
        t.z[l].each_col() += net[l - 1].b;
        t.a[l] = apply(net[l - 1].f, t.z[l]);
    }
    t.cost = arma::accu(arma::square(t.a[L] - y)) / (2.0 * N);
    // (3) Output error: delta^L = grad_a C (elementwise) f'(z^L), with grad_a C = (a^L - y) / N.
    t.delta[L] = ((t.a[L] - y) / N) % derivative(net[L - 1].f, t.z[L]);
    // (4) Backpropagate the error: delta^l = ((W^(l+1))^T delta^(l+1)) (elementwise) f'(z^l), for l = L-1..1.
    for (std::size_t l = L - 1; l >= 1; --l) t.delta[l] = (W(l + 1).t() * t.delta[l + 1]) % derivative(net[l - 1].f, t.z[l]);
    // (5) Output: the gradients, dC/dW^l = delta^l (a^(l-1))^T and dC/db^l = delta^l summed over the samples.
    for (std::size_t l = 1; l <= L; ++l) {
        t.dW[l] = t.delta[l] * t.a[l - 1].t();
        t.db[l] = arma::sum(t.delta[l], 1);
    }
    return t;
}
// [backprop_mlp]

// [gradient_descent_step]
void gradient_descent_step(std::vector<MlpLayer>& net, const MlpTrace& trace, double eta) {
    if (trace.dW.size() != net.size() + 1)
        fail("gradient_descent_step: the trace has ", trace.dW.size(), " layers (with the input) but the network ",
             net.size() + 1);
    for (std::size_t l = 1; l <= net.size(); ++l) {
        net[l - 1].W -= eta * trace.dW[l];  // (B6)
        net[l - 1].b -= eta * trace.db[l];
    }
}
// [gradient_descent_step]

}  // namespace cnnbp
