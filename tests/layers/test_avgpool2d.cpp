// avgpool2d: forward, the divisor at the border and under ceil_mode, and the scatter and gather backwards.
// Derivation: \ref pooling.
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/layer_properties.hpp"
#include "support/plane.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

using namespace cnnbp;
using namespace cnnbp::testing;

TEST_CASE("avgpool2d: the hand-worked example of the derivation", "[avgpool2d][example]") {
    const Tensor4 x = plane_tensor({{1, 3, 2, 0}, {4, 0, 3, 1}, {2, 2, 1, 5}});
    const Tensor4 dout = plane_tensor({{1, 2, 3}, {4, 5, 6}});
    AvgPool2dParams p{Window2d::pooling(2, 2)};
    p.window.stride_h = p.window.stride_w = 1;
    const Tensor4 out = avgpool2d_forward(x, p);
    CHECK(out(0, 0, 0, 0) == (1 + 3 + 4 + 0) / 4.0);
    const Tensor4 dx = avgpool2d_backward(dout, x.shape(), p).dx;
    CHECK(dx(0, 0, 0, 0) == dout(0, 0, 0, 0) / 4);  // the corner: one window
    CHECK(dx(0, 0, 1, 1) == (dout(0, 0, 0, 0) + dout(0, 0, 0, 1) + dout(0, 0, 1, 0) + dout(0, 0, 1, 1)) / 4);
    CHECK(dx(0, 0, 1, 1) == 3);
}

TEST_CASE("avgpool2d: the divisor at the padding, with and without count_include_pad", "[avgpool2d][convention]") {
    // 1x3 input, kernel 3, stride 1, padding 1: window 0 covers the left padding, x0 and x1
    AvgPool2dParams p{Window2d::pooling(1, 3)};
    p.window.stride_w = 1;
    p.window.pad.left = p.window.pad.right = 1;
    const Tensor4 x = plane_tensor({{3, 6, 9}});
    CNNBP_CHECK_CLOSE(compare("out", avgpool2d_forward(x, p), plane_tensor({{(3 + 6) / 3.0, (3 + 6 + 9) / 3.0, (6 + 9) / 3.0}}), exact));
    p.count_include_pad = false;
    CNNBP_CHECK_CLOSE(compare("out", avgpool2d_forward(x, p), plane_tensor({{(3 + 6) / 2.0, (3 + 6 + 9) / 3.0, (6 + 9) / 2.0}}), exact));
    const Tensor4 dx = avgpool2d_backward(plane_tensor({{2, 3, 4}}), x.shape(), p).dx;
    CNNBP_CHECK_CLOSE(compare("dx", dx, plane_tensor({{2 / 2.0 + 3 / 3.0, 2 / 2.0 + 3 / 3.0 + 4 / 2.0, 3 / 3.0 + 4 / 2.0}}), exact));
}

TEST_CASE("avgpool2d: a ceil_mode window that overhangs the padded input divides by the cells it covers", "[avgpool2d][ceil]") {
    // W = 5, K = 3, s = 2, padding left 1 right 0: padded width 6, ceil((6-3)/2)+1 = 3 windows; the last starts at
    // padded position 4 (x3) and covers x3, x4 and one position beyond the padded input. (A2): it divides by the
    // 2 cells inside the padded input, with or without count_include_pad; window 0 divides by 3 (padding counted)
    // or by 2 (not counted).
    AvgPool2dParams p{Window2d::pooling(1, 3)};
    p.window.stride_w = 2;
    p.window.pad.left = 1;
    p.window.ceil_mode = true;
    const Tensor4 x = plane_tensor({{1, 2, 4, 8, 16}});
    CHECK(avgpool2d_divisor(0, 2, 1, 5, p) == 2);
    CNNBP_CHECK_CLOSE(compare("out", avgpool2d_forward(x, p), plane_tensor({{(1 + 2) / 3.0, (2 + 4 + 8) / 3.0, (8 + 16) / 2.0}}), exact));
    p.count_include_pad = false;
    CNNBP_CHECK_CLOSE(compare("out", avgpool2d_forward(x, p), plane_tensor({{(1 + 2) / 2.0, (2 + 4 + 8) / 3.0, (8 + 16) / 2.0}}), exact));
}

TEST_CASE("avgpool2d: properties", "[avgpool2d][property]") {
    rc::prop("scatter and gather agree", [](const AvgPoolCase& k) {
        CNNBP_RC_CLOSE(compare("dx", avgpool2d_backward_gather(k.dout, k.x.shape(), k.p).dx,
                               avgpool2d_backward_scatter(k.dout, k.x.shape(), k.p).dx, forms_agree));
    });
    const std::pair<const char*, AvgPoolBackward> forms[] = {{"scatter", avgpool2d_backward_scatter}, {"gather", avgpool2d_backward_gather}};
    for (auto [name, backward] : forms) {
        rc::prop(std::string(name) + ": backward agrees with finite differences", avgpool_agrees_with_finite_differences(backward));
        rc::prop(std::string(name) + ": backward is the adjoint of forward: <avg(x), y> == <x, dx(y)>",
                 avgpool_is_adjoint_of_forward(backward));
    }
    rc::prop("a constant input pools to itself where every divisor counts only what the window sums", [](const AvgPoolCase& k) {
        // without count_include_pad every divisor is the number of input cells summed, so the mean of a constant is it
        AvgPool2dParams p = k.p;
        p.count_include_pad = false;
        Tensor4 x(k.x.shape());
        x.data().fill(1.5);
        const Tensor4 out = avgpool2d_forward(x, p);
        for (arma::uword e = 0; e < out.size(); ++e) RC_ASSERT(out.memptr()[e] == 1.5);
    });
}

TEST_CASE("avgpool2d: bad input throws cnnbp::Error naming the parameter and the numbers", "[avgpool2d][errors]") {
    AvgPool2dParams p{Window2d::pooling(2, 2)};
    p.window.dilation_w = 2;
    CNNBP_CHECK_THROWS(avgpool2d_forward(Tensor4(1, 1, 4, 4), p), "average pooling has no dilation; dilation must be 1, got (1,2)");
    p = {Window2d::pooling(2, 2)};
    p.window.pad.right = 2;
    CNNBP_CHECK_THROWS(avgpool2d_forward(Tensor4(1, 1, 4, 4), p), "padding right = 2 is more than half the kernel width (2/2 = 1)");
    p = {Window2d::pooling(2, 2)};
    CNNBP_CHECK_THROWS(avgpool2d_backward(Tensor4(1, 1, 2, 3), {1, 1, 4, 4}, p), "dout has shape (1,1,2,3) but the output shape is (1,1,2,2)");
    CNNBP_CHECK_THROWS(avgpool2d_forward(Tensor4(1, 1, 1, 4), p), "larger than the padded input height 1+0+0 = 1");
}
