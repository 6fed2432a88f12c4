// relu, sigmoid and tanh as ops: elementwise on a tensor of any rank in a case file, on either kind of value in a
// network. Their evaluations carry (E4) and relu's kink interval (E5). The math is in layers/activation.hpp.
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/ops/support.hpp"

#include <cmath>

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

// A case's elements as one column, and back in the case's shape.
arma::mat column(const Array& a) { return arma::mat(a.data); }
Array shaped(const Array& like, const arma::mat& m) { return {like.shape, {m.begin(), m.end()}}; }

void evaluate_relu(const OpCase& c, Evaluation& e) {
    const Array& xa = c.inputs.at("x");
    const arma::mat x = column(xa), dout = column(dout_like(c, xa));
    e.outputs["out"] = exact_output(shaped(xa, relu_forward(x)));
    Expected dx = exact_output(shaped(xa, relu_backward(dout, x).dx));
    // (E5): at x = 0 exactly relu has two one-sided derivatives, 0 and 1: any dx between 0 and dout is defensible
    if (arma::any(arma::vectorise(x) == 0.0)) {
        dx.low.assign(x.n_elem, 0.0), dx.high.assign(x.n_elem, 0.0), dx.has_interval.assign(x.n_elem, false);
        for (arma::uword k = 0; k < x.n_elem; ++k)
            if (x(k) == 0.0) dx.has_interval[k] = true, dx.low[k] = std::min(0.0, dout(k)), dx.high[k] = std::max(0.0, dout(k));
    }
    e.outputs["dx"] = dx;
}

// (E4): the value carries a few roundings of its own; the derivative s (1 - s) or 1 - t^2 is bounded by the
// magnitudes entering it, s (1 + s) or 1 + t^2, not by its (possibly cancelled) result
template <bool sigmoid>
void evaluate_smooth(const OpCase& c, Evaluation& e) {
    const Array& xa = c.inputs.at("x");
    const arma::mat x = column(xa), dout = column(dout_like(c, xa));
    const arma::mat out = sigmoid ? sigmoid_forward(x) : tanh_forward(x);
    const arma::mat dx = sigmoid ? sigmoid_backward(dout, x).dx : tanh_backward(dout, x).dx;
    const arma::mat entering = sigmoid ? arma::mat(out % (1 + out)) : arma::mat(1 + arma::square(out));
    e.outputs["out"] = rounded_output(shaped(xa, out), shaped(xa, arma::abs(out)), 4);
    e.outputs["dx"] = rounded_output(shaped(xa, dx), shaped(xa, arma::mat(arma::abs(dout) % entering)), 8);
}

// In a network: the same functions on a Tensor4 or a matrix.
template <int which>  // 0 relu, 1 sigmoid, 2 tanh
Value forward(const OpParams&, const LayerParams&, const Value& in) {
    return std::visit([](const auto& x) -> Value {
        if constexpr (which == 0) return relu_forward(x);
        else if constexpr (which == 1) return sigmoid_forward(x);
        else return tanh_forward(x);
    }, in);
}

template <int which>
LayerBackward backward(const OpParams&, const LayerParams&, const Value& in, const Value& dout) {
    return std::visit([&](const auto& x) -> LayerBackward {
        const auto& d = std::get<std::decay_t<decltype(x)>>(dout);
        if constexpr (which == 0) return {relu_backward(d, x).dx, {}};
        else if constexpr (which == 1) return {sigmoid_backward(d, x).dx, {}};
        else return {tanh_backward(d, x).dx, {}};
    }, in);
}

// relu passes its input's error where the input is positive; each input is a place that may flip, (E7)
Value forward_error_relu(const OpParams&, const LayerParams&, const Value& a, const Value& c, const std::string& where,
                         std::vector<Fragile>& fragile) {
    for (arma::uword k = 0; k < count(a); ++k)
        fragile.push_back({std::abs(elems(a)[k]), elems(c)[k], where + ", input element " + std::to_string(k)});
    return zip(c, a, [](double ck, double x) { return x > 0 ? ck : 0.0; });
}

