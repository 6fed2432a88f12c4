// An implementation of the protocol of `cnnbp suite` and `cnnbp hunt` (docs/protocol.md) in C++, linking the cnnbp
// library: it reads one case per line, computes conv2d, max and average pooling, linear and relu with cnnbp's layer
// functions, and answers "unsupported" for the other ops. Built as build/examples/cnnbp_example_impl:
//
//   build/cnnbp suite golden --impl build/examples/cnnbp_example_impl
//   build/cnnbp hunt --op conv2d --impl build/examples/cnnbp_example_impl
//
// A starting point for wiring your own C++ or CUDA kernels to cnnbp: replace the calls below by yours.
#include "cnnbp/cnnbp.hpp"
#include "cnnbp/oracle/case_file.hpp"

#include <iostream>
#include <string>

using json = nlohmann::ordered_json;
using namespace cnnbp;

namespace {

std::pair<int, int> pair_of(const json& params, const char* key, std::pair<int, int> fallback) {
    if (!params.contains(key)) return fallback;
    const json& v = params[key];
    return v.is_array() ? std::pair{v[0].get<int>(), v[1].get<int>()} : std::pair{v.get<int>(), v.get<int>()};
}

Padding padding_of(const json& params) {
    if (!params.contains("padding")) return {};
    const json& p = params["padding"];
    if (p.is_number()) return Padding::all(p.get<int>());
    return {p.value("top", 0), p.value("bottom", 0), p.value("left", 0), p.value("right", 0)};
}

Tensor4 tensor(const json& j, const char* what) { return to_tensor4(array_from_json(j, what, false), what); }
arma::mat matrix(const json& j, const char* what) { return to_matrix(array_from_json(j, what, false), what); }

Window2d window_of(const json& params) {
    Window2d g;
    std::tie(g.kernel_h, g.kernel_w) = pair_of(params, "kernel", {1, 1});
    std::tie(g.stride_h, g.stride_w) = pair_of(params, "stride", {g.kernel_h, g.kernel_w});
    std::tie(g.dilation_h, g.dilation_w) = pair_of(params, "dilation", {1, 1});
    g.pad = padding_of(params);
    g.ceil_mode = params.value("ceil_mode", false);
    return g;
}

json answer(const json& c) {
    const std::string op = c["op"];
    const json params = c.value("params", json::object());
    const json& in = c["inputs"];
    if (op == "conv2d") {
        Conv2dParams p;
        std::tie(p.stride_h, p.stride_w) = pair_of(params, "stride", {1, 1});
        std::tie(p.dilation_h, p.dilation_w) = pair_of(params, "dilation", {1, 1});
        p.pad = padding_of(params);
        p.groups = params.value("groups", 1);
        const Tensor4 x = tensor(in["x"], "x"), w = tensor(in["w"], "w");
        std::optional<arma::vec> b;
        if (in.contains("b")) b = to_vector(array_from_json(in["b"], "b", false), "b");
        const Conv2dGrads g = conv2d_backward(tensor(c["dout"], "dout"), x, w, p);
        json out = {{"out", array_to_json(to_array(conv2d_forward(x, w, b, p)))},
                    {"dx", array_to_json(to_array(g.dx))},
                    {"dw", array_to_json(to_array(g.dw))}};
        if (b) out["db"] = array_to_json(to_array(g.db));
        return out;
    }
    if (op == "maxpool2d") {
        const Tensor4 x = tensor(in["x"], "x");
        const Window2d g = window_of(params);
        return {{"out", array_to_json(to_array(maxpool2d_forward(x, g)))},
                {"dx", array_to_json(to_array(maxpool2d_backward(tensor(c["dout"], "dout"), x, g).dx))}};
    }
    if (op == "avgpool2d") {
        const Tensor4 x = tensor(in["x"], "x");
        const AvgPool2dParams p{window_of(params), params.value("count_include_pad", true)};
        return {{"out", array_to_json(to_array(avgpool2d_forward(x, p)))},
                {"dx", array_to_json(to_array(avgpool2d_backward(tensor(c["dout"], "dout"), x.shape(), p).dx))}};
    }
    if (op == "linear") {
        const arma::mat x = matrix(in["x"], "x"), w = matrix(in["w"], "w");
        std::optional<arma::vec> b;
        if (in.contains("b")) b = to_vector(array_from_json(in["b"], "b", false), "b");
        const LinearGrads g = linear_backward(matrix(c["dout"], "dout"), x, w);
        json out = {{"out", array_to_json(to_array(linear_forward(x, w, b)))},
                    {"dx", array_to_json(to_array(g.dx))},
                    {"dw", array_to_json(to_array(g.dw))}};
        if (b) out["db"] = array_to_json(to_array(g.db));
        return out;
    }
    if (op == "relu" && array_from_json(in["x"], "x", false).rank() == 4) {
        const Tensor4 x = tensor(in["x"], "x");
        return {{"out", array_to_json(to_array(relu_forward(x)))},
                {"dx", array_to_json(to_array(relu_backward(tensor(c["dout"], "dout"), x).dx))}};
    }
    return {{"unsupported", "this example computes conv2d, maxpool2d, avgpool2d, linear and relu on (N,C,H,W) only"}};
}

}  // namespace

int main() {
    for (std::string line; std::getline(std::cin, line);) {
        json reply;
        try {
            reply = answer(json::parse(line));
        } catch (const std::exception& e) {
            std::cerr << "cnnbp_example_impl: " << e.what() << '\n';  // stderr stays visible to the user
            reply = {{"unsupported", std::string("error: ") + e.what()}};
        }
        std::cout << reply.dump() << std::endl;  // one line per case, flushed
    }
}
