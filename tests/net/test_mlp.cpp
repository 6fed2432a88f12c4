// backprop_mlp (the classic five steps) and the gradient-descent update. Derivation: \ref backprop.
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/net/mlp.hpp"
#include "cnnbp/net/sequential.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/layer_properties.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

// The same network as a sequential stack of linear and activation layers, one sample per row.
void as_sequential(const MlpCase& k, std::vector<Layer>& layers, std::vector<LayerParams>& params) {
    for (const MlpLayer& l : k.net) {
        layers.push_back(layer("linear"));
        params.push_back({Value(l.W), l.b});
        switch (l.f) {
            case Activation::relu: layers.push_back(layer("relu")); break;
            case Activation::sigmoid: layers.push_back(layer("sigmoid")); break;
            case Activation::tanh: layers.push_back(layer("tanh")); break;
            case Activation::identity: continue;
        }
        params.push_back({});
    }
}

arma::vec as_vec(const arma::mat& m) { return arma::vectorise(m); }

}  // namespace

TEST_CASE("backprop_mlp: the five steps on a 2-2-1 network by hand", "[mlp][example]") {
    // One sample, sigmoid hidden layer, identity output: every number written as the step that produces it.
    const arma::mat W1 = {{0.5, -1}, {1, 0.25}}, W2 = {{2, -1}};
    const arma::vec b1 = {0, 0.5}, b2 = {-0.5};
    const arma::mat x = arma::vec{1, 2}, y = arma::vec{0.25};
    const std::vector<MlpLayer> net = {{W1, b1, Activation::sigmoid}, {W2, b2, Activation::identity}};
    const MlpTrace t = backprop_mlp(net, x, y);
    const arma::vec z1 = W1 * x + b1;                        // (2)
    const arma::vec a1 = {scalar::sigmoid(z1(0)), scalar::sigmoid(z1(1))};
    const double z2 = arma::as_scalar(W2 * a1 + b2), a2 = z2;
    const double delta2 = (a2 - y(0, 0)) * 1.0;              // (3): grad_a C = a - y for N = 1, f' = 1
    const arma::vec delta1 = {W2(0, 0) * delta2 * scalar::sigmoid_prime(z1(0)),   // (4)
                              W2(0, 1) * delta2 * scalar::sigmoid_prime(z1(1))};
    CHECK(t.z[1](0, 0) == z1(0));
    CHECK(t.a[1](1, 0) == a1(1));
    CHECK(t.a[2](0, 0) == Approx(a2).epsilon(1e-15));
    CHECK(t.delta[2](0, 0) == Approx(delta2).epsilon(1e-15));
    CHECK(t.delta[1](0, 0) == Approx(delta1(0)).epsilon(1e-15));
    CHECK(t.dW[1](1, 0) == Approx(delta1(1) * x(0, 0)).epsilon(1e-15));  // (5): delta^l (a^(l-1))^T
    CHECK(t.dW[2](0, 1) == Approx(delta2 * a1(1)).epsilon(1e-15));
    CHECK(t.db[1](0) == Approx(delta1(0)).epsilon(1e-15));
    CHECK(t.cost == Approx((a2 - y(0, 0)) * (a2 - y(0, 0)) / 2).epsilon(1e-15));

    std::vector<MlpLayer> updated = net;
    gradient_descent_step(updated, t, 0.1);  // (B6)
    CHECK(updated[0].W(1, 0) == Approx(W1(1, 0) - 0.1 * t.dW[1](1, 0)).epsilon(1e-15));
    CHECK(updated[1].b(0) == Approx(b2(0) - 0.1 * t.db[2](0)).epsilon(1e-15));
}

