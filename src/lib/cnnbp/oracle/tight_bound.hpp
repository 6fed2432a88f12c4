/// \file
/// The tight bound of a sum of products, \ref eq_E9 "(E9)": what rounding does to a sum when its rounding errors
/// behave randomly, bounded with the terms' own sizes and signs (\ref tol_tight "A tight bound, from the data").
/// The certain bound \ref eq_E3 "(E3)" stays the line beyond which an answer is wrong in every model.
#pragma once

#include "cnnbp/core/array.hpp"

#include <string>

namespace cnnbp {

/// L, the exponent of both tails of the model, \ref eq_E10 "(E10)": a correct element falls outside the tight bound
/// with probability at most 4 e^{-L} (about 5e-14), a case of 10^8 elements with probability at most 5e-6.
constexpr double tail_exponent = 32;

/// What the tight bound of one element of a sum needs besides its value y: the number of terms n, the sums of
/// their magnitudes M = sum |t_i| and of their squares S = sum t_i^2, and b, a bound on every |t_i|.
struct SumTerms {
    double n;        ///< the number of terms (a bias counts as one)
    double value;    ///< y = sum t_i
    double magnitude;///< M = sum |t_i|, \ref eq_E2 "(E2)"
    double squares;  ///< S = sum t_i^2
    double largest;  ///< b >= max |t_i|
};

/// The tight bound (E9) on |computed - y| for a sum whose products and additions are computed in unit roundoff `u`,
/// in any order that does not depend on the values, and stored in unit roundoff `u_store`, with the oracle's own
/// float64 error (unit roundoff `u_oracle`) added. With `rounded_inputs`, the factors of each product were rounded to
/// the stored type first (a float32 implementation given float64 inputs), \ref eq_E11 "(E11)". `stored` is how many
/// roundings of the stored result are allowed: 2 (one, and a decimal printed with fewer digits), or 1 for a
/// half-precision result, which the judge reads back as the nearest value of its type. With `data_model`
/// false, only the rounding model (R) is assumed, and every partial sum is bounded by max(P, N), the sums of the
/// positive and of the negative terms, \ref eq_E8 "(E8a)"; with it, also the data model (D), (E8b).
double tight_bound(const SumTerms& t, bool data_model, double u, double u_store, double u_oracle, bool rounded_inputs,
                   double stored = 2);

/// What \ref eq_E10 "(E10)" finds in one tensor whose elements are factors of the terms of some sums (every element
/// may meet every other in some sum).
struct FactorCheck {
    /// Why the data model (D) cannot be assumed for its sums, or "": its values drift along an axis or along its
    /// storage order.
    std::string drift;
    /// It repeats its values (at most 16 distinct values, or a spread below 1e-3 of its mean): when every factor of
    /// the terms does, they repeat, and so do their rounding errors, which breaks the rounding model (R) of (E9).
    bool repeats = false;
};

/// Examines tensor `a`, called `name` in messages, once for all the sums it is a factor of.
FactorCheck check_factor(const char* name, const Array& a);

}  // namespace cnnbp
