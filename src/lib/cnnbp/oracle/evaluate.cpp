#include "cnnbp/oracle/evaluate.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/float_format.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/network.hpp"
#include "cnnbp/ops/op.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <sstream>

namespace cnnbp {

using json = nlohmann::ordered_json;

Expected rounded_output(Array value, Array magnitude, double roundings) {
    Array n{value.shape, std::vector<double>(value.data.size(), roundings)};
    Expected e;
    e.value = std::move(value), e.magnitude = std::move(magnitude), e.roundings = std::move(n);
    return e;
}

Expected summed_output(Array value, Array magnitude, Array squares, double roundings, double largest,
                       std::initializer_list<const FactorCheck*> factors) {
    Expected e = rounded_output(std::move(value), std::move(magnitude), roundings);
    e.summed = true;
    if (std::all_of(factors.begin(), factors.end(), [](const FactorCheck* f) { return f->repeats; })) {
        e.model_refused = "every factor of the terms repeats a few values, so their rounding errors repeat instead of "
                          "averaging out: judged by the certain bound (E3)";
        return e;
    }
    e.squares = std::move(squares);
    e.largest = largest;
    for (const FactorCheck* f : factors)
        if (!f->drift.empty()) {
            e.model_refused = f->drift + ": the data model (D) is not assumed, bound (E9) with (E8a)";
            break;
        }
    return e;
}

Expected exact_output(Array value) {
    Array m = value;
    for (double& v : m.data) v = std::abs(v);
    return rounded_output(std::move(value), std::move(m), 0.0);
}

namespace {

// The number of binary places of x: the smallest q >= 0 with x 2^q an integer.
int binary_places(double x) {
    if (x == 0 || !std::isfinite(x)) return 0;
    int e = 0;
    const double m = std::frexp(x, &e);  // x = m 2^e, 1/2 <= |m| < 1: m 2^53 is an integer
    const auto significand = std::uint64_t(std::abs(std::ldexp(m, 53)));
    return std::max(0, 53 - std::countr_zero(significand) - e);
}

// Notes in e.unrepresentable, for each format narrower than double, the first of the `count` values at `v` (input
// `name`) that is not one of its values; `where(k)` names element k. For a case that says "exact", also the most
// binary places of its values, e.fraction_bits (E12).
template <class Where>
void note_values(Evaluation& e, const std::string& name, const double* v, std::size_t count, Where where) {
    if (e.exact)
        for (std::size_t k = 0; k < count; ++k) e.fraction_bits = std::max(e.fraction_bits, binary_places(v[k]));
    static const char* formats[] = {"float32", "bfloat16", "float16"};
    for (const char* f : formats) {
        if (e.unrepresentable.count(f)) continue;
        const FloatFormat& format = float_format(f);
        for (std::size_t k = 0; k < count; ++k)
            if (round_to(v[k], format) != v[k]) {
                std::ostringstream os;
                os << std::setprecision(17) << name << " " << where(k) << " = " << v[k];
                e.unrepresentable[f] = os.str();
                break;
            }
    }
}

void note_array(Evaluation& e, const std::string& name, const Array& a) {
    note_values(e, name, a.data.data(), a.data.size(), [&](std::size_t k) { return a.index_string(k); });
}

template <class Armadillo>
void note_armadillo(Evaluation& e, const std::string& name, const Armadillo& a) {
    note_values(e, name, a.memptr(), a.n_elem, [](std::size_t k) { return "value " + std::to_string(k); });
}

void note_value(Evaluation& e, const std::string& name, const Value& v) {
    if (const auto* t = std::get_if<Tensor4>(&v)) note_armadillo(e, name, t->data());
    else note_armadillo(e, name, std::get<arma::mat>(v));
}

}  // namespace

Evaluation evaluate_case(const json& doc, const std::string& file) {
    if (!doc.is_object()) fail(file, ": a case must be a JSON object");
    if (!doc.contains("format")) fail(file, ": format is missing; a case starts with \"format\": \"cnnbp-case/1\"");
    if (doc["format"] != "cnnbp-case/1") fail(file, ": format is ", doc["format"].dump(), " but cnnbp reads \"cnnbp-case/1\"");
    if (!doc.contains("op") || !doc["op"].is_string()) fail(file, ": op is missing or not a string");
    Evaluation e;
    e.op = doc["op"].get<std::string>();
    if (doc.contains("exact")) {
        if (!doc["exact"].is_boolean()) fail(file, ": exact must be true or false");
        e.exact = doc["exact"].get<bool>();
    }
    try {
        if (e.op == "sequential") {
            const NetworkCase net = read_network(doc);
            note_value(e, "inputs.x", net.x);
            for (std::size_t l = 0; l < net.params.size(); ++l) {
                const std::string at = "inputs.layer_params[" + std::to_string(l) + "].";
                if (net.params[l].w) note_value(e, at + "w", *net.params[l].w);
                if (net.params[l].b) note_armadillo(e, at + "b", *net.params[l].b);
            }
            if (const auto* mse = std::get_if<MseLoss>(&net.loss)) note_armadillo(e, "inputs.y", mse->y);
            evaluate_network(net, e);
        } else {
            const OpCase c = read_case(doc);
            for (const auto& [name, a] : c.inputs)
                if (name != "labels") note_array(e, "inputs." + name, a);  // labels are indices, not values
            if (c.dout) note_array(e, "dout", *c.dout);
            c.op->evaluate(c, e);
        }
    } catch (const Error& err) {
        const std::string what = err.what();
        if (what.rfind(file, 0) == 0) throw;  // already names the file
        fail(file, ": ", what);
    }
    return e;
}

json canonical_case(const json& doc) {
    json out = doc;
    if (doc.at("op") == "sequential") {
        out["params"] = write_network(read_network(doc), "")["params"];
    } else {
        const OpCase c = read_case(doc);
        out["params"] = c.op->write(c.params);
        if (out["params"].empty()) out.erase("params");  // an op without parameters (relu, flatten, ...)
    }
    return out;
}

std::vector<std::string> output_keys(const Evaluation& e) {
    static const std::vector<std::string> order = {"out", "loss", "dx", "da", "dz", "dw", "db"};
    std::vector<std::string> keys;
    for (const std::string& k : order)
        if (e.outputs.count(k)) keys.push_back(k);
    for (std::size_t l = 0; l < e.layers; ++l)
        for (const char* g : {".dw", ".db"}) {
            const std::string key = "layer_grads[" + std::to_string(l) + "]" + g;
            if (e.outputs.count(key)) keys.push_back(key);
        }
    return keys;
}

json expected_json(const Evaluation& e) {
    json out = json::object();
    for (const std::string& key : output_keys(e))
        if (key.rfind("layer_grads[", 0) != 0) out[key] = array_to_json(e.outputs.at(key).value);
    if (e.layers > 0) {
        out["layer_grads"] = json::array();
        for (std::size_t l = 0; l < e.layers; ++l) {
            json g = json::object();
            for (const char* name : {"dw", "db"}) {
                const std::string key = "layer_grads[" + std::to_string(l) + "]." + name;
                if (e.outputs.count(key)) g[name] = array_to_json(e.outputs.at(key).value);
            }
            out["layer_grads"].push_back(g);
        }
    }
    return out;
}

}  // namespace cnnbp
