// The properties every conv2d backward must have, written once and applied both to the four real
// forms (test_conv2d.cpp) and to the deliberately wrong variants (test_conv2d_mistakes.cpp), which
// must be rejected. Each takes the backward under test and returns a RapidCheck property of a ConvCase.
#pragma once

#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/tolerances.hpp"

#include <rapidcheck.h>

namespace cnnbp::testing {

using Conv2dBackward = Conv2dGrads (*)(const Tensor4&, const Tensor4&, const Tensor4&, const Conv2dParams&);

// The forms agree with the scatter form, the definition (C3)-(C5).
inline auto agrees_with_scatter(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        const Conv2dGrads want = conv2d_backward_scatter(k.dout, k.x, k.w, k.p);
        const Conv2dGrads got = backward(k.dout, k.x, k.w, k.p);
        CNNBP_RC_CLOSE(compare("dx", got.dx, want.dx, forms_agree));
        CNNBP_RC_CLOSE(compare("dw", got.dw, want.dw, forms_agree));
        CNNBP_RC_CLOSE(compare("db", got.db, want.db, forms_agree));
    };
}

// The gradients are those of L = <conv2d_forward(x, w, b), dout>, by central differences (F1).
inline auto agrees_with_finite_differences(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        const arma::vec b = k.b ? *k.b : arma::vec(k.w.n(), arma::fill::zeros);
        const Conv2dGrads got = backward(k.dout, k.x, k.w, k.p);
        const auto dx = numerical_vjp([&](const Tensor4& x) { return conv2d_forward(x, k.w, b, k.p); }, k.x, k.dout);
        const auto dw = numerical_vjp([&](const Tensor4& w) { return conv2d_forward(k.x, w, b, k.p); }, k.w, k.dout);
        const auto db = numerical_vjp([&](const arma::vec& bb) { return conv2d_forward(k.x, k.w, bb, k.p); }, b, k.dout);
        CNNBP_RC_CLOSE(compare("dx", got.dx, dx, finite_differences));
        CNNBP_RC_CLOSE(compare("dw", got.dw, dw, finite_differences));
        CNNBP_RC_CLOSE(compare("db", got.db, db, finite_differences));
    };
}

// conv2d without bias is linear in x and in w, so backward is the adjoint of forward (N2):
// <conv(x, w), dout> == <x, dx(dout)> == <w, dw(dout)>, and <b broadcast, dout> == <b, db(dout)>.
inline auto is_adjoint_of_forward(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        const Conv2dGrads g = backward(k.dout, k.x, k.w, k.p);
        const double lhs = dot(conv2d_forward(k.x, k.w, std::nullopt, k.p), k.dout);
        CNNBP_RC_CLOSE(compare("<x, dx>", dot(k.x, g.dx), lhs, exact));
        CNNBP_RC_CLOSE(compare("<w, dw>", dot(k.w, g.dw), lhs, exact));
        if (k.b) {
            const Tensor4 zero_x(k.x.shape());  // conv of a zero input is the bias alone
            const double bias_lhs = dot(conv2d_forward(zero_x, k.w, k.b, k.p), k.dout);
            CNNBP_RC_CLOSE(compare("<b, db>", arma::dot(*k.b, g.db), bias_lhs, exact));
        }
    };
}

// db[f] is the sum of dout[n, f, i, j] over the batch and both spatial axes (C5): summed, not averaged.
inline auto db_is_sum_of_dout(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        arma::vec want(k.dout.c(), arma::fill::zeros);
        for (arma::uword n = 0; n < k.dout.n(); ++n)
            for (arma::uword f = 0; f < k.dout.c(); ++f)
                for (arma::uword i = 0; i < k.dout.h(); ++i)
                    for (arma::uword j = 0; j < k.dout.w(); ++j) want(f) += k.dout(n, f, i, j);
        CNNBP_RC_CLOSE(compare("db", backward(k.dout, k.x, k.w, k.p).db, want, exact));
    };
}

// backward(a y1 + c y2) == a backward(y1) + c backward(y2): every gradient is linear in dout (N1).
inline auto is_linear_in_dout(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        const Tensor4 y2 = *gen_tensor(k.dout.shape());
        const double a = *rc::gen::inRange(-3, 4), c = *rc::gen::inRange(-3, 4);
        Tensor4 mix(k.dout.shape());
        mix.data() = a * k.dout.data() + c * y2.data();
        const Conv2dGrads g1 = backward(k.dout, k.x, k.w, k.p), g2 = backward(y2, k.x, k.w, k.p);
        const Conv2dGrads gm = backward(mix, k.x, k.w, k.p);
        Tensor4 dx(g1.dx.shape()), dw(g1.dw.shape());
        dx.data() = a * g1.dx.data() + c * g2.dx.data();
        dw.data() = a * g1.dw.data() + c * g2.dw.data();
        CNNBP_RC_CLOSE(compare("dx", gm.dx, dx, exact));
        CNNBP_RC_CLOSE(compare("dw", gm.dw, dw, exact));
        CNNBP_RC_CLOSE(compare("db", gm.db, arma::vec(a * g1.db + c * g2.db), exact));
    };
}

// Input rows (columns) past the reach of the last window, h + p_top > (H'-1) s + (K-1) d, take no part in
// the output and so get a zero gradient (G2).
inline auto left_out_rows_get_zero_gradient(Conv2dBackward backward) {
    return [backward](const ConvCase& k) {
        const Conv2dShape s = conv2d_shape("property", k.x.shape(), k.w.shape(), k.b, k.p);
        const long long last_h = (long long)(s.out.h - 1) * k.p.stride_h + (s.window.kernel_h - 1) * k.p.dilation_h;
        const long long last_w = (long long)(s.out.w - 1) * k.p.stride_w + (s.window.kernel_w - 1) * k.p.dilation_w;
        const Tensor4 dx = backward(k.dout, k.x, k.w, k.p).dx;
        for (arma::uword n = 0; n < dx.n(); ++n)
            for (arma::uword c = 0; c < dx.c(); ++c)
                for (arma::uword h = 0; h < dx.h(); ++h)
                    for (arma::uword w = 0; w < dx.w(); ++w)
                        if ((long long)h + k.p.pad.top > last_h || (long long)w + k.p.pad.left > last_w)
                            RC_ASSERT(dx(n, c, h, w) == 0.0);
    };
}

}  // namespace cnnbp::testing
