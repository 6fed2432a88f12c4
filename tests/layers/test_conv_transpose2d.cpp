// conv_transpose2d: the two forward forms and the two backward forms, checked by a hand-worked example, finite
// differences, each other, and the adjoint identity with conv2d; the output size and PyTorch's output_padding rule;
// the errors; and deliberately wrong variants, one classic mistake each, that the properties must reject.
// Conventions: \ref conv_transpose2d.
#include "cnnbp/layers/conv_transpose2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/plane.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <ostream>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

// A conv_transpose2d case: N 1-2; C, F 1-4 with groups dividing both; kernel 1-3; stride 1-3; dilation 1-3;
// output padding 0 <= op < max(s, d) (PyTorch's rule, (U3)); asymmetric padding 0-3; then H, W from the least
// extent whose output is non-empty (U2) up to 3 more; with or without bias; and a dout shaped like the output.
struct ConvTCase {
    Tensor4 x, w;
    std::optional<arma::vec> b;
    ConvTranspose2dParams p;
    Tensor4 dout;
};

// (U2): the output extent (n-1) s - p_lo - p_hi + d(K-1) + op + 1 is >= 1 from this n on.
int least_extent(int kernel, int stride, int dilation, int op, int pad_lo, int pad_hi) {
    const int short_by = std::max(0, pad_lo + pad_hi - dilation * (kernel - 1) - op);
    return 1 + (short_by + stride - 1) / stride;
}

rc::Gen<ConvTCase> gen_conv_transpose_case() {
    return rc::gen::exec([] {
        ConvTCase k;
        const int groups = *rc::gen::inRange(1, 5);
        const int c = groups * *rc::gen::inRange(1, 4 / groups + 1);
        const int f = groups * *rc::gen::inRange(1, 4 / groups + 1);
        const int kh = *rc::gen::inRange(1, 4), kw = *rc::gen::inRange(1, 4);
        ConvTranspose2dParams& p = k.p;
        p.groups = groups;
        p.stride_h = *rc::gen::inRange(1, 4);
        p.stride_w = *rc::gen::inRange(1, 4);
        p.dilation_h = *rc::gen::inRange(1, 4);
        p.dilation_w = *rc::gen::inRange(1, 4);
        p.output_padding_h = *rc::gen::inRange(0, std::max(p.stride_h, p.dilation_h));
        p.output_padding_w = *rc::gen::inRange(0, std::max(p.stride_w, p.dilation_w));
        p.pad = {*rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4)};
        const int least_h = least_extent(kh, p.stride_h, p.dilation_h, p.output_padding_h, p.pad.top, p.pad.bottom);
        const int least_w = least_extent(kw, p.stride_w, p.dilation_w, p.output_padding_w, p.pad.left, p.pad.right);
        const int h = *rc::gen::inRange(least_h, least_h + 4), w = *rc::gen::inRange(least_w, least_w + 4);
        const int n = *rc::gen::inRange(1, 3);
        k.x = *gen_tensor({(arma::uword)n, (arma::uword)c, (arma::uword)h, (arma::uword)w});
        k.w = *gen_tensor({(arma::uword)c, (arma::uword)(f / groups), (arma::uword)kh, (arma::uword)kw});
        if (*rc::gen::arbitrary<bool>()) k.b = *gen_vec(f);
        k.dout = *gen_tensor(conv_transpose2d_shape("gen", k.x.shape(), k.w.shape(), k.b, k.p).out_shape);
        return k;
    });
}

void showValue(const ConvTCase& k, std::ostream& os) {
    os << "conv_transpose2d case: stride (" << k.p.stride_h << ',' << k.p.stride_w << "), padding " << k.p.pad
       << ", output padding (" << k.p.output_padding_h << ',' << k.p.output_padding_w << "), dilation ("
       << k.p.dilation_h << ',' << k.p.dilation_w << "), groups " << k.p.groups << "\nx " << k.x << "w " << k.w;
    if (k.b)
        os << "b =" << k.b->t();
    else
        os << "no bias\n";
    os << "dout " << k.dout;
}

// The conv2d whose adjoint conv_transpose2d is, (U5): the same stride, padding, dilation and groups.
Conv2dParams as_conv2d(const ConvTranspose2dParams& p) {
    return {p.stride_h, p.stride_w, p.pad, p.dilation_h, p.dilation_w, p.groups};
}

}  // namespace

