/// \file
/// The oracle: evaluate a case file's op on its inputs, and judge an implementation's results with a tolerance
/// derived, element by element, from the arithmetic (\ref tolerances). Formats: \ref case_format.
#pragma once

#include "cnnbp/core/array.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace cnnbp {

/// One tensor the oracle computes, with what the tolerance model \ref eq_E3 "(E3)" needs for each element.
struct Expected {
    Array value;      ///< the result in double precision
    Array magnitude;  ///< M_k, the sum of the magnitudes of the terms that make element k, \ref eq_E2 "(E2)"
    Array roundings;  ///< n_k, how many roundings the bound allows for element k (0: exact)
    /// Elements with more than one defensible value (a max-pool tie, a relu input at 0): for each such element k,
    /// the interval [low[k], high[k]] of values any valid choice can give, \ref eq_E5 "(E5)". Empty when there are none.
    std::vector<double> low;   ///< the low ends of the intervals
    std::vector<double> high;  ///< the high ends of the intervals
    /// Whether element k has such an interval (same length as value.data, or empty).
    std::vector<bool> has_interval;
};

/// A place where a network's result is fragile, \ref eq_E7 "(E7)": a relu input or the gap between a max-pool window's
/// two largest values, `distance`, that a correct computation in precision u may move by up to
/// 2 (u coefficient + tiny), enough to change which side of the kink or which winner it takes.
struct Fragile {
    double distance;     ///< |relu input| or the gap between the top two values of a window
    double coefficient;  ///< the first-order error coefficient of that distance, \ref eq_E6 "(E6)"
    std::string where;   ///< "layer 2 (relu), element (0,1,2,3)"
};

/// What evaluate_case() computes: the op and its outputs by name ("out", "dx", "dw", "db", "loss", "da", "dz"; for a
/// network "loss", "dx" and "layer_grads[l].dw", "layer_grads[l].db").
struct Evaluation {
    std::string op;                            ///< the case's op
    std::map<std::string, Expected> outputs;   ///< every output of the op
    bool exact = false;                        ///< the case says "exact": true (every sum is exact in float32)
    std::size_t layers = 0;                    ///< a network's number of layers (0 for a single op)
    std::vector<Fragile> fragile;              ///< a network's fragile places (empty for a single op)
};

/// The ops a case file may name, in the order the documentation lists them.
const std::vector<std::string>& case_ops();

/// Evaluates a `cnnbp-case/1` document read from `file`: validates the format, op, params, inputs and dout, then
/// computes every output of the op and its error magnitudes: sums of products \ref eq_E2 "(E2)", functions and
/// cancelling derivatives \ref eq_E4 "(E4)". Throws cnnbp::Error naming the file, the key and what is wrong.
Evaluation evaluate_case(const nlohmann::ordered_json& doc, const std::string& file);

/// The `expected` object of an evaluation: {"out": ..., "dx": ...}, tensors as nested arrays.
nlohmann::ordered_json expected_json(const Evaluation& e);

/// A floating-point precision as the tolerance model sees it, \ref eq_E1 "(E1)".
struct Precision {
    double u;     ///< the unit roundoff: 2^-53 for float64, 2^-24 for float32
    double tiny;  ///< the smallest normal number, the absolute error a result that underflows can carry
};

/// The precision named "float64" or "float32". Throws cnnbp::Error for any other name.
Precision precision(const std::string& dtype);

/// Whether a fragile place can flip in this precision, \ref eq_E7 "(E7)": distance <= 2 (u coefficient + tiny).
bool flips(const Fragile& f, const Precision& precision);

/// The unit roundoff u of a precision, \ref eq_E1 "(E1)": 2^-53 for "float64", 2^-24 for "float32".
double unit_roundoff(const std::string& dtype);

/// How an implementation's max-pool ties are judged, \ref eq_E5 "(E5)".
enum class TiePolicy {
    any,   ///< any split of a tied window's gradient among its tied maxima (non-negative shares summing to one)
    first  ///< the first maximum in row-major window order takes it all (PyTorch, cnnbp)
};

/// The judgement of one provided tensor.
struct TensorVerdict {
    std::string key;            ///< "out", "dx", ...
    bool pass = true;           ///< every judged element within its bound
    std::string worst_index;    ///< the element with the largest |difference| / bound
    double value = 0;       ///< the result's worst element
    double expected = 0;    ///< the oracle's value there
    double difference = 0;  ///< |value - expected|
    double bound = 0;       ///< the bound (E3) there
    arma::uword judged = 0;     ///< elements judged against a bound (or an interval)
    arma::uword elements = 0;   ///< all elements
    bool mostly_zero = false;   ///< more than 90% of the expected elements are 0: the case cannot tell right from wrong well
};

/// The judgement of a whole result file.
struct Verdict {
    std::vector<TensorVerdict> tensors;     ///< one per provided key, in the op's order
    std::vector<std::string> not_provided;  ///< the op's outputs the result does not hold
    std::string not_judged;                 ///< why nothing was judged (a fragile network, \ref eq_E7 "(E7)"), or empty
    bool pass() const;                      ///< at least one tensor provided and every provided one passes (or not judged)
};

/// Judges `result` (an object with some of the evaluation's keys, read from `file`; NaN and infinities allowed and
/// judged wrong) in the given precision: element k passes when
/// |result_k - expected_k| <= bound_k, \ref eq_E3 "(E3)", or lies in its interval at a tie or kink. Throws cnnbp::Error
/// for an unknown key or a tensor of the wrong shape.
Verdict check_result(const Evaluation& e, const nlohmann::ordered_json& result, const std::string& file,
                     const Precision& precision, TiePolicy ties);

/// The finite-difference check of one input of a case: the oracle's gradient against central differences.
struct GradcheckRow {
    std::string input;           ///< the input ("x", "w", "b", "a", "z")
    std::string gradient;        ///< the output holding its gradient ("dx", "dw", "db", "da", "dz")
    arma::uword checked = 0;     ///< elements checked
    double worst_relative = 0;   ///< the largest |numerical - analytic| / max(1e-300, max |analytic|)
    std::string worst_index;     ///< where
};

/// Checks the oracle on a case with central differences (\ref eq_F4 "(F4)") of <out, dout> (of dloss * loss for the
/// losses), input by input, for at most `max_elements` elements per input, evenly spread (all when 0). Elements at a
/// max-pool tie or a relu kink (\ref eq_E5 "(E5)") have no derivative and are skipped.
std::vector<GradcheckRow> gradcheck_case(const nlohmann::ordered_json& doc, const std::string& file, arma::uword max_elements);

/// A case or result document as text: objects one key per line, each innermost row of a tensor on one line.
std::string format_json(const nlohmann::ordered_json& doc);

}  // namespace cnnbp
