// The properties of the pooling, linear, activation, loss and MLP backwards, written once and applied both to the
// real functions (each layer's test file) and to the deliberately wrong variants (test_layer_mistakes.cpp), which
// they must reject. Each takes the backward under test and returns a RapidCheck property.
#pragma once

#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/tolerances.hpp"

#include <rapidcheck.h>

namespace cnnbp::testing {

using MaxPoolBackward = Pool2dGrads (*)(const Tensor4&, const Tensor4&, const Window2d&);
using AvgPoolBackward = Pool2dGrads (*)(const Tensor4&, const Shape4&, const AvgPool2dParams&);
using LinearBackward = LinearGrads (*)(const arma::mat&, const arma::mat&, const arma::mat&);
using ActivationBackward = ActivationGrads<Tensor4> (*)(const Tensor4&, const Tensor4&);
using ActivationForward = Tensor4 (*)(const Tensor4&);
using SoftmaxCrossEntropyBackward = SoftmaxCrossEntropyGrads (*)(double, const arma::mat&, const arma::uvec&);
using MseBackward = MseGrads (*)(double, const arma::mat&, const arma::mat&);
using Backprop = MlpTrace (*)(const std::vector<MlpLayer>&, const arma::mat&, const arma::mat&);

inline arma::vec flat(const arma::mat& m) { return arma::vectorise(m); }

// (X3) by finite differences of <maxpool2d_forward(x), dout>, on inputs without ties.
inline auto maxpool_agrees_with_finite_differences(MaxPoolBackward backward) {
    return [backward](const MaxPoolCase& k) {
        const Tensor4 fd = numerical_vjp([&](const Tensor4& x) { return maxpool2d_forward(x, k.g); }, k.x, k.dout);
        CNNBP_RC_CLOSE(compare("dx", backward(k.dout, k.x, k.g).dx, fd, finite_differences));
    };
}

// At a tie the first maximum in row-major window order takes the gradient, (X2): on inputs drawn from {0, 1}, where
// ties are everywhere, dx is what routing each window's dout to maxpool2d_winner() gives.
inline auto maxpool_ties_go_to_the_first_maximum(MaxPoolBackward backward) {
    return [backward](const MaxPoolCase& k) {
        Tensor4 x = k.x;
        for (arma::uword e = 0; e < x.size(); ++e) x.memptr()[e] = x.memptr()[e] > 0 ? 1.0 : 0.0;
        Tensor4 want(x.shape());
        for (arma::uword n = 0; n < x.n(); ++n)
            for (arma::uword c = 0; c < x.c(); ++c)
                for (arma::uword i = 0; i < k.dout.h(); ++i)
                    for (arma::uword j = 0; j < k.dout.w(); ++j) {
                        const Winner win = maxpool2d_winner(x, n, c, i, j, k.g);
                        want(n, c, win.h, win.w) += k.dout(n, c, i, j);
                    }
        CNNBP_RC_CLOSE(compare("dx", backward(k.dout, x, k.g).dx, want, exact));
    };
}

// (A3) by finite differences of <avgpool2d_forward(x), dout>.
inline auto avgpool_agrees_with_finite_differences(AvgPoolBackward backward) {
    return [backward](const AvgPoolCase& k) {
        const Tensor4 fd = numerical_vjp([&](const Tensor4& x) { return avgpool2d_forward(x, k.p); }, k.x, k.dout);
        CNNBP_RC_CLOSE(compare("dx", backward(k.dout, k.x.shape(), k.p).dx, fd, smooth_finite_differences));
    };
}

// Average pooling is linear, so its backward is its adjoint (N2): <avg(x), y> == <x, dx(y)>.
inline auto avgpool_is_adjoint_of_forward(AvgPoolBackward backward) {
    return [backward](const AvgPoolCase& k) {
        const Tensor4 dx = backward(k.dout, k.x.shape(), k.p).dx, out = avgpool2d_forward(k.x, k.p);
        const double lambda = arma::accu(arma::abs(k.x.data() % dx.data())) + arma::accu(arma::abs(out.data() % k.dout.data()));
        CNNBP_RC_CLOSE(compare("<x, dx>", dot(k.x, dx), dot(out, k.dout), inner_products_agree(lambda)));
    };
}

// (L2)-(L4) by finite differences of <linear_forward(x, W, b), dout>.
inline auto linear_agrees_with_finite_differences(LinearBackward backward) {
    return [backward](const LinearCase& k) {
        const arma::vec b = k.b ? *k.b : arma::vec(k.w.n_rows, arma::fill::zeros);
        const LinearGrads g = backward(k.dout, k.x, k.w);
        const arma::mat dx = numerical_vjp([&](const arma::mat& x) { return linear_forward(x, k.w, b); }, k.x, k.dout);
        const arma::mat dw = numerical_vjp([&](const arma::mat& w) { return linear_forward(k.x, w, b); }, k.w, k.dout);
        const arma::vec db = numerical_vjp([&](const arma::vec& bb) { return linear_forward(k.x, k.w, bb); }, b, k.dout);
        CNNBP_RC_CLOSE(compare("dx", g.dx, dx, finite_differences));
        CNNBP_RC_CLOSE(compare("dw", g.dw, dw, finite_differences));
        CNNBP_RC_CLOSE(compare("db", g.db, db, finite_differences));
    };
}

// (L4): db[m] is the sum of dout[n, m] over the batch.
inline auto linear_db_is_the_batch_sum(LinearBackward backward) {
    return [backward](const LinearCase& k) {
        arma::vec want(k.dout.n_cols, arma::fill::zeros);
        for (arma::uword n = 0; n < k.dout.n_rows; ++n)
            for (arma::uword m = 0; m < k.dout.n_cols; ++m) want(m) += k.dout(n, m);
        CNNBP_RC_CLOSE(compare("db", backward(k.dout, k.x, k.w).db, want, exact));
    };
}

// An elementwise activation's backward by finite differences, on values k/16 with k != 0 (off relu's kink).
inline auto activation_agrees_with_finite_differences(ActivationForward forward, ActivationBackward backward) {
    return [forward, backward] {
        const Shape4 s{(arma::uword)*rc::gen::inRange(1, 4), (arma::uword)*rc::gen::inRange(1, 4),
                       (arma::uword)*rc::gen::inRange(1, 6), (arma::uword)*rc::gen::inRange(1, 6)};
        Tensor4 x = *gen_tensor(s);
        for (arma::uword e = 0; e < x.size(); ++e)
            if (x.memptr()[e] == 0.0) x.memptr()[e] = 1.0 / 16;  // a finite difference at the kink gives 1/2
        const Tensor4 dout = *gen_tensor(s);
        const Tensor4 fd = numerical_vjp([&](const Tensor4& t) { return forward(t); }, x, dout);
        CNNBP_RC_CLOSE(compare("dx", backward(dout, x).dx, fd, smooth_finite_differences));
    };
}

// (Q2) by finite differences of dloss * C.
inline auto mse_agrees_with_finite_differences(MseBackward backward) {
    return [backward](const LossCase& k) {
        const arma::mat fd = numerical_gradient([&](const arma::mat& a) { return k.dloss * mse_forward(a, k.y); }, k.a);
        CNNBP_RC_CLOSE(compare("da", backward(k.dloss, k.a, k.y).da, fd, smooth_finite_differences));
    };
}

// (Q5) by finite differences of dloss * C.
inline auto softmax_cross_entropy_agrees_with_finite_differences(SoftmaxCrossEntropyBackward backward) {
    return [backward](const LossCase& k) {
        const arma::mat fd = numerical_gradient(
            [&](const arma::mat& z) { return k.dloss * softmax_cross_entropy_forward(z, k.labels); }, k.a);
        CNNBP_RC_CLOSE(compare("dz", backward(k.dloss, k.a, k.labels).dz, fd, smooth_finite_differences));
    };
}

// (B5) by finite differences of the cost, for every layer's W and b.
inline auto backprop_agrees_with_finite_differences(Backprop backprop) {
    return [backprop](const MlpCase& k) {
        const MlpTrace t = backprop(k.net, k.x, k.y);
        const MlpTrace reference = backprop_mlp(k.net, k.x, k.y);  // the cost and the kinks come from the forward
        if (on_a_kink(k, reference)) RC_DISCARD("a relu net input within 1e-5 of 0");
        for (std::size_t l = 1; l <= k.net.size(); ++l) {
            auto cost_with = [&](auto&& set) {
                std::vector<MlpLayer> net = k.net;
                set(net[l - 1]);
                return backprop_mlp(net, k.x, k.y).cost;
            };
            const arma::mat dW = numerical_gradient([&](const arma::mat& W) { return cost_with([&](MlpLayer& n) { n.W = W; }); }, k.net[l - 1].W);
            const arma::vec db = numerical_gradient([&](const arma::vec& b) { return cost_with([&](MlpLayer& n) { n.b = b; }); }, k.net[l - 1].b);
            CNNBP_RC_CLOSE(compare("dW of layer " + std::to_string(l), t.dW[l], dW, loss_finite_differences(reference.cost)));
            CNNBP_RC_CLOSE(compare("db of layer " + std::to_string(l), t.db[l], db, loss_finite_differences(reference.cost)));
        }
    };
}

}  // namespace cnnbp::testing
