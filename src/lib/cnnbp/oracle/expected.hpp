/// \file
/// What the oracle computes for one case: each output with the magnitudes the tolerance model needs
/// (\ref tolerances "Tolerances from the arithmetic"), and a network's fragile places.
#pragma once

#include "cnnbp/core/array.hpp"
#include "cnnbp/oracle/tight_bound.hpp"

#include <limits>
#include <initializer_list>
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
    /// For a sum of products, S_k = sum t_i^2 of the terms of element k, for the tight bound \ref eq_E9 "(E9)";
    /// empty for outputs that are not such sums (they are judged by (E3) alone).
    Array squares;
    double largest = 0;         ///< b >= |t_i| for every term of every element (with squares)
    /// A sum of products (summed_output()): its products and additions are computed in the accumulation type. Every
    /// other output (a function, a pool, a loss) may store its intermediates in the storage type, and is bounded with
    /// the larger unit roundoff, \ref eq_E11 "(E11)".
    bool summed = false;
    std::string model_refused;  ///< why a model of (E9) is not assumed for these sums, \ref eq_E10 "(E10)", or ""
};

/// An output whose every element took `roundings` roundings of terms whose magnitudes sum to `magnitude`, \ref eq_E2 "(E2)".
Expected rounded_output(Array value, Array magnitude, double roundings);

/// An output whose element k is a sum of `roundings` products t_i: with their magnitudes (E2), their squares,
/// `largest` >= every |t_i|, for the tight bound \ref eq_E9 "(E9)". The terms are products of elements of the
/// tensors whose checks are `factors`, \ref eq_E10 "(E10)": one that drifts refuses the data model (D); when every
/// one repeats its values the rounding model fails too, and the output is judged by (E3) alone.
Expected summed_output(Array value, Array magnitude, Array squares, double roundings, double largest,
                       std::initializer_list<const FactorCheck*> factors);

/// An exact output (a copy, a max, a relu): no rounding at all.
Expected exact_output(Array value);

/// A place where a network's result is fragile, \ref eq_E7 "(E7)": a relu input or the gap between a max-pool window's
/// two largest values, `distance`, that a correct computation in precision u may move by up to
/// 2 (u coefficient + tiny), enough to change which side of the kink or which winner it takes.
struct Fragile {
    double distance;     ///< |relu input| or the gap between the top two values of a window
    double coefficient;  ///< the first-order error coefficient of that distance, \ref eq_E6 "(E6)"
    std::string where;   ///< "layer 2 (relu), element (0,1,2,3)"
    /// For a max-pool window, its largest value (the winner's); NaN for a relu input.
    double largest = std::numeric_limits<double>::quiet_NaN();
};

/// What evaluate_case() computes: the op and its outputs by name ("out", "dx", "dw", "db", "loss", "da", "dz"; for a
/// network "loss", "dx" and "layer_grads[l].dw", "layer_grads[l].db").
struct Evaluation {
    std::string op;                            ///< the case's op
    std::map<std::string, Expected> outputs;   ///< every output of the op
    /// The case says "exact": true: its outputs are sums of products of its inputs (or copies, maxima), every one
    /// exact in float32 in any order. The judge confirms it in the precision judged, element by element, from
    /// fraction_bits, \ref eq_E12 "(E12)".
    bool exact = false;
    /// q: every input is a multiple of 2^-q (the largest number of binary places an input has), so every product of
    /// two inputs is a multiple of 2^-2q.
    int fraction_bits = 0;
    std::size_t layers = 0;                    ///< a network's number of layers (0 for a single op)
    std::vector<Fragile> fragile;              ///< a network's fragile places (empty for a single op)
    /// For each narrower format ("float32", "bfloat16", "float16") whose values the case's inputs are not all: the
    /// first input element that is not, "inputs.x (0,1,2,3) = 0.1" (\ref tol_half "Half precision").
    std::map<std::string, std::string> unrepresentable;
};

}  // namespace cnnbp
