// The oracle's tolerance model and the golden suite. Derivation: \ref tolerances; format: \ref case_format.
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"
#include "support/compare.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace cnnbp;
using json = nlohmann::ordered_json;

namespace {

json conv_case() {
    return json::parse(R"({ "format": "cnnbp-case/1", "op": "conv2d", "params": { "padding": 1 },
      "inputs": { "x": [[[[0.1, 2, -3.3], [0.7, 1.1, 3], [2, -1, 1.9]]]], "w": [[[[0.3, -1], [1, 0.7]]]] },
      "dout": [[[[1, -1, 0.5, 3], [2, 0.5, -1.5, 1], [0.1, 1, 2, -2], [1, 1, 1, 1]]]] })");
}

// The oracle's own value rounded to float32, element by element: what a correct float32 implementation could store.
json rounded_to_float32(const Evaluation& e, const std::string& key) {
    Array a = e.outputs.at(key).value;
    for (double& v : a.data) v = double(float(v));
    return {{key, array_to_json(a)}};
}

}  // namespace

TEST_CASE("check: a float32-rounded correct result passes in float32 and fails in float64", "[oracle]") {
    const Evaluation e = evaluate_case(conv_case(), "conv");
    const json r = rounded_to_float32(e, "dx");
    CHECK(check_result(e, r, "r", precision("float32"), TiePolicy::any).pass());
    // the values have non-dyadic products, so float32 rounding is far outside the float64 bound
    CHECK_FALSE(check_result(e, r, "r", precision("float64"), TiePolicy::any).pass());
}

TEST_CASE("check: the bound is (E3), and one element just outside it fails", "[oracle]") {
    const Evaluation e = evaluate_case(conv_case(), "conv");
    const Expected& out = e.outputs.at("out");
    const Precision u = precision("float32");
    for (arma::uword k : {arma::uword(0), arma::uword(5)}) {
        const double n = out.roundings.data[k];
        const double bound = 2 * (n * u.u / (1 - n * u.u) * out.magnitude.data[k] + u.u * std::abs(out.value.data[k]) + u.tiny);
        Array inside = out.value, outside = out.value;
        inside.data[k] += 0.99 * bound;
        outside.data[k] += 1.01 * bound;
        CHECK(check_result(e, {{"out", array_to_json(inside)}}, "r", u, TiePolicy::any).pass());
        const Verdict v = check_result(e, {{"out", array_to_json(outside)}}, "r", u, TiePolicy::any);
        CHECK_FALSE(v.pass());
        CHECK(v.tensors[0].bound == Approx(bound).epsilon(1e-12));
    }
}

TEST_CASE("check: an exact case demands equality", "[oracle]") {
    json doc = conv_case();
    doc["inputs"]["x"] = json::parse("[[[[0.5, 2, -3], [0.75, 1, 3], [2, -1, 1.5]]]]");
    doc["inputs"]["w"] = json::parse("[[[[0.25, -1], [1, 0.5]]]]");
    doc["exact"] = true;
    // dout holds 0.1, which no binary grid holds: the claim cannot be confirmed (E12), so the bound judges
    const Evaluation claimed = evaluate_case(doc, "exact");
    Array a = claimed.outputs.at("out").value;
    a.data[3] = std::nextafter(a.data[3], 1e9);
    CHECK(check_result(claimed, {{"out", array_to_json(a)}}, "r", precision("float32"), TiePolicy::any).pass());
    doc["dout"][0][0][2][0] = 0.125;  // now every input is a multiple of 2^-3: every sum is exact, the bound is 0
    const Evaluation e = evaluate_case(doc, "exact");
    a = e.outputs.at("out").value;
    CHECK(check_result(e, {{"out", array_to_json(a)}}, "r", precision("float32"), TiePolicy::any).pass());
    a.data[3] = std::nextafter(a.data[3], 1e9);
    CHECK_FALSE(check_result(e, {{"out", array_to_json(a)}}, "r", precision("float32"), TiePolicy::any).pass());
}

TEST_CASE("check: at a max-pool tie any split passes by default, and --ties first demands the first maximum", "[oracle][convention]") {
    const json doc = json::parse(R"({ "format": "cnnbp-case/1", "op": "maxpool2d", "params": { "kernel": 2 },
      "inputs": { "x": [[[[3, 1], [3, 3]]]] }, "dout": [[[[6]]]] })");
    const Evaluation e = evaluate_case(doc, "ties");
    const Precision u = precision("float64");
    const json first = {{"dx", json::parse("[[[[6, 0], [0, 0]]]]")}}, split = {{"dx", json::parse("[[[[2, 0], [2, 2]]]]")}},
               last = {{"dx", json::parse("[[[[0, 0], [0, 6]]]]")}}, wrong = {{"dx", json::parse("[[[[6, 6], [0, 0]]]]")}},
               all = {{"dx", json::parse("[[[[6, 0], [6, 6]]]]")}};
    CHECK(check_result(e, first, "r", u, TiePolicy::any).pass());
    CHECK(check_result(e, split, "r", u, TiePolicy::any).pass());
    CHECK(check_result(e, last, "r", u, TiePolicy::any).pass());
    CHECK_FALSE(check_result(e, wrong, "r", u, TiePolicy::any).pass());  // the 1 is not a maximum
    CHECK(check_result(e, first, "r", u, TiePolicy::first).pass());
    CHECK_FALSE(check_result(e, split, "r", u, TiePolicy::first).pass());
    CHECK_FALSE(check_result(e, last, "r", u, TiePolicy::first).pass());
    // (E5) is per element: every tied cell getting all of dout passes it, though the shares sum to 3 dout
    CHECK(check_result(e, all, "r", u, TiePolicy::any).pass());
}

