// conv2d as an op: its parameters in a case file, its evaluation with the magnitudes of (E2), its place in a network
// with the error coefficients of (E6), and its random cases. The math is in layers/conv2d.hpp.
#include "cnnbp/core/error.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/ops/support.hpp"

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

const Conv2dParams& conv(const OpParams& p) { return std::any_cast<const Conv2dParams&>(p); }

OpParams read(const ParamReader& r) {
    r.allow({"stride", "padding", "dilation", "groups"});
    Conv2dParams p;
    std::tie(p.stride_h, p.stride_w) = r.pair("stride", {1, 1}, 1);
    p.pad = r.padding();
    std::tie(p.dilation_h, p.dilation_w) = r.pair("dilation", {1, 1}, 1);
    p.groups = r.integer("groups", 1, 1);
    return p;
}

json write(const OpParams& op) {
    const Conv2dParams& p = conv(op);
    return {{"stride", pair_json(p.stride_h, p.stride_w)}, {"padding", padding_json(p.pad)},
            {"dilation", pair_json(p.dilation_h, p.dilation_w)}, {"groups", p.groups}};
}

// Refused before anything is computed when it would be too large, (limits.hpp): the output, the work, and the
// matrix of im2col (C_g K_h K_w rows, H' W' columns), which the matrix form holds for one sample and group.
void check_cost(const Conv2dShape& s, const Shape4& x) {
    const std::uint64_t taps = s.c_group * s.window.kernel_h * s.window.kernel_w;
    ops::check_cost("conv2d", {x.n, s.out_shape.c, s.out.h, s.out.w}, taps);
    checked_product("conv2d's im2col matrix", {taps, s.out.h, s.out.w}, limits().elements, "--max-elements");
}

// (E2): each output sums C_g K_h K_w products and a bias; each dx element at most F_g K_h K_w products; dw and db sum
// over every output position of the batch.
void evaluate(const OpCase& c, Evaluation& e) {
    const Conv2dParams& p = conv(c.params);
    const Tensor4 x = tensor_input(c, "x"), w = tensor_input(c, "w");
    const std::optional<arma::vec> b = bias_input(c);
    const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), b, p);
    check_cost(s, x.shape());
    const Array out = to_array(conv2d_forward_fast(x, w, b, p));
    const Tensor4 dout = to_tensor4(dout_like(c, out), "dout");
    const Conv2dGrads g = conv2d_backward(dout, x, w, p);
    const Conv2dGrads m = conv2d_backward(abs(dout), abs(x), abs(w), p);
    const Conv2dGrads q = conv2d_backward(squared(dout), squared(x), squared(w), p);  // sums of squared terms, (E9)
    const double k = double(s.window.kernel_h * s.window.kernel_w), positions = double(x.n() * s.out.h * s.out.w);
    Sums sums_out{out, to_array(conv2d_forward_fast(abs(x), abs(w), abs(b), p)),
                  to_array(conv2d_forward_fast(squared(x), squared(w), squared(b), p)), double(s.c_group) * k + 1};
    std::optional<Sums> db;
    if (b) db = Sums{to_array(g.db), to_array(m.db), to_array(q.db), positions};
    record_weighted_sums(c, dout_like(c, out), std::move(sums_out),
                         {to_array(g.dx), to_array(m.dx), to_array(q.dx), double(s.f_group) * k},
                         {to_array(g.dw), to_array(m.dw), to_array(q.dw), positions}, std::move(db), e);
}

Value forward(const OpParams& p, const LayerParams& w, const Value& in) {
    const Tensor4 &x = std::get<Tensor4>(in), &weights = std::get<Tensor4>(*w.w);
    check_cost(conv2d_shape("conv2d", x.shape(), weights.shape(), w.b, conv(p)), x.shape());
    return conv2d_forward_fast(x, weights, w.b, conv(p));
}

LayerBackward backward(const OpParams& p, const LayerParams& w, const Value& in, const Value& dout) {
    Conv2dGrads g = conv2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in), std::get<Tensor4>(*w.w), conv(p));
    return {g.dx, {Value(g.dw), w.b ? std::optional<arma::vec>(g.db) : std::nullopt}};
}

