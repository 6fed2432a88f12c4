// conv2d: forward and the four backward forms, checked by hand-worked cases, finite differences,
// a second form, and adjoint identities. Conventions: \ref conv2d.
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/parallel.hpp"
#include "support/compare.hpp"
#include "support/conv2d_properties.hpp"
#include "support/generators.hpp"
#include "support/plane.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cstring>
#ifdef _OPENMP
#include <omp.h>
#endif

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

struct Form {
    const char* name;
    Conv2dBackward backward;
};
const Form forms[] = {{"scatter", conv2d_backward_scatter},
                      {"gather", conv2d_backward_gather},
                      {"closed", conv2d_backward_closed},
                      {"matrix", conv2d_backward_matrix},
                      // the oracle's choice: the depthwise loops on the cases with C/groups = 1 (about half of them)
                      {"default", conv2d_backward}};

}  // namespace

// A case worked by hand, cited by the derivation page (\ref conv_example): x 3x3, w 2x2, stride 1, no padding.
// Every expected number is written as the index formula (C1), (C3), (C4), (C5) that gives it.
TEST_CASE("conv2d: the hand-worked 3x3 example of the derivation", "[conv2d][example]") {
    const Tensor4 x = plane_tensor({{1, 2, 0}, {0, 1, 3}, {2, 1, 1}});
    const Tensor4 w = plane_tensor({{1, -1}, {2, 0}});
    const Tensor4 dout = plane_tensor({{1, 2}, {-1, 1}});
    auto X = [&](int h, int ww) { return x(0, 0, h, ww); };
    auto K = [&](int u, int v) { return w(0, 0, u, v); };
    auto D = [&](int i, int j) { return dout(0, 0, i, j); };

    // (C1): out[i,j] = sum_{u,v} w[u,v] x[i+u, j+v]
    const Tensor4 out = conv2d_forward(x, w, std::nullopt, {});
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            CHECK(out(0, 0, i, j) == K(0, 0) * X(i, j) + K(0, 1) * X(i, j + 1) + K(1, 0) * X(i + 1, j) +
                                         K(1, 1) * X(i + 1, j + 1));
    CHECK(out(0, 0, 0, 0) == -1);  // the numbers of this case, worked by hand
    CHECK(out(0, 0, 0, 1) == 4);
    CHECK(out(0, 0, 1, 0) == 3);
    CHECK(out(0, 0, 1, 1) == 0);

    for (const Form& form : forms) {
        INFO("form " << form.name);
        const Conv2dGrads g = form.backward(dout, x, w, {});
        // (C3): dx[h,w] = sum over the windows (i,j) holding (h,w) of dout[i,j] w[h-i, w-j]
        CHECK(g.dx(0, 0, 0, 0) == D(0, 0) * K(0, 0));
        CHECK(g.dx(0, 0, 0, 1) == D(0, 0) * K(0, 1) + D(0, 1) * K(0, 0));
        CHECK(g.dx(0, 0, 0, 2) == D(0, 1) * K(0, 1));
        CHECK(g.dx(0, 0, 1, 0) == D(0, 0) * K(1, 0) + D(1, 0) * K(0, 0));
        CHECK(g.dx(0, 0, 1, 1) == D(0, 0) * K(1, 1) + D(0, 1) * K(1, 0) + D(1, 0) * K(0, 1) + D(1, 1) * K(0, 0));
        CHECK(g.dx(0, 0, 1, 2) == D(0, 1) * K(1, 1) + D(1, 1) * K(0, 1));
        CHECK(g.dx(0, 0, 2, 0) == D(1, 0) * K(1, 0));
        CHECK(g.dx(0, 0, 2, 1) == D(1, 0) * K(1, 1) + D(1, 1) * K(1, 0));
        CHECK(g.dx(0, 0, 2, 2) == D(1, 1) * K(1, 1));
        CHECK(g.dx(0, 0, 1, 1) == 6);
        // (C4): dw[u,v] = sum_{i,j} dout[i,j] x[i+u, j+v]
        for (int u = 0; u < 2; ++u)
            for (int v = 0; v < 2; ++v)
                CHECK(g.dw(0, 0, u, v) == D(0, 0) * X(u, v) + D(0, 1) * X(u, v + 1) + D(1, 0) * X(u + 1, v) +
                                              D(1, 1) * X(u + 1, v + 1));
        CHECK(g.dw(0, 0, 1, 1) == 7);
        // (C5): db = sum of dout
        CHECK(g.db(0) == D(0, 0) + D(0, 1) + D(1, 0) + D(1, 1));
    }
}