TEST_CASE("check: a relu input of exactly 0 accepts any dx between 0 and dout", "[oracle][convention]") {
    const json doc = json::parse(R"({ "format": "cnnbp-case/1", "op": "relu", "inputs": { "x": [-1, 0, 2] }, "dout": [5, 4, 3] })");
    const Evaluation e = evaluate_case(doc, "kink");
    const Precision u = precision("float32");
    CHECK(check_result(e, {{"dx", json::parse("[0, 0, 3]")}}, "r", u, TiePolicy::any).pass());
    CHECK(check_result(e, {{"dx", json::parse("[0, 4, 3]")}}, "r", u, TiePolicy::any).pass());
    CHECK(check_result(e, {{"dx", json::parse("[0, 2, 3]")}}, "r", u, TiePolicy::any).pass());
    CHECK_FALSE(check_result(e, {{"dx", json::parse("[0, 5, 3]")}}, "r", u, TiePolicy::any).pass());
    CHECK_FALSE(check_result(e, {{"dx", json::parse("[5, 0, 3]")}}, "r", u, TiePolicy::any).pass());
}

TEST_CASE("check: a tanh derivative near saturation is judged by the magnitudes that enter it, (E4)", "[oracle]") {
    // 1 - t^2 at x = 9 is ~6e-8: a float32 implementation computing it from its float32 t gets 0 or 1.2e-7, a relative
    // error of 100%, and must still pass, while a wrong derivative (at the activation) must not.
    const json doc = json::parse(R"({ "format": "cnnbp-case/1", "op": "tanh", "inputs": { "x": [9, 0.5] }, "dout": [1, 1] })");
    const Evaluation e = evaluate_case(doc, "tanh");
    const float t9 = std::tanh(9.0f), t05 = std::tanh(0.5f);
    const json textbook = {{"dx", {double(1.0f - t9 * t9), double(1.0f - t05 * t05)}}};
    CHECK(check_result(e, textbook, "r", precision("float32"), TiePolicy::any).pass());
    const json wrong = {{"dx", {1.0 - std::pow(std::tanh(std::tanh(9.0)), 2), 1.0 - std::pow(std::tanh(std::tanh(0.5)), 2)}}};
    CHECK_FALSE(check_result(e, wrong, "r", precision("float32"), TiePolicy::any).pass());
}

TEST_CASE("check: a tensor that is more than 90% zeros is flagged", "[oracle]") {
    const json doc = json::parse(R"({ "format": "cnnbp-case/1", "op": "relu", "inputs": { "x": [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, 4] },
      "dout": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] })");
    const Evaluation e = evaluate_case(doc, "zeros");
    const Verdict v = check_result(e, {{"dx", json::parse("[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]")}}, "r", precision("float64"), TiePolicy::any);
    CHECK(v.pass());
    CHECK(v.tensors[0].mostly_zero);
    const Verdict out = check_result(e, {{"out", json::parse("[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]")}}, "r", precision("float64"), TiePolicy::any);
    CHECK(out.tensors[0].mostly_zero);
}

TEST_CASE("golden: every case agrees with finite differences", "[oracle][golden]") {
    arma::uword count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(CNNBP_SOURCE_DIR "/golden")) {
        if (entry.path().extension() != ".json") continue;
        const json doc = read_json_file(entry.path().string(), false);
        for (const GradcheckRow& row : gradcheck_case(doc, entry.path().filename().string(), 64)) {
            INFO(entry.path().filename().string() << ": " << row.input << " vs " << row.gradient << " at " << row.worst_index);
            // (F2): the golden cases' values are multiples of 1/16 and the steps powers of two; the smooth ops add a
            // truncation error ~h^2 |f'''| ~ 1e-10, far below the 1e-6 that a wrong formula would exceed
            CHECK(row.worst_relative < 1e-6);
        }
        ++count;
    }
    CHECK(count >= 30);
}

