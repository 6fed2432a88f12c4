#include "cnnbp/net/sequential.hpp"

#include "cnnbp/layers/activation.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/layers/pad2d.hpp"

#include <sstream>

namespace cnnbp {

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string describe(const Value& v) {
    std::ostringstream os;
    if (const auto* t = std::get_if<Tensor4>(&v))
        os << "a Tensor4 of shape " << t->shape();
    else {
        const auto& m = std::get<arma::mat>(v);
        os << "a " << m.n_rows << " x " << m.n_cols << " matrix";
    }
    return os.str();
}

// The input of layer l as the type it needs, or a cnnbp::Error that says what came instead.
template <class T>
const T& input_as(const Value& v, std::size_t l, const Layer& layer) {
    if (const T* p = std::get_if<T>(&v)) return *p;
    fail("sequential: layer ", l, " (", layer_name(layer), ") needs ",
         std::is_same_v<T, Tensor4> ? "a Tensor4 (N,C,H,W)" : "a matrix (N, D); put a flatten before it",
         " but gets ", describe(v));
}

template <class T>
const T& weights_as(const LayerParams& p, std::size_t l, const Layer& layer) {
    if (p.w)
        if (const T* w = std::get_if<T>(&*p.w)) return *w;
    fail("sequential: layer ", l, " (", layer_name(layer), ") needs weights w as ",
         std::is_same_v<T, Tensor4> ? "a Tensor4 (F, C/groups, K_h, K_w)" : "a matrix (M, D)",
         p.w ? " but has " + describe(*p.w) : std::string(" but has none"));
}

void check_no_params(const LayerParams& p, std::size_t l, const Layer& layer) {
    if (p.w || p.b) fail("sequential: layer ", l, " (", layer_name(layer), ") has no parameters, but some were given");
}

Value forward_one(const Layer& layer, const LayerParams& p, const Value& in, std::size_t l) {
    return std::visit(
        overloaded{
            [&](const Conv2dLayer& c) -> Value {
                return conv2d_forward(input_as<Tensor4>(in, l, layer), weights_as<Tensor4>(p, l, layer), p.b, c.params);
            },
            [&](const Pad2dLayer& c) -> Value {
                check_no_params(p, l, layer);
                return pad2d_forward(input_as<Tensor4>(in, l, layer), c.padding);
            },
            [&](const MaxPool2dLayer& c) -> Value {
                check_no_params(p, l, layer);
                return maxpool2d_forward(input_as<Tensor4>(in, l, layer), c.window);
            },
            [&](const AvgPool2dLayer& c) -> Value {
                check_no_params(p, l, layer);
                return avgpool2d_forward(input_as<Tensor4>(in, l, layer), c.params);
            },
            [&](const FlattenLayer&) -> Value {
                check_no_params(p, l, layer);
                return flatten_forward(input_as<Tensor4>(in, l, layer));
            },
            [&](const LinearLayer&) -> Value {
                return linear_forward(input_as<arma::mat>(in, l, layer), weights_as<arma::mat>(p, l, layer), p.b);
            },
            [&](const auto& activation) -> Value {  // relu, sigmoid, tanh: elementwise on either kind of value
                check_no_params(p, l, layer);
                return std::visit(
                    [&](const auto& x) -> Value {
                        using A = std::decay_t<decltype(activation)>;
                        if constexpr (std::is_same_v<A, ReluLayer>) return relu_forward(x);
                        else if constexpr (std::is_same_v<A, SigmoidLayer>) return sigmoid_forward(x);
                        else return tanh_forward(x);
                    },
                    in);
            }},
        layer);
}

// Layer l's backward: from da[l] (dout) and the layer's input a[l-1] to da[l-1] and the parameters' gradients.
std::pair<Value, LayerGrads> backward_one(const Layer& layer, const LayerParams& p, const Value& in,
                                          const Value& dout, std::size_t l) {
    return std::visit(
        overloaded{
            [&](const Conv2dLayer& c) -> std::pair<Value, LayerGrads> {
                Conv2dGrads g = conv2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in),
                                                weights_as<Tensor4>(p, l, layer), c.params);
                return {g.dx, {Value(g.dw), p.b ? std::optional<arma::vec>(g.db) : std::nullopt}};
            },
            [&](const Pad2dLayer& c) -> std::pair<Value, LayerGrads> {
                return {pad2d_backward(std::get<Tensor4>(dout), c.padding).dx, {}};
            },
            [&](const MaxPool2dLayer& c) -> std::pair<Value, LayerGrads> {
                return {maxpool2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in), c.window).dx, {}};
            },
            [&](const AvgPool2dLayer& c) -> std::pair<Value, LayerGrads> {
                return {avgpool2d_backward(std::get<Tensor4>(dout), std::get<Tensor4>(in).shape(), c.params).dx, {}};
            },
            [&](const FlattenLayer&) -> std::pair<Value, LayerGrads> {
                return {flatten_backward(std::get<arma::mat>(dout), std::get<Tensor4>(in).shape()).dx, {}};
            },
            [&](const LinearLayer&) -> std::pair<Value, LayerGrads> {
                LinearGrads g = linear_backward(std::get<arma::mat>(dout), std::get<arma::mat>(in),
                                                weights_as<arma::mat>(p, l, layer));
                return {g.dx, {Value(g.dw), p.b ? std::optional<arma::vec>(g.db) : std::nullopt}};
            },
            [&](const auto& activation) -> std::pair<Value, LayerGrads> {
                return std::visit(
                    [&](const auto& x) -> std::pair<Value, LayerGrads> {
                        using X = std::decay_t<decltype(x)>;
                        using A = std::decay_t<decltype(activation)>;
                        const X& d = std::get<X>(dout);
                        if constexpr (std::is_same_v<A, ReluLayer>) return {relu_backward(d, x).dx, {}};
                        else if constexpr (std::is_same_v<A, SigmoidLayer>) return {sigmoid_backward(d, x).dx, {}};
                        else return {tanh_backward(d, x).dx, {}};
                    },
                    in);
            }},
        layer);
}

}  // namespace

