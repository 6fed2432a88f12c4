// conv_transpose2d as an op: its parameters in a case file, its evaluation with the magnitudes of (E2), its place in
// a network with the error coefficients of (E6), and its random cases. The math is in layers/conv_transpose2d.hpp.
#include "cnnbp/core/limits.hpp"
#include "cnnbp/layers/conv_transpose2d.hpp"
#include "cnnbp/ops/support.hpp"

#include <algorithm>

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

const ConvTranspose2dParams& convt(const OpParams& p) { return std::any_cast<const ConvTranspose2dParams&>(p); }

OpParams read(const ParamReader& r) {
    r.allow({"stride", "padding", "output_padding", "dilation", "groups"});
    ConvTranspose2dParams p;
    std::tie(p.stride_h, p.stride_w) = r.pair("stride", {1, 1}, 1);
    p.pad = r.padding();
    std::tie(p.output_padding_h, p.output_padding_w) = r.pair("output_padding", {0, 0}, 0);
    std::tie(p.dilation_h, p.dilation_w) = r.pair("dilation", {1, 1}, 1);
    p.groups = r.integer("groups", 1, 1);
    return p;
}

json write(const OpParams& op) {
    const ConvTranspose2dParams& p = convt(op);
    return {{"stride", pair_json(p.stride_h, p.stride_w)}, {"padding", padding_json(p.pad)},
            {"output_padding", pair_json(p.output_padding_h, p.output_padding_w)},
            {"dilation", pair_json(p.dilation_h, p.dilation_w)}, {"groups", p.groups}};
}

// How many terms each element sums, (E2). An output element receives at most one term per input channel of its group
// and kernel tap (the tap fixes the input pixel, (U1)), plus the bias; dx is conv2d's forward of dout, F_g K_h K_w
// terms (U6); dw sums over the input positions of the batch (U7), db over the output positions (U8).
struct Terms {
    double out, dx, dw, db;
};

Terms terms(const ConvTranspose2dShape& s, const Shape4& x, const Shape4& w) {
    const double k = double(w.h * w.w);
    return {double(s.c_group) * k + 1, double(s.f_group) * k, double(x.n * x.h * x.w),
            double(x.n * s.out_shape.h * s.out_shape.w)};
}

// Refused before anything is computed when it would be too large (limits.hpp): each output element sums at most
// C_g K_h K_w terms, (U1).
// conv2d's matrix form, which the adjoint forward and the backward use, holds an im2col matrix of F_g K_h K_w rows
// and one column per input pixel of conv2d's output, (U5).
void check_cost(const ConvTranspose2dShape& s, const Shape4& w) {
    ops::check_cost("conv_transpose2d", {s.out_shape.n, s.out_shape.c, s.out_shape.h, s.out_shape.w}, s.c_group * w.h * w.w);
    checked_product("conv_transpose2d's im2col matrix", {s.f_group * w.h * w.w, s.conv_out_shape.h, s.conv_out_shape.w},
                    limits().elements, "--max-elements");
}

void evaluate(const OpCase& c, Evaluation& e) {
    const ConvTranspose2dParams& p = convt(c.params);
    const Tensor4 x = tensor_input(c, "x"), w = tensor_input(c, "w");
    const std::optional<arma::vec> b = bias_input(c);
    const ConvTranspose2dShape s = conv_transpose2d_shape("conv_transpose2d", x.shape(), w.shape(), b, p);
    check_cost(s, w.shape());
    const Array out = to_array(conv_transpose2d_forward_adjoint(x, w, b, p));
    const Tensor4 dout = to_tensor4(dout_like(c, out), "dout");
    const ConvTranspose2dGrads g = conv_transpose2d_backward(dout, x, w, p);
    const ConvTranspose2dGrads m = conv_transpose2d_backward(abs(dout), abs(x), abs(w), p);
    const ConvTranspose2dGrads q = conv_transpose2d_backward(squared(dout), squared(x), squared(w), p);  // (E9)
    const Terms n = terms(s, x.shape(), w.shape());
    Sums sums_out{out, to_array(conv_transpose2d_forward_adjoint(abs(x), abs(w), abs(b), p)),
                  to_array(conv_transpose2d_forward_adjoint(squared(x), squared(w), squared(b), p)), n.out};
    std::optional<Sums> db;
    if (b) db = Sums{to_array(g.db), to_array(m.db), to_array(q.db), n.db};
    record_weighted_sums(c, dout_like(c, out), std::move(sums_out), {to_array(g.dx), to_array(m.dx), to_array(q.dx), n.dx},
                         {to_array(g.dw), to_array(m.dw), to_array(q.dw), n.dw}, std::move(db), e);
}

