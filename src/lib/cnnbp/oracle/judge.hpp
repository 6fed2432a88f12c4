/// \file
/// The judge: an implementation's results against the oracle's, element by element, within the bound derived from
/// the arithmetic (\ref tolerances "Tolerances from the arithmetic").
#pragma once

#include "cnnbp/oracle/expected.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cnnbp {

/// Which bound an element is judged by.
enum class BoundKind {
    tight,   ///< (E9) for sums of products, when it is smaller than (E3); (E3) elsewhere
    certain  ///< (E3) alone: the worst case over every order and every rounding
};

/// The precisions an implementation computes in as the tolerance model sees them, \ref eq_E1 "(E1)": the type its
/// inputs and results are stored in and the type every product and sum between them is computed in
/// (\ref tol_half "Half precision: storage and accumulation"), and the bound judged by.
struct Precision {
    double u;      ///< the unit roundoff of the accumulation: 2^-53 for float64, 2^-24 for float32, 2^-11, 2^-8
    double tiny;   ///< the smallest normal number of either type, the absolute error a result that underflows can carry
    BoundKind bound = BoundKind::tight;  ///< --bound: tight (the default) or certain
    double store = 0;    ///< the unit roundoff of the storage type, the rounding of each stored result (>= u or not)
    double largest = 0;  ///< the largest finite value of the storage type: a result beyond it overflows
    std::string dtype = "float64";       ///< the storage type's name
    std::string accumulate = "float64";  ///< the accumulation type's name
};

/// The precision of results stored in `dtype` and computed in `accumulate` (float64, float32, float16, bfloat16;
/// "" takes float32 for float16 and bfloat16, the usual kernel setting, and `dtype` itself otherwise), judged by the
/// bound named "tight" or "certain". Throws cnnbp::Error for any other name.
Precision precision(const std::string& dtype, const std::string& bound = "tight", const std::string& accumulate = "");

/// Whether a fragile place can flip in this precision, \ref eq_E7 "(E7)": distance <= 2 (u coefficient + tiny), with
/// u the larger of the two unit roundoffs (a network stores every layer's output).
bool flips(const Fragile& f, const Precision& precision);

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
    double bound = 0;       ///< the bound the element is judged by there: (E9) or (E3)
    double certain = 0;     ///< the certain bound (E3) there
    double ratio = 0;       ///< difference / bound there: the worst element's error in units of its bound
    bool tight = false;     ///< some element of the tensor is judged by the tight bound (E9)
    arma::uword beyond_certain = 0;  ///< elements beyond the certain bound (E3): wrong in every model
    std::string model_refused;       ///< why the data model (D) was not assumed, \ref eq_E10 "(E10)", or ""
    arma::uword judged = 0;     ///< elements judged against a bound (or an interval)
    arma::uword unbounded = 0;  ///< elements not judged because their bound is not finite (the case overflows)
    arma::uword elements = 0;   ///< all elements
    bool mostly_zero = false;   ///< more than 90% of the expected elements are 0: the case cannot tell right from wrong well
};

/// The judgement of a whole result file.
struct Verdict {
    std::vector<TensorVerdict> tensors;     ///< one per provided key, in the op's order
    std::vector<std::string> not_provided;  ///< the op's outputs the result does not hold
    /// Why the case, or some of its elements, could not be judged (a fragile network, \ref eq_E7 "(E7)", or a bound
    /// that is not finite), or empty.
    std::string not_judged;
    bool pass() const;  ///< everything judged, at least one tensor provided, and every provided one passes
    bool fail() const;  ///< some judged element is wrong (whatever else could not be judged)
};

/// Judges `result` (an object with some of the evaluation's keys, read from `file`; NaN and infinities allowed and
/// judged wrong) in the given precision: element k passes when |result_k - expected_k| <= bound_k, the tight bound
/// \ref eq_E9 "(E9)" where the element is a sum of products and the certain bound \ref eq_E3 "(E3)" elsewhere (or
/// (E3) everywhere when precision.bound is BoundKind::certain), or lies in its interval at a tie or kink. Throws cnnbp::Error for an
/// unknown key or a tensor of the wrong shape.
Verdict check_result(const Evaluation& e, const nlohmann::ordered_json& result, const std::string& file,
                     const Precision& precision, TiePolicy ties);

}  // namespace cnnbp
