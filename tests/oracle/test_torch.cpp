// PyTorch as an independent witness: random cases of every layer, computed by examples/torch_layers.py (float64
// autograd, the one PyTorch reference of the repository), must agree with cnnbp's forward and default backward.
// python3-torch is installed by tools/install-deps.sh; if it is missing this test fails, it is never skipped.
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/layers/pad2d.hpp"
#include "cnnbp/ops/op.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "support/compare.hpp"
#include "support/generators.hpp"
#include "support/json_tensor.hpp"
#include "support/tolerances.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace cnnbp;
using namespace cnnbp::testing;
using nlohmann::json;

namespace {

// Runs examples/torch_layers.py in float64 on case files, over its JSON-lines protocol, and returns its answers.
json run_torch_cases(const json& cases, const std::string& stem) {
    const std::string in = stem + ".in.jsonl", out = stem + ".out.jsonl";
    {
        std::ofstream lines(in);
        for (const json& c : cases) lines << c.dump() << '\n';
    }
    const std::string cmd = "/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/torch_layers.py --dtype float64 < " + in + " > " + out;
    INFO("command: " << cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    json results = json::array();
    std::ifstream answers(out);
    for (std::string line; std::getline(answers, line);) results.push_back(json::parse(line));
    std::remove(in.c_str());
    std::remove(out.c_str());
    REQUIRE(results.size() == cases.size());
    return results;
}

// The same for requests that hold "op", "params", the inputs and "dout" side by side.
json run_torch(const json& requests, const std::string& stem) {
    json cases = json::array();
    for (const json& r : requests) {
        json c = {{"format", "cnnbp-case/1"}, {"op", r["op"]}, {"params", r.value("params", json::object())},
                  {"inputs", json::object()}};
        for (const auto& [key, value] : r.items())
            if (key == "dout") c["dout"] = value;
            else if (key != "op" && key != "params") c["inputs"][key] = value;
        cases.push_back(c);
    }
    return run_torch_cases(cases, stem);
}

// Draws `count` cases from a generator with a fixed seed, sizes sweeping RapidCheck's 0..100.
template <class T>
std::vector<T> draw(const rc::Gen<T>& gen, int count) {
    std::vector<T> cases;
    for (int i = 0; i < count; ++i) cases.push_back(gen(rc::Random(20261128u + i), i % 101).value());
    return cases;
}

}  // namespace

TEST_CASE("conv2d agrees with PyTorch on 300 random cases", "[conv2d][torch]") {
    const std::vector<ConvCase> cases = draw(gen_conv_case(), 300);
    json requests = json::array();
    for (const ConvCase& k : cases) {
        json r = {{"op", "conv2d"},
                  {"params",
                   {{"stride", {k.p.stride_h, k.p.stride_w}},
                    {"padding", to_json(k.p.pad)},
                    {"dilation", {k.p.dilation_h, k.p.dilation_w}},
                    {"groups", k.p.groups}}},
                  {"x", to_json(k.x)},
                  {"w", to_json(k.w)},
                  {"dout", to_json(k.dout)}};
        if (k.b) r["b"] = to_json(*k.b);
        requests.push_back(r);
    }
    const json results = run_torch(requests, "torch_conv2d");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const ConvCase& k = cases[i];
        INFO("case " << i << ": " << requests[i].dump());
        const Conv2dGrads g = conv2d_backward(k.dout, k.x, k.w, k.p);
        CNNBP_CHECK_CLOSE(compare("out", conv2d_forward(k.x, k.w, k.b, k.p), tensor4_from_json(results[i]["out"]), forms_agree));
        CNNBP_CHECK_CLOSE(compare("dx", g.dx, tensor4_from_json(results[i]["dx"]), forms_agree));
        CNNBP_CHECK_CLOSE(compare("dw", g.dw, tensor4_from_json(results[i]["dw"]), forms_agree));
        if (k.b) CNNBP_CHECK_CLOSE(compare("db", g.db, vec_from_json(results[i]["db"]), forms_agree));
    }
}

TEST_CASE("pad2d agrees with PyTorch on 100 random cases", "[pad2d][torch]") {
    const std::vector<PadCase> cases = draw(gen_pad_case(), 100);
    json requests = json::array();
    for (const PadCase& k : cases)
        requests.push_back({{"op", "pad2d"}, {"params", {{"padding", to_json(k.p)}}}, {"x", to_json(k.x)}, {"dout", to_json(k.dout)}});
    const json results = run_torch(requests, "torch_pad2d");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("case " << i << ": " << requests[i].dump());
        CNNBP_CHECK_CLOSE(compare("out", pad2d_forward(cases[i].x, cases[i].p), tensor4_from_json(results[i]["out"]), exact));
        CNNBP_CHECK_CLOSE(compare("dx", pad2d_backward(cases[i].dout, cases[i].p).dx, tensor4_from_json(results[i]["dx"]), exact));
    }
}

