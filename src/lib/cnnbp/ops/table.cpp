// The table of ops: one line per op. Each op's description is in ops/NAME.cpp, its math in layers/NAME.hpp.
#include "cnnbp/core/error.hpp"
#include "cnnbp/ops/op.hpp"
#include "cnnbp/oracle/case_file.hpp"

#include <algorithm>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace ops {
Op pad2d_op();
Op conv2d_op();
Op conv_transpose2d_op();
Op maxpool2d_op();
Op avgpool2d_op();
Op linear_op();
Op relu_op();
Op sigmoid_op();
Op tanh_op();
Op flatten_op();
Op mse_op();
Op softmax_cross_entropy_op();
}  // namespace ops

const std::vector<Op>& op_table() {
    static const std::vector<Op> table = {
        ops::pad2d_op(),
        ops::conv2d_op(),
        ops::maxpool2d_op(),
        ops::avgpool2d_op(),
        ops::linear_op(),
        ops::relu_op(),
        ops::sigmoid_op(),
        ops::tanh_op(),
        ops::flatten_op(),
        ops::mse_op(),
        ops::softmax_cross_entropy_op(),
        ops::conv_transpose2d_op(),
    };
    return table;
}

const Op& find_op(const std::string& name, const std::string& where) {
    const auto& table = op_table();
    const auto it = std::find_if(table.begin(), table.end(), [&](const Op& op) { return op.name == name; });
    if (it == table.end()) fail(where, " \"", name, "\" is unknown (cnnbp knows ", op_names(), ", sequential)");
    return *it;
}

std::vector<std::string> op_list(bool (*keep)(const Op&)) {
    std::vector<std::string> names;
    for (const Op& op : op_table())
        if (!keep || keep(op)) names.push_back(op.name);
    return names;
}

std::string op_names(bool (*keep)(const Op&)) {
    std::string list;
    for (const std::string& name : op_list(keep)) list += (list.empty() ? "" : ", ") + name;
    return list;
}

json write_case(const OpCase& c, const std::string& name) {
    json doc = {{"format", "cnnbp-case/1"}, {"name", name}, {"op", c.op->name}};
    json params = c.op->write(c.params);
    if (!params.empty()) doc["params"] = std::move(params);
    doc["inputs"] = json::object();
    for (const std::string& input : c.op->inputs) {
        if (!c.inputs.count(input)) continue;
        const Array& a = c.inputs.at(input);
        if (input == "labels")  // class indices, written as integers
            doc["inputs"][input] = std::vector<long long>(a.data.begin(), a.data.end());
        else
            doc["inputs"][input] = array_to_json(a);
    }
    if (c.dout) doc["dout"] = array_to_json(*c.dout);
    return doc;
}

OpCase read_case(const json& doc) {
    const std::string name = doc.at("op").get<std::string>();
    OpCase c;
    c.op = &find_op(name, "op");
    static const json no_params = json::object();
    if (doc.contains("params") && !doc["params"].is_object()) fail("params must be an object");
    c.params = c.op->read(ParamReader{doc.contains("params") ? doc["params"] : no_params, name});
    if (!doc.contains("inputs") || !doc["inputs"].is_object()) fail("inputs is missing or not an object");
    for (const auto& [key, value] : doc["inputs"].items()) {
        if (std::find(c.op->inputs.begin(), c.op->inputs.end(), key) == c.op->inputs.end())
            fail("inputs.", key, " is not an input of ", name);
        c.inputs[key] = array_from_json(value, "inputs." + key, false);
    }
    for (const std::string& input : c.op->inputs)
        if (!c.inputs.count(input) && std::find(c.op->optional.begin(), c.op->optional.end(), input) == c.op->optional.end())
            fail("inputs.", input, " is missing: ", name, " needs it");
    if (doc.contains("dout")) c.dout = array_from_json(doc["dout"], "dout", false);
    else if (!c.op->loss) fail("dout is missing: ", name, " needs the upstream gradient");
    return c;
}

}  // namespace cnnbp