TEST_CASE("conv2d: the forward is a cross-correlation, not a flipped convolution", "[conv2d][convention]") {
    // A one-pixel impulse at (1,1) of a 3x3 input, a 2x2 filter with four different weights, no padding:
    // cross-correlation puts the filter rotated by 180 degrees into the output (the impulse meets weight
    // (u,v) at output (1-u, 1-v)); a true convolution (arma::conv2's "valid" part) would put it upright.
    Tensor4 x(1, 1, 3, 3);
    x(0, 0, 1, 1) = 1;
    const Tensor4 w = plane_tensor({{1, 2}, {3, 4}});
    const Tensor4 out = conv2d_forward(x, w, std::nullopt, {});
    CHECK(out(0, 0, 0, 0) == w(0, 0, 1, 1));
    CHECK(out(0, 0, 0, 1) == w(0, 0, 1, 0));
    CHECK(out(0, 0, 1, 0) == w(0, 0, 0, 1));
    CHECK(out(0, 0, 1, 1) == w(0, 0, 0, 0));
    const arma::mat true_conv = arma::conv2(x.plane(0, 0), w.plane(0, 0), "full").eval().submat(1, 1, 2, 2);
    CHECK(true_conv(0, 0) == w(0, 0, 0, 0));  // the flipped convention, which cnnbp does not follow
}

TEST_CASE("conv2d: stride 2 with asymmetric padding leaves the last input row out", "[conv2d][convention]") {
    // H = 4, p_top = 1, p_bottom = 0, K = 2, s = 2: (G1) gives floor((4+1-2)/2)+1 = 2 windows over padded rows
    // {0,1} and {2,3}; padded row 4 (input row 3) is in no window (G2).
    Tensor4 x(1, 1, 4, 3), dout(1, 1, 2, 3);
    for (arma::uword k = 0; k < x.size(); ++k) x.memptr()[k] = double(k % 5) - 2;
    for (arma::uword k = 0; k < dout.size(); ++k) dout.memptr()[k] = double(k % 3) + 1;
    const Tensor4 w = plane_tensor({{1, -2}, {3, 1}});
    Conv2dParams p;
    p.stride_h = 2;
    p.pad = {1, 0, 1, 0};
    CHECK(conv2d_forward(x, w, std::nullopt, p).shape() == Shape4{1, 1, 2, 3});
    for (const Form& form : forms) {
        INFO("form " << form.name);
        const Tensor4 dx = form.backward(dout, x, w, p).dx;
        for (arma::uword j = 0; j < 3; ++j) CHECK(dx(0, 0, 3, j) == 0.0);
        CHECK(arma::accu(arma::abs(dx.data())) > 0);  // the other rows do get gradient
    }
    // and changing that row does not change the output
    Tensor4 x2 = x;
    for (arma::uword j = 0; j < 3; ++j) x2(0, 0, 3, j) = 100.0;
    CNNBP_CHECK_CLOSE(compare("out", conv2d_forward(x2, w, std::nullopt, p), conv2d_forward(x, w, std::nullopt, p), exact));
}

