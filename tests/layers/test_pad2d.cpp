// pad2d: zero padding and its backward, the crop.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/pad2d.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;

TEST_CASE("pad2d: the hand-worked example of the derivation", "[pad2d][example]") {
    // (P1) with p_top = 1, p_bottom = 0, p_left = 0, p_right = 1 on a 2x2 plane
    Tensor4 x(1, 1, 2, 2);
    x(0, 0, 0, 0) = 1, x(0, 0, 0, 1) = 2, x(0, 0, 1, 0) = 3, x(0, 0, 1, 1) = 4;
    const Padding p{1, 0, 0, 1};
    const Tensor4 out = pad2d_forward(x, p);
    REQUIRE(out.shape() == Shape4{1, 1, 3, 3});
    for (arma::uword h = 0; h < 3; ++h)
        for (arma::uword w = 0; w < 3; ++w) {
            const bool inside = h >= 1 && w < 2;
            CHECK(out(0, 0, h, w) == (inside ? x(0, 0, h - 1, w) : 0.0));
        }
    // (P2): dx[h,w] = dout[h + p_top, w + p_left]
    Tensor4 dout(1, 1, 3, 3);
    for (arma::uword h = 0; h < 3; ++h)
        for (arma::uword w = 0; w < 3; ++w) dout(0, 0, h, w) = double(3 * h + w + 1);  // 1..9 row by row
    const Tensor4 dx = pad2d_backward(dout, p).dx;
    REQUIRE(dx.shape() == x.shape());
    for (arma::uword h = 0; h < 2; ++h)
        for (arma::uword w = 0; w < 2; ++w) CHECK(dx(0, 0, h, w) == dout(0, 0, h + 1, w));
    CHECK(dx(0, 0, 0, 0) == 4);  // the numbers of this case, worked by hand
    CHECK(dx(0, 0, 0, 1) == 5);
    CHECK(dx(0, 0, 1, 0) == 7);
    CHECK(dx(0, 0, 1, 1) == 8);
}

TEST_CASE("pad2d: properties", "[pad2d][property]") {
    rc::prop("backward is the adjoint of forward: <pad(x), y> == <x, crop(y)>", [](const PadCase& k) {
        CNNBP_RC_CLOSE(compare("<x, crop(y)>", dot(k.x, pad2d_backward(k.dout, k.p).dx), dot(pad2d_forward(k.x, k.p), k.dout), exact));
    });
    rc::prop("backward agrees with finite differences", [](const PadCase& k) {
        const Tensor4 fd = numerical_vjp([&](const Tensor4& x) { return pad2d_forward(x, k.p); }, k.x, k.dout);
        CNNBP_RC_CLOSE(compare("dx", pad2d_backward(k.dout, k.p).dx, fd, finite_differences));
    });
    rc::prop("crop(pad(x)) == x", [](const PadCase& k) {
        CNNBP_RC_CLOSE(compare("x", pad2d_backward(pad2d_forward(k.x, k.p), k.p).dx, k.x, exact));
    });
    rc::prop("the padded border is zero", [](const PadCase& k) {
        const Tensor4 out = pad2d_forward(k.x, k.p);
        double border = 0;
        for (arma::uword n = 0; n < out.n(); ++n)
            for (arma::uword c = 0; c < out.c(); ++c)
                border += arma::accu(arma::abs(out.plane(n, c))) - arma::accu(arma::abs(k.x.plane(n, c)));
        RC_ASSERT(border == 0.0);
    });
}

TEST_CASE("pad2d: bad input throws cnnbp::Error naming the numbers", "[pad2d][errors]") {
    CNNBP_CHECK_THROWS(pad2d_forward(Tensor4(1, 1, 2, 2), {0, 0, -1, 0}), "pad2d_forward: every padding must be >= 0, got (top=0,bottom=0,left=-1,right=0)");
    CNNBP_CHECK_THROWS(pad2d_backward(Tensor4(1, 1, 3, 3), {2, 1, 0, 0}), "dout has shape (1,1,3,3) which is too small for padding");
    CNNBP_CHECK_THROWS(pad2d_forward(Tensor4(1, 1, 0, 2), {1, 1, 1, 1}), "x has shape (1,1,0,2)");
}
