// relu, sigmoid, tanh. Derivation: \ref activation.
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/layer_properties.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

// Values k/16 with k != 0, so that no relu input sits on the kink (a finite difference there gives 1/2).
rc::Gen<Tensor4> gen_off_kink(Shape4 s) {
    return rc::gen::map(gen_tensor(s), [](Tensor4 t) {
        for (arma::uword e = 0; e < t.size(); ++e)
            if (t.memptr()[e] == 0.0) t.memptr()[e] = 1.0 / 16;
        return t;
    });
}

rc::Gen<Shape4> gen_shape() {
    return rc::gen::exec([] {
        return Shape4{(arma::uword)*rc::gen::inRange(1, 4), (arma::uword)*rc::gen::inRange(1, 4),
                      (arma::uword)*rc::gen::inRange(1, 6), (arma::uword)*rc::gen::inRange(1, 6)};
    });
}

}  // namespace

TEST_CASE("relu: the derivative at 0 is 0", "[activation][convention]") {
    const Tensor4 x = [] {
        Tensor4 t(1, 1, 1, 3);
        t(0, 0, 0, 0) = -1, t(0, 0, 0, 1) = 0, t(0, 0, 0, 2) = 2;
        return t;
    }();
    Tensor4 dout(x.shape());
    dout.data().fill(5);
    const Tensor4 dx = relu_backward(dout, x).dx;
    CHECK(dx(0, 0, 0, 0) == 0);
    CHECK(dx(0, 0, 0, 1) == 0);  // the kink: 0, as in PyTorch, TensorFlow and JAX
    CHECK(dx(0, 0, 0, 2) == 5);
    CHECK(relu_forward(x)(0, 0, 0, 1) == 0);
}

TEST_CASE("activations: hand values of the derivatives", "[activation][example]") {
    CHECK(scalar::sigmoid(0) == 0.5);
    CHECK(scalar::sigmoid_prime(0) == 0.25);  // (R4): 1/2 (1 - 1/2)
    CHECK(scalar::tanh_prime(0) == 1.0);      // (R6)
    const double z = 0.75, s = 1 / (1 + std::exp(-z));
    CHECK(scalar::sigmoid_prime(z) == Approx(s * (1 - s)).epsilon(1e-15));
    CHECK(scalar::tanh_prime(z) == Approx(1 - std::tanh(z) * std::tanh(z)).epsilon(1e-15));
}

TEST_CASE("sigmoid is finite and right for net inputs of +-1000", "[activation]") {
    CHECK(scalar::sigmoid(1000) == 1.0);
    CHECK(scalar::sigmoid(-1000) == 0.0);
    CHECK(scalar::sigmoid(-745) > 0.0);  // e^-745 is the smallest subnormal: computed, not flushed through 1/inf
    CHECK(std::isfinite(scalar::sigmoid_prime(-1000)));
    CHECK(scalar::sigmoid_prime(1000) == 0.0);
}

TEST_CASE("activations: properties", "[activation][property]") {
    rc::prop("relu backward agrees with finite differences off the kink",
             activation_agrees_with_finite_differences(relu_forward, relu_backward));
    rc::prop("sigmoid backward agrees with finite differences",
             activation_agrees_with_finite_differences(sigmoid_forward, sigmoid_backward));
    rc::prop("tanh backward agrees with finite differences",
             activation_agrees_with_finite_differences(tanh_forward, tanh_backward));
    rc::prop("the matrix and Tensor4 overloads agree", [] {
        const Shape4 s = *gen_shape();
        const Tensor4 x = *gen_off_kink({1, 1, s.h, s.w}), d = *gen_tensor({1, 1, s.h, s.w});
        const arma::mat xm = x.plane(0, 0), dm = d.plane(0, 0);
        RC_ASSERT(arma::approx_equal(sigmoid_backward(dm, xm).dx, sigmoid_backward(d, x).dx.plane(0, 0), "absdiff", 0.0));
        RC_ASSERT(arma::approx_equal(tanh_forward(xm), tanh_forward(x).plane(0, 0), "absdiff", 0.0));
        RC_ASSERT(arma::approx_equal(relu_backward(dm, xm).dx, relu_backward(d, x).dx.plane(0, 0), "absdiff", 0.0));
    });
}

TEST_CASE("activations: dout and x must have the same shape", "[activation][errors]") {
    CNNBP_CHECK_THROWS(relu_backward(Tensor4(1, 1, 2, 2), Tensor4(1, 1, 2, 3)), "relu_backward: dout has shape (1,1,2,2) but x has shape (1,1,2,3)");
    CNNBP_CHECK_THROWS(sigmoid_backward(arma::mat(2, 2), arma::mat(3, 2)), "sigmoid_backward: dout has shape 2 x 2 but x has shape 3 x 2");
}