TEST_CASE("conv2d: properties of the forward", "[conv2d][property]") {
    rc::prop("the definition and the matrix form agree", [](const ConvCase& k) {
        CNNBP_RC_CLOSE(compare("out", conv2d_forward_matrix(k.x, k.w, k.b, k.p), conv2d_forward(k.x, k.w, k.b, k.p),
                               forms_agree));
    });
    rc::prop("the definition and the oracle's forward (depthwise or matrix) agree", [](const ConvCase& k) {
        CNNBP_RC_CLOSE(compare("out", conv2d_forward_fast(k.x, k.w, k.b, k.p), conv2d_forward(k.x, k.w, k.b, k.p),
                               forms_agree));
    });
    rc::prop("on C/groups = 1, the depthwise loops and the definition agree", [](const ConvCase& k) {
        RC_PRE(k.w.c() == 1);
        CNNBP_RC_CLOSE(compare("out", conv2d_forward_depthwise(k.x, k.w, k.b, k.p), conv2d_forward(k.x, k.w, k.b, k.p),
                               forms_agree));
        const Conv2dGrads d = conv2d_backward_depthwise(k.dout, k.x, k.w, k.p);
        const Conv2dGrads s = conv2d_backward_scatter(k.dout, k.x, k.w, k.p);
        CNNBP_RC_CLOSE(compare("dx", d.dx, s.dx, forms_agree));
        CNNBP_RC_CLOSE(compare("dw", d.dw, s.dw, forms_agree));
    });
    rc::prop("input rows and columns left out by the floor do not change the output", [](const ConvCase& k) {
        const Conv2dShape s = conv2d_shape("property", k.x.shape(), k.w.shape(), k.b, k.p);
        const long long last_h = (long long)(s.out.h - 1) * k.p.stride_h + (s.window.kernel_h - 1) * k.p.dilation_h;
        const long long last_w = (long long)(s.out.w - 1) * k.p.stride_w + (s.window.kernel_w - 1) * k.p.dilation_w;
        Tensor4 x = k.x;
        for (arma::uword n = 0; n < x.n(); ++n)
            for (arma::uword c = 0; c < x.c(); ++c)
                for (arma::uword h = 0; h < x.h(); ++h)
                    for (arma::uword w = 0; w < x.w(); ++w)
                        if ((long long)h + k.p.pad.top > last_h || (long long)w + k.p.pad.left > last_w)
                            x(n, c, h, w) += 7.0;
        CNNBP_RC_CLOSE(compare("out", conv2d_forward(x, k.w, k.b, k.p), conv2d_forward(k.x, k.w, k.b, k.p), exact));
    });
}

TEST_CASE("conv2d backward: the four forms agree", "[conv2d][property]") {
    for (const Form& form : forms) rc::prop(std::string(form.name) + " agrees with scatter", agrees_with_scatter(form.backward));
}

TEST_CASE("conv2d backward: each form agrees with finite differences", "[conv2d][property]") {
    for (const Form& form : forms)
        rc::prop(std::string(form.name) + ": dx, dw, db are the central differences of <out, dout>",
                 agrees_with_finite_differences(form.backward));
}

TEST_CASE("conv2d backward: adjoint, linearity, bias and left-out rows", "[conv2d][property]") {
    for (const Form& form : forms) {
        const std::string n = form.name;
        rc::prop(n + ": backward is the adjoint of forward: <conv(x), y> == <x, dx(y)> == <w, dw(y)>",
                 is_adjoint_of_forward(form.backward));
        rc::prop(n + ": db is the sum of dout over the batch and space", db_is_sum_of_dout(form.backward));
        rc::prop(n + ": backward is linear in dout", is_linear_in_dout(form.backward));
        rc::prop(n + ": rows and columns left out by the floor get zero gradient",
                 left_out_rows_get_zero_gradient(form.backward));
    }
}

