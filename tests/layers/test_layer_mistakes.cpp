// Deliberately wrong backwards of the pooling, linear, activation, loss and MLP layers, one classic mistake each,
// and the meta-test that the properties of support/layer_properties.hpp reject every one of them.
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "support/layer_properties.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck.h>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

// Max pooling that hands every cell of the window the window's gradient, instead of only the winner.
Pool2dGrads maxpool_spread_over_window(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    Tensor4 dx(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < dout.h(); ++i)
                for (arma::uword j = 0; j < dout.w(); ++j)
                    for (int u = 0; u < g.kernel_h; ++u)
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                            const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                            if (h >= 0 && h < (long long)x.h() && w >= 0 && w < (long long)x.w())
                                dx(n, c, h, w) += dout(n, c, i, j);
                        }
    return {dx};
}

// Max pooling that gives the gradient to every cell holding the maximum (right without ties, wrong with them).
Pool2dGrads maxpool_every_tied_maximum(const Tensor4& dout, const Tensor4& x, const Window2d& g) {
    Tensor4 dx(x.shape());
    const Tensor4 out = maxpool2d_forward(x, g);
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword i = 0; i < dout.h(); ++i)
                for (arma::uword j = 0; j < dout.w(); ++j)
                    for (int u = 0; u < g.kernel_h; ++u)
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long h = (long long)i * g.stride_h + u * g.dilation_h - g.pad.top;
                            const long long w = (long long)j * g.stride_w + v * g.dilation_w - g.pad.left;
                            if (h >= 0 && h < (long long)x.h() && w >= 0 && w < (long long)x.w() &&
                                x(n, c, h, w) == out(n, c, i, j))
                                dx(n, c, h, w) += dout(n, c, i, j);
                        }
    return {dx};
}

// Average pooling that spreads dout over the window without dividing by its size.
Pool2dGrads avgpool_not_divided(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p) {
    AvgPool2dParams q = p;
    Tensor4 dx = avgpool2d_backward_scatter(dout, x_shape, q).dx;  // then undo the division, window by window
    Tensor4 undivided(x_shape);
    const Window2d& g = p.window;
    for (arma::uword n = 0; n < x_shape.n; ++n)
        for (arma::uword c = 0; c < x_shape.c; ++c)
            for (arma::uword i = 0; i < dout.h(); ++i)
                for (arma::uword j = 0; j < dout.w(); ++j)
                    for (int u = 0; u < g.kernel_h; ++u)
                        for (int v = 0; v < g.kernel_w; ++v) {
                            const long long h = (long long)i * g.stride_h + u - g.pad.top;
                            const long long w = (long long)j * g.stride_w + v - g.pad.left;
                            if (h >= 0 && h < (long long)x_shape.h && w >= 0 && w < (long long)x_shape.w)
                                undivided(n, c, h, w) += dout(n, c, i, j);
                        }
    return {undivided};
}

// Average pooling that always divides by K_h K_w, the deeplearning.ai dA / (f*f): wrong without count_include_pad at
// the padding, and at a ceil_mode window that overhangs the padded input.
Pool2dGrads avgpool_divided_by_kernel_area(const Tensor4& dout, const Shape4& x_shape, const AvgPool2dParams& p) {
    Tensor4 dx = avgpool_not_divided(dout, x_shape, p).dx;
    dx.data() /= double(p.window.kernel_h * p.window.kernel_w);
    return {dx};
}

// dW computed as x^T dout: the transpose of the right answer (D x M instead of M x D).
LinearGrads linear_dw_transposed(const arma::mat& dout, const arma::mat& x, const arma::mat& w) {
    LinearGrads g = linear_backward(dout, x, w);
    g.dw = x.t() * dout;
    return g;
}

// db taken from the first sample only, the batch sum missing.
LinearGrads linear_db_not_summed(const arma::mat& dout, const arma::mat& x, const arma::mat& w) {
    LinearGrads g = linear_backward(dout, x, w);
    g.db = dout.row(0).t();
    return g;
}

// sigmoid'(a) with a = sigmoid(x) the activation, instead of sigmoid'(x) at the net input.
ActivationGrads<Tensor4> sigmoid_prime_at_activation(const Tensor4& dout, const Tensor4& x) {
    return sigmoid_backward(dout, sigmoid_forward(x));
}

// softmax(z) - onehot(y) without the 1/N of the batch mean.
SoftmaxCrossEntropyGrads softmax_without_mean(double dloss, const arma::mat& z, const arma::uvec& labels) {
    SoftmaxCrossEntropyGrads g = softmax_cross_entropy_backward(dloss, z, labels);
    g.dz *= double(z.n_rows);
    return g;
}

// The quadratic cost's gradient without the 1/N, as if the cost were a sum.
MseGrads mse_without_mean(double dloss, const arma::mat& a, const arma::mat& y) {
    return {dloss * (a - y)};
}

// Backpropagation that sends the error back through W^T but forgets the f'(z^l) of the hidden layers.
MlpTrace backprop_without_hidden_derivative(const std::vector<MlpLayer>& net, const arma::mat& x, const arma::mat& y) {
    MlpTrace t = backprop_mlp(net, x, y);
    for (std::size_t l = net.size() - 1; l >= 1; --l) t.delta[l] = net[l].W.t() * t.delta[l + 1];
    for (std::size_t l = 1; l <= net.size(); ++l) {
        t.dW[l] = t.delta[l] * t.a[l - 1].t();
        t.db[l] = arma::sum(t.delta[l], 1);
    }
    return t;
}