TEST_CASE("golden: expected in every case is what the oracle computes", "[oracle][golden]") {
    for (const auto& entry : std::filesystem::directory_iterator(CNNBP_SOURCE_DIR "/golden")) {
        if (entry.path().extension() != ".json") continue;
        const json doc = read_json_file(entry.path().string(), false);
        INFO(entry.path().filename().string());
        const Evaluation e = evaluate_case(doc, entry.path().filename().string());
        const Verdict v = check_result(e, doc["expected"], "expected", precision("float64"), TiePolicy::first);
        CHECK(v.pass());
        CHECK(v.not_provided.empty());
        for (const TensorVerdict& t : v.tensors) CHECK_FALSE(t.mostly_zero);
    }
}

namespace {
json tiny_network(double conv_bias) {
    json doc = json::parse(R"({ "format": "cnnbp-case/1", "op": "sequential",
      "params": { "layers": [ {"op": "conv2d", "stride": 2}, {"op": "relu"}, {"op": "maxpool2d", "kernel": 2}, {"op": "flatten"}, {"op": "linear"} ],
                  "loss": "mse" },
      "inputs": { "x": [[[[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 1, 0], [1, 0, 2, 3]]]], "y": [[2]],
                  "layer_params": [ {"w": [[[[0.5, -1], [1, 0.25]]]], "b": [-0.5]}, {}, {}, {}, {"w": [[1.5]], "b": [-0.5]} ] } })");
    doc["inputs"]["layer_params"][0]["b"] = json::array({conv_bias});
    return doc;
}
}  // namespace

TEST_CASE("sequential case: the tiny CNN's numbers, the nested layer_grads, and a fragile network not judged", "[oracle][sequential]") {
    const Evaluation e = evaluate_case(tiny_network(-0.5), "tiny");
    CHECK(e.outputs.at("loss").value.data[0] == 1.3203125);           // (T1): E = (2 - 3.625)^2 / 2
    CHECK(e.outputs.at("layer_grads[0].db").value.data[0] == 2.4375);  // (T4): dE/db = dE/dp
    const json expected = expected_json(e);
    REQUIRE(expected["layer_grads"].size() == 5);
    CHECK(expected["layer_grads"][1].empty());
    CHECK(check_result(e, expected, "r", precision("float32"), TiePolicy::first).pass());
    json wrong = expected;
    wrong["layer_grads"][0]["dw"][0][0][1][1] = 7.4;
    CHECK_FALSE(check_result(e, wrong, "r", precision("float32"), TiePolicy::first).pass());
    // b = -1: the conv output of window (1,0) is 1 - 1 = 0, relu's kink: a correct float32 computation may land on
    // either side, so the case is not judged, (E7)
    const Evaluation kink = evaluate_case(tiny_network(-1.0), "kink");
    const Verdict v = check_result(kink, expected_json(kink), "r", precision("float32"), TiePolicy::first);
    CHECK_FALSE(v.not_judged.empty());
    CHECK(v.not_judged.find("layer 2 (relu)") != std::string::npos);
    CHECK_FALSE(v.pass());
    // b = -3.5: every relu input is negative, every pooled value is relu's 0, and the max pool's winner is a tie that
    // cannot change any gradient (each cell's relu derivative is 0): judged, (E7)
    const Evaluation dead = evaluate_case(tiny_network(-3.5), "dead");
    const json dead_expected = expected_json(dead);
    CHECK(check_result(dead, dead_expected, "r", precision("float32"), TiePolicy::first).pass());
    json dead_wrong = dead_expected;
    dead_wrong["layer_grads"][4]["dw"][0][0] = 0.5;
    CHECK(check_result(dead, dead_wrong, "r", precision("float32"), TiePolicy::first).fail());
}

TEST_CASE("sequential case: bad networks throw cnnbp::Error naming the layer", "[oracle][sequential][errors]") {
    json doc = tiny_network(-0.5);
    doc["params"]["layers"][1]["op"] = "softmax";
    CHECK_THROWS_WITH(evaluate_case(doc, "net.json"), Catch::Matchers::Contains("params.layers[1].op \"softmax\" is not a layer"));
    doc = tiny_network(-0.5);
    doc["inputs"]["layer_params"].erase(4);
    CHECK_THROWS_WITH(evaluate_case(doc, "net.json"), Catch::Matchers::Contains("inputs.layer_params must be a list of one object per layer"));
    doc = tiny_network(-0.5);
    doc["params"]["layers"][0]["strides"] = 2;
    CHECK_THROWS_WITH(evaluate_case(doc, "net.json"), Catch::Matchers::Contains("params.layers[0].strides is not a parameter of conv2d"));
    doc = tiny_network(-0.5);
    doc["params"]["layers"].erase(3);  // no flatten: linear gets a Tensor4
    doc["inputs"]["layer_params"].erase(3);
    CHECK_THROWS_WITH(evaluate_case(doc, "net.json"), Catch::Matchers::Contains("layer 4 (linear) needs a matrix"));
}
