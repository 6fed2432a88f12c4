#include "cnnbp/oracle/judge.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/float_format.hpp"
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

// (E12): a case that says "exact" is exact at element k in this precision when every partial sum of its terms (all
// multiples of 2^-2q, with magnitudes summing to M) and the result are values of the accumulation and the storage type.
bool exact(const Evaluation& e, double magnitude, double value, const Precision& p) {
    if (!e.exact) return false;
    const double grid = std::ldexp(1.0, 2 * e.fraction_bits);
    // 2^p of a type is 1 / u, exactly
    return magnitude * grid <= 1 / p.u && std::abs(value) * grid <= 1 / p.store && 1 / grid >= p.tiny;
}

}  // namespace

Precision precision(const std::string& dtype, const std::string& bound, const std::string& accumulate) {
    if (bound != "tight" && bound != "certain") fail("--bound must be tight or certain, got ", bound);
    const FloatFormat& s = float_format(dtype, "--dtype");
    const bool half = s.p < 24;
    const FloatFormat& a = float_format(accumulate.empty() ? (half ? "float32" : dtype) : accumulate, "--accumulate");
    Precision p;
    p.u = a.unit_roundoff(), p.store = s.unit_roundoff(), p.largest = s.largest();
    p.tiny = std::max(a.smallest_normal(), s.smallest_normal());
    p.bound = bound == "tight" ? BoundKind::tight : BoundKind::certain;
    p.dtype = s.name, p.accumulate = a.name;
    return p;
}

bool flips(const Fragile& f, const Precision& precision) {
    return f.distance <= safety * (std::max(precision.u, precision.store) * f.coefficient + precision.tiny);
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
    // A network stores every layer's output, and a function, a pool or a loss may store its intermediates (a sigmoid's
    // s for its derivative s (1 - s)): they are bounded with the larger unit roundoff (E11), a sum of products with
    // the accumulation's.
    const double widest = std::max(precision.u, precision.store);
    const double store = e.layers ? widest : precision.store;
    // The implementation computes from the case's inputs as given: in half precision they must be its values (the
    // rounding of a float64 case to float16 is not the implementation's arithmetic); a float32 implementation may
    // round float64 inputs, which (E11) allows for.
    const FloatFormat& storage = float_format(precision.dtype);
    const bool half = storage.p < 24;
    const auto unrepresentable = e.unrepresentable.find(precision.dtype);
    if (half && unrepresentable != e.unrepresentable.end())
        fail(unrepresentable->second, " is not a ", precision.dtype, " value: judged in ", precision.dtype,
             ", a case must hold ", precision.dtype, " inputs (round them first: np.float16(x), x.bfloat16() in "
             "PyTorch), so that the implementation's arithmetic is judged, not the rounding of the case");
    const bool rounded_inputs = unrepresentable != e.unrepresentable.end();
    // A half-precision result is read as the nearest value of its type: a decimal printed with just enough digits to
    // tell float16 values apart is read back exactly, and the rounding of the stored result is counted once.
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
                << safety * (widest * f.coefficient + precision.tiny);
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
        const double u = x.summed && !e.layers ? precision.u : widest;
        TensorVerdict t;
        t.key = key;
        t.elements = got.data.size();
        const bool tight = precision.bound == BoundKind::tight && !x.squares.data.empty();
        t.model_refused = x.model_refused;
        if (!verdict.not_judged.empty()) {
            verdict.tensors.push_back(t);
            continue;
        }
        double worst_ratio = -1;
        arma::uword zeros = 0;
        for (arma::uword k = 0; k < t.elements; ++k) {
            const double want = x.value.data[k], have = half ? round_to(got.data[k], storage) : got.data[k];
            if (want == 0.0) ++zeros;
            const double n = x.roundings.data[k];
            // (E3): the error a correct computation in precision u can make, plus the rounding of the stored result,
            // plus the absolute error of a result that underflows (an exp of a large negative number is 0 in float32)
            const double gamma = n * u / (1 - n * u);
            const double certain = exact(e, x.magnitude.data[k], want, precision) ? 0.0
                                   : n * u >= 1 ? std::numeric_limits<double>::infinity()
                                                : safety * (gamma * x.magnitude.data[k] + store * std::abs(want) + precision.tiny);
            // (E9): what rounding explains when its errors behave randomly, never more than (E3)
            double bound = certain;
            if (tight && certain > 0) {
                const SumTerms terms{n, want, x.magnitude.data[k], x.squares.data[k], x.largest};
                const double b = tight_bound(terms, x.model_refused.empty(), u, store, double_u, rounded_inputs, half && !e.layers ? 1 : 2) +
                                 safety * precision.tiny;
                if (b < bound) bound = b, t.tight = true;
            }
            if (!std::isfinite(bound) || !std::isfinite(want) || std::abs(want) + bound > precision.largest) {
                // No answer can be bounded here, so none is accepted: the case's numbers overflow double, a sum is
                // too long for the accumulation type (n u >= 1/2 leaves no bound), or a correct result may overflow
                // the storage type.
                ++t.unbounded;
                if (verdict.not_judged.empty()) {
                    std::ostringstream why;
                    why << key << " " << got.index_string(k) << " has no finite bound (expected " << want
                        << ", magnitude of its terms " << x.magnitude.data[k] << ", " << n << " roundings): ";
                    if (!std::isfinite(want) || !std::isfinite(x.magnitude.data[k])) why << "the case's numbers overflow double";
                    else if (std::isfinite(bound)) why << "a correct result may exceed " << precision.dtype << "'s largest value " << precision.largest;
                    else why << n << " roundings are too many to bound in " << (u == precision.u ? precision.accumulate : precision.dtype) << " (n u >= 1/2)";
                    verdict.not_judged = why.str();
                }
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