namespace rc {
template <>
struct Arbitrary<ConvTCase> {
    static Gen<ConvTCase> arbitrary() { return gen_conv_transpose_case(); }
};
}  // namespace rc

namespace {

using ConvTForward = Tensor4 (*)(const Tensor4&, const Tensor4&, const std::optional<arma::vec>&,
                                 const ConvTranspose2dParams&);
using ConvTBackward = ConvTranspose2dGrads (*)(const Tensor4&, const Tensor4&, const Tensor4&,
                                               const ConvTranspose2dParams&);

// The properties, written once and applied both to the real forms and to the wrong variants at the end of this file.

// A forward agrees with the definition, the scatter (U1) and the crop (U2).
auto forward_agrees_with_definition(ConvTForward forward) {
    return [forward](const ConvTCase& k) {
        CNNBP_RC_CLOSE(compare("out", forward(k.x, k.w, k.b, k.p), conv_transpose2d_forward(k.x, k.w, k.b, k.p),
                               forms_agree));
    };
}

// (U5): <conv_transpose2d(x, w), y> == <x, conv2d(y, w)> with the same w, stride, padding, dilation and groups, the
// sum on the right over x's rows and columns only (conv2d has floor(op/s) more of each when op >= s). Bias absent.
auto forward_is_adjoint_of_conv2d(ConvTForward forward) {
    return [forward](const ConvTCase& k) {
        const Tensor4& y = k.dout;
        const Tensor4 conv = conv2d_forward(y, k.w, std::nullopt, as_conv2d(k.p));
        double rhs = 0.0;
        for (arma::uword n = 0; n < k.x.n(); ++n)
            for (arma::uword c = 0; c < k.x.c(); ++c)
                rhs += arma::accu(k.x.plane(n, c) % conv.plane(n, c).submat(0, 0, k.x.h() - 1, k.x.w() - 1));
        CNNBP_RC_CLOSE(compare("<convT(x), y> vs <x, conv2d(y)>", dot(forward(k.x, k.w, std::nullopt, k.p), y), rhs,
                               exact));
    };
}

// A backward agrees with the derivative of the scatter, (U6)-(U8) read term by term.
auto backward_agrees_with_scatter(ConvTBackward backward) {
    return [backward](const ConvTCase& k) {
        const ConvTranspose2dGrads want = conv_transpose2d_backward_scatter(k.dout, k.x, k.w, k.p);
        const ConvTranspose2dGrads got = backward(k.dout, k.x, k.w, k.p);
        CNNBP_RC_CLOSE(compare("dx", got.dx, want.dx, forms_agree));
        CNNBP_RC_CLOSE(compare("dw", got.dw, want.dw, forms_agree));
        CNNBP_RC_CLOSE(compare("db", got.db, want.db, forms_agree));
    };
}

// The gradients are those of L = <conv_transpose2d_forward(x, w, b), dout>, by central differences (F4).
auto backward_agrees_with_finite_differences(ConvTBackward backward) {
    return [backward](const ConvTCase& k) {
        const arma::vec b = k.b ? *k.b : arma::vec(k.w.c() * k.p.groups, arma::fill::zeros);
        const ConvTranspose2dGrads got = backward(k.dout, k.x, k.w, k.p);
        const auto fwd = [&](const Tensor4& x, const Tensor4& w, const arma::vec& bb) {
            return conv_transpose2d_forward(x, w, bb, k.p);
        };
        const auto dx = numerical_vjp([&](const Tensor4& x) { return fwd(x, k.w, b); }, k.x, k.dout);
        const auto dw = numerical_vjp([&](const Tensor4& w) { return fwd(k.x, w, b); }, k.w, k.dout);
        const auto db = numerical_vjp([&](const arma::vec& bb) { return fwd(k.x, k.w, bb); }, b, k.dout);
        CNNBP_RC_CLOSE(compare("dx", got.dx, dx, finite_differences));
        CNNBP_RC_CLOSE(compare("dw", got.dw, dw, finite_differences));
        CNNBP_RC_CLOSE(compare("db", got.db, db, finite_differences));
    };
}

// Without bias the forward is linear in x and in w, so (N2): <convT(x, w), dout> == <x, dx> == <w, dw>.
auto backward_is_adjoint_of_forward(ConvTBackward backward) {
    return [backward](const ConvTCase& k) {
        const ConvTranspose2dGrads g = backward(k.dout, k.x, k.w, k.p);
        RC_ASSERT(g.dx.shape() == k.x.shape());
        RC_ASSERT(g.dw.shape() == k.w.shape());
        const double lhs = dot(conv_transpose2d_forward(k.x, k.w, std::nullopt, k.p), k.dout);
        CNNBP_RC_CLOSE(compare("<x, dx>", dot(k.x, g.dx), lhs, exact));
        CNNBP_RC_CLOSE(compare("<w, dw>", dot(k.w, g.dw), lhs, exact));
    };
}

struct Form {
    const char* name;
    ConvTBackward backward;
};
const Form backward_forms[] = {{"conv2d maps", conv_transpose2d_backward},
                               {"scatter", conv_transpose2d_backward_scatter}};

}  // namespace

