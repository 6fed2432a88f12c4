// The sequential network: a CNN composed from the layer functions, checked end to end by finite differences.
// Derivation: \ref backprop.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/net/sequential.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>

using namespace cnnbp;
using namespace cnnbp::testing;

namespace {

struct NetCase {
    std::size_t conv_layer = 0;  // index of the conv2d layer (after an optional pad2d)
    std::vector<Layer> layers;
    std::vector<LayerParams> params;
    Tensor4 x;
    Loss loss;
};

// Values away from the dyadic grid (k/16 plus k/997), so that ties in a max pool and net inputs of exactly 0 at a
// relu are not built in.
Tensor4 off_grid(const Tensor4& t) {
    Tensor4 out = t;
    for (arma::uword e = 0; e < t.size(); ++e) out.memptr()[e] += double((e * 37) % 11 + 1) / 997.0;
    return out;
}

void showValue(const NetCase& k, std::ostream& os) {
    os << "network:";
    for (const Layer& l : k.layers) os << ' ' << layer_name(l);
    os << (std::holds_alternative<MseLoss>(k.loss) ? " -> mse" : " -> softmax cross-entropy") << "\nx " << k.x;
    for (std::size_t l = 0; l < k.params.size(); ++l) {
        if (!k.params[l].w) continue;
        os << "layer " << l + 1 << " w: ";
        std::visit([&](const auto& w) { os << w << '\n'; }, *k.params[l].w);
        if (k.params[l].b) os << "layer " << l + 1 << " b: " << k.params[l].b->t();
    }
}

// [pad2d ->] conv2d -> activation -> pool -> flatten -> linear -> loss
rc::Gen<NetCase> gen_net_case() {
    return rc::gen::exec([] {
        NetCase k;
        const arma::uword n = *rc::gen::inRange(1, 3), c = *rc::gen::inRange(1, 3), f = *rc::gen::inRange(1, 4);
        const arma::uword h = *rc::gen::inRange(4, 8), w = *rc::gen::inRange(4, 8), kernel = *rc::gen::inRange(1, 4);
        Conv2dParams conv;
        conv.stride_h = *rc::gen::inRange(1, 3);
        conv.pad = {*rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2)};
        k.x = off_grid(*gen_tensor({n, c, h, w}));
        arma::uword hp = h, wp = w;  // the conv's input size, after an optional pad2d
        if (*rc::gen::arbitrary<bool>()) {
            const Padding pad{*rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2), *rc::gen::inRange(0, 2)};
            k.layers.push_back(layer("pad2d", pad));
            k.params.push_back({});
            hp += pad.top + pad.bottom, wp += pad.left + pad.right;
        }
        const std::size_t conv_layer = k.layers.size();
        k.layers.push_back(layer("conv2d", conv));
        k.params.push_back({Value(off_grid(*gen_tensor({f, c, kernel, kernel}))), *gen_vec(f)});
        const Shape4 s = conv2d_shape("gen", {n, c, hp, wp}, {f, c, kernel, kernel}, std::nullopt, conv).out_shape;
        k.conv_layer = conv_layer;
        const int act = *rc::gen::inRange(0, 3);
        k.layers.push_back(layer(act == 0 ? "relu" : act == 1 ? "sigmoid" : "tanh"));
        k.params.push_back({});
        const int pool_k = std::min<int>(2, std::min(s.h, s.w));
        if (*rc::gen::arbitrary<bool>())
            k.layers.push_back(layer("maxpool2d", Window2d::pooling(pool_k, pool_k)));
        else
            k.layers.push_back(layer("avgpool2d", AvgPool2dParams{Window2d::pooling(pool_k, pool_k), true}));
        k.params.push_back({});
        k.layers.push_back(layer("flatten"));
        k.params.push_back({});
        const arma::uword d = f * (s.h / pool_k) * (s.w / pool_k), m = *rc::gen::inRange(1, 4);
        k.layers.push_back(layer("linear"));
        k.params.push_back({Value(*gen_matrix(m, d) / 4.0), *gen_vec(m)});
        if (*rc::gen::arbitrary<bool>())
            k.loss = MseLoss{*gen_matrix(n, m)};
        else {
            arma::uvec labels(n);
            for (arma::uword i = 0; i < n; ++i) labels(i) = *rc::gen::inRange<arma::uword>(0, m);
            k.loss = SoftmaxCrossEntropyLoss{labels};
        }
        return k;
    });
}