TEST_CASE("conv2d: groups = C = F is a depthwise convolution, one filter per channel", "[conv2d][groups]") {
    // Each output channel must equal the single-channel convolution of its own input channel.
    Tensor4 x(2, 3, 4, 5), w(3, 1, 2, 3);
    for (arma::uword k = 0; k < x.size(); ++k) x.memptr()[k] = double((7 * k) % 11) - 5;
    for (arma::uword k = 0; k < w.size(); ++k) w.memptr()[k] = double((5 * k) % 7) - 3;
    Conv2dParams p;
    p.groups = 3;
    const Tensor4 out = conv2d_forward(x, w, std::nullopt, p);
    for (arma::uword c = 0; c < 3; ++c) {
        Tensor4 xc(2, 1, 4, 5), wc(1, 1, 2, 3);
        for (arma::uword n = 0; n < 2; ++n) xc.plane(n, 0) = x.plane(n, c);
        wc.plane(0, 0) = w.plane(c, 0);
        const Tensor4 oc = conv2d_forward(xc, wc, std::nullopt, {});
        for (arma::uword n = 0; n < 2; ++n) CHECK(arma::approx_equal(out.plane(n, c), oc.plane(n, 0), "absdiff", 0.0));
    }
}

TEST_CASE("conv2d: bad input throws cnnbp::Error naming the parameter and the numbers", "[conv2d][errors]") {
    const Tensor4 x(2, 4, 5, 5), w(4, 4, 3, 3);
    auto throws = [](auto&& f, const std::string& fragment) {
        INFO("expected a cnnbp::Error containing: " << fragment);
        CNNBP_CHECK_THROWS(f(), fragment);
    };
    Conv2dParams p;
    p.stride_h = 0;
    throws([&] { conv2d_forward(x, w, std::nullopt, p); }, "stride_h must be >= 1, got 0");
    p = {};
    p.dilation_w = -1;
    throws([&] { conv2d_forward(x, w, std::nullopt, p); }, "dilation_w must be >= 1, got -1");
    p = {};
    p.pad.left = -2;
    throws([&] { conv2d_forward(x, w, std::nullopt, p); }, "padding left must be >= 0, got -2");
    p = {};
    p.dilation_h = 3;  // 3*(3-1)+1 = 7 > 5
    throws([&] { conv2d_forward(x, w, std::nullopt, p); }, "d(K-1)+1 = 3*(3-1)+1 = 7 is larger than the padded input height 5+0+0 = 5");
    p = {};
    p.groups = 3;
    throws([&] { conv2d_forward(x, Tensor4(3, 1, 3, 3), std::nullopt, p); }, "groups = 3 does not divide the input channels C = 4");
    p.groups = 2;
    throws([&] { conv2d_forward(x, Tensor4(3, 2, 3, 3), std::nullopt, p); }, "groups = 2 does not divide the filters F = 3");
    p.groups = 0;
    throws([&] { conv2d_forward(x, w, std::nullopt, p); }, "groups must be >= 1, got 0");
    p = {};
    throws([&] { conv2d_forward(x, Tensor4(4, 2, 3, 3), std::nullopt, p); }, "w has shape (4,2,3,3) but with C = 4 and groups = 1 it must have 4 channels");
    throws([&] { conv2d_forward(x, w, arma::vec(3), p); }, "b has 3 elements but there are F = 4 filters");
    throws([&] { conv2d_forward(Tensor4(2, 4, 0, 5), w, std::nullopt, p); }, "x has shape (2,4,0,5)");
    for (const Form& form : forms) {
        INFO("form " << form.name);
        throws([&] { form.backward(Tensor4(2, 4, 4, 4), x, w, p); }, "dout has shape (2,4,4,4) but the output shape is (2,4,3,3)");
    }
    rc::prop("every invalid stride, dilation or padding throws and names it", [] {
        Conv2dParams q;
        const int bad = *rc::gen::inRange(-5, 1);
        const int which = *rc::gen::inRange(0, 6);
        const char* names[] = {"stride_h", "stride_w", "dilation_h", "dilation_w", "padding top", "padding right"};
        int* fields[] = {&q.stride_h, &q.stride_w, &q.dilation_h, &q.dilation_w, &q.pad.top, &q.pad.right};
        *fields[which] = which >= 4 ? bad - 1 : bad;  // padding 0 is valid, so make it negative
        try {
            conv2d_forward(Tensor4(1, 1, 4, 4), Tensor4(1, 1, 2, 2), std::nullopt, q);
            RC_FAIL("no exception");
        } catch (const Error& e) {
            RC_ASSERT(std::string(e.what()).find(names[which]) != std::string::npos);
            RC_ASSERT(std::string(e.what()).find(std::to_string(*fields[which])) != std::string::npos);
        }
    });
}

