#include "cnnbp/oracle/judge.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/case_file.hpp"
#include "cnnbp/oracle/evaluate.hpp"
#include "cnnbp/oracle/tight_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace cnnbp {

using json = nlohmann::ordered_json;

namespace {

// The factor over the bound of (E3): the bound is already a worst case, so 2 only absorbs the few roundings the model
// leaves out (the rounding of an input read in, one extra ulp of a library's exp).
constexpr double safety = 2.0;

// The oracle computes in float64: its own rounding is part of (E9) in every precision.
const double double_u = std::ldexp(1.0, -53);

// A network's result holds "layer_grads": [{"dw": T, "db": T} or {}, ...]; the judge sees "layer_grads[l].dw" keys.
json flattened(const Evaluation& e, const json& result, const std::string& file) {
    if (e.layers == 0 || !result.contains("layer_grads")) return result;
    json flat = result;
    flat.erase("layer_grads");
    const json& grads = result["layer_grads"];
    if (!grads.is_array() || grads.size() != e.layers)
        fail(file, ": layer_grads must be a list of ", e.layers, " objects, one per layer");
    for (std::size_t l = 0; l < e.layers; ++l) {
        if (!grads[l].is_object()) fail(file, ": layer_grads[", l, "] must be an object");
        for (const auto& [key, value] : grads[l].items()) flat["layer_grads[" + std::to_string(l) + "]." + key] = value;
    }
    return flat;
}

}  // namespace

Precision precision(const std::string& dtype, const std::string& bound) {
    if (bound != "tight" && bound != "certain") fail("--bound must be tight or certain, got ", bound);
    const BoundKind kind = bound == "tight" ? BoundKind::tight : BoundKind::certain;
    if (dtype == "float64") return {std::ldexp(1.0, -53), std::ldexp(1.0, -1022), kind};
    if (dtype == "float32") return {std::ldexp(1.0, -24), std::ldexp(1.0, -126), kind};
    fail("--dtype must be float64 or float32, got ", dtype);
}

bool flips(const Fragile& f, const Precision& precision) {
    return f.distance <= safety * (precision.u * f.coefficient + precision.tiny);
}

bool Verdict::pass() const {
    return not_judged.empty() && !tensors.empty() &&
           std::all_of(tensors.begin(), tensors.end(), [](const TensorVerdict& t) { return t.pass; });
}

bool Verdict::fail() const {
    return std::any_of(tensors.begin(), tensors.end(), [](const TensorVerdict& t) { return !t.pass; });
}

Verdict check_result(const Evaluation& e, const json& result_doc, const std::string& file, const Precision& precision,
                     TiePolicy ties) {
    const double u = precision.u;
    if (!result_doc.is_object()) fail(file, ": a result must be a JSON object with some of the keys of expected");
    const json result = flattened(e, result_doc, file);
    for (const auto& [key, value] : result.items())
        if (!e.outputs.count(key)) {
            std::string list;
            for (const std::string& k : output_keys(e)) list += (list.empty() ? "" : ", ") + k;
            fail(file, ": ", key, " is not an output of this ", e.op, " case (", list, ")");
        }
    Verdict verdict;
    // (E7): if a correct computation in this precision could land on the other side of a kink or pick another max-pool
    // winner, the network's gradients are not determined by the case: nothing is judged.
    for (const Fragile& f : e.fragile)
        if (flips(f, precision)) {
            std::ostringstream why;
            why << f.where << " is within " << f.distance << " of a kink or tie, inside its error bound "
                << safety * (u * f.coefficient + precision.tiny);
            verdict.not_judged = why.str();
            break;
        }
    for (const std::string& key : output_keys(e)) {
        const Expected& x = e.outputs.at(key);
        if (!result.contains(key)) {
            verdict.not_provided.push_back(key);
            continue;
        }
        const Array got = array_from_json(result[key], file + ": " + key, true);
        if (got.shape != x.value.shape)
            fail(file, ": ", key, " has shape ", got.shape_string(), " but the expected ", key, " has shape ",
                 x.value.shape_string());
        TensorVerdict t;
        t.key = key;
        t.elements = got.data.size();
        const bool tight = precision.bound == BoundKind::tight && !x.squares.data.empty() && !e.exact;
        t.model_refused = x.model_refused;
        if (!verdict.not_judged.empty()) {
            verdict.tensors.push_back(t);
            continue;
        }
        double worst_ratio = -1;
        arma::uword zeros = 0;
        for (arma::uword k = 0; k < t.elements; ++k) {
            const double want = x.value.data[k], have = got.data[k];
            if (want == 0.0) ++zeros;
            const double n = x.roundings.data[k];
            // (E3): the error a correct computation in precision u can make, plus the rounding of the stored result,
            // plus the absolute error of a result that underflows (an exp of a large negative number is 0 in float32)
            const double gamma = n * u / (1 - n * u);
            const double certain =
                e.exact ? 0.0 : safety * (gamma * x.magnitude.data[k] + u * std::abs(want) + precision.tiny);
            // (E9): what rounding explains when its errors behave randomly, never more than (E3)
            double bound = certain;
            if (tight) {
                const SumTerms terms{n, want, x.magnitude.data[k], x.squares.data[k], x.largest};
                const double b = tight_bound(terms, x.model_refused.empty(), u, double_u) + safety * precision.tiny;
                if (b < bound) bound = b, t.tight = true;
            }
            if (!std::isfinite(bound) || !std::isfinite(want)) {
                // The case's magnitudes overflow double: no answer can be bounded here, so none is accepted.
                ++t.unbounded;
                if (verdict.not_judged.empty())
                    verdict.not_judged = key + " " + got.index_string(k) + " has no finite bound (expected " +
                                         std::to_string(want) + ", magnitude of its terms " +
                                         std::to_string(x.magnitude.data[k]) + "): the case's numbers overflow double";
                continue;
            }
            double difference = std::abs(have - want);
            const bool interval = !x.has_interval.empty() && x.has_interval[k] && ties == TiePolicy::any;
            if (interval)  // (E5): inside [low, high] is as good as the oracle's own choice
                difference = have < x.low[k] ? x.low[k] - have : (have > x.high[k] ? have - x.high[k] : 0.0);
            if (!std::isfinite(have)) difference = std::numeric_limits<double>::infinity();  // always wrong
            ++t.judged;
            const bool ok = difference <= bound;
            if (!ok) t.pass = false;
            if (difference > certain) ++t.beyond_certain;
            const double ratio = bound > 0 ? difference / bound : (difference > 0 ? std::numeric_limits<double>::infinity() : 0.0);
            if (ratio > worst_ratio) {
                worst_ratio = ratio;
                t.worst_index = got.index_string(k);
                t.value = have, t.expected = want, t.difference = std::abs(have - want), t.bound = bound;
                t.certain = certain, t.ratio = ratio;
            }
        }
        t.mostly_zero = zeros * 10 > t.elements * 9;  // more than 90%: a max-pool dx is 75% zeros by design
        verdict.tensors.push_back(t);
    }
    return verdict;
}

}  // namespace cnnbp
