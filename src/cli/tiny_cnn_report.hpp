// build/cnnbp tiny-cnn: every intermediate number of the tiny CNN of the documentation, both parts.
#pragma once

#include <iosfwd>

namespace cnnbp::cli {

/// Prints parts I and II of the tiny CNN (\ref tiny_cnn), and part II again with a bias that makes every
/// convolution output negative, with every intermediate number; returns 0 when the filter's gradient agrees with
/// finite differences, 1 otherwise.
int run_tiny_cnn(std::ostream& os);

}  // namespace cnnbp::cli
