#include "cnnbp/oracle/network.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/ops/support.hpp"

#include <cmath>
#include <set>

namespace cnnbp {

using json = nlohmann::ordered_json;

using ops::scaled;
using ops::operator+;

namespace {

Value value_of(const Array& a, const std::string& what) {
    if (a.rank() == 4) return to_tensor4(a, what);
    if (a.rank() == 2) return to_matrix(a, what);
    fail(what, " must be a rank-4 (N,C,H,W) or rank-2 (N,D) tensor, but it has shape ", a.shape_string());
}

bool is_layer(const Op& op) { return op.forward != nullptr; }

Layer read_layer(const json& spec, std::size_t l) {
    const std::string where = "params.layers[" + std::to_string(l) + "]";
    if (!spec.is_object() || !spec.contains("op") || !spec["op"].is_string()) fail(where, " must be an object with an op");
    const std::string name = spec["op"].get<std::string>();
    const auto& table = op_table();
    const auto it = std::find_if(table.begin(), table.end(), [&](const Op& op) { return op.name == name && is_layer(op); });
    if (it == table.end()) fail(where, ".op \"", name, "\" is not a layer (", op_names(is_layer), ")");
    json params = spec;
    params.erase("op");
    return {&*it, it->read(ParamReader{params, name, where})};
}

void allow(const json& object, const std::string& where, const std::set<std::string>& names, const std::string& what) {
    for (const auto& [key, value] : object.items())
        if (!names.count(key)) fail(where, ".", key, " is not ", what);
}

}  // namespace

NetworkCase read_network(const json& doc) {
    static const json no_params = json::object();
    const json& params = doc.contains("params") ? doc["params"] : no_params;
    if (!params.is_object()) fail("params must be an object");
    allow(params, "params", {"layers", "loss"}, "a parameter of sequential (layers, loss)");
    if (!doc.contains("inputs") || !doc["inputs"].is_object()) fail("inputs is missing or not an object");
    const json& inputs = doc["inputs"];
    allow(inputs, "inputs", {"x", "y", "labels", "layer_params"}, "an input of sequential");
    if (!params.contains("layers") || !params["layers"].is_array() || params["layers"].empty())
        fail("params.layers must be a non-empty list of layers");
    if (!params.contains("loss") || (params["loss"] != "mse" && params["loss"] != "softmax_cross_entropy"))
        fail("params.loss must be \"mse\" or \"softmax_cross_entropy\"");
    if (params["layers"].size() > limits().layers)
        fail("params.layers has ", params["layers"].size(), " layers, more than the limit of ", limits().layers, " (--max-layers)");
    if (doc.contains("dout"))
        fail("dout: a sequential case has none; its gradients are those of the loss, as if dout were 1");
    NetworkCase net;
    for (std::size_t l = 0; l < params["layers"].size(); ++l) net.layers.push_back(read_layer(params["layers"][l], l));
    const std::size_t L = net.layers.size();
    if (!inputs.contains("layer_params") || !inputs["layer_params"].is_array() || inputs["layer_params"].size() != L)
        fail("inputs.layer_params must be a list of one object per layer ({\"w\", \"b\"} or {}), ", L, " in all");
    net.params.resize(L);
    for (std::size_t l = 0; l < L; ++l) {
        const json& lp = inputs["layer_params"][l];
        const std::string where = "inputs.layer_params[" + std::to_string(l) + "]";
        if (!lp.is_object()) fail(where, " must be an object");
        for (const auto& [key, value] : lp.items()) {
            if (key == "w") net.params[l].w = value_of(array_from_json(value, where + ".w", false), where + ".w");
            else if (key == "b") net.params[l].b = to_vector(array_from_json(value, where + ".b", false), where + ".b");
            else fail(where, ".", key, " is not a parameter (w, b)");
        }
    }
    auto input = [&](const char* key) {
        if (!inputs.contains(key)) fail("inputs.", key, " is missing: sequential needs it");
        return array_from_json(inputs[key], std::string("inputs.") + key, false);
    };
    net.x = value_of(input("x"), "inputs.x");
    if (params["loss"] == "mse") {
        net.loss = MseLoss{to_matrix(input("y"), "inputs.y")};
    } else {
        net.loss = SoftmaxCrossEntropyLoss{ops::class_labels(input("labels"))};
    }
    return net;
}

json write_network(const NetworkCase& net, const std::string& name) {
    json layers = json::array(), params = json::array();
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
        json spec = {{"op", net.layers[l].op->name}};
        spec.update(net.layers[l].op->write(net.layers[l].params));
        layers.push_back(spec);
        json p = json::object();
        if (net.params[l].w) p["w"] = array_to_json(ops::array_of(*net.params[l].w));
        if (net.params[l].b) p["b"] = array_to_json(to_array(*net.params[l].b));
        params.push_back(p);
    }
    const bool mse = std::holds_alternative<MseLoss>(net.loss);
    json doc = {{"format", "cnnbp-case/1"}, {"name", name}, {"op", "sequential"},
                {"params", {{"layers", layers}, {"loss", mse ? "mse" : "softmax_cross_entropy"}}}};
    doc["inputs"] = {{"x", array_to_json(ops::array_of(net.x))}};
    if (mse) doc["inputs"]["y"] = array_to_json(to_array(std::get<MseLoss>(net.loss).y));
    else doc["inputs"]["labels"] = arma::conv_to<std::vector<unsigned long long>>::from(std::get<SoftmaxCrossEntropyLoss>(net.loss).labels);
    doc["inputs"]["layer_params"] = params;
    return doc;
}