std::string layer_name(const Layer& layer) {
    return std::visit(overloaded{[](const Conv2dLayer&) { return "conv2d"; }, [](const Pad2dLayer&) { return "pad2d"; },
                                 [](const ReluLayer&) { return "relu"; }, [](const SigmoidLayer&) { return "sigmoid"; },
                                 [](const TanhLayer&) { return "tanh"; },
                                 [](const MaxPool2dLayer&) { return "maxpool2d"; },
                                 [](const AvgPool2dLayer&) { return "avgpool2d"; },
                                 [](const FlattenLayer&) { return "flatten"; },
                                 [](const LinearLayer&) { return "linear"; }},
                      layer);
}

// [sequential_forward]
std::vector<Value> sequential_forward(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                      const Value& x) {
    if (params.size() != layers.size())
        fail("sequential: ", layers.size(), " layers but ", params.size(), " parameter sets (one per layer, empty for "
             "layers without parameters)");
    std::vector<Value> a{x};
    for (std::size_t l = 1; l <= layers.size(); ++l) a.push_back(forward_one(layers[l - 1], params[l - 1], a[l - 1], l));
    return a;
}
// [sequential_forward]

// [sequential_backprop]
SequentialTrace sequential_backprop(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                    const Value& x, const Loss& loss) {
    SequentialTrace t;
    // (1), (2): input and feed forward, a[l] = layer_l(a[l-1]).
    t.a = sequential_forward(layers, params, x);
    const std::size_t L = layers.size();
    const arma::mat* out = std::get_if<arma::mat>(&t.a[L]);
    if (!out) fail("sequential: the loss needs a matrix (N, M) but the last layer gives ", describe(t.a[L]));
    // (3): the output error, dC/da[L], from the loss.
    t.da.resize(L + 1);
    std::visit(overloaded{[&](const MseLoss& m) {
                              t.loss = mse_forward(*out, m.y);
                              t.da[L] = mse_backward(1.0, *out, m.y).da;
                          },
                          [&](const SoftmaxCrossEntropyLoss& s) {
                              t.loss = softmax_cross_entropy_forward(*out, s.labels);
                              t.da[L] = softmax_cross_entropy_backward(1.0, *out, s.labels).dz;
                          }},
               loss);
    // (4), (5): each layer's backward sends the error one layer down and yields its parameters' gradients.
    t.grads.resize(L);
    for (std::size_t l = L; l >= 1; --l)
        std::tie(t.da[l - 1], t.grads[l - 1]) = backward_one(layers[l - 1], params[l - 1], t.a[l - 1], t.da[l], l);
    return t;
}
// [sequential_backprop]

}  // namespace cnnbp