// The hand-worked example of the derivation page (\ref convT_example): x 2x2, w 2x2, stride 2, then stride 1.
// Every expected number is written as the index formula (U1), (U6), (U7), (U8) that gives it.
TEST_CASE("conv_transpose2d: the hand-worked 2x2 example of the derivation", "[conv_transpose2d][example]") {
    const Tensor4 x = plane_tensor({{1, 2}, {-1, 1}});
    const Tensor4 w = plane_tensor({{1, -1}, {2, 0}});
    const Tensor4 dout = plane_tensor({{1, 0, 2, -1}, {0, 1, 1, 0}, {-1, 2, 0, 1}, {1, 1, -2, 0}});
    auto X = [&](int h, int ww) { return x(0, 0, h, ww); };
    auto K = [&](int u, int v) { return w(0, 0, u, v); };
    auto D = [&](int i, int j) { return dout(0, 0, i, j); };
    ConvTranspose2dParams p;
    p.stride_h = p.stride_w = 2;

    // (U1) with s = 2 and K = 2: the copies tile the output, out[2h+u, 2w+v] = x[h,w] w[u,v].
    for (ConvTForward forward : {conv_transpose2d_forward, conv_transpose2d_forward_adjoint}) {
        const Tensor4 out = forward(x, w, std::nullopt, p);
        REQUIRE(out.shape() == Shape4{1, 1, 4, 4});  // (U2): (2-1)*2 + 1*(2-1) + 1 = 4
        for (int h = 0; h < 2; ++h)
            for (int ww = 0; ww < 2; ++ww)
                for (int u = 0; u < 2; ++u)
                    for (int v = 0; v < 2; ++v) CHECK(out(0, 0, 2 * h + u, 2 * ww + v) == X(h, ww) * K(u, v));
        CHECK(out(0, 0, 1, 2) == 4);   // worked by hand: x[0,1] w[1,0] = 2 * 2
        CHECK(out(0, 0, 2, 3) == -1);  // x[1,1] w[0,1] = 1 * (-1)
    }

    for (const Form& form : backward_forms) {
        INFO("form " << form.name);
        const ConvTranspose2dGrads g = form.backward(dout, x, w, p);
        // (U6): dx[h,w] = sum_{u,v} w[u,v] dout[2h+u, 2w+v], the stride-2 conv2d of dout
        for (int h = 0; h < 2; ++h)
            for (int ww = 0; ww < 2; ++ww)
                CHECK(g.dx(0, 0, h, ww) == K(0, 0) * D(2 * h, 2 * ww) + K(0, 1) * D(2 * h, 2 * ww + 1) +
                                               K(1, 0) * D(2 * h + 1, 2 * ww) + K(1, 1) * D(2 * h + 1, 2 * ww + 1));
        CHECK(g.dx(0, 0, 0, 0) == 1);  // the numbers of this case, worked by hand
        CHECK(g.dx(0, 0, 0, 1) == 5);
        CHECK(g.dx(0, 0, 1, 0) == -1);
        CHECK(g.dx(0, 0, 1, 1) == -5);
        // (U7): dw[u,v] = sum_{h,w} x[h,w] dout[2h+u, 2w+v]
        for (int u = 0; u < 2; ++u)
            for (int v = 0; v < 2; ++v)
                CHECK(g.dw(0, 0, u, v) == X(0, 0) * D(u, v) + X(0, 1) * D(u, 2 + v) + X(1, 0) * D(2 + u, v) +
                                              X(1, 1) * D(2 + u, 2 + v));
        CHECK(g.dw(0, 0, 0, 0) == 6);
        CHECK(g.dw(0, 0, 0, 1) == -3);
        CHECK(g.dw(0, 0, 1, 0) == -1);
        CHECK(g.dw(0, 0, 1, 1) == 0);
        // (U8): db = sum of dout
        double sum = 0;
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) sum += D(i, j);
        CHECK(g.db(0) == sum);
        CHECK(g.db(0) == 6);
    }

    // With stride 1 the copies overlap and add: x and w are the dout and w of test_conv2d.cpp's hand-worked case,
    // and the output is its dx, out[a,b] = sum over h+u = a, w+v = b of x[h,w] w[u,v].
    const Tensor4 out1 = conv_transpose2d_forward(x, w, std::nullopt, {});
    REQUIRE(out1.shape() == Shape4{1, 1, 3, 3});
    CHECK(out1(0, 0, 1, 1) == X(0, 0) * K(1, 1) + X(0, 1) * K(1, 0) + X(1, 0) * K(0, 1) + X(1, 1) * K(0, 0));
    CNNBP_CHECK_CLOSE(compare("out", out1, plane_tensor({{1, 1, -2}, {1, 6, -1}, {-2, 2, 0}}), exact));
}

