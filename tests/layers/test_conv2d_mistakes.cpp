// Deliberately wrong conv2d backwards, one classic mistake each, and the meta-test that the properties of
// support/conv2d_properties.hpp reject every one of them. If a property stops catching its mistake, the
// property has gone weak and this file fails.
#include "cnnbp/layers/conv2d.hpp"
#include "support/conv2d_properties.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck.h>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

arma::mat dilate(const arma::mat& m, int sh, int sw) {
    arma::mat out((m.n_rows - 1) * sh + 1, (m.n_cols - 1) * sw + 1, arma::fill::zeros);
    for (arma::uword i = 0; i < m.n_rows; ++i)
        for (arma::uword j = 0; j < m.n_cols; ++j) out(i * sh, j * sw) = m(i, j);
    return out;
}

enum class Mistake { none, filter_not_rotated, dout_not_dilated, padding_not_cropped };

// The closed form of dx (S3), with one step optionally done wrong. Returns the correct dw and db.
Conv2dGrads closed_form_with(Mistake m, const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                             const Conv2dParams& p) {
    Conv2dGrads g = conv2d_backward_scatter(dout, x, w, p);
    const Conv2dShape s = conv2d_shape("mistake", x.shape(), w.shape(), std::nullopt, p);
    const arma::uword Hp = x.h() + p.pad.top + p.pad.bottom, Wp = x.w() + p.pad.left + p.pad.right;
    g.dx = Tensor4(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword f = 0; f < w.n(); ++f)
            for (arma::uword cc = 0; cc < w.c(); ++cc) {
                const arma::mat d = m == Mistake::dout_not_dilated ? dout.plane(n, f)
                                                                   : dilate(dout.plane(n, f), p.stride_h, p.stride_w);
                arma::mat k = dilate(w.plane(f, cc), p.dilation_h, p.dilation_w);
                if (m == Mistake::filter_not_rotated) k = arma::fliplr(arma::flipud(k));  // conv2 then correlates
                const arma::mat full = arma::conv2(d, k, "full");
                arma::mat dxp(Hp, Wp, arma::fill::zeros);
                dxp.submat(0, 0, full.n_rows - 1, full.n_cols - 1) = full;
                const arma::uword top = m == Mistake::padding_not_cropped ? 0 : p.pad.top;
                const arma::uword left = m == Mistake::padding_not_cropped ? 0 : p.pad.left;
                g.dx.plane(n, (f / s.f_group) * s.c_group + cc) += dxp.submat(top, left, top + x.h() - 1, left + x.w() - 1);
            }
    return g;
}

Conv2dGrads filter_not_rotated(const Tensor4& d, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    return closed_form_with(Mistake::filter_not_rotated, d, x, w, p);
}
Conv2dGrads dout_not_dilated(const Tensor4& d, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    return closed_form_with(Mistake::dout_not_dilated, d, x, w, p);
}
Conv2dGrads padding_not_cropped(const Tensor4& d, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    return closed_form_with(Mistake::padding_not_cropped, d, x, w, p);
}

// db divided by the batch size, as if the loss were averaged inside the layer.
Conv2dGrads db_averaged(const Tensor4& d, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    Conv2dGrads g = conv2d_backward_scatter(d, x, w, p);
    g.db /= static_cast<double>(x.n());
    return g;
}

// The scatter form with `=` where `+=` belongs: a pixel in two overlapping windows keeps only the last one.
Conv2dGrads windows_overwritten(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    Conv2dGrads g = conv2d_backward_scatter(dout, x, w, p);
    const Conv2dShape s = conv2d_shape("mistake", x.shape(), w.shape(), std::nullopt, p);
    g.dx = Tensor4(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword f = 0; f < w.n(); ++f)
            for (arma::uword i = 0; i < s.out.h; ++i)
                for (arma::uword j = 0; j < s.out.w; ++j)
                    for (arma::uword cc = 0; cc < w.c(); ++cc)
                        for (int u = 0; u < s.window.kernel_h; ++u)
                            for (int v = 0; v < s.window.kernel_w; ++v) {
                                const long long h = (long long)i * p.stride_h + u * p.dilation_h - p.pad.top;
                                const long long ww = (long long)j * p.stride_w + v * p.dilation_w - p.pad.left;
                                if (h < 0 || h >= (long long)x.h() || ww < 0 || ww >= (long long)x.w()) continue;
                                g.dx(n, (f / s.f_group) * s.c_group + cc, h, ww) = w(f, cc, u, v) * dout(n, f, i, j);
                            }
    return g;
}

// The gather form with the window index clamped to the last window instead of bounds-checked: the rows that
// the floor leaves out borrow the gradient of the last window.
Conv2dGrads left_out_rows_clamped(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    Conv2dGrads g = conv2d_backward_scatter(dout, x, w, p);
    const Conv2dShape s = conv2d_shape("mistake", x.shape(), w.shape(), std::nullopt, p);
    auto index = [](long long a, int stride, arma::uword count) -> long long {
        if (a < 0 || a % stride != 0) return -1;
        return std::min(a / stride, (long long)count - 1);  // the mistake: clamp instead of reject
    };
    g.dx = Tensor4(x.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword ww = 0; ww < x.w(); ++ww)
                    for (arma::uword f = (c / s.c_group) * s.f_group; f < (c / s.c_group + 1) * s.f_group; ++f)
                        for (int u = 0; u < s.window.kernel_h; ++u)
                            for (int v = 0; v < s.window.kernel_w; ++v) {
                                const long long i = index((long long)h + p.pad.top - u * p.dilation_h, p.stride_h, s.out.h);
                                const long long j = index((long long)ww + p.pad.left - v * p.dilation_w, p.stride_w, s.out.w);
                                if (i >= 0 && j >= 0) g.dx(n, c, h, ww) += w(f, c % s.c_group, u, v) * dout(n, f, i, j);
                            }
    return g;
}