// The derivative exists: no relu input within 1e-5 of 0, no max-pool window whose two largest values are within 1e-5.
bool differentiable(const NetCase& k, const SequentialTrace& t) {
    for (std::size_t l = 1; l <= k.layers.size(); ++l) {
        const Tensor4* in = std::get_if<Tensor4>(&t.a[l - 1]);
        if (layer_name(k.layers[l - 1]) == "relu" && in && arma::any(arma::vectorise(arma::abs(in->data())) < 1e-5))
            return false;
        if (const auto* pool = layer_name(k.layers[l - 1]) == "maxpool2d" ? std::any_cast<Window2d>(&k.layers[l - 1].params) : nullptr) {
            const Tensor4& out = std::get<Tensor4>(t.a[l]);
            for (arma::uword n = 0; n < out.n(); ++n)
                for (arma::uword c = 0; c < out.c(); ++c)
                    for (arma::uword i = 0; i < out.h(); ++i)
                        for (arma::uword j = 0; j < out.w(); ++j) {
                            const Winner win = maxpool2d_winner(*in, n, c, i, j, (*pool));
                            for (int u = 0; u < (*pool).kernel_h; ++u)
                                for (int v = 0; v < (*pool).kernel_w; ++v) {
                                    const arma::uword h = i * (*pool).stride_h + u, w = j * (*pool).stride_w + v;
                                    if ((h != win.h || w != win.w) && h < in->h() && w < in->w() &&
                                        out(n, c, i, j) - (*in)(n, c, h, w) < 1e-5)
                                        return false;
                                }
                        }
        }
    }
    return true;
}

}  // namespace

TEST_CASE("sequential: properties", "[sequential][property]") {
    rc::prop("every parameter gradient and dx of a CNN agree with finite differences of the loss", [] {
        NetCase k = *gen_net_case();
        const SequentialTrace t = sequential_backprop(k.layers, k.params, Value(k.x), k.loss);
        if (!differentiable(k, t)) RC_DISCARD("a relu input or a max-pool tie within 1e-5");
        auto loss_with = [&](auto&& set) {
            NetCase probe = k;
            set(probe);
            return sequential_backprop(probe.layers, probe.params, Value(probe.x), probe.loss).loss;
        };
        const Tensor4 dx = numerical_gradient([&](const Tensor4& x) { return loss_with([&](NetCase& p) { p.x = x; }); }, k.x);
        CNNBP_RC_CLOSE(compare("dx", std::get<Tensor4>(t.da[0]), dx, loss_finite_differences(t.loss)));
        const std::size_t cl = k.conv_layer;
        const Tensor4 conv_w = std::get<Tensor4>(*k.params[cl].w);
        const Tensor4 dw = numerical_gradient(
            [&](const Tensor4& w) { return loss_with([&](NetCase& p) { p.params[cl].w = w; }); }, conv_w);
        CNNBP_RC_CLOSE(compare("conv dw", std::get<Tensor4>(*t.grads[cl].dw), dw, loss_finite_differences(t.loss)));
        const arma::vec db = numerical_gradient(
            [&](const arma::vec& b) { return loss_with([&](NetCase& p) { p.params[cl].b = b; }); }, *k.params[cl].b);
        CNNBP_RC_CLOSE(compare("conv db", *t.grads[cl].db, db, loss_finite_differences(t.loss)));
        const std::size_t fc = k.layers.size() - 1;
        const arma::mat lin_w = std::get<arma::mat>(*k.params[fc].w);
        const arma::mat dlw = numerical_gradient(
            [&](const arma::mat& w) { return loss_with([&](NetCase& p) { p.params[fc].w = w; }); }, lin_w);
        CNNBP_RC_CLOSE(compare("linear dw", arma::vec(arma::vectorise(std::get<arma::mat>(*t.grads[fc].dw))),
                               arma::vec(arma::vectorise(dlw)), loss_finite_differences(t.loss)));
    });
}

TEST_CASE("sequential: a layer fed the wrong kind of value throws cnnbp::Error naming it", "[sequential][errors]") {
    const Tensor4 x(1, 1, 4, 4);
    const std::vector<Layer> no_flatten = {layer("relu"), layer("linear")};
    CNNBP_CHECK_THROWS(sequential_forward(no_flatten, {{}, {Value(arma::mat(2, 16)), std::nullopt}}, Value(x)),
                       "layer 2 (linear) needs a matrix (N, D); put a flatten before it but gets a Tensor4 of shape (1,1,4,4)");
    const std::vector<Layer> conv = {layer("conv2d", Conv2dParams{})};
    CNNBP_CHECK_THROWS(sequential_forward(conv, {{}}, Value(x)), "layer 1 (conv2d) needs weights w as a Tensor4");
    CNNBP_CHECK_THROWS(sequential_forward(conv, {}, Value(x)), "1 layers but 0 parameter sets");
    CNNBP_CHECK_THROWS(sequential_forward({layer("relu")}, {{Value(x), std::nullopt}}, Value(x)), "layer 1 (relu) has no parameters, but some were given");
    CNNBP_CHECK_THROWS(sequential_backprop({layer("relu")}, {{}}, Value(x), MseLoss{arma::mat(1, 16)}),
                       "the loss needs a matrix (N, M) but the last layer gives a Tensor4 of shape (1,1,4,4)");
}
