// The tiny CNN of the documentation: every number that build/cnnbp tiny-cnn prints for the docs, pinned against the
// formulas (T1)-(T5) derived by hand on \ref tiny_cnn.
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/tiny_cnn.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace cnnbp;

namespace {

void check_part(bool relu, double conv_bias) {
    const NetworkCase net = tiny_cnn_example(relu, conv_bias);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    const Tensor4& x = std::get<Tensor4>(net.x);
    const Tensor4& w = std::get<Tensor4>(*net.params[0].w);
    const double b = (*net.params[0].b)(0);
    const std::size_t fc = net.layers.size();  // index in t.a of the linear layer's output
    const double v = std::get<arma::mat>(*net.params[fc - 1].w)(0, 0), c = (*net.params[fc - 1].b)(0);
    const double target = std::get<MseLoss>(net.loss).y(0, 0);

    // (T1): z_ij = sum_uv w_uv x_{2i+u, 2j+v} + b; a = relu(z) in part II; p = max; r = v p + c; E = (t - r)^2 / 2
    double z[2][2], a[2][2], p = -1e300;
    int wi = 0, wj = 0;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            z[i][j] = b;
            for (int u = 0; u < 2; ++u)
                for (int vv = 0; vv < 2; ++vv) z[i][j] += w(0, 0, u, vv) * x(0, 0, 2 * i + u, 2 * j + vv);
            a[i][j] = relu ? std::max(z[i][j], 0.0) : z[i][j];
            if (a[i][j] > p) p = a[i][j], wi = i, wj = j;  // the first maximum in row-major order
        }
    const double r = v * p + c, E = (target - r) * (target - r) / 2;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) CHECK(std::get<Tensor4>(t.a[1])(0, 0, i, j) == z[i][j]);
    CHECK(std::get<arma::mat>(t.a[fc])(0, 0) == r);
    CHECK(t.loss == E);

    // (T2): dE/dr = r - t, dE/dv = (r - t) p, dE/dc = r - t, dE/dp = (r - t) v
    const double dr = r - target, dp = dr * v;
    CHECK(std::get<arma::mat>(t.da[fc])(0, 0) == dr);
    CHECK(std::get<arma::mat>(*t.grads[fc - 1].dw)(0, 0) == dr * p);
    CHECK((*t.grads[fc - 1].db)(0) == dr);
    CHECK(std::get<arma::mat>(t.da[fc - 1])(0, 0) == dp);
    // (T3), (T5): dE/dz_ij = dE/dp [ij = winner] [z_ij > 0 in part II]
    const Tensor4& dz = std::get<Tensor4>(t.da[1]);
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            const bool winner = i == wi && j == wj, passes = !relu || z[i][j] > 0;
            CHECK(dz(0, 0, i, j) == (winner && passes ? dp : 0.0));
        }
    // (T4): dE/dw_uv = dE/dz_winner x_{2i*+u, 2j*+v}, dE/db = dE/dz_winner, dE/dx on the winning block = dE/dz w_uv
    const double dzw = dz(0, 0, wi, wj);
    const Tensor4& dw = std::get<Tensor4>(*t.grads[0].dw);
    const Tensor4& dx = std::get<Tensor4>(t.da[0]);
    for (int u = 0; u < 2; ++u)
        for (int vv = 0; vv < 2; ++vv) {
            CHECK(dw(0, 0, u, vv) == dzw * x(0, 0, 2 * wi + u, 2 * wj + vv));
            CHECK(dx(0, 0, 2 * wi + u, 2 * wj + vv) == dzw * w(0, 0, u, vv));
        }
    CHECK((*t.grads[0].db)(0) == dzw);
    CHECK(arma::accu(arma::abs(dx.data())) == Approx(std::abs(dzw) * arma::accu(arma::abs(w.data()))));
}

}  // namespace

TEST_CASE("tiny CNN: every intermediate number of the worked example", "[tiny_cnn][example]") {
    SECTION("part I") { check_part(false, -0.5); }
    SECTION("part II, the winning z positive") { check_part(true, -0.5); }
    SECTION("part II, every z negative: a dead relu") { check_part(true, -3.5); }
}

TEST_CASE("tiny CNN: the numbers the page shows", "[tiny_cnn][example]") {
    // These are the values of (T1)-(T4) for the example's inputs, worked out on the page: the winner is z_11 = 2.75,
    // r = 1.5 * 2.75 - 0.5 = 3.625, dE/dp = (3.625 - 2) * 1.5 = 2.4375.
    const NetworkCase net = tiny_cnn_example(false);
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    CHECK(std::get<Tensor4>(t.a[1])(0, 0, 1, 1) == 2.75);
    CHECK(std::get<arma::mat>(t.a.back())(0, 0) == 3.625);
    CHECK(std::get<Tensor4>(t.da[1])(0, 0, 1, 1) == 2.4375);
}
