#include "cnnbp/net/sequential.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/loss.hpp"

#include <sstream>

namespace cnnbp {

using json = nlohmann::ordered_json;

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

namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

// What every layer's contract asks of its input and parameters, checked once for all of them: the input is of the
// kind the layer takes, and the weights are there, of the right kind, exactly when the layer has some.
void check_layer(const Layer& layer, const LayerParams& p, const Value& in, std::size_t l) {
    const Op& op = *layer.op;
    const bool images = std::holds_alternative<Tensor4>(in);
    if ((op.takes == Takes::images && !images) || (op.takes == Takes::rows && images))
        fail("sequential: layer ", l, " (", op.name, ") needs ",
             op.takes == Takes::images ? "a Tensor4 (N,C,H,W)" : "a matrix (N, D); put a flatten before it",
             " but gets ", describe(in));
    if (op.weights.empty()) {
        if (p.w || p.b) fail("sequential: layer ", l, " (", op.name, ") has no parameters, but some were given");
        return;
    }
    if (!p.w || std::holds_alternative<Tensor4>(*p.w) != op.weights_are_images)
        fail("sequential: layer ", l, " (", op.name, ") needs weights w as ", op.weights,
             p.w ? " but has " + describe(*p.w) : std::string(" but has none"));
}

}  // namespace

Layer layer(const std::string& op, OpParams params) {
    const Op& o = find_op(op, "layer");
    if (!o.forward) fail("layer: ", op, " cannot be a layer of a network");
    return {&o, std::move(params)};
}

std::string layer_name(const Layer& layer) { return layer.op->name; }

// [sequential_forward]
std::vector<Value> sequential_forward(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                      const Value& x) {
    if (params.size() != layers.size())
        fail("sequential: ", layers.size(), " layers but ", params.size(), " parameter sets (one per layer, empty for "
             "layers without parameters)");
    std::vector<Value> a{x};
    for (std::size_t l = 1; l <= layers.size(); ++l) {
        const Layer& layer = layers[l - 1];
        check_layer(layer, params[l - 1], a[l - 1], l);
        a.push_back(layer.op->forward(layer.params, params[l - 1], a[l - 1]));
    }
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
    for (std::size_t l = L; l >= 1; --l) {
        const Layer& layer = layers[l - 1];
        LayerBackward b = layer.op->backward(layer.params, params[l - 1], t.a[l - 1], t.da[l]);
        t.da[l - 1] = std::move(b.dx);
        t.grads[l - 1] = std::move(b.grads);
    }
    return t;
}
// [sequential_backprop]

}  // namespace cnnbp
