// The worked results of the backpropagation page and the tiny CNN's page (other_pages.hpp).
#include "other_pages.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "cnnbp/net/sequential.hpp"
#include "cnnbp/net/tiny_cnn.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace cnnbp::cli::other {

using fmt::display;
using fmt::math;
using fmt::max_abs_diff;
using fmt::num;
using fmt::pmatrix;

namespace {

// The page's network: 3 inputs, a relu layer of 2 units, an identity layer of 2 outputs; a batch of N = 2 samples
// as columns. One hidden net input is negative, so the relu's gate (B4) shows. Every value is dyadic: exact.
struct Mlp {
    std::vector<MlpLayer> net = {{{{0.5, -1, 0.25}, {1, 0.5, 0.5}}, {0.375, 0.5}, Activation::relu},
                                 {{{1, -0.5}, {0.5, 0.75}}, {0, 0.25}, Activation::identity}};
    arma::mat x = {{1, -0.5}, {0.5, 1}, {-1, 0.25}};
    arma::mat y = {{0.5, 0}, {1, -0.5}};
};

// The same network as sequential layers, one sample per row (the test `backprop_mlp equals the sequential network of
// linear and activation layers` builds it the same way).
struct Sequential {
    std::vector<Layer> layers;
    std::vector<LayerParams> params;
    explicit Sequential(const Mlp& m) {
        for (const MlpLayer& l : m.net) {
            layers.push_back(layer("linear"));
            params.push_back({Value(l.W), l.b});
            if (l.f == Activation::relu) {
                layers.push_back(layer("relu"));
                params.push_back({});
            }
        }
    }
};

const arma::mat& mat_of(const Value& v) { return std::get<arma::mat>(v); }

std::string sup(const char* name, std::size_t l) { return std::string(name) + "^{" + std::to_string(l) + "}"; }

// A number the page derives by hand must equal the library's: otherwise the docs build stops here.
void agree(double formula, double library, const char* what) {
    if (formula != library)
        throw std::runtime_error(std::string("worked tiny_cnn-numbers: ") + what + " by the formula is " + num(formula) +
                                 " but the library computed " + num(library));
}

}  // namespace

std::string backprop_mlp_trace() {
    const Mlp m;
    const MlpTrace t = backprop_mlp(m.net, m.x, m.y);
    std::string s = "cnnbp::backprop_mlp() on a network with " + math("n_0 = 3") + " inputs, a relu layer of " +
                    math("n_1 = 2") + " units and an identity output layer of " + math("n_2 = 2") + ", for a batch of " +
                    math("N = 2") + " samples (the columns of " + math("x") + " and " + math("y") + "):\n";
    s += display("a^0 = x = " + pmatrix(m.x) + ", \\quad y = " + pmatrix(m.y));
    for (std::size_t l = 1; l <= m.net.size(); ++l)
        s += display(sup("W", l) + " = " + pmatrix(m.net[l - 1].W) + ", \\quad " + sup("b", l) + " = " +
                     pmatrix(arma::mat(m.net[l - 1].b)));
    s += "Feed forward, \\ref eq_B2 \"(B2)\":\n";
    for (std::size_t l = 1; l <= m.net.size(); ++l)
        s += display(sup("z", l) + " = " + sup("W", l) + sup("a", l - 1) + " + " + sup("b", l) + " = " + pmatrix(t.z[l]) +
                     ", \\quad " + sup("a", l) + " = " + pmatrix(t.a[l]));
    s += "and " + math("C = " + num(t.cost)) + ", \\ref eq_Q1 \"(Q1)\". The output error, \\ref eq_B3 \"(B3)\", with " +
         math("\\nabla_a C = (a^2 - y) / N") + " and " + math("f' = 1") + ", then the error sent back, "
         "\\ref eq_B4 \"(B4)\", through " + math("(W^2)^T") + " and gated by " + math("\\mathrm{relu}'(z^1)") + ":\n";
    const std::size_t L = m.net.size();
    s += display(sup("\\delta", L) + " = " + pmatrix(t.delta[L]));
    s += display("(W^2)^T \\delta^2 = " + pmatrix(m.net[1].W.t() * t.delta[2]) + ", \\quad \\delta^1 = " +
                 pmatrix(t.delta[1]));
    s += "The gradients, \\ref eq_B5 \"(B5)\", each summed over the two samples by the product:\n";
    for (std::size_t l = 1; l <= L; ++l)
        s += display("\\frac{\\partial C}{\\partial W^" + std::to_string(l) + "} = " + sup("\\delta", l) + " (" +
                     sup("a", l - 1) + ")^T = " + pmatrix(t.dW[l])) +
             display("\\frac{\\partial C}{\\partial b^" + std::to_string(l) + "} = " + sup("\\delta", l) +
                     " \\mathbf{1} = " + pmatrix(arma::mat(t.db[l])));
    std::vector<MlpLayer> net = m.net;
    const auto cost = [&](const arma::mat& W) {
        net[0].W = W;
        return backprop_mlp(net, m.x, m.y).cost;
    };
    const CentralDifference f = central_difference(cost, m.net[0].W, 1 + 2 * 2);  // W^1[1, 2], storage order
    s += "Central differences of " + math("C") + " in " + math("W^1_{12}") + " give " + math(num(f.value)) + ", " +
         "backpropagation " + math(num(t.dW[1](1, 2))) + ".\n";
    return s;
}