TEST_CASE("conv_transpose2d: padding is cropped from the scattered output, top and left first",
          "[conv_transpose2d][convention]") {
    // (U2) with p_top = 1, p_bottom = 0, p_left = 0, p_right = 2: the 4x4 of the stride-2 example loses its first
    // row and its last two columns; a bias is added to every element that is left.
    const Tensor4 x = plane_tensor({{1, 2}, {-1, 1}});
    const Tensor4 w = plane_tensor({{1, -1}, {2, 0}});
    ConvTranspose2dParams p;
    p.stride_h = p.stride_w = 2;
    const Tensor4 full = conv_transpose2d_forward(x, w, std::nullopt, p);
    p.pad = {1, 0, 0, 2};
    const arma::vec b{0.5};
    for (ConvTForward forward : {conv_transpose2d_forward, conv_transpose2d_forward_adjoint}) {
        const Tensor4 out = forward(x, w, b, p);
        REQUIRE(out.shape() == Shape4{1, 1, 3, 2});
        for (arma::uword i = 0; i < 3; ++i)
            for (arma::uword j = 0; j < 2; ++j) CHECK(out(0, 0, i, j) == full(0, 0, i + 1, j) + 0.5);
    }
}

TEST_CASE("conv_transpose2d: output_padding >= stride: dx keeps the first H rows of conv2d's output",
          "[conv_transpose2d][convention]") {
    // s_h = 1, d_h = 2, K_h = 2, op_h = 1 (allowed: op < max(s, d) = 2), H = 2, one column.
    // (U1): out_p[h + 2u] += x[h] w[u] over H_p = (2-1)*1 + 2*(2-1) + 1 + 1 = 5 rows, the last one the output padding.
    const Tensor4 x = plane_tensor({{3}, {-1}});
    const Tensor4 w = plane_tensor({{1}, {2}});
    ConvTranspose2dParams p;
    p.dilation_h = 2;
    p.output_padding_h = 1;
    const Tensor4 out = conv_transpose2d_forward(x, w, std::nullopt, p);
    CNNBP_CHECK_CLOSE(compare("out", out, plane_tensor({{3}, {-1}, {6}, {-2}, {0}}), exact));
    CNNBP_CHECK_CLOSE(
        compare("out (adjoint form)", conv_transpose2d_forward_adjoint(x, w, std::nullopt, p), out, exact));
    // (U3): conv2d over those 5 rows has H + floor(op/s) = 3 windows, one more than x has rows.
    const Tensor4 dout = plane_tensor({{1}, {-2}, {3}, {1}, {-1}});
    const Tensor4 conv = conv2d_forward(dout, w, std::nullopt, as_conv2d(p));
    REQUIRE(conv.shape() == Shape4{1, 1, 3, 1});
    for (const Form& form : backward_forms) {
        INFO("form " << form.name);
        const Tensor4 dx = form.backward(dout, x, w, p).dx;
        REQUIRE(dx.shape() == x.shape());
        // (U6): dx[h] = w[0] dout[h] + w[1] dout[h + 2], the first two rows of conv2d(dout)
        CHECK(dx(0, 0, 0, 0) == 1 * 1 + 2 * 3);
        CHECK(dx(0, 0, 1, 0) == 1 * -2 + 2 * 1);
        CHECK(dx(0, 0, 0, 0) == conv(0, 0, 0, 0));
        CHECK(dx(0, 0, 1, 0) == conv(0, 0, 1, 0));
    }
    // The third row of conv2d(dout), w[0] dout[2] + w[1] dout[4], belongs to an input row x does not have.
    CHECK(conv(0, 0, 2, 0) == 1 * 3 + 2 * -1);
}