// The fast paths thread over samples (matrix form) and planes or filters (depthwise loops), and sum dW over the
// samples in their order: one thread and two must give the same bits (core/parallel.hpp). Shapes large enough that
// the loops do start threads (worth_threads), with stride, padding, groups and depthwise.
TEST_CASE("conv2d: the oracle's forward and backward give the same bits on one thread and on two", "[conv2d][threads]") {
#ifdef _OPENMP
    struct Shape {
        arma::uword n, c, h, w, f, k;
        int stride, pad, groups;
    };
    const Shape shapes[] = {{4, 16, 20, 20, 16, 3, 1, 1, 1}, {6, 24, 33, 35, 16, 3, 2, 2, 4}, {8, 32, 24, 24, 32, 3, 1, 1, 32}};
    const int before = omp_get_max_threads();
    for (const Shape& sh : shapes) {
        Conv2dParams p;
        p.stride_h = p.stride_w = sh.stride;
        p.pad = Padding::all(sh.pad);
        p.groups = sh.groups;
        arma::arma_rng::set_seed(7);
        Tensor4 x(sh.n, sh.c, sh.h, sh.w), w(sh.f, sh.c / sh.groups, sh.k, sh.k);
        x.data().randn();
        w.data().randn();
        const arma::vec b(sh.f, arma::fill::randn);
        const Conv2dShape s = conv2d_shape("test", x.shape(), w.shape(), b, p);
        REQUIRE(worth_threads(s.out_shape.size() * w.c() * sh.k * sh.k));
        Tensor4 dout(s.out_shape);
        dout.data().randn();
        omp_set_num_threads(1);
        const Tensor4 out1 = conv2d_forward_fast(x, w, b, p);
        const Conv2dGrads g1 = conv2d_backward(dout, x, w, p);
        omp_set_num_threads(2);
        REQUIRE(max_threads() == 2);
        const Tensor4 out2 = conv2d_forward_fast(x, w, b, p);
        const Conv2dGrads g2 = conv2d_backward(dout, x, w, p);
        INFO("groups " << sh.groups);
        const auto same_bits = [](const double* a, const double* b, arma::uword n) {
            return std::memcmp(a, b, n * sizeof(double)) == 0;
        };
        CHECK(same_bits(out1.memptr(), out2.memptr(), out1.size()));
        CHECK(same_bits(g1.dx.memptr(), g2.dx.memptr(), g1.dx.size()));
        CHECK(same_bits(g1.dw.memptr(), g2.dw.memptr(), g1.dw.size()));
        CHECK(same_bits(g1.db.memptr(), g2.db.memptr(), g1.db.n_elem));
        // and the threaded result is the right one: the scatter form, written independently, agrees (random normal data,
    // not dyadic, so that the order of the sums shows in the bits above; the forms then differ by rounding alone)
        const Conv2dGrads scatter = conv2d_backward_scatter(dout, x, w, p);
        CNNBP_CHECK_CLOSE(compare("dx", g2.dx, scatter.dx, forms_agree));
        CNNBP_CHECK_CLOSE(compare("dw", g2.dw, scatter.dw, forms_agree));
        CNNBP_CHECK_CLOSE(compare("out", out2, conv2d_forward(x, w, b, p), forms_agree));
    }
    omp_set_num_threads(before);
#else
    WARN("cnnbp was built without OpenMP (CNNBP_OPENMP=OFF): one thread only, nothing to compare");
#endif
}
