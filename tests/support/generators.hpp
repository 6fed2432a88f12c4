// RapidCheck generators for the property tests. Shapes and parameters are drawn first and the input size
// last, so that every case is valid by construction (no discarding); values are small integers mapped to
// multiples of 1/16 in [-2, 2], so that every sum is exact and a shrunk counterexample reads as plain numbers.
// Shapes and parameters follow RapidCheck's size (early cases are small, the ranges open up as the run goes on,
// and shrinking goes to the smallest value of each range); values do not.
#pragma once

#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "cnnbp/layers/pad2d.hpp"

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

// A tensor whose values are all different (a shuffled 0, 1, 2, ... centred on 0, divided by 8), so that no max-pool
// window has a tie and the derivative exists everywhere.
inline rc::Gen<Tensor4> gen_distinct_tensor(Shape4 s) {
    return rc::gen::map(rc::gen::container<std::vector<int>>(s.size(), rc::gen::resize(100, rc::gen::inRange(0, 1 << 20))),
                        [s](const std::vector<int>& keys) {
                            std::vector<arma::uword> order(keys.size());
                            for (arma::uword k = 0; k < order.size(); ++k) order[k] = k;
                            std::stable_sort(order.begin(), order.end(),
                                             [&](arma::uword a, arma::uword b) { return keys[a] < keys[b]; });
                            Tensor4 t(s);
                            for (arma::uword k = 0; k < order.size(); ++k)
                                t.memptr()[order[k]] = (double(k) - double(order.size() / 2)) / 8.0;
                            return t;
                        });
}

// A pooling window: kernel 1-4, stride 1-3, each padding 0 to floor(K/2), dilation 1-3 when `dilated`, ceil_mode
// either way; then H, W from draw_extent. A dilated window that would lie wholly in the padding (G4) falls back to
// dilation 1, which cannot (see the geometry page).
inline Window2d draw_pool_window(bool dilated, arma::uword& h, arma::uword& w) {
    Window2d g;
    g.kernel_h = *rc::gen::inRange(1, 5);
    g.kernel_w = *rc::gen::inRange(1, 5);
    g.stride_h = *rc::gen::inRange(1, 4);
    g.stride_w = *rc::gen::inRange(1, 4);
    g.pad = {*rc::gen::inRange(0, g.kernel_h / 2 + 1), *rc::gen::inRange(0, g.kernel_h / 2 + 1),
             *rc::gen::inRange(0, g.kernel_w / 2 + 1), *rc::gen::inRange(0, g.kernel_w / 2 + 1)};
    g.dilation_h = dilated ? draw_dilation(g.kernel_h, g.pad.top, g.pad.bottom) : 1;
    g.dilation_w = dilated ? draw_dilation(g.kernel_w, g.pad.left, g.pad.right) : 1;
    g.ceil_mode = *rc::gen::arbitrary<bool>();
    h = draw_extent(g.kernel_h, g.dilation_h, g.pad.top, g.pad.bottom);
    w = draw_extent(g.kernel_w, g.dilation_w, g.pad.left, g.pad.right);
    try {
        pool_output_size("gen", g, h, w);
    } catch (const Error&) {
        g.dilation_h = g.dilation_w = 1;
        h = draw_extent(g.kernel_h, 1, g.pad.top, g.pad.bottom);
        w = draw_extent(g.kernel_w, 1, g.pad.left, g.pad.right);
    }
    return g;
}

// A max-pooling case: N 1-3, C 1-3, distinct values (no ties), any valid window with dilation and ceil_mode.
struct MaxPoolCase {
    Tensor4 x;
    Window2d g;
    Tensor4 dout;
};

inline rc::Gen<MaxPoolCase> gen_maxpool_case() {
    return rc::gen::exec([] {
        MaxPoolCase k;
        arma::uword h = 0, w = 0;
        k.g = draw_pool_window(true, h, w);
        const Shape4 s{(arma::uword)*rc::gen::inRange(1, 4), (arma::uword)*rc::gen::inRange(1, 4), h, w};
        k.x = *gen_distinct_tensor(s);
        const OutputSize o = pool_output_size("gen", k.g, h, w);
        k.dout = *gen_tensor({s.n, s.c, o.h, o.w});
        return k;
    });
}

inline void showValue(const MaxPoolCase& k, std::ostream& os) {
    os << "maxpool2d case: kernel (" << k.g.kernel_h << ',' << k.g.kernel_w << "), stride (" << k.g.stride_h << ','
       << k.g.stride_w << "), padding " << k.g.pad << ", dilation (" << k.g.dilation_h << ',' << k.g.dilation_w
       << "), ceil_mode " << k.g.ceil_mode << "\nx " << k.x << "dout " << k.dout;
}

// An average-pooling case: N 1-3, C 1-3, values k/16, any valid window without dilation, ceil_mode and
// count_include_pad either way.
struct AvgPoolCase {
    Tensor4 x;
    AvgPool2dParams p;
    Tensor4 dout;
};

inline rc::Gen<AvgPoolCase> gen_avgpool_case() {
    return rc::gen::exec([] {
        AvgPoolCase k;
        arma::uword h = 0, w = 0;
        k.p.window = draw_pool_window(false, h, w);
        k.p.count_include_pad = *rc::gen::arbitrary<bool>();
        const Shape4 s{(arma::uword)*rc::gen::inRange(1, 4), (arma::uword)*rc::gen::inRange(1, 4), h, w};
        k.x = *gen_tensor(s);
        const OutputSize o = pool_output_size("gen", k.p.window, h, w);
        k.dout = *gen_tensor({s.n, s.c, o.h, o.w});
        return k;
    });
}