TEST_CASE("conv_transpose2d: output_padding picks one of the s heights that conv2d maps to H",
          "[conv_transpose2d][convention]") {
    // H = 3, K = 3, s = 3, p = 1 on both ends: (U2) gives (3-1)*3 - 2 + 2 + op + 1 = 7 + op, and conv2d maps each
    // of 7, 8, 9 back to floor((7 + op + 2 - 3) / 3) + 1 = 3 (U3). op = 3 is not smaller than s = 3 nor d = 1.
    const Tensor4 x(1, 1, 3, 3), w(1, 1, 3, 3);
    ConvTranspose2dParams p;
    p.stride_h = p.stride_w = 3;
    p.pad = Padding::all(1);
    for (int op = 0; op < 3; ++op) {
        p.output_padding_h = op;
        const ConvTranspose2dShape s = conv_transpose2d_shape("test", x.shape(), w.shape(), std::nullopt, p);
        CHECK(s.out_shape == Shape4{1, 1, arma::uword(7 + op), 7});
        CHECK(conv2d_shape("test", s.out_shape, w.shape(), std::nullopt, as_conv2d(p)).out_shape == x.shape());
    }
    p.output_padding_h = 3;
    CNNBP_CHECK_THROWS(conv_transpose2d_forward(x, w, std::nullopt, p),
                       "output_padding_h = 3 must be smaller than stride_h = 3 or dilation_h = 1");
}

TEST_CASE("conv_transpose2d: properties of the forward", "[conv_transpose2d][property]") {
    rc::prop("the scatter definition and conv2d's dx map agree",
             forward_agrees_with_definition(conv_transpose2d_forward_adjoint));
    rc::prop("the forward is the adjoint of conv2d: <convT(x, w), y> == <x, conv2d(y, w)>",
             forward_is_adjoint_of_conv2d(conv_transpose2d_forward));
    rc::prop("conv2d's dx map is the adjoint of conv2d: <convT(x, w), y> == <x, conv2d(y, w)>",
             forward_is_adjoint_of_conv2d(conv_transpose2d_forward_adjoint));
    rc::prop("the output is (H-1)s - p_top - p_bottom + d(K-1) + op + 1, and conv2d maps it to H + floor(op/s)",
             [](const ConvTCase& k) {
                 const ConvTranspose2dParams& p = k.p;
                 const Tensor4 out = conv_transpose2d_forward(k.x, k.w, k.b, p);
                 const arma::uword H = k.x.h(), W = k.x.w(), Kh = k.w.h(), Kw = k.w.w();
                 const long long H_out = (long long)(H - 1) * p.stride_h - p.pad.top - p.pad.bottom +
                                         p.dilation_h * (long long)(Kh - 1) + p.output_padding_h + 1;
                 const long long W_out = (long long)(W - 1) * p.stride_w - p.pad.left - p.pad.right +
                                         p.dilation_w * (long long)(Kw - 1) + p.output_padding_w + 1;
                 const arma::uword F = k.w.c() * p.groups;
                 RC_ASSERT(out.shape() == (Shape4{k.x.n(), F, (arma::uword)H_out, (arma::uword)W_out}));
                 const Shape4 back =
                     conv2d_shape("property", out.shape(), k.w.shape(), std::nullopt, as_conv2d(p)).out_shape;
                 RC_ASSERT(back == (Shape4{k.x.n(), k.x.c(), H + p.output_padding_h / p.stride_h,
                                           W + p.output_padding_w / p.stride_w}));
             });
    rc::prop("every output_padding with op >= max(stride, dilation) throws and names it", [] {
        ConvTranspose2dParams p;
        p.stride_h = *rc::gen::inRange(1, 4);
        p.dilation_h = *rc::gen::inRange(1, 4);
        p.output_padding_h = std::max(p.stride_h, p.dilation_h) + *rc::gen::inRange(0, 3);
        try {
            conv_transpose2d_forward(Tensor4(1, 1, 3, 3), Tensor4(1, 1, 2, 2), std::nullopt, p);
            RC_FAIL("no exception");
        } catch (const Error& e) {
            const std::string what = e.what();
            RC_ASSERT(what.find("output_padding_h = " + std::to_string(p.output_padding_h)) != std::string::npos);
            RC_ASSERT(what.find("stride_h = " + std::to_string(p.stride_h)) != std::string::npos);
        }
    });
}

