// pad2d as an op: its padding in a case file, its evaluation (exact: a copy and a crop), its place in a network and
// its random cases. The math is in layers/pad2d.hpp.
#include "cnnbp/layers/pad2d.hpp"
#include "cnnbp/ops/support.hpp"

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

const Padding& pad(const OpParams& p) { return std::any_cast<const Padding&>(p); }

OpParams read(const ParamReader& r) {
    r.allow({"padding"});
    return r.padding();
}

json write(const OpParams& p) { return {{"padding", padding_json(pad(p))}}; }

// Refused before anything is computed when the padded output would be too large (limits.hpp).
void check_cost(const Padding& p, const Shape4& x) {
    ops::check_cost("pad2d", {x.n, x.c, x.h + std::uint64_t(p.top) + p.bottom, x.w + std::uint64_t(p.left) + p.right}, 1);
}

void evaluate(const OpCase& c, Evaluation& e) {
    const Tensor4 x = tensor_input(c, "x");
    check_cost(pad(c.params), x.shape());
    const Array out = to_array(pad2d_forward(x, pad(c.params)));
    const Tensor4 dout = to_tensor4(dout_like(c, out), "dout");
    e.outputs["out"] = exact_output(out);
    e.outputs["dx"] = exact_output(to_array(pad2d_backward(dout, pad(c.params)).dx));
}

Value forward(const OpParams& p, const LayerParams&, const Value& in) {
    check_cost(pad(p), std::get<Tensor4>(in).shape());
    return pad2d_forward(std::get<Tensor4>(in), pad(p));
}

LayerBackward backward(const OpParams& p, const LayerParams&, const Value&, const Value& dout) {
    return {pad2d_backward(std::get<Tensor4>(dout), pad(p)).dx, {}};
}

// copies and crops carry the input's error unchanged
Value forward_error(const OpParams& p, const LayerParams&, const Value&, const Value& c, const std::string&,
                    std::vector<Fragile>&) {
    return pad2d_forward(std::get<Tensor4>(c), pad(p));
}

BackwardCoefficients backward_error(const OpParams& p, const LayerParams&, const Value&, const Value&, const Value&,
                                    const Value& g) {
    return {pad2d_backward(std::get<Tensor4>(g), pad(p)).dx, {}, {}};
}

// N 1-3, C 1-3, H and W 1-5, each side 0-3
OpCase generate(Draw& d) {
    Padding p;
    p.top = d.integer("padding", 0, 3), p.bottom = d.integer("padding", 0, 3);
    p.left = d.integer("padding", 0, 3), p.right = d.integer("padding", 0, 3);
    const arma::uword n = d.integer("n", 1, 3), c = d.integer("c", 1, 3), h = d.integer("h", 1, 5), w = d.integer("w", 1, 5);
    OpCase k{nullptr, p, {{"x", draw_array(d, "x", {n, c, h, w})}}, {}};
    k.dout = draw_array(d, "dout", {n, c, h + p.top + p.bottom, w + p.left + p.right});
    return k;
}

std::vector<std::string> conditions(const OpCase& k) {
    std::vector<std::string> found;
    const Padding& p = pad(k.params);
    if (p.top != p.bottom || p.left != p.right) found.push_back("different padding at the two ends");
    if (k.inputs.at("x").shape[0] > 1) found.emplace_back("batch of several");
    return found;
}

}  // namespace

Op pad2d_op() {
    return {.name = "pad2d", .inputs = {"x"}, .read = read, .write = write, .evaluate = evaluate,
            .forward = forward, .backward = backward, .forward_error = forward_error, .backward_error = backward_error,
            .generate = generate, .conditions = conditions};
}

}  // namespace cnnbp::ops