std::string backprop_sequential_trace() {
    const Mlp m;
    const Sequential q(m);
    const SequentialTrace t = sequential_backprop(q.layers, q.params, Value(arma::mat(m.x.t())), MseLoss{m.y.t()});
    const MlpTrace mlp = backprop_mlp(m.net, m.x, m.y);
    std::string s = "cnnbp::sequential_backprop() on the same network as layers linear, relu, linear, one sample per "
                    "row (so every matrix is the transpose of the one above). Forward, " + math("a^l") + " the output "
                    "of layer " + math("l") + ":\n";
    for (std::size_t l = 0; l < t.a.size(); ++l)
        s += display(sup("a", l) + " = " + pmatrix(mat_of(t.a[l])) +
                     (l ? " \\quad (" + layer_name(q.layers[l - 1]) + ")" : std::string(" \\quad (x)")));
    s += "Backward, \\ref eq_B7 \"(B7)\", from " + math("\\mathrm{da}^3 = \\nabla_{a^3} C") + " down to the input:\n";
    for (std::size_t l = t.da.size(); l-- > 0;)
        s += display(sup("\\mathrm{da}", l) + " = " + pmatrix(mat_of(t.da[l])));
    s += "The weight gradients, the same matrices as above (" + math("W") + " is " + math("n_l \\times n_{l-1}") + " in both conventions):\n";
    s += display("\\frac{\\partial C}{\\partial W^1} = " + pmatrix(mat_of(*t.grads[0].dw)));
    s += display("\\frac{\\partial C}{\\partial W^2} = " + pmatrix(mat_of(*t.grads[2].dw)));
    const double delta = std::max(max_abs_diff(mat_of(t.da[1]).t(), mlp.delta[1]), max_abs_diff(mat_of(t.da[3]).t(), mlp.delta[2]));
    const double dw = std::max(max_abs_diff(mat_of(*t.grads[0].dw), mlp.dW[1]), max_abs_diff(mat_of(*t.grads[2].dw), mlp.dW[2]));
    s += fmt::table({"against backprop_mlp()", "largest difference"},
                     {{math("(\\mathrm{da}^1)^T") + " and " + math("\\delta^1") + ", " + math("(\\mathrm{da}^3)^T") +
                       " and " + math("\\delta^2") + ": the error at each net input", fmt::sci(delta)},
                      {"the weight gradients of both layers", fmt::sci(dw)},
                      {"the loss", fmt::sci(std::abs(t.loss - mlp.cost))}});
    s += math("\\mathrm{da}^2") + ", the error at the relu's output, becomes " + math("\\mathrm{da}^1") +
         " by the relu's backward: the element whose net input is negative is cut to 0.\n";
    return s;
}