TEST_CASE("conv_transpose2d backward: the two forms agree", "[conv_transpose2d][property]") {
    rc::prop("conv2d's forward and dw maps agree with the derivative of the scatter",
             backward_agrees_with_scatter(conv_transpose2d_backward));
}

TEST_CASE("conv_transpose2d backward: each form agrees with finite differences", "[conv_transpose2d][property]") {
    for (const Form& form : backward_forms)
        rc::prop(std::string(form.name) + ": dx, dw, db are the central differences of <out, dout>",
                 backward_agrees_with_finite_differences(form.backward));
}

TEST_CASE("conv_transpose2d backward: adjoint of the forward in x and in w", "[conv_transpose2d][property]") {
    for (const Form& form : backward_forms)
        rc::prop(std::string(form.name) + ": <convT(x, w), dout> == <x, dx> == <w, dw>",
                 backward_is_adjoint_of_forward(form.backward));
}

TEST_CASE("conv_transpose2d: groups = C = F writes each channel to its own output channel only",
          "[conv_transpose2d][groups]") {
    // Depthwise: output channel c must be the single-channel transposed convolution of input channel c.
    Tensor4 x(2, 3, 3, 2), w(3, 1, 2, 3);
    for (arma::uword k = 0; k < x.size(); ++k) x.memptr()[k] = double((7 * k) % 11) - 5;
    for (arma::uword k = 0; k < w.size(); ++k) w.memptr()[k] = double((5 * k) % 7) - 3;
    ConvTranspose2dParams p;
    p.groups = 3;
    p.stride_h = 2;
    const Tensor4 out = conv_transpose2d_forward(x, w, std::nullopt, p);
    for (arma::uword c = 0; c < 3; ++c) {
        Tensor4 xc(2, 1, 3, 2), wc(1, 1, 2, 3);
        for (arma::uword n = 0; n < 2; ++n) xc.plane(n, 0) = x.plane(n, c);
        wc.plane(0, 0) = w.plane(c, 0);
        ConvTranspose2dParams q = p;
        q.groups = 1;
        const Tensor4 oc = conv_transpose2d_forward(xc, wc, std::nullopt, q);
        for (arma::uword n = 0; n < 2; ++n) CHECK(arma::approx_equal(out.plane(n, c), oc.plane(n, 0), "absdiff", 0.0));
    }
}

