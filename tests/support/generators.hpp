// RapidCheck generators for the property tests. The cases of the layers come from the one generator of cases, each
// op's generate() (src/lib/cnnbp/ops/), driven by RapidCheck (rc_draw.hpp), the same generator hunt draws from:
// shapes and parameters first and the input size last, so that every case is valid by construction (no discarding);
// values are small integers mapped to multiples of 1/16 in [-2, 2], so that every sum is exact and a shrunk
// counterexample reads as plain numbers. Below, each is given the layer's own types. The MLP's cases, which are no op,
// are drawn here.
#pragma once

#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "cnnbp/layers/pad2d.hpp"

#include "cnnbp/ops/op.hpp"
#include "support/rc_draw.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <vector>

namespace cnnbp::testing {

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

// A case of `op` from its generator, converted by `convert` to the layer's own types.
template <class F>
auto gen_layer_case(const char* op, F convert) {
    return rc::gen::map(gen_op_case(find_op(op, "gen_layer_case")), convert);
}

// A conv2d case (ops/conv2d.cpp): N 1-3; groups 1-3 with 1-2 channels and filters per group, or depthwise with up to 4;
// kernel 1-4; stride 1-3; padding 0-3 on each side; dilation 1-2; the input at least one window plus 0-4; bias or not.
struct ConvCase {
    Tensor4 x, w;
    std::optional<arma::vec> b;
    Conv2dParams p;
    Tensor4 dout;
};

inline rc::Gen<ConvCase> gen_conv_case() {
    return gen_layer_case("conv2d", [](const OpCase& c) {
        ConvCase k{to_tensor4(c.inputs.at("x"), "x"), to_tensor4(c.inputs.at("w"), "w"), std::nullopt,
                   std::any_cast<Conv2dParams>(c.params), to_tensor4(*c.dout, "dout")};
        if (c.inputs.count("b")) k.b = to_vector(c.inputs.at("b"), "b");
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

// A pad2d case (ops/pad2d.cpp): N 1-3, C 1-3, H, W 1-5, each padding 0-3, and a dout shaped like the output.
struct PadCase {
    Tensor4 x;
    Padding p;
    Tensor4 dout;
};

inline rc::Gen<PadCase> gen_pad_case() {
    return gen_layer_case("pad2d", [](const OpCase& c) {
        return PadCase{to_tensor4(c.inputs.at("x"), "x"), std::any_cast<Padding>(c.params), to_tensor4(*c.dout, "dout")};
    });
}

inline void showValue(const PadCase& k, std::ostream& os) { os << "pad2d case: padding " << k.p << "\nx " << k.x << "dout " << k.dout; }

// A max-pooling case (ops/maxpool2d.cpp): N 1-3, C 1-2, all values different (no ties), any valid window: kernel
// 1-4, stride 1-3, padding up to K/2, dilation 1-2, ceil_mode either way.
struct MaxPoolCase {
    Tensor4 x;
    Window2d g;
    Tensor4 dout;
};

inline rc::Gen<MaxPoolCase> gen_maxpool_case() {
    return gen_layer_case("maxpool2d", [](const OpCase& c) {
        return MaxPoolCase{to_tensor4(c.inputs.at("x"), "x"), std::any_cast<Window2d>(c.params), to_tensor4(*c.dout, "dout")};
    });
}

inline void showValue(const MaxPoolCase& k, std::ostream& os) {
    os << "maxpool2d case: kernel (" << k.g.kernel_h << ',' << k.g.kernel_w << "), stride (" << k.g.stride_h << ','
       << k.g.stride_w << "), padding " << k.g.pad << ", dilation (" << k.g.dilation_h << ',' << k.g.dilation_w
       << "), ceil_mode " << k.g.ceil_mode << "\nx " << k.x << "dout " << k.dout;
}

// An average-pooling case (ops/avgpool2d.cpp): N 1-3, C 1-2, values k/16, any valid window without dilation,
// ceil_mode and count_include_pad either way.
struct AvgPoolCase {
    Tensor4 x;
    AvgPool2dParams p;
    Tensor4 dout;
};

inline rc::Gen<AvgPoolCase> gen_avgpool_case() {
    return gen_layer_case("avgpool2d", [](const OpCase& c) {
        return AvgPoolCase{to_tensor4(c.inputs.at("x"), "x"), std::any_cast<AvgPool2dParams>(c.params),
                           to_tensor4(*c.dout, "dout")};
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

// A linear case (ops/linear.cpp): N 1-3, D 1-6, M 1-5, with or without bias.
struct LinearCase {
    arma::mat x, w;
    std::optional<arma::vec> b;
    arma::mat dout;
};

inline rc::Gen<LinearCase> gen_linear_case() {
    return gen_layer_case("linear", [](const OpCase& c) {
        LinearCase k{to_matrix(c.inputs.at("x"), "x"), to_matrix(c.inputs.at("w"), "w"), std::nullopt, to_matrix(*c.dout, "dout")};
        if (c.inputs.count("b")) k.b = to_vector(c.inputs.at("b"), "b");
        return k;
    });
}

inline void showValue(const LinearCase& k, std::ostream& os) {
    os << "linear case\nx =\n" << k.x << "w =\n" << k.w << (k.b ? "b =\n" : "no bias\n");
    if (k.b) os << k.b->t();
    os << "dout =\n" << k.dout;
}

// A loss case for both losses at once (the same a serves as mse's activations and as the logits): N 1-4, M 1-5,
// targets y, labels, and an upstream gradient dloss.
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
