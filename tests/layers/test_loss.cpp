// The quadratic cost and softmax cross-entropy. Derivation: \ref loss.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/loss.hpp"
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

arma::vec as_vec(const arma::mat& m) { return arma::vectorise(m); }

}  // namespace

TEST_CASE("mse: the hand-worked example", "[loss][example]") {
    const arma::mat a = {{1, 2}, {0, -1}}, y = {{0, 2}, {2, 1}};
    // (Q1): (1^2 + 0^2 + 2^2 + 2^2) / (2 * 2) = 9 / 4
    CHECK(mse_forward(a, y) == 9.0 / 4);
    // (Q2): (a - y) / N
    CNNBP_CHECK_CLOSE(compare("da", as_vec(mse_backward(1.0, a, y).da), as_vec((a - y) / 2.0), exact));
}

TEST_CASE("softmax cross-entropy: the hand-worked example", "[loss][example]") {
    const arma::mat z = {{0, std::log(3.0)}};  // softmax = (1/4, 3/4)
    const arma::uvec labels = {1};
    CHECK(softmax_cross_entropy_forward(z, labels) == Approx(-std::log(0.75)).epsilon(1e-15));
    const arma::mat dz = softmax_cross_entropy_backward(1.0, z, labels).dz;
    CHECK(dz(0, 0) == Approx(0.25).epsilon(1e-15));         // softmax - 0
    CHECK(dz(0, 1) == Approx(0.75 - 1.0).epsilon(1e-15));   // softmax - 1
}

TEST_CASE("softmax cross-entropy is finite and right for logits of 1000", "[loss]") {
    const arma::mat z = {{1000, 1000 + std::log(3.0)}, {-1000, -1000}};
    const arma::uvec labels = {1, 0};
    const double c = softmax_cross_entropy_forward(z, labels);
    CHECK(std::isfinite(c));
    CHECK(c == Approx((-std::log(0.75) + std::log(2.0)) / 2).epsilon(1e-12));
    const arma::mat dz = softmax_cross_entropy_backward(1.0, z, labels).dz;
    CHECK(dz.is_finite());
    CHECK(dz(1, 0) == Approx((0.5 - 1) / 2).epsilon(1e-12));
}

TEST_CASE("losses: properties", "[loss][property]") {
    rc::prop("mse backward agrees with finite differences", mse_agrees_with_finite_differences(mse_backward));
    rc::prop("softmax cross-entropy backward agrees with finite differences",
             softmax_cross_entropy_agrees_with_finite_differences(softmax_cross_entropy_backward));
    rc::prop("softmax cross-entropy: the simplification equals the chain rule through the softmax Jacobian", [] {
        const LossCase k = *gen_loss_case();
        const arma::mat p = softmax(k.a);
        arma::mat chain(arma::size(k.a), arma::fill::zeros);
        for (arma::uword n = 0; n < k.a.n_rows; ++n) {
            // dC_n/dp = -1/p_y at y, 0 elsewhere; dp_k/dz_m = p_k ([k = m] - p_m)
            const arma::uword y = k.labels(n);
            for (arma::uword m = 0; m < k.a.n_cols; ++m)
                chain(n, m) = -1.0 / p(n, y) * p(n, y) * ((y == m ? 1.0 : 0.0) - p(n, m)) / double(k.a.n_rows);
        }
        CNNBP_RC_CLOSE(compare("dz", as_vec(softmax_cross_entropy_backward(1.0, k.a, k.labels).dz), as_vec(chain), forms_agree));
    });
    rc::prop("the rows of softmax are positive and sum to 1", [] {
        const LossCase k = *gen_loss_case();
        const arma::mat p = softmax(k.a * 100.0);
        RC_ASSERT(arma::all(arma::vectorise(p) >= 0.0));
        for (arma::uword n = 0; n < p.n_rows; ++n) RC_ASSERT(std::abs(arma::accu(p.row(n)) - 1.0) < 1e-15 * p.n_cols);
    });
}

TEST_CASE("losses: bad input throws cnnbp::Error naming the numbers", "[loss][errors]") {
    const arma::mat z(2, 3, arma::fill::zeros);
    CNNBP_CHECK_THROWS(softmax_cross_entropy_forward(z, arma::uvec{0, 3}), "label 3 of sample 1 is out of range; there are M = 3 classes (0 to 2)");
    CNNBP_CHECK_THROWS(softmax_cross_entropy_backward(1.0, z, arma::uvec{0}), "1 labels for N = 2 samples");
    CNNBP_CHECK_THROWS(mse_forward(z, arma::mat(2, 2)), "a is 2 x 3 but y is 2 x 2");
    CNNBP_CHECK_THROWS(mse_backward(1.0, arma::mat(0, 3), arma::mat(0, 3)), "N and M must be >= 1");
}