namespace {

json window_json(const Window2d& g) {
    return {{"kernel", {g.kernel_h, g.kernel_w}}, {"stride", {g.stride_h, g.stride_w}}, {"padding", to_json(g.pad)},
            {"dilation", {g.dilation_h, g.dilation_w}}, {"ceil_mode", g.ceil_mode}};
}

// PyTorch pools with symmetric padding only: pad each axis with the larger of its two paddings, which keeps the
// window valid except that a dilated window may now lie wholly in the padding (the caller falls back to dilation 1).
Window2d symmetric(Window2d g) {
    g.pad.top = g.pad.bottom = std::max(g.pad.top, g.pad.bottom);
    g.pad.left = g.pad.right = std::max(g.pad.left, g.pad.right);
    return g;
}

json matrix_json(const arma::mat& m) {
    json rows = json::array();
    for (arma::uword i = 0; i < m.n_rows; ++i) rows.push_back(arma::conv_to<std::vector<double>>::from(m.row(i)));
    return rows;
}

arma::mat matrix_from_json(const json& j) {
    arma::mat m(j.size(), j.at(0).size());
    for (arma::uword i = 0; i < m.n_rows; ++i)
        for (arma::uword k = 0; k < m.n_cols; ++k) m(i, k) = j.at(i).at(k).get<double>();
    return m;
}

}  // namespace

TEST_CASE("maxpool2d and avgpool2d agree with PyTorch on 200 random cases each", "[pooling][torch]") {
    std::vector<MaxPoolCase> max_cases = draw(gen_maxpool_case(), 200);
    std::vector<AvgPoolCase> avg_cases = draw(gen_avgpool_case(), 200);
    json requests = json::array();
    for (MaxPoolCase& k : max_cases) {
        k.g = symmetric(k.g);
        try {
            k.dout = Tensor4(maxpool2d_forward(k.x, k.g).shape());  // the symmetric window may change the output size
        } catch (const Error&) {
            k.g.dilation_h = k.g.dilation_w = 1;  // symmetric padding made a window lie in the padding (G4)
            k.dout = Tensor4(maxpool2d_forward(k.x, k.g).shape());
        }
        for (arma::uword e = 0; e < k.dout.size(); ++e) k.dout.memptr()[e] = double(e % 7) - 3;
        requests.push_back({{"op", "maxpool2d"}, {"params", window_json(k.g)}, {"x", to_json(k.x)}, {"dout", to_json(k.dout)}});
    }
    for (AvgPoolCase& k : avg_cases) {
        k.p.window = symmetric(k.p.window);
        k.dout = Tensor4(avgpool2d_forward(k.x, k.p).shape());
        for (arma::uword e = 0; e < k.dout.size(); ++e) k.dout.memptr()[e] = double(e % 5) - 2;
        json params = window_json(k.p.window);
        params["count_include_pad"] = k.p.count_include_pad;
        requests.push_back({{"op", "avgpool2d"}, {"params", params}, {"x", to_json(k.x)}, {"dout", to_json(k.dout)}});
    }
    const json results = run_torch(requests, "torch_pooling");
    for (std::size_t i = 0; i < max_cases.size(); ++i) {
        const MaxPoolCase& k = max_cases[i];
        INFO("case " << i << ": " << requests[i].dump());
        CNNBP_CHECK_CLOSE(compare("out", maxpool2d_forward(k.x, k.g), tensor4_from_json(results[i]["out"]), exact));
        CNNBP_CHECK_CLOSE(compare("dx", maxpool2d_backward(k.dout, k.x, k.g).dx, tensor4_from_json(results[i]["dx"]), exact));
    }
    for (std::size_t i = 0; i < avg_cases.size(); ++i) {
        const AvgPoolCase& k = avg_cases[i];
        const json& r = results[max_cases.size() + i];
        INFO("case " << i << ": " << requests[max_cases.size() + i].dump());
        CNNBP_CHECK_CLOSE(compare("out", avgpool2d_forward(k.x, k.p), tensor4_from_json(r["out"]), forms_agree));
        CNNBP_CHECK_CLOSE(compare("dx", avgpool2d_backward(k.dout, k.x.shape(), k.p).dx, tensor4_from_json(r["dx"]), forms_agree));
    }
}

