#include "cnnbp/oracle/golden.hpp"

#include "cnnbp/core/array.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/layers/conv_transpose2d.hpp"
#include "cnnbp/net/tiny_cnn.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/judge.hpp"
#include "cnnbp/oracle/network.hpp"
#include "cnnbp/ops/op.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <tuple>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace {

// Values k/16 with k in [-32, 32] without 0, from the fixed sequence of Rng, so that a golden case never has zeros by
// accident.
struct Values {
    Rng rng;
    Array tensor(std::vector<arma::uword> shape) {
        Array a{std::move(shape), {}};
        for (arma::uword i = 0; i < a.size(); ++i) a.data.push_back(integers ? integer() : rng.nonzero_sixteenth());
        return a;
    }
    bool integers = false;  // -2, -1, 1 or 2 in place of sixteenths (the large exact cases)
    double integer() { return std::array{-2.0, -1.0, 1.0, 2.0}[rng.next() % 4]; }
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
                const arma::uword j = i + rng.next() % (pool.size() - i);
                std::swap(pool[i], pool[j]);
                a.data.push_back(pool[i]);
            }
        }
        return a;
    }
};

struct Builder {
    Values values{Rng(20261128)};
    std::vector<GoldenCase> cases;

    // Adds a case: evaluated once to mark it exact where float32 adds exactly, and to refuse a case whose expected
    // tensors are mostly zeros.
    void add(const std::string& file, const std::string& exercises, json doc, bool exact_capable) {
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

    // Adds a case of one op: dout drawn with the output's shape (none for a loss), written by the op's description.
    void op(const std::string& file, const std::string& exercises, const std::string& name, OpParams params,
            std::map<std::string, Array> inputs, std::vector<arma::uword> out_shape, bool exact_capable) {
        OpCase c{&find_op(name, "golden"), std::move(params), std::move(inputs), std::nullopt};
        if (!out_shape.empty()) c.dout = values.tensor(out_shape);
        add(file, exercises, write_case(c, file.substr(0, file.size() - 5)), exact_capable);
    }

    void conv(const std::string& file, const std::string& exercises, arma::uword n, arma::uword c, arma::uword h,
              arma::uword w, arma::uword f, arma::uword kh, arma::uword kw, std::pair<int, int> stride, Padding pad,
              std::pair<int, int> dilation, int groups, bool bias) {
        std::map<std::string, Array> inputs = {{"x", values.tensor({n, c, h, w})}};
        inputs["w"] = values.tensor({f, c / groups, kh, kw});
        if (bias) inputs["b"] = values.tensor({f});
        const Conv2dParams p{stride.first, stride.second, pad, dilation.first, dilation.second, groups};
        const Shape4 s = conv2d_shape("golden", {n, c, h, w}, {f, c / groups, kh, kw}, std::nullopt, p).out_shape;
        op(file, exercises, "conv2d", p, inputs, {s.n, s.c, s.h, s.w}, true);
    }

    void conv_transpose(const std::string& file, const std::string& exercises, arma::uword n, arma::uword c,
                        arma::uword h, arma::uword w, arma::uword f, arma::uword kh, arma::uword kw,
                        const ConvTranspose2dParams& p, bool bias) {
        std::map<std::string, Array> inputs = {{"x", values.tensor({n, c, h, w})}};
        inputs["w"] = values.tensor({c, f / p.groups, kh, kw});
        if (bias) inputs["b"] = values.tensor({f});
        const Shape4 s = conv_transpose2d_shape("golden", {n, c, h, w}, {c, f / p.groups, kh, kw}, std::nullopt, p).out_shape;
        op(file, exercises, "conv_transpose2d", p, inputs, {s.n, s.c, s.h, s.w}, true);
    }

    void pool(const std::string& file, const std::string& exercises, const std::string& name, Array x, Window2d g,
              bool count_include_pad = true) {
        const OutputSize o = pool_output_size("golden", g, x.shape[2], x.shape[3]);
        const std::vector<arma::uword> out = {x.shape[0], x.shape[1], o.h, o.w};
        const OpParams p = name == "maxpool2d" ? OpParams(g) : OpParams(AvgPool2dParams{g, count_include_pad});
        op(file, exercises, name, p, {{"x", std::move(x)}}, out, name == "maxpool2d");
    }

    Window2d window(int kh, int kw, int sh, int sw, Padding pad = {}, int dh = 1, int dw = 1, bool ceil = false) {
        Window2d g{kh, kw, sh, sw, pad, dh, dw};
        g.ceil_mode = ceil;
        return g;
    }
};

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
    b.op("pad2d_asymmetric.json", "zero padding top 1, bottom 0, left 2, right 1; its backward is the crop", "pad2d",
         Padding{1, 0, 2, 1}, {{"x", b.values.tensor({2, 2, 3, 4})}}, {2, 2, 4, 7}, true);
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
        std::map<std::string, Array> inputs = {{"x", b.values.tensor({arma::uword(n), 5})}};
        inputs["w"] = b.values.tensor({4, 5});
        if (bias) inputs["b"] = b.values.tensor({4});
        b.op(file, bias ? "three samples, five inputs, four outputs (M != D, so a transposed dW shows)" : "one sample, no bias",
             "linear", {}, inputs, {arma::uword(n), 4}, true);
    }
    // activations and flatten
    {
        Array x = b.values.tensor({2, 2, 3, 3});
        x.data[4] = 0.0;  // the kink: relu'(0) = 0 in expected; check accepts any value between 0 and dout
        b.op("relu_with_a_zero.json", "relu, with one input exactly 0 (the kink)", "relu", {}, {{"x", x}}, {2, 2, 3, 3}, true);
    }
    for (const char* op : {"sigmoid", "tanh"}) {
        Array x = b.values.tensor({2, 3, 2, 2});
        x.data[0] = 20, x.data[1] = -20, x.data[2] = 9, x.data[3] = -9;  // where s (1 - s) and 1 - t^2 cancel
        b.op(std::string(op) + "_saturated.json", std::string(op) + " including inputs of +-9 and +-20, where the derivative cancels",
             op, {}, {{"x", x}}, {2, 3, 2, 2}, false);
    }
    b.op("flatten.json", "flatten (N, C, H, W) to (N, C H W) in row-major order", "flatten", {},
         {{"x", b.values.tensor({2, 3, 2, 3})}}, {2, 18}, true);
    // losses
    {
        Array a = b.values.tensor({3, 4});
        b.op("mse.json", "the quadratic cost 1/(2N) sum ||a - y||^2 over three samples", "mse", {},
             {{"a", a}, {"y", b.values.tensor({3, 4})}}, {}, false);
    }
    for (auto [file, scale] : {std::pair{"softmax_cross_entropy.json", 1.0}, std::pair{"softmax_cross_entropy_large_logits.json", 512.0}}) {
        Array z = b.values.tensor({4, 5});
        for (double& v : z.data) v *= scale;
        b.op(file, scale > 1 ? "logits up to +-1024: a softmax without the max shift overflows" : "four samples, five classes",
             "softmax_cross_entropy", {}, {{"z", z}, {"labels", Array{{4}, {0, 3, 4, 1}}}}, {}, false);
    }
    // networks: the tiny CNN of the documentation in both parts, and two small CNNs
    b.add("network_tiny_cnn_part1.json", "the tiny CNN of the documentation, part I: conv, max pool, one fully connected weight, quadratic loss",
          write_network(tiny_cnn_example(false), "network_tiny_cnn_part1"), false);
    b.add("network_tiny_cnn_part2.json", "the tiny CNN, part II: a relu after the convolution",
          write_network(tiny_cnn_example(true), "network_tiny_cnn_part2"), false);
    for (int variant = 0; variant < 2; ++variant) {
        const std::string name = variant == 0 ? "network_relu_maxpool_cross_entropy" : "network_tanh_avgpool_mse";
        for (int attempt = 0;; ++attempt) {  // draw until no relu input or max-pool gap sits within float32's bound
            NetworkCase net;
            Conv2dParams conv;
            conv.pad = Padding::all(1);
            net.layers = {layer("conv2d", conv), layer(variant == 0 ? "relu" : "tanh"),
                          variant == 0 ? layer("maxpool2d", Window2d::pooling(2, 2)) : layer("avgpool2d", AvgPool2dParams{Window2d::pooling(2, 2), true}),
                          layer("flatten"), layer("linear")};
            net.params = {{Value(to_tensor4(b.values.tensor({3, 2, 3, 3}), "w")), to_vector(b.values.tensor({3}), "b")},
                          {}, {}, {}, {Value(to_matrix(b.values.tensor({4, 3 * 3 * 3}), "w")), to_vector(b.values.tensor({4}), "b")}};
            net.x = to_tensor4(b.values.tensor({2, 2, 6, 6}), "x");
            if (variant == 0) net.loss = SoftmaxCrossEntropyLoss{arma::uvec{1, 3}};
            else net.loss = MseLoss{to_matrix(b.values.tensor({2, 4}), "y")};
            const json doc = write_network(net, name);
            if (fragile_in_float32(evaluate_case(doc, name)) && attempt < 20) continue;
            b.add(name + ".json", variant == 0 ? "2 x 2 x 6 x 6 through conv 3x3, relu, 2x2 max pool, flatten, linear, softmax cross-entropy"
                                               : "the same shapes through conv, tanh, 2x2 average pool, flatten, linear, quadratic cost",
                  doc, false);
            break;
        }
    }
    // conv_transpose2d (after the others, so that their values stay what they were)
    b.conv_transpose("conv_transpose2d_basic.json", "stride 2, padding 1, output_padding 1: the upsampling of a decoder",
                     2, 3, 4, 5, 2, 3, 3, {2, 2, Padding::all(1), 1, 1, 1, 1, 1}, true);
    b.conv_transpose("conv_transpose2d_asymmetric.json", "stride (2, 1), dilation (1, 2), padding top 0, bottom 1, left 2, right 0, groups 2, a 2x3 kernel",
                     1, 4, 3, 4, 6, 2, 3, {2, 1, {0, 1, 2, 0}, 1, 0, 1, 2, 2}, true);
    b.conv_transpose("conv_transpose2d_output_padding_beyond_stride.json", "stride 1, dilation 2, output_padding 1: allowed because it is below the dilation; conv2d's adjoint has an extra row and column",
                     2, 2, 3, 3, 3, 2, 2, {1, 1, {}, 1, 1, 2, 2, 1}, true);
    return b.cases;
}

std::vector<GoldenCase> large_golden_cases() {
    Builder b;
    b.values.integers = true;
    b.conv("conv2d_resnet_stage1_exact.json", "ResNet's first stage: 8 x 64 x 56 x 56, 64 filters 3x3, padding 1; "
           "25,088 terms in each dw and db sum", 8, 64, 56, 56, 64, 3, 3, {1, 1}, Padding::all(1), {1, 1}, 1, true);
    b.conv("conv2d_resnet_downsample_exact.json", "ResNet's downsampling: 8 x 64 x 56 x 56 to 128 filters 3x3, stride 2, "
           "padding 1", 8, 64, 56, 56, 128, 3, 3, {2, 2}, Padding::all(1), {1, 1}, 1, true);
    b.op("linear_classifier_exact.json", "a classifier: 64 samples of 4096 features to 1000 classes", "linear", {},
         {{"x", b.values.tensor({64, 4096})}, {"w", b.values.tensor({1000, 4096})}, {"b", b.values.tensor({1000})}},
         {64, 1000}, true);
    for (const GoldenCase& c : b.cases)
        if (!c.doc.value("exact", false)) fail("golden: ", c.file, " is not exact in float32");
    return b.cases;
}

}  // namespace cnnbp
