#include "cnnbp/oracle/golden.hpp"

#include "cnnbp/core/array.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "cnnbp/net/sequential.hpp"
#include "cnnbp/net/tiny_cnn.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace {

// A fixed linear congruential sequence (Knuth's MMIX constants): values k/16, k in [-32, 32] without 0, so that a
// golden case never has zeros by accident.
struct Values {
    std::uint64_t state;
    explicit Values(std::uint64_t seed) : state(seed * 2862933555777941757ULL + 3037000493ULL) {}
    double next() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const int k = int((state >> 33) % 64) - 32;  // -32 .. 31
        return (k >= 0 ? k + 1 : k) / 16.0;          // skip 0
    }
    // A tensor whose every (H, W) plane holds different values (drawn without replacement from the 64 multiples of
    // 1/16 in [-2, 2] other than 0, or from the 32 negative ones): max-pool windows without ties.
    Array distinct_tensor(std::vector<arma::uword> shape, bool negative = false) {
        Array a{std::move(shape), {}};
        const arma::uword plane = a.shape[2] * a.shape[3];
        for (arma::uword p = 0; p < a.size() / plane; ++p) {
            std::vector<double> pool;
            for (int k = 1; k <= 32; ++k) pool.push_back(-k / 16.0);
            if (!negative)
                for (int k = 1; k <= 32; ++k) pool.push_back(k / 16.0);
            if (plane > pool.size()) fail("golden: a plane of ", plane, " cells cannot hold distinct values");
            for (arma::uword i = 0; i < plane; ++i) {  // a partial Fisher-Yates shuffle
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                const arma::uword j = i + (state >> 33) % (pool.size() - i);
                std::swap(pool[i], pool[j]);
                a.data.push_back(pool[i]);
            }
        }
        return a;
    }
    Array tensor(std::vector<arma::uword> shape) {
        Array a{std::move(shape), {}};
        for (arma::uword i = 0; i < a.size(); ++i) a.data.push_back(next());
        return a;
    }
};

json padding(int top, int bottom, int left, int right) {
    return {{"top", top}, {"bottom", bottom}, {"left", left}, {"right", right}};
}

json pair(int h, int w) { return json::array({h, w}); }

json base(const std::string& name, const std::string& op, json params) {
    json doc = {{"format", "cnnbp-case/1"}, {"name", name}, {"op", op}};
    if (!params.empty()) doc["params"] = std::move(params);
    return doc;
}

struct Builder {
    Values values{20261128};
    std::vector<GoldenCase> cases;

    // Adds a case: dout drawn with the output's shape (none for a loss), then evaluated once to mark it exact where
    // float32 adds exactly, and to refuse a case whose expected tensors are mostly zeros.
    void add(const std::string& file, const std::string& exercises, json doc, std::vector<arma::uword> out_shape,
             bool exact_capable) {
        if (!out_shape.empty()) doc["dout"] = array_to_json(values.tensor(out_shape));
        const Evaluation e = evaluate_case(doc, file);
        double largest = 0;
        for (const auto& [key, x] : e.outputs) {
            arma::uword zeros = 0;
            for (double v : x.value.data) zeros += v == 0.0;
            if (zeros * 10 > x.value.data.size() * 9)
                fail("golden: ", file, ": ", key, " is mostly zeros; such a case cannot tell right from wrong");
            for (double m : x.magnitude.data) largest = std::max(largest, m);
        }
        if (exact_capable && largest * 256 < 16777216.0) doc["exact"] = true;
        cases.push_back({file, exercises, doc});
    }

    void conv(const std::string& file, const std::string& exercises, arma::uword n, arma::uword c, arma::uword h,
              arma::uword w, arma::uword f, arma::uword kh, arma::uword kw, std::pair<int, int> stride, Padding pad,
              std::pair<int, int> dilation, int groups, bool bias) {
        json doc = base(file.substr(0, file.size() - 5), "conv2d",
                        {{"stride", pair(stride.first, stride.second)},
                         {"padding", padding(pad.top, pad.bottom, pad.left, pad.right)},
                         {"dilation", pair(dilation.first, dilation.second)},
                         {"groups", groups}});
        doc["inputs"] = {{"x", array_to_json(values.tensor({n, c, h, w}))},
                         {"w", array_to_json(values.tensor({f, c / groups, kh, kw}))}};
        if (bias) doc["inputs"]["b"] = array_to_json(values.tensor({f}));
        Conv2dParams p{stride.first, stride.second, pad, dilation.first, dilation.second, groups};
        const Shape4 s = conv2d_shape("golden", {n, c, h, w}, {f, c / groups, kh, kw}, std::nullopt, p).out_shape;
        add(file, exercises, doc, {s.n, s.c, s.h, s.w}, true);
    }