TEST_CASE("linear, the activations and the losses agree with PyTorch", "[linear][activation][loss][torch]") {
    const std::vector<LinearCase> lin = draw(gen_linear_case(), 100);
    const std::vector<LossCase> losses = draw(gen_loss_case(), 100);
    const std::vector<PadCase> acts = draw(gen_pad_case(), 30);  // reuse its x and a dout shaped like x
    json requests = json::array();
    for (const LinearCase& k : lin) {
        json r = {{"op", "linear"}, {"x", matrix_json(k.x)}, {"w", matrix_json(k.w)}, {"dout", matrix_json(k.dout)}};
        if (k.b) r["b"] = to_json(*k.b);
        requests.push_back(r);
    }
    for (const PadCase& k : acts)
        for (const char* op : {"relu", "sigmoid", "tanh"})
            requests.push_back({{"op", op}, {"x", to_json(k.x)}, {"dout", to_json(pad2d_backward(k.dout, k.p).dx)}});
    for (const LossCase& k : losses) {
        requests.push_back({{"op", "mse"}, {"a", matrix_json(k.a)}, {"y", matrix_json(k.y)}});
        requests.push_back({{"op", "softmax_cross_entropy"}, {"z", matrix_json(k.a * 8.0)},
                            {"labels", arma::conv_to<std::vector<arma::uword>>::from(k.labels)}});
    }
    const json results = run_torch(requests, "torch_dense");
    std::size_t i = 0;
    for (const LinearCase& k : lin) {
        const json& r = results[i++];
        INFO("linear case " << requests[i - 1].dump());
        const LinearGrads g = linear_backward(k.dout, k.x, k.w);
        CNNBP_CHECK_CLOSE(compare("out", linear_forward(k.x, k.w, k.b), matrix_from_json(r["out"]), forms_agree));
        CNNBP_CHECK_CLOSE(compare("dx", g.dx, matrix_from_json(r["dx"]), forms_agree));
        CNNBP_CHECK_CLOSE(compare("dw", g.dw, matrix_from_json(r["dw"]), forms_agree));
        if (k.b) CNNBP_CHECK_CLOSE(compare("db", g.db, vec_from_json(r["db"]), forms_agree));
    }
    for (const PadCase& k : acts) {
        const Tensor4 dout = pad2d_backward(k.dout, k.p).dx;
        const Tensor4 outs[] = {relu_forward(k.x), sigmoid_forward(k.x), tanh_forward(k.x)};
        const Tensor4 dxs[] = {relu_backward(dout, k.x).dx, sigmoid_backward(dout, k.x).dx, tanh_backward(dout, k.x).dx};
        for (int f = 0; f < 3; ++f) {
            const json& r = results[i++];
            INFO(requests[i - 1]["op"]);
            CNNBP_CHECK_CLOSE(compare("out", outs[f], tensor4_from_json(r["out"]), transcendental_value));
            CNNBP_CHECK_CLOSE(compare("dx", dxs[f], tensor4_from_json(r["dx"]), transcendental_derivative(arma::abs(dout.data()).max())));
        }
    }
    for (const LossCase& k : losses) {
        const json& m = results[i++];
        CNNBP_CHECK_CLOSE(compare("mse", mse_forward(k.a, k.y), m["loss"].get<double>(), forms_agree));
        CNNBP_CHECK_CLOSE(compare("da", mse_backward(1.0, k.a, k.y).da, matrix_from_json(m["da"]), forms_agree));
        const json& c = results[i++];
        const arma::mat z = k.a * 8.0;
        CNNBP_CHECK_CLOSE(compare("cross-entropy", softmax_cross_entropy_forward(z, k.labels), c["loss"].get<double>(),
                                  cross_entropy_loss(arma::abs(z).max(), double(z.n_cols))));
        CNNBP_CHECK_CLOSE(compare("dz", softmax_cross_entropy_backward(1.0, z, k.labels).dz, matrix_from_json(c["dz"]), cross_entropy_gradient));
    }
}

// Every op of the table, on the random cases its own generator draws (those hunt draws), computed by PyTorch and judged
// by the oracle in float64 with PyTorch's tie rule: PyTorch's answer lies within the bound (E3) of cnnbp's.
TEST_CASE("every op agrees with PyTorch within the float64 bound on 100 cases its generator draws", "[ops][torch]") {
    const Precision float64 = precision("float64");
    for (const Op& op : op_table()) {
        if (!op.generate) continue;
        json cases = json::array();
        for (std::uint64_t seed = 1; seed <= 100; ++seed) {
            RandomDraw d(seed, {});
            OpCase c = op.generate(d);
            c.op = &op;
            cases.push_back(json::parse(write_case(c, op.name + " " + std::to_string(seed)).dump()));
        }
        const json results = run_torch_cases(cases, "torch_every_op_" + op.name);
        int judged = 0;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            if (results[i].contains("unsupported")) continue;  // pooling with different padding at the two ends
            INFO(op.name << " case " << i << ": " << cases[i].dump() << "\nPyTorch: " << results[i].dump());
            const nlohmann::ordered_json result = nlohmann::ordered_json::parse(results[i].dump());
            const Verdict v = check_result(evaluate_case(cases[i], "torch"), result, "torch", float64, TiePolicy::first);
            CHECK(v.pass());
            CHECK(v.tensors.size() == evaluate_case(cases[i], "torch").outputs.size());
            ++judged;
        }
        INFO(op.name);
        CHECK(judged >= 30);  // PyTorch pools only with the same padding at both ends
    }
}