void evaluate_network(const NetworkCase& net, Evaluation& e) {
    const SequentialTrace t = sequential_backprop(net.layers, net.params, net.x, net.loss);
    const std::size_t L = net.layers.size();
    auto where = [&](std::size_t l) { return "layer " + std::to_string(l) + " (" + net.layers[l - 1].op->name + ")"; };

    // (E6) forward: c[0] = 0 (the inputs are exact), c[l] = n M + |J| c[l-1]
    std::vector<Value> c{scaled(0.0, net.x)};
    for (std::size_t l = 1; l <= L; ++l) {
        const Layer& layer = net.layers[l - 1];
        std::vector<Fragile> found;
        c.push_back(layer.op->forward_error(layer.params, net.params[l - 1], t.a[l - 1], c[l - 1], where(l), found));
        // (E7): a max pool's window whose largest value is a relu's exact 0 cannot change any gradient (every cell's
        // relu derivative is 0); a relu input near 0 is recorded by the relu itself
        const bool after_relu = l >= 2 && net.layers[l - 2].op->name == "relu";
        for (Fragile& f : found)
            if (!(after_relu && f.largest == 0.0)) e.fragile.push_back(std::move(f));
    }
    // the loss and its gradient, with the error of a[L]
    const arma::mat& out = std::get<arma::mat>(t.a[L]);
    const arma::mat& cl = std::get<arma::mat>(c[L]);
    const double N = double(out.n_rows);
    double c_loss;
    arma::mat g_out;
    if (const auto* m = std::get_if<MseLoss>(&net.loss)) {
        const arma::mat mag = arma::abs(out) + arma::abs(m->y);
        c_loss = (double(out.n_elem) + 3) * arma::accu(arma::square(mag)) / (2 * N) + arma::accu(arma::abs(out - m->y) % cl) / N;
        g_out = 3 * mag / N + cl / N;
    } else {
        const arma::uvec& labels = std::get<SoftmaxCrossEntropyLoss>(net.loss).labels;
        const arma::mat p = softmax(out);
        arma::mat onehot(arma::size(out), arma::fill::zeros);
        for (arma::uword n = 0; n < out.n_rows; ++n) onehot(n, labels(n)) = 1;
        arma::mat spread = arma::abs(out);
        spread.each_col() += arma::abs(arma::max(out, 1));
        const double n_terms = double(out.n_cols) + 4;
        double mag = 0;
        for (arma::uword n = 0; n < out.n_rows; ++n) mag += spread.row(n).max() * 2 + std::log(double(out.n_cols)) + 1;
        c_loss = n_terms * mag / N + arma::accu(arma::abs(p - onehot) % cl) / N;
        arma::mat through = cl;  // |J_softmax| c <= p (c + sum_m p_m c_m), row by row
        through.each_col() += arma::sum(p % cl, 1);
        g_out = n_terms * (p % (spread + 2) + onehot) / N + 2 * (p % through) / N;
    }
    // (E6) backward
    std::vector<BackwardCoefficients> back(L + 1);
    Value g = g_out;
    for (std::size_t l = L; l >= 1; --l) {
        const Layer& layer = net.layers[l - 1];
        back[l] = layer.op->backward_error(layer.params, net.params[l - 1], t.a[l - 1], c[l - 1], t.da[l], g);
        g = back[l].g_in;
    }
    auto coefficient = [](Array value, const Value& coef) { return rounded_output(std::move(value), ops::array_of(coef), 1.0); };
    e.layers = L;
    e.outputs["loss"] = rounded_output(to_array(t.loss), to_array(c_loss), 1.0);
    e.outputs["dx"] = coefficient(ops::array_of(t.da[0]), g);
    for (std::size_t l = 1; l <= L; ++l) {
        const std::string key = "layer_grads[" + std::to_string(l - 1) + "]";
        if (t.grads[l - 1].dw) e.outputs[key + ".dw"] = coefficient(ops::array_of(*t.grads[l - 1].dw), *back[l].dw);
        if (t.grads[l - 1].db) e.outputs[key + ".db"] = rounded_output(to_array(*t.grads[l - 1].db), to_array(*back[l].db), 1.0);
    }
}

}  // namespace cnnbp
