#include "cnnbp/oracle/evaluate.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/network.hpp"
#include "cnnbp/ops/op.hpp"

#include <algorithm>

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
            evaluate_network(read_network(doc), e);
        } else {
            const OpCase c = read_case(doc);
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
