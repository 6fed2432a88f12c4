/// \file
/// The tiny CNN worked through by hand on the page \ref tiny_cnn "The tiny CNN": one 4x4 input, one 2x2 filter with stride 2, a 2x2 max
/// pool down to one value, one fully-connected weight, and the quadratic loss; part II adds a ReLU after the
/// convolution.
#pragma once

#include "cnnbp/net/sequential.hpp"

#include <vector>

namespace cnnbp {

/// The concrete example of the tiny CNN, forward \ref eq_T1 "(T1)": part I without, part II (`with_relu`) with the
/// ReLU. sequential_backprop() on it computes the gradients derived by hand in \ref eq_T2 "(T2)" (loss and fully
/// connected layer), \ref eq_T3 "(T3)" (max pool), \ref eq_T4 "(T4)" (convolution) and \ref eq_T5 "(T5)" (ReLU).
/// `conv_bias` is the convolution's bias b; the page uses -0.5, and -3.5 to show a ReLU that passes no gradient.
NetworkCase tiny_cnn_example(bool with_relu, double conv_bias = -0.5);

}  // namespace cnnbp