bool rejected(const std::string& what, const auto& property) { return !rc::check(what, property); }

}  // namespace

TEST_CASE("layer mistakes: the properties reject every classic wrong backward", "[mistakes]") {
    CHECK(rejected("max-pool gradient spread over the whole window vs finite differences",
                   maxpool_agrees_with_finite_differences(maxpool_spread_over_window)));
    CHECK(rejected("max-pool gradient to every tied maximum vs the first-maximum rule",
                   maxpool_ties_go_to_the_first_maximum(maxpool_every_tied_maximum)));
    CHECK(rejected("average pool not divided by the window size vs finite differences",
                   avgpool_agrees_with_finite_differences(avgpool_not_divided)));
    CHECK(rejected("average pool not divided vs adjoint", avgpool_is_adjoint_of_forward(avgpool_not_divided)));
    CHECK(rejected("average pool divided by K_h K_w at the border vs finite differences",
                   avgpool_agrees_with_finite_differences(avgpool_divided_by_kernel_area)));
    CHECK(rejected("dW transposed vs finite differences", linear_agrees_with_finite_differences(linear_dw_transposed)));
    CHECK(rejected("db missing the batch sum vs finite differences", linear_agrees_with_finite_differences(linear_db_not_summed)));
    CHECK(rejected("db missing the batch sum vs db is the batch sum", linear_db_is_the_batch_sum(linear_db_not_summed)));
    CHECK(rejected("sigmoid derivative at the activation vs finite differences",
                   activation_agrees_with_finite_differences(sigmoid_forward, sigmoid_prime_at_activation)));
    CHECK(rejected("softmax gradient without the 1/N vs finite differences",
                   softmax_cross_entropy_agrees_with_finite_differences(softmax_without_mean)));
    CHECK(rejected("quadratic cost gradient without the 1/N vs finite differences",
                   mse_agrees_with_finite_differences(mse_without_mean)));
    CHECK(rejected("hidden error without f'(z) vs finite differences",
                   backprop_agrees_with_finite_differences(backprop_without_hidden_derivative)));
}

TEST_CASE("layer mistakes: the variants are right where their mistake cannot show", "[mistakes]") {
    // So that each rejection above is due to the mistake and not to a variant broken in some other way.
    Tensor4 x(2, 1, 3, 3), dout(2, 1, 3, 3);
    for (arma::uword e = 0; e < x.size(); ++e) x.memptr()[e] = double((5 * e) % 7) - 3, dout.memptr()[e] = double(e % 4) + 1;
    const Window2d one = Window2d::pooling(1, 1);  // 1x1 windows: no ties, nothing to spread, divisor 1
    CNNBP_CHECK_CLOSE(compare("spread", maxpool_spread_over_window(dout, x, one).dx, maxpool2d_backward(dout, x, one).dx, exact));
    CNNBP_CHECK_CLOSE(compare("tied", maxpool_every_tied_maximum(dout, x, one).dx, maxpool2d_backward(dout, x, one).dx, exact));
    const AvgPool2dParams avg{one};
    CNNBP_CHECK_CLOSE(compare("not divided", avgpool_not_divided(dout, x.shape(), avg).dx, avgpool2d_backward(dout, x.shape(), avg).dx, exact));
    CNNBP_CHECK_CLOSE(compare("kernel area", avgpool_divided_by_kernel_area(dout, x.shape(), avg).dx, avgpool2d_backward(dout, x.shape(), avg).dx, exact));
    const arma::mat a(1, 1, arma::fill::value(1.5)), w(1, 1, arma::fill::value(-2.0)), d(1, 1, arma::fill::value(3.0)),
        y(1, 1, arma::fill::value(0.5));  // one sample, one unit
    CNNBP_CHECK_CLOSE(compare("dW", linear_dw_transposed(d, a, w).dw, linear_backward(d, a, w).dw, exact));
    CNNBP_CHECK_CLOSE(compare("db", linear_db_not_summed(d, a, w).db, linear_backward(d, a, w).db, exact));
    CNNBP_CHECK_CLOSE(compare("mse", mse_without_mean(1.0, a, y).da, mse_backward(1.0, a, y).da, exact));
    const arma::mat z = {{0.5, -1}};
    CNNBP_CHECK_CLOSE(compare("softmax", softmax_without_mean(1.0, z, arma::uvec{1}).dz, softmax_cross_entropy_backward(1.0, z, arma::uvec{1}).dz, exact));
    const std::vector<MlpLayer> linear_net = {{arma::mat{{1, -1}}, arma::vec{0.5}, Activation::identity},
                                              {arma::mat(1, 1, arma::fill::value(2.0)), arma::vec{0}, Activation::identity}};
    const arma::mat xs = arma::vec{1, 2}, ys = arma::mat(1, 1, arma::fill::value(1.0));
    CNNBP_CHECK_CLOSE(compare("dW1", backprop_without_hidden_derivative(linear_net, xs, ys).dW[1], backprop_mlp(linear_net, xs, ys).dW[1], exact));
}
