// avgpool2d as an op: its window in a case file, its evaluation with the magnitudes of (E2), its place in a network
// and its random cases. The math is in layers/avgpool2d.hpp.
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/ops/support.hpp"

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

const AvgPool2dParams& avg(const OpParams& p) { return std::any_cast<const AvgPool2dParams&>(p); }

// Refused before anything is computed when it would be too large (limits.hpp): K_h K_w taps per output.
void check_cost(const Window2d& g, const Shape4& x) {
    const OutputSize o = pool_output_size("avgpool2d", g, x.h, x.w);
    ops::check_cost("avgpool2d", {x.n, x.c, o.h, o.w}, std::uint64_t(g.kernel_h) * std::uint64_t(g.kernel_w));
}

OpParams read(const ParamReader& r) {
    r.allow({"kernel", "stride", "padding", "ceil_mode", "count_include_pad"});
    return AvgPool2dParams{read_window(r, false), r.boolean("count_include_pad", true)};
}

json write(const OpParams& p) {
    json j = write_window(avg(p).window, false);
    j["count_include_pad"] = avg(p).count_include_pad;
    return j;
}

// (E2): the sum of K_h K_w terms, then one division per term or once
double roundings(const AvgPool2dParams& p) { return double(p.window.kernel_h * p.window.kernel_w) + 1; }

void evaluate(const OpCase& c, Evaluation& e) {
    const AvgPool2dParams& p = avg(c.params);
    const Tensor4 x = tensor_input(c, "x");
    check_cost(p.window, x.shape());
    const Array out = to_array(avgpool2d_forward(x, p));
    const Tensor4 dout = to_tensor4(dout_like(c, out), "dout");
    e.outputs["out"] = rounded_output(out, to_array(avgpool2d_forward(abs(x), p)), roundings(p));
    e.outputs["dx"] = rounded_output(to_array(avgpool2d_backward(dout, x.shape(), p).dx),
                               to_array(avgpool2d_backward(abs(dout), x.shape(), p).dx), roundings(p));
}

Value forward(const OpParams& p, const LayerParams&, const Value& in) {
    check_cost(avg(p).window, std::get<Tensor4>(in).shape());
    return avgpool2d_forward(std::get<Tensor4>(in), avg(p));
}

LayerBackward backward(const OpParams& p, const LayerParams&, const Value& in, const Value& dout) {
    return {avgpool2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in).shape(), avg(p)).dx, {}};
}

Value forward_error(const OpParams& op, const LayerParams&, const Value& a, const Value& c, const std::string&,
                    std::vector<Fragile>&) {
    const AvgPool2dParams& p = avg(op);
    return scaled(roundings(p), Value(avgpool2d_forward(abs(std::get<Tensor4>(a)), p))) +
           Value(avgpool2d_forward(std::get<Tensor4>(c), p));
}

BackwardCoefficients backward_error(const OpParams& op, const LayerParams&, const Value& a, const Value&, const Value& da,
                                    const Value& g) {
    const AvgPool2dParams& p = avg(op);
    const Shape4 s = std::get<Tensor4>(a).shape();
    return {scaled(roundings(p), Value(avgpool2d_backward(abs(std::get<Tensor4>(da)), s, p).dx)) +
                Value(avgpool2d_backward(std::get<Tensor4>(g), s, p).dx), {}, {}};
}

// N 1-3, C 1-2, any window without dilation, ceil_mode and count_include_pad either way
OpCase generate(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), c = d.integer("c", 1, 2);
    arma::uword h = 0, w = 0;
    AvgPool2dParams p{draw_window(d, true, false, true, h, w), true};
    p.count_include_pad = d.flag("count_include_pad");
    OpCase k{nullptr, p, {{"x", draw_array(d, "x", {n, c, h, w})}}, {}};
    const OutputSize o = pool_output_size("avgpool2d", p.window, h, w);
    k.dout = draw_array(d, "dout", {n, c, o.h, o.w});
    return k;
}

std::vector<std::string> conditions(const OpCase& k) {
    const Array& x = k.inputs.at("x");
    std::vector<std::string> found = window_conditions(avg(k.params).window, x.shape[2], x.shape[3], true);
    if (x.shape[0] > 1) found.emplace_back("batch of several");
    return found;
}

}  // namespace

Op avgpool2d_op() {
    return {.name = "avgpool2d", .inputs = {"x"}, .read = read, .write = write, .evaluate = evaluate,
            .forward = forward, .backward = backward, .forward_error = forward_error, .backward_error = backward_error,
            .generate = generate, .conditions = conditions};
}

}  // namespace cnnbp::ops