    void pool(const std::string& file, const std::string& exercises, const std::string& op, Array x, Window2d g,
              bool count_include_pad = true) {
        json params = {{"kernel", pair(g.kernel_h, g.kernel_w)}, {"stride", pair(g.stride_h, g.stride_w)},
                       {"padding", padding(g.pad.top, g.pad.bottom, g.pad.left, g.pad.right)}};
        if (op == "maxpool2d") params["dilation"] = pair(g.dilation_h, g.dilation_w);
        params["ceil_mode"] = g.ceil_mode;
        if (op == "avgpool2d") params["count_include_pad"] = count_include_pad;
        json doc = base(file.substr(0, file.size() - 5), op, params);
        doc["inputs"] = {{"x", array_to_json(x)}};
        const OutputSize o = pool_output_size("golden", g, x.shape[2], x.shape[3]);
        add(file, exercises, doc, {x.shape[0], x.shape[1], o.h, o.w}, op == "maxpool2d");
    }

    Window2d window(int kh, int kw, int sh, int sw, Padding pad = {}, int dh = 1, int dw = 1, bool ceil = false) {
        Window2d g{kh, kw, sh, sw, pad, dh, dw};
        g.ceil_mode = ceil;
        return g;
    }
};

// A network case file from a NetworkCase: the layers as specs, their parameters, the input and the loss's targets.
json network_json(const std::string& name, const NetworkCase& net) {
    json layers = json::array(), params = json::array();
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
        json spec = {{"op", layer_name(net.layers[l])}};
        if (const auto* c = std::get_if<Conv2dLayer>(&net.layers[l])) {
            spec["stride"] = pair(c->params.stride_h, c->params.stride_w);
            spec["padding"] = padding(c->params.pad.top, c->params.pad.bottom, c->params.pad.left, c->params.pad.right);
        } else if (const auto* m = std::get_if<MaxPool2dLayer>(&net.layers[l])) {
            spec["kernel"] = pair(m->window.kernel_h, m->window.kernel_w);
            spec["stride"] = pair(m->window.stride_h, m->window.stride_w);
        } else if (const auto* a = std::get_if<AvgPool2dLayer>(&net.layers[l])) {
            spec["kernel"] = pair(a->params.window.kernel_h, a->params.window.kernel_w);
            spec["stride"] = pair(a->params.window.stride_h, a->params.window.stride_w);
        }
        layers.push_back(spec);
        json p = json::object();
        if (net.params[l].w) p["w"] = array_to_json(std::visit([](const auto& w) { return to_array(w); }, *net.params[l].w));
        if (net.params[l].b) p["b"] = array_to_json(to_array(*net.params[l].b));
        params.push_back(p);
    }
    const bool mse = std::holds_alternative<MseLoss>(net.loss);
    json doc = base(name, "sequential", {{"layers", layers}, {"loss", mse ? "mse" : "softmax_cross_entropy"}});
    doc["inputs"] = {{"x", array_to_json(std::visit([](const auto& x) { return to_array(x); }, net.x))}};
    if (mse) doc["inputs"]["y"] = array_to_json(to_array(std::get<MseLoss>(net.loss).y));
    else doc["inputs"]["labels"] = arma::conv_to<std::vector<unsigned long long>>::from(std::get<SoftmaxCrossEntropyLoss>(net.loss).labels);
    doc["inputs"]["layer_params"] = params;
    return doc;
}

// Whether a network case is fragile in float32, (E7): a relu input or a max-pool gap within its error bound.
bool fragile_in_float32(const Evaluation& e) {
    return std::any_of(e.fragile.begin(), e.fragile.end(), [](const Fragile& f) { return flips(f, precision("float32")); });
}

}  // namespace