TEST_CASE("conv_transpose2d: bad input throws cnnbp::Error naming the parameter and the numbers",
          "[conv_transpose2d][errors]") {
    const Tensor4 x(2, 4, 3, 3), w(4, 2, 2, 2);
    auto throws = [](auto&& f, const std::string& fragment) {
        INFO("expected a cnnbp::Error containing: " << fragment);
        CNNBP_CHECK_THROWS(f(), fragment);
    };
    ConvTranspose2dParams p;
    p.stride_h = 0;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); }, "stride_h must be >= 1, got 0");
    p = {};
    p.dilation_w = -1;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); }, "dilation_w must be >= 1, got -1");
    p = {};
    p.pad.left = -2;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); }, "padding left must be >= 0, got -2");
    p = {};
    p.output_padding_w = -1;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); }, "output_padding_w must be >= 0, got -1");
    p = {};
    p.stride_h = 2;
    p.output_padding_h = 2;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); },
           "output_padding_h = 2 must be smaller than stride_h = 2 or dilation_h = 1");
    p = {};
    p.pad = {2, 2, 0, 0};  // (3-1)*1 - 2 - 2 + 1*(2-1) + 0 + 1 = 0
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); },
           "the output height (H-1)s_h - p_top - p_bottom + d_h(K_h-1) + output_padding_h + 1 = (3-1)*1 - 2 - 2 + "
           "1*(2-1) + 0 + 1 = 0 must be >= 1");
    p = {};
    p.groups = 3;
    throws([&] { conv_transpose2d_forward(x, Tensor4(4, 1, 2, 2), std::nullopt, p); },
           "groups = 3 does not divide the input channels C = 4");
    p.groups = 0;
    throws([&] { conv_transpose2d_forward(x, w, std::nullopt, p); }, "groups must be >= 1, got 0");
    p = {};
    throws([&] { conv_transpose2d_forward(x, Tensor4(2, 4, 2, 2), std::nullopt, p); },
           "w has shape (2,4,2,2) but x has C = 4 channels; conv_transpose2d's w is (C, F/groups, K_h, K_w)");
    p.groups = 2;
    throws([&] { conv_transpose2d_forward(x, w, arma::vec(2), p); },
           "b has 2 elements but there are F = 2*2 = 4 output channels");
    p = {};
    throws([&] { conv_transpose2d_forward(Tensor4(2, 4, 0, 3), w, std::nullopt, p); }, "x has shape (2,4,0,3)");
    for (const Form& form : backward_forms) {
        INFO("form " << form.name);
        throws([&] { form.backward(Tensor4(2, 2, 3, 3), x, w, p); },
               "dout has shape (2,2,3,3) but the output shape is (2,2,4,4)");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Deliberately wrong variants, one classic mistake each, and the meta-tests that the properties above reject every
// one of them. If a property stops catching its mistake, it has gone weak and these tests fail.

namespace {

// The padding cropped from the wrong place: the first H_out rows and W_out columns of the scattered output kept,
// i.e. everything cropped from the bottom and the right.
Tensor4 padding_cropped_at_top_left(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                    const ConvTranspose2dParams& p) {
    ConvTranspose2dParams q = p;
    q.pad = {0, p.pad.top + p.pad.bottom, 0, p.pad.left + p.pad.right};
    return conv_transpose2d_forward(x, w, b, q);
}

// w read as conv2d lays out its weight, (F, C/groups, K_h, K_w): the same planes in the same order, reshaped, so
// that w[c, f'] is taken from plane (f, c') of the reshaped tensor. Invisible when C/groups = F/groups = 1.
Tensor4 weight_read_as_conv2d_layout(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                     const ConvTranspose2dParams& p) {
    const arma::uword G = p.groups, c_group = w.n() / G, f_group = w.c();
    Tensor4 as_conv(f_group * G, c_group, w.h(), w.w());  // (F, C/groups, K_h, K_w)
    std::copy(w.memptr(), w.memptr() + w.size(), as_conv.memptr());
    Tensor4 wrong(w.shape());
    for (arma::uword c = 0; c < w.n(); ++c)
        for (arma::uword fl = 0; fl < f_group; ++fl)
            wrong.plane(c, fl) = as_conv.plane((c / c_group) * f_group + fl, c % c_group);
    return conv_transpose2d_forward(x, wrong, b, p);
}

// output_padding ignored in the backward: dx = conv2d(dout, w) as it comes, with the floor(op/s) extra rows
// (columns) that conv2d has when op >= s (U3). dw and db are right.
ConvTranspose2dGrads dx_not_cropped_to_H(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                         const ConvTranspose2dParams& p) {
    ConvTranspose2dGrads g = conv_transpose2d_backward_scatter(dout, x, w, p);
    g.dx = conv2d_forward(dout, w, std::nullopt, as_conv2d(p));
    return g;
}

// dw by conv2d's (C4) without swapping the roles: the windows slid over x at dout's positions,
// dw[c,f',u,v] = sum_{n,i,j} x_p[n, c, i s + u d, j s + v d] dout[n, g F_g + f', i, j]. Right for a 1x1 kernel with
// stride 1 and no padding, where both read x[n,c,i,j] dout[n,f,i,j].
ConvTranspose2dGrads dw_roles_not_swapped(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                          const ConvTranspose2dParams& p) {
    ConvTranspose2dGrads g = conv_transpose2d_backward_scatter(dout, x, w, p);
    const arma::uword c_group = x.c() / p.groups;
    g.dw = Tensor4(w.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < w.n(); ++c)
            for (arma::uword fl = 0; fl < w.c(); ++fl)
                for (arma::uword i = 0; i < dout.h(); ++i)
                    for (arma::uword j = 0; j < dout.w(); ++j)
                        for (arma::uword u = 0; u < w.h(); ++u)
                            for (arma::uword v = 0; v < w.w(); ++v) {
                                const long long h = (long long)(i * p.stride_h + u * p.dilation_h) - p.pad.top;
                                const long long ww = (long long)(j * p.stride_w + v * p.dilation_w) - p.pad.left;
                                if (h < 0 || h >= (long long)x.h() || ww < 0 || ww >= (long long)x.w()) continue;
                                g.dw(c, fl, u, v) += x(n, c, h, ww) * dout(n, (c / c_group) * w.c() + fl, i, j);
                            }
    return g;
}

struct WrongForward {
    const char* mistake;
    ConvTForward forward;
};
const WrongForward wrong_forwards[] = {
    {"padding cropped from the bottom and right only (the first H_out rows kept)", padding_cropped_at_top_left},
    {"w read as (F, C/groups, K_h, K_w), conv2d's layout, instead of (C, F/groups, K_h, K_w)",
     weight_read_as_conv2d_layout},
};

struct WrongBackward {
    const char* mistake;
    ConvTBackward backward;
};
const WrongBackward wrong_backwards[] = {
    {"output_padding ignored in dx: conv2d's extra rows kept when op >= s", dx_not_cropped_to_H},
    {"dw by conv2d's dw map without swapping the roles of x and dout", dw_roles_not_swapped},
};

// rc::check prints the shrunk counterexample it finds; that output shows what each property caught.
bool rejected(const std::string& what, const auto& property) { return !rc::check(what, property); }

}  // namespace

TEST_CASE("conv_transpose2d mistakes: the properties reject every wrong variant", "[conv_transpose2d][mistakes]") {
    for (const WrongForward& v : wrong_forwards) {
        const std::string m = v.mistake;
        INFO("wrong forward: " << m);
        CHECK(rejected(m + " vs the definition", forward_agrees_with_definition(v.forward)));
        CHECK(rejected(m + " vs the adjoint of conv2d", forward_is_adjoint_of_conv2d(v.forward)));
    }
    for (const WrongBackward& v : wrong_backwards) {
        const std::string m = v.mistake;
        INFO("wrong backward: " << m);
        CHECK(rejected(m + " vs finite differences", backward_agrees_with_finite_differences(v.backward)));
        CHECK(rejected(m + " vs the scatter form", backward_agrees_with_scatter(v.backward)));
        CHECK(rejected(m + " vs the adjoint of the forward", backward_is_adjoint_of_forward(v.backward)));
    }
}

TEST_CASE("conv_transpose2d mistakes: the variants are right where their mistake cannot show",
          "[conv_transpose2d][mistakes]") {
    // A sanity check on the variants themselves: one sample, one channel, a 1x1 kernel, stride 1, no padding, no
    // output padding. Every mistake is invisible there, so a rejection above is due to the mistake and not to a
    // variant broken in some other way.
    Tensor4 x(1, 1, 3, 3), w(1, 1, 1, 1), dout(1, 1, 3, 3);
    for (arma::uword k = 0; k < 9; ++k) x.memptr()[k] = double(k) - 4, dout.memptr()[k] = double(k % 4) + 1;
    w(0, 0, 0, 0) = 1.5;
    const arma::vec b{0.25};
    const Tensor4 out = conv_transpose2d_forward(x, w, b, {});
    for (const WrongForward& v : wrong_forwards) {
        INFO("wrong forward: " << v.mistake);
        CNNBP_CHECK_CLOSE(compare("out", v.forward(x, w, b, {}), out, exact));
    }
    const ConvTranspose2dGrads want = conv_transpose2d_backward_scatter(dout, x, w, {});
    for (const WrongBackward& v : wrong_backwards) {
        INFO("wrong backward: " << v.mistake);
        const ConvTranspose2dGrads got = v.backward(dout, x, w, {});
        CNNBP_CHECK_CLOSE(compare("dx", got.dx, want.dx, exact));
        CNNBP_CHECK_CLOSE(compare("dw", got.dw, want.dw, exact));
        CNNBP_CHECK_CLOSE(compare("db", got.db, want.db, exact));
    }
}
