/// \file
/// The oracle checked on a case: its gradients against central differences of its own forward (\ref gradcheck "Finite differences").
#pragma once

#include <armadillo>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace cnnbp {

/// The finite-difference check of one input of a case: the oracle's gradient against central differences.
struct GradcheckRow {
    std::string input;           ///< the input ("x", "w", "b", "a", "z")
    std::string gradient;        ///< the output holding its gradient ("dx", "dw", "db", "da", "dz")
    arma::uword checked = 0;     ///< elements checked
    double worst_relative = 0;   ///< the largest |numerical - analytic| / max(1e-300, max |analytic|)
    std::string worst_index;     ///< where
};

/// Checks the oracle on a case with central differences, \ref eq_F4 "(F4)", of <out, dout> (of dloss * loss for the
/// losses), input by input, for at most `max_elements` elements per input, evenly spread (all when 0). Elements at a
/// max-pool tie or a relu kink, \ref eq_E5 "(E5)", have no derivative and are skipped.
std::vector<GradcheckRow> gradcheck_case(const nlohmann::ordered_json& doc, const std::string& file, arma::uword max_elements);

}  // namespace cnnbp
