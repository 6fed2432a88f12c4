// linear and flatten. Derivation: \ref linear.
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/linear.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/layer_properties.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;

TEST_CASE("linear: the hand-worked example of the derivation", "[linear][example]") {
    const arma::mat x = {{1, 0, 2}, {-1, 3, 1}}, w = {{2, -1, 0}, {1, 1, -2}}, dout = {{1, -2}, {3, 1}};
    const arma::vec b = {0.5, -1};
    const arma::mat out = linear_forward(x, w, b);
    // (L1): out[n,m] = b[m] + sum_d W[m,d] x[n,d]
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword m = 0; m < 2; ++m)
            CHECK(out(n, m) == b(m) + w(m, 0) * x(n, 0) + w(m, 1) * x(n, 1) + w(m, 2) * x(n, 2));
    CHECK(out(0, 0) == 2.5);
    CHECK(out(1, 1) == -1);
    const LinearGrads g = linear_backward(dout, x, w);
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword d = 0; d < 3; ++d) CHECK(g.dx(n, d) == dout(n, 0) * w(0, d) + dout(n, 1) * w(1, d));  // (L2)
    for (arma::uword m = 0; m < 2; ++m)
        for (arma::uword d = 0; d < 3; ++d) CHECK(g.dw(m, d) == dout(0, m) * x(0, d) + dout(1, m) * x(1, d));  // (L3)
    CHECK(g.db(0) == dout(0, 0) + dout(1, 0));  // (L4)
    CHECK(g.db(1) == dout(0, 1) + dout(1, 1));
    CHECK(g.dx(1, 0) == 7);
    CHECK(g.dw(0, 1) == 9);
    CHECK(g.db(0) == 4);
}

TEST_CASE("linear: properties", "[linear][property]") {
    rc::prop("backward agrees with finite differences", linear_agrees_with_finite_differences(linear_backward));
    rc::prop("backward is the adjoint of forward: <x W^T, y> == <x, dx(y)> == <W, dW(y)>", [](const LinearCase& k) {
        const LinearGrads g = linear_backward(k.dout, k.x, k.w);
        const double lhs = arma::dot(linear_forward(k.x, k.w, std::nullopt), k.dout);
        CNNBP_RC_CLOSE(compare("<x, dx>", arma::dot(k.x, g.dx), lhs, exact));
        CNNBP_RC_CLOSE(compare("<W, dW>", arma::dot(k.w, g.dw), lhs, exact));
    });
    rc::prop("db is the sum of dout over the batch", linear_db_is_the_batch_sum(linear_backward));
}

TEST_CASE("flatten: row-major (C, H, W) order per sample, and its backward undoes it", "[flatten]") {
    Tensor4 x(2, 2, 2, 3);
    for (arma::uword n = 0; n < 2; ++n)
        for (arma::uword c = 0; c < 2; ++c)
            for (arma::uword h = 0; h < 2; ++h)
                for (arma::uword w = 0; w < 3; ++w) x(n, c, h, w) = 1000.0 * n + 100.0 * c + 10.0 * h + w;
    const arma::mat out = flatten_forward(x);
    REQUIRE(out.n_rows == 2);
    REQUIRE(out.n_cols == 12);
    CHECK(out(1, (1 * 2 + 0) * 3 + 2) == x(1, 1, 0, 2));  // (L5)
    CHECK(out(0, 4) == x(0, 0, 1, 1));
    CNNBP_CHECK_CLOSE(compare("dx", flatten_backward(out, x.shape()).dx, x, exact));
    CNNBP_CHECK_THROWS(flatten_backward(arma::mat(2, 11), x.shape()), "dout is 2 x 11 but x has shape (2,2,2,3), which flattens to 2 x 12");
}

TEST_CASE("linear: bad input throws cnnbp::Error naming the shapes", "[linear][errors]") {
    const arma::mat x(2, 3, arma::fill::ones), w(4, 3, arma::fill::ones);
    CNNBP_CHECK_THROWS(linear_forward(x, arma::mat(4, 2), std::nullopt), "w is 4 x 2 but x is 2 x 3; w needs D = 3 columns");
    CNNBP_CHECK_THROWS(linear_forward(x, w, arma::vec(3)), "b has 3 elements but w has M = 4 rows");
    CNNBP_CHECK_THROWS(linear_backward(arma::mat(2, 3), x, w), "dout is 2 x 3 but the output is 2 x 4");
    CNNBP_CHECK_THROWS(linear_forward(arma::mat(0, 3), w, std::nullopt), "x is 0 x 3; N and D must be >= 1");
}
