/// \file
/// A Catch2 (v2) matcher for your own tests: one output of your implementation against the oracle, judged with the
/// oracle's tolerance model (\ref tolerances "Tolerances from the arithmetic"), exactly as `cnnbp check` judges it. Include it after
/// `<catch2/catch.hpp>`; the library itself does not depend on Catch2.
///
///     #include <catch2/catch.hpp>
///     #include "cnnbp/testing/catch2.hpp"
///
///     TEST_CASE("my conv2d's dx agrees with the oracle on a golden case") {
///         const cnnbp::MatchesOracle oracle("golden/conv2d_dilation.json", "dx", cnnbp::dtype::float32);
///         const std::vector<float> dx = my_conv2d_backward(oracle.input("x"), oracle.input("w"), oracle.dout());
///         REQUIRE_THAT(dx, oracle);
///     }
///
/// A failure names the worst element, its index, your value, the expected value and the bound:
///
///     REQUIRE_THAT( dx, oracle )
///     with expansion:
///       { 0.5f, ... } matches the oracle's dx of golden/conv2d_dilation.json in float32: FAIL worst element
///       (0,0,0,0): 0.5 expected 0.25, |difference| 0.25 > bound 1.19e-07 (50 elements)
///
/// Your output is given flat, in row-major order of the oracle's shape (a `std::vector` of `float` or `double`, or a
/// cnnbp::Array with its shape); a wrong number of elements or a wrong shape fails with both shapes.
#pragma once

#include "cnnbp/core/array.hpp"
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/judge.hpp"

#include <catch2/catch.hpp>

#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

namespace cnnbp {

/// The precisions a result may have been computed in, by the names the command line uses.
namespace dtype {
inline const std::string float64 = "float64";  ///< unit roundoff 2^-53
inline const std::string float32 = "float32";  ///< unit roundoff 2^-24
}  // namespace dtype

/// Matches one output (`key`: out, dx, dw, db, loss, da, dz, or layer_grads[l].dw / .db of a network) of a case
/// against the oracle in precision `dtype`, with max-pool ties judged as `check --ties any` does.
class MatchesOracle : public Catch::Matchers::Impl::MatcherUntypedBase {
public:
    /// The case from a file (read as `cnnbp eval` reads it; invalid input throws cnnbp::Error).
    MatchesOracle(const std::string& case_file, std::string key, const std::string& dtype)
        : MatchesOracle(read_json_file(case_file, false), case_file, std::move(key), dtype) {}

    /// The case as a document, `name` naming it in messages.
    MatchesOracle(nlohmann::ordered_json doc, std::string name, std::string key, const std::string& dtype)
        : doc_(std::move(doc)), name_(std::move(name)), key_(std::move(key)), dtype_(dtype),
          precision_(precision(dtype)), e_(evaluate_case(doc_, name_)) {
        if (!e_.outputs.count(key_)) {
            std::string keys;
            for (const std::string& k : output_keys(e_)) keys += (keys.empty() ? "" : ", ") + k;
            fail(name_, ": ", key_, " is not an output of this ", e_.op, " case (", keys, ")");
        }
    }

    /// The case's input `name` (x, w, b, ...), flat in row-major order with its shape, for calling your code.
    Array input(const std::string& name) const { return array_from_json(doc_.at("inputs").at(name), name, false); }
    /// The case's dout, likewise.
    Array dout() const { return array_from_json(doc_.at("dout"), "dout", false); }
    /// The oracle's value of the output, with its shape.
    const Array& expected() const { return e_.outputs.at(key_).value; }

    /// Whether `result` (with its shape) passes; describe() then says why.
    bool match(const Array& result) const { return judge(result); }
    /// Whether `result`, flat in the oracle's shape, passes.
    bool match(const std::vector<double>& result) const { return judge({expected().shape, result}); }
    /// Whether `result`, float32 values flat in the oracle's shape, passes (each converted exactly to double).
    bool match(const std::vector<float>& result) const {
        return judge({expected().shape, std::vector<double>(result.begin(), result.end())});
    }

    /// The judgement of the last match(): the worst element, both values and the bound, or the shapes.
    std::string describe() const override { return report_; }

private:
    bool judge(const Array& result) const {
        m_cachedToString.clear();  // Catch2 keeps the first description; each match has its own
        std::ostringstream os;
        os << std::setprecision(10);
        if (result.shape != expected().shape || result.data.size() != expected().size()) {
            os << "has shape " << result.shape_string() << " (" << result.data.size() << " elements), but the oracle's "
               << key_ << " of " << name_ << " has shape " << expected().shape_string();
            report_ = os.str();
            return false;
        }
        const Verdict v = check_result(e_, wrap(array_to_json(result)), "the result", precision_, TiePolicy::any);
        const TensorVerdict& t = v.tensors.at(0);
        const bool pass = t.pass && v.not_judged.empty();
        os << "matches the oracle's " << key_ << " of " << name_ << " in " << dtype_ << ": " << (t.pass ? "pass" : "FAIL")
           << " worst element " << t.worst_index << ": " << t.value << " expected " << t.expected << ", |difference| "
           << std::setprecision(3) << t.difference << (t.difference <= t.bound ? " <= " : " > ") << "bound " << t.bound
           << " (" << t.elements << " elements)";
        if (!v.not_judged.empty()) os << "; NOT JUDGED: " << v.not_judged;
        report_ = os.str();
        return pass;
    }

    // {"dx": value}, or for "layer_grads[l].dw" {"layer_grads": [{}, ..., {"dw": value}]}
    nlohmann::ordered_json wrap(nlohmann::ordered_json value) const {
        const auto dot = key_.find("].");
        if (key_.rfind("layer_grads[", 0) != 0 || dot == std::string::npos) return {{key_, std::move(value)}};
        const std::size_t layer = std::stoul(key_.substr(12, dot - 12));
        nlohmann::ordered_json grads = nlohmann::ordered_json::array();
        for (std::size_t l = 0; l <= layer; ++l) grads.push_back(nlohmann::ordered_json::object());
        grads[layer][key_.substr(dot + 2)] = std::move(value);
        return {{"layer_grads", grads}};
    }

    nlohmann::ordered_json doc_;
    std::string name_, key_, dtype_;
    Precision precision_;
    Evaluation e_;
    mutable std::string report_;
};

}  // namespace cnnbp