Value forward_error_sigmoid(const OpParams&, const LayerParams&, const Value& a, const Value& c, const std::string&,
                            std::vector<Fragile>&) {
    return zip(a, c, [](double x, double ck) { return 4 * scalar::sigmoid(x) + scalar::sigmoid_prime(x) * ck; });
}

Value forward_error_tanh(const OpParams&, const LayerParams&, const Value& a, const Value& c, const std::string&,
                         std::vector<Fragile>&) {
    return zip(a, c, [](double x, double ck) { return 4 * std::abs(std::tanh(x)) + scalar::tanh_prime(x) * ck; });
}

BackwardCoefficients backward_error_relu(const OpParams&, const LayerParams&, const Value& a, const Value&, const Value&,
                                         const Value& g) {
    return {zip(g, a, [](double gk, double x) { return x > 0 ? gk : 0.0; }), {}, {}};
}

// dx = dout s'(x): dout's error times s', x's error times |dout| |s''|, and (E4)'s own rounding
BackwardCoefficients backward_error_sigmoid(const OpParams&, const LayerParams&, const Value& a, const Value& c,
                                            const Value& da, const Value& g) {
    const Value out = zip(g, a, [](double gk, double x) { return gk * scalar::sigmoid_prime(x); });
    const Value own = zip(da, a, [](double d, double x) {
        const double s = scalar::sigmoid(x);
        return 8 * std::abs(d) * s * (1 + s);
    });
    const Value second = zip(da, a, [](double d, double x) {
        const double s = scalar::sigmoid(x);
        return std::abs(d) * std::abs(s * (1 - s) * (1 - 2 * s));  // |sigma''|
    });
    return {out + own + zip(second, c, [](double m, double ck) { return m * ck; }), {}, {}};
}

BackwardCoefficients backward_error_tanh(const OpParams&, const LayerParams&, const Value& a, const Value& c,
                                         const Value& da, const Value& g) {
    const Value out = zip(g, a, [](double gk, double x) { return gk * scalar::tanh_prime(x); });
    const Value own = zip(da, a, [](double d, double x) {
        const double t = std::tanh(x);
        return 8 * std::abs(d) * (1 + t * t);
    });
    const Value second = zip(da, a, [](double d, double x) {
        const double t = std::tanh(x);
        return std::abs(d) * std::abs(2 * t * (1 - t * t));  // |tanh''|
    });
    return {out + own + zip(second, c, [](double m, double ck) { return m * ck; }), {}, {}};
}

// N 1-3, C 1-3, H and W 1-5; relu's inputs from {-1, 0, 1} under hunt --ties
template <int which>
OpCase generate(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), c = d.integer("c", 1, 3), h = d.integer("h", 1, 5), w = d.integer("w", 1, 5);
    const ValueRule rule = which == 0 && d.ties ? ValueRule::ties : ValueRule::sixteenths;
    OpCase k{nullptr, {}, {{"x", draw_array(d, "x", {n, c, h, w}, rule)}}, {}};
    k.dout = draw_array(d, "dout", {n, c, h, w});
    return k;
}

template <int which>
Op activation(const char* name, void (*evaluate)(const OpCase&, Evaluation&),
              Value (*forward_error)(const OpParams&, const LayerParams&, const Value&, const Value&, const std::string&,
                                     std::vector<Fragile>&),
              BackwardCoefficients (*backward_error)(const OpParams&, const LayerParams&, const Value&, const Value&,
                                                     const Value&, const Value&)) {
    return {.name = name, .inputs = {"x"}, .read = read_no_params, .write = write_no_params, .evaluate = evaluate,
            .takes = Takes::either, .forward = forward<which>, .backward = backward<which>,
            .forward_error = forward_error, .backward_error = backward_error, .generate = generate<which>};
}

}  // namespace

Op relu_op() { return activation<0>("relu", evaluate_relu, forward_error_relu, backward_error_relu); }
Op sigmoid_op() { return activation<1>("sigmoid", evaluate_smooth<true>, forward_error_sigmoid, backward_error_sigmoid); }
Op tanh_op() { return activation<2>("tanh", evaluate_smooth<false>, forward_error_tanh, backward_error_tanh); }

}  // namespace cnnbp::ops
