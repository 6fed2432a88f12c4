// PyTorch as an independent witness: random conv2d and pad2d cases from the property generators, computed by
// tools/torch_reference.py (float64 autograd), must agree with cnnbp's forward and default backward.
// python3-torch is installed by tools/install-deps.sh; if it is missing this test fails, it is never skipped.
#include "cnnbp/conv2d.hpp"
#include "cnnbp/pad2d.hpp"
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

// Runs tools/torch_reference.py on the cases and returns its results, one per case.
json run_torch(const json& cases, const std::string& stem) {
    const std::string in = stem + ".in.json", out = stem + ".out.json";
    std::ofstream(in) << cases.dump();
    const std::string cmd = "/usr/bin/python3 " CNNBP_SOURCE_DIR "/tools/torch_reference.py < " + in + " > " + out;
    INFO("command: " << cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    json results = json::parse(std::ifstream(out));
    std::remove(in.c_str());
    std::remove(out.c_str());
    REQUIRE(results.size() == cases.size());
    return results;
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
