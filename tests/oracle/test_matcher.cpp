// The Catch2 matcher of src/lib/cnnbp/testing/catch2.hpp, used as a user would: an output against the oracle on a
// golden case, right, rounded to float32, wrong in one element, of the wrong size, and a network's layer gradient.
#include "cnnbp/testing/catch2.hpp"

#include <cmath>
#include <string>
#include <vector>

using Catch::Matchers::Contains;

namespace {

const std::string golden = CNNBP_SOURCE_DIR "/golden/";

}  // namespace

TEST_CASE("MatchesOracle: the oracle's own output matches; float32 rounding only in float32", "[matcher]") {
    const cnnbp::MatchesOracle exact(golden + "conv2d_dilation.json", "dx", cnnbp::dtype::float64);  // an exact case
    const std::vector<double> dx = exact.expected().data;
    REQUIRE_THAT(dx, exact);
    REQUIRE_THAT(exact.expected(), exact);
    REQUIRE_THAT(std::vector<float>(dx.begin(), dx.end()), exact);  // multiples of 1/256: exact in float32 too
    // tanh and a mean: not exact. The oracle's dx rounded to float32 is what a float32 implementation may give
    const cnnbp::MatchesOracle in_float64(golden + "network_tanh_avgpool_mse.json", "dx", cnnbp::dtype::float64);
    const cnnbp::MatchesOracle in_float32(golden + "network_tanh_avgpool_mse.json", "dx", cnnbp::dtype::float32);
    const std::vector<double> net_dx = in_float64.expected().data;
    const std::vector<float> rounded(net_dx.begin(), net_dx.end());
    CHECK_THAT(rounded, in_float32);
    CHECK_FALSE(in_float64.match(rounded));
}

TEST_CASE("MatchesOracle: a wrong element fails with its index, both values and the bound", "[matcher]") {
    const cnnbp::MatchesOracle oracle(golden + "conv2d_dilation.json", "dw", cnnbp::dtype::float32);
    std::vector<double> dw = oracle.expected().data;
    dw[1] += 0.25;
    CHECK_FALSE(oracle.match(dw));
    INFO(oracle.toString());
    CHECK_THAT(oracle.toString(), Contains("matches the oracle's dw of") && Contains("in float32: FAIL worst element (0,0,0,1)") &&
                                      Contains("> bound"));
    dw.pop_back();
    CHECK_FALSE(oracle.match(dw));
    CHECK_THAT(oracle.describe(), Contains("but the oracle's dw of") && Contains("has shape"));
}

TEST_CASE("MatchesOracle: a network's layer gradient, and keys the case does not have", "[matcher]") {
    const cnnbp::MatchesOracle oracle(golden + "network_tanh_avgpool_mse.json", "layer_grads[4].dw", cnnbp::dtype::float64);
    CHECK_THAT(oracle.expected().data, oracle);
    std::vector<double> wrong = oracle.expected().data;
    wrong[0] = -wrong[0] + 1;
    CHECK_FALSE(oracle.match(wrong));
    CHECK_THROWS_WITH(cnnbp::MatchesOracle(golden + "relu_with_a_zero.json", "dw", cnnbp::dtype::float64),
                      Contains("dw is not an output of this relu case (out, dx)"));
    CHECK_THROWS_WITH(cnnbp::MatchesOracle(golden + "relu_with_a_zero.json", "dx", "float8"), Contains("float8"));
}