Value forward(const OpParams& p, const LayerParams& w, const Value& in) {
    const Tensor4 &x = std::get<Tensor4>(in), &weights = std::get<Tensor4>(*w.w);
    check_cost(conv_transpose2d_shape("conv_transpose2d", x.shape(), weights.shape(), w.b, convt(p)), weights.shape());
    return conv_transpose2d_forward_adjoint(x, weights, w.b, convt(p));
}

LayerBackward backward(const OpParams& p, const LayerParams& w, const Value& in, const Value& dout) {
    ConvTranspose2dGrads g =
        conv_transpose2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in), std::get<Tensor4>(*w.w), convt(p));
    return {g.dx, {Value(g.dw), w.b ? std::optional<arma::vec>(g.db) : std::nullopt}};
}

// c_out = n M + |W| c_in, as for conv2d
Value forward_error(const OpParams& op, const LayerParams& lw, const Value& a, const Value& c, const std::string&,
                    std::vector<Fragile>&) {
    const ConvTranspose2dParams& p = convt(op);
    const Tensor4& x = std::get<Tensor4>(a);
    const Tensor4 w = abs(std::get<Tensor4>(*lw.w));
    const std::optional<arma::vec> b = abs(lw.b);
    const Terms n = terms(conv_transpose2d_shape("conv_transpose2d", x.shape(), w.shape(), b, p), x.shape(), w.shape());
    return scaled(n.out, Value(conv_transpose2d_forward_adjoint(abs(x), w, b, p))) +
           Value(conv_transpose2d_forward_adjoint(std::get<Tensor4>(c), w, std::nullopt, p));
}

BackwardCoefficients backward_error(const OpParams& op, const LayerParams& lw, const Value& a, const Value& c,
                                    const Value& da, const Value& g) {
    const ConvTranspose2dParams& p = convt(op);
    const Tensor4 x = abs(std::get<Tensor4>(a)), w = abs(std::get<Tensor4>(*lw.w)), d = abs(std::get<Tensor4>(da));
    const Terms n = terms(conv_transpose2d_shape("conv_transpose2d", x.shape(), w.shape(), std::nullopt, p), x.shape(), w.shape());
    const ConvTranspose2dGrads m = conv_transpose2d_backward(d, x, w, p);                          // magnitudes
    const ConvTranspose2dGrads from_g = conv_transpose2d_backward(std::get<Tensor4>(g), x, w, p);  // dout's error
    const ConvTranspose2dGrads from_c = conv_transpose2d_backward(d, std::get<Tensor4>(c), w, p);  // x's error in dw
    BackwardCoefficients out{scaled(n.dx, Value(m.dx)) + Value(from_g.dx),
                             scaled(n.dw, Value(m.dw)) + Value(from_g.dw) + Value(from_c.dw), std::nullopt};
    if (lw.b) out.db = n.db * m.db + from_g.db;
    return out;
}

