// maxpool2d: forward, the tie rule, and the scatter and gather backwards. Derivation: \ref pooling.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/layer_properties.hpp"
#include "support/plane.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>
#include <limits>

using namespace cnnbp;
using namespace cnnbp::testing;

TEST_CASE("maxpool2d: the hand-worked example of the derivation", "[maxpool2d][example]") {
    const Tensor4 x = plane_tensor({{1, 3, 2, 0}, {4, 0, 3, 1}, {2, 2, 1, 5}});
    const Tensor4 dout = plane_tensor({{1, 2, 3}, {4, 5, 6}});
    Window2d g = Window2d::pooling(2, 2);
    g.stride_h = g.stride_w = 1;
    CNNBP_CHECK_CLOSE(compare("out", maxpool2d_forward(x, g), plane_tensor({{4, 3, 3}, {4, 3, 5}}), exact));
    auto D = [&](int i, int j) { return dout(0, 0, i, j); };
    // (X3): each window's dout goes to its winner; (1,0) wins windows (0,0) and (1,0), (1,2) wins (0,2) and (1,1),
    // and in window (0,1) the 3 at (0,1) comes before the 3 at (1,2) in row-major order.
    const Tensor4 want = plane_tensor({{0, D(0, 1), 0, 0}, {D(0, 0) + D(1, 0), 0, D(0, 2) + D(1, 1), 0}, {0, 0, 0, D(1, 2)}});
    CNNBP_CHECK_CLOSE(compare("dx scatter", maxpool2d_backward_scatter(dout, x, g).dx, want, exact));
    CNNBP_CHECK_CLOSE(compare("dx gather", maxpool2d_backward_gather(dout, x, g).dx, want, exact));
    CHECK(arma::accu(want.data()) == 21);
}

TEST_CASE("maxpool2d: a tie goes to the first maximum in row-major window order", "[maxpool2d][convention]") {
    // Every cell of the window is 7: the winner is tap (0,0). Then only (0,1) and (1,0) tie: (0,1) comes first.
    const Window2d g = Window2d::pooling(2, 2);
    const Tensor4 dout = plane_tensor({{1}});
    CNNBP_CHECK_CLOSE(compare("dx", maxpool2d_backward(dout, plane_tensor({{7, 7}, {7, 7}}), g).dx, plane_tensor({{1, 0}, {0, 0}}), exact));
    CNNBP_CHECK_CLOSE(compare("dx", maxpool2d_backward(dout, plane_tensor({{1, 7}, {7, 2}}), g).dx, plane_tensor({{0, 1}, {0, 0}}), exact));
    CNNBP_CHECK_CLOSE(compare("dx", maxpool2d_backward_gather(dout, plane_tensor({{1, 7}, {7, 2}}), g).dx, plane_tensor({{0, 1}, {0, 0}}), exact));
}

TEST_CASE("maxpool2d: padded cells count as minus infinity and never win", "[maxpool2d][convention]") {
    // All inputs negative, padding 1: if padding counted as 0 it would win every border window.
    Window2d g = Window2d::pooling(3, 3);
    g.stride_h = g.stride_w = 1;
    g.pad = Padding::all(1);
    const Tensor4 x = plane_tensor({{-5, -4}, {-3, -6}});
    const Tensor4 out = maxpool2d_forward(x, g);
    for (arma::uword k = 0; k < out.size(); ++k) CHECK(out.memptr()[k] == -3);
}

TEST_CASE("maxpool2d: ceil_mode keeps an overhanging window and drops one that starts in the padding", "[maxpool2d][ceil]") {
    // W = 5, K = 2, s = 2: floor gives 2 windows, ceil 3 (the last covers x[4] and a position beyond the input)
    Window2d g = Window2d::pooling(1, 2);
    g.ceil_mode = true;
    const Tensor4 x = plane_tensor({{0, 1, 2, 3, 4}});
    CNNBP_CHECK_CLOSE(compare("out", maxpool2d_forward(x, g), plane_tensor({{1, 3, 4}}), exact));
    // W = 4, K = 2, s = 2, right padding 1: ceil((4+1-2)/2)+1 = 3 windows, but the third starts at padded position
    // 4 = W + p_left, in the right padding, so (G3) drops it
    g.pad.right = 1;
    CHECK(maxpool2d_forward(plane_tensor({{0, 1, 2, 3}}), g).w() == 2);
}

