// RapidCheck generators for the property tests. Shapes and parameters are drawn first and the input size
// last, so that every case is valid by construction (no discarding); values are small integers mapped to
// multiples of 1/16 in [-2, 2], so that every sum is exact and a shrunk counterexample reads as plain numbers.
// Shapes and parameters follow RapidCheck's size (early cases are small, the ranges open up as the run goes on,
// and shrinking goes to the smallest value of each range); values do not.
#pragma once

#include "cnnbp/conv2d.hpp"
#include "cnnbp/pad2d.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <vector>

namespace cnnbp::testing {

// One value k/16 with k in [-32, 32], drawn uniformly whatever RapidCheck's size, and shrinking toward 0 through
// small magnitudes (0, 1/16, -1/16, 2/16, ...): an integer m in [0, 64] is unfolded as 0, 1, -1, 2, -2, ...
inline rc::Gen<double> gen_value() {
    return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, 65)),
                        [](int m) { return (m % 2 == 1 ? (m + 1) / 2 : -(m / 2)) / 16.0; });
}

// A tensor of the given shape with values from gen_value().
inline rc::Gen<Tensor4> gen_tensor(Shape4 s) {
    return rc::gen::map(rc::gen::container<std::vector<double>>(s.size(), gen_value()),
                        [s](const std::vector<double>& values) {
                            Tensor4 t(s);
                            std::copy(values.begin(), values.end(), t.memptr());
                            return t;
                        });
}

inline rc::Gen<arma::vec> gen_vec(arma::uword n) {
    return rc::gen::map(rc::gen::container<std::vector<double>>(n, gen_value()),
                        [](const std::vector<double>& values) { return arma::vec(values); });
}

// Draws the input extent along one axis after the window: at least what one window needs
// (d(K-1)+1 - p_lo - p_hi, and at least 1), at most 9 (or that least value, if larger).
inline int draw_extent(int kernel, int dilation, int pad_lo, int pad_hi) {
    const int least = std::max(1, dilation * (kernel - 1) + 1 - pad_lo - pad_hi);
    return *rc::gen::inRange(least, std::max(least, 9) + 1);
}

// Dilation 1..3, but no larger than a 9-pixel input with this padding can hold, so that H stays <= 9.
inline int draw_dilation(int kernel, int pad_lo, int pad_hi) {
    const int most = kernel == 1 ? 3 : std::clamp((9 + pad_lo + pad_hi - 1) / (kernel - 1), 1, 3);
    return *rc::gen::inRange(1, most + 1);
}

// A conv2d case: N 1-3; C, F 1-4 with groups dividing both; kernel 1-4; stride 1-3; asymmetric
// padding 0-3; dilation 1-3; H, W 1-9; with or without bias; and a dout shaped like the output.
struct ConvCase {
    Tensor4 x, w;
    std::optional<arma::vec> b;
    Conv2dParams p;
    Tensor4 dout;
};

inline rc::Gen<ConvCase> gen_conv_case() {
    return rc::gen::exec([] {
        ConvCase k;
        const int groups = *rc::gen::inRange(1, 5);
        const int c = groups * *rc::gen::inRange(1, 4 / groups + 1);
        const int f = groups * *rc::gen::inRange(1, 4 / groups + 1);
        const int kh = *rc::gen::inRange(1, 5), kw = *rc::gen::inRange(1, 5);
        k.p.groups = groups;
        k.p.stride_h = *rc::gen::inRange(1, 4);
        k.p.stride_w = *rc::gen::inRange(1, 4);
        k.p.pad = {*rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4)};
        k.p.dilation_h = draw_dilation(kh, k.p.pad.top, k.p.pad.bottom);
        k.p.dilation_w = draw_dilation(kw, k.p.pad.left, k.p.pad.right);
        const int h = draw_extent(kh, k.p.dilation_h, k.p.pad.top, k.p.pad.bottom);
        const int w = draw_extent(kw, k.p.dilation_w, k.p.pad.left, k.p.pad.right);
        const int n = *rc::gen::inRange(1, 4);
        k.x = *gen_tensor({(arma::uword)n, (arma::uword)c, (arma::uword)h, (arma::uword)w});
        k.w = *gen_tensor({(arma::uword)f, (arma::uword)(c / groups), (arma::uword)kh, (arma::uword)kw});
        if (*rc::gen::arbitrary<bool>()) k.b = *gen_vec(f);
        const Conv2dShape s = conv2d_shape("gen_conv_case", k.x.shape(), k.w.shape(), k.b, k.p);
        k.dout = *gen_tensor(s.out_shape);
        return k;
    });
}

inline void showValue(const ConvCase& k, std::ostream& os) {
    os << "conv2d case: stride (" << k.p.stride_h << ',' << k.p.stride_w << "), padding " << k.p.pad
       << ", dilation (" << k.p.dilation_h << ',' << k.p.dilation_w << "), groups " << k.p.groups << "\nx " << k.x
       << "w " << k.w;
    if (k.b)
        os << "b =" << k.b->t();
    else
        os << "no bias\n";
    os << "dout " << k.dout;
}

// A pad2d case: N 1-3, C 1-4, H, W 1-9, each padding 0-3, and a dout shaped like the output.
struct PadCase {
    Tensor4 x;
    Padding p;
    Tensor4 dout;
};

inline rc::Gen<PadCase> gen_pad_case() {
    return rc::gen::exec([] {
        PadCase k;
        k.p = {*rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4), *rc::gen::inRange(0, 4)};
        const Shape4 s{(arma::uword)*rc::gen::inRange(1, 4), (arma::uword)*rc::gen::inRange(1, 5),
                       (arma::uword)*rc::gen::inRange(1, 10), (arma::uword)*rc::gen::inRange(1, 10)};
        k.x = *gen_tensor(s);
        k.dout = *gen_tensor({s.n, s.c, s.h + k.p.top + k.p.bottom, s.w + k.p.left + k.p.right});
        return k;
    });
}

inline void showValue(const PadCase& k, std::ostream& os) { os << "pad2d case: padding " << k.p << "\nx " << k.x << "dout " << k.dout; }

}  // namespace cnnbp::testing

namespace rc {
template <>
struct Arbitrary<cnnbp::testing::ConvCase> {
    static Gen<cnnbp::testing::ConvCase> arbitrary() { return cnnbp::testing::gen_conv_case(); }
};
template <>
struct Arbitrary<cnnbp::testing::PadCase> {
    static Gen<cnnbp::testing::PadCase> arbitrary() { return cnnbp::testing::gen_pad_case(); }
};
}  // namespace rc
