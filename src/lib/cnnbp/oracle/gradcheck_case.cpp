#include "cnnbp/oracle/gradcheck_case.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"

#include <cmath>
#include <tuple>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace {

const char* gradient_of(const std::string& input) {
    if (input == "x") return "dx";
    if (input == "w") return "dw";
    if (input == "b") return "db";
    if (input == "a") return "da";
    return "dz";
}

// The scalar the gradients differentiate: <out, dout> for a layer, dloss * loss for a loss.
double objective(const json& doc, const std::string& file) {
    const Evaluation e = evaluate_case(doc, file);
    if (e.outputs.count("loss")) {
        const double dloss = doc.contains("dout") ? doc["dout"].get<double>() : 1.0;
        return dloss * e.outputs.at("loss").value.data[0];
    }
    const Array dout = array_from_json(doc["dout"], file + ": dout", false);
    const Array& out = e.outputs.at("out").value;
    double sum = 0;
    for (std::size_t k = 0; k < out.data.size(); ++k) sum += out.data[k] * dout.data[k];
    return sum;
}

// The JSON element of a nested array at row-major index k.
json& element(json& j, const Array& shape, arma::uword k) {
    json* at = &j;
    std::vector<arma::uword> index(shape.shape.size());
    for (std::size_t i = shape.shape.size(); i-- > 0;) index[i] = k % shape.shape[i], k /= shape.shape[i];
    for (arma::uword i : index) at = &(*at)[i];
    return *at;
}

}  // namespace

std::vector<GradcheckRow> gradcheck_case(const json& case_doc, const std::string& file, arma::uword max_elements) {
    // the elements are perturbed in the document itself, so binary tensors are brought into it first
    json doc = case_doc;
    inline_npy(doc, file, false);
    const Evaluation e = evaluate_case(doc, file);
    // every differentiable input, with where its gradient is: x -> dx, ..., and a network's layer parameters
    std::vector<std::tuple<std::string, json::json_pointer, std::string>> targets;
    for (const auto& [input, value] : doc["inputs"].items()) {
        if (input == "labels" || input == "y") continue;  // not differentiable inputs
        if (input == "layer_params") {
            for (std::size_t l = 0; l < value.size(); ++l)
                for (const auto& [name, t] : value[l].items())
                    targets.emplace_back("layer " + std::to_string(l + 1) + " " + name,
                                         json::json_pointer("/inputs/layer_params/" + std::to_string(l) + "/" + name),
                                         "layer_grads[" + std::to_string(l) + "].d" + name);
            continue;
        }
        targets.emplace_back(input, json::json_pointer("/inputs/" + input), gradient_of(input));
    }
    std::vector<GradcheckRow> rows;
    for (const auto& [input, pointer, gradient] : targets) {
        const Array x = array_from_json(doc.at(pointer), file + ": " + input, false);
        GradcheckRow row;
        row.input = input;
        row.gradient = gradient;
        const Expected& g = e.outputs.at(gradient);
        double scale = 0;
        for (double v : g.value.data) scale = std::max(scale, std::abs(v));
        const arma::uword n = x.data.size(), stride = max_elements == 0 || n <= max_elements ? 1 : (n + max_elements - 1) / max_elements;
        json probe = doc;
        for (arma::uword k = 0; k < n; k += stride) {
            if (!g.has_interval.empty() && g.has_interval[k]) continue;  // a tie or a kink: no derivative to measure
            const double xk = x.data[k], h = fd_step(xk);
            element(probe.at(pointer), x, k) = xk + h;
            const double up = objective(probe, file);
            element(probe.at(pointer), x, k) = xk - h;
            const double down = objective(probe, file);
            element(probe.at(pointer), x, k) = xk;
            const double numerical = (up - down) / (2 * h);
            const double relative = std::abs(numerical - g.value.data[k]) / std::max(scale, 1e-300);
            ++row.checked;
            if (relative >= row.worst_relative) row.worst_relative = relative, row.worst_index = x.index_string(k);
        }
        rows.push_back(row);
    }
    return rows;
}

}  // namespace cnnbp