TEST_CASE("backprop_mlp: properties", "[mlp][property]") {
    rc::prop("backprop_mlp equals the sequential network of linear and activation layers", [] {
        const MlpCase k = *gen_mlp_case();
        const MlpTrace t = backprop_mlp(k.net, k.x, k.y);
        std::vector<Layer> layers;
        std::vector<LayerParams> params;
        as_sequential(k, layers, params);
        const SequentialTrace s = sequential_backprop(layers, params, Value(arma::mat(k.x.t())), MseLoss{k.y.t()});
        CNNBP_RC_CLOSE(compare("cost", s.loss, t.cost, forms_agree));
        CNNBP_RC_CLOSE(compare("output", as_vec(std::get<arma::mat>(s.a.back()).t()), as_vec(t.a.back()), forms_agree));
        // The two sum the same products in other orders; with sigmoid and tanh the values are not dyadic, so each sum
        // carries rounding relative to the magnitudes of its terms, which may cancel to a much smaller result.
        // M[l] >= |delta^l| bounds those magnitudes: M[L] = |delta^L|, M[l] = |W^(l+1)|^T M[l+1] (|f'| <= 1).
        const std::size_t L = k.net.size();
        std::vector<arma::mat> M(L + 1);
        M[L] = arma::abs(t.delta[L]);
        for (std::size_t l = L - 1; l >= 1; --l) M[l] = arma::abs(k.net[l].W).t() * M[l + 1];
        std::size_t li = 0;  // index of layer l's linear layer in the sequential stack
        for (std::size_t l = 1; l <= L; ++l) {
            const Tolerance dw_tol = forms_agree_with_terms(arma::mat(M[l] * arma::abs(t.a[l - 1]).t()).max());
            const Tolerance db_tol = forms_agree_with_terms(arma::vec(arma::sum(M[l], 1)).max());
            CNNBP_RC_CLOSE(compare("dW", as_vec(std::get<arma::mat>(*s.grads[li].dw)), as_vec(t.dW[l]), dw_tol));
            CNNBP_RC_CLOSE(compare("db", *s.grads[li].db, t.db[l], db_tol));
            // the error signal delta^l is dC/dz^l, the gradient reaching the linear layer's output
            CNNBP_RC_CLOSE(compare("delta", as_vec(std::get<arma::mat>(s.da[li + 1]).t()), as_vec(t.delta[l]),
                                   forms_agree_with_terms(M[l].max())));
            li += k.net[l - 1].f == Activation::identity ? 1 : 2;
        }
    });
    rc::prop("backprop_mlp agrees with finite differences of the cost", backprop_agrees_with_finite_differences(backprop_mlp));
    rc::prop("a small gradient-descent step lowers the cost", [] {
        const MlpCase k = *gen_mlp_case();
        const MlpTrace t = backprop_mlp(k.net, k.x, k.y);
        double squared = 0;
        for (std::size_t l = 1; l <= k.net.size(); ++l) squared += arma::accu(arma::square(t.dW[l])) + arma::accu(arma::square(t.db[l]));
        if (squared < 1e-12 || on_a_kink(k, t)) RC_DISCARD("no descent direction here");
        std::vector<MlpLayer> net = k.net;
        gradient_descent_step(net, t, 1e-4);
        RC_ASSERT(backprop_mlp(net, k.x, k.y).cost < t.cost);
    });
}

TEST_CASE("backprop_mlp: shapes that do not chain throw cnnbp::Error", "[mlp][errors]") {
    const std::vector<MlpLayer> net = {{arma::mat(3, 2), arma::vec(3), Activation::relu}, {arma::mat(1, 4), arma::vec(1), Activation::identity}};
    CNNBP_CHECK_THROWS(backprop_mlp(net, arma::mat(2, 5), arma::mat(1, 5)), "W of layer 2 is 1 x 4 but layer 1 has 3 units");
    const std::vector<MlpLayer> one = {{arma::mat(1, 2), arma::vec(2), Activation::relu}};
    CNNBP_CHECK_THROWS(backprop_mlp(one, arma::mat(2, 5), arma::mat(1, 5)), "b of layer 1 has 2 elements but W has 1 rows");
    const std::vector<MlpLayer> ok = {{arma::mat(1, 2), arma::vec(1), Activation::relu}};
    CNNBP_CHECK_THROWS(backprop_mlp(ok, arma::mat(2, 5), arma::mat(1, 4)), "y is 1 x 4 but the output layer gives 1 x 5");
}