// c_out = n M + |W| * c_in: the layer's own roundings, and the input's error carried through |W|
Value forward_error(const OpParams& op, const LayerParams& lw, const Value& a, const Value& c, const std::string&,
                    std::vector<Fragile>&) {
    const Conv2dParams& p = conv(op);
    const Tensor4& x = std::get<Tensor4>(a);
    const Tensor4 w = abs(std::get<Tensor4>(*lw.w));
    const std::optional<arma::vec> b = abs(lw.b);
    const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), b, p);
    const double n = double(s.c_group * s.window.kernel_h * s.window.kernel_w) + 1;
    return scaled(n, Value(conv2d_forward_fast(abs(x), w, b, p))) +
           Value(conv2d_forward_fast(std::get<Tensor4>(c), w, std::nullopt, p));
}

BackwardCoefficients backward_error(const OpParams& op, const LayerParams& lw, const Value& a, const Value& c,
                                    const Value& da, const Value& g) {
    const Conv2dParams& p = conv(op);
    const Tensor4 x = abs(std::get<Tensor4>(a)), w = abs(std::get<Tensor4>(*lw.w)), d = abs(std::get<Tensor4>(da));
    const Conv2dShape s = conv2d_shape("conv2d", x.shape(), w.shape(), std::nullopt, p);
    const double k = double(s.window.kernel_h * s.window.kernel_w), positions = double(x.n() * s.out.h * s.out.w);
    const Conv2dGrads m = conv2d_backward(d, x, w, p);                            // magnitudes
    const Conv2dGrads from_g = conv2d_backward(std::get<Tensor4>(g), x, w, p);    // dout's error
    const Conv2dGrads from_c = conv2d_backward(d, std::get<Tensor4>(c), w, p);    // x's error in dw
    BackwardCoefficients out{scaled(double(s.f_group) * k, Value(m.dx)) + Value(from_g.dx),
                             scaled(positions, Value(m.dw)) + Value(from_g.dw) + Value(from_c.dw), std::nullopt};
    if (lw.b) out.db = positions * m.db + from_g.db;
    return out;
}

// N 1-3; groups 1-3 with 1-2 channels and filters per group, or depthwise; any window with dilation; bias or not.
OpCase generate(Draw& d) {
    Conv2dParams p;
    const arma::uword n = d.integer("n", 1, 3);
    p.groups = d.integer("groups", 1, 3);
    arma::uword c = p.groups * d.integer("c", 1, 2), f = p.groups * d.integer("f", 1, 2);
    if (d.chance("depthwise", 15) && !d.pinned("groups")) p.groups = int(c = f = d.integer("c", 1, 4));
    arma::uword h = 0, w = 0;
    const Window2d g = draw_window(d, false, true, false, h, w);
    p.stride_h = g.stride_h, p.stride_w = g.stride_w, p.pad = g.pad, p.dilation_h = g.dilation_h, p.dilation_w = g.dilation_w;
    OpCase k{nullptr, p, {}, {}};
    k.inputs["x"] = draw_array(d, "x", {n, c, h, w});
    k.inputs["w"] = draw_array(d, "w", {f, c / p.groups, arma::uword(g.kernel_h), arma::uword(g.kernel_w)});
    if (d.flag("bias")) k.inputs["b"] = draw_array(d, "b", {f});
    const Shape4 o = conv2d_shape("conv2d", {n, c, h, w}, {f, c / p.groups, arma::uword(g.kernel_h), arma::uword(g.kernel_w)},
                                  std::nullopt, p).out_shape;
    k.dout = draw_array(d, "dout", {o.n, o.c, o.h, o.w});
    return k;
}

std::vector<std::string> conditions(const OpCase& k) {
    const Conv2dParams& p = conv(k.params);
    const Array &x = k.inputs.at("x"), &w = k.inputs.at("w");
    const Window2d g{int(w.shape[2]), int(w.shape[3]), p.stride_h, p.stride_w, p.pad, p.dilation_h, p.dilation_w};
    std::vector<std::string> found = window_conditions(g, x.shape[2], x.shape[3], false);
    if (p.groups > 1) found.push_back(p.groups == int(x.shape[1]) && p.groups == int(w.shape[0]) ? "depthwise groups" : "groups > 1");
    if (x.shape[0] > 1) found.emplace_back("batch of several");
    return found;
}

}  // namespace

Op conv2d_op() {
    return {.name = "conv2d", .inputs = {"x", "w", "b"}, .optional = {"b"},
            .read = read, .write = write, .evaluate = evaluate,
            .takes = Takes::images, .weights = "a Tensor4 (F, C/groups, K_h, K_w)",
            .forward = forward, .backward = backward, .forward_error = forward_error, .backward_error = backward_error,
            .generate = generate, .conditions = conditions};
}

}  // namespace cnnbp::ops