std::vector<GoldenCase> golden_cases() {
    Builder b;
    // conv2d
    b.conv("conv2d_basic.json", "two samples, three channels, two filters, a 3x3 kernel, bias", 2, 3, 5, 6, 2, 3, 3, {1, 1}, {}, {1, 1}, 1, true);
    b.conv("conv2d_batch_of_one_no_bias.json", "a batch of one, no bias (no db)", 1, 2, 4, 4, 3, 2, 2, {1, 1}, {}, {1, 1}, 1, false);
    b.conv("conv2d_stride_larger_than_kernel.json", "stride 3 over a 2x2 kernel: pixels that no window touches get 0", 2, 1, 8, 8, 2, 2, 2, {3, 3}, {}, {1, 1}, 1, true);
    b.conv("conv2d_floor_leaves_rows_out.json", "H = 7, W = 6, K = 3, stride 2: the floor leaves the last row and column out", 1, 2, 7, 6, 2, 3, 3, {2, 2}, {}, {1, 1}, 1, true);
    b.conv("conv2d_asymmetric_padding.json", "padding top 2, bottom 0, left 1, right 3, stride (2, 1)", 2, 2, 5, 5, 2, 3, 3, {2, 1}, {2, 0, 1, 3}, {1, 1}, 1, true);
    b.conv("conv2d_large_padding.json", "padding 3 around a 3x3 kernel: the corner windows hold padding only", 1, 2, 4, 5, 2, 3, 3, {1, 1}, Padding::all(3), {1, 1}, 1, true);
    b.conv("conv2d_dilation.json", "dilation (2, 3) with a 3x3 kernel, padding 1", 2, 2, 9, 10, 2, 3, 3, {1, 1}, Padding::all(1), {2, 3}, 1, true);
    b.conv("conv2d_groups.json", "C = 4, F = 6, groups = 2: each filter sees half the channels", 2, 4, 5, 5, 6, 3, 3, {1, 1}, Padding::all(1), {1, 1}, 2, true);
    b.conv("conv2d_depthwise.json", "C = F = groups = 3: one filter per channel", 2, 3, 6, 5, 3, 3, 3, {1, 2}, {1, 1, 0, 1}, {1, 1}, 3, true);
    b.conv("conv2d_1x1_kernel.json", "a 1x1 kernel with stride 2", 2, 3, 5, 6, 4, 1, 1, {2, 2}, {}, {1, 1}, 1, true);
    b.conv("conv2d_kernel_as_large_as_padded_input.json", "a 5x6 kernel over a 3x4 input padded by 1: one output", 2, 2, 3, 4, 3, 5, 6, {1, 1}, Padding::all(1), {1, 1}, 1, true);
    b.conv("conv2d_realistic_size.json", "2 x 8 x 16 x 16 with 16 filters of 3x3, padding 1", 2, 8, 16, 16, 16, 3, 3, {1, 1}, Padding::all(1), {1, 1}, 1, true);
    // pad2d
    {
        json doc = base("pad2d_asymmetric", "pad2d", {{"padding", padding(1, 0, 2, 1)}});
        doc["inputs"] = {{"x", array_to_json(b.values.tensor({2, 2, 3, 4}))}};
        b.add("pad2d_asymmetric.json", "zero padding top 1, bottom 0, left 2, right 1; its backward is the crop", doc, {2, 2, 4, 7}, true);
    }
    // maxpool2d
    b.pool("maxpool2d_nonoverlapping.json", "2x2 windows with stride 2", "maxpool2d", b.values.distinct_tensor({2, 2, 4, 6}), b.window(2, 2, 2, 2));
    b.pool("maxpool2d_overlapping.json", "3x3 windows with stride 1: pixels win several windows and accumulate", "maxpool2d", b.values.distinct_tensor({1, 2, 5, 5}), b.window(3, 3, 1, 1));
    b.pool("maxpool2d_ceil_mode.json", "ceil_mode keeps a last window that overhangs the input", "maxpool2d", b.values.distinct_tensor({1, 2, 5, 7}), b.window(2, 2, 2, 2, {}, 1, 1, true));
    b.pool("maxpool2d_ceil_mode_drops_window_in_padding.json", "5x5, kernel 2, stride 3, padding 1, ceil_mode: rounding up gives 3 windows, but the third would start in the padding and is dropped", "maxpool2d", b.values.distinct_tensor({1, 2, 5, 5}), b.window(2, 2, 3, 3, {1, 1, 1, 1}, 1, 1, true));
    {
        const Array x = b.values.distinct_tensor({1, 2, 4, 4}, true);  // every value negative: a zero border would win
        b.pool("maxpool2d_padding_never_wins.json", "all inputs negative with padding 1: padding counts as minus infinity", "maxpool2d", x, b.window(3, 3, 2, 2, Padding::all(1)));
    }
    b.pool("maxpool2d_dilation.json", "dilation 2 with a 2x2 kernel and stride 1", "maxpool2d", b.values.distinct_tensor({2, 1, 6, 6}), b.window(2, 2, 1, 1, {}, 2, 2));
    {
        Array x = b.values.tensor({1, 1, 4, 4});
        for (std::size_t k = 0; k < x.data.size(); ++k) x.data[k] = double((k * 7) % 3) / 4.0;  // many equal values
        b.pool("maxpool2d_ties.json", "windows with tied maxima: expected holds PyTorch's first-maximum choice; check accepts any split unless --ties first", "maxpool2d", x, b.window(2, 2, 1, 1));
    }
    // avgpool2d
    b.pool("avgpool2d_basic.json", "2x2 windows with stride 2", "avgpool2d", b.values.tensor({2, 2, 4, 4}), b.window(2, 2, 2, 2));
    b.pool("avgpool2d_padding_counted.json", "3x3 windows, stride 2, padding 1, count_include_pad true", "avgpool2d", b.values.tensor({1, 2, 5, 5}), b.window(3, 3, 2, 2, Padding::all(1)), true);
    b.pool("avgpool2d_padding_not_counted.json", "the same without count_include_pad: border windows divide by fewer cells", "avgpool2d", b.values.tensor({1, 2, 5, 5}), b.window(3, 3, 2, 2, Padding::all(1)), false);
    b.pool("avgpool2d_ceil_mode_overhang.json", "6x6, 3x3 windows, stride 2, padding 1, ceil_mode: the last window overhangs the padded input and divides by the cells inside it", "avgpool2d", b.values.tensor({1, 1, 6, 6}), b.window(3, 3, 2, 2, Padding::all(1), 1, 1, true), true);
    b.pool("avgpool2d_ceil_mode_overhang_no_pad_count.json", "the same without count_include_pad", "avgpool2d", b.values.tensor({1, 1, 6, 6}), b.window(3, 3, 2, 2, Padding::all(1), 1, 1, true), false);
    b.pool("avgpool2d_overlapping.json", "3x3 windows with stride 1", "avgpool2d", b.values.tensor({2, 1, 5, 4}), b.window(3, 3, 1, 1));
    // linear
    for (auto [file, n, bias] : {std::tuple{"linear_basic.json", 3, true}, std::tuple{"linear_batch_of_one_no_bias.json", 1, false}}) {
        json doc = base(std::string(file).substr(0, std::string(file).size() - 5), "linear", json::object());
        doc["inputs"] = {{"x", array_to_json(b.values.tensor({arma::uword(n), 5}))}, {"w", array_to_json(b.values.tensor({4, 5}))}};
        if (bias) doc["inputs"]["b"] = array_to_json(b.values.tensor({4}));
        b.add(file, bias ? "three samples, five inputs, four outputs (M != D, so a transposed dW shows)" : "one sample, no bias", doc, {arma::uword(n), 4}, true);
    }
    // activations and flatten
    {
        json doc = base("relu_with_a_zero", "relu", json::object());
        Array x = b.values.tensor({2, 2, 3, 3});
        x.data[4] = 0.0;  // the kink: relu'(0) = 0 in expected; check accepts any value between 0 and dout
        doc["inputs"] = {{"x", array_to_json(x)}};
        b.add("relu_with_a_zero.json", "relu, with one input exactly 0 (the kink)", doc, {2, 2, 3, 3}, true);
    }
    for (const char* op : {"sigmoid", "tanh"}) {
        json doc = base(std::string(op) + "_saturated", op, json::object());
        Array x = b.values.tensor({2, 3, 2, 2});
        x.data[0] = 20, x.data[1] = -20, x.data[2] = 9, x.data[3] = -9;  // where s (1 - s) and 1 - t^2 cancel
        doc["inputs"] = {{"x", array_to_json(x)}};
        b.add(std::string(op) + "_saturated.json", std::string(op) + " including inputs of +-9 and +-20, where the derivative cancels", doc, {2, 3, 2, 2}, false);
    }
    {
        json doc = base("flatten", "flatten", json::object());
        doc["inputs"] = {{"x", array_to_json(b.values.tensor({2, 3, 2, 3}))}};
        b.add("flatten.json", "flatten (N, C, H, W) to (N, C H W) in row-major order", doc, {2, 18}, true);
    }
    // losses
    {
        json doc = base("mse", "mse", json::object());
        doc["inputs"] = {{"a", array_to_json(b.values.tensor({3, 4}))}, {"y", array_to_json(b.values.tensor({3, 4}))}};
        b.add("mse.json", "the quadratic cost 1/(2N) sum ||a - y||^2 over three samples", doc, {}, false);
    }
    for (auto [file, scale] : {std::pair{"softmax_cross_entropy.json", 1.0}, std::pair{"softmax_cross_entropy_large_logits.json", 512.0}}) {
        const std::string name = std::string(file).substr(0, std::string(file).size() - 5);
        json doc = base(name, "softmax_cross_entropy", json::object());
        Array z = b.values.tensor({4, 5});
        for (double& v : z.data) v *= scale;
        doc["inputs"] = {{"z", array_to_json(z)}, {"labels", json::array({0, 3, 4, 1})}};
        b.add(file, scale > 1 ? "logits up to +-1024: a softmax without the max shift overflows" : "four samples, five classes", doc, {}, false);
    }
    // networks: the tiny CNN of the documentation in both parts, and two small CNNs
    b.add("network_tiny_cnn_part1.json", "the tiny CNN of the documentation, part I: conv, max pool, one fully connected weight, quadratic loss",
          network_json("network_tiny_cnn_part1", tiny_cnn_example(false)), {}, false);
    b.add("network_tiny_cnn_part2.json", "the tiny CNN, part II: a relu after the convolution",
          network_json("network_tiny_cnn_part2", tiny_cnn_example(true)), {}, false);
    for (int variant = 0; variant < 2; ++variant) {
        const std::string name = variant == 0 ? "network_relu_maxpool_cross_entropy" : "network_tanh_avgpool_mse";
        for (int attempt = 0;; ++attempt) {  // draw until no relu input or max-pool gap sits within float32's bound
            NetworkCase net;
            Conv2dParams conv;
            conv.pad = Padding::all(1);
            net.layers = {Conv2dLayer{conv}, variant == 0 ? Layer(ReluLayer{}) : Layer(TanhLayer{}),
                          variant == 0 ? Layer(MaxPool2dLayer{Window2d::pooling(2, 2)}) : Layer(AvgPool2dLayer{{Window2d::pooling(2, 2), true}}),
                          FlattenLayer{}, LinearLayer{}};
            net.params = {{Value(to_tensor4(b.values.tensor({3, 2, 3, 3}), "w")), to_vector(b.values.tensor({3}), "b")},
                          {}, {}, {}, {Value(to_matrix(b.values.tensor({4, 3 * 3 * 3}), "w")), to_vector(b.values.tensor({4}), "b")}};
            net.x = to_tensor4(b.values.tensor({2, 2, 6, 6}), "x");
            if (variant == 0) net.loss = SoftmaxCrossEntropyLoss{arma::uvec{1, 3}};
            else net.loss = MseLoss{to_matrix(b.values.tensor({2, 4}), "y")};
            const json doc = network_json(name, net);
            if (fragile_in_float32(evaluate_case(doc, name)) && attempt < 20) continue;
            b.add(name + ".json", variant == 0 ? "2 x 2 x 6 x 6 through conv 3x3, relu, 2x2 max pool, flatten, linear, softmax cross-entropy"
                                               : "the same shapes through conv, tanh, 2x2 average pool, flatten, linear, quadratic cost",
                  doc, {}, false);
            break;
        }
    }
    return b.cases;
}

}  // namespace cnnbp