inline void showValue(const AvgPoolCase& k, std::ostream& os) {
    const Window2d& g = k.p.window;
    os << "avgpool2d case: kernel (" << g.kernel_h << ',' << g.kernel_w << "), stride (" << g.stride_h << ','
       << g.stride_w << "), padding " << g.pad << ", ceil_mode " << g.ceil_mode << ", count_include_pad "
       << k.p.count_include_pad << "\nx " << k.x << "dout " << k.dout;
}

// A matrix of values k/16, shaped rows x cols.
inline rc::Gen<arma::mat> gen_matrix(arma::uword rows, arma::uword cols) {
    return rc::gen::map(gen_tensor({1, 1, rows, cols}), [](const Tensor4& t) { return arma::mat(t.plane(0, 0)); });
}

// A linear case: N 1-4, D 1-6, M 1-5, with or without bias.
struct LinearCase {
    arma::mat x, w;
    std::optional<arma::vec> b;
    arma::mat dout;
};

inline rc::Gen<LinearCase> gen_linear_case() {
    return rc::gen::exec([] {
        LinearCase k;
        const arma::uword n = *rc::gen::inRange(1, 5), d = *rc::gen::inRange(1, 7), m = *rc::gen::inRange(1, 6);
        k.x = *gen_matrix(n, d);
        k.w = *gen_matrix(m, d);
        if (*rc::gen::arbitrary<bool>()) k.b = *gen_vec(m);
        k.dout = *gen_matrix(n, m);
        return k;
    });
}

inline void showValue(const LinearCase& k, std::ostream& os) {
    os << "linear case\nx =\n" << k.x << "w =\n" << k.w << (k.b ? "b =\n" : "no bias\n");
    if (k.b) os << k.b->t();
    os << "dout =\n" << k.dout;
}

// A loss case: N 1-4, M 1-5, activations (or logits) a, targets y, labels, and an upstream gradient dloss.
struct LossCase {
    arma::mat a, y;
    arma::uvec labels;
    double dloss;
};

inline rc::Gen<LossCase> gen_loss_case() {
    return rc::gen::exec([] {
        const arma::uword n = *rc::gen::inRange(1, 5), m = *rc::gen::inRange(1, 6);
        LossCase k{*gen_matrix(n, m), *gen_matrix(n, m), arma::uvec(n), *rc::gen::inRange(-3, 4) / 2.0};
        for (arma::uword i = 0; i < n; ++i) k.labels(i) = *rc::gen::inRange<arma::uword>(0, m);
        return k;
    });
}


inline void showValue(const LossCase& k, std::ostream& os) {
    os << "loss case, dloss = " << k.dloss << "\na (or z) =\n" << k.a << "y =\n" << k.y << "labels = " << k.labels.t();
}

// An MLP case in the column-vector notation: N 1-4 samples, L 1-4 layers of 1-4 units with random activations,
// weights k/32.
struct MlpCase {
    std::vector<MlpLayer> net;
    arma::mat x, y;  // columns are samples
};

inline rc::Gen<MlpCase> gen_mlp_case() {
    return rc::gen::exec([] {
        MlpCase k;
        const arma::uword N = *rc::gen::inRange(1, 5), L = *rc::gen::inRange(1, 5);
        arma::uword n_prev = *rc::gen::inRange(1, 5);
        k.x = *gen_matrix(n_prev, N);
        for (arma::uword l = 1; l <= L; ++l) {
            const arma::uword n = *rc::gen::inRange(1, 5);
            const Activation f = *rc::gen::element(Activation::identity, Activation::relu, Activation::sigmoid, Activation::tanh);
            k.net.push_back({*gen_matrix(n, n_prev) / 2.0, *gen_vec(n) / 2.0, f});
            n_prev = n;
        }
        k.y = *gen_matrix(n_prev, N);
        return k;
    });
}

inline void showValue(const MlpCase& k, std::ostream& os) {
    const char* names[] = {"identity", "relu", "sigmoid", "tanh"};
    os << "MLP, x (columns are samples):\n" << k.x << "y:\n" << k.y;
    for (std::size_t l = 1; l <= k.net.size(); ++l)
        os << "layer " << l << " (" << names[int(k.net[l - 1].f)] << ") W:\n" << k.net[l - 1].W << "b:\n" << k.net[l - 1].b;
}

// relu's kink: a net input within 1e-5 of 0 has no derivative there, or finite differences (h ~ 4e-6) straddle it
inline bool on_a_kink(const MlpCase& k, const MlpTrace& t) {
    for (std::size_t l = 1; l < t.z.size(); ++l)
        if (k.net[l - 1].f == Activation::relu && arma::any(arma::vectorise(arma::abs(t.z[l])) < 1e-5)) return true;
    return false;
}

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
template <>
struct Arbitrary<cnnbp::testing::MaxPoolCase> {
    static Gen<cnnbp::testing::MaxPoolCase> arbitrary() { return cnnbp::testing::gen_maxpool_case(); }
};
template <>
struct Arbitrary<cnnbp::testing::AvgPoolCase> {
    static Gen<cnnbp::testing::AvgPoolCase> arbitrary() { return cnnbp::testing::gen_avgpool_case(); }
};
template <>
struct Arbitrary<cnnbp::testing::LossCase> {
    static Gen<cnnbp::testing::LossCase> arbitrary() { return cnnbp::testing::gen_loss_case(); }
};
template <>
struct Arbitrary<cnnbp::testing::MlpCase> {
    static Gen<cnnbp::testing::MlpCase> arbitrary() { return cnnbp::testing::gen_mlp_case(); }
};
template <>
struct Arbitrary<cnnbp::testing::LinearCase> {
    static Gen<cnnbp::testing::LinearCase> arbitrary() { return cnnbp::testing::gen_linear_case(); }
};
}  // namespace rc