// Grouped convolution with every group's weight gradient read from the first group's channels.
Conv2dGrads groups_ignored_in_dw(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    Conv2dGrads g = conv2d_backward_scatter(dout, x, w, p);
    const Conv2dShape s = conv2d_shape("mistake", x.shape(), w.shape(), std::nullopt, p);
    g.dw = Tensor4(w.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword f = 0; f < w.n(); ++f)
            for (arma::uword i = 0; i < s.out.h; ++i)
                for (arma::uword j = 0; j < s.out.w; ++j)
                    for (arma::uword cc = 0; cc < w.c(); ++cc)
                        for (int u = 0; u < s.window.kernel_h; ++u)
                            for (int v = 0; v < s.window.kernel_w; ++v) {
                                const long long h = (long long)i * p.stride_h + u * p.dilation_h - p.pad.top;
                                const long long ww = (long long)j * p.stride_w + v * p.dilation_w - p.pad.left;
                                if (h < 0 || h >= (long long)x.h() || ww < 0 || ww >= (long long)x.w()) continue;
                                g.dw(f, cc, u, v) += x(n, cc, h, ww) * dout(n, f, i, j);  // the mistake: channel cc, not c0 + cc
                            }
    return g;
}

struct WrongVariant {
    const char* mistake;
    Conv2dBackward backward;
};
const WrongVariant variants[] = {
    {"filter not rotated in dx", filter_not_rotated},
    {"dout not dilated for stride > 1", dout_not_dilated},
    {"padding not cropped from dx (the top-left corner kept)", padding_not_cropped},
    {"db averaged over the batch instead of summed", db_averaged},
    {"overlapping windows overwritten instead of accumulated", windows_overwritten},
    {"rows left out by the floor given the last window's gradient", left_out_rows_clamped},
    {"grouped dw read from the first group's channels", groups_ignored_in_dw},
};

// rc::check prints the shrunk counterexample it finds; that output shows what each property caught.
bool rejected(const std::string& what, const auto& property) { return !rc::check(what, property); }

}  // namespace

TEST_CASE("conv2d mistakes: the properties reject every classic wrong backward", "[conv2d][mistakes]") {
    for (const WrongVariant& v : variants) {
        const std::string m = v.mistake;
        INFO("wrong variant: " << m);
        // The two witnesses that need nothing but the forward: both must catch every mistake.
        CHECK(rejected(m + " vs finite differences", agrees_with_finite_differences(v.backward)));
        CHECK(rejected(m + " vs the scatter form", agrees_with_scatter(v.backward)));
    }
    // The targeted properties catch the mistake they are about.
    CHECK(rejected("db averaged vs db is the sum of dout", db_is_sum_of_dout(db_averaged)));
    CHECK(rejected("clamped windows vs left-out rows get zero", left_out_rows_get_zero_gradient(left_out_rows_clamped)));
    CHECK(rejected("filter not rotated vs adjoint", is_adjoint_of_forward(filter_not_rotated)));
    CHECK(rejected("dout not dilated vs adjoint", is_adjoint_of_forward(dout_not_dilated)));
    CHECK(rejected("padding not cropped vs adjoint", is_adjoint_of_forward(padding_not_cropped)));
    CHECK(rejected("overwritten windows vs adjoint", is_adjoint_of_forward(windows_overwritten)));
    CHECK(rejected("grouped dw vs adjoint", is_adjoint_of_forward(groups_ignored_in_dw)));
}

TEST_CASE("conv2d mistakes: the variants are right where their mistake cannot show", "[conv2d][mistakes]") {
    // A sanity check on the zoo itself: with stride 1, no padding, one sample, one group and a kernel that
    // covers everything once, each mistake is invisible, so a rejection above is due to the mistake and not to
    // a variant broken in some other way.
    Tensor4 x(1, 1, 3, 3), w(1, 1, 1, 1), dout(1, 1, 3, 3);
    for (arma::uword k = 0; k < 9; ++k) x.memptr()[k] = double(k) - 4, dout.memptr()[k] = double(k % 4) + 1;
    w(0, 0, 0, 0) = 1.5;
    const Conv2dGrads want = conv2d_backward_scatter(dout, x, w, {});
    for (const WrongVariant& v : variants) {
        INFO("wrong variant: " << v.mistake);
        const Conv2dGrads got = v.backward(dout, x, w, {});
        CNNBP_CHECK_CLOSE(compare("dx", got.dx, want.dx, exact));
        CNNBP_CHECK_CLOSE(compare("dw", got.dw, want.dw, exact));
        CNNBP_CHECK_CLOSE(compare("db", got.db, want.db, exact));
    }
}