namespace {

// One part of the tiny CNN (tiny_cnn_example()) with its equations and numbers.
std::string tiny_part(bool relu, double conv_bias) {
    const NetworkCase net = tiny_cnn_example(relu, conv_bias);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    const std::size_t act = relu ? 2 : 1, pool = act + 1, fc = pool + 2;  // indices into t.a
    const Tensor4& x = std::get<Tensor4>(t.a[0]);
    const Tensor4& w = std::get<Tensor4>(*net.params[0].w);
    const Tensor4& z = std::get<Tensor4>(t.a[1]);
    const double b = (*net.params[0].b)(0), v = mat_of(*net.params[fc - 1].w)(0, 0), c = (*net.params[fc - 1].b)(0);
    const double target = std::get<MseLoss>(net.loss).y(0, 0);
    const Winner win = maxpool2d_winner(std::get<Tensor4>(t.a[act]), 0, 0, 0, 0, Window2d::pooling(2, 2));
    const double p = mat_of(t.a[pool + 1])(0, 0), r = mat_of(t.a[fc])(0, 0);
    const arma::uword i = win.h, j = win.w;

    std::string s;
    // (T1), the winner's net input written out
    std::string terms;
    double z_ij = b;
    for (arma::uword u = 0; u < 2; ++u)
        for (arma::uword q = 0; q < 2; ++q) {
            terms += term(w(0, 0, u, q)) + " \\cdot " + term(x(0, 0, 2 * i + u, 2 * j + q)) + " + ";
            z_ij += w(0, 0, u, q) * x(0, 0, 2 * i + u, 2 * j + q);
        }
    agree(z_ij, z(0, 0, i, j), "z at the winner");
    s += display("z = " + pmatrix(z));
    s += display("z_{" + std::to_string(i) + std::to_string(j) + "} = " + terms + term(b) + " = " + num(z_ij));
    if (relu) s += display("a = \\mathrm{relu}(z) = " + pmatrix(std::get<Tensor4>(t.a[act])));
    agree(v * p + c, r, "r = v p + c");
    agree((target - r) * (target - r) / 2, t.loss, "E");
    s += display("p = " + num(p) + " \\ (\\text{at } (i^*, j^*) = (" + std::to_string(i) + ", " + std::to_string(j) +
                 "))");
    s += display("r = v p + c = " + term(v) + " \\cdot " + term(p) + " + " + term(c) + " = " + num(r));
    s += display("E = \\tfrac{1}{2} (t - r)^2 = \\tfrac{1}{2} (" + num(target) + " - " + term(r) + ")^2 = " + num(t.loss));
    // (T2)
    const double dr = r - target, dp = dr * v;
    agree(dr, mat_of(t.da[fc])(0, 0), "dE/dr");
    agree(dr * p, mat_of(*t.grads[fc - 1].dw)(0, 0), "dE/dv");
    agree(dp, mat_of(t.da[pool + 1])(0, 0), "dE/dp");
    s += display("\\frac{\\partial E}{\\partial r} = " + num(dr) + ", \\quad \\frac{\\partial E}{\\partial c} = " +
                 num((*t.grads[fc - 1].db)(0)) + ", \\quad \\frac{\\partial E}{\\partial v} = " + term(dr) + " \\cdot " +
                 term(p) + " = " + num(dr * p));
    s += display("\\frac{\\partial E}{\\partial p} = " + term(dr) + " \\cdot " + term(v) + " = " + num(dp));
    // (T3), (T5), (T4)
    if (relu)
        s += display("\\frac{\\partial E}{\\partial a} = " + pmatrix(std::get<Tensor4>(t.da[act])) +
                     ", \\quad \\frac{\\partial E}{\\partial z} = \\frac{\\partial E}{\\partial a} \\odot \\iv{z > 0} = " +
                     pmatrix(std::get<Tensor4>(t.da[1])));
    else
        s += display("\\frac{\\partial E}{\\partial z} = " + pmatrix(std::get<Tensor4>(t.da[1])));
    const double dz = std::get<Tensor4>(t.da[1])(0, 0, i, j);
    const Tensor4& dw = std::get<Tensor4>(*t.grads[0].dw);
    arma::mat block = x.plane(0, 0).submat(2 * i, 2 * j, 2 * i + 1, 2 * j + 1);
    for (arma::uword k = 0; k < 4; ++k) agree(dz * block(k), dw.plane(0, 0)(k), "dE/dw");
    s += display("\\frac{\\partial E}{\\partial w} = " + term(dz) + " \\cdot " + pmatrix(block) + " = " + pmatrix(dw) +
                 ", \\quad \\frac{\\partial E}{\\partial b} = " + num((*t.grads[0].db)(0)));
    s += display("\\frac{\\partial E}{\\partial x} = " + pmatrix(std::get<Tensor4>(t.da[0])));
    return s;
}

}  // namespace

std::string tiny_cnn_numbers() {
    std::string s = "The example's numbers in the equations above (cnnbp::tiny_cnn_example(), run through "
                    "cnnbp::sequential_backprop(); each number derived by a formula here is checked against the "
                    "library's when the page is built):\n";
    const NetworkCase net = tiny_cnn_example(false);
    s += display("x = " + pmatrix(std::get<Tensor4>(net.x)) + ", \\quad w = " + pmatrix(std::get<Tensor4>(*net.params[0].w)));
    s += display("b = " + num((*net.params[0].b)(0)) + ", \\quad v = " + num(mat_of(*net.params.back().w)(0, 0)) +
                 ", \\quad c = " + num((*net.params.back().b)(0)) + ", \\quad t = " +
                 num(std::get<MseLoss>(net.loss).y(0, 0)));
    s += fmt::bold("Part I") + ", \\ref eq_T1 \"(T1)\" to \\ref eq_T4 \"(T4)\":\n" + tiny_part(false, -0.5);
    s += fmt::bold("Part II") + ", with the ReLU, \\ref eq_T5 \"(T5)\": the winning " + math("z") +
         " is positive, so every gradient of part I is repeated:\n" + tiny_part(true, -0.5);
    const double dead = -3.5;  // a bias that makes every z negative
    s += fmt::bold("Part II with b = " + num(dead)) + ": every " + math("z") + " is negative, the max is 0, and no "
         "gradient reaches the filter:\n" + tiny_part(true, dead);
    return s;
}

}  // namespace cnnbp::cli::other