// N 1-3; groups 1-2 with 1-2 input and output channels per group; kernel 1-3; stride 1-3; dilation 1-2; output
// padding below max(stride, dilation); padding 0-2 on each side; then the input size, at least what leaves one output
// row and column, plus 0-3.
OpCase generate(Draw& d) {
    ConvTranspose2dParams p;
    const arma::uword n = d.integer("n", 1, 3);
    p.groups = d.integer("groups", 1, 2);
    const arma::uword c = p.groups * d.integer("c", 1, 2), f = p.groups * d.integer("f", 1, 2);
    const int kh = d.integer("kernel", 1, 3), kw = d.chance("square kernel", 70) ? kh : d.integer("kernel", 1, 3);
    p.stride_h = d.integer("stride", 1, 3);
    p.stride_w = d.chance("same stride", 70) ? p.stride_h : d.integer("stride", 1, 3);
    p.dilation_h = d.integer("dilation", 1, 2);
    p.dilation_w = d.chance("same dilation", 70) ? p.dilation_h : d.integer("dilation", 1, 2);
    p.output_padding_h = d.integer("output_padding", 0, std::max(p.stride_h, p.dilation_h) - 1);
    p.output_padding_w = d.integer("output_padding", 0, std::max(p.stride_w, p.dilation_w) - 1);
    p.pad = {d.integer("padding", 0, 2), d.integer("padding", 0, 2), d.integer("padding", 0, 2), d.integer("padding", 0, 2)};
    // (U2): H_out = (H-1) s - p_top - p_bottom + d (K-1) + op + 1 >= 1
    auto least = [](int pads, int dil, int k, int op, int s) { return 1 + std::max(0, pads - dil * (k - 1) - op + s - 1) / s; };
    const arma::uword h = least(p.pad.top + p.pad.bottom, p.dilation_h, kh, p.output_padding_h, p.stride_h) + d.integer("h", 0, 3);
    const arma::uword w = least(p.pad.left + p.pad.right, p.dilation_w, kw, p.output_padding_w, p.stride_w) + d.integer("w", 0, 3);
    OpCase k{nullptr, p, {}, {}};
    k.inputs["x"] = draw_array(d, "x", {n, c, h, w});
    k.inputs["w"] = draw_array(d, "w", {c, f / p.groups, arma::uword(kh), arma::uword(kw)});
    if (d.flag("bias")) k.inputs["b"] = draw_array(d, "b", {f});
    const Shape4 o = conv_transpose2d_shape("conv_transpose2d", {n, c, h, w}, {c, f / p.groups, arma::uword(kh), arma::uword(kw)},
                                            std::nullopt, p).out_shape;
    k.dout = draw_array(d, "dout", {o.n, o.c, o.h, o.w});
    return k;
}

std::vector<std::string> conditions(const OpCase& k) {
    const ConvTranspose2dParams& p = convt(k.params);
    std::vector<std::string> found;
    if (p.output_padding_h > 0 || p.output_padding_w > 0) found.push_back("output_padding > 0");
    if (p.output_padding_h >= p.stride_h || p.output_padding_w >= p.stride_w) found.push_back("output_padding >= stride (allowed by the dilation)");
    if (p.stride_h > 1 || p.stride_w > 1) found.push_back("stride > 1");
    if (p.dilation_h > 1 || p.dilation_w > 1) found.push_back("dilation > 1");
    if (p.pad.top != p.pad.bottom || p.pad.left != p.pad.right) found.push_back("different padding at the two ends");
    if (p.groups > 1) found.push_back("groups > 1");
    if (k.inputs.at("x").shape[0] > 1) found.emplace_back("batch of several");
    return found;
}

}  // namespace

Op conv_transpose2d_op() {
    return {.name = "conv_transpose2d", .inputs = {"x", "w", "b"}, .optional = {"b"},
            .read = read, .write = write, .evaluate = evaluate,
            .takes = Takes::images, .weights = "a Tensor4 (C, F/groups, K_h, K_w)",
            .forward = forward, .backward = backward, .forward_error = forward_error, .backward_error = backward_error,
            .generate = generate, .conditions = conditions};
}

}  // namespace cnnbp::ops
