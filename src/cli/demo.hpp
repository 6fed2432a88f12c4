// The main job's built-in example: conv2d forward and backward on one small case.
#pragma once

#include <iosfwd>

namespace cnnbp::cli {

/// Prints the built-in conv2d case, its output, all four backward forms and the checks; returns the exit status
/// (0 when the four forms agree with each other and with finite differences, 1 otherwise).
int run_demo(std::ostream& os);

}  // namespace cnnbp::cli