TEST_CASE("maxpool2d: properties", "[maxpool2d][property]") {
    rc::prop("scatter and gather agree", [](const MaxPoolCase& k) {
        CNNBP_RC_CLOSE(compare("dx", maxpool2d_backward_gather(k.dout, k.x, k.g).dx,
                               maxpool2d_backward_scatter(k.dout, k.x, k.g).dx, exact));
    });
    const std::pair<const char*, MaxPoolBackward> forms[] = {{"scatter", maxpool2d_backward_scatter}, {"gather", maxpool2d_backward_gather}};
    for (auto [name, backward] : forms) {
        rc::prop(std::string(name) + ": backward agrees with finite differences (no ties)", maxpool_agrees_with_finite_differences(backward));
        rc::prop(std::string(name) + ": at a tie the first maximum in row-major order takes the gradient",
                 maxpool_ties_go_to_the_first_maximum(backward));
    }
    // maxpool2d_forward() and the scatter form find every window's winner a column of windows at a time (two windows
    // per instruction, branch-free); they must pick what maxpool2d_winner() picks window by window, on the hard
    // values too: ties, -infinity (which loses to nothing but must still win an all -infinity window) and NaN (which
    // wins, the last one).
    rc::prop("the column-at-a-time winners are maxpool2d_winner's, with ties, -infinity and NaN", [](const MaxPoolCase& k) {
        Tensor4 x = k.x;
        const double specials[] = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(), 1.0};
        for (arma::uword e = 0; e < x.size(); ++e)
            if (*rc::gen::inRange(0, 4) == 0) x.memptr()[e] = specials[*rc::gen::inRange(0, 3)];
        const Tensor4 out = maxpool2d_forward(x, k.g);
        Tensor4 expected_dx(x.shape());
        for (arma::uword n = 0; n < out.n(); ++n)
            for (arma::uword c = 0; c < out.c(); ++c)
                for (arma::uword i = 0; i < out.h(); ++i)
                    for (arma::uword j = 0; j < out.w(); ++j) {
                        const Winner win = maxpool2d_winner(x, n, c, i, j, k.g);
                        const double want = x(n, c, win.h, win.w), got = out(n, c, i, j);
                        RC_ASSERT((std::isnan(want) ? std::isnan(got) : got == want));
                        expected_dx(n, c, win.h, win.w) += k.dout(n, c, i, j);
                    }
        CNNBP_RC_CLOSE(compare("dx", maxpool2d_backward_scatter(k.dout, x, k.g).dx, expected_dx, exact));
    });
    rc::prop("dx is non-zero only at winners, and sums to the sum of dout", [](const MaxPoolCase& k) {
        const Tensor4 dx = maxpool2d_backward(k.dout, k.x, k.g).dx;
        Tensor4 is_winner(k.x.shape());
        for (arma::uword n = 0; n < k.dout.n(); ++n)
            for (arma::uword c = 0; c < k.dout.c(); ++c)
                for (arma::uword i = 0; i < k.dout.h(); ++i)
                    for (arma::uword j = 0; j < k.dout.w(); ++j) {
                        const Winner win = maxpool2d_winner(k.x, n, c, i, j, k.g);
                        is_winner(n, c, win.h, win.w) = 1;
                    }
        for (arma::uword e = 0; e < dx.size(); ++e)
            if (is_winner.memptr()[e] == 0) RC_ASSERT(dx.memptr()[e] == 0.0);
        CNNBP_RC_CLOSE(compare("sum of dx", arma::accu(dx.data()), arma::accu(k.dout.data()), exact));
    });
    rc::prop("the winner holds the window's maximum over the input cells the window covers", [](const MaxPoolCase& k) {
        const Tensor4 out = maxpool2d_forward(k.x, k.g);
        for (arma::uword i = 0; i < out.h(); ++i)
            for (arma::uword j = 0; j < out.w(); ++j) {
                double best = -std::numeric_limits<double>::infinity();
                for (int u = 0; u < k.g.kernel_h; ++u)
                    for (int v = 0; v < k.g.kernel_w; ++v) {
                        const long long h = (long long)i * k.g.stride_h + u * k.g.dilation_h - k.g.pad.top;
                        const long long w = (long long)j * k.g.stride_w + v * k.g.dilation_w - k.g.pad.left;
                        if (h >= 0 && h < (long long)k.x.h() && w >= 0 && w < (long long)k.x.w())
                            best = std::max(best, k.x(0, 0, h, w));
                    }
                RC_ASSERT(out(0, 0, i, j) == best);
            }
    });
}

TEST_CASE("maxpool2d: overlapping windows accumulate at a pixel that wins several", "[maxpool2d]") {
    // 1x3 input, kernel 2, stride 1: the 9 in the middle wins both windows and collects both gradients
    Window2d g = Window2d::pooling(1, 2);
    g.stride_w = 1;
    const Tensor4 dx = maxpool2d_backward(plane_tensor({{2, 5}}), plane_tensor({{1, 9, 3}}), g).dx;
    CNNBP_CHECK_CLOSE(compare("dx", dx, plane_tensor({{0, 2 + 5, 0}}), exact));
}

TEST_CASE("maxpool2d: bad input throws cnnbp::Error naming the parameter and the numbers", "[maxpool2d][errors]") {
    const Tensor4 x(1, 2, 4, 4);
    Window2d g = Window2d::pooling(3, 3);
    g.pad = Padding::all(2);
    CNNBP_CHECK_THROWS(maxpool2d_forward(x, g), "padding top = 2 is more than half the kernel height (3/2 = 1)");
    g = Window2d::pooling(5, 2);
    CNNBP_CHECK_THROWS(maxpool2d_forward(x, g), "the dilated kernel height d(K-1)+1 = 1*(5-1)+1 = 5 is larger than the padded input height 4+0+0 = 4");
    // one input pixel between two padded taps: K = 2, padding 1, dilation 2
    g = Window2d::pooling(2, 2);
    g.pad = Padding::all(1);
    g.dilation_h = g.dilation_w = 2;
    CNNBP_CHECK_THROWS(maxpool2d_forward(Tensor4(1, 1, 1, 1), g), "pooling window 0 along the height");
    CNNBP_CHECK_THROWS(maxpool2d_forward(Tensor4(1, 1, 1, 1), g), "lies wholly in the padding");
    g = Window2d::pooling(2, 2);
    g.stride_w = 0;
    CNNBP_CHECK_THROWS(maxpool2d_forward(x, g), "stride_w must be >= 1, got 0");
    CNNBP_CHECK_THROWS(maxpool2d_backward(Tensor4(1, 2, 3, 3), x, Window2d::pooling(2, 2)), "dout has shape (1,2,3,3) but the output shape is (1,2,2,2)");
    CNNBP_CHECK_THROWS(maxpool2d_backward_gather(Tensor4(1, 2, 3, 3), x, Window2d::pooling(2, 2)), "dout has shape (1,2,3,3)");
}
