// A wrong implementation on purpose, for the documentation: the protocol of `cnnbp suite` and `cnnbp hunt`
// (docs/protocol.md) for the op linear, with one classic mistake, `db missing the batch sum`: the bias gradient is
// taken from the first sample only, instead of the sum over the batch of (L4). Everything else is cnnbp's own
// linear layer. The documentation's build runs
//
//   build/cnnbp hunt --op linear --impl build/examples/cnnbp_linear_mistake --seed 1
//
// and shows what hunt prints: the first wrong answer, shrunk to the smallest case that still fails (two samples:
// with one, the first sample is the whole batch and the mistake is invisible).
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/oracle/case_file.hpp"

#include <iostream>
#include <string>

using json = nlohmann::ordered_json;
using namespace cnnbp;

namespace {

arma::mat matrix(const json& j, const char* what) { return to_matrix(array_from_json(j, what, false), what); }

json answer(const json& c) {
    if (c["op"] != "linear") return {{"unsupported", "this example computes linear only"}};
    const json& in = c["inputs"];
    const arma::mat x = matrix(in["x"], "x"), w = matrix(in["w"], "w"), dout = matrix(c["dout"], "dout");
    std::optional<arma::vec> b;
    if (in.contains("b")) b = to_vector(array_from_json(in["b"], "b", false), "b");
    const LinearGrads g = linear_backward(dout, x, w);
    json out = {{"out", array_to_json(to_array(linear_forward(x, w, b)))},
                {"dx", array_to_json(to_array(g.dx))},
                {"dw", array_to_json(to_array(g.dw))}};
    const arma::vec first_sample_only = dout.row(0).t();  // the mistake: (L4) sums dout over every row
    if (b) out["db"] = array_to_json(to_array(first_sample_only));
    return out;
}

}  // namespace

int main() {
    for (std::string line; std::getline(std::cin, line);) std::cout << answer(json::parse(line)).dump() << std::endl;
}
